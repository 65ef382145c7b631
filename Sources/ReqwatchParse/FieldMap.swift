import ReqwatchCore

/// Which JSON key holds each request field, for JSON Lines logs.
///
/// Values are key paths into the JSON object, dotted for nesting (`request.remote_ip`,
/// `request.headers.User-Agent`). A value may list alternatives separated by `|` (`time_iso8601|msec`):
/// the first one present in a line (and not `null`) wins. Key names are matched byte for byte against the
/// raw key text, so a key written with JSON escapes in the log does not match. With duplicate keys in one
/// object, the last occurrence wins. At most 64 paths in total.
public struct FieldMap: Sendable, Equatable {
    /// The fields a map can name. Raw values are the names used in `--field-map` and the config file.
    public enum Key: String, Sendable, CaseIterable {
        /// Event time: RFC 3339, CLF date, or epoch seconds/millis/micros/nanos (number or string).
        case time
        /// The direct peer address (`remote_addr`).
        case ip
        /// The client address as the server itself resolved it (Caddy `client_ip`, ECS `client.ip`);
        /// when present, valid and different from `ip` it is the client; otherwise the trusted-proxy rule
        /// applies to `ip` and `forwarded_for`.
        case clientIP = "client_ip"
        /// The request method (`GET`); case-sensitive, as in HTTP.
        case method
        /// The path, possibly with `?query` (split at the first `?`).
        case path
        /// The query string; when present it replaces the query split from `path`.
        case query
        /// A full request line `GET /x HTTP/1.1`, used for the fields the map does not name otherwise.
        case request
        /// HTTP status code, a number or a string of digits.
        case status
        /// Response body bytes, a number or a string of digits; `-` is unknown.
        case bytes
        /// The user agent; an array of strings (Caddy headers) is joined with `, `.
        case userAgent = "user_agent"
        /// The authenticated user; `""` and `-` are absent.
        case user
        /// The referer; `""` and `-` are absent.
        case referer
        /// Request duration, in `durationUnit`.
        case duration
        /// The `Host` header or virtual host.
        case host
        /// The `X-Forwarded-For` value (string or array); used only behind trusted proxies.
        case forwardedFor = "forwarded_for"
        /// `HTTP/1.1`, or a bare version `1.1` (stored as `HTTP/1.1`).
        case protocolVersion = "protocol"
        /// An object of header name → string or array of strings.
        case headers
        /// The request body: an object/array (kept as raw JSON text) or a string (unescaped).
        case body
    }

    /// Unit of the `duration` field.
    public enum DurationUnit: String, Sendable, CaseIterable {
        /// Seconds, milliseconds, microseconds, nanoseconds.
        case s, ms, us, ns

        /// Power of ten that turns a value in this unit into microseconds.
        var microsecondScale: Int {
            switch self {
            case .s: 6
            case .ms: 3
            case .us: 0
            case .ns: -3
            }
        }
    }

    /// `nginx-json`, `caddy`, `traefik`, `ecs`, `generic` or `custom`: for summaries.
    public var name: String
    /// Candidate key paths per field, in priority order, each split into components.
    public private(set) var paths: [Key: [[String]]]
    /// Unit of numeric `duration` values (`s` unless the map says otherwise; ECS and Traefik use `ns`).
    public var durationUnit: DurationUnit

    /// A map from explicit paths (already split). Internal: presets and `init(_:)` use it.
    init(name: String, paths: [Key: [String]], durationUnit: DurationUnit) {
        self.name = name
        self.durationUnit = durationUnit
        var p: [Key: [[String]]] = [:]
        for (k, v) in paths {
            p[k] = v.map { $0.split(separator: ".", omittingEmptySubsequences: false).map(String.init) }
        }
        self.paths = p
    }

    /// Builds a map from `key → path` pairs (`--field-map time=ts,ip=request.remote_ip` after splitting).
    ///
    /// Keys are the `Key` raw values plus `duration_unit` (`s`, `ms`, `us`, `ns`; default `s`). Reports
    /// every problem at once (unknown key, empty path or path component, bad unit, more than 64 paths).
    /// - Throws: `ReqwatchError` with code `.config`; its message lists all problems, one per line.
    public init(_ pairs: [String: String]) throws(ReqwatchError) {
        let (map, problems) = FieldMap.parse(pairs)
        guard let map else {
            throw ReqwatchError(.config, "field map: " + problems.joined(separator: "; "))
        }
        self = map
    }

    /// Builds a map like `init(_:)` but returns the problems instead of throwing: (map or nil, problems).
    public static func parse(_ pairs: [String: String]) -> (FieldMap?, [String]) {
        var problems: [String] = []
        var paths: [Key: [String]] = [:]
        var unit = DurationUnit.s
        var total = 0
        for (key, value) in pairs.sorted(by: { $0.key < $1.key }) {
            if key == "duration_unit" {
                if let u = DurationUnit(rawValue: value) {
                    unit = u
                } else {
                    problems.append("duration_unit: expected one of s, ms, us, ns")
                }
                continue
            }
            guard let k = Key(rawValue: key) else {
                let known = Key.allCases.map(\.rawValue).joined(separator: ", ")
                problems.append("unknown field '\(key)' (known: \(known), duration_unit)")
                continue
            }
            let alternatives = value.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            var ok = true
            for alt in alternatives {
                if alt.isEmpty || alt.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty)
                {
                    problems.append("\(key): empty key path or path component")
                    ok = false
                    break
                }
            }
            if ok {
                paths[k] = alternatives
                total += alternatives.count
            }
        }
        if total > JSONLinesParser.maxEntries {
            problems.append("too many key paths (\(total); at most \(JSONLinesParser.maxEntries))")
        }
        if paths.isEmpty && problems.isEmpty { problems.append("no fields given") }
        if !problems.isEmpty { return (nil, problems) }
        return (FieldMap(name: "custom", paths: paths, durationUnit: unit), [])
    }

    /// Parses a `--field-map` value: comma-separated `key=path` pairs (`time=ts,ip=request.remote_ip`), spaces
    /// around items ignored. Reports every problem at once: items without `=`, repeated keys, and everything
    /// `parse(_:)` reports. Returns (map or nil, problems).
    public static func parse(spec: String) -> (FieldMap?, [String]) {
        var pairs: [String: String] = [:]
        var problems: [String] = []
        for item in spec.split(separator: ",", omittingEmptySubsequences: true) {
            let trimmed = item.trimmingSpaces()
            if trimmed.isEmpty { continue }
            let kv = trimmed.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2 else {
                problems.append("'\(trimmed)': expected key=path")
                continue
            }
            let key = String(kv[0].trimmingSpaces())
            if pairs[key] != nil { problems.append("\(key): given more than once") }
            pairs[key] = String(kv[1].trimmingSpaces())
        }
        let (map, more) = parse(pairs)
        problems += more
        return problems.isEmpty ? (map, []) : (nil, problems)
    }

    /// nginx `log_format ... escape=json` with the usual variable names as keys.
    public static let nginxJSON = FieldMap(
        name: "nginx-json",
        paths: [
            .time: ["time_iso8601", "time_local", "msec", "time", "timestamp"],
            .ip: ["remote_addr"],
            .method: ["request_method"],
            .path: ["request_uri", "uri"],
            .query: ["args", "query_string"],
            .request: ["request"],
            .status: ["status"],
            .bytes: ["body_bytes_sent", "bytes_sent"],
            .userAgent: ["http_user_agent"],
            .referer: ["http_referer"],
            .user: ["remote_user"],
            .duration: ["request_time"],
            .forwardedFor: ["http_x_forwarded_for"],
            .host: ["host", "http_host", "server_name"],
            .protocolVersion: ["server_protocol"],
            .body: ["request_body"],
        ], durationUnit: .s)

    /// Caddy's `http.log.access` JSON log (`ts` epoch float seconds, `request.*`, headers as string arrays).
    public static let caddy = FieldMap(
        name: "caddy",
        paths: [
            .time: ["ts"],
            .ip: ["request.remote_ip"],
            .clientIP: ["request.client_ip"],
            .method: ["request.method"],
            .path: ["request.uri"],
            .protocolVersion: ["request.proto"],
            .host: ["request.host"],
            .headers: ["request.headers"],
            .userAgent: ["request.headers.User-Agent"],
            .referer: ["request.headers.Referer"],
            .forwardedFor: ["request.headers.X-Forwarded-For"],
            .status: ["status"],
            .bytes: ["size"],
            .duration: ["duration"],
            .user: ["user_id"],
        ], durationUnit: .s)

    /// The reqwatch store record (ECS field names; `event.duration` in nanoseconds).
    public static let ecs = FieldMap(
        name: "ecs",
        paths: [
            .time: ["@timestamp"],
            .ip: ["source.ip"],
            .clientIP: ["client.ip"],
            .user: ["user.name"],
            .protocolVersion: ["http.version"],
            .method: ["http.request.method"],
            .referer: ["http.request.referrer"],
            .headers: ["http.request.headers"],
            .body: ["http.request.body.content"],
            .status: ["http.response.status_code"],
            .bytes: ["http.response.body.bytes"],
            .path: ["url.path"],
            .query: ["url.query"],
            .host: ["url.domain"],
            .userAgent: ["user_agent.original"],
            .duration: ["event.duration"],
            .forwardedFor: ["http.request.headers.X-Forwarded-For"],
        ], durationUnit: .ns)

    /// Traefik's JSON access log (`StartUTC`, `ClientHost`, `Request*`, `Duration` in nanoseconds).
    public static let traefik = FieldMap(
        name: "traefik",
        paths: [
            .time: ["StartUTC", "time"],
            .ip: ["ClientHost"],
            .method: ["RequestMethod"],
            .path: ["RequestPath"],
            .protocolVersion: ["RequestProtocol"],
            .status: ["DownstreamStatus", "OriginStatus"],
            .bytes: ["DownstreamContentSize"],
            .user: ["ClientUsername"],
            .duration: ["Duration"],
            .host: ["RequestHost"],
            .userAgent: ["request_User-Agent"],
            .referer: ["request_Referer"],
            .forwardedFor: ["request_X-Forwarded-For"],
        ], durationUnit: .ns)

    /// Common top-level key names of application JSON logs (durations in seconds).
    /// At most `JSONLinesParser.maxEntries` (64) paths in all: one bit each in the parser's masks.
    public static let generic = FieldMap(
        name: "generic",
        paths: [
            .time: ["time", "timestamp", "@timestamp", "ts", "date", "datetime", "time_iso8601", "time_local"],
            .ip: ["remote_addr", "remote_ip", "client_ip", "ip", "src_ip", "clientip", "req.remoteAddress"],
            .method: ["method", "request_method", "verb", "req.method"],
            .path: ["path", "uri", "url", "request_uri", "req.url"],
            .query: ["query", "query_string", "args"],
            .request: ["request"],
            .status: ["status", "status_code", "statusCode", "response_code", "response", "res.statusCode"],
            .bytes: ["bytes", "size", "body_bytes_sent", "bytes_sent"],
            .userAgent: ["user_agent", "userAgent", "http_user_agent", "agent"],
            .user: ["user", "username", "remote_user", "user_id"],
            .referer: ["referer", "referrer", "http_referer"],
            .duration: ["duration", "request_time", "latency"],
            .host: ["host", "http_host"],
            .forwardedFor: ["x_forwarded_for", "http_x_forwarded_for", "forwarded_for"],
            .protocolVersion: ["protocol", "server_protocol", "proto"],
            .headers: ["headers", "request_headers"],
            .body: ["body", "request_body"],
        ], durationUnit: .s)
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
