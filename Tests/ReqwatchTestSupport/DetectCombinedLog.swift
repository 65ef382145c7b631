import ReqwatchCore

/// A slow `String`-based reader of NCSA combined/common lines into `TestRequest`s (tests only; the real parser
/// lives in ReqwatchParse). Lines it cannot read are skipped.
public enum DetectCombinedLog {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Parses one line: `ip - user [dd/Mon/yyyy:hh:mm:ss +zzzz] "METHOD target proto" status bytes "ref" "ua"`.
    public static func parse(_ line: Substring) -> TestRequest? {
        let c = Array(line.utf8)
        guard let sp = c.firstIndex(of: 0x20), let lb = c.firstIndex(of: UInt8(ascii: "[")),
              let rb = c.firstIndex(of: UInt8(ascii: "]")), rb > lb else { return nil }
        let ip = String(decoding: c[0..<sp], as: UTF8.self)
        let pre = String(decoding: c[sp..<lb], as: UTF8.self).split(separator: " ")
        let user = pre.count >= 2 && pre[1] != "-" ? String(pre[1]) : nil
        let ts = String(decoding: c[(lb + 1)..<rb], as: UTF8.self)
        // dd/Mon/yyyy:hh:mm:ss +zzzz
        let tp = ts.split(whereSeparator: { $0 == "/" || $0 == ":" || $0 == " " })
        guard tp.count >= 7, let d = Int(tp[0]), let mi = months.firstIndex(of: String(tp[1])), let y = Int(tp[2]),
              let h = Int(tp[3]), let m = Int(tp[4]), let s = Int(tp[5]) else { return nil }
        let z = String(tp[6])
        var off = 0
        if z.count == 5, let zz = Int(z.dropFirst()) { off = (zz / 100 * 3600 + zz % 100 * 60) * (z.hasPrefix("-") ? -1 : 1) }
        let t = Timestamp.from(year: y, month: mi + 1, day: d, hour: h, minute: m, second: s, offsetSeconds: off)
        let rest = String(decoding: c[(rb + 1)...], as: UTF8.self)
        let quoted = rest.split(separator: "\"", omittingEmptySubsequences: false)
        guard quoted.count >= 3 else { return nil }
        let req = quoted[1].split(separator: " ")
        let after = quoted[2].split(separator: " ")
        guard req.count >= 2, let status = after.first.flatMap({ UInt16($0) }) else { return nil }
        let method = HTTPMethod.allCases.first { $0.name == req[0] } ?? .other
        var path = String(req[1])
        var query: String? = nil
        if let q = path.firstIndex(of: "?") { query = String(path[path.index(after: q)...]); path = String(path[..<q]) }
        var ua: String? = nil
        if quoted.count >= 6 { ua = quoted[5] == "-" ? nil : String(quoted[5]) }
        return TestRequest(time: t.seconds, ip: ip, user: user, method: method, path: path, query: query, status: status,
                           userAgent: ua)
    }

    /// Every readable line of `text`.
    public static func parseAll(_ text: String) -> [TestRequest] {
        text.split(separator: "\n").compactMap { parse($0) }
    }
}
