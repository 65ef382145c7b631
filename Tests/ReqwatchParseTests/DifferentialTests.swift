import ReqwatchCore
import ReqwatchParse
import ReqwatchTestSupport
import Testing

/// Random realistic NCSA lines from a seed, and a slow String-based reference parser for them.
struct NCSAGenerator {
    var rng: SplitMix64
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let methods = ["GET", "GET", "GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "PROPFIND", "SEARCH"]
    static let words = ["api", "v1", "users", "42", "login", "img", "a b", "x.png", "wp-admin", "%2e%2e", "search", "é"]

    mutating func pick<T>(_ a: [T]) -> T { a[Int(rng.next() % UInt64(a.count))] }
    mutating func int(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }

    mutating func ip() -> String {
        if int(5) == 0 {
            let groups = (0..<8).map { _ in int(3) == 0 ? "0" : String(int(65536), radix: 16) }
            return groups.joined(separator: ":")
        }
        return (0..<4).map { _ in String(int(256)) }.joined(separator: ".")
    }

    /// Text with optional escaped quotes and backslashes (as written in the log).
    mutating func quotedText() -> String {
        var s = ""
        for _ in 0..<int(6) {
            switch int(8) {
            case 0: s += #"\""#
            case 1: s += #"\\"#
            case 2: s += " "
            case 3: s += "Mozilla/5.0 (X11; Linux)"
            default: s += pick(Self.words)
            }
        }
        return s
    }

    mutating func line() -> String {
        var parts: [String] = []
        if int(10) == 0 { parts.append("vhost\(int(9)).example:443") }
        parts.append(ip())
        parts.append("-")
        parts.append(int(4) == 0 ? "user\(int(100))" : "-")
        let zoneH = int(15)
        let zone = (int(2) == 0 ? "+" : "-") + String(format2(zoneH)) + pick(["00", "30", "45"])
        let date = "[\(format2(1 + int(28)))/\(pick(Self.months))/\(2000 + int(30)):\(format2(int(24))):\(format2(int(60))):\(format2(int(60))) \(zone)]"
        parts.append(date)
        var request: String
        switch int(20) {
        case 0: request = "-"
        case 1: request = #"\x16\x03\x01\x00"#
        default:
            var target = "/" + (0..<int(4)).map { _ in pick(Self.words) }.joined(separator: "/")
            if int(3) == 0 { target += "?q=" + pick(Self.words) + (int(2) == 0 ? #"&x=\"y\""# : "") }
            if int(15) == 0 { target = "http://host\(int(5)).example" + target }
            request = pick(Self.methods) + " " + target
            if int(10) != 0 { request += " " + pick(["HTTP/1.0", "HTTP/1.1", "HTTP/2.0"]) }
        }
        parts.append("\"" + request + "\"")
        parts.append(String(pick([200, 200, 200, 301, 304, 400, 401, 403, 404, 500, 503])))
        parts.append(int(8) == 0 ? "-" : String(int(1_000_000)))
        if int(6) != 0 {
            parts.append(int(3) == 0 ? #""-""# : "\"" + "https://ref.example/" + quotedText() + "\"")
            parts.append(int(5) == 0 ? #""-""# : "\"" + quotedText() + "\"")
            if int(4) == 0 { parts.append("0.\(int(999))") }
        }
        return parts.joined(separator: " ")
    }

    func format2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
}

/// The reference: String operations only, written for the generator's grammar.
enum ReferenceParser {
    /// `\"`, `\\` and `\xHH` decoded to bytes, as the parser does in place.
    static func decodedRequest(_ s: Substring) -> [UInt8] {
        let b = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        while i < b.count {
            if b[i] == UInt8(ascii: "\\"), i + 1 < b.count {
                let n = b[i + 1]
                if n == UInt8(ascii: "\"") || n == UInt8(ascii: "\\") {
                    out.append(n)
                    i += 2
                    continue
                }
                if n == UInt8(ascii: "x"), i + 3 < b.count, let h = hex(b[i + 2]), let l = hex(b[i + 3]) {
                    out.append(h << 4 | l)
                    i += 4
                    continue
                }
            }
            out.append(b[i])
            i += 1
        }
        return out
    }

    static func unescape(_ s: String) -> String {
        var out = ""
        var it = s.makeIterator()
        while let c = it.next() {
            if c == "\\" {
                if let n = it.next() {
                    if n == "\"" || n == "\\" { out.append(n) } else { out.append(c); out.append(n) }
                } else {
                    out.append(c)
                }
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// Splits `"…" rest` into the raw quoted content and the rest (after the closing quote).
    static func quoted(_ s: Substring) -> (String, Substring) {
        var content = ""
        var i = s.index(after: s.startIndex)
        while i < s.endIndex {
            let c = s[i]
            if c == "\\" {
                content.append(c)
                i = s.index(after: i)
                if i < s.endIndex { content.append(s[i]); i = s.index(after: i) }
                continue
            }
            if c == "\"" { return (content, s[s.index(after: i)...]) }
            content.append(c)
            i = s.index(after: i)
        }
        return (content, s[s.endIndex...])
    }

    static func parse(_ line: String) -> Parsed? {
        var p = Parsed()
        guard let lb = line.firstIndex(of: "[") else { return nil }
        let tokens = line[..<lb].split(separator: " ").map(String.init)
        let head = tokens.count == 4 ? Array(tokens.dropFirst()) : tokens
        if tokens.count == 4 { p.host = tokens[0] }
        guard head.count == 3, let ip = IPAddress(head[0]) else { return nil }
        p.client = ip.description
        p.peer = p.client
        p.user = head[2] == "-" ? nil : head[2]
        let afterLB = line[line.index(after: lb)...]
        guard let rb = afterLB.firstIndex(of: "]") else { return nil }
        let date = String(afterLB[..<rb])  // dd/Mon/yyyy:HH:MM:SS +zzzz
        let dp = date.split(whereSeparator: { $0 == "/" || $0 == ":" || $0 == " " }).map(String.init)
        guard dp.count == 7, let mon = NCSAGenerator.months.firstIndex(of: dp[1]) else { return nil }
        let z = dp[6]
        let sign = z.first == "-" ? -1 : 1
        let zh = Int(z.dropFirst().prefix(2))!
        let zm = Int(z.suffix(2))!
        p.time = Timestamp.from(
            year: Int(dp[2])!, month: mon + 1, day: Int(dp[0])!, hour: Int(dp[3])!, minute: Int(dp[4])!,
            second: Int(dp[5])!, offsetSeconds: sign * (zh * 3600 + zm * 60)
        ).microseconds
        var rest = afterLB[afterLB.index(after: rb)...].drop(while: { $0 == " " })
        let (rawRequest, r1) = quoted(rest)
        rest = r1.drop(while: { $0 == " " })
        // Request line (with \xHH kept only in the garbage case, which has no method).
        let request = unescape(rawRequest)
        if request != "-" && !request.isEmpty {
            // What the parser keeps of any request line in `methodText` (a non-HTTP one keeps it with method `.none`):
            // the first 256 bytes after `\"`, `\\` and `\xHH` are decoded.
            p.methodText = String(decoding: Self.decodedRequest(Substring(rawRequest)).prefix(256), as: UTF8.self)
        }
        if request != "-", let first = request.split(separator: " ").first,
            let m = HTTPMethod.allCases.first(where: { $0.name == first && $0 != .other && $0 != .none })
                ?? (first.allSatisfy({ $0.isUppercase && $0.isASCII }) ? .other : nil)
        {
            p.method = m
            p.methodText = String(first)
            var words = request.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            words.removeFirst()
            if let last = words.last, last.hasPrefix("HTTP/"), words.count > 1 {
                p.proto = last
                words.removeLast()
            }
            var target = words.joined(separator: " ")
            if target.hasPrefix("http://") {
                let afterScheme = target.dropFirst(7)
                let slash = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterScheme.endIndex
                p.host = p.host ?? String(afterScheme[..<slash])
                target = String(afterScheme[slash...])
                if target.isEmpty { target = "/" }
            }
            if !target.isEmpty {
                if let q = target.firstIndex(of: "?") {
                    p.path = String(target[..<q])
                    p.query = String(target[target.index(after: q)...])
                } else {
                    p.path = target
                }
            }
        }
        let fields = rest.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        p.status = Int(fields[0])!
        p.bytes = fields.count > 1 && fields[1] != "-" ? Int64(fields[1])! : -1
        if fields.count > 2 {
            let (ref, r2) = quoted(fields[2])
            p.referer = ref == "-" ? nil : unescape(ref)
            let after = r2.drop(while: { $0 == " " })
            if after.first == "\"" {
                let (ua, _) = quoted(after)
                p.userAgent = ua == "-" ? nil : unescape(ua)
            }
        }
        return p
    }
}

@Suite struct DifferentialTests {
    @Test func combinedMatchesReference() throws {
        var gen = NCSAGenerator(rng: SplitMix64(seed: 20_240_517))
        var parser = makeParser(.combined, options: ParseOptions())
        var mismatches = 0
        var coverage = (quotes: 0, noMethod: 0, ipv6: 0, absolute: 0, common: 0, other: 0)
        for _ in 0..<20_000 {
            let line = gen.line()
            let expected = try #require(ReferenceParser.parse(line), "reference failed: \(line)")
            if expected.userAgent?.contains("\"") == true { coverage.quotes += 1 }
            if expected.method == HTTPMethod.none { coverage.noMethod += 1 }
            if expected.client.contains(":") { coverage.ipv6 += 1 }
            if expected.host?.hasPrefix("host") == true { coverage.absolute += 1 }
            if expected.userAgent == nil && expected.referer == nil { coverage.common += 1 }
            if expected.method == .other { coverage.other += 1 }
            let (o, got) = parseOne(Array(line.utf8), parser: &parser)
            #expect(o == .record, "\(line)")
            if got != expected {
                mismatches += 1
                if mismatches <= 5 { Issue.record("mismatch for \(line)\n got \(String(describing: got))\nwant \(expected)") }
            }
        }
        #expect(mismatches == 0)
        // The generator exercises the edge cases (so this test can fail on them).
        #expect(coverage.quotes > 100)
        #expect(coverage.noMethod > 100)
        #expect(coverage.ipv6 > 100)
        #expect(coverage.absolute > 100)
        #expect(coverage.common > 100)
        #expect(coverage.other > 100)
    }
}
