import ReqwatchCore
import ReqwatchDetect
import ReqwatchTestSupport
import Testing
import Yams

@Suite struct DetectConfigurationTests {
    func apply(_ yaml: String) throws -> (DetectConfiguration, [ConfigProblem]) {
        let root = try #require(try Yams.compose(yaml: yaml))
        var c = DetectConfiguration()
        let problems = c.apply(detectors: root["detectors"], allowlist: root["allowlist"], file: "reqwatch.yaml")
        return (c, problems)
    }

    @Test func validConfigApplies() throws {
        let (c, problems) = try apply("""
        detectors:
          cooldown: 30m
          ipv6-prefix: 56
          id-enumeration:
            threshold: 40
            window: 5m
          auth-failure-cluster: false
          suspicious-user-agent:
            agents: [EvilBot]
        allowlist:
          cidrs: [10.0.0.0/8, "2001:db8::/32"]
          users: [export-job]
          user-agents: [ELB-HealthChecker]
          routes: ["/internal/export/{id}", "GET /metrics"]
        """)
        #expect(problems.isEmpty)
        #expect(c.cooldownMicros == 1_800_000_000)
        #expect(c.ipv6Prefix == 56)
        #expect(c.enumThreshold == 40)
        #expect(c.enumWindowMicros == 300_000_000)
        #expect(!c.enabledRules.contains("auth-failure-cluster"))
        #expect(c.extraAgents == ["evilbot"])
        #expect(c.allowCIDRs.count == 2)
        #expect(c.allowUsers == ["export-job"])
        #expect(c.allowRoutes == ["/internal/export/{id}", "GET /metrics"])
    }

    @Test func everyProblemIsReportedWithItsLine() throws {
        let (_, problems) = try apply("""
        detectors:
          id-enumeration:
            threshold: lots
            windw: 5m
          auth-failure-cluster:
            route-min-ratio: 3
          unknown-endpoint:
            probe-window: -5s
          bogus: 1
        allowlist:
          cidrs: [10.0.0.0/99]
          people: [x]
        """)
        #expect(problems.map(\.line) == [3, 4, 6, 8, 9, 11, 12])
        #expect(problems.map(\.path) == [
            "detectors.id-enumeration.threshold", "detectors.id-enumeration.windw",
            "detectors.auth-failure-cluster.route-min-ratio", "detectors.unknown-endpoint.probe-window",
            "detectors.bogus", "allowlist.cidrs[0]", "allowlist.people",
        ])
        #expect(problems[0].description == "reqwatch.yaml:3: detectors.id-enumeration.threshold: expected an integer")
    }

    @Test func allowlistedUserAndRouteSuppress() throws {
        let (c, problems) = try apply("""
        allowlist:
          users: [export-job]
          routes: ["GET /reports/{id}"]
        """)
        #expect(problems.isEmpty)
        let walk = (1...100).map { TestRequest(time: DetectorHarness.t0 + Int64($0), ip: "192.0.2.5", user: "export-job", path: "/users/\($0)") }
        #expect(try DetectorHarness.run(walk, configuration: c).isEmpty)
        let walk2 = (1...100).map { TestRequest(time: DetectorHarness.t0 + Int64($0), ip: "192.0.2.6", user: "analyst", path: "/reports/\($0)") }
        #expect(try DetectorHarness.run(walk2, configuration: c).isEmpty)
        #expect(try DetectorHarness.run(walk2).count == 1)
    }
}
