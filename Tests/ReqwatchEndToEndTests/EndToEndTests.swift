import Foundation
import ReqwatchTestSupport
import Testing

/// Runs the built `reqwatch` binary (beside the test bundle in .build/<config>/) as a user would.
enum Binary {
    static var path: String { builtReqwatchPath }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], cwd: String? = nil, stdin: Data? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe()
        let inp = Pipe()
        // stderr goes to a file so a large stderr can never block the child while we read stdout.
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("rw-e2e-stderr-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer { try? FileManager.default.removeItem(at: errURL) }
        p.standardOutput = out
        p.standardError = errHandle
        p.standardInput = inp
        try p.run()
        if let stdin { inp.fileHandleForWriting.write(stdin) }
        try inp.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try errHandle.close()
        let errData = (try? Data(contentsOf: errURL)) ?? Data()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// One folder per case under SampleLogs/cases: `input.log[.gz]`, optional `args` (extra CLI arguments, relative
/// paths resolved from the case folder) and `expected-alerts.jsonl`. The binary's stdout must equal the file.
enum Cases {
    static var root: String { repositoryRoot() + "/SampleLogs/cases" }
    static var all: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: root + "/" + $0 + "/expected-alerts.jsonl") }.sorted()
    }

    static func arguments(for name: String) -> [String] {
        let dir = root + "/" + name
        var args = ["scan", "--no-progress"]
        if let extra = try? String(contentsOfFile: dir + "/args", encoding: .utf8) {
            args += extra.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        }
        let inputs = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix("input") }.sorted()
        return args + inputs
    }
}

@Suite struct EndToEndTests {
    @Test func thereAreCases() {
        #expect(Cases.all.count >= 10)
    }

    @Test(arguments: Cases.all)
    func sampleCase(_ name: String) throws {
        let dir = Cases.root + "/" + name
        let r = try Binary.run(Cases.arguments(for: name), cwd: dir)
        #expect(r.status == 0, "exit \(r.status): \(r.stderr)")
        let expected = try String(contentsOfFile: dir + "/expected-alerts.jsonl", encoding: .utf8)
        let got = r.stdout.split(separator: "\n").map(String.init)
        let want = expected.split(separator: "\n").map(String.init)
        #expect(got == want, "case \(name): got\n\(r.stdout)")
        for line in got {
            let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(obj?["@timestamp"] != nil)
        }
    }

    @Test func missingInputIsReportedAndOthersScanned() throws {
        let formats = repositoryRoot() + "/SampleLogs/formats"
        let r = try Binary.run(["scan", "--no-progress", "--parse-only", "/nonexistent/access.log", formats + "/access.log"])
        #expect(r.status == 66)
        #expect(r.stderr.contains("/nonexistent/access.log"))
        #expect(r.stderr.contains("400 lines, 400 records"), "\(r.stderr)")
    }

    @Test func truncatedGzipExits65AfterKeepingEarlierLines() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rw-e2e-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = ""
        for i in 0..<5000 {
            text += "203.0.113.\(i % 200) - - [17/May/2015:10:05:03 +0000] \"GET /item/\(i) HTTP/1.1\" 200 12 \"-\" \"Mozilla/5.0\"\n"
        }
        let plain = dir.appendingPathComponent("a.log")
        try Data(text.utf8).write(to: plain)
        let gz = Process()
        gz.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gz.arguments = ["-k", plain.path]
        try gz.run()
        gz.waitUntilExit()
        let full = try Data(contentsOf: dir.appendingPathComponent("a.log.gz"))
        let cut = dir.appendingPathComponent("cut.log.gz")
        try full.prefix(full.count / 2).write(to: cut)
        let stats = dir.appendingPathComponent("stats.json")
        let r = try Binary.run(["scan", "--no-progress", "--parse-only", "--stats-json", stats.path, cut.path, plain.path])
        #expect(r.status == 65)
        #expect(r.stderr.contains("cut.log.gz"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: stats)) as? [String: Any]
        let records = json?["records"] as? Int ?? 0
        #expect(records > 5000 && records < 10_000, "earlier lines of the cut archive are kept, then the next input")
        #expect(json?["failed_inputs"] as? Int == 1)
    }

    @Test func stdinFilterAndUsageErrors() throws {
        let line = "198.51.100.7 - - [17/May/2015:10:05:03 +0000] \"GET /.env HTTP/1.1\" 404 12 \"-\" \"sqlmap/1.7\"\n"
        let r = try Binary.run(["scan", "--no-progress", "-"], stdin: Data(line.utf8))
        #expect(r.status == 0)
        #expect(r.stdout.contains("\"suspicious-user-agent\""))
        let bad = try Binary.run(["scan", "--format", "xml", "-"], stdin: Data())
        #expect(bad.status == 64)
    }

    @Test func badConfigListsEveryProblemWithLines() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rw-cfg-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cfg = dir.appendingPathComponent("bad.yaml")
        try Data("format: xml\nmax_line_length: abc\nbogus: 1\n".utf8).write(to: cfg)
        let r = try Binary.run(["scan", "--no-progress", "--config", cfg.path, "-"], stdin: Data())
        #expect(r.status == 78)
        #expect(r.stderr.contains("bad.yaml:1"))
        #expect(r.stderr.contains("bad.yaml:2"))
        #expect(r.stderr.contains("bad.yaml:3"))
    }
}

@Suite struct EndpointsCommandTests {
    func inventory(_ caseName: String, extra: [String] = []) throws -> [[String: Any]] {
        let dir = Cases.root + "/" + caseName
        let r = try Binary.run(["endpoints", "--spec", "../../api/openapi.yaml", "--output-format", "json"] + extra + ["input.log"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return obj?["endpoints"] as? [[String: Any]] ?? []
    }

    func category(_ rows: [[String: Any]], _ method: String, _ route: String) -> String? {
        rows.first { $0["method"] as? String == method && $0["route"] as? String == route }?["category"] as? String
    }

    @Test func issue6_categoriesOnGhostCase() throws {
        let rows = try inventory("ghost-endpoint")
        #expect(category(rows, "GET", "/api/v1/debug/users") == "undocumented-answering")
        #expect(category(rows, "GET", "/api/v1/orders/{orderId}") == "documented-used")
        #expect(category(rows, "GET", "/api/v1/legacy/export") == "documented-unused")
        #expect(category(rows, "GET", "/healthz") == "infrastructure")
        // Riskiest first.
        #expect(rows.first?["category"] as? String == "undocumented-answering")
    }

    @Test func issue6_zombieAndProbes() throws {
        let zombie = try inventory("trap-healthchecks-preflight")
        #expect(category(zombie, "GET", "/api/v1/legacy/export") == "deprecated-called")
        let probes = try inventory("probing-client")
        #expect(probes.contains { $0["category"] as? String == "undocumented-failing" })
    }

    /// `endpoints --save-baseline` over the `trap-pagination` case into `dir/baseline.json`; returns its path.
    func learnBaseline(in dir: URL) throws -> String {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let baseline = dir.appendingPathComponent("baseline.json").path
        let learn = try Binary.run(["endpoints", "--output-format", "json", "--save-baseline", baseline, "input.log"],
                                   cwd: Cases.root + "/trap-pagination")
        #expect(learn.status == 0)
        return baseline
    }

    @Test func issue6_baselineFlagsNewRoute() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rw-bl-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let baseline = try learnBaseline(in: dir)
        let scan = try Binary.run(["scan", "--no-progress", "--baseline", baseline, "input.log"], cwd: Cases.root + "/ghost-endpoint")
        #expect(scan.status == 0)
        #expect(scan.stdout.contains("\"route\":\"/api/v1/debug/users\""))
        #expect(scan.stdout.contains("\"unknown-endpoint\""))
    }

    /// The baseline also keeps the user-agent families seen; a scan against it reports a client whose family is new
    /// (the mission's "unfamiliar user agents"), and only that one.
    @Test func baselineFlagsUnfamiliarUserAgentFamily() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rw-ua-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let baseline = try learnBaseline(in: dir)
        let saved = try String(contentsOfFile: baseline, encoding: .utf8)
        #expect(saved.contains("\"user_agent_families\":[{\"family\":"))
        #expect(saved.contains("{\"family\":\"chrome\""))
        var log = ""
        for k in 0..<12 {
            log += "198.51.100.200 - - [01/May/2024:10:00:\(10 + k) +0000] \"GET /api/v1/products HTTP/1.1\" 200 512 \"-\" \"HarvestKit/0.9\"\n"
            log += "198.51.100.201 - - [01/May/2024:10:00:\(10 + k) +0000] \"GET /api/v1/products HTTP/1.1\" 200 512 \"-\" "
                + "\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36\"\n"
        }
        let input = dir.appendingPathComponent("new.log")
        try log.write(to: input, atomically: true, encoding: .utf8)
        let scan = try Binary.run(["scan", "--no-progress", "--baseline", baseline, input.path])
        #expect(scan.status == 0)
        // one incident: its opened and closed lines
        let alerts = scan.stdout.split(separator: "\n")
        #expect(alerts.count == 2, "\(scan.stdout)")
        #expect(alerts.first?.contains("\"state\":\"opened\"") == true)
        #expect(alerts.last?.contains("\"state\":\"closed\"") == true)
        #expect(alerts.first?.contains("\"reason\":\"unfamiliar\"") == true)
        #expect(alerts.first?.contains("\"family\":\"harvestkit\"") == true)
    }
}

/// `reqwatch tail` as a process: a live file written line by line, stop, restart from the state file.
@Suite(.serialized) struct TailCommandTests {
    func line(_ i: Int, path: String = "/.env", ua: String = "sqlmap/1.7") -> String {
        "192.0.2.66 - - [17/May/2015:10:\(String(format: "%02d", i / 60 % 60)):\(String(format: "%02d", i % 60)) +0000] \"GET \(path) HTTP/1.1\" 404 0 \"-\" \"\(ua)\"\n"
    }

    func append(_ text: String, to path: String) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.seekToEnd()
        h.write(Data(text.utf8))
        try h.close()
    }

    /// Starts `reqwatch tail`, returns the process and the files its stdout and stderr go to.
    func start(_ args: [String], in dir: URL) throws -> (Process, URL, URL) {
        let out = dir.appendingPathComponent("out-\(UUID().uuidString).jsonl")
        let err = dir.appendingPathComponent("err-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binary.path)
        p.arguments = ["tail"] + args
        p.currentDirectoryURL = dir
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        return (p, out, err)
    }

    /// Waits up to 10 s for the process to exit; kills it otherwise (a hung child must never hang the suite).
    func waitExit(_ p: Process) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            return false
        }
        return true
    }

    func waitFor(_ file: URL, contains needle: String, seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let s = try? String(contentsOf: file, encoding: .utf8), s.contains(needle) { return true }
            usleep(50_000)
        }
        return false
    }

    @Test func issue5_attackWrittenLineByLineAlertsThenResumeExactly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rw-tail-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        FileManager.default.createFile(atPath: log, contents: Data(line(0, path: "/old", ua: "Mozilla/5.0").utf8))

        let (p, out, err) = try start(["--state", "state.json", "access.log"], in: dir)
        usleep(500_000)
        for i in 1...3 {
            try append(line(i), to: log)
            usleep(100_000)
        }
        #expect(waitFor(out, contains: "\"suspicious-user-agent\""), "alert within the wait")
        #expect(waitFor(dir.appendingPathComponent("state.json"), contains: "\"offset\""))
        p.terminate()
        #expect(waitExit(p), "tail stops on SIGTERM")
        #expect(p.terminationStatus == 0)
        let firstErr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        // The line present at start is not read (no --from-start, no state): exactly the 3 appended.
        #expect(firstErr.contains("tail stopped: 3 lines"), "\(firstErr)")

        // Written while stopped: read exactly once after the restart, nothing before it again.
        try append(line(10, path: "/a", ua: "Mozilla/5.0") + line(11, path: "/b", ua: "Mozilla/5.0"), to: log)
        let (p2, _, err2) = try start(["--state", "state.json", "access.log"], in: dir)
        usleep(1_000_000)
        p2.terminate()
        #expect(waitExit(p2), "tail stops on SIGTERM")
        let secondErr = (try? String(contentsOf: err2, encoding: .utf8)) ?? ""
        #expect(secondErr.contains("tail stopped: 2 lines"), "\(secondErr)")
    }

    /// A failed login from 192.0.2.77 at second `i` (401, browser agent unless given).
    func failure(_ i: Int, ua: String = "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0") -> String {
        "192.0.2.77 - - [17/May/2015:11:\(String(format: "%02d", i / 60 % 60)):\(String(format: "%02d", i % 60)) +0000] \"POST /login HTTP/1.1\" 401 12 \"-\" \"\(ua)\"\n"
    }

    func fresh(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rw-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// 12 failures, a clean stop, 10 more failures after the restart: 22 within 5 min crosses the threshold of
    /// 20 only if the first 12 survived the restart. Run twice: with the saved windows (alert) and with the
    /// windows file removed (no alert: the test can fail).
    @Test(arguments: [true, false]) func issue5_attackStraddlingARestartIsCaught(keepWindows: Bool) throws {
        let dir = try fresh("straddle-\(keepWindows)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        FileManager.default.createFile(atPath: log, contents: nil)
        let (p, out, _) = try start(["--state", "state.json", "access.log"], in: dir)
        usleep(400_000)
        try append((0..<12).map { failure($0) }.joined(), to: log)
        #expect(waitFor(dir.appendingPathComponent("state.json"), contains: "\"offset\""))
        usleep(300_000)
        p.terminate()
        #expect(waitExit(p))
        #expect(p.terminationStatus == 0)
        #expect(((try? String(contentsOf: out, encoding: .utf8)) ?? "").isEmpty, "12 failures stay below the threshold")
        let windows = dir.appendingPathComponent("state.json.windows").path
        #expect(FileManager.default.fileExists(atPath: windows), "windows saved on SIGTERM")
        if !keepWindows { try FileManager.default.removeItem(atPath: windows) }

        let (p2, out2, err2) = try start(["--state", "state.json", "access.log"], in: dir)
        usleep(400_000)
        try append((12..<22).map { failure($0) }.joined(), to: log)
        let alerted = waitFor(out2, contains: "\"auth-failure-cluster\"", seconds: keepWindows ? 10 : 2)
        p2.terminate()
        #expect(waitExit(p2))
        let stderr2 = (try? String(contentsOf: err2, encoding: .utf8)) ?? ""
        #expect(stderr2.contains("tail stopped: 10 lines"), "\(stderr2)")
        #expect(alerted == keepWindows, "\(stderr2)")
        if keepWindows {
            let alert = (try? String(contentsOf: out2, encoding: .utf8)) ?? ""
            #expect(alert.contains("received 20 401/403 responses"), "\(alert)")
        }
    }

    /// SIGHUP reloads the config (a lower threshold, one rule disabled) and keeps the windows: 12 failures
    /// before, 5 after (scanner agent) give one auth alert at the new threshold of 15 and no user-agent alert.
    @Test func issue5_sighupReloadsConfigAndKeepsWindows() throws {
        let dir = try fresh("sighup")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        FileManager.default.createFile(atPath: log, contents: nil)
        let config = dir.appendingPathComponent("reqwatch.yaml")
        try "detectors:\n  auth-failure-cluster:\n    client-threshold: 20\n".write(to: config, atomically: true, encoding: .utf8)
        let (p, out, err) = try start(["--config", "reqwatch.yaml", "--state", "state.json", "access.log"], in: dir)
        usleep(400_000)
        try append((0..<12).map { failure($0) }.joined(), to: log)
        usleep(600_000)
        try "detectors:\n  auth-failure-cluster:\n    client-threshold: 15\n  suspicious-user-agent:\n    enabled: false\n"
            .write(to: config, atomically: true, encoding: .utf8)
        kill(p.processIdentifier, SIGHUP)
        #expect(waitFor(err, contains: "reloaded the config"))
        try append((12..<17).map { failure($0, ua: "sqlmap/1.7") }.joined(), to: log)
        let alerted = waitFor(out, contains: "\"auth-failure-cluster\"")
        usleep(300_000)
        p.terminate()
        #expect(waitExit(p))
        let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        #expect(alerted, "\(stderr)")
        #expect(stderr.contains("detector windows kept"), "\(stderr)")
        #expect(stdout.contains("received 15 401/403 responses"), "\(stdout)")
        #expect(!stdout.contains("\"suspicious-user-agent\""), "\(stdout)")
    }

    /// A directory stands for its live log files: `access.log` and `api.log` are followed, rotated copies are not;
    /// a directory without one is an error (status 66, no input), not a silent no-op.
    @Test func issue5_directoryFollowsItsLiveFiles() throws {
        let dir = try fresh("dir")
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        for name in ["access.log", "access.log.1", "api.log", "access.log.2.gz"] {
            FileManager.default.createFile(atPath: logs.appendingPathComponent(name).path, contents: Data(line(1).utf8))
        }
        let (p, _, err) = try start(["--from-start", "logs"], in: dir)
        usleep(800_000)
        p.terminate()
        #expect(waitExit(p))
        let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        #expect(stderr.contains("tail stopped: 2 lines"), "\(stderr)")
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let r = try Binary.run(["tail", empty.path])
        #expect(r.status == 66)
        #expect(r.stderr.contains("no live log file"), "\(r.stderr)")
    }

    /// `tail --store` across `kill -9`: every line written is stored at least once (the unfinished segment is
    /// recovered on restart; lines after the last checkpoint are read again), and after the clean stop each line
    /// is stored, with duplicates only from the second before the kill.
    @Test func issue5_storeKeepsEveryLineAcrossKillNine() throws {
        let dir = try fresh("store-kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        FileManager.default.createFile(atPath: log, contents: nil)
        func item(_ i: Int) -> String {
            "192.0.2.\(i % 200 + 1) - - [17/May/2015:10:\(String(format: "%02d", i / 600 % 60)):\(String(format: "%02d", i / 10 % 60)) +0000] \"GET /item/\(i) HTTP/1.1\" 200 12 \"-\" \"Mozilla/5.0\"\n"
        }
        let args = ["--state", "state.json", "--store", "history", "access.log"]
        let (p, _, _) = try start(args, in: dir)
        usleep(400_000)
        var next = 0
        for _ in 0..<10 {  // 2,000 lines over ~2 s
            try append((next..<next + 200).map(item).joined(), to: log)
            next += 200
            usleep(200_000)
        }
        #expect(waitFor(dir.appendingPathComponent("state.json"), contains: "\"offset\""))
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        try append((next..<next + 500).map(item).joined(), to: log)  // written while it is down
        next += 500
        let (p2, _, err2) = try start(args, in: dir)
        usleep(1_200_000)
        p2.terminate()
        #expect(waitExit(p2))
        let stderr2 = (try? String(contentsOf: err2, encoding: .utf8)) ?? ""
        #expect(stderr2.contains("recovered"), "\(stderr2)")
        var counts = [Int](repeating: 0, count: next)
        let history = dir.appendingPathComponent("history").path
        for name in try FileManager.default.contentsOfDirectory(atPath: history) where name.hasSuffix(".jsonl.gz") {
            let gz = Process()
            gz.executableURL = URL(fileURLWithPath: "/bin/gzip")
            gz.arguments = ["-dc", history + "/" + name]
            let pipe = Pipe()
            gz.standardOutput = pipe
            try gz.run()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            gz.waitUntilExit()
            #expect(gz.terminationStatus == 0, "\(name) does not gunzip")
            for line in text.split(separator: "\n") {
                guard let r = line.range(of: "\"path\":\"/item/") else { continue }
                let n = Int(line[r.upperBound...].prefix { $0.isNumber }) ?? -1
                if n >= 0 && n < next { counts[n] += 1 }
            }
        }
        let missing = counts.indices.filter { counts[$0] == 0 }
        #expect(missing.isEmpty, "lines never stored: \(missing.prefix(20))")
        let twice = counts.filter { $0 > 1 }.count
        #expect(twice <= 400, "\(twice) lines stored twice (at most the last second's 200 lines, with margin)")
    }

    /// A reader that goes away (`| head -1`) stops tail cleanly: state saved, status 0, no crash.
    @Test func issue5_brokenStdoutPipeStopsCleanly() throws {
        let dir = try fresh("epipe")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        FileManager.default.createFile(atPath: log, contents: nil)
        let pipe = Pipe()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binary.path)
        p.arguments = ["tail", "--state", "state.json", "access.log"]
        p.currentDirectoryURL = dir
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        usleep(400_000)
        try pipe.fileHandleForReading.close()  // the reader is gone before the first alert
        for i in 0..<40 {
            try append(line(i, path: "/.env\(i)", ua: "sqlmap/1.\(i)") , to: log)
            usleep(20_000)
        }
        #expect(waitExit(p), "tail exits once stdout is a broken pipe")
        #expect(p.terminationReason == .exit, "not killed by SIGPIPE")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("state.json").path))
        // The alerts that could not be delivered are not lost: the next run reads those lines again.
        let (p2, out2, _) = try start(["--state", "state.json", "access.log"], in: dir)
        let again = waitFor(out2, contains: "\"suspicious-user-agent\"")
        p2.terminate()
        #expect(waitExit(p2))
        #expect(again)
    }
}
