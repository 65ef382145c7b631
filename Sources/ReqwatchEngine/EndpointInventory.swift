import ReqwatchCore
import ReqwatchDetect

/// `reqwatch endpoints`: what the logs show of each (method, route template), compared with the spec.
///
/// Route templating is the detectors' own (`RouteInventory.match` with a spec or baseline, `RouteTemplater`
/// without), so the audit and the alerts agree. State is bounded: at most `capacity` rows (the rest is counted in
/// `overflowRequests`), at most `clientCap` distinct clients and `agentCap` user agents tracked per row.
public struct EndpointInventory {
    public enum Category: String, Sendable, CaseIterable {
        /// Undocumented, and it answers (2xx/3xx): delete, restrict or document it.
        case ghost = "undocumented-answering"
        /// Documented as deprecated and still called.
        case zombie = "deprecated-called"
        /// Undocumented and only failing (4xx/5xx): probes.
        case probe = "undocumented-failing"
        case documented = "documented-used"
        /// Documented, never called.
        case orphan = "documented-unused"
        /// Static assets, health checks, OPTIONS preflight: never ghosts.
        case infrastructure = "infrastructure"
        /// No spec or baseline to compare with.
        case observed = "observed"
    }

    public struct Row: Sendable {
        public var method: String
        public var route: String
        public var category: Category = .observed
        public var requests = 0
        public var status = [0, 0, 0, 0, 0]  // 1xx-or-other, 2xx, 3xx, 4xx, 5xx
        public var authenticated = 0
        public var clients = Set<UInt64>()
        public var clientsCapped = false
        /// The last client counted (a repeat needs no set lookup).
        var lastClient: UInt64?
        public var firstSeen: Timestamp?
        public var lastSeen: Timestamp?
        public var agents: [UInt64: (name: String, count: Int)] = [:]
        public var documented = false
        public var deprecated = false
        /// Answers to clients without authentication (2xx/3xx without a user or Authorization header).
        public var unauthenticatedSuccess = 0

        var distinctClients: Int { clients.count }
        var success: Int { status[1] + status[2] }
        var topAgents: [(String, Int)] { agents.values.sorted { $0.count > $1.count || ($0.count == $1.count && $0.name < $1.name) }.prefix(3).map { ($0.name, $0.count) } }
        /// Riskiest first: ghosts answering unauthenticated clients, then ghosts, zombies, probes, the rest.
        var risk: Int {
            switch category {
            case .ghost: return 4_000_000 + min(unauthenticatedSuccess, 999_999) * 2 + min(success, 999_999) / 1000
            case .zombie: return 3_000_000 + min(requests, 999_999)
            case .probe: return 2_000_000 + min(requests, 999_999)
            case .documented, .observed: return 1_000_000 + min(requests, 999_999)
            case .infrastructure: return 500_000 + min(requests, 499_999)
            case .orphan: return 0
            }
        }
    }

    public let spec: RouteInventory?
    public let capacity: Int
    public let clientCap = 10_000
    public let agentCap = 32
    private var templater = RouteTemplater()
    private var index: [UInt64: Int] = [:]
    public private(set) var rows: [Row] = []
    public private(set) var overflowRequests = 0
    public private(set) var records = 0
    /// Requests per user-agent family (`AgentFamily`), at most `familyCap` families; for baselines.
    public var agentFamilies: [String: Int] {
        var out: [String: Int] = [:]
        for (k, name) in familyNames.enumerated() where familyCounts[k] > 0 { out[name] = familyCounts[k] }
        return out
    }
    private var familyCounts: [Int] = []
    public let familyCap = 2_000
    /// User-agent hash → index into `familyNames` (bounded): a family name is made once per distinct agent.
    private var familyOfAgent: [UInt64: Int32] = [:]
    private var familyNames: [String] = []

    public init(spec: RouteInventory?, capacity: Int = 20_000) {
        self.spec = spec
        self.capacity = capacity
    }

    public mutating func observe(_ batch: borrowing RecordBatch) {
        for r in batch.records {
            records += 1
            let agentHash = batch.hash(r.userAgent)
            countFamily(r, batch, agentHash: agentHash)
            var routeName: String?
            var documented = false
            var deprecated = false
            var key: UInt64 = 0
            let methodName = r.method == .other ? (batch.string(r.methodText) ?? "OTHER") : r.method.name
            batch.withBytes(r.path) { path in
                if let spec, let m = spec.match(method: r.method, path: path) {
                    key = ByteHash.combine(UInt64(m.templateIndex) &+ 1, UInt64(r.method.rawValue))
                    if index[key] == nil {
                        routeName = spec.templates[m.templateIndex]
                        if let ri = m.routeIndex {
                            documented = true
                            deprecated = spec.routes[ri].deprecated
                        }
                    }
                } else {
                    let (id, _) = templater.route(for: path)
                    key = ByteHash.combine(UInt64(UInt32(bitPattern: id)) | 1 << 40, UInt64(r.method.rawValue))
                    if index[key] == nil { routeName = templater.names[Int(id)] }
                }
            }
            if r.method == .other { key = ByteHash.combine(key, batch.hash(r.methodText)) }
            var rowIndex: Int
            if let i = index[key] {
                rowIndex = i
            } else {
                guard rows.count < capacity else { overflowRequests += 1; continue }
                var row = Row(method: methodName, route: routeName ?? "/")
                row.documented = documented
                row.deprecated = deprecated
                rows.append(row)
                rowIndex = rows.count - 1
                index[key] = rowIndex
            }
            Self.update(&rows[rowIndex], r, batch, agentHash: agentHash, clientCap: clientCap, agentCap: agentCap)
        }
    }

    private mutating func countFamily(_ r: RequestRecord, _ batch: borrowing RecordBatch, agentHash h: UInt64) {
        guard r.userAgent.isPresent, r.userAgent.count > 0 else { return }
        var f = familyOfAgent[h]
        if f == nil && familyOfAgent.count < 100_000 {
            guard let name = batch.withBytes(r.userAgent, { AgentFamily.name($0) }) else { return }
            if let k = familyNames.firstIndex(of: name) {
                f = Int32(k)
            } else if familyNames.count < familyCap {
                familyNames.append(name)
                familyCounts.append(0)
                f = Int32(familyNames.count - 1)
            }
            if let f { familyOfAgent[h] = f }
        }
        if let f { familyCounts[Int(f)] += 1 }
    }

    /// Static: an instance method called with `&rows[i]` made Swift copy `self` (and so the whole `rows` array,
    /// copy-on-write) on every record, which made the inventory 10× slower than the scan.
    private static func update(_ row: inout Row, _ r: RequestRecord, _ batch: borrowing RecordBatch, agentHash: UInt64,
                               clientCap: Int, agentCap: Int) {
        row.requests += 1
        let cls = Int(r.status / 100)
        row.status[(cls >= 2 && cls <= 5) ? cls - 1 : 0] += 1
        var authed = r.user.isPresent && r.user.count > 0
        if !authed && r.headerCount > 0 {
            for h in batch.headers[Int(r.headerStart)..<Int(r.headerStart + r.headerCount)] {
                if batch.withBytes(h.name, { asciiEqualsLower($0, "authorization") || asciiEqualsLower($0, "x-api-key") }) {
                    authed = true
                    break
                }
            }
        }
        if authed { row.authenticated += 1 } else if cls == 2 || cls == 3 { row.unauthenticatedSuccess += 1 }
        let client = authed && r.user.isPresent ? batch.hash(r.user, seed: 1) : ByteHash.combine(r.clientIP.high, r.clientIP.low)
        // Runs of requests from one client to one route are common: skip the set for a repeat.
        if client != row.lastClient {
            row.lastClient = client
            if row.clients.count < clientCap { row.clients.insert(client) } else if !row.clients.contains(client) { row.clientsCapped = true }
        }
        if row.firstSeen.map({ r.time < $0 }) ?? true { row.firstSeen = r.time }
        if row.lastSeen.map({ r.time > $0 }) ?? true { row.lastSeen = r.time }
        let ua = agentHash
        if let e = row.agents[ua] {
            row.agents[ua] = (e.name, e.count + 1)
        } else if row.agents.count < agentCap {
            row.agents[ua] = (batch.string(r.userAgent).map { String($0.prefix(200)) } ?? "-", 1)
        }
    }

    /// Classifies rows against the spec (or baseline) and adds the documented routes nobody called.
    public func finished() -> [Row] {
        var out = rows
        for i in out.indices {
            let row = out[i]
            if isInfrastructure(row) { out[i].category = .infrastructure; continue }
            guard spec != nil else { out[i].category = .observed; continue }
            if row.documented { out[i].category = row.deprecated ? .zombie : .documented } else {
                out[i].category = row.success > 0 ? .ghost : .probe
            }
        }
        if let spec {
            var called = Set<String>()
            for r in rows where r.documented { called.insert(r.method + " " + r.route) }
            for route in spec.routes {
                let m = route.method?.name ?? "ANY"
                if route.method == nil ? !rows.contains(where: { $0.route == route.template && $0.documented }) : !called.contains(m + " " + route.template) {
                    var row = Row(method: m, route: route.template)
                    row.documented = true
                    row.deprecated = route.deprecated
                    row.category = .orphan
                    out.append(row)
                }
            }
        }
        return out.sorted { a, b in
            a.risk != b.risk ? a.risk > b.risk : (a.route != b.route ? a.route < b.route : a.method < b.method)
        }
    }

    private func isInfrastructure(_ row: Row) -> Bool {
        if row.method == "OPTIONS" { return true }
        let lower = row.route.lowercased()
        if DetectLists.staticFiles.contains(lower) || lower.hasPrefix("/.well-known/") { return true }
        if let dot = lower.lastIndex(of: "."), !lower[dot...].contains("/") {
            let ext = String(lower[lower.index(after: dot)...])
            if DetectLists.staticExtensions.contains(ext) || DetectLists.staticExtensions.contains("." + ext) { return true }
        }
        let last = lower.split(separator: "/").last.map(String.init) ?? ""
        return DetectLists.healthSegments.contains(last)
    }
}

@inline(__always) func asciiEqualsLower(_ b: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
    guard b.count == s.utf8CodeUnitCount else { return false }
    let p = s.utf8Start
    for i in 0..<b.count {
        var c = b[i]
        if c >= 65 && c <= 90 { c += 32 }
        if c != p[i] { return false }
    }
    return true
}
