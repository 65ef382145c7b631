import ReqwatchCore

#if canImport(Glibc)
import Glibc
#endif

/// Byte-level helpers shared by the parsers. Every function takes a buffer and explicit bounds and
/// checks every index against them: inputs are hostile.
package enum Bytes {
    /// Index of the first `byte` in `b[from..<to]`, or `to`.
    @inline(__always)
    package static func find(_ byte: UInt8, _ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        guard from < to, let base = b.baseAddress, to <= b.count, from >= 0 else { return to }
        #if canImport(Glibc)
        guard let hit = memchr(base + from, Int32(byte), to - from) else { return to }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        #else
        var i = from
        while i < to, b[i] != byte { i += 1 }
        return i
        #endif
    }

    /// Whether `b[from..<to]` is exactly the ASCII `text`.
    @inline(__always)
    package static func equals(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, _ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard to - from == n, from >= 0, to <= b.count else { return false }
        let p = text.utf8Start
        for k in 0..<n where b[from + k] != p[k] { return false }
        return true
    }

    /// Decodes a method token. Returns `.other` for any other token of letters, digits, `-` or `_`,
    /// and `.none` when the bytes are not a method token at all (binary garbage, lower case start).
    package static func method(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> HTTPMethod {
        let n = to - from
        guard n > 0, n <= 32, from >= 0, to <= b.count else { return .none }
        switch n {
        case 3:
            if equals(b, from, to, "GET") { return .get }
            if equals(b, from, to, "PUT") { return .put }
        case 4:
            if equals(b, from, to, "POST") { return .post }
            if equals(b, from, to, "HEAD") { return .head }
        case 5:
            if equals(b, from, to, "PATCH") { return .patch }
            if equals(b, from, to, "TRACE") { return .trace }
        case 6:
            if equals(b, from, to, "DELETE") { return .delete }
        case 7:
            if equals(b, from, to, "OPTIONS") { return .options }
            if equals(b, from, to, "CONNECT") { return .connect }
        case 8:
            if equals(b, from, to, "PROPFIND") { return .propfind }
        default: break
        }
        // A token: starts with an upper-case letter, then letters, digits, '-', '_'.
        let first = b[from]
        guard first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") else { return .none }
        for k in from..<to {
            let c = b[k]
            let ok =
                (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-")
                || c == UInt8(ascii: "_")
            if !ok { return .none }
        }
        return .other
    }

    /// Parses exactly `count` decimal digits at `b[from...]`, or nil.
    @inline(__always)
    package static func digits(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ count: Int) -> Int? {
        guard from >= 0, from + count <= b.count else { return nil }
        var v = 0
        for k in 0..<count {
            let d = b[from + k] &- 48
            if d > 9 { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    /// Month number (1–12) of an English three-letter abbreviation (`Jan`…`Dec`, case-insensitive), or nil.
    @inline(__always)
    package static func month(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int? {
        let key = UInt32(a | 0x20) << 16 | UInt32(b | 0x20) << 8 | UInt32(c | 0x20)
        switch key {
        case 0x6A_616E: return 1  // jan
        case 0x66_6562: return 2  // feb
        case 0x6D_6172: return 3  // mar
        case 0x61_7072: return 4  // apr
        case 0x6D_6179: return 5  // may
        case 0x6A_756E: return 6  // jun
        case 0x6A_756C: return 7  // jul
        case 0x61_7567: return 8  // aug
        case 0x73_6570: return 9  // sep
        case 0x6F_6374: return 10  // oct
        case 0x6E_6F76: return 11  // nov
        case 0x64_6563: return 12  // dec
        default: return nil
        }
    }

    /// Days in `month` of `year` (proleptic Gregorian).
    package static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Whether calendar fields are in range (seconds up to 60 for a leap second).
    @inline(__always)
    package static func validCivil(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Bool {
        y >= 1 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(month: mo, year: y) && h <= 23 && mi <= 59
            && s <= 60
    }

    /// Parses a CLF date `dd/Mon/yyyy:HH:MM:SS[.ffffff] ±hhmm` in `b[from..<to]` (no brackets).
    /// Also accepts a missing zone (UTC) and `Z`. Returns nil when anything is off.
    package static func clfDate(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Timestamp? {
        guard from >= 0, to <= b.count, to - from >= 20 else { return nil }
        guard let day = digits(b, from, 2), b[from + 2] == UInt8(ascii: "/"),
            let mon = month(b[from + 3], b[from + 4], b[from + 5]), b[from + 6] == UInt8(ascii: "/"),
            let year = digits(b, from + 7, 4), b[from + 11] == UInt8(ascii: ":"), let hour = digits(b, from + 12, 2),
            b[from + 14] == UInt8(ascii: ":"), let minute = digits(b, from + 15, 2), b[from + 17] == UInt8(ascii: ":"),
            let second = digits(b, from + 18, 2)
        else { return nil }
        guard validCivil(year, mon, day, hour, minute, second) else { return nil }
        var i = from + 20
        guard let micros = fraction(b, &i, to) else { return nil }
        var offset = 0
        if i < to {
            guard b[i] == UInt8(ascii: " ") else { return nil }
            i += 1
            guard let (off, end) = zone(b, i, to), end == to else { return nil }
            offset = off
        }
        return Timestamp.from(
            year: year, month: mon, day: day, hour: hour, minute: minute, second: second, microsecond: micros,
            offsetSeconds: offset)
    }

    /// An optional `.ffffff` / `,ffffff` fraction at `b[i...]` in microseconds (digits beyond six truncated),
    /// advancing `i`; 0 when there is none, nil when the separator has no digits after it.
    package static func fraction(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ to: Int) -> Int? {
        guard i < to, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") else { return 0 }
        i += 1
        var micros = 0
        var scale = 100_000
        let start = i
        while i < to, b[i] &- 48 <= 9 {
            micros += Int(b[i] &- 48) * scale
            scale /= 10
            i += 1
        }
        return i == start ? nil : micros
    }

    /// A zone `Z`, `±hhmm`, `±hh:mm` or `±hh` at `b[from...]`: (offset seconds, end index), or nil.
    package static func zone(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> (Int, Int)? {
        guard from < to, from >= 0, to <= b.count else { return nil }
        let c = b[from]
        if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") { return (0, from + 1) }
        guard c == UInt8(ascii: "+") || c == UInt8(ascii: "-"), from + 3 <= to, let hh = digits(b, from + 1, 2) else {
            return nil
        }
        var i = from + 3
        var mm = 0
        if i < to, b[i] == UInt8(ascii: ":") { i += 1 }
        if i + 2 <= to, let m = digits(b, i, 2) {
            mm = m
            i += 2
        }
        guard hh <= 23, mm <= 59 else { return nil }
        let off = hh * 3600 + mm * 60
        return (c == UInt8(ascii: "-") ? -off : off, i)
    }

    /// Parses RFC 3339 / ISO 8601 `yyyy-mm-dd[T ]hh:mm:ss[.frac][Z|±hh:mm|±hhmm]` in `b[from..<to]`.
    /// A missing zone means UTC. Fractions beyond microseconds are truncated.
    package static func isoDate(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Timestamp? {
        guard from >= 0, to <= b.count, to - from >= 19 else { return nil }
        guard let year = digits(b, from, 4), b[from + 4] == UInt8(ascii: "-"), let mon = digits(b, from + 5, 2),
            b[from + 7] == UInt8(ascii: "-"), let day = digits(b, from + 8, 2),
            b[from + 10] == UInt8(ascii: "T") || b[from + 10] == UInt8(ascii: " ") || b[from + 10] == UInt8(ascii: "t"),
            let hour = digits(b, from + 11, 2), b[from + 13] == UInt8(ascii: ":"), let minute = digits(b, from + 14, 2),
            b[from + 16] == UInt8(ascii: ":"), let second = digits(b, from + 17, 2)
        else { return nil }
        guard validCivil(year, mon, day, hour, minute, second) else { return nil }
        var i = from + 19
        guard let micros = fraction(b, &i, to) else { return nil }
        var offset = 0
        if i < to {
            guard let (off, end) = zone(b, i, to), end == to else { return nil }
            offset = off
        }
        return Timestamp.from(
            year: year, month: mon, day: day, hour: hour, minute: minute, second: second, microsecond: micros,
            offsetSeconds: offset)
    }

    /// A decimal number (`-12`, `1646861401.5234`, `2.5e-7`) in `b[from..<to]` times 10^`scale`, truncated
    /// toward zero, or nil when it is not a number or does not fit in `Int64`.
    package static func scaledDecimal(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, scale: Int) -> Int64? {
        guard from >= 0, to <= b.count, from < to else { return nil }
        var i = from
        var negative = false
        if b[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        } else if b[i] == UInt8(ascii: "+") {
            i += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var sawDigit = false
        while i < to, b[i] &- 48 <= 9 {
            sawDigit = true
            if significant < 18 {
                mantissa = mantissa * 10 + UInt64(b[i] &- 48)
                if mantissa != 0 { significant += 1 }
            } else {
                exponent += 1
            }
            i += 1
        }
        if i < to, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < to, b[i] &- 48 <= 9 {
                sawDigit = true
                if significant < 18 {
                    mantissa = mantissa * 10 + UInt64(b[i] &- 48)
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                }
                i += 1
            }
        }
        guard sawDigit else { return nil }
        if i < to, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < to, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
                expNegative = b[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            let start = i
            while i < to, b[i] &- 48 <= 9 {
                if e < 10_000 { e = e * 10 + Int(b[i] &- 48) }
                i += 1
            }
            if i == start { return nil }
            exponent += expNegative ? -e : e
        }
        guard i == to else { return nil }
        var total = exponent + scale
        var value = mantissa
        if mantissa == 0 { return 0 }
        while total > 0 {
            let (m, o) = value.multipliedReportingOverflow(by: 10)
            if o { return nil }
            value = m
            total -= 1
        }
        while total < 0 {
            value /= 10
            total += 1
            if value == 0 { break }
        }
        guard value <= UInt64(Int64.max) else { return nil }
        return negative ? -Int64(value) : Int64(value)
    }

    /// A Go-style duration string (`350ns`, `2.7µs`, `1.5ms`, `0.25s`, `1m2.5s`, `1h`) in microseconds,
    /// truncated; nil when it is not one.
    package static func goDuration(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int64? {
        guard from >= 0, to <= b.count, from < to else { return nil }
        var i = from
        var total: Int64 = 0
        var segments = 0
        while i < to {
            let numStart = i
            while i < to, b[i] &- 48 <= 9 || b[i] == UInt8(ascii: ".") { i += 1 }
            guard i > numStart, i < to, segments < 8 else { return nil }
            let unitStart = i
            while i < to, !(b[i] &- 48 <= 9) { i += 1 }
            let scale: Int
            var multiplier: Int64 = 1
            if equals(b, unitStart, i, "ns") {
                scale = -3
            } else if equals(b, unitStart, i, "us") || equals(b, unitStart, i, "µs") {
                scale = 0
            } else if equals(b, unitStart, i, "ms") {
                scale = 3
            } else if equals(b, unitStart, i, "s") {
                scale = 6
            } else if equals(b, unitStart, i, "m") {
                scale = 6
                multiplier = 60
            } else if equals(b, unitStart, i, "h") {
                scale = 6
                multiplier = 3600
            } else {
                return nil
            }
            guard let v = scaledDecimal(b, numStart, unitStart, scale: scale) else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: multiplier)
            let (t, o2) = total.addingReportingOverflow(m)
            if o1 || o2 { return nil }
            total = t
            segments += 1
        }
        return segments > 0 ? total : nil
    }

    /// An epoch time: seconds, milliseconds (> 1e11), microseconds (> 1e14) or nanoseconds (> 1e17),
    /// integer or fractional, chosen by magnitude.
    package static func epoch(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Timestamp? {
        guard let whole = scaledDecimal(b, from, to, scale: 0) else { return nil }
        let mag = whole.magnitude
        let scale: Int
        if mag >= 100_000_000_000_000_000 {
            scale = -3
        } else if mag >= 100_000_000_000_000 {
            scale = 0
        } else if mag >= 100_000_000_000 {
            scale = 3
        } else {
            scale = 6
        }
        guard let us = scaledDecimal(b, from, to, scale: scale) else { return nil }
        return Timestamp(microseconds: us)
    }

    /// Any supported time text: RFC 3339, CLF (with or without brackets), or an epoch number.
    package static func timeText(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Timestamp? {
        var from = from
        var to = to
        guard from >= 0, to <= b.count, from < to else { return nil }
        if b[from] == UInt8(ascii: "["), b[to - 1] == UInt8(ascii: "]") {
            from += 1
            to -= 1
        }
        guard to - from >= 1 else { return nil }
        if to - from >= 19, b[from + 4] == UInt8(ascii: "-") { return isoDate(b, from, to) }
        if to - from >= 20, b[from + 2] == UInt8(ascii: "/") { return clfDate(b, from, to) }
        return epoch(b, from, to)
    }

    /// The client address for a peer and an `X-Forwarded-For` value in `b[from..<to]`.
    ///
    /// XFF is used only when `peer` is inside `trusted`: walking from the right, the first address that
    /// is not a trusted proxy is the client; if every address is trusted, the left-most one; an entry that
    /// is not an address stops the walk at the last address verified. Entries may carry a port
    /// (`1.2.3.4:5678`, `[2001:db8::1]:443`).
    package static func clientAddress(
        peer: IPAddress, forwardedFor b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, trusted: [CIDR]
    ) -> IPAddress {
        guard !trusted.isEmpty, from < to, isTrusted(peer, trusted) else { return peer }
        var client = peer
        var end = to
        var walked = 0
        while end > from, walked < 64 {
            walked += 1
            var start = end
            while start > from, b[start - 1] != UInt8(ascii: ",") { start -= 1 }
            guard let ip = looseAddress(b, start, end) else { break }
            client = ip
            if !isTrusted(ip, trusted) { break }
            end = start - 1
        }
        return client
    }

    /// Whether `ip` is inside one of the `trusted` networks.
    @inline(__always)
    package static func isTrusted(_ ip: IPAddress, _ trusted: [CIDR]) -> Bool {
        for c in trusted where c.contains(ip) { return true }
        return false
    }

    /// An address with optional surrounding spaces, brackets and port; nil otherwise.
    package static func looseAddress(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> IPAddress? {
        var s = from
        var e = to
        guard s >= 0, e <= b.count else { return nil }
        while s < e, b[s] == UInt8(ascii: " ") || b[s] == UInt8(ascii: "\t") { s += 1 }
        while e > s, b[e - 1] == UInt8(ascii: " ") || b[e - 1] == UInt8(ascii: "\t") { e -= 1 }
        guard s < e else { return nil }
        if b[s] == UInt8(ascii: "[") {
            let close = find(UInt8(ascii: "]"), b, s, e)
            guard close < e else { return nil }
            s += 1
            e = close
        } else {
            // a.b.c.d:port — exactly one colon and a dot before it.
            var colon = -1
            var colons = 0
            var dot = false
            for k in s..<e {
                if b[k] == UInt8(ascii: ":") {
                    colons += 1
                    colon = k
                } else if b[k] == UInt8(ascii: "."), colons == 0 {
                    dot = true
                }
            }
            if colons == 1, dot { e = colon }
        }
        guard s < e, let base = b.baseAddress else { return nil }
        return IPAddress(parsing: UnsafeBufferPointer(start: base + s, count: e - s))
    }
}
