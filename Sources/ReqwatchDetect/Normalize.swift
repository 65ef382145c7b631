import ReqwatchCore

/// Canonical forms of attacker-written bytes for matching only (never for output), so that control bytes, ANSI
/// escapes, odd case, padding and percent-encoding do not hide a scanner agent, a payload or a sensitive path.
///
/// Each function appends the canonical form to `out` (capped at `limit` bytes). Callers match the raw bytes first
/// and the canonical form only when that fails: a match found only in the canonical form is an evasion attempt.
enum Normalize {
    /// Longest canonical form produced.
    static let limit = 4096

    /// A user agent: ANSI escape sequences (ESC `[` … final byte, ESC `]` … BEL or ESC `\`, ESC + one byte) and
    /// other control bytes removed, `%XX` decoded once, ASCII lower-cased, whitespace runs collapsed, trimmed.
    static func agent(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var i = 0
        var lastSpace = true
        while i < b.count && out.count < limit {
            var c = b[i]
            if c == 0x1B {
                i = skipEscape(b, i)
                continue
            }
            if c == UInt8(ascii: "%"), i + 2 < b.count, let h = HexDigit.value(b[i + 1]), let l = HexDigit.value(b[i + 2]) {
                c = h << 4 | l
                i += 3
            } else {
                i += 1
            }
            if c == 0x20 || c == 0x09 {
                if !lastSpace { out.append(0x20) }
                lastSpace = true
                continue
            }
            if c < 0x20 || c == 0x7F { continue }
            out.append(ByteMatch.lower(c))
            lastSpace = false
        }
        if let last = out.last, last == 0x20 { out.removeLast() }
    }

    /// A URL path: `%XX` decoded twice, control bytes and escapes removed, `\` read as `/`, ASCII lower-cased,
    /// `//` runs collapsed, `/./` segments dropped, trailing spaces and dots of a segment dropped.
    static func path(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var once: [UInt8] = []
        once.reserveCapacity(min(b.count, limit))
        decodePercent(b, into: &once)
        var twice: [UInt8] = []
        twice.reserveCapacity(once.count)
        once.withUnsafeBufferPointer { decodePercent($0, into: &twice) }
        var i = 0
        while i < twice.count && out.count < limit {
            var c = twice[i]
            if c == 0x1B {
                i = twice.withUnsafeBufferPointer { skipEscape($0, i) }
                continue
            }
            i += 1
            if c < 0x20 || c == 0x7F { continue }
            if c == UInt8(ascii: "\\") { c = UInt8(ascii: "/") }
            c = ByteMatch.lower(c)
            if c == UInt8(ascii: "/") {
                // Trailing dots and spaces of the segment just ended (`/.env./`, `/.git /config`).
                while let last = out.last, last == UInt8(ascii: "."), out.count >= 2, out[out.count - 2] != UInt8(ascii: "/"),
                      out[out.count - 2] != UInt8(ascii: ".")
                {
                    out.removeLast()
                }
                while let last = out.last, last == 0x20 { out.removeLast() }
                if out.last == UInt8(ascii: "/") { continue }
                if out.count >= 2, out[out.count - 1] == UInt8(ascii: "."), out[out.count - 2] == UInt8(ascii: "/") {
                    out.removeLast()
                    continue
                }
            }
            out.append(c)
        }
        while let last = out.last, last == 0x20 || (last == UInt8(ascii: ".") && out.count >= 2 && out[out.count - 2] != UInt8(ascii: "/")
                                                    && out[out.count - 2] != UInt8(ascii: ".")) {
            out.removeLast()
        }
    }

    /// Index just past the escape sequence starting at `i` (an ESC).
    static func skipEscape(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        var i = start + 1
        guard i < b.count else { return i }
        switch b[i] {
        case UInt8(ascii: "["):  // CSI: parameters and intermediates, then one final byte 0x40…0x7E
            i += 1
            while i < b.count, b[i] >= 0x20 && b[i] <= 0x3F { i += 1 }
            return min(b.count, i + 1)
        case UInt8(ascii: "]"):  // OSC: until BEL or ESC \
            i += 1
            while i < b.count {
                if b[i] == 0x07 { return i + 1 }
                if b[i] == 0x1B { return min(b.count, i + 2) }
                i += 1
            }
            return i
        default:
            return i + 1
        }
    }

    private static func decodePercent(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var i = 0
        while i < b.count && out.count < limit {
            let c = b[i]
            if c == UInt8(ascii: "%"), i + 2 < b.count, let h = HexDigit.value(b[i + 1]), let l = HexDigit.value(b[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(c)
                i += 1
            }
        }
    }
}
