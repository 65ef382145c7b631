import ReqwatchCore

/// Reads the LP DAAC OPeNDAP request log (`|&|`-separated) into requests, for `reqwatch-gen convert-opendap`.
///
/// Line shape: `2015-02-15 05:11AM|&|<client sha1>|&|<product>|&|<version>|&|…|&|…|&|<path?query>|&|<status>|&|<bytes>`.
/// The source has no zone (taken as UTC), minute resolution and a 12-hour clock (12AM is 00, 12PM is 12), no method
/// (GET), no user agent and no address: the client hash becomes a stable fake public-looking IPv4 address.
public enum OpendapConverter {
    /// The request of one line at second 0 of its minute, or nil when the line does not have the expected fields.
    public static func request(fromLine line: String, userAgent: String?) -> GeneratedRequest? {
        let f = line.split(separator: "|&|", omittingEmptySubsequences: false).map(String.init)
        guard f.count >= 9, let t = parseTime(f[0]), let status = Int(f[7]), !f[6].isEmpty else { return nil }
        return GeneratedRequest(
            time: t * 1_000_000, ip: fakeIPv4(f[1]), user: nil, method: "GET", target: f[6],
            status: status, bytes: Int(f[8]) ?? 0, referer: nil, userAgent: userAgent, duration: 0)
    }

    /// `2015-02-15 05:11AM` → UTC seconds, or nil.
    public static func parseTime(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        guard b.count >= 18 else { return nil }
        func num(_ from: Int, _ len: Int) -> Int? {
            var v = 0
            for i in from..<(from + len) {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), var h = num(11, 2), let mi = num(14, 2),
            (1...12).contains(mo), (1...31).contains(d), (1...12).contains(h), mi < 60,
            b[16] == UInt8(ascii: "A") || b[16] == UInt8(ascii: "P")
        else { return nil }
        if h == 12 { h = 0 }
        if b[16] == UInt8(ascii: "P") { h += 12 }
        return Timestamp.from(year: y, month: mo, day: d, hour: h, minute: mi, second: 0).seconds
    }

    /// A stable public-looking IPv4 address from a client hash (FNV-1a; first octet 11-126, never 10, 100 or 127).
    public static func fakeIPv4(_ hash: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in hash.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        var a = 11 + Int(h % 116)
        if a == 100 { a = 101 }
        return "\(a).\((h >> 8) & 0xff).\((h >> 16) & 0xff).\(1 + (h >> 24) % 254)"
    }
}
