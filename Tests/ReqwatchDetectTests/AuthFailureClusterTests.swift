import ReqwatchCore
import ReqwatchDetect
import ReqwatchTestSupport
import Testing

@Suite struct AuthFailureClusterTests {
    @Test func singleClientBruteForceWithPutAndGet403s() throws {
        var lines: [String] = []
        for k in 0..<30 {
            let method = k % 2 == 0 ? "PUT" : "GET"
            lines.append("+\(k * 5) 203.0.113.50 - \(method) /admin/settings/\(k % 3 == 0 ? "a" : "b") 403 Mozilla/5.0")
        }
        let alerts = only(try DetectorHarness.run(lines: lines), .authFailureCluster)
        #expect(alerts.count == 1)
        let a = try #require(alerts.first)
        #expect(a.incidentKey == "client:ip:203.0.113.50")
        #expect(a.evidence.first { $0.0 == "failures" }?.1 == .int(20))
        #expect(a.evidence.first { $0.0 == "methods" }?.1 == .array([.string("GET"), .string("PUT")]))
        #expect(a.timestamp == Timestamp(seconds: DetectorHarness.t0 + 19 * 5))
    }

    @Test func distributedCredentialStuffingFiresPerRoute() throws {
        var lines: [String] = []
        for k in 0..<60 {
            lines.append("+\(k * 5) 198.51.\(k / 200).\(k % 200 + 1) - POST /login 401 Mozilla/5.0")
            if k % 10 == 0 { lines.append("+\(k * 5) 192.0.2.77 - POST /login 200 Mozilla/5.0") }
        }
        let alerts = only(try DetectorHarness.run(lines: lines), .authFailureCluster)
        #expect(alerts.count == 1)
        let a = try #require(alerts.first)
        #expect(a.incidentKey == "route:POST /login")
        #expect(a.evidence.first { $0.0 == "distinct_clients" }?.1 == .int(30))
    }

    /// NCSA logs record the Basic-auth user name even on a 401: one address trying 25 user names is one client
    /// spraying passwords, not 25 clients failing once each.
    @Test func basicAuthPasswordSprayingFromOneAddressFires() throws {
        var lines: [String] = []
        for k in 0..<25 { lines.append("+\(k * 6) 203.0.113.80 user\(k) GET /admin/ 401 curl/8.4.0") }
        let alerts = only(try DetectorHarness.run(lines: lines), .authFailureCluster)
        #expect(alerts.count == 1)
        let a = try #require(alerts.first)
        #expect(a.incidentKey == "client:ip:203.0.113.80")
        // opened at the fifth claimed failure (HTTP Basic guessing), naming the user names tried so far
        #expect(a.message.contains("for 5 user names (password spraying)"), "\(a.message)")
        #expect(a.evidence.first { $0.0 == "distinct_user_names" }?.1 == .int(5))
        #expect(a.severity == 4)
    }

    /// Many addresses each trying the same claimed user (Basic auth 401s with the user logged) on one route.
    @Test func basicAuthStuffingAcrossAddressesFiresPerRoute() throws {
        var lines: [String] = []
        for k in 0..<40 { lines.append("+\(k * 10) 198.51.100.\(k + 1) admin GET /admin/ 401 python-requests/2.31") }
        let alerts = only(try DetectorHarness.run(lines: lines), .authFailureCluster)
        #expect(alerts.map(\.incidentKey) == ["route:GET /admin"])
    }

    /// Authenticated users forbidden (403 with their user) and a person mistyping twice are not clusters.
    @Test func forbiddenAuthenticatedUsersAndTyposDoNotFire() throws {
        var lines: [String] = []
        for k in 0..<60 { lines.append("+\(k * 5) 10.1.\(k / 200).\(k % 200 + 1) user\(k) GET /admin/reports 403 Mozilla/5.0") }
        for k in 0..<10 {
            lines.append("+\(k * 30) 192.0.2.\(k + 1) alice\(k) GET /private/ 401 Mozilla/5.0")
            lines.append("+\(k * 30 + 5) 192.0.2.\(k + 1) alice\(k) GET /private/ 401 Mozilla/5.0")
            lines.append("+\(k * 30 + 9) 192.0.2.\(k + 1) alice\(k) GET /private/ 200 Mozilla/5.0")
        }
        #expect(only(try DetectorHarness.run(lines: lines), .authFailureCluster).isEmpty)
    }

    @Test func tokenExpiryRetriesAndTyposDoNotFire() throws {
        var lines: [String] = []
        // 200 mobile users, each retrying 4 times with an expired token, spread over an hour
        for u in 0..<200 {
            for k in 0..<4 { lines.append("+\(u * 18 + k) 10.0.\(u / 250).\(u % 250) token:tok\(u) GET /me 401 okhttp/4.12.0") }
        }
        // a person mistyping twice then succeeding
        lines += ["+5 192.0.2.8 - POST /login 401 Mozilla/5.0", "+9 192.0.2.8 - POST /login 401 Mozilla/5.0",
                  "+14 192.0.2.8 - POST /login 200 Mozilla/5.0"]
        let reqs = lines.map(DetectorHarness.parse).sorted { $0.time < $1.time }
        #expect(try DetectorHarness.run(reqs).isEmpty)
    }

    @Test(arguments: [1, 7, 256]) func batchSizeInvariance(size: Int) throws {
        var lines: [String] = []
        for k in 0..<100 { lines.append("+\(k * 2) 198.51.100.\(k % 90 + 1) - POST /login 401 Mozilla/5.0") }
        for k in 0..<40 { lines.append("+\(k * 3) 203.0.113.50 - GET /admin 403 Mozilla/5.0") }
        let reqs = lines.map(DetectorHarness.parse).sorted { $0.time < $1.time }
        let ref = try DetectorHarness.run(reqs, batchSize: 1000).map { "\($0.incidentKey) \($0.timestamp)" }
        #expect(ref.count == 2)
        #expect(try DetectorHarness.run(reqs, batchSize: size).map { "\($0.incidentKey) \($0.timestamp)" } == ref)
    }

    @Test func allowlistedCIDRIsSuppressed() throws {
        var config = DetectConfiguration()
        config.allowCIDRs = [CIDR(network: DetectorHarness.ip("203.0.113.0"), prefixLength: 24)]
        let lines = (0..<40).map { "+\($0) 203.0.113.50 - GET /admin 403 Mozilla/5.0" }
        #expect(try DetectorHarness.run(lines: lines, configuration: config).isEmpty)
    }
}
