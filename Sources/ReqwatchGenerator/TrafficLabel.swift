import ReqwatchCore

/// One labeled attack or trap instance, written as one JSON line of the labels file.
///
/// Schema: `{"id","rule","variant","trap","kind"?,"key"?,"client":{"ip"?,"user"?,"ips"?},"route"?,"method"?,
/// "start","end","requests","note"?}`. `key` says what an alert will be keyed by when that is not the client
/// (`"route"` for credential stuffing and ghost endpoints, `"user"` for one user spread over many IPs, `"method"`
/// for CORS preflights, `"ip"` for a NAT address). `start`, `end` and `requests` are measured from the lines
/// actually written, so a truncated run never labels requests that are not in the log.
public struct TrafficLabel: Sendable, Equatable {
    public var id: String
    public var rule: String
    public var variant: String
    public var trap: Bool
    public var key: String?
    public var ip: String?
    public var ips: [String]
    public var user: String?
    public var route: String?
    public var method: String?
    public var note: String?
    /// First and last written request, UTC microseconds (`Int64.max` / `Int64.min` until one is written).
    public var start: Int64 = .max
    public var end: Int64 = .min
    public var requests: Int = 0

    /// Creates a label with no requests counted yet.
    public init(
        id: String, rule: String, variant: String, trap: Bool, key: String? = nil, ip: String? = nil,
        ips: [String] = [], user: String? = nil, route: String? = nil, method: String? = nil, note: String? = nil
    ) {
        self.id = id
        self.rule = rule
        self.variant = variant
        self.trap = trap
        self.key = key
        self.ip = ip
        self.ips = ips
        self.user = user
        self.route = route
        self.method = method
        self.note = note
    }

    /// Counts one written request of this instance.
    public mutating func record(_ time: Int64) {
        requests += 1
        if time < start { start = time }
        if time > end { end = time }
    }

    /// The label as one compact JSON object (no trailing newline).
    public func jsonLine() -> String {
        var fields: [(String, JSONValue)] = [
            ("id", .string(id)), ("rule", .string(rule)), ("variant", .string(variant)), ("trap", .bool(trap)),
        ]
        if trap { fields.append(("kind", .string(variant))) }
        if let key { fields.append(("key", .string(key))) }
        var client: [(String, JSONValue)] = []
        if let ip { client.append(("ip", .string(ip))) }
        if let user { client.append(("user", .string(user))) }
        if !ips.isEmpty { client.append(("ips", .array(ips.map { .string($0) }))) }
        fields.append(("client", .object(client)))
        if let route { fields.append(("route", .string(route))) }
        if let method { fields.append(("method", .string(method))) }
        fields.append(("start", .string(requests > 0 ? isoSeconds(start) : "")))
        fields.append(("end", .string(requests > 0 ? isoSeconds(end) : "")))
        fields.append(("requests", .int(requests)))
        if let note { fields.append(("note", .string(note))) }
        return JSONValue.object(fields).encoded()
    }
}
