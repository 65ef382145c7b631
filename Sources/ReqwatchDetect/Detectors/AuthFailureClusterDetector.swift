import ReqwatchCore

/// `auth-failure-cluster`: many 401/403 responses.
///
/// (a) Per client: `authClientThreshold` failures within `authClientWindow`, any method (a brute force or a
/// client probing forbidden resources). A mobile app retrying 3–5 times, or a person mistyping twice, stays below.
/// (b) Per route (method + template): `authRouteThreshold` distinct clients failing within `authRouteWindow` with a
/// failure ratio of at least `authRouteMinRatio` on that route (distributed credential stuffing). Clients are
/// counted by IP (IPv6 by prefix), and only failures without an authenticated user or bearer token count: those
/// are expired sessions (a mobile app's retries), not password guesses. (NCSA Basic-auth logs carry the
/// user even when the password was wrong, so Basic-auth stuffing in NCSA logs is seen by (a) only.)
public struct AuthFailureClusterDetector: Detector {
    /// The rule reported.
    public static var rule: Rule { .authFailureCluster }

    struct ClientState {
        var failures: SlidingCounter
        var n401 = 0
        var n403 = 0
        var methods: UInt16 = 0
        var first: Int64 = Int64.max
        var incident = Incident()
        /// Hashes of the user names a 401 claimed (HTTP Basic), at most `usersKept`.
        var users: [UInt64] = []
        /// Failures without a session (password guesses) over `authSlowWindow`: stuffing spread over hours.
        var slow: SlidingCounter
    }
    static let usersKept = 16
    struct RouteState {
        var total: SlidingCounter
        var failures: SlidingCounter
        var clients: [(UInt64, Int64)] = []
        var first: Int64 = Int64.max
        var incident = Incident()
    }

    private let config: DetectConfiguration
    private let identity: ClientIdentity
    private var clients: BoundedKeyTable<ClientState>
    private var routes: BoundedKeyTable<RouteState>
    private let ring: Int
    private var fired = 0

    /// A detector with `configuration`'s thresholds, windows and capacity.
    public init(configuration: DetectConfiguration) {
        config = configuration
        identity = ClientIdentity(ipv6Prefix: configuration.ipv6Prefix)
        clients = BoundedKeyTable(capacity: configuration.clientCapacity)
        routes = BoundedKeyTable(capacity: max(64, configuration.routeCapacity))
        ring = configuration.authRouteThreshold + 16
    }

    /// See `Detector.observe`.
    public mutating func observe(_ batch: borrowing RecordBatch, context: borrowing BatchContext, into alerts: inout [Alert]) {
        let n = min(batch.records.count, context.clientKeys.count)
        for i in 0..<n where !context.allowlisted[i] {
            let r = batch.records[i]
            guard r.time != .unknown else { continue }
            let now = r.time.microseconds
            let failed = r.status == 401 || r.status == 403
            let routeKey = context.routeKey(at: i) &+ UInt64(r.method.rawValue)
            if failed {
                observeClient(r, i, now, batch, context, &alerts)
                // Credential stuffing comes from unauthenticated clients (or Basic auth): a 401 carrying a user or a
                // bearer token is an expired session, which apps retry on their own.
                guard Self.countsForRoute(r, batch) else { continue }
                let d = routes.index(of: routeKey, now: now) {
                    RouteState(total: SlidingCounter(windowMicros: config.authRouteWindowMicros),
                               failures: SlidingCounter(windowMicros: config.authRouteWindowMicros))
                }
                routes.values[d].total.add(at: now)
                let nf = routes.values[d].failures.add(at: now)
                routes.values[d].first = min(routes.values[d].first, now)
                let ip = r.clientIP.isIPv4 ? r.clientIP : r.clientIP.masked(to: config.ipv6Prefix)
                let ck = ByteHash.combine(ip.high, ip.low)
                let from = now - config.authRouteWindowMicros
                var distinct = 0
                var seen = false
                for k in 0..<routes.values[d].clients.count {
                    if routes.values[d].clients[k].0 == ck {
                        routes.values[d].clients[k].1 = max(routes.values[d].clients[k].1, now)
                        seen = true
                    }
                    if routes.values[d].clients[k].1 >= from { distinct += 1 }
                }
                if !seen {
                    if routes.values[d].clients.count >= ring {
                        var oldest = 0
                        for (k, c) in routes.values[d].clients.enumerated() where c.1 < routes.values[d].clients[oldest].1 { oldest = k }
                        if routes.values[d].clients[oldest].1 >= from { distinct -= 1 }
                        routes.values[d].clients.remove(at: oldest)
                    }
                    routes.values[d].clients.append((ck, now))
                    distinct += 1
                }
                let total = routes.values[d].total.count
                let ratio = total > 0 ? Double(nf) / Double(total) : 0
                if distinct >= config.authRouteThreshold && ratio >= config.authRouteMinRatio
                    && routes.values[d].incident.shouldFire(at: now, cooldown: config.cooldownMicros)
                {
                    let route = context.routeName(at: i) ?? "?"
                    let method = r.method == .other ? (batch.string(r.methodText) ?? "OTHER") : r.method.name
                    var a = Alert(rule: Self.rule, timestamp: r.time,
                                  start: Timestamp(microseconds: max(routes.values[d].first, from)), end: r.time, severity: 4,
                                  message: "\(distinct) distinct clients failed authentication on \(method) \(route) within "
                                      + "\(humanDuration(config.authRouteWindowMicros)) (\(nf) of \(total) requests failed)",
                                  incidentKey: "route:\(method) \(route)")
                    a.sequence = routes.values[d].incident.sequence
                    a.count = a.sequence == 0 ? nf : 1 + routes.values[d].incident.carried
                    AlertFill.fill(&a, r, batch, route: route)
                    a.evidence = [
                        ("scope", .string("route")), ("distinct_clients", .int(distinct)), ("failures", .int(nf)),
                        ("requests", .int(total)), ("failure_ratio", .double(round2(ratio))),
                        ("samples", .array([AlertFill.sample(r, batch)])),
                    ]
                    alerts.append(a)
                    fired += 1
                }
            } else if let d = routes.index(of: routeKey) {
                routes.values[d].total.add(at: now)
            }
        }
    }

    private static let basic = Array("basic ".utf8)

    static func isBasic(_ h: HeaderField, _ batch: borrowing RecordBatch) -> Bool {
        batch.withBytes(h.value) { v in
            v.count >= 6 && ByteMatch.equals(UnsafeBufferPointer(rebasing: v[0..<6]), basic)
        }
    }

    /// Whether a failed request counts toward the per-route cluster: not an authenticated user forbidden (403)
    /// or an expired bearer session (401 with a token, which apps retry on their own), but an anonymous failure,
    /// or a login whose user name the server rejected (401 with HTTP Basic, or with only the claimed user).
    static func countsForRoute(_ r: RequestRecord, _ batch: borrowing RecordBatch) -> Bool {
        if let h = ClientIdentity.credentialHeader(r, batch) { return isBasic(h, batch) }
        if r.user.isPresent && r.user.count > 0 { return r.status == 401 }
        return true
    }

    /// A 401 whose user is only a claim: NCSA logs record the HTTP Basic user name even when the server rejected
    /// the password. Such failures belong to the address that sent them (one address spraying many user names
    /// is one client), not to each named user.
    static func claimedUser(_ r: RequestRecord, _ batch: borrowing RecordBatch) -> Bool {
        guard r.status == 401, r.user.isPresent, r.user.count > 0 else { return false }
        guard let h = ClientIdentity.credentialHeader(r, batch) else { return true }
        return isBasic(h, batch)
    }

    private mutating func observeClient(_ r: RequestRecord, _ i: Int, _ now: Int64, _ batch: borrowing RecordBatch,
                                        _ context: borrowing BatchContext, _ alerts: inout [Alert])
    {
        let claimed = Self.claimedUser(r, batch)
        let key = claimed ? identity.addressKey(r) : context.clientKeys[i]
        let d = clients.index(of: key, now: now) {
            ClientState(failures: SlidingCounter(windowMicros: config.authClientWindowMicros),
                        slow: SlidingCounter(windowMicros: config.authSlowWindowMicros))
        }
        let from = now - config.authClientWindowMicros
        if clients.values[d].first < now - config.authSlowWindowMicros && clients.values[d].slow.count(at: now) == 0 {
            clients.values[d].n401 = 0
            clients.values[d].n403 = 0
            clients.values[d].methods = 0
            clients.values[d].first = Int64.max
            clients.values[d].users.removeAll()
        }
        if claimed {
            let u = batch.hash(r.user, seed: 0x7573)
            if !clients.values[d].users.contains(u) && clients.values[d].users.count < Self.usersKept {
                clients.values[d].users.append(u)
            }
        }
        let count = clients.values[d].failures.add(at: now)
        let slowCount = Self.countsForRoute(r, batch) ? clients.values[d].slow.add(at: now) : clients.values[d].slow.count(at: now)
        if r.status == 401 { clients.values[d].n401 += 1 } else { clients.values[d].n403 += 1 }
        clients.values[d].methods |= 1 << UInt16(r.method.rawValue & 15)
        clients.values[d].first = min(clients.values[d].first, now)
        let spraying = clients.values[d].users.count >= config.authSprayUsers
        let slowly = slowCount >= config.authSlowThreshold
        // HTTP Basic guessing: an address that claimed a user name in a 401 keeps failing (CrowdSec fires at 5).
        let guessing = !clients.values[d].users.isEmpty && count >= config.authBasicThreshold
        guard count >= config.authClientThreshold || spraying || slowly || guessing,
              clients.values[d].incident.shouldFire(at: now, cooldown: config.cooldownMicros) else { return }
        let s = clients.values[d]
        let longRun = count < config.authClientThreshold && !guessing
        let client = claimed ? identity.describeAddress(r) : identity.describe(r, in: batch)
        let route = context.routeName(at: i)
        var methods: [JSONValue] = []
        for m in HTTPMethod.allCases where s.methods & (1 << UInt16(m.rawValue & 15)) != 0 { methods.append(.string(m.name)) }
        let shown = longRun ? max(slowCount, s.n401 + s.n403) : count
        let window = longRun ? config.authSlowWindowMicros : config.authClientWindowMicros
        var message = "\(client) received \(shown) 401/403 responses within \(humanDuration(window))"
        if s.users.count > 1 {
            message += " for \(s.users.count)\(s.users.count >= Self.usersKept ? "+" : "") user names (password spraying)"
        }
        var a = Alert(rule: Self.rule, timestamp: r.time,
                      start: Timestamp(microseconds: longRun ? s.first : max(s.first, from)), end: r.time,
                      severity: s.users.count > 1 ? 4 : 3, message: message, incidentKey: "client:\(client)")
        a.sequence = s.incident.sequence
        a.count = s.incident.sequence == 0 ? shown : 1 + s.incident.carried
        AlertFill.fill(&a, r, batch, route: route)
        a.evidence = [
            ("scope", .string("client")), ("client", .string(client)), ("failures", .int(shown)),
            ("pattern", .string(spraying ? "password-spraying" : guessing && count < config.authClientThreshold
                ? "basic-auth-guessing" : longRun ? "low-and-slow" : "burst")),
            ("status_401", .int(s.n401)), ("status_403", .int(s.n403)), ("methods", .array(methods)),
        ]
        if !s.users.isEmpty { a.evidence.append(("distinct_user_names", .int(s.users.count))) }
        a.evidence.append(("samples", .array([AlertFill.sample(r, batch)])))
        alerts.append(a)
        fired += 1
    }

    /// See `Detector.finish`.
    public mutating func finish(at time: Timestamp, into alerts: inout [Alert]) {}

    /// See `Detector.encodeState`: per client the failure window and counts, per route the request and failure
    /// windows and the recent failing clients; incidents with both.
    public func encodeState(into w: inout StateWriter, now: Int64) {
        let horizon = now &- max(config.authClientWindowMicros, config.authRouteWindowMicros, config.cooldownMicros,
                                 config.authSlowWindowMicros)
        clients.encode(into: &w, since: horizon) { w, s in
            s.failures.encode(into: &w)
            w.count(s.n401)
            w.count(s.n403)
            w.count(Int(s.methods))
            w.int(s.first)
            s.incident.encode(into: &w)
            w.count(s.users.count)
            for u in s.users { w.u64(u) }
            s.slow.encode(into: &w)
        }
        // Routes are few (bounded by the route capacity) and count successes without being marked seen: keep all.
        routes.encode(into: &w, since: Int64.min) { w, s in
            s.total.encode(into: &w)
            s.failures.encode(into: &w)
            w.pairs(s.clients)
            w.int(s.first)
            s.incident.encode(into: &w)
        }
    }

    /// See `Detector.restoreState`.
    public mutating func restoreState(from r: inout StateReader) throws(ReqwatchError) {
        let cw = config.authClientWindowMicros, rw = config.authRouteWindowMicros, ring = self.ring
        let slowWindow = config.authSlowWindowMicros
        try clients.restore(from: &r) { (r: inout StateReader) throws(ReqwatchError) -> ClientState in
            var s = ClientState(failures: try SlidingCounter.decode(from: &r, windowMicros: cw),
                                slow: SlidingCounter(windowMicros: slowWindow))
            s.n401 = Int(try r.varint() & 0xFFFF_FFFF)
            s.n403 = Int(try r.varint() & 0xFFFF_FFFF)
            s.methods = UInt16(truncatingIfNeeded: try r.varint())
            s.first = try r.int()
            s.incident = try Incident.decode(from: &r)
            let n = try r.count(max: Self.usersKept)
            for _ in 0..<n { s.users.append(try r.u64()) }
            s.slow = try SlidingCounter.decode(from: &r, windowMicros: slowWindow)
            return s
        }
        try routes.restore(from: &r) { (r: inout StateReader) throws(ReqwatchError) -> RouteState in
            var s = RouteState(total: try SlidingCounter.decode(from: &r, windowMicros: rw),
                               failures: try SlidingCounter.decode(from: &r, windowMicros: rw))
            s.clients = try r.pairs(max: 4096)
            if s.clients.count > ring { s.clients.removeFirst(s.clients.count - ring) }
            s.first = try r.int()
            s.incident = try Incident.decode(from: &r)
            return s
        }
    }

    /// Keys tracked, evictions and alerts.
    public var statistics: [(String, Int)] {
        [("auth-failure-cluster.clients", clients.count), ("auth-failure-cluster.evictions", clients.evictions + routes.evictions),
         ("auth-failure-cluster.alerts", fired)]
    }
}
