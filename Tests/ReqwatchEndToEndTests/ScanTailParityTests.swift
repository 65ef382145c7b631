import Foundation
import ReqwatchTestSupport
import Testing

/// `scan` and `tail` share the framing, sniffing, parsing, rules and incident layer: the same bytes through both give
/// the same alert lines (as a set: `tail` flushes per read, so lines of different incidents may interleave
/// differently), with LF and with CRLF line ends.
@Suite struct ScanTailParityTests {
    static var cases: [String] {
        let dir = repositoryRoot() + "/SampleLogs/cases"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        // one plain input each (tail reads stdin here; gzip and several inputs are scan-only cases)
        return names.filter { FileManager.default.fileExists(atPath: "\(dir)/\($0)/input.log") }.sorted()
    }

    @Test(arguments: cases) func sameBytesSameAlerts(_ name: String) throws {
        let dir = repositoryRoot() + "/SampleLogs/cases/" + name
        let args = ((try? String(contentsOfFile: dir + "/args", encoding: .utf8)) ?? "")
            .split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        let input = try Data(contentsOf: URL(fileURLWithPath: dir + "/input.log"))
        let scan = try Binary.run(["scan", "--no-progress"] + args + ["input.log"], cwd: dir)
        #expect(scan.status == 0, "\(scan.stderr)")
        let tail = try Binary.run(["tail"] + args + ["-"], cwd: dir, stdin: input)
        #expect(tail.status == 0, "\(tail.stderr)")
        #expect(Set(tail.stdout.split(separator: "\n")) == Set(scan.stdout.split(separator: "\n")))
        #expect(tail.stdout.split(separator: "\n").count == scan.stdout.split(separator: "\n").count)
        // CRLF line ends change nothing
        let crlf = Data(String(decoding: input, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let tailCRLF = try Binary.run(["tail"] + args + ["-"], cwd: dir, stdin: crlf)
        #expect(Set(tailCRLF.stdout.split(separator: "\n")) == Set(scan.stdout.split(separator: "\n")))
    }
}
