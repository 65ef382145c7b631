import ReqwatchCore
@testable import ReqwatchRedact
import ReqwatchTestSupport
import Testing

/// The exposed-credential detector skips queries that `queryMayHoldCredential` clears. That pre-filter must never
/// clear a query in which the full redaction pass finds a credential.
@Suite struct CredentialPrefilterTests {
    static let keys = ["page", "sort", "q", "id", "limit", "lang", "token", "api_key", "password", "pwd", "auth", "sid",
                       "pin", "code", "state", "x", "redirect", "next", "access-token", "API_KEY", "Secret", "filter"]
    static let shortValues = ["1", "2", "asc", "desc", "en", "abc", "true", "42", "users", "a-b_c", "", "ok"]

    func query(_ rng: inout SplitMix64, corpus: inout Corpus) -> String {
        var pairs: [String] = []
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let k = Self.keys.randomElement(using: &rng)!
            let v: String
            switch Int.random(in: 0...9, using: &rng) {
            case 0...4: v = Self.shortValues.randomElement(using: &rng)!
            case 5: v = corpus.valueSecret().1
            case 6: v = "bearer%20" + corpus.pick(Corpus.alnum, Int.random(in: 6...12, using: &rng))
            case 7: v = ["token=abc", "pwd:x", "sid=1", "a%3Db", "pin:12"].randomElement(using: &rng)!
            case 8: v = corpus.pick(Corpus.alnum, Int.random(in: 8...14, using: &rng))
            default: v = corpus.valueSecret().1.addingPercentEncodingForTest()
            }
            pairs.append(Int.random(in: 0...15, using: &rng) == 0 ? v : "\(k)=\(v)")
        }
        return pairs.joined(separator: Int.random(in: 0...5, using: &rng) == 0 ? ";" : "&")
    }

    @Test func neverClearsAQueryHoldingACredential() throws {
        let redactor = try Redactor(RedactConfiguration())
        var rng = SplitMix64(seed: 2024)
        var corpus = Corpus(seed: 77, records: 0)
        var cleared = 0, withFindings = 0
        for _ in 0..<20_000 {
            let q = query(&rng, corpus: &corpus)
            var bytes = Array(q.utf8)
            var findings: [ExposedCredentialDetector.Finding] = []
            let path: [UInt8] = []
            let may = bytes.withUnsafeBufferPointer { redactor.queryMayHoldCredential($0) }
            bytes.withUnsafeBufferPointer { qb in
                path.withUnsafeBufferPointer { pb in
                    redactor.credentialFindings(path: pb, query: qb, s: Scratch(), into: &findings)
                }
            }
            if !findings.isEmpty { withFindings += 1 }
            if !may {
                cleared += 1
                #expect(findings.isEmpty, "cleared a query with a credential: \(q)")
            }
            bytes.removeAll()
        }
        // Both sides are exercised: many harmless queries are cleared, many others hold credentials.
        #expect(cleared > 2000)
        #expect(withFindings > 2000)
    }

    @Test func harmlessQueriesAreCleared() throws {
        let redactor = try Redactor(RedactConfiguration())
        for q in ["page=2&sort=asc", "q=shoes&lang=en", "limit=50;offset=100", "id=42"] {
            #expect(Array(q.utf8).withUnsafeBufferPointer { !redactor.queryMayHoldCredential($0) }, "\(q)")
        }
        for q in ["token=abc", "page=2&password=x", "q=a%20b", "redirect=/x?token=1", "x=eyJhbGciOiJIUzI1NiJ9"] {
            #expect(Array(q.utf8).withUnsafeBufferPointer { redactor.queryMayHoldCredential($0) }, "\(q)")
        }
    }
}

extension String {
    /// Percent-encodes every byte outside [A-Za-z0-9] (tests only).
    func addingPercentEncodingForTest() -> String {
        var out = ""
        for b in utf8 {
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) {
                out.unicodeScalars.append(UnicodeScalar(b))
            } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
