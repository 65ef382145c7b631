import ReqwatchCore

/// `suspicious-user-agent`: scanners and attack tools (`DetectLists.scannerAgents` plus config `agents`, matched
/// case-insensitively), empty user agents, missing ones (only once the input has shown it logs user agents, and from a client that
/// sent `missingMinRequests` such requests answered 4xx/5xx within `rotationWindow`),
/// malformed ones (control bytes, longer than `maxUserAgentLength`), injection payloads (`DetectLists.injectionPatterns`),
/// one client rotating through `rotationThreshold` distinct user agents within `rotationWindow` (and on at least
/// half of its requests), and scripted clients (`DetectLists.scriptedAgents`) on routes the spec marks as pages.
/// Browsers, mobile SDKs, crawlers and uptime monitors match none of these. One alert per (client, reason) per cooldown.
/// User-agent classification is cached per user-agent hash, so repeated agents cost one hash and one lookup.
public struct SuspiciousUserAgentDetector: Detector {
    /// The rule reported.
    public static var rule: Rule { .suspiciousUserAgent }

    enum Reason: UInt8 {
        case none = 0, scanner, injection, malformed, empty, scripted, missing, rotation, unfamiliar
        var name: String {
            switch self {
            case .none: "none"
            case .scanner: "scanner"
            case .injection: "injection-payload"
            case .malformed: "malformed"
            case .empty: "empty"
            case .scripted: "scripted-client-on-page"
            case .missing: "missing"
            case .rotation: "rotation"
            case .unfamiliar: "unfamiliar"
            }
        }
        var severity: Int {
            switch self {
            case .injection: 4
            case .scanner, .rotation: 3
            case .malformed, .scripted, .unfamiliar: 2
            default: 1
            }
        }
    }
    struct Rotation {
        var agents: [(UInt64, Int64)] = []
        var requests: SlidingCounter
        /// Requests without a user agent since `missingStart` (a tumbling window of `rotationWindow`).
        var missing = 0
        var missingStart: Int64 = Int64.min
        /// Requests with an agent family the baseline does not know, since `unfamiliarStart` (tumbling window).
        var unfamiliar = 0
        var unfamiliarStart: Int64 = Int64.min
    }

    private let config: DetectConfiguration
    private let identity: ClientIdentity
    private var cache = BoundedKeyTable<UInt8>(capacity: 8192)
    private var incidents: BoundedKeyTable<Incident>
    private var rotation: BoundedKeyTable<Rotation>
    private var presentByInput: [Int: Int] = [:]
    /// Addresses seen with several authenticated users (an office or carrier NAT, a proxy): their anonymous
    /// requests come from many people, so many user agents there are not one client rotating. Bounded.
    private var sharedAddresses = BoundedKeyTable<SharedAddress>(capacity: 16_384)
    struct SharedAddress {
        var users: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
    }
    static let sharedAddressUsers = 3
    struct LastAgent {
        var key: UInt64 = 0
        var agent: UInt64 = 0
        var pending: UInt32 = 0
    }
    /// Direct-mapped (client → last user agent) slots; a collision just sends the client to the table.
    private var lastAgent = [LastAgent](repeating: LastAgent(), count: 1 << 16)
    private let scanners: [[UInt8]]
    private let injections = DetectLists.bytes(DetectLists.injectionPatterns)
    private let scripted = DetectLists.bytes(DetectLists.scriptedAgents)
    private var fired = 0

    /// A detector with `configuration`'s lists and thresholds.
    public init(configuration: DetectConfiguration) {
        config = configuration
        identity = ClientIdentity(ipv6Prefix: configuration.ipv6Prefix)
        incidents = BoundedKeyTable(capacity: configuration.clientCapacity)
        rotation = BoundedKeyTable(capacity: configuration.clientCapacity)
        scanners = DetectLists.bytes(DetectLists.scannerAgents + configuration.extraAgents)
    }

    private func newRotation() -> Rotation {
        Rotation(requests: SlidingCounter(windowMicros: config.rotationWindowMicros))
    }

    /// Counts one request in a client's tumbling window (`start`, `count` fields of its `Rotation`, window
    /// `rotationWindow`) and returns the count so far.
    private mutating func countInWindow(_ client: UInt64, _ now: Int64, _ start: WritableKeyPath<Rotation, Int64>,
                                        _ count: WritableKeyPath<Rotation, Int>) -> Int {
        let fresh = newRotation()
        let d = rotation.index(of: client, now: now) { fresh }
        if rotation.values[d][keyPath: start] == Int64.min || now - rotation.values[d][keyPath: start] > config.rotationWindowMicros {
            rotation.values[d][keyPath: start] = now
            rotation.values[d][keyPath: count] = 0
        }
        rotation.values[d][keyPath: count] += 1
        return rotation.values[d][keyPath: count]
    }

    /// Classifies user-agent bytes (not cached); `scripted` only matters on page routes.
    func classify(_ ua: UnsafeBufferPointer<UInt8>) -> Reason { classifyNormalized(ua).reason }

    /// Classifies `ua` as written, then its canonical form (`Normalize.agent`: escapes and control bytes removed,
    /// `%XX` decoded, whitespace collapsed) for injections and scanners: `evasion` when only the canonical form matched
    /// or the match came with control bytes (odd case alone is not evasion: tool names are often capitalised).
    func classifyNormalized(_ ua: UnsafeBufferPointer<UInt8>) -> (reason: Reason, evasion: Bool) {
        if ua.isEmpty { return (.empty, false) }
        if ua.count > config.maxUserAgentLength { return (.malformed, false) }
        // Control bytes or escapes beside a match are a disguise too (`sqlmap/1.7\u{1}`, `sqlmap\u{1b}[31m`).
        var disguised = false
        for b in ua where b < 0x20 || b == 0x7F { disguised = true; break }
        if ByteMatch.firstMatch(ua, injections) != nil { return (.injection, disguised) }
        if ByteMatch.firstMatch(ua, scanners) != nil { return (.scanner, disguised) }
        var canonical: [UInt8] = []
        canonical.reserveCapacity(ua.count)
        Normalize.agent(ua, into: &canonical)
        let hidden: Reason? = canonical.withUnsafeBufferPointer { c in
            if ByteMatch.firstMatch(c, injections) != nil { return .injection }
            if ByteMatch.firstMatch(c, scanners) != nil { return .scanner }
            return nil
        }
        if let hidden { return (hidden, true) }
        for b in ua where b < 0x20 || b == 0x7F { return (.malformed, false) }
        if ByteMatch.firstMatch(ua, scripted) != nil { return (.scripted, false) }
        return (.none, false)
    }

    /// Whether a baseline is loaded and `ua`'s family is not in it.
    func unfamiliar(_ ua: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let known = config.knownAgentFamilies, let family = AgentFamily.name(ua) else { return false }
        return !known.contains(family)
    }

    /// See `Detector.observe`.
    public mutating func observe(_ batch: borrowing RecordBatch, context: borrowing BatchContext, into alerts: inout [Alert]) {
        let n = min(batch.records.count, context.clientKeys.count)
        let input = batch.origin.index
        var present = presentByInput[input] ?? 0
        for i in 0..<n where !context.allowlisted[i] {
            let r = batch.records[i]
            guard r.time != .unknown else { continue }
            let now = r.time.microseconds
            var reason = Reason.none
            var uaHash: UInt64 = 0
            var evasion: [(String, JSONValue)] = []
            if !r.userAgent.isPresent {
                // Only requests that failed count: scripts and monitors without an agent that get their 200s are
                // not worth a page; one that keeps hitting 4xx/5xx is probing.
                if config.flagMissingUserAgent && present >= 20 && r.status >= 400
                    && countInWindow(context.clientKeys[i], now, \.missingStart, \.missing) >= config.missingMinRequests
                {
                    reason = .missing
                }
            } else {
                present += 1
                uaHash = batch.hash(r.userAgent, seed: 0x7561)
                // Cached per agent: the reason in the low bits, 0x40 when it was found only after normalising (an
                // evasion attempt), 0x80 when the family is unfamiliar.
                let cached: UInt8
                if let d = cache.index(of: uaHash) {
                    cached = cache.values[d]
                } else {
                    let c = batch.withBytes(r.userAgent) { ua in
                        let (reason, evasion) = classifyNormalized(ua)
                        return reason.rawValue | (evasion ? 0x40 : 0) | (unfamiliar(ua) ? 0x80 : 0)
                    }
                    _ = cache.index(of: uaHash, now: now) { c }
                    cached = c
                }
                reason = Reason(rawValue: cached & 0x3F) ?? .none
                if cached & 0x40 != 0 { evasion = [("evasion", .bool(true))] }
                if reason == .scripted && context.flags(at: i) & RouteFlags.page == 0 { reason = .none }
                // An unfamiliar family is reported once the client has sent enough such requests within the window.
                if reason == .none && cached & 0x80 != 0
                    && countInWindow(context.clientKeys[i], now, \.unfamiliarStart, \.unfamiliar) >= config.unfamiliarMinRequests
                {
                    reason = .unfamiliar
                }
                // rotation: a client repeating its last user agent only bumps a direct-mapped slot (one memory access);
                // the per-client table is touched when the agent changes, with the requests counted meanwhile.
                let ck = context.clientKeys[i]
                let ipKey = ByteHash.combine(r.clientIP.high, r.clientIP.low)
                if r.user.isPresent && r.user.count > 0 {
                    let u = batch.hash(r.user)
                    let s = sharedAddresses.index(of: ipKey, now: now) { SharedAddress() }
                    var e = sharedAddresses.values[s]
                    if e.count < Self.sharedAddressUsers && e.users.0 != u && e.users.1 != u && e.users.2 != u {
                        switch e.count {
                        case 0: e.users.0 = u
                        case 1: e.users.1 = u
                        default: e.users.2 = u
                        }
                        e.count += 1
                        sharedAddresses.values[s] = e
                    }
                } else if r.method == .options {
                    // CORS preflights carry the browser's agent; they say nothing about rotation.
                    if reason != .none { report(reason, r, i, batch, context, now, extra: evasion, &alerts) }
                    continue
                } else if let s = sharedAddresses.index(of: ipKey), sharedAddresses.values[s].count >= Self.sharedAddressUsers {
                    if reason != .none { report(reason, r, i, batch, context, now, extra: evasion, &alerts) }
                    continue
                }
                let slot = Int(truncatingIfNeeded: ck >> 7) & (lastAgent.count - 1)
                if lastAgent[slot].key == ck && lastAgent[slot].agent == uaHash {
                    lastAgent[slot].pending &+= 1
                    if reason != .none { report(reason, r, i, batch, context, now, extra: evasion, &alerts) }
                    continue
                }
                let pending = lastAgent[slot].key == ck ? lastAgent[slot].pending : 0
                lastAgent[slot] = LastAgent(key: ck, agent: uaHash, pending: 0)
                let fresh = newRotation()
                let d = rotation.index(of: ck, now: now) { fresh }
                let reqs = rotation.values[d].requests.add(at: now, amount: pending &+ 1)
                let from = now - config.rotationWindowMicros
                var distinct = 0
                var seen = false
                for k in 0..<rotation.values[d].agents.count {
                    if rotation.values[d].agents[k].0 == uaHash {
                        rotation.values[d].agents[k].1 = max(now, rotation.values[d].agents[k].1)
                        seen = true
                    }
                    if rotation.values[d].agents[k].1 >= from { distinct += 1 }
                }
                if !seen {
                    if rotation.values[d].agents.count >= config.rotationThreshold + 4 {
                        var oldest = 0
                        for (k, a) in rotation.values[d].agents.enumerated() where a.1 < rotation.values[d].agents[oldest].1 { oldest = k }
                        if rotation.values[d].agents[oldest].1 >= from { distinct -= 1 }
                        rotation.values[d].agents.remove(at: oldest)
                    }
                    rotation.values[d].agents.append((uaHash, now))
                    distinct += 1
                }
                if reason == .none && distinct >= config.rotationThreshold && distinct * 2 >= reqs {
                    report(.rotation, r, i, batch, context, now, extra: [("distinct_user_agents", .int(distinct)), ("requests", .int(reqs))], &alerts)
                    continue
                }
            }
            if reason != .none { report(reason, r, i, batch, context, now, extra: evasion, &alerts) }
        }
        presentByInput[input] = present
    }

    private mutating func report(_ reason: Reason, _ r: RequestRecord, _ i: Int, _ batch: borrowing RecordBatch,
                                 _ context: borrowing BatchContext, _ now: Int64, extra: [(String, JSONValue)],
                                 _ alerts: inout [Alert])
    {
        let key = ByteHash.combine(context.clientKeys[i], UInt64(reason.rawValue))
        let d = incidents.index(of: key, now: now) { Incident() }
        guard incidents.values[d].shouldFire(at: now, cooldown: config.cooldownMicros) else { return }
        let client = identity.describe(r, in: batch)
        let route = context.routeName(at: i)
        let msg: String
        switch reason {
        case .scanner: msg = "\(client) uses the user agent of a known scanner or attack tool"
            + (extra.contains { $0.0 == "evasion" } ? " (disguised with control bytes, escapes or encoding)" : "")
        case .injection: msg = "\(client) sent an injection payload in its user agent"
        case .malformed: msg = "\(client) sent a malformed user agent (control bytes or over \(config.maxUserAgentLength) bytes)"
        case .empty: msg = "\(client) sent an empty user agent"
        case .missing: msg = "\(client) sent no user agent"
        case .scripted: msg = "\(client) used a scripted HTTP client on browser page \(route ?? "?")"
        case .rotation: msg = "\(client) rotated through many user agents within \(humanDuration(config.rotationWindowMicros))"
        case .unfamiliar:
            msg = "\(client) sent \(config.unfamiliarMinRequests)+ requests with a user agent unlike any in the baseline"
                + " (family \(batch.withBytes(r.userAgent) { AgentFamily.name($0) } ?? "?"))"
        case .none: msg = ""
        }
        var a = Alert(rule: Self.rule, timestamp: r.time, start: r.time, end: r.time, severity: reason.severity, message: msg,
                      incidentKey: "client:\(client)|reason:\(reason.name)")
        a.sequence = incidents.values[d].sequence
        a.count = 1 + incidents.values[d].carried
        switch reason {
        case .scanner, .injection, .malformed, .empty, .missing:
            // The same agent (or none) from many addresses is one campaign (a distributed sweep, a botnet).
            let family = batch.withBytes(r.userAgent) { AgentFamily.name($0) } ?? "-"
            a.campaignKey = "agent:\(reason.name):\(reason == .scanner ? family : "")"
        default: break
        }
        AlertFill.fill(&a, r, batch, route: route)
        var more = extra
        if reason == .unfamiliar, let f = batch.withBytes(r.userAgent, { AgentFamily.name($0) }) { more.append(("family", .string(f))) }
        a.evidence = [("reason", .string(reason.name)), ("client", .string(client))] + more
            + [("samples", .array([AlertFill.sample(r, batch)]))]
        alerts.append(a)
        fired += 1
    }

    /// See `Detector.finish`.
    public mutating func finish(at time: Timestamp, into alerts: inout [Alert]) {}

    /// See `Detector.encodeState`: incidents, per-client agent windows and missing-agent counts, addresses shared by
    /// several users, the last agent per client slot, and how many requests per input carried an agent. The
    /// classification cache is rebuilt (a reload may change the lists).
    public func encodeState(into w: inout StateWriter, now: Int64) {
        let horizon = now &- max(config.rotationWindowMicros, config.cooldownMicros)
        incidents.encode(into: &w, since: horizon) { w, i in i.encode(into: &w) }
        rotation.encode(into: &w, since: horizon) { w, s in
            w.pairs(s.agents)
            s.requests.encode(into: &w)
            w.count(s.missing)
            w.int(s.missingStart)
            w.count(s.unfamiliar)
            w.int(s.unfamiliarStart)
        }
        sharedAddresses.encode(into: &w, since: Int64.min) { w, e in
            w.count(e.count)
            w.u64(e.users.0)
            w.u64(e.users.1)
            w.u64(e.users.2)
        }
        var used = 0
        for e in lastAgent where e.key != 0 || e.pending != 0 { used += 1 }
        w.count(lastAgent.count)
        w.count(used)
        for (k, e) in lastAgent.enumerated() where e.key != 0 || e.pending != 0 {
            w.count(k)
            w.u64(e.key)
            w.u64(e.agent)
            w.count(Int(e.pending))
        }
        w.count(presentByInput.count)
        for (input, n) in presentByInput.sorted(by: { $0.key < $1.key }) {
            w.count(input)
            w.count(n)
        }
    }

    /// See `Detector.restoreState`.
    public mutating func restoreState(from r: inout StateReader) throws(ReqwatchError) {
        try incidents.restore(from: &r) { (r: inout StateReader) throws(ReqwatchError) -> Incident in try Incident.decode(from: &r) }
        let rw = config.rotationWindowMicros, keep = config.rotationThreshold + 4
        try rotation.restore(from: &r) { (r: inout StateReader) throws(ReqwatchError) -> Rotation in
            var agents = try r.pairs(max: 4096)
            if agents.count > keep { agents.removeFirst(agents.count - keep) }
            var s = Rotation(requests: SlidingCounter(windowMicros: rw))
            s.agents = agents
            s.requests = try SlidingCounter.decode(from: &r, windowMicros: rw)
            s.missing = Int(try r.varint() & 0xFFFF_FFFF)
            s.missingStart = try r.int()
            s.unfamiliar = Int(try r.varint() & 0xFFFF_FFFF)
            s.unfamiliarStart = try r.int()
            return s
        }
        try sharedAddresses.restore(from: &r) { (r: inout StateReader) throws(ReqwatchError) -> SharedAddress in
            var e = SharedAddress()
            e.count = try r.count(max: Self.sharedAddressUsers)
            e.users = (try r.u64(), try r.u64(), try r.u64())
            return e
        }
        let slots = try r.count(max: 1 << 24)
        let used = try r.count(max: slots)
        for _ in 0..<used {
            let k = try r.count(max: slots)
            let e = LastAgent(key: try r.u64(), agent: try r.u64(), pending: UInt32(truncatingIfNeeded: try r.varint()))
            if slots == lastAgent.count && k < lastAgent.count { lastAgent[k] = e }
        }
        let inputs = try r.count(max: 1 << 20)
        for _ in 0..<inputs {
            let input = try r.count(max: Int.max)
            presentByInput[input] = Int(try r.varint() & 0x7FFF_FFFF)
        }
    }

    /// Keys tracked, evictions and alerts.
    public var statistics: [(String, Int)] {
        [("suspicious-user-agent.clients", rotation.count),
         ("suspicious-user-agent.evictions", rotation.evictions + incidents.evictions),
         ("suspicious-user-agent.alerts", fired)]
    }
}
