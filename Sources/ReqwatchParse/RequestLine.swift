import ReqwatchCore

/// Splits an HTTP request line (`GET /a?b HTTP/1.1`) held in the arena into record fields.
///
/// Contract (shared by the NCSA and JSON parsers), on `b[from..<to]` where indices are arena offsets:
/// - empty or `-`: method `.none`, path absent (nginx logs `"-"` for a connection without a request).
/// - a first token that is not a method token (TLS handshake bytes, `Gh0st…`): method `.none`, path
///   absent. The line is still a record: the server answered it (usually 400); scanners send these.
/// - `METHOD target [PROTO]`: PROTO is the last space-separated token when it starts with `HTTP/`;
///   the target is everything between (it may contain spaces: best effort).
/// - absolute-URI targets (`http://h/x`) set `host` (if not set yet) and the path `/x` (`/` when none).
/// - `CONNECT host:port` sets `host` and leaves the path absent. `*` is a path.
/// - path and query are split at the first `?`; the query is absent without `?`, empty for a bare `?`.
package enum RequestLine {
    /// Fills method, methodText, protocol, path, query and (absolute URI, CONNECT) host from `b[from..<to]`.
    package static func parse(
        _ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, into record: inout RequestRecord
    ) {
        guard from >= 0, to <= b.count, from < to else { return }
        if to - from == 1, b[from] == UInt8(ascii: "-") { return }
        let sp = Bytes.find(UInt8(ascii: " "), b, from, to)
        let method = Bytes.method(b, from, sp)
        record.method = method
        if method == .none {
            // Not an HTTP request line (a TLS handshake or another protocol sent to an HTTP port): keep at most
            // 256 bytes of it in `methodText` with method `.none`, so detectors can tell it from an absent one (`-`).
            record.methodText = ByteRange(start: from, count: min(to - from, 256))
            return
        }
        record.methodText = ByteRange(start: from, count: sp - from)
        var s = sp
        while s < to, b[s] == UInt8(ascii: " ") { s += 1 }
        if s >= to { return }
        var e = to
        while e > s, b[e - 1] == UInt8(ascii: " ") { e -= 1 }
        // Protocol: the last token, when it starts with HTTP/.
        var last = e
        while last > s, b[last - 1] != UInt8(ascii: " ") { last -= 1 }
        if last > s, e - last >= 5, b[last] == UInt8(ascii: "H"), b[last + 1] == UInt8(ascii: "T"),
            b[last + 2] == UInt8(ascii: "T"), b[last + 3] == UInt8(ascii: "P"), b[last + 4] == UInt8(ascii: "/")
        {
            record.protocolVersion = ByteRange(start: last, count: e - last)
            e = last
            while e > s, b[e - 1] == UInt8(ascii: " ") { e -= 1 }
        }
        if e <= s { return }
        target(b, s, e, method: method, into: &record)
    }

    /// Fills path, query and host from a request target in `b[s..<e]` (see `parse`).
    package static func target(
        _ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, method: HTTPMethod, into record: inout RequestRecord
    ) {
        guard s >= 0, e <= b.count, s < e else { return }
        if method == .connect {
            if !record.host.isPresent { record.host = ByteRange(start: s, count: e - s) }
            return
        }
        var pathStart = s
        if b[s] != UInt8(ascii: "/"), e - s >= 8 {
            // scheme://authority — http or https, any case.
            var k = s
            while k < e, k - s < 6, b[k] | 0x20 >= UInt8(ascii: "a"), b[k] | 0x20 <= UInt8(ascii: "z") { k += 1 }
            if k + 3 <= e, k > s, b[k] == UInt8(ascii: ":"), b[k + 1] == UInt8(ascii: "/"),
                b[k + 2] == UInt8(ascii: "/")
            {
                let hostStart = k + 3
                var hostEnd = hostStart
                while hostEnd < e, b[hostEnd] != UInt8(ascii: "/"), b[hostEnd] != UInt8(ascii: "?") { hostEnd += 1 }
                if !record.host.isPresent, hostEnd > hostStart {
                    record.host = ByteRange(start: hostStart, count: hostEnd - hostStart)
                }
                if hostEnd == e || b[hostEnd] == UInt8(ascii: "?") {
                    // No path: use the second '/' of "://" as the path "/".
                    record.path = ByteRange(start: k + 2, count: 1)
                    if hostEnd < e { record.query = ByteRange(start: hostEnd + 1, count: e - hostEnd - 1) }
                    return
                }
                pathStart = hostEnd
            }
        }
        let q = Bytes.find(UInt8(ascii: "?"), b, pathStart, e)
        record.path = ByteRange(start: pathStart, count: q - pathStart)
        if q < e { record.query = ByteRange(start: q + 1, count: e - q - 1) }
    }
}
