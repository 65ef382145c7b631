import ReqwatchCore
import Testing

@Suite struct IPAddressTextTests {
    @Test(arguments: [
        ("1.2.3.4", "1.2.3.4"),
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("::ffff:1.2.3.4", "1.2.3.4"),
        ("::FFFF:10.0.0.1", "10.0.0.1"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("fe80::1:2", "fe80::1:2"),
        ("2001:db8::0:1", "2001:db8::1"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
        ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
    ])
    func canonical(input: String, expected: String) throws {
        let ip = try #require(IPAddress(input))
        #expect(ip.description == expected)
        #expect(IPAddress(expected) == ip)
    }

    @Test(arguments: [
        "", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4", "1..2.3", "1.2.3.-4", "1234.1.1.1",
        "fe80::1%eth0", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1", "1:", ":1", "[::1]",
        "1.2.3.4:80", "example.com", "::ffff:1.2.3", "1:2:3:4:5:6:7:1.2.3.4",
    ])
    func rejects(input: String) {
        #expect(IPAddress(input) == nil)
    }

    @Test func ipv4IsMapped() throws {
        let ip = try #require(IPAddress("10.1.2.3"))
        #expect(ip.isIPv4)
        #expect(ip.ipv4Value == 0x0A01_0203)
        #expect(IPAddress("::ffff:10.1.2.3") == ip)
    }

    @Test func cidr() throws {
        let ten = try #require(CIDR("10.0.0.0/8"))
        #expect(ten.prefixLength == 8)
        #expect(ten.contains(try #require(IPAddress("10.200.1.1"))))
        #expect(!ten.contains(try #require(IPAddress("11.0.0.1"))))
        #expect(!ten.contains(try #require(IPAddress("::1"))))
        let v6 = try #require(CIDR("2001:db8::/32"))
        #expect(v6.contains(try #require(IPAddress("2001:db8:ffff::1"))))
        #expect(!v6.contains(try #require(IPAddress("2001:db9::1"))))
        let bare = try #require(CIDR("192.168.1.7"))
        #expect(bare.prefixLength == 32)
        #expect(bare.description == "192.168.1.7/32")
        #expect(try #require(CIDR("::1")).prefixLength == 128)
        #expect(try #require(CIDR("10.1.2.3/8")).description == "10.0.0.0/8")
        #expect(CIDR("10.0.0.0/33") == nil)
        #expect(CIDR("10.0.0.0/") == nil)
        #expect(CIDR("10.0.0.0/x") == nil)
        #expect(CIDR("2001:db8::/129") == nil)
        #expect(CIDR("nonsense") == nil)
    }

    @Test func randomRoundTrip() throws {
        var state: UInt64 = 42
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        for _ in 0..<5000 {
            // Sprinkle zero groups so that :: compression is exercised.
            var hi = next()
            var lo = next()
            let zmask = next()
            for g in 0..<4 where zmask >> UInt64(g) & 1 == 1 { hi &= ~(0xFFFF << UInt64(16 * g)) }
            for g in 0..<4 where zmask >> UInt64(g + 4) & 1 == 1 { lo &= ~(0xFFFF << UInt64(16 * g)) }
            let ip = IPAddress(high: hi, low: lo)
            let text = ip.description
            #expect(IPAddress(text) == ip, "\(text)")
        }
    }
}
