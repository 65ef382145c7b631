/// Parsing and formatting of IP addresses and CIDR networks, on bytes (no Foundation).
extension IPAddress {
    /// Parses an IPv4 dotted quad (`1.2.3.4`) or an IPv6 address (`2001:db8::1`, `::ffff:1.2.3.4`).
    ///
    /// Strict: no brackets, no port, no zone (`fe80::1%eth0` is rejected), no surrounding spaces.
    /// IPv4 octets are decimal 0–255 with 1–3 digits. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) gives the
    /// IPv4 value, since IPv4 is stored mapped. Returns nil for anything else; never traps on any bytes.
    public init?(parsing bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        if n < 2 || n > 45 { return nil }
        if n <= 15, let v4 = IPAddress.parseIPv4(bytes, 0, n) {
            self.init(ipv4: v4)
            return
        }
        guard let v6 = IPAddress.parseIPv6(bytes) else { return nil }
        self = v6
    }

    /// Parses the address text of a `String` (same rules as `init?(parsing:)`).
    public init?(_ string: String) {
        var s = string
        guard let v = s.withUTF8({ IPAddress(parsing: $0) }) else { return nil }
        self = v
    }

    /// Dotted quad in `bytes[from..<to]`, or nil.
    @usableFromInline static func parseIPv4(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> UInt32? {
        var i = from
        var result: UInt32 = 0
        var parts = 0
        while parts < 4 {
            var value: UInt32 = 0
            var digits = 0
            while i < to, digits < 4 {
                let c = b[i] &- 48
                if c > 9 { break }
                value = value * 10 + UInt32(c)
                digits += 1
                i += 1
            }
            if digits == 0 || digits > 3 || value > 255 { return nil }
            result = result << 8 | value
            parts += 1
            if parts < 4 {
                guard i < to, b[i] == UInt8(ascii: ".") else { return nil }
                i += 1
            }
        }
        return i == to ? result : nil
    }

    private static func hexValue(_ c: UInt8) -> UInt16? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt16(c - 48)
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt16(c - 87)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt16(c - 55)
        default: nil
        }
    }

    private static func parseIPv6(_ b: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        let n = b.count
        var groups: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var gap = -1  // index in groups where "::" was
        var i = 0
        func set(_ idx: Int, _ v: UInt16) {
            switch idx {
            case 0: groups.0 = v
            case 1: groups.1 = v
            case 2: groups.2 = v
            case 3: groups.3 = v
            case 4: groups.4 = v
            case 5: groups.5 = v
            case 6: groups.6 = v
            default: groups.7 = v
            }
        }
        if n >= 2, b[0] == UInt8(ascii: ":") {
            guard b[1] == UInt8(ascii: ":") else { return nil }
            gap = 0
            i = 2
            if i == n {
                return .unspecified
            }
        }
        while i < n {
            if count >= 8 { return nil }
            // IPv4 tail?
            var j = i
            var value: UInt16 = 0
            var digits = 0
            while j < n, let h = hexValue(b[j]) {
                if digits == 4 { return nil }
                value = value << 4 | h
                digits += 1
                j += 1
            }
            if j < n, b[j] == UInt8(ascii: ".") {
                guard count <= 6, let v4 = parseIPv4(b, i, n) else { return nil }
                set(count, UInt16(v4 >> 16))
                set(count + 1, UInt16(v4 & 0xFFFF))
                count += 2
                i = n
                break
            }
            if digits == 0 { return nil }
            set(count, value)
            count += 1
            i = j
            if i == n { break }
            guard b[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            if i < n, b[i] == UInt8(ascii: ":") {
                if gap >= 0 { return nil }
                gap = count
                i += 1
                if i == n { break }
            } else if i == n {
                return nil  // trailing single colon
            }
        }
        if gap >= 0 {
            if count >= 8 { return nil }
            // The groups before the gap stay at the front, those after it move to the end; in place, on the stack
            // (an array here was one allocation per IPv6 record).
            let g = groups
            let tail = count - gap
            withUnsafeBytes(of: g) { raw in
                let src = raw.bindMemory(to: UInt16.self)
                for k in gap..<8 { set(k, 0) }
                for k in 0..<tail { set(8 - tail + k, src[gap + k]) }
            }
            let hi = UInt64(groups.0) << 48 | UInt64(groups.1) << 32 | UInt64(groups.2) << 16 | UInt64(groups.3)
            let lo = UInt64(groups.4) << 48 | UInt64(groups.5) << 32 | UInt64(groups.6) << 16 | UInt64(groups.7)
            return IPAddress(high: hi, low: lo)
        }
        if count != 8 { return nil }
        let hi = UInt64(groups.0) << 48 | UInt64(groups.1) << 32 | UInt64(groups.2) << 16 | UInt64(groups.3)
        let lo = UInt64(groups.4) << 48 | UInt64(groups.5) << 32 | UInt64(groups.6) << 16 | UInt64(groups.7)
        return IPAddress(high: hi, low: lo)
    }

    /// Appends the canonical text to `out`: dotted quad for IPv4, RFC 5952 for IPv6 (lower case,
    /// no leading zeros, the longest run of two or more zero groups as `::`, the first on a tie).
    public func write(into out: inout [UInt8]) {
        if isIPv4 {
            let v = ipv4Value
            for k in 0..<4 {
                if k > 0 { out.append(UInt8(ascii: ".")) }
                let octet = Int((v >> UInt32(24 - 8 * k)) & 0xFF)
                if octet >= 100 { out.append(UInt8(48 + octet / 100)) }
                if octet >= 10 { out.append(UInt8(48 + (octet / 10) % 10)) }
                out.append(UInt8(48 + octet % 10))
            }
            return
        }
        var g = [UInt16](repeating: 0, count: 8)
        for k in 0..<4 {
            g[k] = UInt16(truncatingIfNeeded: high >> UInt64(48 - 16 * k))
            g[4 + k] = UInt16(truncatingIfNeeded: low >> UInt64(48 - 16 * k))
        }
        var bestStart = -1
        var bestLen = 0
        var k = 0
        while k < 8 {
            if g[k] == 0 {
                var e = k
                while e < 8, g[e] == 0 { e += 1 }
                if e - k > bestLen, e - k >= 2 {
                    bestStart = k
                    bestLen = e - k
                }
                k = e
            } else {
                k += 1
            }
        }
        let hex: StaticString = "0123456789abcdef"
        k = 0
        while k < 8 {
            if k == bestStart {
                out.append(UInt8(ascii: ":"))
                out.append(UInt8(ascii: ":"))
                k += bestLen
                continue
            }
            if k > 0, k != bestStart + bestLen || bestStart < 0 { out.append(UInt8(ascii: ":")) }
            let v = g[k]
            var started = false
            for shift in stride(from: 12, through: 0, by: -4) {
                let d = Int((v >> UInt16(shift)) & 0xF)
                if d != 0 || started || shift == 0 {
                    started = true
                    out.append(hex.utf8Start[d])
                }
            }
            k += 1
        }
    }
}

extension IPAddress: CustomStringConvertible {
    /// Canonical text: `1.2.3.4`, or RFC 5952 IPv6 (`2001:db8::1`).
    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(40)
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension CIDR {
    /// Parses `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128 network).
    ///
    /// The prefix is decimal, 0–32 for IPv4 and 0–128 for IPv6. Host bits set in the address are
    /// cleared (`10.1.2.3/8` is `10.0.0.0/8`). Leading and trailing spaces are ignored. Returns nil otherwise.
    public init?(_ string: String) {
        var text = Substring(string)
        while let f = text.first, f == " " { text.removeFirst() }
        while let l = text.last, l == " " { text.removeLast() }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let address = IPAddress(String(first)) else { return nil }
        let maxLength = address.isIPv4 ? 32 : 128
        var length = maxLength
        if parts.count == 2 {
            let p = parts[1]
            guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(p), v <= maxLength
            else { return nil }
            length = v
        }
        self.init(network: address, prefixLength: length)
    }
}

extension CIDR: CustomStringConvertible {
    /// `network/prefix`, for example `10.0.0.0/8`.
    public var description: String { "\(network)/\(prefixLength)" }
}
