import Foundation
import ReqwatchTestSupport
import Testing

private var binaryPath: String { builtReqwatchPath }

private let promtool: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// One HTTP/1.0 GET over a loopback socket: the status line and the body.
private func get(port: UInt16, path: String) throws -> (status: String, body: String) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw CocoaError(.fileNoSuchFile) }
    defer { close(fd) }
    var tv = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = port.bigEndian
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard ok == 0 else { throw CocoaError(.fileReadNoPermission) }
    let request = "GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var data = [UInt8]()
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = recv(fd, &buf, buf.count, 0)
        if n <= 0 { break }
        data += buf[0..<n]
    }
    let text = String(decoding: data, as: UTF8.self)
    let parts = text.components(separatedBy: "\r\n\r\n")
    return (parts.first?.components(separatedBy: "\r\n").first ?? "", parts.dropFirst().joined(separator: "\r\n\r\n"))
}

/// The value of the first sample line starting with `prefix` (`name{labels}`), or nil.
private func sample(_ text: String, _ prefix: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
        return Double(line.split(separator: " ").last ?? "")
    }
    return nil
}

@Suite(.serialized) struct TailMetricsTests {
    @Test func scrapeWhileTailingCountersMoveAndPromtoolAgrees() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rw-metrics-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let errFile = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: binaryPath)
        p.arguments = ["tail", "--from-start", "--metrics", "127.0.0.1:0", log.path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: errFile)
        try p.run()
        defer { if p.isRunning { p.terminate(); p.waitUntilExit() } }

        // The port it bound, from its stderr.
        var port: UInt16?
        for _ in 0..<100 where port == nil {
            Thread.sleep(forTimeInterval: 0.1)
            let err = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
            if let r = err.range(of: "metrics on http://127.0.0.1:") {
                port = UInt16(err[r.upperBound...].prefix { $0.isNumber })
            }
        }
        let bound = try #require(port, "no metrics address on stderr")
        let health = try get(port: bound, path: "/healthz")
        #expect(health.status.contains("200") && health.body == "ok\n")

        func write(_ lines: Int, from start: Int) throws {
            let h = try FileHandle(forWritingTo: log)
            h.seekToEndOfFile()
            var text = ""
            for i in start..<start + lines {
                text += "198.51.100.7 - - [17/May/2015:10:05:\(String(format: "%02d", i % 60)) +0000] \"GET /item/\(i) HTTP/1.1\" 200 12 \"-\" \"sqlmap/1.7\"\n"
            }
            text += "this line is not a log line\n"
            h.write(Data(text.utf8))
            try h.close()
        }
        func scrape(until: (String) -> Bool) throws -> String {
            var last = ""
            for _ in 0..<50 {
                last = try get(port: bound, path: "/metrics").body
                if until(last) { return last }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return last
        }
        let input = "{input=\"\(log.path)\"}"
        try write(20, from: 0)
        let first = try scrape { sample($0, "reqwatch_input_lines_total\(input)") == 21 }
        #expect(sample(first, "reqwatch_input_lines_total\(input)") == 21, "\(first)")
        #expect(sample(first, "reqwatch_parse_errors_total\(input)") == 1)
        #expect(sample(first, "reqwatch_records_total{format=\"combined\"}") == 20)
        #expect((sample(first, "reqwatch_input_bytes_total\(input)") ?? 0) > 1000)
        #expect((sample(first, "reqwatch_alerts_total{rule=\"suspicious-user-agent\"}") ?? 0) >= 1)
        #expect((sample(first, "reqwatch_event_time_lag_seconds") ?? 0) > 86400 * 365, "events from 2015 lag by years")
        #expect(first.contains("reqwatch_state_entries{table="))
        #expect(sample(first, "reqwatch_open_incidents{rule=\"suspicious-user-agent\"}") == 1, "the incident opened by sqlmap is open")

        try write(30, from: 20)
        let second = try scrape { sample($0, "reqwatch_input_lines_total\(input)") == 52 }
        #expect(sample(second, "reqwatch_input_lines_total\(input)") == 52)
        #expect(sample(second, "reqwatch_records_total{format=\"combined\"}") == 50)
        #expect(sample(second, "reqwatch_parse_errors_total\(input)") == 2)

        if let promtool {
            let check = Process()
            check.executableURL = URL(fileURLWithPath: promtool)
            check.arguments = ["check", "metrics"]
            let inPipe = Pipe(), outPipe = Pipe()
            check.standardInput = inPipe
            check.standardOutput = outPipe
            check.standardError = outPipe
            try check.run()
            inPipe.fileHandleForWriting.write(Data(second.utf8))
            try inPipe.fileHandleForWriting.close()
            let complaint = String(decoding: outPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            check.waitUntilExit()
            #expect(check.terminationStatus == 0 && complaint.isEmpty, "promtool check metrics: \(complaint)")
        } else {
            print("promtool is not installed (apt-get install prometheus): the exposition format was not checked by it")
        }
        p.interrupt()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    @Test func onlyLoopbackAddressesAreAccepted() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binaryPath)
        p.arguments = ["tail", "--metrics", "0.0.0.0:9464", "/nonexistent.log"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 64, "\(text)")
        #expect(text.contains("loopback"))
    }
}
