import ReqwatchCore

/// One incident as the report shows it: the last alert line of its group, read defensively (absent → nil).
struct Incident: Sendable {
    /// `reqwatch.incident.id`, else `event.id`, else the line's position.
    var id: String
    /// The whole alert document of the group's last line.
    var document: JSONValue
    /// Alert lines seen for this incident.
    var lines: Int
    /// Order of first appearance (a stable tie-break).
    var order: Int

    var ruleID: String { document.at("rule.id")?.displayText ?? "unknown" }
    var ruleName: String? { document.at("rule.name")?.displayText }
    var severity: Int { Int(document.at("event.severity")?.intValue ?? 0) }
    var state: String? { document.at("reqwatch.incident.state")?.displayText }
    var start: String? { document.at("event.start")?.displayText ?? document.at("@timestamp")?.displayText }
    var end: String? { document.at("event.end")?.displayText }
    var message: String? { document.at("message")?.displayText }
    var sourceIP: String? { document.at("source.ip")?.displayText }
    var userID: String? { document.at("user.id")?.displayText ?? document.at("user.name")?.displayText }
    var route: String? { document.at("reqwatch.route")?.displayText ?? document.at("http.route")?.displayText }
    var path: String? { document.at("url.path")?.displayText }
    var method: String? { document.at("http.request.method")?.displayText }
    var userAgent: String? { document.at("user_agent.original")?.displayText }
    /// Requests counted as evidence: `reqwatch.count`, else the detector's own name for it (requests, calls,
    /// failures, distinct ids).
    var count: Int64? {
        document.at("reqwatch.count")?.intValue ?? document.at("reqwatch.requests")?.intValue
            ?? document.at("reqwatch.calls")?.intValue ?? document.at("reqwatch.failures")?.intValue
            ?? document.at("reqwatch.distinct_ids")?.intValue
    }
    /// `reqwatch.incident.count`: detector findings over the whole incident.
    var events: Int64? { document.at("reqwatch.incident.count")?.intValue }
    var addresses: [String] {
        guard case .array(let items)? = document.at("reqwatch.addresses") else { return [] }
        return items.compactMap { $0.displayText }
    }
    var techniqueIDs: [String] { strings(document.at("threat.technique.id")) }
    var techniqueNames: [String] { strings(document.at("threat.technique.name")) }
    var tacticNames: [String] { strings(document.at("threat.tactic.name")) }
    var samples: [JSONValue] {
        guard case .array(let items)? = document.at("reqwatch.samples") else { return [] }
        return items.filter { if case .object = $0 { return true } else { return false } }
    }
    /// `reqwatch.client` (a detector's subject, such as `ip:…` or `user:…`), when given.
    var client: String? { document.at("reqwatch.client")?.displayText }

    /// Event time of the start as microseconds, for the timeline (nil when absent or unreadable).
    var startMicros: Int64? { start.flatMap(parseISO8601) }

    /// Other `reqwatch.*` evidence fields with scalar values (reason, thresholds, …), for the detail view.
    var evidence: [(String, String)] {
        guard case .object(let fields)? = document["reqwatch"] else { return [] }
        let shown: Set<String> = ["samples", "sequence", "incident", "count", "addresses", "address_count", "client", "route"]
        return fields.compactMap { k, v in
            guard !shown.contains(k), let t = v.displayText else { return nil }
            return (k, t)
        }
    }

    private func strings(_ v: JSONValue?) -> [String] {
        switch v {
        case .array(let items)?: return items.compactMap { $0.displayText }
        case .string(let s)?: return [s]
        default: return []
        }
    }
}

/// Groups alert lines into incidents: by `reqwatch.incident.id` when present, else by `event.id`; the last line
/// of a group stands for it (it carries the whole picture). Bounded: past `capacity` incidents, new ones are
/// only counted per rule.
struct IncidentSet: Sendable {
    let capacity: Int
    private(set) var incidents: [Incident] = []
    private var index: [String: Int] = [:]
    /// Incidents per rule, including those past capacity.
    private(set) var perRule: [String: Int] = [:]
    private(set) var dropped = 0
    private(set) var alertLines = 0
    private(set) var unreadableLines = 0

    init(capacity: Int = 20_000) { self.capacity = capacity }

    /// Adds one alert line (JSON bytes, with or without the trailing newline).
    mutating func add(line: [UInt8]) {
        alertLines += 1
        guard let doc = JSONReader.parse(line), case .object = doc else {
            unreadableLines += 1
            return
        }
        add(document: doc)
    }

    mutating func add(document doc: JSONValue) {
        let id = doc.at("reqwatch.incident.id")?.displayText ?? doc.at("event.id")?.displayText ?? "line-\(alertLines)"
        if let i = index[id] {
            incidents[i].document = doc
            incidents[i].lines += 1
            return
        }
        let rule = doc.at("rule.id")?.displayText ?? "unknown"
        perRule[rule, default: 0] += 1
        guard incidents.count < capacity else {
            dropped += 1
            return
        }
        index[id] = incidents.count
        incidents.append(Incident(id: id, document: doc, lines: 1, order: incidents.count))
    }

    /// Most severe first; then the most requests, then the earliest.
    var ranked: [Incident] {
        incidents.sorted { a, b in
            if a.severity != b.severity { return a.severity > b.severity }
            let ca = a.count ?? 0, cb = b.count ?? 0
            if ca != cb { return ca > cb }
            let ea = a.events ?? 0, eb = b.events ?? 0
            if ea != eb { return ea > eb }
            let sa = a.start ?? "", sb = b.start ?? ""
            if sa != sb { return sa < sb }
            return a.order < b.order
        }
    }
}

/// Parses `2024-05-01T16:13:46.000Z` (and offsets such as `+02:00`) to microseconds since the epoch.
func parseISO8601(_ s: String) -> Int64? {
    let b = Array(s.utf8)
    guard b.count >= 19 else { return nil }
    func num(_ from: Int, _ n: Int) -> Int? {
        var v = 0
        for k in from..<from + n {
            guard b[k] >= 0x30 && b[k] <= 0x39 else { return nil }
            v = v * 10 + Int(b[k] - 0x30)
        }
        return v
    }
    guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
        let sec = num(17, 2)
    else { return nil }
    var i = 19
    var micros: Int64 = 0
    if i < b.count && b[i] == UInt8(ascii: ".") {
        i += 1
        var scale: Int64 = 100_000
        while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
            micros += Int64(b[i] - 0x30) * scale
            scale /= 10
            i += 1
        }
    }
    var offset: Int64 = 0
    if i < b.count && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) && i + 6 <= b.count {
        guard let oh = num(i + 1, 2), let om = num(i + 4, 2) else { return nil }
        offset = Int64(oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
    }
    let days = Int64(Timestamp.daysFromCivil(year: y, month: mo, day: d))
    return ((days * 86400 + Int64(h * 3600 + mi * 60 + sec)) - offset) * 1_000_000 + micros
}
