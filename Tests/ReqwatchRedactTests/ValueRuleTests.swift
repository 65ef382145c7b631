import Foundation
import ReqwatchCore
import ReqwatchRedact
import Testing

@Suite struct ValueRuleTests {
    static let positives: [(String, String)] = [
        (Samples.jwt, "jwt"), (Samples.awsAccess, "aws-access-key"), (Samples.github, "github-token"),
        (Samples.githubPAT, "github-token"), (Samples.stripe, "stripe-key"), ("rk_live_51HabcdEFGHijklMNOP", "stripe-key"),
        (Samples.slack, "slack-token"), ("hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "slack-webhook"),
        (Samples.google, "google-api-key"), (Samples.pem, "private-key"), (Samples.card, "card"),
        (Samples.cardDashes, "card"), (Samples.cardPlain, "card"), (Samples.email, "email"), (Samples.phone, "phone"),
        (Samples.ssn, "ssn"), (Samples.bearer, "bearer"), (Samples.basic, "basic"),
        ("ASIAY34FZKBOKMUTVV7A", "aws-access-key"), ("gho_16C7e42F292c6912E7710c838347Ae178B4a", "github-token"),
    ]

    @Test(arguments: positives)
    func valueRuleInFreeText(secret: String, kind: String) {
        let text = "note: saw \(secret) in the logs today"
        let out = redactText(text)
        #expect(!out.contains(secret))
        #expect(out.contains("[REDACTED:\(kind)]"), "\(out)")
        #expect(out.hasPrefix("note: saw "))
        #expect(out.hasSuffix(" in the logs today"))
    }

    @Test func awsSecretNeedsKeyword() {
        #expect(redactText("aws secret is \(Samples.awsSecret) ok").contains("[REDACTED:aws-secret-key]"))
        // Without a nearby aws/secret keyword a 40-char base64 run stays (could be any id).
        #expect(redactText("blob \(Samples.awsSecret) ok") == "blob \(Samples.awsSecret) ok")
    }

    static let lookalikes: [String] = [
        "4111 1111 1111 1112",  // order number failing Luhn
        "ORDER-20240517-0042",
        "123456789012",  // ordinary numeric id (12 digits)
        "550e8400-e29b-41d4-a716-446655440000",  // UUID
        "1716000000000",  // epoch ms timestamp
        "2024-05-17T10:05:03Z",  // ISO timestamp
        "2024-05-17",
        "9fceb02d0ae598e95dc970b74767f19372d61af8",  // commit hash
        "SKU-48213-XL",
        "v2.14.3",
        "1.2.3+build.45",
        "000-12-3456",  // invalid SSN area
        "666-12-3456",
        "user@localhost",
        "pkg@1.2.3",
        "+1234",  // too short for E.164
        "eyJhbGciOi",  // a JWT prefix alone
        "AKIA1234",  // too short
        "sk_test",
        "5105105105105101",  // Luhn fails
        "12345678901234567890123",  // too long for a card
    ]

    @Test(arguments: lookalikes)
    func lookalikeSurvives(_ text: String) {
        let line = "id \(text) end"
        #expect(redactText(line) == line)
    }

    @Test(arguments: lookalikes)
    func lookalikeSurvivesInPathAndQuery(_ text: String) throws {
        let enc = text.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "+&=")))!
        let (line, audit) = redactLine(TestRequest(path: "/orders/\(enc)/items", query: "ref=\(enc)&page=2"), maskRedactor())
        let obj = try parseJSON(line)
        #expect(dig(obj, "url.path") as? String == "/orders/\(enc)/items")
        #expect(dig(obj, "url.query") as? String == "ref=\(enc)&page=2")
        #expect(audit.total == 0)
    }

    @Test func veryLongValuesDoNotCrash() {
        let big = String(repeating: "a", count: 1 << 20)
        #expect(redactText(big) == big)
        let digits = String(repeating: "4", count: 1 << 20)
        #expect(redactText(digits) == digits)
        let ats = String(repeating: "a@", count: 1 << 19)
        _ = redactText(ats)
        let jwtish = "eyJhbGciOiJIUzI1NiJ9." + String(repeating: "A", count: 1 << 20) + ".sig"
        #expect(redactText(jwtish) == "[REDACTED:jwt]")
        let long = String(repeating: "x", count: 1 << 20) + " " + Samples.github
        #expect(redactText(long).hasSuffix("[REDACTED:github-token]"))
        // Adversarial shapes that would be quadratic with naive rescans (run under the release harness for timing).
        for unit in ["eyJ-", "a@", "1 ", "xoxb-", "aws ", "k=", "@a.", "\"password\":\"", "Bearer "] {
            let s = String(repeating: unit, count: (1 << 20) / unit.utf8.count)
            _ = redactText("eyJhbGciOiJIUzI1NiJ9." + s)
            _ = redactText(s)
        }
        let pemOpen = "-----BEGIN PRIVATE KEY-----\n" + String(repeating: "Q", count: 1 << 20)
        #expect(redactText(pemOpen) == "[REDACTED:private-key]")
    }

    @Test func invalidUTF8AndNulDoNotCrash() {
        var bytes: [UInt8] = Array("token=".utf8) + [0xFF, 0x00, 0xC3] + Array(" \(Samples.jwt) \u{0}".utf8)
        bytes += [0xE2, 0x82]
        let text = String(decoding: bytes, as: UTF8.self)
        let out = redactText(text)
        #expect(!out.contains(Samples.jwt))
    }
}
