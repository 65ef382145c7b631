import ReqwatchCore

/// Output log formats the generator writes.
///
/// - `combined`: NCSA combined as nginx writes it (`$remote_user` carries the API user; `"`, `\` and control or
///   non-ASCII bytes in quoted fields escaped as `\xHH`, like nginx).
/// - `common`: NCSA common (no referer, no user agent).
/// - `json`: nginx `escape=json` JSON Lines with keys `time`, `remote_addr`, `user`, `request_method`,
///   `request_uri`, `server_protocol`, `status`, `body_bytes_sent`, `request_time`, `http_referer`,
///   `http_user_agent`, `host`.
/// - `caddy`: Caddy's access log (`ts` float seconds, nested `request` with `headers`, `user_id`, `status`, `size`).
/// - `combined-rt`: combined with a trailing `$request_time` in seconds.
/// - `ecs`: an ECS-shaped access log (`@timestamp`, `source.ip`, `user.name`, `http.*`, `url.*`, `user_agent.original`).
public enum LogFormat: String, Sendable, CaseIterable {
    case combined, common, json, caddy, ecs
    /// Combined plus a trailing `$request_time` (a common nginx `log_format`), for parser tolerance.
    case combinedRequestTime = "combined-rt"

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Appends one formatted line (with its trailing `\n`) to `out`.
    public func append(_ r: GeneratedRequest, host: String = "api.example.com", to out: inout [UInt8]) {
        switch self {
        case .combined, .common, .combinedRequestTime:
            out.append(contentsOf: r.ip.utf8)
            out.append(contentsOf: " - ".utf8)
            Self.appendNCSAUser(r.user, to: &out)
            out.append(contentsOf: " [".utf8)
            Self.appendCLFDate(r.time, to: &out)
            out.append(contentsOf: "] \"".utf8)
            Self.appendNginxEscaped(r.method, to: &out)
            out.append(0x20)
            Self.appendNginxEscaped(r.target, to: &out)
            out.append(contentsOf: " HTTP/1.1\" ".utf8)
            out.append(contentsOf: String(r.status).utf8)
            out.append(0x20)
            out.append(contentsOf: String(r.bytes).utf8)
            if self != .common {
                out.append(contentsOf: " \"".utf8)
                Self.appendNginxEscaped(r.referer ?? "-", to: &out)
                out.append(contentsOf: "\" \"".utf8)
                Self.appendNginxEscaped(r.userAgent ?? "-", to: &out)
                out.append(0x22)
            }
            if self == .combinedRequestTime {
                out.append(0x20)
                Self.appendSeconds(r.duration, to: &out)
            }
        case .json:
            out.append(contentsOf: "{\"time\":\"".utf8)
            Self.appendISO(r.time, millis: false, to: &out)
            out.append(contentsOf: "\",\"remote_addr\":".utf8)
            JSONWriter.writeString(r.ip, into: &out)
            out.append(contentsOf: ",\"user\":".utf8)
            JSONWriter.writeString(r.user ?? "", into: &out)
            out.append(contentsOf: ",\"request_method\":".utf8)
            JSONWriter.writeString(r.method, into: &out)
            out.append(contentsOf: ",\"request_uri\":".utf8)
            JSONWriter.writeString(r.target, into: &out)
            out.append(contentsOf: ",\"server_protocol\":\"HTTP/1.1\",\"status\":".utf8)
            out.append(contentsOf: String(r.status).utf8)
            out.append(contentsOf: ",\"body_bytes_sent\":".utf8)
            out.append(contentsOf: String(r.bytes).utf8)
            out.append(contentsOf: ",\"request_time\":".utf8)
            Self.appendSeconds(r.duration, to: &out)
            out.append(contentsOf: ",\"http_referer\":".utf8)
            JSONWriter.writeString(r.referer ?? "", into: &out)
            out.append(contentsOf: ",\"http_user_agent\":".utf8)
            JSONWriter.writeString(r.userAgent ?? "", into: &out)
            out.append(contentsOf: ",\"host\":".utf8)
            JSONWriter.writeString(host, into: &out)
            out.append(0x7D)
        case .caddy:
            out.append(contentsOf: "{\"level\":\"info\",\"ts\":".utf8)
            Self.appendSeconds(Double(r.time) / 1_000_000, digits: 6, to: &out)
            out.append(
                contentsOf:
                    ",\"logger\":\"http.log.access.log0\",\"msg\":\"handled request\",\"request\":{\"remote_ip\":".utf8)
            JSONWriter.writeString(r.ip, into: &out)
            out.append(contentsOf: ",\"remote_port\":\"".utf8)
            out.append(contentsOf: String(20_000 + Int(UInt64(bitPattern: r.time / 1000) % 40_000)).utf8)
            out.append(contentsOf: "\",\"client_ip\":".utf8)
            JSONWriter.writeString(r.ip, into: &out)
            out.append(contentsOf: ",\"proto\":\"HTTP/2.0\",\"method\":".utf8)
            JSONWriter.writeString(r.method, into: &out)
            out.append(contentsOf: ",\"host\":".utf8)
            JSONWriter.writeString(host, into: &out)
            out.append(contentsOf: ",\"uri\":".utf8)
            JSONWriter.writeString(r.target, into: &out)
            out.append(contentsOf: ",\"headers\":{".utf8)
            var first = true
            if let ua = r.userAgent {
                out.append(contentsOf: "\"User-Agent\":[".utf8)
                JSONWriter.writeString(ua, into: &out)
                out.append(0x5D)
                first = false
            }
            if let ref = r.referer {
                if !first { out.append(0x2C) }
                out.append(contentsOf: "\"Referer\":[".utf8)
                JSONWriter.writeString(ref, into: &out)
                out.append(0x5D)
                first = false
            }
            if !first { out.append(0x2C) }
            out.append(contentsOf: "\"Accept\":[\"*/*\"]".utf8)
            out.append(contentsOf: "}},\"bytes_read\":0,\"user_id\":".utf8)
            JSONWriter.writeString(r.user ?? "", into: &out)
            out.append(contentsOf: ",\"duration\":".utf8)
            Self.appendSeconds(r.duration, to: &out)
            out.append(contentsOf: ",\"size\":".utf8)
            out.append(contentsOf: String(r.bytes).utf8)
            out.append(contentsOf: ",\"status\":".utf8)
            out.append(contentsOf: String(r.status).utf8)
            out.append(contentsOf: ",\"resp_headers\":{\"Server\":[\"Caddy\"]}}".utf8)
        case .ecs:
            let (path, query) = Self.splitTarget(r.target)
            out.append(contentsOf: "{\"@timestamp\":\"".utf8)
            Self.appendISO(r.time, millis: true, to: &out)
            out.append(contentsOf: "\",\"event\":{\"kind\":\"event\",\"category\":[\"web\"],\"duration\":".utf8)
            out.append(contentsOf: String(Int(r.duration * 1_000_000_000)).utf8)
            out.append(contentsOf: "},\"source\":{\"ip\":".utf8)
            JSONWriter.writeString(r.ip, into: &out)
            out.append(0x7D)
            if let u = r.user {
                out.append(contentsOf: ",\"user\":{\"name\":".utf8)
                JSONWriter.writeString(u, into: &out)
                out.append(0x7D)
            }
            out.append(contentsOf: ",\"http\":{\"version\":\"1.1\",\"request\":{\"method\":".utf8)
            JSONWriter.writeString(r.method, into: &out)
            if let ref = r.referer {
                out.append(contentsOf: ",\"referrer\":".utf8)
                JSONWriter.writeString(ref, into: &out)
            }
            out.append(contentsOf: "},\"response\":{\"status_code\":".utf8)
            out.append(contentsOf: String(r.status).utf8)
            out.append(contentsOf: ",\"body\":{\"bytes\":".utf8)
            out.append(contentsOf: String(r.bytes).utf8)
            out.append(contentsOf: "}}},\"url\":{\"domain\":".utf8)
            JSONWriter.writeString(host, into: &out)
            out.append(contentsOf: ",\"path\":".utf8)
            JSONWriter.writeString(path, into: &out)
            if let q = query {
                out.append(contentsOf: ",\"query\":".utf8)
                JSONWriter.writeString(q, into: &out)
            }
            out.append(0x7D)
            if let ua = r.userAgent {
                out.append(contentsOf: ",\"user_agent\":{\"original\":".utf8)
                JSONWriter.writeString(ua, into: &out)
                out.append(0x7D)
            }
            out.append(0x7D)
        }
        out.append(0x0A)
    }

    static func splitTarget(_ t: String) -> (String, String?) {
        guard let q = t.firstIndex(of: "?") else { return (t, nil) }
        return (String(t[..<q]), String(t[t.index(after: q)...]))
    }

    static func appendNCSAUser(_ user: String?, to out: inout [UInt8]) {
        guard let u = user, !u.isEmpty else {
            out.append(0x2D)
            return
        }
        for b in u.utf8 { out.append(b == 0x20 || b < 0x21 || b == 0x7F ? 0x5F : b) }
    }

    /// nginx's default escaping of logged variables: `"`, `\`, bytes < 0x20 and >= 0x7F become `\xHH`.
    static func appendNginxEscaped(_ s: String, to out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        for b in s.utf8 {
            if b == 0x22 || b == 0x5C || b < 0x20 || b >= 0x7F {
                out.append(0x5C)
                out.append(0x78)
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            } else {
                out.append(b)
            }
        }
    }

    static func appendPadded(_ v: Int, _ width: Int, to out: inout [UInt8]) {
        let s = String(v)
        if s.utf8.count < width { out.append(contentsOf: repeatElement(0x30, count: width - s.utf8.count)) }
        out.append(contentsOf: s.utf8)
    }

    /// `01/May/2024:00:00:01 +0000`.
    static func appendCLFDate(_ micros: Int64, to out: inout [UInt8]) {
        let c = Timestamp(microseconds: micros).civil
        appendPadded(c.day, 2, to: &out)
        out.append(0x2F)
        out.append(contentsOf: months[c.month - 1].utf8)
        out.append(0x2F)
        appendPadded(c.year, 4, to: &out)
        out.append(0x3A)
        appendPadded(c.hour, 2, to: &out)
        out.append(0x3A)
        appendPadded(c.minute, 2, to: &out)
        out.append(0x3A)
        appendPadded(c.second, 2, to: &out)
        out.append(contentsOf: " +0000".utf8)
    }

    /// `2024-05-01T00:00:01+00:00` (nginx `$time_iso8601`) or `2024-05-01T00:00:01.123Z` with `millis`.
    static func appendISO(_ micros: Int64, millis: Bool, to out: inout [UInt8]) {
        let c = Timestamp(microseconds: micros).civil
        appendPadded(c.year, 4, to: &out)
        out.append(0x2D)
        appendPadded(c.month, 2, to: &out)
        out.append(0x2D)
        appendPadded(c.day, 2, to: &out)
        out.append(0x54)
        appendPadded(c.hour, 2, to: &out)
        out.append(0x3A)
        appendPadded(c.minute, 2, to: &out)
        out.append(0x3A)
        appendPadded(c.second, 2, to: &out)
        if millis {
            out.append(0x2E)
            appendPadded(c.microsecond / 1000, 3, to: &out)
            out.append(0x5A)
        } else {
            out.append(contentsOf: "+00:00".utf8)
        }
    }

    /// Fixed-point seconds, e.g. `0.012` (3 digits) without Foundation formatting.
    static func appendSeconds(_ v: Double, digits: Int = 3, to out: inout [UInt8]) {
        var scale = 1
        for _ in 0..<digits { scale *= 10 }
        let total = Int64((max(0, v) * Double(scale)).rounded())
        out.append(contentsOf: String(total / Int64(scale)).utf8)
        out.append(0x2E)
        appendPadded(Int(total % Int64(scale)), digits, to: &out)
    }
}

/// Formats an ISO 8601 UTC time with second precision (`2024-05-01T03:00:00Z`), for labels.
public func isoSeconds(_ micros: Int64) -> String {
    let c = Timestamp(microseconds: micros).civil
    var out: [UInt8] = []
    LogFormat.appendPadded(c.year, 4, to: &out)
    out.append(0x2D)
    LogFormat.appendPadded(c.month, 2, to: &out)
    out.append(0x2D)
    LogFormat.appendPadded(c.day, 2, to: &out)
    out.append(0x54)
    LogFormat.appendPadded(c.hour, 2, to: &out)
    out.append(0x3A)
    LogFormat.appendPadded(c.minute, 2, to: &out)
    out.append(0x3A)
    LogFormat.appendPadded(c.second, 2, to: &out)
    out.append(0x5A)
    return String(decoding: out, as: UTF8.self)
}
