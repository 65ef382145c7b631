import ReqwatchCore
import Testing

/// Issue 14: IPv6 text with `::` is parsed without a heap array; the groups land where RFC 4291 puts them.
@Suite struct IPv6ParsingTests {
    static let cases: [(String, UInt64, UInt64)] = [
        ("2001:db8::1", 0x2001_0DB8_0000_0000, 1),
        ("::1", 0, 1),
        ("2001:db8::", 0x2001_0DB8_0000_0000, 0),
        ("fe80::1:2:3:4", 0xFE80_0000_0000_0000, 0x0001_0002_0003_0004),
        ("1:2:3:4:5:6::8", 0x0001_0002_0003_0004, 0x0005_0006_0000_0008),
        ("1::7:8", 0x0001_0000_0000_0000, 0x0000_0000_0007_0008),
        ("::ffff:192.0.2.1", 0, 0x0000_FFFF_C000_0201),
        ("1:2:3:4:5:6:7:8", 0x0001_0002_0003_0004, 0x0005_0006_0007_0008),
    ]

    @Test(arguments: cases)
    func parses(_ c: (String, UInt64, UInt64)) throws {
        let ip = try #require(IPAddress(c.0))
        #expect(ip.high == c.1 && ip.low == c.2, "\(c.0)")
        #expect(IPAddress(ip.description) == ip)
    }

    @Test(arguments: ["1::2::3", "1:2:3:4:5:6:7:8::", ":1", "1:2:3:4:5:6:7:8:9", "12345::"])
    func rejects(_ text: String) {
        #expect(IPAddress(text) == nil)
    }
}
