import ReqwatchCore
import ReqwatchRedact
import Testing

@Suite struct ExposedCredentialDetectorTests {
    func run(_ det: inout ExposedCredentialDetector, _ reqs: [TestRequest], route: String? = nil) -> [Alert] {
        var batch = RecordBatch(origin: InputOrigin(path: "t"))
        var ctx = BatchContext()
        for (i, r) in reqs.enumerated() {
            r.append(to: &batch)
            ctx.clientKeys.append(UInt64(r.clientIP.low))
            ctx.routeIDs.append(route == nil ? -1 : 0)
            ctx.routeKnown.append(true)
            _ = i
        }
        if let route { ctx.routeNames = [route] }
        var alerts: [Alert] = []
        det.observe(batch, context: ctx, into: &alerts)
        det.finish(at: .zero, into: &alerts)
        return alerts
    }

    @Test func firesOnceForTokenInQuery() throws {
        var det = ExposedCredentialDetector(redactor: maskRedactor())
        let req = TestRequest(path: "/reset", query: "token=\(Samples.jwt)")
        let alerts = run(&det, [req], route: "/reset")
        #expect(alerts.count == 1)
        let a = try #require(alerts.first)
        #expect(a.rule.id == "exposed-credential")
        #expect(a.route == "/reset")
        #expect(a.evidence.first { $0.0 == "kind" }?.1 == .string("jwt"))
        #expect(a.evidence.first { $0.0 == "parameter" }?.1 == .string("token"))
        #expect(a.evidence.first { $0.0 == "location" }?.1 == .string("query"))
        #expect(!a.message.contains("eyJ"))
        #expect(a.message == "Credential (jwt) exposed in URL query parameter 'token' on /reset")
        #expect(a.path == "/reset")
        #expect(a.sourceIP == "10.0.0.1")
        for (_, v) in a.evidence { #expect(!v.encoded().contains("eyJ")) }
        // Same route, parameter and kind within the one-minute refresh, from any client: no second report.
        var later = req
        later.time = req.time.adding(seconds: 30)
        later.clientIP = IPAddress(ipv4: 0x0A00_0063)
        #expect(run(&det, [later, later], route: "/reset").isEmpty)
        // After it the finding is refreshed for the incident tracker, counting the exposures in between.
        later.time = req.time.adding(seconds: 70)
        let refresh = run(&det, [later], route: "/reset")
        #expect(refresh.count == 1)
        #expect(refresh.first?.count == 3)
        #expect(refresh.first?.incidentKey == a.incidentKey)
    }

    @Test func doesNotFireForOrdinaryQueries() {
        var det = ExposedCredentialDetector(redactor: maskRedactor())
        let reqs = [
            TestRequest(path: "/search", query: "q=shoes"),
            TestRequest(path: "/users/550e8400-e29b-41d4-a716-446655440000", query: "page=2&sort=name"),
            TestRequest(path: "/contact", query: "email=jane%40example.com"),  // personal data, not a credential
        ]
        #expect(run(&det, reqs, route: "/search").isEmpty)
    }

    @Test func pathTokensAndFingerprint() throws {
        var c = RedactConfiguration()
        c.hashKey = Array("fp-key".utf8)
        let r = try Redactor(c)
        var det = ExposedCredentialDetector(redactor: r)
        let alerts = run(&det, [
            TestRequest(path: "/reset/8f3KqLz0aB19xYw7Tq2mNcVb"),
            TestRequest(path: "/api", query: "api_key=\(Samples.stripe)"),
        ])
        #expect(alerts.count == 2)
        #expect(alerts[0].evidence.first { $0.0 == "location" }?.1 == .string("path"))
        #expect(alerts[0].evidence.first { $0.0 == "kind" }?.1 == .string("path-token"))
        #expect(alerts[0].path == "/reset/[REDACTED:path-token]")
        let fp = try #require(alerts[1].evidence.first { $0.0 == "fingerprint" }?.1)
        guard case .string(let s) = fp else { Issue.record("fingerprint not a string"); return }
        #expect(s.hasPrefix("hmac:") && s.count == 21)
        #expect(alerts[1].evidence.first { $0.0 == "kind" }?.1 == .string("stripe-key"))
    }

    @Test func stateIsBounded() {
        var det = ExposedCredentialDetector(redactor: maskRedactor(), capacity: 10)
        var reqs: [TestRequest] = []
        for i in 0..<200 {
            var r = TestRequest(path: "/reset\(i)", query: "token=abc\(i)")
            r.clientIP = IPAddress(ipv4: UInt32(0x0A00_0000 + i))
            reqs.append(r)
        }
        // 200 routes with a token: 200 findings, state capped at 10 keys
        var alerts: [Alert] = []
        for r in reqs { alerts += run(&det, [r], route: r.path) }
        #expect(alerts.count == 200)
        let keys = det.statistics.first { $0.0 == "exposed-credential.keys" }?.1 ?? -1
        #expect(keys <= 10 && keys > 0)
        #expect((det.statistics.first { $0.0 == "exposed-credential.evictions" }?.1 ?? 0) >= 190)
    }
}
