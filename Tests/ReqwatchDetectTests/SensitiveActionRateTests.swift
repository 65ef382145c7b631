import ReqwatchCore
import ReqwatchDetect
import ReqwatchTestSupport
import Testing
import Yams

@Suite struct SensitiveActionRateTests {
    static let rule = SensitiveActionRateDetector.rule

    /// 60 password resets in 10 minutes from one address: one incident; a user resetting twice does not count.
    @Test func passwordResetFloodFires() throws {
        var reqs = (0..<60).map { DetectorHarness.parse("+\($0 * 10) 203.0.113.9 - POST /api/v1/auth/password-reset 200 python-requests/2.31") }
        reqs += ["+5 198.51.100.4 - POST /api/v1/auth/password-reset 200 Mozilla/5.0",
                 "+65 198.51.100.4 - POST /api/v1/auth/password-reset 200 Mozilla/5.0"].map(DetectorHarness.parse)
        let alerts = try DetectorHarness.run(reqs.sorted { $0.time < $1.time }, lifecycle: true)
            .filter { $0.rule.id == Self.rule.id }
        #expect(alerts.map(\.incidentState) == ["opened", "closed"])
        let a = try #require(alerts.first)
        #expect(a.sourceIP == "203.0.113.9")
        #expect(a.evidence.first { $0.0 == "calls" }?.1 == .int(30))
        // the count covers the evidence up to the rule's last report (a refresh comes at most once per cooldown)
        #expect((alerts.last?.incidentCount ?? 0) >= 30)
    }

    /// Viewing the login page (GET) and a busy product search are not sensitive actions.
    @Test func pagesAndOrdinaryRoutesDoNotCount() throws {
        var lines = (0..<100).map { "+\($0) 203.0.113.10 - GET /login 200 Mozilla/5.0" }
        lines += (0..<100).map { "+\($0) 203.0.113.11 - POST /api/v1/cart/items 201 Mozilla/5.0" }
        #expect(try DetectorHarness.run(lines: lines).filter { $0.rule.id == Self.rule.id }.isEmpty)
    }

    /// An office behind one address: 120 people log in within 10 minutes with their own browsers. Not one client.
    @Test func natOfficeLoginsDoNotFire() throws {
        let agents = ["Mozilla/5.0 (Windows NT 10.0) Chrome/125.0", "Mozilla/5.0 (Macintosh) Safari/605.1.15",
                      "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0", "Mozilla/5.0 (iPhone) Mobile/15E148", "okhttp/4.12.0"]
        let lines = (0..<120).map { "+\($0 * 5) 192.0.2.50 - POST /api/v1/auth/login 200 \(agents[$0 % agents.count])" }
        #expect(try DetectorHarness.run(lines: lines).filter { $0.rule.id == Self.rule.id }.isEmpty)
        // the same volume from one script is a client over the limit
        let script = (0..<120).map { "+\($0 * 5) 192.0.2.51 - POST /api/v1/auth/login 200 python-requests/2.31" }
        #expect(try DetectorHarness.run(lines: script).filter { $0.rule.id == Self.rule.id }.count == 1)
    }

    /// The spec marks a route sensitive (or not) with `x-reqwatch-sensitive`, whatever its name.
    @Test func specExtensionOverridesTheName() throws {
        let spec = """
            openapi: 3.0.0
            paths:
              /api/v1/gift-cards/redeem:
                post:
                  x-reqwatch-sensitive: true
              /api/v1/auth/login:
                post:
                  x-reqwatch-sensitive: false
            """
        var c = DetectConfiguration()
        c.inventory = try RouteInventory.parse(text: spec, origin: "spec.yaml")
        var lines = (0..<40).map { "+\($0 * 5) 203.0.113.12 - POST /api/v1/gift-cards/redeem 400 okhttp/4.12" }
        lines += (0..<40).map { "+\($0 * 5) 203.0.113.13 - POST /api/v1/auth/login 200 okhttp/4.12" }
        let alerts = try DetectorHarness.run(lines: lines, configuration: c).filter { $0.rule.id == Self.rule.id }
        #expect(alerts.map(\.sourceIP) == ["203.0.113.12"])
    }

    /// The rule's config section is decoded and validated in the rule's own file, problems with their line.
    @Test func ownConfigSection() throws {
        let yaml = """
            sensitive-action-rate:
              threshold: 5
              windw: 10m
            """
        var c = DetectConfiguration()
        let problems = c.apply(detectors: try Yams.compose(yaml: yaml), allowlist: nil, file: "reqwatch.yaml")
        #expect(problems.count == 1)
        #expect(problems.first?.line == 3)
        #expect(problems.first?.message.contains("did you mean window?") == true)
        let lines = (0..<5).map { "+\($0) 203.0.113.14 - POST /signup 201 curl/8.0" }
        #expect(try DetectorHarness.run(lines: lines, configuration: c).filter { $0.rule.id == Self.rule.id }.count == 1)
        c.enabledRules.remove(Self.rule.id)
        #expect(try DetectorHarness.run(lines: lines, configuration: c).filter { $0.rule.id == Self.rule.id }.isEmpty)
    }
}
