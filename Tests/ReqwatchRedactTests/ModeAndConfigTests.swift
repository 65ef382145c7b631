import Foundation
import ReqwatchCore
import ReqwatchRedact
import Testing
import Yams

@Suite struct ModeAndConfigTests {
    func hashRedactor(_ key: String) throws -> Redactor {
        var c = RedactConfiguration()
        c.mode = .hash
        c.hashKey = Array(key.utf8)
        return try Redactor(c)
    }

    @Test func hashModeIsStableAndKeyed() throws {
        let a = try hashRedactor("key-one-0123456789")
        let b = try hashRedactor("key-two-0123456789")
        let t1 = redactText("token \(Samples.jwt)", a)
        let t2 = redactText("again \(Samples.jwt)", a)
        let t3 = redactText("token \(Samples.jwt)", b)
        #expect(t1.hasPrefix("token hmac:"))
        #expect(t1.utf8.count == "token hmac:".utf8.count + 16)
        #expect(t1.dropFirst(6) == t2.dropFirst(6))
        #expect(t1 != t3)
        #expect(!t1.contains("eyJ"))
        // Different values give different pseudonyms.
        #expect(redactText("x \(Samples.github)", a) != redactText("x \(Samples.stripe)", a))
    }

    @Test func hashModeKnownVector() throws {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog") = f7bc83f430538424…
        var c = RedactConfiguration()
        c.mode = .hash
        c.hashKey = Array("key".utf8)
        c.extraKeys = ["fox"]
        let r = try Redactor(c)
        let (line, _) = redactLine(TestRequest(path: "/", query: "fox=The%20quick%20brown%20fox%20jumps%20over%20the%20lazy%20dog"), r)
        #expect(dig(try parseJSON(line), "url.query") as? String == "fox=hmac:f7bc83f430538424")
    }

    @Test func hashModeWithoutKeyIsAConfigError() {
        var c = RedactConfiguration()
        c.mode = .hash
        #expect(throws: ReqwatchError.self) { try Redactor(c) }
        #expect(throws: ReqwatchError.self) {
            try c.loadKey(environmentVariable: "REQWATCH_TEST_NO_SUCH_VARIABLE_123", file: nil)
        }
    }

    @Test func loadKeyFromEnvironmentAndFile() throws {
        var c = RedactConfiguration()
        c.mode = .hash
        setenv("REQWATCH_TEST_KEY_VAR", "env-key-material", 1)
        try c.loadKey(environmentVariable: "REQWATCH_TEST_KEY_VAR", file: nil)
        #expect(c.hashKey == Array("env-key-material".utf8))
        let path = NSTemporaryDirectory() + "reqwatch-key-\(getpid())"
        try "file-key-material\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        var d = RedactConfiguration()
        d.mode = .hash
        try d.loadKey(environmentVariable: "REQWATCH_TEST_NO_SUCH_VARIABLE_123", file: path)
        #expect(d.hashKey == Array("file-key-material".utf8))
        var e = RedactConfiguration()
        let err = #expect(throws: ReqwatchError.self) {
            try e.loadKey(environmentVariable: "REQWATCH_TEST_NO_SUCH_VARIABLE_123", file: path + ".missing")
        }
        #expect(err?.code == .config)
    }

    @Test func partialModeKeepsCardLastFour() throws {
        var c = RedactConfiguration()
        c.mode = .partial
        let r = try Redactor(c)
        #expect(redactText("pay 4111 1111 1111 1234 now", r) == "pay 4111 1111 1111 1234 now")  // fails Luhn: kept
        #expect(redactText("pay 4242 4242 4242 4242 now", r) == "pay [REDACTED:card:\u{2026}4242] now")
        #expect(redactText("mail jane@example.com", r) == "mail [REDACTED:email]")
    }

    @Test func noModeWritesTheValue() throws {
        var c = RedactConfiguration()
        c.hashKey = Array("k".utf8)
        for mode in RedactionMode.allCases {
            c.mode = mode
            let r = try Redactor(c)
            for secret in [Samples.jwt, Samples.awsAccess, Samples.stripe, Samples.email, "5555555555554444"] {
                let out = redactText("v=\(secret) and \(secret)", r)
                #expect(!out.contains(secret), "\(mode) \(secret)")
            }
        }
    }

    @Test func yamlSectionAppliesAndCollectsAllProblems() throws {
        let yaml = """
            mode: partial
            sensitive_keys: [member_no, loyaltyId]
            keep_keys: session
            headers: [X-Internal]
            fields:
              body.user.ssn: sensitive
              query.token: keep
              bogus.path: keep
              query.x: maybe
            colour: blue
            """
        let node = try #require(try Yams.compose(yaml: yaml))
        var c = RedactConfiguration()
        let problems = c.apply(node, file: "reqwatch.yaml")
        #expect(c.mode == .partial)
        #expect(c.extraKeys == ["member_no", "loyaltyId"])
        #expect(c.keptKeys == ["session"])
        #expect(c.extraHeaders == ["X-Internal"])
        #expect(c.fieldRules == ["body.user.ssn": true, "query.token": false])
        #expect(problems.count == 3)
        #expect(problems.contains { $0.path == "redaction.colour" && $0.line == 10 })
        #expect(problems.contains { $0.path == "redaction.fields.query.x" && $0.line == 9 })
        #expect(problems.contains { $0.path == "redaction.fields.bogus.path" && $0.line == 8 })
        let bad = try #require(try Yams.compose(yaml: "mode: rot13\n"))
        var d = RedactConfiguration()
        let p2 = d.apply(bad, file: "r.yaml")
        #expect(p2.count == 1)
        #expect(p2.first?.description == "r.yaml:1: redaction.mode: expected one of mask, hash, partial")
        #expect(d.apply(nil, file: "r.yaml").isEmpty)
    }

    @Test func auditMergeAndJSON() {
        let r = maskRedactor()
        var audit = RedactionAudit()
        _ = r.redact(text: "a \(Samples.jwt) b jane@example.com", field: "message", audit: &audit)
        var total = RedactionAudit()
        total.merge(audit)
        total.merge(audit)
        #expect(total.total == 4)
        #expect(total.byKind == ["jwt": 2, "email": 2])
        #expect(total.byField == ["message": 4])
        #expect(total.asJSON().encoded() == #"{"total":4,"by_kind":{"email":2,"jwt":2},"by_field":{"message":4},"by_rule":{"value:email":{"message":2},"value:jwt":{"message":2}},"dropped":{}}"#)
    }

    @Test func alertRedaction() {
        var alert = Alert(
            rule: .unknownEndpoint, timestamp: .zero, start: .zero, end: .zero, severity: 3,
            message: "GET /reset?token=\(Samples.jwt) from jane@example.com", incidentKey: "k",
            evidence: [
                ("samples", .array([.string("/x?api_key=abcdef123456"), .string("/ok")])),
                ("password", .string("hunter2")), ("count", .int(3)), ("pin", .int(1234)),
            ])
        alert.path = "/reset?token=\(Samples.jwt)"
        alert.userAgent = "bot \(Samples.awsAccess)"
        alert.userID = "alice"
        var audit = RedactionAudit()
        maskRedactor().redact(alert: &alert, audit: &audit)
        #expect(alert.path == "/reset?token=[REDACTED:jwt]")
        #expect(alert.userAgent == "bot [REDACTED:aws-access-key]")
        #expect(alert.userID == "alice")
        #expect(alert.message == "GET /reset?token=[REDACTED:jwt] from [REDACTED:email]")
        #expect(alert.evidence[0].1 == .array([.string("/x?api_key=[REDACTED:api-key]"), .string("/ok")]))
        #expect(alert.evidence[1].1 == .string("[REDACTED:password]"))
        #expect(alert.evidence[2].1 == .int(3))
        #expect(alert.evidence[3].1 == .string("[REDACTED:card-data]"))
        #expect(audit.total == 7)
    }
}
