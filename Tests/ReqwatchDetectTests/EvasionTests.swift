import ReqwatchCore
import ReqwatchDetect
import ReqwatchTestSupport
import Testing

/// Issue 15: control bytes, ANSI escapes, odd case, padding and percent-encoding do not hide a scanner agent, a
/// payload or a sensitive path. Each variant must raise the same rule (and reason) as the plain form; the
/// disguised ones also carry `evasion: true` in the evidence.
@Suite struct EvasionTests {
    struct Variant: Sendable, CustomStringConvertible {
        var rule: String
        var reason: String
        var plain: TestRequest
        var variants: [(String, TestRequest, Bool)]  // label, request, whether the evasion flag is expected
        var description: String { "\(rule)/\(reason)" }
    }

    static func req(path: String = "/x", query: String? = nil, ua: String? = "Mozilla/5.0", status: UInt16 = 404) -> TestRequest {
        TestRequest(time: DetectorHarness.t0, ip: "198.51.100.7", path: path, query: query, status: status, userAgent: ua)
    }

    static let cases: [Variant] = [
        Variant(rule: "suspicious-user-agent", reason: "scanner", plain: req(ua: "sqlmap/1.7"), variants: [
            ("control byte", req(ua: "sqlmap/1.7\u{01}"), true),
            ("ANSI colour", req(ua: "sqlmap/1.7\u{1b}[31m"), true),
            ("escape inside the name", req(ua: "sql\u{1b}[0mmap/1.7"), true),
            ("NUL inside the name", req(ua: "sql\u{00}map/1.7"), true),
            ("odd case", req(ua: "SQLMap/1.7"), false),
            ("percent-encoded", req(ua: "%73qlmap/1.7"), true),
            ("padding", req(ua: "   sqlmap/1.7\t"), false),
        ]),
        Variant(rule: "suspicious-user-agent", reason: "scanner", plain: req(ua: "Nuclei - Open-source project"), variants: [
            ("ESC after", req(ua: "Nuclei\u{1b} - Open-source project"), true),
            ("OSC title", req(ua: "Nu\u{1b}]0;x\u{07}clei"), true),
            ("DEL inside", req(ua: "Nuc\u{7f}lei"), true),
            ("upper case", req(ua: "NUCLEI"), false),
        ]),
        Variant(rule: "suspicious-user-agent", reason: "injection-payload", plain: req(ua: "${jndi:ldap://x/a}"), variants: [
            ("control byte inside", req(ua: "${jn\u{01}di:ldap://x/a}"), true),
            ("escape inside", req(ua: "${jndi\u{1b}[1m:ldap://x/a}"), true),
            ("percent-encoded", req(ua: "%24%7Bjndi:ldap://x/a}"), true),
        ]),
        Variant(rule: "unknown-endpoint", reason: "sensitive-path", plain: req(path: "/.env"), variants: [
            ("encoded dot", req(path: "/%2eenv"), true),
            ("double-encoded dot", req(path: "/%252eenv"), true),
            ("upper case", req(path: "/.ENV"), true),
            ("doubled slash", req(path: "//.env"), true),
            ("dot segment", req(path: "/./.env"), true),
        ]),
        Variant(rule: "unknown-endpoint", reason: "sensitive-path", plain: req(path: "/.git/config"), variants: [
            ("doubled slash", req(path: "//.git/config"), true),
            ("upper case", req(path: "/.GIT/config"), true),
            ("encoded slash", req(path: "/.git%2fconfig"), true),
            ("backslash", req(path: "/.git\\config"), true),
        ]),
        Variant(rule: "unknown-endpoint", reason: "injection-payload", plain: req(path: "/search", query: "q=union%20select%201"), variants: [
            ("odd case", req(path: "/search", query: "q=UnIoN%20SeLeCt%201"), false),
            ("double-encoded", req(path: "/search", query: "q=union%2520select%201"), false),
            ("control byte", req(path: "/search", query: "q=uni%00on%20select%201"), false),
            ("comment padding", req(path: "/search", query: "q=union/**/select%201"), false),
        ]),
    ]

    /// The (rule, reason, evasion) of the alerts raised for one request.
    static func raised(_ r: TestRequest) throws -> [(String, String, Bool)] {
        try DetectorHarness.run([r]).map { a in
            let reason = a.evidence.first { $0.0 == "reason" }.flatMap { if case .string(let s) = $0.1 { s } else { nil } } ?? ""
            let evasion = a.evidence.contains { $0.0 == "evasion" && $0.1 == .bool(true) }
            return (a.rule.id, reason, evasion)
        }
    }

    @Test(arguments: cases)
    func variantsRaiseTheSameRule(_ c: Variant) throws {
        let plain = try Self.raised(c.plain)
        #expect(plain.contains { $0.0 == c.rule && $0.1 == c.reason }, "plain form: \(plain)")
        #expect(!plain.contains { $0.0 == c.rule && $0.2 }, "the plain form is no evasion")
        for (label, request, flagged) in c.variants {
            let got = try Self.raised(request)
            let hit = got.first { $0.0 == c.rule && $0.1 == c.reason }
            #expect(hit != nil, "\(c) \(label): got \(got)")
            if flagged { #expect(hit?.2 == true, "\(c) \(label): evasion not reported") }
        }
    }
}
