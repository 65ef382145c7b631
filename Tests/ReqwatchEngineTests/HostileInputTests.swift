import Foundation
import ReqwatchCore
import ReqwatchDetect
import ReqwatchParse
@testable import ReqwatchEngine
import ReqwatchOutput
import ReqwatchTestSupport
import Testing

/// Issue 15: wrong and hostile input is never a silent success.
@Suite struct HostileInputTests {
    static let combined = "203.0.113.9 - - [17/May/2015:10:05:03 +0000] \"GET /item/1 HTTP/1.1\" 200 12 \"-\" \"Mozilla/5.0\"\n"
    static let nginxJSON = #"{"time_local":"17/May/2015:10:05:04 +0000","remote_addr":"203.0.113.10","request":"GET /item/2 HTTP/1.1","status":200,"body_bytes_sent":5,"http_user_agent":"curl/8"}"# + "\n"

    @Test func issue15_unrecognisedLayoutFailsNamingLineFormatsAndNearest() throws {
        let opendap = String(repeating: "2015-02-15 05:11AM|&|0b3a0a45|&|ASTGTM|&|2|&|7202|&|129|&|/opendap/x.nc|&|200|&|57752\n", count: 50)
        let path = try tempFile("opendap.txt", opendap)
        let (summary, _) = try scan([path], detect: false)
        let e = try #require(summary.inputs.first?.error)
        #expect(e.code == .format)
        #expect(e.location?.line == 1 && e.location?.byteOffset == 0)
        #expect(e.message.contains("0 of 50"))
        #expect(e.message.contains("formats tried") && e.message.contains("combined") && e.message.contains("json"))
        #expect(e.message.contains("nearest: combined"))
        #expect(ExitStatus(summary: summary) == .dataError)
    }

    @Test func issue15_randomBytesFail() throws {
        var rng = SplitMix64(seed: 15)
        var bytes = [UInt8](repeating: 0, count: 1 << 20)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rw-random-\(getpid()).bin")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let (summary, _) = try scan([url.path], detect: false)
        #expect(summary.inputs.first?.error?.code == .format)
        #expect(ExitStatus(summary: summary) == .dataError)
    }

    @Test func issue15_shareBelowMinimumFailsAboveItPasses() throws {
        // 3 records, 7 junk lines: 30 % < 50 %.
        let text = String(repeating: Self.combined, count: 3) + String(repeating: "garbage here\n", count: 7)
        let path = try tempFile("mostly-junk.log", text)
        let (summary, _) = try scan([path], detect: false)
        #expect(summary.inputs.first?.error?.code == .format)
        #expect(summary.inputs.first?.error?.message.contains("--min-parsed-share") == true)
        let ok = try tempFile("some-junk.log", String(repeating: Self.combined, count: 8) + "garbage\ngarbage\n")
        #expect(try scan([ok], detect: false).0.inputs.first?.error == nil)
        // An empty file is not a failure: nothing was there to read.
        #expect(try scan([try tempFile("empty.log", "")], detect: false).0.inputs.first?.error == nil)
    }

    @Test func issue15_mixedFormatsAreReadLineByLine() throws {
        let text = String(repeating: Self.combined, count: 20) + String(repeating: Self.nginxJSON, count: 5)
        let path = try tempFile("mixed.log", text)
        let (summary, _) = try scan([path], detect: false)
        #expect(summary.records == 25)
        #expect(summary.malformed == 0)
        let input = try #require(summary.inputs.first)
        #expect(input.fallbackRecords.count == 1 && input.fallbackRecords.first?.1 == 5)
        let json = summary.json().encoded()
        #expect(json.contains("\"fallback_records\":{\"json (nginx-json)\":5}"), "\(json)")
        // The minority first: JSON sniffed, combined lines read by the fallback.
        let flipped = try tempFile("mixed2.log", String(repeating: Self.nginxJSON, count: 20) + String(repeating: Self.combined, count: 3))
        #expect(try scan([flipped], detect: false).0.records == 23)
    }

    @Test func issue15_attackInMinorityFormatIsSeen() throws {
        let attack = #"{"time_local":"17/May/2015:10:05:04 +0000","remote_addr":"198.51.100.7","request":"GET /.env HTTP/1.1","status":404,"body_bytes_sent":5,"http_user_agent":"sqlmap/1.7"}"# + "\n"
        let path = try tempFile("mixed-attack.log", String(repeating: Self.combined, count: 20) + attack)
        let (_, alerts) = try scan([path])
        #expect(alerts.contains { $0.contains("198.51.100.7") && $0.contains("suspicious-user-agent") })
    }

    @Test func issue15_forcedFormatIsStrict() throws {
        let path = try tempFile("combined-as-json.log", String(repeating: Self.combined, count: 30))
        var o = ScanOptions()
        o.inputs = [path]
        o.format = .json
        o.detect = nil
        o.diagnostics = FileDescriptorWriter(fd: open("/dev/null", O_WRONLY), name: "/dev/null", owns: true)
        let summary = try ScanPipeline(options: o).run()
        let e = try #require(summary.inputs.first?.error)
        #expect(e.message.contains("format json was given with --log-format"))
        #expect(e.message.contains("nearest: combined"))
    }

    @Test func issue15_emptyDirectoryIsNoInput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rw-emptydir-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (summary, _) = try scan([dir.path], detect: false)
        #expect(summary.pathProblems.first?.code == .notFound)
        #expect(ExitStatus(summary: summary) == .noInput)
    }

    @Test func exitStatusPrecedence() {
        var s = ScanSummary()
        s.alertsByRule = ["x": 1]
        #expect(ExitStatus(summary: s) == .ok)
        #expect(ExitStatus(summary: s, failOnAlert: true) == .alertsFound)
        var bad = ScanSummary.InputResult(path: "a")
        bad.error = ReqwatchError(.gzipTruncated, "cut")
        s.inputs = [bad]
        #expect(ExitStatus(summary: s, failOnAlert: true) == .dataError)
        s.pathProblems = [ReqwatchError(.notFound, "missing")]
        #expect(ExitStatus(summary: s) == .noInput)
        bad.error = ReqwatchError(.io, "read failed", errno: EIO)
        s.inputs.append(bad)
        #expect(ExitStatus(summary: s) == .ioError)
        #expect(ExitStatus(error: ReqwatchError(.config, "x")) == .config)
        #expect(ExitStatus(error: ReqwatchError(.output, "x")) == .cantCreate)
        #expect(ExitStatus(error: ReqwatchError(.usage, "x")) == .usage)
    }

    @Test func issue15_statsAlertCountsMatchAlertsWritten() throws {
        let path = try tempFile("attack-stats.log", attackLog())
        let (summary, alerts) = try scan([path])
        for (rule, n) in summary.alertsByRule {
            #expect(summary.detectorStatistics.first { $0.0 == rule + ".alerts" }?.1 == n, "\(rule)")
        }
        #expect(summary.alerts == alerts.count)
    }

    @Test func issue15_evictionWarningNamesTheSetting() {
        var s = ScanSummary()
        s.detectorStatistics = [("id-enumeration.evictions", 12)]
        let text = s.text()
        #expect(text.contains("detectors.client-capacity"))
        #expect(text.contains("12 tracked"))
    }
}

@Suite struct ConfigErrorTests {
    func problem(_ yaml: String) -> String {
        do throws(ReqwatchError) {
            _ = try ConfigFile.parse(text: yaml, path: "c.yaml")
            return ""
        } catch {
            return error.description
        }
    }

    @Test func issue15_yamlTabIsExplainedWithLineAndColumn() {
        let m = problem("detectors:\n\tcooldown: 5m\n")
        #expect(m.contains("line 2, column 1"), "\(m)")
        #expect(m.contains("never tabs"), "\(m)")
    }

    @Test func issue15_unknownNestedKeySuggestsNearest() {
        let m = problem("detectors:\n  id-enumeration:\n    treshold: 5\n")
        #expect(m.contains("did you mean 'threshold'"), "\(m)")
        let top = problem("detecters: {}\n")
        #expect(top.contains("did you mean 'detectors'"), "\(top)")
    }

    @Test func issue15_malformedTemplateRejectedWithPosition() {
        #expect(RouteInventory.templateProblem("/users/{id:")?.contains("column 8") == true)
        #expect(RouteInventory.templateProblem("/users/{id}/x}")?.contains("column 14") == true)
        #expect(RouteInventory.templateProblem("/users/{}")?.contains("empty") == true)
        #expect(RouteInventory.templateProblem("/users/{id}") == nil)
        do throws(ReqwatchError) {
            _ = try RouteInventory.parse(text: "GET /users/{id:\n", origin: "routes.txt")
            Issue.record("accepted")
        } catch {
            #expect(error.code == .spec)
            #expect(error.message.contains("column 8"))
        }
    }
}
