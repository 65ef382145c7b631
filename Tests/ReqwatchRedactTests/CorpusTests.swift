import Foundation
import ReqwatchCore
import ReqwatchRedact
import ReqwatchTestSupport
import Testing

/// Generated corpus: thousands of planted secrets of every kind across query, path, headers, body and user
/// agent, plus lookalikes that must survive. Seeded, so failures reproduce.
struct Corpus {
    var rng: SplitMix64
    var requests: [TestRequest] = []
    /// Per request: the secrets planted (in the forms that must not appear) and the lookalikes planted.
    var secrets: [[(kind: String, forms: [String])]] = []
    /// Per request: each lookalike with the exact text (field context included) that must appear in the output.
    var lookalikes: [[(value: String, context: [String])]] = []

    static let alnum = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    static let upperDigits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    static let b64url = alnum + ["-", "_"]

    mutating func pick(_ chars: [Character], _ n: Int) -> String {
        String((0..<n).map { _ in chars[Int(rng.next() % UInt64(chars.count))] })
    }
    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }

    mutating func card() -> String {
        let prefixes = ["4", "51", "52", "53", "54", "55", "37", "6011", "2221"]
        var digits = Array(prefixes[int(0...prefixes.count - 1)]).map { Int(String($0))! }
        let len = digits.first == 3 ? 15 : 16
        while digits.count < len - 1 { digits.append(int(0...9)) }
        // Luhn check digit.
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            var v = d
            if i % 2 == 0 { v *= 2; if v > 9 { v -= 9 } }
            sum += v
        }
        digits.append((10 - sum % 10) % 10)
        let s = digits.map(String.init).joined()
        switch int(0...2) {
        case 0: return s
        case 1: return stride(from: 0, to: s.count, by: 4).map { i in
            String(s.dropFirst(i).prefix(4)) }.joined(separator: " ")
        default: return stride(from: 0, to: s.count, by: 4).map { i in
            String(s.dropFirst(i).prefix(4)) }.joined(separator: "-")
        }
    }

    /// A value-rule secret of a random kind: (kind, text).
    mutating func valueSecret() -> (String, String) {
        switch int(0...12) {
        case 0: return ("jwt", "eyJ" + pick(Self.b64url, 20) + ".eyJ" + pick(Self.b64url, 40) + "." + pick(Self.b64url, 43))
        case 1: return ("aws-access-key", (int(0...1) == 0 ? "AKIA" : "ASIA") + pick(Self.upperDigits, 16))
        case 2: return ("github-token", ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"][int(0...4)] + pick(Self.alnum, 36))
        case 3: return ("stripe-key", ["sk_live_", "rk_live_", "sk_test_", "rk_test_"][int(0...3)] + pick(Self.alnum, 24))
        case 4: return ("slack-token", "xoxb-\(int(100_000_000...999_999_999))-" + pick(Self.alnum, 24))
        case 5: return ("google-api-key", "AIza" + pick(Self.b64url, 35))
        case 6: return ("card", card())
        case 7: return ("email", pick(Self.alnum, 8).lowercased() + "." + pick(Self.alnum, 5).lowercased() + "@" + pick(Self.alnum, 7).lowercased() + ".com")
        case 8: return ("phone", "+\(int(1...9))" + String(int(100_000_000...999_999_999)) + String(int(10...99)))
        case 9: return ("ssn", String(format: "%03d-%02d-%04d", int(1...665), int(1...99), int(1...9999)))
        case 10: return ("github-token", "github_pat_" + pick(Self.alnum, 22) + "_" + pick(Self.alnum, 59))
        case 11: return ("slack-webhook", "hooks.slack.com/services/T" + pick(Self.upperDigits, 8) + "/B" + pick(Self.upperDigits, 8) + "/" + pick(Self.alnum, 24))
        default: return ("bearer", "Bearer " + pick(Self.alnum, 32))
        }
    }

    mutating func lookalike() -> String {
        switch int(0...8) {
        case 0:  // order number failing Luhn, IIN-plausible
            var s = "4" + pick(Array("0123456789"), 15)
            while luhn(s) { s = "4" + pick(Array("0123456789"), 15) }
            return s
        case 1: return UUID(uuid: (UInt8(int(0...255)), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, UInt8(int(0...255)))).uuidString.lowercased()
        case 2: return String(1_600_000_000_000 + int(0...99_999_999_999))  // epoch ms
        case 3: return String(format: "2024-%02d-%02dT%02d:%02d:%02dZ", int(1...12), int(1...28), int(0...23), int(0...59), int(0...59))
        case 4: return pick(Array("0123456789abcdef"), 40)  // commit hash
        case 5: return "SKU-\(int(10000...99999))-" + ["S", "M", "L", "XL"][int(0...3)]
        case 6: return String(format: "2024-%02d-%02d", int(1...12), int(1...28))
        case 7: return "v\(int(0...9)).\(int(0...30)).\(int(0...99))"
        default: return String(int(1...999_999_999))
        }
    }

    func luhn(_ s: String) -> Bool {
        var sum = 0
        for (i, ch) in s.reversed().enumerated() {
            var v = Int(String(ch))!
            if i % 2 == 1 { v *= 2; if v > 9 { v -= 9 } }
            sum += v
        }
        return sum % 10 == 0
    }

    static func pct(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"))!
    }

    static let sensitiveKeys = ["password", "api_key", "apiKey", "X-API-KEY", "client_secret", "access_token", "sessionid", "refresh-token", "pwd", "auth"]

    init(seed: UInt64, records: Int) {
        rng = SplitMix64(seed: seed)
        for _ in 0..<records { generate() }
    }

    mutating func generate() {
        var req = TestRequest(path: "/")
        var planted: [(kind: String, forms: [String])] = []
        var looks: [(value: String, context: [String])] = []
        func forms(_ s: String) -> [String] {
            var f = [s, Self.pct(s), Data(s.utf8).base64EncodedString()]
            if s.contains(" ") || s.contains("-") { f.append(s.filter { $0.isNumber }) }  // card digits
            return f.filter { $0.count >= 6 }
        }
        // Query: a value-rule secret under a neutral key (plain, encoded or double-encoded), a random value under
        // a sensitive key, and two lookalikes.
        let (k1, s1) = valueSecret()
        let enc: String
        switch int(0...2) {
        case 0: enc = s1.replacingOccurrences(of: " ", with: "+").replacingOccurrences(of: "&", with: "%26")
        case 1: enc = Self.pct(s1)
        default: enc = Self.pct(s1).replacingOccurrences(of: "%", with: "%25")
        }
        let pw = pick(Self.alnum, 14)
        let l1 = lookalike(), l2 = lookalike()
        req.query = "ref=\(l1)&q=\(enc)&\(Self.sensitiveKeys[int(0...Self.sensitiveKeys.count - 1)])=\(pw)&id=\(l2)"
        planted.append((k1, forms(s1)))
        planted.append(("key", forms(pw)))
        looks += [(l1, ["ref=\(l1)&"]), (l2, ["&id=\(l2)\""])]
        // Path: a secret after a keyword, or a value-rule secret, and a lookalike segment.
        let l3 = lookalike()
        if int(0...1) == 0 {
            let tok = pick(Self.alnum, 8) + String(int(10...99)) + pick(Self.alnum, 14)
            req.path = "/\(["reset", "unsubscribe", "api-keys", "verify"][int(0...3)])/\(tok)/items/\(l3)"
            planted.append(("path-token", forms(tok)))
        } else {
            var (k, s) = valueSecret()
            while k == "slack-webhook" || k == "bearer" { (k, s) = valueSecret() }
            req.path = "/share/\(Self.pct(s))/items/\(l3)"
            planted.append((k, forms(s)))
        }
        looks.append((l3, ["/items/\(l3)\""]))
        // Headers.
        let tok = pick(Self.alnum, 30)
        let user = pick(Self.alnum, 6) + ":" + pick(Self.alnum, 10)
        let (k4, s4) = valueSecret()
        if int(0...1) == 0 {
            req.headers.append(("Authorization", "Bearer \(tok)"))
            planted.append(("bearer", forms(tok)))
        } else {
            req.headers.append(("Authorization", "Basic " + Data(user.utf8).base64EncodedString()))
            planted.append(("basic", forms(user)))
        }
        let cookie = pick(Self.alnum, 24)
        req.headers.append(("Cookie", "sid=\(cookie); theme=dark"))
        planted.append(("cookie", forms(cookie)))
        let l4 = lookalike()
        let awsSecret = pick(Self.alnum, 13) + "/" + pick(Self.alnum, 12) + "+" + pick(Self.alnum, 10) + "Ab3"
        req.headers.append(("X-Note", "see \(s4) order \(l4), aws secret \(awsSecret)"))
        planted.append((k4, forms(s4)))
        planted.append(("aws-secret-key", forms(awsSecret)))
        looks.append((l4, [" order \(l4), aws"]))
        // JSON body with nested sensitive keys and value-rule secrets, or a form body.
        let (k5, s5) = valueSecret()
        let secretPw = pick(Self.alnum, 12)
        let l5 = lookalike(), l6 = lookalike()
        if int(0...1) == 0 {
            let pem = "-----BEGIN PRIVATE KEY-----\n" + pick(Self.alnum, 60) + "\n-----END PRIVATE KEY-----"
            let body: [String: Any] = [
                "user": ["name": "bob", "credentials": ["password": secretPw], "note": "my \(s5) here", "order": l5],
                "items": [["sku": l6, "qty": 2]], "key_pem": int(0...1) == 0 ? pem : "none",
            ]
            let data = try! JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
            req.body = String(decoding: data, as: UTF8.self)
            if (body["key_pem"] as? String)?.hasPrefix("-----") == true {
                planted.append(("private-key", forms(String(pem.split(separator: "\n")[1]))))
            }
        } else {
            req.body = "user=bob&password=\(secretPw)&note=\(Self.pct("my \(s5) here"))&order=\(l5)&sku=\(l6)"
        }
        req.method = .post
        planted.append(("password", forms(secretPw)))
        planted.append((k5, forms(s5)))
        looks += [(l5, ["\\\"order\\\":\\\"\(l5)\\\"", "&order=\(l5)&"]), (l6, ["\\\"sku\\\":\\\"\(l6)\\\"", "&sku=\(l6)\""])]
        // User agent.
        let (k6, s6) = valueSecret()
        let l7 = "\(int(1...9)).\(int(0...9)).\(int(0...99))"
        req.userAgent = "MyApp/\(l7) (build \(s6))"
        planted.append((k6, forms(s6)))
        looks.append((l7, ["MyApp/\(l7) (build"]))
        requests.append(req)
        secrets.append(planted)
        lookalikes.append(looks)
    }
}

@Suite struct CorpusTests {
    @Test func noPlantedSecretSurvivesAndLookalikesStay() throws {
        let corpus = Corpus(seed: 0x5EC2E7, records: 240)
        let redactor = maskRedactor()
        var plantedCount = 0
        var kinds: Set<String> = []
        var survivors: [String] = []
        var lookCount = 0
        var damaged: [String] = []
        for (i, req) in corpus.requests.enumerated() {
            let (line, _) = redactLine(req, redactor)
            _ = try parseJSON(line)
            for (kind, forms) in corpus.secrets[i] {
                plantedCount += 1
                kinds.insert(kind)
                for f in forms where line.contains(f) { survivors.append("\(kind): \(f)") }
            }
            for (value, contexts) in corpus.lookalikes[i] {
                lookCount += 1
                if !contexts.contains(where: { line.contains($0) }) { damaged.append(value) }
            }
        }
        print("corpus: \(plantedCount) planted secrets of \(kinds.count) kinds, \(survivors.count) survived; "
            + "\(lookCount) lookalikes, \(damaged.count) damaged (\(String(format: "%.2f", 100.0 * Double(damaged.count) / Double(lookCount)))%)")
        #expect(plantedCount >= 2000)
        #expect(lookCount >= 1000)
        #expect(kinds.count >= 19)
        #expect(survivors.isEmpty, "\(survivors.prefix(5))")
        #expect(Double(damaged.count) <= 0.01 * Double(lookCount), "\(damaged.prefix(10))")
    }
}
