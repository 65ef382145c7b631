import ReqwatchCore

/// `sensitive-action-rate`: one client calling a sensitive action (log in, password reset, OTP or verification
/// code, sign-up, token creation, export) more often than `threshold` times within `window` on one route.
///
/// A route is sensitive when a segment of its template holds one of `patterns` (by default the words below), or when
/// the spec marks the operation `x-reqwatch-sensitive: true` (`false` turns a matching route off). Only requests that
/// perform the action count (any method but GET, HEAD and OPTIONS, unless the spec marks a GET operation sensitive),
/// and not those refused with 401/403, which belong to `auth-failure-cluster` (one attack, one incident).
/// Clients are keyed like every rule (user or token when the log has one, else the address); an address whose calls of
/// one action come with 4 or more different user agents is taken for a NAT (an office, a carrier) and not reported.
///
/// Config (`detectors.sensitive-action-rate`): `threshold` (default 30), `window` (10m), `patterns` (list).
public struct SensitiveActionRateDetector: Detector {
    public static let rule = Rule(
        id: "sensitive-action-rate", name: "Rate exceeded on a sensitive action",
        categories: ["web", "authentication", "intrusion_detection"], techniqueID: "T1110", techniqueName: "Brute Force")

    /// This rule's section of the config file.
    public struct Configuration: RuleConfiguration, Equatable {
        public var threshold: Int
        public var windowMicros: Int64
        /// A burst on a login route: `burstThreshold` calls within `burstWindow` (a password-guessing script; a
        /// WordPress login answers a wrong password with 200, so only the pace shows it).
        public var burstThreshold: Int
        public var burstWindowMicros: Int64
        public var patterns: [String]

        public static let defaultPatterns = [
            "login", "signin", "sign-in", "logon", "session", "sessions", "token", "tokens", "password", "passwords",
            "reset", "forgot", "otp", "verify", "verification", "2fa", "mfa", "totp", "signup", "sign-up", "register",
            "registration", "export", "exports", "api-keys", "apikeys",
        ]
        /// Route words that mean logging in, where a burst is password guessing.
        static let loginWords = ["login", "signin", "logon", "session", "sessions", "token"]

        public init(_ s: inout RuleSettings) {
            threshold = s.int("threshold", default: 30, 2...1_000_000)
            windowMicros = s.duration("window", default: 600_000_000)
            burstThreshold = s.int("burst-threshold", default: 8, 2...1_000_000)
            burstWindowMicros = s.duration("burst-window", default: 10_000_000)
            patterns = s.strings("patterns", default: Self.defaultPatterns).map { $0.lowercased() }
        }
    }

    struct State {
        var calls: SlidingCounter
        var burst: SlidingCounter
        var statuses: [(UInt16, Int)] = []
        var first: Int64 = Int64.max
        var incident = Incident()
        /// Hashes of the user agents seen on this key (at most `agentsKept`).
        var agents: [UInt64] = []
    }
    /// Distinct agents on one address and action that mark a shared address (office or carrier NAT).
    static let agentsKept = 4

    private let config: Configuration
    private let identity: ClientIdentity
    /// Per inventory operation: 1 marked sensitive, 0 marked not sensitive, -1 not marked.
    private let operationMarks: [Int8]
    private let cooldown: Int64
    private var table: BoundedKeyTable<State>
    /// Per route id: 0 not yet classified, 1 sensitive, 2 not.
    private var routeClass: [UInt8] = []
    private var fired = 0

    public init(_ detect: DetectConfiguration, _ configuration: Configuration) {
        config = configuration
        identity = ClientIdentity(ipv6Prefix: detect.ipv6Prefix)
        operationMarks = (detect.inventory?.routes ?? []).map { r in
            guard let v = r.extensions["sensitive"]?.lowercased() else { return -1 }
            return v == "true" || v == "yes" ? 1 : 0
        }
        cooldown = detect.cooldownMicros
        table = BoundedKeyTable(capacity: detect.clientCapacity)
    }

    public mutating func observe(_ batch: borrowing RecordBatch, context: borrowing BatchContext, into alerts: inout [Alert]) {
        let n = min(batch.records.count, context.clientKeys.count)
        for i in 0..<n where !context.allowlisted[i] {
            let r = batch.records[i]
            // 401/403 are `auth-failure-cluster`'s: one attack, one incident.
            guard r.time != .unknown, context.routeIDs[i] >= 0, r.status != 401, r.status != 403 else { continue }
            let marked = marking(context, i)
            if marked == false { continue }
            if marked == nil {
                if r.method == .get || r.method == .head || r.method == .options || r.method == .none { continue }
                guard isSensitive(route: Int(context.routeIDs[i]), context) else { continue }
            }
            let now = r.time.microseconds
            let key = ByteHash.combine(context.clientKeys[i], context.routeKey(at: i) &+ UInt64(r.method.rawValue))
            let burstWindow = config.burstWindowMicros
            let d = table.index(of: key, now: now) {
                State(calls: SlidingCounter(windowMicros: config.windowMicros), burst: SlidingCounter(windowMicros: burstWindow))
            }
            let count = table.values[d].calls.add(at: now)
            let burst = table.values[d].burst.add(at: now)
            let isLogin = routeClass.indices.contains(Int(context.routeIDs[i])) && loginRoute(Int(context.routeIDs[i]), context)
            let bursting = isLogin && burst >= config.burstThreshold
            if table.values[d].first < now - config.windowMicros && count == 1 { table.values[d].statuses.removeAll() }
            table.values[d].first = min(table.values[d].first, now)
            if let k = table.values[d].statuses.firstIndex(where: { $0.0 == r.status }) {
                table.values[d].statuses[k].1 += 1
            } else if table.values[d].statuses.count < 8 {
                table.values[d].statuses.append((r.status, 1))
            }
            if table.values[d].agents.count < Self.agentsKept {
                let ua = r.userAgent.isPresent ? batch.hash(r.userAgent, seed: 0x7361) : 0
                if !table.values[d].agents.contains(ua) { table.values[d].agents.append(ua) }
            }
            // Many different agents on one address doing the same action: people behind a NAT, not one client.
            guard table.values[d].agents.count < Self.agentsKept else { continue }
            guard count >= config.threshold || bursting,
                  table.values[d].incident.shouldFire(at: now, cooldown: cooldown) else { continue }
            let s = table.values[d]
            let client = identity.describe(r, in: batch)
            let route = context.routeName(at: i) ?? "?"
            let method = r.method == .other ? (batch.string(r.methodText) ?? "OTHER") : r.method.name
            var a = Alert(rule: Self.rule, timestamp: r.time,
                          start: Timestamp(microseconds: max(s.first, now - config.windowMicros)), end: r.time,
                          severity: 3,
                          message: count >= config.threshold
                              ? "\(client) called the sensitive action \(method) \(route) \(count) times within "
                                  + humanDuration(config.windowMicros) + " (limit \(config.threshold))"
                              : "\(client) called the login \(method) \(route) \(burst) times within "
                                  + humanDuration(config.burstWindowMicros) + " (password guessing; limit \(config.burstThreshold))",
                          incidentKey: "client:\(client)|route:\(method) \(route)")
            a.count = s.incident.sequence == 0 ? count : 1 + s.incident.carried
            AlertFill.fill(&a, r, batch, route: route)
            a.evidence = [
                ("client", .string(client)), ("calls", .int(count)), ("limit", .int(config.threshold)),
                ("statuses", .object(s.statuses.map { (String($0.0), JSONValue.int($0.1)) })),
                ("samples", .array([AlertFill.sample(r, batch)])),
            ]
            alerts.append(a)
            fired += 1
        }
    }

    /// The spec's `x-reqwatch-sensitive` for the record's operation, if it says (read once per operation at init).
    private func marking(_ context: borrowing BatchContext, _ i: Int) -> Bool? {
        guard i < context.operations.count, context.operations[i] >= 0, Int(context.operations[i]) < operationMarks.count
        else { return nil }
        switch operationMarks[Int(context.operations[i])] {
        case 1: return true
        case 0: return false
        default: return nil
        }
    }

    /// Whether route `id` (already classified sensitive) is a login route.
    private func loginRoute(_ id: Int, _ context: borrowing BatchContext) -> Bool {
        guard routeClass[id] == 1 || routeClass[id] == 3 else { return false }
        return routeClass[id] == 3
    }

    /// Whether a segment of route `id`'s template holds one of the patterns (classified once per route; 3 marks a
    /// login route).
    private mutating func isSensitive(route id: Int, _ context: borrowing BatchContext) -> Bool {
        if id >= routeClass.count { routeClass += [UInt8](repeating: 0, count: id + 1 - routeClass.count) }
        if routeClass[id] == 0 {
            let name = id < context.routeNames.count ? context.routeNames[id].lowercased() : ""
            let words = name.split { $0 == "/" || $0 == "_" || $0 == "." }
            let hit = words.contains { w in
                !w.hasPrefix("{") && config.patterns.contains { p in w == p || w.split(separator: "-").contains { $0 == p } }
            }
            let login = hit && words.contains { w in
                w == "sign-in" || w.split(separator: "-").contains { Configuration.loginWords.contains(String($0)) }
            }
            routeClass[id] = login ? 3 : hit ? 1 : 2
        }
        return routeClass[id] == 1 || routeClass[id] == 3
    }

    public mutating func finish(at time: Timestamp, into alerts: inout [Alert]) {}

    public var statistics: [(String, Int)] {
        [("sensitive-action-rate.keys", table.count), ("sensitive-action-rate.evictions", table.evictions),
         ("sensitive-action-rate.alerts", fired)]
    }

    public func encodeState(into w: inout StateWriter, now: Int64) {
        table.encode(into: &w, since: now &- max(config.windowMicros, cooldown)) { w, s in
            s.calls.encode(into: &w)
            s.burst.encode(into: &w)
            w.int(s.first)
            w.count(s.statuses.count)
            for (st, c) in s.statuses {
                w.count(Int(st))
                w.count(c)
            }
            s.incident.encode(into: &w)
            w.count(s.agents.count)
            for a in s.agents { w.u64(a) }
        }
    }

    public mutating func restoreState(from r: inout StateReader) throws(ReqwatchError) {
        let window = config.windowMicros, burstWindow = config.burstWindowMicros
        try table.restore(from: &r) { (r: inout StateReader) throws(ReqwatchError) -> State in
            var s = State(calls: try SlidingCounter.decode(from: &r, windowMicros: window),
                          burst: try SlidingCounter.decode(from: &r, windowMicros: burstWindow))
            s.first = try r.int()
            for _ in 0..<(try r.count(max: 8)) {
                s.statuses.append((UInt16(truncatingIfNeeded: try r.count(max: 65_535)), try r.count(max: Int.max)))
            }
            s.incident = try Incident.decode(from: &r)
            for _ in 0..<(try r.count(max: Self.agentsKept)) { s.agents.append(try r.u64()) }
            return s
        }
    }
}
