import ReqwatchCore

/// Parses NCSA combined and common log lines (nginx and Apache defaults):
/// `host ident authuser [dd/Mon/yyyy:HH:MM:SS +zzzz] "METHOD target PROTO" status bytes "referer" "user-agent"`.
///
/// The line is copied once into the arena; fields are ranges into that copy. Quoted fields with escapes
/// (`\"`, `\\`, `\xHH`) are unescaped in place (the copy only shrinks). `-` fields are absent; bytes `-`
/// is -1. The request line follows `RequestLine` (garbage request lines are records with method `.none`).
///
/// Tolerated: a vhost prefix (`example.com:443 1.2.3.4 - - [...]`, Apache `vhost_combined`); a longer prefix
/// such as syslog's (`Sep 15 16:13:46 host nginx[1]: 1.2.3.4 - - [...]`: the last three tokens before the
/// date are used); a missing ident or authuser token; a missing bytes field; a common line (no referer or
/// user agent); trailing spaces and a stray `\r`; and trailing extras after the user agent
/// (`$request_time`, upstream times, Traefik fields), which are ignored, except that a third quoted field
/// made only of address characters is nginx's `"$http_x_forwarded_for"` (stock `main` format): it sets
/// `forwardedFor`, and the client address when the peer is a trusted proxy (see `Bytes.clientAddress`).
/// Blank lines and lines starting with `#` are `.skip`. Duration is not read from NCSA lines.
///
/// Malformed reasons: no `[` date → `.missingField`; client token not an address → `.badClientAddress`;
/// date → `.badTimestamp`; no quoted request → `.badRequestLine`; status not 3 digits → `.badStatus`;
/// bytes not digits or `-` → `.badBytes`.
public struct CombinedLogParser: LogParser {
    /// Trusted proxies: `X-Forwarded-For` (nginx `main` format) is believed only from these peers.
    public var options: ParseOptions

    /// A parser with `options`.
    public init(options: ParseOptions = ParseOptions()) {
        self.options = options
    }

    /// See `LogParser.parse`.
    public mutating func parse(_ line: Span<UInt8>, into record: inout RequestRecord, batch: inout RecordBatch)
        -> ParseOutcome
    {
        let n = line.count
        if n == 0 { return .skip }
        let base = batch.arena.count
        _ = batch.append(line)
        let end = base + n
        let trusted = options.trustedProxies
        let outcome = batch.arena.withUnsafeMutableBufferPointer { mb in
            CombinedLogParser.parseLine(mb, base, end, trusted: trusted, into: &record)
        }
        if outcome != .record { batch.arena.removeSubrange(base...) }
        return outcome
    }

    /// Parses the line at `mb[base..<end]` (already in the arena).
    static func parseLine(
        _ mb: UnsafeMutableBufferPointer<UInt8>, _ base: Int, _ end: Int, trusted: [CIDR] = [],
        into record: inout RequestRecord
    ) -> ParseOutcome {
        let b = UnsafeBufferPointer(mb)
        guard base >= 0, end <= b.count, base <= end else { return .malformed(.other) }
        var end = end
        while end > base, b[end - 1] == UInt8(ascii: "\r") || b[end - 1] == UInt8(ascii: " ") { end -= 1 }
        var i = base
        while i < end, b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "\t") || b[i] == UInt8(ascii: "\r") { i += 1 }
        if i == end { return .skip }
        if b[i] == UInt8(ascii: "#") { return .skip }
        // The date's `[`: the first one followed by `dd/` (a syslog tag such as `nginx[12]:` may come first).
        var lb = Bytes.find(UInt8(ascii: "["), b, i, end)
        while lb < end, !(lb + 3 < end && b[lb + 3] == UInt8(ascii: "/")) {
            lb = Bytes.find(UInt8(ascii: "["), b, lb + 1, end)
        }
        if lb == end { return .malformed(.missingField) }

        // Up to four tokens before the date: [vhost] ip [ident] [user].
        var ts = (0, 0, 0, 0)
        var te = (0, 0, 0, 0)
        var k = 0
        var j = i
        while j < lb {
            while j < lb, b[j] == UInt8(ascii: " ") { j += 1 }
            if j >= lb { break }
            let s = j
            while j < lb, b[j] != UInt8(ascii: " ") { j += 1 }
            switch k {
            case 0: ts.0 = s; te.0 = j
            case 1: ts.1 = s; te.1 = j
            case 2: ts.2 = s; te.2 = j
            case 3: ts.3 = s; te.3 = j
            default:
                // A longer prefix (syslog `Sep 15 16:13:46 host nginx[1]: ip - - [...]`): keep the last three.
                if k > 64 { return .malformed(.missingField) }
                ts = (ts.1, ts.2, ts.3, s)
                te = (te.1, te.2, te.3, j)
            }
            k += 1
        }
        if k > 4 {
            ts = (ts.1, ts.2, ts.3, 0)
            te = (te.1, te.2, te.3, 0)
            k = 3
        }
        var ipS = 0
        var ipE = 0
        var userS = -1
        var userE = -1
        switch k {
        case 4:
            record.host = ByteRange(start: ts.0, count: te.0 - ts.0)
            ipS = ts.1; ipE = te.1; userS = ts.3; userE = te.3
        case 3:
            ipS = ts.0; ipE = te.0; userS = ts.2; userE = te.2
        case 2:
            ipS = ts.0; ipE = te.0; userS = ts.1; userE = te.1
        case 1:
            ipS = ts.0; ipE = te.0
        default:
            return .malformed(.missingField)
        }
        guard let base0 = b.baseAddress,
            let ip = IPAddress(parsing: UnsafeBufferPointer(start: base0 + ipS, count: ipE - ipS))
                ?? Bytes.looseAddress(b, ipS, ipE)  // `[2001:db8::1]`, `1.2.3.4:5678`
        else { return .malformed(.badClientAddress) }
        record.peerIP = ip
        record.clientIP = ip
        if userS >= 0, !(userE - userS == 1 && b[userS] == UInt8(ascii: "-")) {
            record.user = ByteRange(start: userS, count: userE - userS)
        }

        // [date]
        let rb = Bytes.find(UInt8(ascii: "]"), b, lb + 1, end)
        guard rb < end, let time = Bytes.clfDate(b, lb + 1, rb) else { return .malformed(.badTimestamp) }
        record.time = time

        // "request"
        i = rb + 1
        while i < end, b[i] == UInt8(ascii: " ") { i += 1 }
        guard i < end, b[i] == UInt8(ascii: "\"") else { return .malformed(.badRequestLine) }
        guard let rq = closingQuote(b, i + 1, end, statusAfter: true) else { return .malformed(.badRequestLine) }
        let reqEnd = rq.escaped ? unescape(mb, i + 1, rq.close) : rq.close
        RequestLine.parse(b, i + 1, reqEnd, into: &record)

        // status
        i = rq.close + 1
        while i < end, b[i] == UInt8(ascii: " ") { i += 1 }
        guard i + 3 <= end, let status = Bytes.digits(b, i, 3), i + 3 == end || b[i + 3] == UInt8(ascii: " ") else {
            return .malformed(.badStatus)
        }
        record.status = UInt16(status)
        i += 3

        // bytes
        while i < end, b[i] == UInt8(ascii: " ") { i += 1 }
        if i == end { return .record }
        let bs = i
        while i < end, b[i] != UInt8(ascii: " ") { i += 1 }
        if i - bs == 1, b[bs] == UInt8(ascii: "-") {
            record.responseBytes = -1
        } else {
            guard i - bs <= 18 else { return .malformed(.badBytes) }
            var v: Int64 = 0
            for p in bs..<i {
                let d = b[p] &- 48
                if d > 9 { return .malformed(.badBytes) }
                v = v * 10 + Int64(d)
            }
            record.responseBytes = v
        }

        // "referer" "user-agent" (absent in common logs); anything after is ignored.
        while i < end, b[i] == UInt8(ascii: " ") { i += 1 }
        guard i < end, b[i] == UInt8(ascii: "\"") else { return .record }
        let ref = quotedField(mb, i, end)
        record.referer = ref.range
        i = ref.next
        while i < end, b[i] == UInt8(ascii: " ") { i += 1 }
        guard i < end, b[i] == UInt8(ascii: "\"") else { return .record }
        let ua = quotedField(mb, i, end)
        record.userAgent = ua.range

        // nginx's stock `main` format ends with "$http_x_forwarded_for": a quoted list of addresses.
        i = ua.next
        while i < end, b[i] == UInt8(ascii: " ") { i += 1 }
        guard i < end, b[i] == UInt8(ascii: "\"") else { return .record }
        let xff = quotedField(mb, i, end)
        guard xff.range.isPresent, xff.range.count > 0, looksLikeAddressList(b, Int(xff.range.start), xff.range.end)
        else { return .record }
        record.forwardedFor = xff.range
        if !trusted.isEmpty {
            record.clientIP = Bytes.clientAddress(
                peer: record.peerIP, forwardedFor: b, Int(xff.range.start), xff.range.end, trusted: trusted)
        }
        return .record
    }

    /// Whether `b[s..<e]` holds only address-list bytes (hex digits, `.`, `:`, `,`, space, brackets).
    static func looksLikeAddressList(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        guard s >= 0, e <= b.count, s < e else { return false }
        for k in s..<e {
            let c = b[k]
            let ok =
                (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                || (c | 0x20 >= UInt8(ascii: "a") && c | 0x20 <= UInt8(ascii: "f"))
                || c == UInt8(ascii: ".") || c == UInt8(ascii: ":") || c == UInt8(ascii: ",") || c == UInt8(ascii: " ")
                || c == UInt8(ascii: "[") || c == UInt8(ascii: "]")
            if !ok { return false }
        }
        return true
    }

    /// The quoted field opening at `mb[open]`: its (unescaped) range, absent for `-`, and the index after it.
    /// An unterminated field runs to the end of the line.
    @inline(__always)
    static func quotedField(_ mb: UnsafeMutableBufferPointer<UInt8>, _ open: Int, _ end: Int) -> (
        range: ByteRange, next: Int
    ) {
        let b = UnsafeBufferPointer(mb)
        let s = open + 1
        let close: Int
        var fieldEnd: Int
        if let q = closingQuote(b, s, end, statusAfter: false) {
            close = q.close
            fieldEnd = q.escaped ? unescape(mb, s, q.close) : q.close
        } else {
            close = end - 1
            fieldEnd = end
        }
        if fieldEnd - s == 1, b[s] == UInt8(ascii: "-") { return (.absent, close + 1) }
        if fieldEnd < s { fieldEnd = s }
        return (ByteRange(start: s, count: fieldEnd - s), close + 1)
    }

    /// The closing `"` of a field starting at `from`: one not escaped by an odd run of backslashes and
    /// followed by a space or the end (and, for the request, by ` ddd`). `escaped`: a backslash occurs.
    static func closingQuote(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ end: Int, statusAfter: Bool) -> (
        close: Int, escaped: Bool
    )? {
        var j = from
        var escaped = false
        var fallback = -1  // first plain closing quote, when none is followed by a status
        while j < end {
            let q = Bytes.find(UInt8(ascii: "\""), b, j, end)
            if q >= end { break }
            var bs = 0
            var p = q
            while p > from, b[p - 1] == UInt8(ascii: "\\") {
                bs += 1
                p -= 1
            }
            if bs > 0 { escaped = true }
            j = q + 1
            if bs & 1 == 1 { continue }
            if statusAfter {
                // `" ddd` then space or end; otherwise an unescaped quote inside the request.
                var s = q + 1
                guard s < end, b[s] == UInt8(ascii: " ") else { continue }
                if fallback < 0 { fallback = q }
                while s < end, b[s] == UInt8(ascii: " ") { s += 1 }
                guard s + 3 <= end, Bytes.digits(b, s, 3) != nil, s + 3 == end || b[s + 3] == UInt8(ascii: " ") else {
                    continue
                }
            } else if q + 1 < end, b[q + 1] != UInt8(ascii: " ") {
                continue
            }
            if !escaped, Bytes.find(UInt8(ascii: "\\"), b, from, q) < q { escaped = true }
            return (q, escaped)
        }
        if fallback >= 0 {
            let esc = Bytes.find(UInt8(ascii: "\\"), b, from, fallback) < fallback
            return (fallback, esc)
        }
        return nil
    }

    /// Unescapes `\"`, `\\` and `\xHH` in `mb[from..<to]` in place; returns the new end. Other
    /// backslashes are kept as they are.
    static func unescape(_ mb: UnsafeMutableBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        guard from >= 0, to <= mb.count, from < to else { return to }
        var r = from
        var w = from
        while r < to {
            let c = mb[r]
            if c == UInt8(ascii: "\\"), r + 1 < to {
                let n = mb[r + 1]
                if n == UInt8(ascii: "\"") || n == UInt8(ascii: "\\") {
                    mb[w] = n
                    w += 1
                    r += 2
                    continue
                }
                if n == UInt8(ascii: "x"), r + 3 < to, let h = HexDigit.value(mb[r + 2]), let l = HexDigit.value(mb[r + 3]) {
                    mb[w] = h << 4 | l
                    w += 1
                    r += 4
                    continue
                }
            }
            mb[w] = c
            w += 1
            r += 1
        }
        return w
    }
}
