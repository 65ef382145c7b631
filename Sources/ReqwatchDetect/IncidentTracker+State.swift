import ReqwatchCore

// Open incidents survive `tail` restarts and SIGHUP reloads: a restored run writes the same lines as one that never
// stopped (no second `opened` line, the closing line has the whole picture).
extension IncidentTracker {
    /// Writes every open incident and the per-day reopen counters.
    public func encodeState(into w: inout StateWriter) {
        let items = open.sorted { $0.key < $1.key }
        w.count(items.count)
        for (k, o) in items {
            w.string(k)
            w.string(o.id)
            Self.encode(o.alert, into: &w)
            w.int(o.lastSeen)
            w.count(o.linesWritten)
            w.count(o.escalations)
            w.count(o.writtenCount)
            w.count(o.writtenSeverity)
            w.count(o.addresses.count)
            for a in o.addresses { w.string(a) }
            w.count(o.addressSet.count)
            for a in o.addressSet.sorted() { w.string(a) }
            w.count(o.reopenIndex)
            w.int(o.quiet)
            w.count(o.aliases.count)
            for a in o.aliases { w.string(a) }
        }
        let closed = closedToday.sorted { $0.key < $1.key }
        w.count(closed.count)
        for (k, v) in closed {
            w.string(k)
            w.int(v.day)
            w.count(v.count)
        }
        w.count(opened)
    }

    /// Restores what `encodeState` wrote. Alerts of rules no longer known are dropped.
    public mutating func restoreState(from r: inout StateReader, rules: [Rule]) throws(ReqwatchError) {
        let n = try r.count(max: r.remaining)
        for _ in 0..<n {
            let k = try r.string()
            let id = try r.string(max: 64)
            let alert = try Self.decodeAlert(from: &r, rules: rules)
            let lastSeen = try r.int()
            var o = Open(id: id, alert: alert ?? Alert(rule: .idEnumeration, timestamp: .unknown, start: .unknown, end: .unknown,
                                                       severity: 1, message: "", incidentKey: ""),
                         lastSeen: lastSeen, writtenCount: 0, writtenSeverity: 0)
            o.linesWritten = try r.count(max: 1 << 30)
            o.escalations = try r.count(max: 1 << 30)
            o.writtenCount = try r.count(max: Int.max)
            o.writtenSeverity = try r.count(max: 10)
            for _ in 0..<(try r.count(max: r.remaining)) { o.addresses.append(try r.string(max: 256)) }
            for _ in 0..<(try r.count(max: r.remaining)) { o.addressSet.insert(try r.string(max: 256)) }
            o.reopenIndex = try r.count(max: 1 << 30)
            o.quiet = try r.int()
            for _ in 0..<(try r.count(max: r.remaining)) { o.aliases.append(try r.string()) }
            if alert != nil {
                open[k] = o
                for a in o.aliases { aliases[a] = k }
            }
        }
        for _ in 0..<(try r.count(max: r.remaining)) {
            let k = try r.string()
            let day = try r.int()
            closedToday[k] = (day, try r.count(max: 1 << 30))
        }
        opened += try r.count(max: Int.max)
        nextDeadline = open.values.map(\.deadline).min() ?? .max
    }

    static func encode(_ a: Alert, into w: inout StateWriter) {
        w.string(a.rule.id)
        w.int(a.timestamp.microseconds)
        w.int(a.start.microseconds)
        w.int(a.end.microseconds)
        w.count(a.severity)
        w.string(a.message)
        w.string(a.incidentKey)
        for s in [a.sourceIP, a.userID, a.method, a.route, a.path, a.userAgent, a.campaignKey] {
            w.bool(s != nil)
            if let s { w.string(s) }
        }
        w.int(Int64(a.statusCode ?? -1))
        encode(.object(a.evidence), into: &w)
        w.count(a.count)
        w.bool(a.isFinding)
        w.count(a.incidentCount)
    }

    static func decodeAlert(from r: inout StateReader, rules: [Rule]) throws(ReqwatchError) -> Alert? {
        let ruleID = try r.string(max: 256)
        var a = Alert(rule: rules.first { $0.id == ruleID } ?? .idEnumeration, timestamp: Timestamp(microseconds: try r.int()),
                      start: Timestamp(microseconds: try r.int()), end: Timestamp(microseconds: try r.int()),
                      severity: try r.count(max: 10), message: try r.string(), incidentKey: try r.string())
        var texts: [String?] = []
        for _ in 0..<7 { texts.append(try r.bool() ? try r.string() : nil) }
        (a.sourceIP, a.userID, a.method, a.route, a.path, a.userAgent, a.campaignKey) =
            (texts[0], texts[1], texts[2], texts[3], texts[4], texts[5], texts[6])
        let status = try r.int()
        a.statusCode = status >= 0 ? Int(status) : nil
        if case .object(let e) = try decodeJSON(from: &r, depth: 0) { a.evidence = e }
        a.count = try r.count(max: Int.max)
        a.isFinding = try r.bool()
        a.incidentCount = try r.count(max: Int.max)
        return rules.contains { $0.id == ruleID } ? a : nil
    }

    static func encode(_ v: JSONValue, into w: inout StateWriter) {
        switch v {
        case .null: w.u8(0)
        case .bool(let b): w.u8(1); w.bool(b)
        case .int(let i): w.u8(2); w.int(i)
        case .double(let d): w.u8(3); w.double(d)
        case .string(let s): w.u8(4); w.string(s)
        case .array(let items):
            w.u8(5)
            w.count(items.count)
            for i in items { encode(i, into: &w) }
        case .object(let fields):
            w.u8(6)
            w.count(fields.count)
            for (k, f) in fields {
                w.string(k)
                encode(f, into: &w)
            }
        }
    }

    static func decodeJSON(from r: inout StateReader, depth: Int) throws(ReqwatchError) -> JSONValue {
        guard depth < 16 else { throw r.error("evidence nested too deeply") }
        switch try r.u8() {
        case 0: return .null
        case 1: return .bool(try r.bool())
        case 2: return .int(try r.int())
        case 3: return .double(try r.double())
        case 4: return .string(try r.string())
        case 5:
            var items: [JSONValue] = []
            for _ in 0..<(try r.count(max: r.remaining)) { items.append(try decodeJSON(from: &r, depth: depth + 1)) }
            return .array(items)
        case 6:
            var fields: [(String, JSONValue)] = []
            for _ in 0..<(try r.count(max: r.remaining)) {
                let k = try r.string()
                fields.append((k, try decodeJSON(from: &r, depth: depth + 1)))
            }
            return .object(fields)
        default: throw r.error("unknown evidence tag")
        }
    }
}
