import Foundation
import ReqwatchGenerator
import ReqwatchTestSupport
import Testing

@Suite struct GeneratorTests {
    func generate(_ config: GeneratorConfiguration, format: LogFormat = .combined) -> ([UInt8], [Int64], String) {
        var g = TrafficGenerator(config)
        var out: [UInt8] = []
        var times: [Int64] = []
        g.run { r in
            format.append(r, to: &out)
            times.append(r.time)
        }
        return (out, times, g.labelLines())
    }

    func smallConfig(seed: UInt64) -> GeneratorConfiguration {
        var c = GeneratorConfiguration()
        c.lines = 30_000
        c.seed = seed
        c.clients = 800
        c.durationSeconds = 6 * 3600
        return c
    }

    @Test func sameSeedGivesIdenticalOutputAndLabels() {
        let a = generate(smallConfig(seed: 7))
        let b = generate(smallConfig(seed: 7))
        let c = generate(smallConfig(seed: 8))
        #expect(a.0 == b.0)
        #expect(a.2 == b.2)
        #expect(a.0 != c.0)
    }

    @Test func writesExactLineCountInTimeOrder() {
        let (bytes, times, _) = generate(smallConfig(seed: 42))
        #expect(bytes.filter { $0 == 0x0A }.count == 30_000)
        #expect(times.count == 30_000)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func labelsCoverEveryRuleWithMeasuredCounts() throws {
        var config = smallConfig(seed: 42)
        config.lines = 60_000
        config.durationSeconds = 12 * 3600
        let (_, _, labels) = generate(config)
        let lines = labels.split(separator: "\n")
        for rule in Scorer.knownRules {
            #expect(lines.contains { $0.contains("\"rule\":\"\(rule)\"") && $0.contains("\"trap\":false") })
        }
        let fast = try #require(lines.first { $0.contains("\"variant\":\"fast-walk\"") })
        #expect(fast.contains("\"requests\":500"))
        #expect(fast.contains("\"user\":\"mallory\""))
        #expect(lines.contains { $0.contains("\"kind\":\"nat-office\"") })
    }

    @Test func selectionKeepsOnlyChosenAttacks() {
        var config = smallConfig(seed: 1)
        config.lines = 5_000
        config.attacks = InstanceSelection(parsing: "auth-failure-cluster/brute-force")
        config.traps = .none
        let (_, _, labels) = generate(config)
        let lines = labels.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("\"requests\":400") == true)
    }

    @Test func combinedEscapesLikeNginx() {
        let r = GeneratedRequest(
            time: 1_714_521_600_000_000, ip: "203.0.113.9", user: "eve", method: "GET",
            target: "/a\"b", status: 404, bytes: 12, referer: nil, userAgent: "x\u{01}\\y",
            duration: 0.01)
        var out: [UInt8] = []
        LogFormat.combined.append(r, to: &out)
        #expect(
            String(decoding: out, as: UTF8.self)
                == "203.0.113.9 - eve [01/May/2024:00:00:00 +0000] \"GET /a\\x22b HTTP/1.1\" 404 12 \"-\" \"x\\x01\\x5Cy\"\n"
        )
    }
}

@Suite struct ScorerTests {
    let labels = """
        {"id":"atk-0001","rule":"id-enumeration","variant":"fast-walk","trap":false,"client":{"ip":"185.220.101.47","user":"mallory"},"route":"/api/v1/users/{id}","method":"GET","start":"2024-05-01T03:00:00Z","end":"2024-05-01T03:05:00Z","requests":500}
        {"id":"atk-0002","rule":"auth-failure-cluster","variant":"credential-stuffing","trap":false,"key":"route","client":{"ips":["198.51.100.1","198.51.100.2"]},"route":"/api/v1/login","method":"POST","start":"2024-05-01T05:00:00Z","end":"2024-05-01T05:10:00Z","requests":90}
        {"id":"atk-0003","rule":"id-enumeration","variant":"low-and-slow","trap":false,"client":{"ip":"2001:db8:85a3:4::8a2e","user":"quiet.one"},"start":"2024-05-01T06:00:00Z","end":"2024-05-01T09:00:00Z","requests":260}
        {"id":"trap-0001","rule":"id-enumeration","variant":"nat-office","trap":true,"kind":"nat-office","key":"ip","client":{"ip":"80.156.34.2"},"start":"2024-05-01T08:00:00Z","end":"2024-05-01T18:00:00Z","requests":3000}

        """

    func alert(
        _ rule: String, ip: String? = nil, user: String? = nil, route: String? = nil, start: String, end: String,
        seq: Int = 0
    ) -> String {
        var s =
            "{\"@timestamp\":\"\(end)\",\"event\":{\"kind\":\"alert\",\"start\":\"\(start)\",\"end\":\"\(end)\"},\"rule\":{\"id\":\"\(rule)\"}"
        if let ip { s += ",\"source\":{\"ip\":\"\(ip)\"}" }
        if let user { s += ",\"user\":{\"id\":\"\(user)\"}" }
        if let route { s += ",\"http\":{\"route\":\"\(route)\"}" }
        return s + ",\"reqwatch\":{\"sequence\":\(seq)}}"
    }

    @Test func scoresRecallPrecisionDuplicatesAndTraps() throws {
        let alerts = [
            alert(
                "id-enumeration", user: "mallory", route: "/api/v1/users/{userId}", start: "2024-05-01T03:01:00.000Z",
                end: "2024-05-01T03:02:00.000Z"),
            alert(
                "id-enumeration", user: "mallory", start: "2024-05-01T03:03:00Z", end: "2024-05-01T03:04:00Z", seq: 1),
            alert("id-enumeration", ip: "185.220.101.47", start: "2024-05-01T03:04:00Z", end: "2024-05-01T03:05:00Z"),
            alert(
                "auth-failure-cluster", route: "https://api.example.com/api/v1/login", start: "2024-05-01T05:04:00Z",
                end: "2024-05-01T05:06:00Z"),
            alert("id-enumeration", ip: "80.156.34.2", start: "2024-05-01T10:00:00Z", end: "2024-05-01T10:20:00Z"),
            alert("suspicious-user-agent", ip: "192.0.2.1", start: "2024-05-01T10:00:00Z", end: "2024-05-01T10:00:00Z"),
            "not json",
        ].joined(separator: "\n")
        let report = try Scorer(labelsText: labels, alertsText: alerts).score()
        let id = try #require(report.rules.first { $0.rule == "id-enumeration" })
        #expect(id.labels == 2)
        #expect(id.detected == 1)
        #expect(id.alerts == 4)
        #expect(id.truePositives == 3)
        #expect(id.falsePositives == 1)
        #expect(id.duplicates == 1)  // the third alert: a second sequence-0 alert for atk-0001
        #expect(id.trapAlerts == 1)
        let auth = try #require(report.rules.first { $0.rule == "auth-failure-cluster" })
        #expect(auth.detected == 1 && auth.truePositives == 1 && auth.recall == 1)
        let ua = try #require(report.rules.first { $0.rule == "suspicious-user-agent" })
        #expect(ua.falsePositives == 1 && ua.precision == 0)
        #expect(report.unmatched.count == 1)
        #expect(report.missed.map(\.id) == ["atk-0003"])
        #expect(report.malformedAlertLines == 1)
    }

    @Test func cidrAlertMatchesIPv6ClientAndTimeSlackIsHonoured() throws {
        let inside = alert(
            "id-enumeration", ip: "2001:db8:85a3:4::/64", start: "2024-05-01T09:10:00Z", end: "2024-05-01T09:12:00Z")
        let tooLate = alert(
            "id-enumeration", ip: "2001:db8:85a3:4::8a2e", start: "2024-05-01T09:20:00Z", end: "2024-05-01T09:30:00Z")
        var s = try Scorer(labelsText: labels, alertsText: inside + "\n" + tooLate)
        s.slackSeconds = 900
        let r = s.score().rules[0]
        #expect(r.truePositives == 1)
        #expect(r.falsePositives == 1)
        #expect(Scorer.sameRoute("/api/v1/users/{id}", "/v1/users/{userId}"))
        #expect(!Scorer.sameRoute("/api/v1/users/{id}", "/api/v1/orders/{id}"))
        #expect(Scorer.sameAddress("10.1.2.0/24", "10.1.2.77"))
        #expect(!Scorer.sameAddress("10.1.3.0/24", "10.1.2.77"))
    }
}

@Suite struct OpendapConverterTests {
    @Test func convertsOneLineToCombined() throws {
        let line =
            "2015-02-15 12:11PM|&|0b3a0a4591c506cfecc8d53de6df54b52a68c9a3|&|ASTGTM|&|2|&|7202|&|12974403|&|/opendap/hyrax/a.nc.dods?crs,lat|&|200|&|57752"
        let r = try #require(OpendapConverter.request(fromLine: line, userAgent: nil))
        var out: [UInt8] = []
        LogFormat.combined.append(r, to: &out)
        let ip = OpendapConverter.fakeIPv4("0b3a0a4591c506cfecc8d53de6df54b52a68c9a3")
        #expect(
            String(decoding: out, as: UTF8.self)
                == "\(ip) - - [15/Feb/2015:12:11:00 +0000] \"GET /opendap/hyrax/a.nc.dods?crs,lat HTTP/1.1\" 200 57752 \"-\" \"-\"\n"
        )
        #expect(OpendapConverter.parseTime("2015-02-15 12:05AM") == 1_423_958_700)
        #expect(OpendapConverter.request(fromLine: "garbage|&|x", userAgent: nil) == nil)
    }
}

@Suite struct GeneratorSampleLogsTests {
    /// SampleLogs/cases/id-enum-fast was written by SampleLogs/generate.sh with these options; regenerating it in
    /// process must give the same bytes (catches silent changes to the traffic model without regenerating samples).
    @Test func idEnumFastSampleIsReproducible() throws {
        var c = GeneratorConfiguration()
        c.lines = 1600
        c.seed = 42
        c.clients = 600
        c.durationSeconds = 3600
        c.startSeconds = 1_714_557_600  // 2024-05-01T10:00:00Z
        c.attacks = InstanceSelection(parsing: "fast-walk,fast-walk-anonymous-v6")
        c.traps = InstanceSelection(parsing: "health-checks,cors-preflight")
        var g = TrafficGenerator(c)
        var out: [UInt8] = []
        g.run { LogFormat.combined.append($0, to: &out) }
        let dir = repositoryRoot() + "/SampleLogs/cases/id-enum-fast/"
        let onDisk = try #require(FileManager.default.contents(atPath: dir + "input.log"))
        #expect(Array(onDisk) == out)
        let labels = try #require(FileManager.default.contents(atPath: dir + "labels.jsonl"))
        #expect(String(decoding: labels, as: UTF8.self) == g.labelLines())
    }
}
