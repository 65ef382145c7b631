import Foundation
import ReqwatchTestSupport
import Testing

/// Issue 15 through the binary: every silent success of the issue gives a clear message and its exit status.
@Suite struct HostileCLITests {
    func tempDir(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rw-hostile-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static let scannerLine = "198.51.100.7 - - [17/May/2015:10:05:03 +0000] \"GET /.env HTTP/1.1\" 404 12 \"-\" \"sqlmap/1.7\"\n"

    @Test func issue15_opendapLogIsAFailedInput() throws {
        let path = repositoryRoot() + "/../shared/peers-testdata/real/opendap-lpdaac-logs_for_opendap.txt.gz"
        guard FileManager.default.fileExists(atPath: path) else { return }
        let r = try Binary.run(["scan", "--no-progress", "--parse-only", path])
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("opendap-lpdaac-logs_for_opendap.txt.gz:1 (byte 0): input failed"), "\(r.stderr)")
        #expect(r.stderr.contains("formats tried"))
        #expect(r.stderr.contains("nearest: combined"))
    }

    @Test func issue15_jsonFormatOnCombinedLogFails() throws {
        let formats = repositoryRoot() + "/SampleLogs/formats"
        let r = try Binary.run(["scan", "--no-progress", "--log-format", "json", formats + "/access.log"])
        #expect(r.status == 65)
        #expect(r.stderr.contains("format json was given with --log-format"), "\(r.stderr)")
        let old = try Binary.run(["scan", "--no-progress", "--format", "json", formats + "/access.log"])
        #expect(old.status == 65)
        #expect(old.stderr.contains("--format is deprecated"))
    }

    @Test func issue15_emptyDirectoryAndRandomBytes() throws {
        let dir = try tempDir("empty")
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let r = try Binary.run(["scan", "--no-progress", empty.path])
        #expect(r.status == 66)
        #expect(r.stderr.contains("directory holds no log file"), "\(r.stderr)")
        var rng = SplitMix64(seed: 5)
        var bytes = [UInt8](repeating: 0, count: 5 << 20)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }
        let random = dir.appendingPathComponent("random.bin")
        try Data(bytes).write(to: random)
        let rr = try Binary.run(["scan", "--no-progress", random.path])
        #expect(rr.status == 65)
        #expect(rr.stderr.contains("random.bin:1 (byte 0): input failed"), "\(rr.stderr)")
    }

    /// `cmd | head -1` under `set -o pipefail` succeeds for every command.
    @Test func issue15_closedStdoutExitsZero() throws {
        let dir = try tempDir("pipe")
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = ""
        for i in 0..<40_000 {
            text += "198.51.\(i / 250).\(i % 250) - - [17/May/2015:10:05:03 +0000] \"GET /.env?id=\(i) HTTP/1.1\" 404 12 \"-\" \"sqlmap/1.7\"\n"
        }
        let log = dir.appendingPathComponent("big.log")
        try Data(text.utf8).write(to: log)
        for command in ["scan --no-progress", "redact", "endpoints --output-format json", "tail --from-start -", "scan --help"] {
            let input = command.hasPrefix("tail") ? "< '\(log.path)'" : "'\(log.path)'"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = ["-o", "pipefail", "-c", "'\(Binary.path)' \(command) \(input) 2>/dev/null | head -1 > /dev/null"]
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(command) | head -1 exited \(p.terminationStatus)")
        }
    }

    @Test func issue15_versionAndSubcommandUsage() throws {
        let v = try Binary.run(["--version"])
        #expect(v.status == 0)
        #expect(v.stdout.hasPrefix("reqwatch "))
        let bad = try Binary.run(["scan", "--min-parsed-share", "2", "-"], stdin: Data())
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("Usage: reqwatch scan"), "\(bad.stderr)")
        let unknown = try Binary.run(["tail", "--bogus"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("reqwatch tail"), "\(unknown.stderr)")
    }

    @Test func issue15_tailTakesTheOutputOptionsOfScan() throws {
        let dir = try tempDir("tailopts")
        defer { try? FileManager.default.removeItem(at: dir) }
        let alerts = dir.appendingPathComponent("alerts.jsonl")
        let r = try Binary.run(["tail", "--alerts", alerts.path, "--fail-on-alert", "--redact-mode", "mask", "-"],
                               stdin: Data(Self.scannerLine.utf8))
        #expect(r.status == 1, "\(r.stderr)")
        #expect(((try? String(contentsOf: alerts, encoding: .utf8)) ?? "").contains("suspicious-user-agent"))
        let s = try Binary.run(["scan", "--no-progress", "--fail-on-alert", "-"], stdin: Data(Self.scannerLine.utf8))
        #expect(s.status == 1)
        let redact = try Binary.run(["redact", "--redact-mode", "partial", "-"], stdin: Data(Self.scannerLine.utf8))
        #expect(redact.status == 0, "\(redact.stderr)")
    }

    @Test func issue15_outputPathsCheckedBeforeTheScan() throws {
        for option in ["--stats-json", "--alerts"] {
            let r = try Binary.run(["scan", "--no-progress", option, "/nonexistent-dir/x.json", "-"], stdin: Data(Self.scannerLine.utf8))
            #expect(r.status == 73, "\(option): \(r.stderr)")
            #expect(!r.stderr.contains("lines,"), "\(option): failed only after the scan")
        }
        let t = try Binary.run(["tail", "--state", "/nonexistent-dir/state.json", "x.log"])
        #expect(t.status == 73)
        #expect(t.stderr.contains("No such file or directory"), "\(t.stderr)")
    }

    @Test func issue15_tailSaysItWaitsForAMissingFile() throws {
        let dir = try tempDir("wait")
        defer { try? FileManager.default.removeItem(at: dir) }
        let err = dir.appendingPathComponent("err.txt")
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binary.path)
        p.arguments = ["tail", dir.appendingPathComponent("later.log").path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        usleep(500_000)
        p.terminate()
        p.waitUntilExit()
        let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        #expect(stderr.contains("later.log does not exist yet; waiting for it"), "\(stderr)")
    }

    @Test func issue15_corruptStateIsKeptAsideWithAWayForward() throws {
        let dir = try tempDir("state")
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.json")
        try Data("not a state file".utf8).write(to: state)
        let log = dir.appendingPathComponent("a.log")
        try Data(Self.scannerLine.utf8).write(to: log)
        let err = dir.appendingPathComponent("err.txt")
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binary.path)
        p.arguments = ["tail", "--state", state.path, log.path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        usleep(600_000)
        p.terminate()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        #expect(stderr.contains("kept aside as \(state.path).corrupt-1"), "\(stderr)")
        #expect(stderr.contains("--from-start"))
        #expect(FileManager.default.fileExists(atPath: state.path + ".corrupt-1"))
    }
}
