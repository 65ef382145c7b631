import ReqwatchCore

/// Runs the detection stage: derives the `BatchContext` once per batch (client key, route id, known flag, id
/// segment, allowlist per record), then runs every enabled detector and the `additional` ones.
public struct DetectionEngine {
    private let config: DetectConfiguration
    private let identity: ClientIdentity
    private var templater: RouteTemplater
    private var classifier = PathClassifier()
    private var context = BatchContext()
    private var routeFlags: [UInt8] = []
    private var routeHashes: [UInt64] = []
    /// Per route id: bit per method raw value allowlisted (0xFFFF = every method).
    private var routeAllow: [UInt16] = []
    private var inventoryRouteIDs: [Int32] = []
    /// First path segments of the documented routes (`api` for `/api/v1/orders`).
    private var apiSegments: Set<Substring> = []
    private var allowUserHashes: Set<UInt64> = []
    private var allowUA: [[UInt8]] = []
    /// The enabled rules, in registry order, then the `additional` ones.
    private var detectors: [any Detector]
    private var tracker: IncidentTracker
    private var raw: [Alert] = []
    private var records = 0
    private var lastTime = Timestamp.unknown
    /// When set, `observe` and `finish` append the detectors' raw alerts (event-time order) instead of incident
    /// lines: one engine per worker thread, one `IncidentTracker` outside merging them (`ShardedDetection`).
    public var emitsRawAlerts = false

    /// Builds the enabled detectors from `configuration`.
    /// - Throws: `.config` when an enabled rule id is unknown.
    public init(configuration: DetectConfiguration, additional: [any Detector] = []) throws(ReqwatchError) {
        config = configuration
        identity = ClientIdentity(ipv6Prefix: configuration.ipv6Prefix)
        let on = configuration.enabledRules
        detectors = DetectorRegistry.all.filter { on.contains($0.rule.id) }.map { $0.make(configuration) }
            + additional
        tracker = IncidentTracker(lines: configuration.incidentLines, quietMicros: configuration.incidentQuietMicros,
                                  maxEscalations: configuration.incidentMaxEscalations)
        templater = RouteTemplater(capacity: configuration.routeCapacity)
        let bad = configuration.enabledRules.subtracting(DetectorRegistry.ruleIDs)
        if !bad.isEmpty {
            throw ReqwatchError(.config, "unknown detector(s): \(bad.sorted().joined(separator: ", "))")
        }
        classifier.probes += DetectLists.bytes(configuration.extraProbePaths)
        if let inv = configuration.inventory { classifier.phpIsProbe = !inv.hasPHPRoutes }
        allowUserHashes = Set(configuration.allowUsers.map { s in
            var c = s
            return c.withUTF8 { ByteHash.hash($0, seed: ClientIdentity.userSeed) }
        })
        allowUA = DetectLists.bytes(configuration.allowUserAgents)
        if let inv = configuration.inventory {
            apiSegments = Set(inv.templates.compactMap { Self.firstSegment($0) })
        }
        syncRoutes()
        if let inv = configuration.inventory {
            for t in inv.templates { inventoryRouteIDs.append(templater.register(name: t)) }
            syncRoutes()
            for r in inv.routes {
                guard let ti = inv.templates.firstIndex(of: r.template) else { continue }
                let id = Int(inventoryRouteIDs[ti])
                if r.isPage { routeFlags[id] |= RouteFlags.page }
                if r.deprecated { routeFlags[id] |= RouteFlags.deprecated }
                routeFlags[id] &= ~RouteFlags.probe  // documented routes are not probes
            }
        }
    }

    /// Classifies routes added to the templater since the last call (once per route, not per record).
    private mutating func syncRoutes() {
        let names = templater.names
        while routeFlags.count < names.count {
            let name = names[routeFlags.count]
            var flags: UInt8 = routeFlags.isEmpty ? 0 : classifier.classify(name)
            if Self.isAPILike(name, apiSegments) { flags |= RouteFlags.apiLike }
            routeFlags.append(flags)
            routeHashes.append(ByteHash.hash(name, seed: 0x726B_6579))
            var mask: UInt16 = 0
            for entry in config.allowRoutes {
                let parts = entry.split(separator: " ", maxSplits: 1)
                if parts.count == 1 {
                    if entry == name { mask = 0xFFFF }
                } else if parts[1] == name {
                    let m = parts[0].uppercased()
                    if let method = HTTPMethod.allCases.first(where: { $0.name == m }) { mask |= 1 << UInt16(method.rawValue) }
                }
            }
            routeAllow.append(mask)
        }
    }

    /// Computes the context of `batch` and runs every enabled detector on it. The batch's alerts are appended in
    /// event-time order of the records that fired them (ties keep detector order). Across batch sizes the same
    /// alerts come out; their order can differ only among alerts of different batches.
    public mutating func observe(_ batch: borrowing RecordBatch, into alerts: inout [Alert]) {
        context.removeAll()
        context.routeNames = []  // keep templater.names uniquely referenced while routes are added
        let n = batch.records.count
        records += n
        let inv = config.inventory
        let checkAllow = !config.allowCIDRs.isEmpty || !allowUserHashes.isEmpty || !allowUA.isEmpty || !config.allowRoutes.isEmpty
        for i in 0..<n {
            let r = batch.records[i]
            if r.time != .unknown && (lastTime == .unknown || r.time > lastTime) { lastTime = r.time }
            context.clientKeys.append(identity.key(r, in: batch))
            var routeID: Int32 = -1
            var operation: Int32 = -1
            var known = false
            var idRange = ByteRange.absent
            if r.path.isPresent && r.path.count > 0 {
                let path = r.path
                let method = r.method
                var matched = false
                if let inv {
                    let m = batch.withBytes(path) { inv.match(method: method, path: $0) }
                    if let m {
                        matched = true
                        routeID = inventoryRouteIDs[m.templateIndex]
                        known = m.routeIndex != nil
                        operation = m.routeIndex.map(Int32.init) ?? -1
                        if let pr = m.paramRange { idRange = ByteRange(start: Int(path.start) + pr.lowerBound, count: pr.count) }
                    }
                }
                if !matched {
                    let t = batch.withBytes(path) { templater.route(for: $0) }
                    routeID = t.id
                    if let pr = t.idRange { idRange = ByteRange(start: Int(path.start) + pr.lowerBound, count: pr.count) }
                    if templater.count > routeFlags.count { syncRoutes() }
                }
            }
            context.routeIDs.append(routeID)
            context.operations.append(operation)
            context.routeKnown.append(known)
            var idParam: UInt64 = 0
            if !idRange.isPresent && r.query.isPresent && r.query.count >= 3 {
                let qs = Int(r.query.start)
                if let (range, name) = batch.withBytes(r.query, { Self.queryIdentifier($0) }) {
                    idRange = ByteRange(start: qs + range.lowerBound, count: range.count)
                    idParam = name
                }
            }
            context.idRanges.append(idRange)
            context.idParams.append(idParam)
            var allowed = false
            if checkAllow {
                if routeID >= 0 && Int(routeID) < routeAllow.count && routeAllow[Int(routeID)] & (1 << UInt16(r.method.rawValue)) != 0 {
                    allowed = true
                } else if config.allowCIDRs.contains(where: { $0.contains(r.clientIP) }) {
                    allowed = true
                } else if r.user.isPresent && !allowUserHashes.isEmpty && allowUserHashes.contains(batch.hash(r.user, seed: ClientIdentity.userSeed)) {
                    allowed = true
                } else if !allowUA.isEmpty && r.userAgent.isPresent {
                    allowed = batch.withBytes(r.userAgent) { ByteMatch.firstMatch($0, allowUA) != nil }
                }
            }
            context.allowlisted.append(allowed)
        }
        context.routeNames = templater.names
        context.routeFlags = routeFlags
        context.routeHashes = routeHashes
        raw.removeAll(keepingCapacity: true)
        for k in detectors.indices { detectors[k].observe(batch, context: context, into: &raw) }
        context.routeFlags = []
        context.routeHashes = []
        // This batch's raw alerts in event-time order (stable: ties keep registry order), then into incidents.
        if raw.count > 1 {
            raw = raw.enumerated().sorted {
                $0.element.timestamp != $1.element.timestamp ? $0.element.timestamp < $1.element.timestamp : $0.offset < $1.offset
            }.map(\.element)
        }
        if emitsRawAlerts { alerts.append(contentsOf: raw); return }
        tracker.process(raw, now: lastTime.microseconds, into: &alerts)
    }

    /// End of input: lets every detector close open windows and emit pending alerts.
    /// `time`: the newest event time of the whole run when this engine saw only part of it (raw alerts).
    public mutating func finish(at time: Timestamp? = nil, into alerts: inout [Alert]) {
        let t = time ?? lastTime
        raw.removeAll(keepingCapacity: true)
        if emitsRawAlerts {
            for k in detectors.indices { detectors[k].finish(at: t, into: &alerts) }
            return
        }
        for k in detectors.indices { detectors[k].finish(at: t, into: &raw) }
        tracker.process(raw, now: t.microseconds, into: &alerts)
        tracker.closeAll(into: &alerts)
    }

    /// Incidents opened, open now, and lines written per rule (run summary, metrics).
    public var incidents: IncidentTracker { tracker }

    // MARK: The API's namespace

    /// Segments that name an API or a debug surface wherever they stand first.
    static let apiNames: Set<Substring> = [
        "api", "apis", "graphql", "graphiql", "rest", "rpc", "jsonrpc", "internal", "admin", "debug", "_debug",
        "actuator", "swagger", "swagger.json", "swagger.yaml", "swagger-ui", "swagger-ui.html", "openapi",
        "openapi.json", "openapi.yaml", "api-docs", "v1", "v2", "v3", "console", "management", "private", "export",
    ]

    static func firstSegment(_ route: String) -> Substring? {
        route.split(separator: "/", omittingEmptySubsequences: true).first.map { $0.lowercased()[...] }
    }

    /// See `RouteFlags.apiLike`.
    static func isAPILike(_ route: String, _ documented: Set<Substring>) -> Bool {
        guard let first = firstSegment(route) else { return false }
        if documented.contains(first) || apiNames.contains(first) { return true }
        // a version segment: v0, v12, v2beta
        let b = Array(first.utf8)
        return b.count >= 2 && b.count <= 8 && b[0] == UInt8(ascii: "v") && b[1] >= 0x30 && b[1] <= 0x39
    }

    // MARK: Identifiers in the query

    /// Parameter names whose numbers are positions, sizes, times or versions, not record ids.
    static let nonIdentifierParams: [[UInt8]] = DetectLists.bytes([
        "page", "p", "pg", "pagenum", "pagenumber", "page_number", "offset", "limit", "start", "end", "size", "per_page",
        "perpage", "pagesize", "page_size", "count", "skip", "take", "top", "first", "last", "from", "to", "cursor",
        "after", "before", "since", "until", "max", "min", "rows", "num", "n", "year", "month", "day", "date", "time",
        "ts", "timestamp", "t", "_", "v", "ver", "version", "rev", "lang", "zoom", "z", "x", "y", "lat", "lon", "lng",
        "w", "h", "width", "height", "quality", "q", "sort", "order", "rand", "random", "nocache", "cb", "cachebust",
        "seed", "amount", "qty", "quantity", "price", "step", "level", "depth", "retry", "attempt", "delay", "timeout",
    ])

    /// The first `name=value` pair of `q` whose value is a record id (1–18 digits, or a UUID) under a name that is
    /// not a position, size or time (`page`, `limit`, `_`, …): the value's range in `q` and a hash of the name.
    static func queryIdentifier(_ q: UnsafeBufferPointer<UInt8>) -> (Range<Int>, UInt64)? {
        let n = q.count
        var ps = 0
        while ps < n {
            var pe = ps
            var eq = -1
            while pe < n && q[pe] != UInt8(ascii: "&") && q[pe] != UInt8(ascii: ";") {
                if eq < 0 && q[pe] == UInt8(ascii: "=") { eq = pe }
                pe += 1
            }
            if eq > ps && pe > eq + 1 && eq - ps <= 32 {
                let value = UnsafeBufferPointer(rebasing: q[(eq + 1)..<pe])
                var digits = true
                for c in value where c < 0x30 || c > 0x39 { digits = false; break }
                let isID = (digits && value.count <= 18)
                    || (value.count == 36 && RouteTemplater.looksLikeIdentifier(value) && value[8] == UInt8(ascii: "-"))
                if isID {
                    let name = UnsafeBufferPointer(rebasing: q[ps..<eq])
                    if !nonIdentifierParams.contains(where: { ByteMatch.equals(name, $0) }) {
                        return ((eq + 1)..<pe, ByteHash.hash(name, seed: 0x7170) | 1)
                    }
                }
            }
            ps = pe + 1
        }
        return nil
    }

    // MARK: Snapshots

    private static let magic: [UInt8] = Array("RWDS".utf8)
    /// The snapshot section holding the open incidents.
    private static let incidentSection = "incidents"
    /// Bumped whenever any detector's encoding changes: a snapshot of another version is refused (the windows then
    /// start empty) rather than misread. 2: claimed Basic-auth users per client, unfamiliar-agent counts.
    private static let version: UInt8 = 3

    /// The detectors' state as bytes (`reqwatch tail --state`, SIGHUP reloads): learned route templates, then one
    /// section per detector (rule id and its `encodeState` bytes), then a checksum. Keys idle for longer than any
    /// window or cooldown are left out, so the size follows the recent traffic, not the table capacities.
    /// `sizeHint` (the previous snapshot's size) sizes the buffer once instead of growing it by doubling.
    public func snapshot(sizeHint: Int = 1 << 16) -> [UInt8] {
        var w = StateWriter(reservingCapacity: max(1 << 16, sizeHint + sizeHint / 8))
        for b in Self.magic { w.u8(b) }
        w.u8(Self.version)
        w.count(records)
        w.int(lastTime.microseconds)
        let names = templater.names
        w.count(names.count - 1)
        for n in names.dropFirst() { w.string(n) }
        let now = lastTime == .unknown ? Int64.min : lastTime.microseconds
        var sections: [(String, [UInt8])] = []
        func add(_ id: String, _ d: some Detector) {
            var sw = StateWriter()
            d.encodeState(into: &sw, now: now)
            sections.append((id, sw.bytes))
        }
        for d in detectors { add(type(of: d).rule.id, d) }
        var tw = StateWriter()
        tracker.encodeState(into: &tw)
        sections.append((Self.incidentSection, tw.bytes))
        w.count(sections.count)
        for (id, bytes) in sections {
            w.string(id)
            w.raw(bytes)
        }
        let sum = ByteHash.hash(w.bytes, seed: 0x5357_4453)
        w.u64(sum)
        return w.bytes
    }

    /// Restores a `snapshot()` into this engine, which must not have seen records yet. The configuration may
    /// differ from the one that wrote it: routes are matched by template text, new thresholds apply at once, a
    /// window whose length changed starts empty, and sections of detectors now disabled are skipped.
    /// - Throws: `.state` (naming `name` and the byte offset) when the bytes are damaged; the engine is then left
    ///   as it was only if the damage is found before any detector section, so callers should build a fresh
    ///   engine after a failure.
    public mutating func restore(_ bytes: [UInt8], name: String = "state") throws(ReqwatchError) {
        guard bytes.count >= Self.magic.count + 1 + 8 else { throw StateReader(bytes, name: name).error("too short") }
        var tail = StateReader(bytes, range: bytes.count - 8..<bytes.count, name: name)
        let sum = try tail.u64()
        let body = bytes.withUnsafeBufferPointer { ByteHash.hash(UnsafeBufferPointer(rebasing: $0[0..<bytes.count - 8]), seed: 0x5357_4453) }
        var r = StateReader(bytes, range: 0..<bytes.count - 8, name: name)
        for b in Self.magic where try r.u8() != b { throw r.error("not a reqwatch detector state") }
        let v = try r.u8()
        guard v == Self.version else { throw r.error("version \(v), expected \(Self.version)") }
        guard sum == body else { throw r.error("checksum mismatch") }
        let restoredRecords = try r.count(max: Int.max)
        let restoredTime = Timestamp(microseconds: try r.int())
        let names = try r.count(max: r.remaining)
        for _ in 0..<names { _ = templater.register(name: try r.string()) }
        syncRoutes()
        let sections = try r.count(max: 64)
        for _ in 0..<sections {
            let id = try r.string(max: 256)
            let n = try r.count(max: r.remaining)
            var sub = StateReader(bytes, range: r.offset..<r.offset + n, name: name)
            try r.skip(n)
            if id == Self.incidentSection {
                try tracker.restoreState(from: &sub, rules: detectors.map { type(of: $0).rule })
            } else if let k = detectors.firstIndex(where: { type(of: $0).rule.id == id }) {
                try detectors[k].restoreState(from: &sub)
            }
        }
        records += restoredRecords
        if restoredTime != .unknown && (lastTime == .unknown || restoredTime > lastTime) { lastTime = restoredTime }
    }

    /// Route templates known (spec and learned), for the `endpoints` command and tests.
    public var routeNames: [String] { templater.names }

    /// Per-detector counters for the run summary, including evictions from bounded tables.
    public var statistics: [(String, Int)] {
        var s: [(String, Int)] = [("detect.records", records), ("detect.routes", templater.count),
                                  ("detect.routes-overflowed", templater.overflowed)]
        for d in detectors { s += d.statistics }
        s.append(("incidents.opened", tracker.opened))
        if tracker.closedEarly > 0 { s.append(("incidents.closed-early", tracker.closedEarly)) }
        return s
    }
}
