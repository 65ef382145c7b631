import ReqwatchCore

/// The family of a user agent: what a baseline remembers so that a client unlike anything seen before stands out
/// ("unfamiliar user agents"), without every browser version or phone model being new.
///
/// Browsers (`Mozilla/5.0 …`) are named by their engine token, checked most specific first: `edge`, `opera`,
/// `samsungbrowser`, `firefox`, `chrome`, `safari`, `ie`, else `mozilla`; a crawler by its `…bot`/`…crawler`/`…spider`
/// product (`googlebot`); anything else by its first product name, lower-cased, without version
/// (`okhttp/4.12.0` → `okhttp`, `ShopApp/5112 CFNetwork/…` → `shopapp`, `python-requests/2.31` → `python-requests`).
/// An empty or absent agent has no family. At most 32 bytes.
public enum AgentFamily {
    static let browsers: [([UInt8], String)] = [
        ("edg/", "edge"), ("edge/", "edge"), ("opr/", "opera"), ("opera", "opera"), ("samsungbrowser", "samsungbrowser"),
        ("firefox/", "firefox"), ("fxios", "firefox"), ("crios", "chrome"), ("chrome/", "chrome"), ("chromium", "chrome"),
        ("safari/", "safari"), ("msie", "ie"), ("trident/", "ie"),
    ].map { (Array($0.0.utf8), $0.1) }
    static let botWords: [[UInt8]] = DetectLists.bytes(["bot", "crawler", "spider", "slurp"])

    /// The family name of `ua` (nil for an empty agent).
    public static func name(_ ua: UnsafeBufferPointer<UInt8>) -> String? {
        if ua.isEmpty { return nil }
        // A crawler: the product token holding the bot word.
        for w in botWords {
            if let at = find(ua, w) {
                var s = at, e = at
                while s > 0 && isToken(ua[s - 1]) { s -= 1 }
                while e < ua.count && isToken(ua[e]) { e += 1 }
                return lowered(ua, s, min(e, s + 32))
            }
        }
        if ua.count >= 8 && ByteMatch.equals(UnsafeBufferPointer(rebasing: ua[0..<8]), Array("mozilla/".utf8)) {
            for (token, family) in browsers where find(ua, token) != nil { return family }
            return "mozilla"
        }
        var e = 0
        while e < ua.count && e < 32 && ua[e] != UInt8(ascii: "/") && ua[e] != UInt8(ascii: " ") && ua[e] != UInt8(ascii: ";")
            && ua[e] != UInt8(ascii: "(")
        {
            e += 1
        }
        return e == 0 ? nil : lowered(ua, 0, e)
    }

    public static func name(_ ua: String) -> String? {
        var s = ua
        return s.withUTF8 { name($0) }
    }

    @inline(__always) static func isToken(_ c: UInt8) -> Bool {
        c > 0x20 && c != UInt8(ascii: "/") && c != UInt8(ascii: ";") && c != UInt8(ascii: "(") && c != UInt8(ascii: ")")
            && c != UInt8(ascii: ",") && c < 0x7F
    }

    static func lowered(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> String {
        String(decoding: b[s..<e].map { c -> UInt8 in
            let l = ByteMatch.lower(c)
            return l < 0x20 || l >= 0x7F ? UInt8(ascii: "?") : l
        }, as: UTF8.self)
    }

    static func find(_ hay: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Int? {
        let m = needle.count, n = hay.count
        if m == 0 || m > n { return nil }
        var i = 0
        while i <= n - m {
            if ByteMatch.lower(hay[i]) == needle[0] {
                var k = 1
                while k < m && ByteMatch.lower(hay[i + k]) == needle[k] { k += 1 }
                if k == m { return i }
            }
            i += 1
        }
        return nil
    }
}
