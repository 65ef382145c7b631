import ReqwatchCore

/// `unknown-endpoint`: traffic to routes that are not in the inventory.
///
/// Ghost endpoint (needs an inventory): an undocumented route (method + template) that answers 2xx
/// `ghostThreshold` times gets one alert, ever (callers, statuses, sample clients). Probing client (works without
/// an inventory): one client requesting a known-sensitive probe path (`DetectLists.probePaths`, traversal in the
/// path or query), or `probeThreshold` distinct unknown paths (not in the inventory; without one, paths answered
/// 404) within `probeWindow`, mostly 404. One alert per probing client per cooldown. Static assets, health checks
/// and `OPTIONS` are never ghost endpoints nor unknown paths.
public struct UnknownEndpointDetector: Detector {
    /// The rule reported.
    public static var rule: Rule { .unknownEndpoint }

    struct ClientState {
        var paths: [UInt64] = []
        var windowStart: Int64 = Int64.min
        var notFound = 0
        var incident = Incident()
    }
    struct GhostState {
        var ok = 0
        var calls = 0
        var statuses: [(UInt16, Int)] = []
        var callers: [UInt64] = []
        var sampleClients: [String] = []
        var first: Int64 = Int64.max
        var alerted = false
        /// Event time of the last report (the finding is refreshed at most once per cooldown while calls go on).
        var lastReport: Int64 = Int64.min
        var reportedOK = 0
        var last: Int64 = Int64.min
        /// The last report, refreshed at end of input so the incident closes with the whole picture.
        var report: Alert?
        var label = ""
    }

    static func ghostMessage(_ label: String, ok: Int, callers: Int) -> String {
        "undocumented endpoint \(label) answered \(ok) successful request\(ok == 1 ? "" : "s") from \(callers) client(s)"
    }

    private let config: DetectConfiguration
    private let identity: ClientIdentity
    private let hasInventory: Bool
    private var clients: BoundedKeyTable<ClientState>
    private var ghosts: BoundedKeyTable<GhostState>
    private var fired = 0
    private static let traversal = DetectLists.bytes(["../", "..%2f", "%2e%2e", "..\\", "..%5c", "/etc/passwd"])

    /// A detector with `configuration`'s thresholds; ghost endpoints only when it has an inventory.
    public init(configuration: DetectConfiguration) {
        config = configuration
        identity = ClientIdentity(ipv6Prefix: configuration.ipv6Prefix)
        hasInventory = configuration.inventory != nil
        clients = BoundedKeyTable(capacity: configuration.clientCapacity)
        ghosts = BoundedKeyTable(capacity: max(64, configuration.routeCapacity))
    }

    /// See `Detector.observe`.
    public mutating func observe(_ batch: borrowing RecordBatch, context: borrowing BatchContext, into alerts: inout [Alert]) {
        let n = min(batch.records.count, context.clientKeys.count)
        for i in 0..<n where !context.allowlisted[i] {
            let r = batch.records[i]
            guard r.method != .options, r.time != .unknown else { continue }
            let flags = context.flags(at: i)
            if flags & (RouteFlags.staticAsset | RouteFlags.health) != 0 { continue }
            let now = r.time.microseconds
            var sensitive = flags & RouteFlags.probe != 0
            var reason = "sensitive-path"
            var pattern: String? = nil
            if !sensitive && r.query.isPresent && r.query.count >= 2 {
                sensitive = batch.withBytes(r.query) { ByteMatch.firstMatch($0, Self.traversal) != nil }
                if !sensitive && batch.withBytes(r.query, { Self.isAuthorEnumeration($0) }) {
                    sensitive = true
                    reason = "user-enumeration"
                }
            }
            // A backup or dump name that is not there, asked in the way sweepers ask (HEAD, no agent, or a backup-like
            // name): a backup-file sweep (`HEAD /www.zip`, `/site.sql.gz`). A person who mistypes one download is not.
            if !sensitive && (r.status == 404 || r.status == 403) && r.path.isPresent
                && batch.withBytes(r.path, { Self.isArchiveName($0) })
                && (r.method == .head || !r.userAgent.isPresent || r.userAgent.count == 0
                    || batch.withBytes(r.path) { ByteMatch.firstMatch($0, Self.backupWords) != nil })
                && !(r.userAgent.isPresent && batch.withBytes(r.userAgent) { ByteMatch.firstMatch($0, AgentFamily.botWords) != nil })
            {
                // A backup or dump name that is not there: a backup-file sweep (`/www.zip`, `/site.sql.gz`).
                sensitive = true
                reason = "backup-file"
            } else if !sensitive && r.method == .connect {
                // CONNECT to a web server: someone looking for an open proxy.
                sensitive = true
                reason = "proxy-probe"
            } else if !sensitive && r.query.isPresent && batch.withBytes(r.query, { Self.isRemoteInclusion($0) }) {
                sensitive = true
                reason = "injection-payload"
                pattern = "remote-file-inclusion"
            } else if !sensitive && r.method == .none && r.methodText.isPresent {
                // A request line that is not HTTP at all: protocol probes and scanners (TLS on a plain port, RAT
                // beacons, binary junk).
                sensitive = true
                reason = "malformed-request"
            } else if !sensitive, let k = injection(r, batch) {
                sensitive = true
                reason = "injection-payload"
                pattern = DetectLists.urlInjectionPatterns[k]
            }
            let known = hasInventory && context.routeKnown[i]
            if sensitive {
                let d = clients.index(of: context.clientKeys[i], now: now) { ClientState() }
                if clients.values[d].incident.shouldFire(at: now, cooldown: config.cooldownMicros) {
                    emitProbe(r, i, batch, context, reason: reason, pattern: pattern, distinct: clients.values[d].paths.count,
                              notFound: clients.values[d].notFound, sequence: clients.values[d].incident.sequence,
                              count: 1 + clients.values[d].incident.carried, &alerts)
                }
                continue
            }
            if known { continue }
            let unknownPath = hasInventory || r.status == 404
            // A self-declared crawler following stale links answers 404s by the dozen: not a probe (a crawler
            // that asks for a sensitive path is still caught above).
            let crawler = unknownPath && r.userAgent.isPresent
                && batch.withBytes(r.userAgent) { ByteMatch.firstMatch($0, AgentFamily.botWords) != nil }
            if unknownPath && !crawler {
                let d = clients.index(of: context.clientKeys[i], now: now) { ClientState() }
                if clients.values[d].windowStart == Int64.min || now - clients.values[d].windowStart > config.probeWindowMicros {
                    clients.values[d].windowStart = now
                    clients.values[d].paths.removeAll(keepingCapacity: true)
                    clients.values[d].notFound = 0
                }
                let ph = batch.hash(r.path)
                if !clients.values[d].paths.contains(ph) && clients.values[d].paths.count < config.probeThreshold + 8 {
                    clients.values[d].paths.append(ph)
                    if r.status == 404 { clients.values[d].notFound += 1 }
                }
                let distinct = clients.values[d].paths.count
                let share = distinct > 0 ? Double(clients.values[d].notFound) / Double(distinct) : 0
                if distinct >= config.probeThreshold && share >= config.probeMin404Share
                    && clients.values[d].incident.shouldFire(at: now, cooldown: config.cooldownMicros)
                {
                    emitProbe(r, i, batch, context, reason: "many-unknown-paths", distinct: distinct,
                              notFound: clients.values[d].notFound, sequence: clients.values[d].incident.sequence,
                              count: distinct + clients.values[d].incident.carried, &alerts)
                }
            }
            // Ghost endpoints: an undocumented route that answers.
            guard hasInventory, context.routeIDs[i] != RouteTemplater.otherRoute, context.routeIDs[i] >= 0,
                flags & RouteFlags.apiLike != 0 else { continue }
            let ok = r.status >= 200 && r.status < 300
            let gk = context.routeKey(at: i) &+ UInt64(r.method.rawValue)
            var d: Int
            if let e = ghosts.index(of: gk) { d = e } else {
                guard ok else { continue }
                d = ghosts.index(of: gk, now: now) { GhostState() }
            }
            ghosts.values[d].last = max(ghosts.values[d].last, now)
            if ghosts.values[d].alerted && now &- ghosts.values[d].lastReport < config.cooldownMicros {
                ghosts.values[d].calls += 1
                if ok { ghosts.values[d].ok += 1 }
                let ck = context.clientKeys[i]
                if !ghosts.values[d].callers.contains(ck) && ghosts.values[d].callers.count < 32 {
                    ghosts.values[d].callers.append(ck)
                }
                continue
            }
            ghosts.values[d].calls += 1
            ghosts.values[d].first = min(ghosts.values[d].first, now)
            if let k = ghosts.values[d].statuses.firstIndex(where: { $0.0 == r.status }) {
                ghosts.values[d].statuses[k].1 += 1
            } else if ghosts.values[d].statuses.count < 8 {
                ghosts.values[d].statuses.append((r.status, 1))
            }
            let ck = context.clientKeys[i]
            if !ghosts.values[d].callers.contains(ck) && ghosts.values[d].callers.count < 32 {
                ghosts.values[d].callers.append(ck)
                if ghosts.values[d].sampleClients.count < 3 { ghosts.values[d].sampleClients.append(identity.describe(r, in: batch)) }
            }
            if ok { ghosts.values[d].ok += 1 }
            if ghosts.values[d].ok >= config.ghostThreshold {
                ghosts.values[d].alerted = true
                ghosts.values[d].lastReport = now
                let newCalls = ghosts.values[d].ok - ghosts.values[d].reportedOK
                ghosts.values[d].reportedOK = ghosts.values[d].ok
                let g = ghosts.values[d]
                let route = context.routeName(at: i) ?? "?"
                let method = r.method == .other ? (batch.string(r.methodText) ?? "OTHER") : r.method.name
                var a = Alert(rule: Self.rule, timestamp: r.time, start: Timestamp(microseconds: g.first), end: r.time, severity: 3,
                              message: Self.ghostMessage("\(method) \(route)", ok: g.ok, callers: g.callers.count),
                              incidentKey: "ghost:\(method) \(route)")
                a.isFinding = true
                a.count = newCalls
                AlertFill.fill(&a, r, batch, route: route)
                a.evidence = [
                    ("kind", .string("ghost-endpoint")), ("calls", .int(g.calls)), ("successful", .int(g.ok)),
                    ("callers", .int(g.callers.count)),
                    ("statuses", .object(g.statuses.map { (String($0.0), JSONValue.int($0.1)) })),
                    ("sample_clients", .array(g.sampleClients.map { .string($0) })),
                    ("samples", .array([AlertFill.sample(r, batch)])),
                ]
                ghosts.values[d].report = a
                ghosts.values[d].label = "\(method) \(route)"
                alerts.append(a)
                fired += 1
            }
        }
    }

    /// See `Detector.finish`: ghost routes called again since their last report are reported once more, so their
    /// incidents close with every call counted.
    public mutating func finish(at time: Timestamp, into alerts: inout [Alert]) {
        for d in ghosts.values.indices {
            let g = ghosts.values[d]
            guard var a = g.report, g.ok > g.reportedOK else { continue }
            a.count = g.ok - g.reportedOK
            a.end = Timestamp(microseconds: g.last)
            a.timestamp = a.end
            a.message = Self.ghostMessage(g.label, ok: g.ok, callers: g.callers.count)
            for k in a.evidence.indices {
                switch a.evidence[k].0 {
                case "calls": a.evidence[k].1 = .int(g.calls)
                case "successful": a.evidence[k].1 = .int(g.ok)
                case "callers": a.evidence[k].1 = .int(g.callers.count)
                default: break
                }
            }
            ghosts.values[d].reportedOK = g.ok
            alerts.append(a)
        }
    }

    private mutating func emitProbe(_ r: RequestRecord, _ i: Int, _ batch: borrowing RecordBatch, _ context: borrowing BatchContext,
                                    reason: String, pattern: String? = nil, distinct: Int, notFound: Int, sequence: Int,
                                    count: Int, _ alerts: inout [Alert])
    {
        let client = identity.describe(r, in: batch)
        let route = context.routeName(at: i)
        let msg: String
        switch reason {
        case "sensitive-path": msg = "\(client) probed a known-sensitive path (\(route ?? "?"))"
        case "injection-payload": msg = "\(client) sent an injection payload (\(pattern ?? "?")) in the URL of \(route ?? "?")"
        case "malformed-request": msg = "\(client) sent a request line that is not HTTP (a protocol probe or scanner)"
        case "proxy-probe": msg = "\(client) sent CONNECT (looking for an open proxy)"
        case "backup-file": msg = "\(client) looked for a backup or dump file (\(route ?? "?"))"
        case "user-enumeration": msg = "\(client) enumerated user accounts (?author=N on \(route ?? "?"))"
        default:
            msg = "\(client) requested \(distinct) distinct unknown paths within \(humanDuration(config.probeWindowMicros)) (\(notFound) answered 404)"
        }
        var a = Alert(rule: Self.rule, timestamp: r.time, start: r.time, end: r.time, severity: reason == "many-unknown-paths" ? 2 : 3,
                      message: msg, incidentKey: "probe:\(client)")
        a.sequence = sequence
        a.count = count
        if reason != "many-unknown-paths" {
            // The same probe from many addresses (a distributed sweep) is one campaign: keyed by what was sent
            // (the reason and its pattern) and by the agent that sent it.
            let agent = batch.string(r.userAgent).map { String($0.prefix(200)) } ?? "-"
            // Sensitive files and backup names are one behaviour (a file sweep), whichever list matched.
            let family = reason == "backup-file" ? "sensitive-path" : reason
            a.campaignKey = "probe:\(family):\(pattern ?? "")|agent:\(agent)"
        }
        AlertFill.fill(&a, r, batch, route: route)
        a.evidence = [
            ("kind", .string("probing-client")), ("reason", .string(reason)), ("client", .string(client)),
            ("distinct_unknown_paths", .int(distinct)), ("not_found", .int(notFound)),
        ]
        if let pattern { a.evidence.append(("pattern", .string(pattern))) }
        if reason == "sensitive-path"
            && (context.flags(at: i) & RouteFlags.evasion != 0 || batch.withBytes(r.path) { Self.oddSegments($0) })
        {
            a.evidence.append(("evasion", .bool(true)))
        }
        a.evidence += [
            ("samples", .array([AlertFill.sample(r, batch)])),
        ]
        alerts.append(a)
        fired += 1
    }

    static let archiveSuffixes: [[UInt8]] = DetectLists.bytes([
        ".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".rar", ".7z", ".sql", ".sql.gz", ".sql.zip", ".bak", ".old",
        ".backup", ".dump", ".swp", ".sqlite", ".sqlite3", ".db", ".mdb",
    ])

    static let backupWords: [[UInt8]] = DetectLists.bytes([
        "backup", "bak", "dump", "www", "site", "web", "wwwroot", "htdocs", "public_html", "sql", "database", "db.",
        "old", "archive",
    ])

    /// The last segment of `path` ends like an archive, dump or editor backup (case-insensitive).
    static func isArchiveName(_ path: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = path.count
        guard n >= 4, path[n - 1] != UInt8(ascii: "/") else { return false }
        for suffix in archiveSuffixes where suffix.count < n {
            var match = true
            for k in 0..<suffix.count where ByteMatch.lower(path[n - suffix.count + k]) != suffix[k] {
                match = false
                break
            }
            if match { return true }
        }
        return false
    }

    /// A URL handed to a parameter and cut off with a trailing `?` (`?page=http://evil/shell.txt?`): remote file
    /// inclusion, where the `?` turns whatever the script appends into a query of the attacker's URL.
    static func isRemoteInclusion(_ q: UnsafeBufferPointer<UInt8>) -> Bool {
        guard q.count > 12 else { return false }
        let last = q[q.count - 1]
        let cut = last == UInt8(ascii: "?")
            || (q.count > 3 && q[q.count - 3] == UInt8(ascii: "%") && q[q.count - 2] == UInt8(ascii: "3")
                && (q[q.count - 1] | 0x20) == UInt8(ascii: "f"))
        return cut && ByteMatch.firstMatch(q, remoteSchemes) != nil
    }
    static let remoteSchemes: [[UInt8]] = DetectLists.bytes(["=http://", "=https://", "=ftp://", "=http%3a", "=https%3a"])

    /// `author=N` (WordPress user enumeration: `/?author=1` redirects to the user's slug).
    private static let authorParam = Array("author=".utf8)

    static func isAuthorEnumeration(_ q: UnsafeBufferPointer<UInt8>) -> Bool {
        let name = authorParam  // a constant: no array built per query
        guard q.count > name.count else { return false }
        for k in 0..<name.count where ByteMatch.lower(q[k]) != name[k] { return false }
        return q[name.count] >= 0x30 && q[name.count] <= 0x39
    }

    /// Whether a path has empty or `.` segments or backslashes (`//.git/config`, `/./.env`): the route name
    /// hides them, so a probe written so is checked here for the evasion flag.
    static func oddSegments(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        var prev: UInt8 = 0
        for (k, c) in p.enumerated() {
            if c == UInt8(ascii: "\\") || (c == UInt8(ascii: "/") && prev == UInt8(ascii: "/")) { return true }
            if c == UInt8(ascii: "/") && prev == UInt8(ascii: ".") && k >= 2 && p[k - 2] == UInt8(ascii: "/") { return true }
            prev = c
        }
        return false
    }

    /// Index in `DetectLists.urlInjectionPatterns` of a payload in the path or query, matched on the decoded,
    /// lower-cased URL (percent-decoding applied twice, `+` as space, `/**/` and runs of spaces as one space).
    /// Only URLs holding a byte that such payloads need (`%`, `<`, quotes, `(`, `$`, `;`, `|`, backtick, `*`, `+`, `:`)
    /// are decoded.
    private mutating func injection(_ r: RequestRecord, _ batch: borrowing RecordBatch) -> Int? {
        func trigger(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
            for c in b {
                switch c {
                case UInt8(ascii: "%"), UInt8(ascii: "<"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "("),
                     UInt8(ascii: "$"), UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "`"), UInt8(ascii: "*"),
                     UInt8(ascii: "+"), UInt8(ascii: ":"):
                    return true
                default: continue
                }
            }
            return false
        }
        let inPath = batch.withBytes(r.path) { trigger($0) }
        let inQuery = r.query.isPresent && batch.withBytes(r.query) { trigger($0) }
        guard inPath || inQuery else { return nil }
        decoded.removeAll(keepingCapacity: true)
        if inPath { batch.withBytes(r.path) { Self.decodeURL($0, into: &decoded, scratch: &decodeScratch) } }
        if inQuery {
            decoded.append(UInt8(ascii: "?"))
            batch.withBytes(r.query) { Self.decodeURL($0, into: &decoded, scratch: &decodeScratch) }
        }
        return decoded.withUnsafeBufferPointer { ByteMatch.firstMatch($0, Self.urlInjections) }
    }

    private var decoded: [UInt8] = []
    private var decodeScratch: [UInt8] = []
    private static let urlInjections = DetectLists.bytes(DetectLists.urlInjectionPatterns)

    /// Appends `b` decoded for matching (capped at 4 KiB): two rounds of percent-decoding, `+` → space, ASCII
    /// lower-case, `/**/` and whitespace runs → one space.
    /// `scratch` holds the first round (reused across calls: no allocation per record).
    static func decodeURL(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], scratch once: inout [UInt8]) {
        once.removeAll(keepingCapacity: true)
        var i = 0
        while i < b.count && once.count < 4096 {
            let c = b[i]
            if c == UInt8(ascii: "%"), i + 2 < b.count, let h = HexDigit.value(b[i + 1]), let l = HexDigit.value(b[i + 2]) {
                once.append(h << 4 | l)
                i += 3
            } else {
                once.append(c == UInt8(ascii: "+") ? 0x20 : c)
                i += 1
            }
        }
        i = 0
        var lastSpace = false
        while i < once.count {
            var c = once[i]
            var step = 1
            if c == UInt8(ascii: "%"), i + 2 < once.count, let h = HexDigit.value(once[i + 1]), let l = HexDigit.value(once[i + 2]) {
                c = h << 4 | l
                step = 3
            } else if c == UInt8(ascii: "/"), i + 3 < once.count, once[i + 1] == UInt8(ascii: "*"), once[i + 2] == UInt8(ascii: "*"),
                      once[i + 3] == UInt8(ascii: "/")
            {
                c = 0x20
                step = 4
            }
            if (c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) || c == 0x7F {
                i += step  // control bytes (`uni%00on sel%1bect`) hide nothing
                continue
            }
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == UInt8(ascii: "+") && step == 3 {
                if !lastSpace { out.append(0x20) }
                lastSpace = true
            } else {
                out.append(ByteMatch.lower(c))
                lastSpace = false
            }
            i += step
        }
    }


    /// See `Detector.encodeState`: per client the unknown paths of its window and the incident; every ghost route
    /// (they alert once ever, so none is left out).
    public func encodeState(into w: inout StateWriter, now: Int64) {
        clients.encode(into: &w, since: now &- max(config.probeWindowMicros, config.cooldownMicros)) { w, s in
            w.count(s.paths.count)
            for p in s.paths { w.u64(p) }
            w.int(s.windowStart)
            w.count(s.notFound)
            s.incident.encode(into: &w)
        }
        ghosts.encode(into: &w, since: Int64.min) { w, g in
            w.count(g.ok)
            w.count(g.calls)
            w.count(g.statuses.count)
            for (st, n) in g.statuses {
                w.count(Int(st))
                w.count(n)
            }
            w.count(g.callers.count)
            for c in g.callers { w.u64(c) }
            w.count(g.sampleClients.count)
            for c in g.sampleClients { w.string(c) }
            w.int(g.first)
            w.bool(g.alerted)
            w.int(g.lastReport)
            w.count(g.reportedOK)
            w.int(g.last)
            w.string(g.label)
            w.bool(g.report != nil)
            if let a = g.report { IncidentTracker.encode(a, into: &w) }
        }
    }

    /// See `Detector.restoreState`.
    public mutating func restoreState(from r: inout StateReader) throws(ReqwatchError) {
        try clients.restore(from: &r) { (r: inout StateReader) throws(ReqwatchError) -> ClientState in
            var s = ClientState()
            let n = try r.count(max: 4096)
            for _ in 0..<n { s.paths.append(try r.u64()) }
            s.windowStart = try r.int()
            s.notFound = Int(try r.varint() & 0xFFFF_FFFF)
            s.incident = try Incident.decode(from: &r)
            return s
        }
        try ghosts.restore(from: &r) { (r: inout StateReader) throws(ReqwatchError) -> GhostState in
            var g = GhostState()
            g.ok = Int(try r.varint() & 0xFFFF_FFFF)
            g.calls = Int(try r.varint() & 0xFFFF_FFFF)
            let ns = try r.count(max: 8)
            for _ in 0..<ns { g.statuses.append((UInt16(truncatingIfNeeded: try r.varint()), Int(try r.varint() & 0xFFFF_FFFF))) }
            let nc = try r.count(max: 32)
            for _ in 0..<nc { g.callers.append(try r.u64()) }
            let nsc = try r.count(max: 3)
            for _ in 0..<nsc { g.sampleClients.append(try r.string(max: 1024)) }
            g.first = try r.int()
            g.alerted = try r.bool()
            g.lastReport = try r.int()
            g.reportedOK = try r.count(max: Int.max)
            g.last = try r.int()
            g.label = try r.string()
            if try r.bool() { g.report = try IncidentTracker.decodeAlert(from: &r, rules: [Self.rule]) }
            return g
        }
    }

    /// Keys tracked, evictions and alerts.
    public var statistics: [(String, Int)] {
        [("unknown-endpoint.clients", clients.count), ("unknown-endpoint.evictions", clients.evictions + ghosts.evictions),
         ("unknown-endpoint.alerts", fired)]
    }
}
