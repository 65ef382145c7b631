import Foundation
import ReqwatchTestSupport
import Testing

private var binaryPath: String { builtReqwatchPath }

private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    // Read both to the end (small outputs: reading one after the other cannot block here).
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

@Suite struct ReportCommandTests {
    static let caseDir = repositoryRoot() + "/SampleLogs/cases/report-hostile"
    static let spec = repositoryRoot() + "/SampleLogs/api/openapi.yaml"

    @Test func reportWritesOneFileAndNoProgressReachesAPipe() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("rw-report-cmd-\(getpid()).html").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try run(binaryPath, ["report", "--spec", Self.spec, "-o", out, Self.caseDir + "/input.log"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty, "report writes nothing on stdout")
        #expect(!r.stderr.contains("\r") && !r.stderr.contains("MB/s   "), "a progress bar reached a pipe: \(r.stderr)")
        #expect(r.stderr.contains("report written to"))
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<tr id=\"inc-"))
    }

    @Test func scanReportAlsoPrintsTheAlerts() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("rw-scan-report-\(getpid()).html").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try run(binaryPath, ["scan", "--spec", Self.spec, "--report", out, Self.caseDir + "/input.log"])
        #expect(r.status == 0, "\(r.stderr)")
        let expected = try String(contentsOfFile: Self.caseDir + "/expected-alerts.jsonl", encoding: .utf8)
        #expect(r.stdout == expected)
        #expect(FileManager.default.fileExists(atPath: out))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "script(1) is missing: no terminal to test the progress bar on"))
    func reportDrawsProgressOnATerminal() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("rw-report-tty-\(getpid()).html").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        // script(1) gives the command a pseudo-terminal; what it drew comes back on our stdout.
        let command = [binaryPath, "report", "-o", out, Self.caseDir + "/input.log"].map { "'\($0)'" }.joined(separator: " ")
        let r = try run("/usr/bin/script", ["-qec", command, "/dev/null"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("\r[") && r.stdout.contains("MB/s"), "no progress bar on a terminal: \(r.stdout)")
    }

    @Test func unwritableOutputFailsBeforeScanning() throws {
        let r = try run(binaryPath, ["report", "-o", "/nonexistent-dir/report.html", Self.caseDir + "/input.log"])
        #expect(r.status == 73, "an output that cannot be created (EX_CANTCREAT)")
        #expect(r.stderr.contains("/nonexistent-dir/report.html") && !r.stderr.contains("lines,"))
    }
}
