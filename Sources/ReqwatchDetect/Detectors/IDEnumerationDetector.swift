import ReqwatchCore

/// `id-enumeration`: one client requesting many distinct ids on one route template with an `{id}` slot.
///
/// Per (client, method, route) it keeps a bounded list of recent distinct ids (numeric value or hash, time,
/// status). It fires on a fast walk (`enumThreshold` distinct ids within `enumWindow`) or a low-and-slow walk
/// (`enumSlowThreshold` within `enumSlowWindow`) when the ids have the shape of a harvest: numeric ids covering
/// at least `enumMinCoverage` of [min, max] (sequential or shuffled), or a 404 share of at least `enumMin404Share`
/// (a walk with gaps). Non-numeric ids (UUIDs, tokens) fire on distinct count alone at `enumOpaqueThreshold`.
/// A user paging through their own 30 records stays far below the thresholds; users behind one NAT address
/// are distinct clients. Keyed by user or token when present, so one user across many IPs adds up.
public struct IDEnumerationDetector: Detector {
    /// The rule reported.
    public static var rule: Rule { .idEnumeration }

    struct Entry {
        var value: Int64  // numeric id, or hash bits when not numeric
        var time: Int64
        var status: UInt16
        var numeric: Bool
    }
    struct State {
        var ids: [Entry] = []
        var incident = Incident()
        var requests = 0
    }

    private let config: DetectConfiguration
    private let identity: ClientIdentity
    private var table: BoundedKeyTable<State>
    private let cap: Int
    private var fired = 0

    /// A detector with `configuration`'s thresholds, windows and capacity.
    public init(configuration: DetectConfiguration) {
        config = configuration
        identity = ClientIdentity(ipv6Prefix: configuration.ipv6Prefix)
        table = BoundedKeyTable(capacity: configuration.clientCapacity)
        cap = min(1024, max(configuration.enumThreshold, configuration.enumSlowThreshold, configuration.enumOpaqueThreshold) + 16)
    }

    /// See `Detector.observe`.
    public mutating func observe(_ batch: borrowing RecordBatch, context: borrowing BatchContext, into alerts: inout [Alert]) {
        let n = min(batch.records.count, context.idRanges.count)
        for i in 0..<n {
            let idr = context.idRanges[i]
            guard idr.isPresent, idr.count > 0, !context.allowlisted[i] else { continue }
            let r = batch.records[i]
            guard r.method != .options, r.time != .unknown else { continue }
            var key = ByteHash.combine(context.clientKeys[i], context.routeKey(at: i) &+ UInt64(r.method.rawValue))
            let param = i < context.idParams.count ? context.idParams[i] : 0
            if param != 0 { key = ByteHash.combine(key, param) }
            var numeric = true
            var value: Int64 = 0
            batch.withBytes(idr) { b in
                if b.count > 18 { numeric = false }
                for c in b {
                    guard c >= 0x30 && c <= 0x39 else { numeric = false; break }
                    value = value &* 10 &+ Int64(c - 0x30)
                }
                if !numeric { value = Int64(bitPattern: ByteHash.hash(b)) }
            }
            let now = r.time.microseconds
            let d = table.index(of: key, now: now) { State() }
            table.values[d].requests += 1
            // dedup
            var found = -1
            for (k, e) in table.values[d].ids.enumerated() where e.value == value && e.numeric == numeric {
                found = k
                break
            }
            if found >= 0 {
                table.values[d].ids[found].time = max(table.values[d].ids[found].time, now)
                table.values[d].ids[found].status = r.status
            } else {
                if table.values[d].ids.count >= cap {
                    // drop the oldest entry
                    var oldest = 0
                    for (k, e) in table.values[d].ids.enumerated() where e.time < table.values[d].ids[oldest].time { oldest = k }
                    table.values[d].ids.remove(at: oldest)
                }
                table.values[d].ids.append(Entry(value: value, time: now, status: r.status, numeric: numeric))
            }
            let count = table.values[d].ids.count
            if count < min(config.enumThreshold, config.enumSlowThreshold, config.enumOpaqueThreshold) { continue }
            if table.values[d].incident.cooling(at: now, cooldown: config.cooldownMicros) {
                table.values[d].incident.since += 1
                continue
            }
            // Drop entries older than the long window.
            let slowStart = now - config.enumSlowWindowMicros
            table.values[d].ids.removeAll { $0.time < slowStart }
            guard let shape = evaluate(table.values[d].ids, now: now) else { continue }
            guard table.values[d].incident.shouldFire(at: now, cooldown: config.cooldownMicros) else { continue }
            let seq = table.values[d].incident.sequence
            alerts.append(makeAlert(shape, record: r, index: i, batch: batch, context: context, sequence: seq,
                                    carried: table.values[d].incident.carried, ids: table.values[d].ids))
            fired += 1
        }
    }

    struct Shape {
        var slow: Bool
        var distinct: Int
        var numeric: Bool
        var min: Int64
        var max: Int64
        var coverage: Double
        var share404: Double
        var start: Int64
    }

    private func shape(_ ids: [Entry], from: Int64) -> Shape {
        var distinct = 0, numeric = 0, nf = 0
        var lo = Int64.max, hi = Int64.min, start = Int64.max
        for e in ids where e.time >= from {
            distinct += 1
            if e.numeric {
                numeric += 1
                lo = Swift.min(lo, e.value)
                hi = Swift.max(hi, e.value)
            }
            if e.status == 404 || e.status == 410 { nf += 1 }
            start = Swift.min(start, e.time)
        }
        let isNumeric = distinct > 0 && numeric * 10 >= distinct * 9
        let span = isNumeric ? Double(hi - lo) + 1 : 0
        let coverage = isNumeric && span > 0 ? Double(numeric) / span : 0
        return Shape(slow: false, distinct: distinct, numeric: isNumeric, min: isNumeric ? lo : 0, max: isNumeric ? hi : 0,
                     coverage: Swift.min(1, coverage), share404: distinct > 0 ? Double(nf) / Double(distinct) : 0, start: start)
    }

    private func evaluate(_ ids: [Entry], now: Int64) -> Shape? {
        let fast = shape(ids, from: now - config.enumWindowMicros)
        if fast.numeric {
            if fast.distinct >= config.enumThreshold
                && (fast.coverage >= config.enumMinCoverage || fast.share404 >= config.enumMin404Share)
            {
                return fast
            }
        } else if fast.distinct >= config.enumOpaqueThreshold {
            return fast
        }
        var slow = shape(ids, from: now - config.enumSlowWindowMicros)
        slow.slow = true
        if slow.numeric && slow.distinct >= config.enumSlowThreshold
            && (slow.coverage >= config.enumMinCoverage || slow.share404 >= config.enumMin404Share)
        {
            return slow
        }
        return nil
    }

    private func makeAlert(_ s: Shape, record r: RequestRecord, index i: Int, batch: borrowing RecordBatch,
                           context: borrowing BatchContext, sequence: Int, carried: Int, ids: [Entry]) -> Alert
    {
        let client = identity.describe(r, in: batch)
        var route = context.routeName(at: i) ?? "?"
        if i < context.idParams.count && context.idParams[i] != 0, let name = Self.parameterName(before: context.idRanges[i], r, batch) {
            route += "?\(name)={id}"
        }
        let method = r.method == .other ? (batch.string(r.methodText) ?? "OTHER") : r.method.name
        let windowText = s.slow ? humanDuration(config.enumSlowWindowMicros) : humanDuration(config.enumWindowMicros)
        var msg = "\(client) requested \(s.distinct) distinct ids on \(method) \(route) within \(windowText)"
        if s.numeric {
            msg += " (ids \(s.min)–\(s.max), coverage \(percent(s.coverage)), 404 share \(percent(s.share404)))"
        } else {
            msg += " (non-numeric ids, 404 share \(percent(s.share404)))"
        }
        var a = Alert(rule: Self.rule, timestamp: r.time, start: Timestamp(microseconds: s.start), end: r.time,
                      severity: s.slow ? 3 : 4, message: msg, incidentKey: "client:\(client)|route:\(method) \(route)")
        a.sequence = sequence
        // the first report counts the ids that made the walk; later ones the requests since the previous report
        a.count = sequence == 0 ? s.distinct : max(1, carried)
        AlertFill.fill(&a, r, batch, route: route)
        var samples: [JSONValue] = []
        if s.numeric {
            for e in ids.suffix(5) where e.numeric {
                samples.append(.object([("method", .string(method)), ("path", .string(Self.filling(route, with: String(e.value)))),
                                        ("status", .int(Int(e.status))), ("time", .string(Timestamp(microseconds: e.time).iso8601))]))
            }
        } else {
            samples.append(AlertFill.sample(r, batch))
        }
        a.evidence = [
            ("client", .string(client)),
            ("pattern", .string(s.slow ? "low-and-slow" : "fast-walk")),
            ("distinct_ids", .int(s.distinct)),
            ("id_range", s.numeric
                ? .object([("min", .int(s.min)), ("max", .int(s.max)), ("distinct", .int(s.distinct)), ("coverage", .double(round2(s.coverage)))])
                : .object([("distinct", .int(s.distinct))])),
            ("not_found_share", .double(round2(s.share404))),
            ("samples", .array(samples)),
        ]
        return a
    }

    /// `route` with its id placeholder filled: `{id}` in a query template, else the last `{…}` segment
    /// (`/accounts/{accountId}/settings` → `/accounts/3049/settings`).
    static func filling(_ route: String, with id: String) -> String {
        if route.contains("={id}") { return replacing(route, "={id}", with: "=" + id) }
        guard let open = route.lastIndex(of: "{"), let close = route[open...].firstIndex(of: "}") else { return route }
        return String(route[..<open]) + id + String(route[route.index(after: close)...])
    }

    /// The query parameter name whose value is at `id` (`…&user_id=17` → `user_id`), for alert text.
    static func parameterName(before id: ByteRange, _ r: RequestRecord, _ batch: borrowing RecordBatch) -> String? {
        guard r.query.isPresent, id.isPresent else { return nil }
        let qs = Int(r.query.start)
        let end = Int(id.start) - qs - 1  // the '='
        return batch.withBytes(r.query) { q -> String? in
            guard end > 0, end <= q.count, q[end] == UInt8(ascii: "=") else { return nil }
            var s = end
            while s > 0 && q[s - 1] != UInt8(ascii: "&") && q[s - 1] != UInt8(ascii: ";") { s -= 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: q[s..<end]), as: UTF8.self)
        }
    }

    /// See `Detector.finish`.
    public mutating func finish(at time: Timestamp, into alerts: inout [Alert]) {}

    /// See `Detector.encodeState`: per (client, method, route) the recent ids, the request count and the incident.
    public func encodeState(into w: inout StateWriter, now: Int64) {
        let horizon = now &- max(config.enumSlowWindowMicros, config.cooldownMicros)
        table.encode(into: &w, since: horizon) { w, s in
            w.count(s.ids.count)
            for e in s.ids {
                w.int(e.value)
                w.int(e.time)
                w.count(Int(e.status))
                w.bool(e.numeric)
            }
            s.incident.encode(into: &w)
            w.count(s.requests)
        }
    }

    /// See `Detector.restoreState`.
    public mutating func restoreState(from r: inout StateReader) throws(ReqwatchError) {
        let cap = self.cap
        try table.restore(from: &r) { (r: inout StateReader) throws(ReqwatchError) -> State in
            var s = State()
            let n = try r.count(max: 1024)
            for _ in 0..<n {
                let e = Entry(value: try r.int(), time: try r.int(), status: UInt16(truncatingIfNeeded: try r.varint()),
                              numeric: try r.bool())
                s.ids.append(e)
            }
            if s.ids.count > cap { s.ids.removeFirst(s.ids.count - cap) }
            s.incident = try Incident.decode(from: &r)
            s.requests = Int(try r.varint() & 0xFFFF_FFFF)
            return s
        }
    }

    /// Keys tracked, evictions and alerts.
    public var statistics: [(String, Int)] {
        [("id-enumeration.keys", table.count), ("id-enumeration.evictions", table.evictions), ("id-enumeration.alerts", fired)]
    }
}

func percent(_ x: Double) -> String { "\(Int((x * 100).rounded()))%" }
func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
func humanDuration(_ us: Int64) -> String {
    let s = us / 1_000_000
    if s % 3600 == 0 { return "\(s / 3600) h" }
    if s % 60 == 0 { return "\(s / 60) min" }
    return "\(s) s"
}
