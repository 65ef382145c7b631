import Foundation
import ReqwatchCore
import ReqwatchInput
import ReqwatchTestSupport
import Testing

/// Frames the real logs in ../shared/peers-testdata and checks line counts against the documented figures.
@Suite struct PeersTestdataTests {
    static let root = repositoryRoot() + "/../shared/peers-testdata"
    static var available: Bool { FileManager.default.fileExists(atPath: root + "/README.md") }

    static func countLines(_ path: String, threaded: Bool = false) throws -> (lines: Int64, bytes: Int64) {
        var framer = LineFramer(source: try InputOpener.open(path, index: 0, threaded: threaded))
        while try framer.readLines(maxLines: 256, { _, _ in }) {}
        #expect(framer.tooLongLines == 0)
        return (framer.linesRead, framer.bytesRead)
    }

    @Test(.enabled(if: available))
    func realLogLineCounts() throws {
        let counts = [
            "elastic-examples-apache_logs.log": 10_000, "secrepo-2021_all.log": 5_854,
            "secrepo-access-2018-12-15.log": 4_961, "secrepo-access-2022-12-22.log": 1_262,
        ]
        for (name, lines) in counts {
            #expect(try Self.countLines(Self.root + "/real/" + name).lines == Int64(lines), "\(name)")
        }
    }

    @Test(.enabled(if: available), arguments: [false, true])
    func realGzipLog(threaded: Bool) throws {
        let got = try Self.countLines(Self.root + "/real/opendap-lpdaac-logs_for_opendap.txt.gz", threaded: threaded)
        #expect(got.lines == 478_755)
        #expect(got.bytes == 90_085_337)
    }

    @Test(.enabled(if: available))
    func crowdsecLogsMatchDocumentedLineCounts() throws {
        let (inputs, problems) = InputPaths.expand(
            try FileManager.default.contentsOfDirectory(atPath: Self.root + "/crowdsec").sorted().map {
                Self.root + "/crowdsec/" + $0
            })
        #expect(problems.isEmpty)
        let logs = inputs.filter { $0.hasSuffix(".log") }
        #expect(logs.count >= 20)
        for path in logs {
            let data = try Data(contentsOf: URL(fileURLWithPath: path + ".expected.json"))
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let expected = try #require(json["lines"] as? Int)
            #expect(try Self.countLines(path).lines == Int64(expected), "\(path)")
        }
    }
}
