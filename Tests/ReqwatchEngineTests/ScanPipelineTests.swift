import Foundation
import ReqwatchCore
import ReqwatchEngine
import ReqwatchOutput
import ReqwatchTestSupport
import Testing

/// Collects alerts in memory.
final class CollectingSink: AlertSink {
    var alerts: [Alert] = []
    func write(_ a: borrowing [Alert]) throws(ReqwatchError) { for i in a.indices { alerts.append(a[i]) } }
    func flush() throws(ReqwatchError) {}
}

func tempFile(_ name: String, _ text: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rw-engine-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}

func scan(_ paths: [String], batchSize: Int = 256, detect: Bool = true) throws -> (ScanSummary, [String]) {
    var o = ScanOptions()
    o.inputs = paths
    o.batchSize = batchSize
    o.diagnostics = FileDescriptorWriter(fd: open("/dev/null", O_WRONLY), name: "/dev/null", owns: true)
    let sink = CollectingSink()
    o.alertSink = sink
    if !detect { o.detect = nil }
    let summary = try ScanPipeline(options: o).run()
    return (summary, sink.alerts.map { AlertEncoder.document($0).encoded() })
}

/// Background traffic plus an ID walk and a scanner, in combined format.
func attackLog() -> String {
    var s = ""
    var t = 0
    func stamp(_ sec: Int) -> String {
        let m = sec / 60 % 60, h = 10 + sec / 3600, x = sec % 60
        return String(format: "17/May/2015:%02d:%02d:%02d +0200", h, m, x)
    }
    for i in 0..<400 {
        t += 2
        s += "198.51.100.\(i % 50) - - [\(stamp(t))] \"GET /products?page=\(i % 5) HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0\"\n"
        if i >= 100 && i < 350 {
            s += "203.0.113.9 - - [\(stamp(t))] \"GET /api/v1/users/\(i) HTTP/1.1\" 200 300 \"-\" \"python-requests/2.31\"\n"
        }
        if i == 200 {
            s += "192.0.2.66 - - [\(stamp(t))] \"GET /.env HTTP/1.1\" 404 0 \"-\" \"sqlmap/1.7.2#stable (https://sqlmap.org)\"\n"
        }
    }
    return s
}

@Suite struct ScanPipelineTests {
    @Test func countsAndEventTime() throws {
        let p = try tempFile("a.log", attackLog() + "garbage line\n\n")
        let (summary, _) = try scan([p], detect: false)
        #expect(summary.lines == 400 + 250 + 1 + 2)
        #expect(summary.records == 651)
        #expect(summary.malformed == 1)
        #expect(summary.firstEvent == Timestamp.from(year: 2015, month: 5, day: 17, hour: 8, minute: 0, second: 2))
        #expect(summary.failedInputs == 0)
    }

    @Test func alertsDoNotDependOnBatchSize() throws {
        let p = try tempFile("b.log", attackLog())
        let (_, reference) = try scan([p])
        #expect(reference.contains { $0.contains("\"id-enumeration\"") })
        #expect(reference.contains { $0.contains("\"suspicious-user-agent\"") })
        for size in [1, 7, 100] {
            let (_, got) = try scan([p], batchSize: size)
            #expect(got == reference, "batch size \(size)")
        }
    }

    @Test func sameInputSameEventIDs() throws {
        let p = try tempFile("c.log", attackLog())
        let (_, a) = try scan([p])
        let (_, b) = try scan([p])
        #expect(a == b)
        #expect(!a.isEmpty)
    }

    @Test func failedInputIsRecordedAndRunGoesOn() throws {
        let p = try tempFile("d.log", attackLog())
        let (summary, _) = try scan(["/nonexistent/x.log", p], detect: false)
        #expect(summary.failedInputs == 1)
        #expect(summary.records == 651)
    }

    @Test func alertEvidenceIsRedacted() throws {
        var log = ""
        for i in 0..<30 {
            log += "192.0.2.7 - - [17/May/2015:10:00:\(String(format: "%02d", i)) +0000] \"GET /.env?token=ghp_abcdefghijklmnopqrstuvwxyz0123456789 HTTP/1.1\" 404 0 \"-\" \"sqlmap/1.7\"\n"
        }
        let p = try tempFile("e.log", log)
        var o = ScanOptions()
        o.inputs = [p]
        o.redactor = try ReqwatchRedactFactory.make()
        let sink = CollectingSink()
        o.alertSink = sink
        o.diagnostics = FileDescriptorWriter(fd: open("/dev/null", O_WRONLY), name: "/dev/null", owns: true)
        _ = try ScanPipeline(options: o).run()
        let text = sink.alerts.map { AlertEncoder.document($0).encoded() }.joined(separator: "\n")
        #expect(!sink.alerts.isEmpty)
        #expect(!text.contains("ghp_abcdefghijklmnopqrstuvwxyz0123456789"))
        #expect(sink.alerts.contains { $0.rule.id == "exposed-credential" })
    }
}
