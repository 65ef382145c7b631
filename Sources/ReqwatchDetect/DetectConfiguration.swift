import ReqwatchCore
import Yams

/// Everything the detection stage can be told. The defaults work with no config file.
///
/// Durations are event-time microseconds. In YAML they are written as an integer number of seconds or as
/// `30s`, `10m`, `6h`, `1d`.
public struct DetectConfiguration: Sendable {
    /// Documented routes, from `--spec` or a baseline; nil = none (then ghost endpoints cannot be found).
    public var inventory: RouteInventory?
    /// Rule ids to run; default every rule in `DetectorRegistry`.
    public var enabledRules: Set<String> = Set(DetectorRegistry.all.map(\.rule.id))
    /// Event time between two raw alerts of one rule key: the rule re-reports an ongoing incident at most this
    /// often, and the incident tracker merges the reports into one incident.
    public var cooldownMicros: Int64 = 60_000_000
    /// Sections of rules that decode their own settings (`RuleConfiguration`), by rule id.
    public var ruleSections: [String: RuleSection] = [:]
    /// Which lines an incident writes (`opened`, `lifecycle` = opened/escalated/closed, `updates`).
    public var incidentLines: IncidentLines = .lifecycle
    /// An incident with no new evidence for this long (event time) is closed.
    public var incidentQuietMicros: Int64 = 1_800_000_000
    /// Escalation lines per incident with `lifecycle` (severity rose, or the count grew tenfold).
    public var incidentMaxEscalations = 1
    /// IPv6 clients are grouped by this prefix (bits).
    public var ipv6Prefix = 64
    /// Capacity of each per-client table (per detector).
    public var clientCapacity = 50_000
    /// Most route templates learned without a spec; beyond that, `{other}`.
    public var routeCapacity = 10_000

    // id-enumeration
    /// Fast walk: distinct ids per (client, route) within `enumWindow`.
    public var enumThreshold = 50
    public var enumWindowMicros: Int64 = 600_000_000
    /// Low and slow: distinct ids within `enumSlowWindow`.
    public var enumSlowThreshold = 100
    public var enumSlowWindowMicros: Int64 = 21_600_000_000
    /// Non-numeric ids (UUIDs, tokens) need this many distinct ids in the fast window.
    public var enumOpaqueThreshold = 120
    /// Numeric ids must cover at least this share of [min, max] (or have this 404 share).
    public var enumMinCoverage = 0.3
    public var enumMin404Share = 0.3

    // auth-failure-cluster
    /// Per client: 401/403 count within the window.
    public var authClientThreshold = 20
    public var authClientWindowMicros: Int64 = 300_000_000
    /// Per route: distinct failing clients within the window, with failure ratio at least `authRouteMinRatio`.
    /// Low and slow: failures without a session from one client within `authSlowWindow` (stuffing over hours).
    public var authSlowThreshold = 60
    public var authSlowWindowMicros: Int64 = 21_600_000_000
    /// Password spraying: distinct user names claimed in 401s (HTTP Basic) by one address.
    public var authSprayUsers = 10
    /// HTTP Basic guessing: 401s within `authClientWindow` from an address that claimed a user name.
    public var authBasicThreshold = 5
    public var authRouteThreshold = 30
    public var authRouteWindowMicros: Int64 = 600_000_000
    public var authRouteMinRatio = 0.5

    // unknown-endpoint
    /// Successful calls to one undocumented route before the ghost-endpoint alert.
    public var ghostThreshold = 1
    /// Distinct unknown paths per client within the window (mostly 404) for a probing client.
    public var probeThreshold = 10
    public var probeWindowMicros: Int64 = 600_000_000
    public var probeMin404Share = 0.5
    /// Extra probe path substrings (lowercased), added to `DetectLists.probePaths`.
    public var extraProbePaths: [String] = []

    // suspicious-user-agent
    /// Extra scanner user-agent substrings, added to `DetectLists.scannerAgents`.
    public var extraAgents: [String] = []
    /// Longer user agents are malformed.
    public var maxUserAgentLength = 1024
    /// Distinct user agents per client within the window (and at least half of its requests) = rotation.
    public var rotationThreshold = 8
    public var rotationWindowMicros: Int64 = 600_000_000
    /// Report missing (absent) user agents; only after the input has shown it logs them.
    public var flagMissingUserAgent = true
    /// Requests without a user agent from one client (within the rotation window) before it is reported.
    public var missingMinRequests = 3
    /// User-agent families (`AgentFamily`) seen in a baseline; nil = unknown, and then nothing is unfamiliar.
    public var knownAgentFamilies: Set<String>?
    /// Requests from one client with an agent family not in `knownAgentFamilies` (within the rotation window)
    /// before it is reported as unfamiliar.
    public var unfamiliarMinRequests = 10

    // allowlists
    public var allowCIDRs: [CIDR] = []
    public var allowUsers: Set<String> = []
    /// Lowercased user-agent substrings.
    public var allowUserAgents: [String] = []
    /// Route templates (`/export/{id}`) or `METHOD /route`.
    public var allowRoutes: [String] = []

    /// The defaults.
    public init() {}

    /// Applies the `detectors:` and `allowlist:` sections of the YAML config. Collects every problem (unknown key,
    /// wrong type, out of range) with its line, and applies the valid values.
    public mutating func apply(detectors: Yams.Node?, allowlist: Yams.Node?, file: String) -> [ConfigProblem] {
        var r = ConfigReader(file: file)
        if let detectors { applyDetectors(detectors, &r) }
        if let allowlist { applyAllowlist(allowlist, &r) }
        return r.problems
    }

    private mutating func applyDetectors(_ node: Node, _ r: inout ConfigReader) {
        guard let map = r.mapping(node, "detectors") else { return }
        for (k, v) in map {
            let key = k.string ?? ""
            let p = "detectors.\(key)"
            switch key {
            case "cooldown": if let d = r.duration(v, p) { cooldownMicros = d }
            case "incident-quiet": if let d = r.duration(v, p) { incidentQuietMicros = d }
            case "incident-escalations": if let i = r.int(v, p, 0...100) { incidentMaxEscalations = i }
            case "incident-lines":
                if let t = v.scalar?.string, let l = IncidentLines(rawValue: t) { incidentLines = l } else {
                    r.problem(v, p, "expected one of opened, lifecycle, updates")
                }
            case "ipv6-prefix": if let i = r.int(v, p, 1...128) { ipv6Prefix = i }
            case "client-capacity": if let i = r.int(v, p, 1...10_000_000) { clientCapacity = i }
            case "route-capacity": if let i = r.int(v, p, 1...1_000_000) { routeCapacity = i }
            case Rule.idEnumeration.id:
                var en: Bool? = nil
                defer { if let en { if en { enabledRules.insert(key) } else { enabledRules.remove(key) } } }
                r.section(v, p, enabled: &en) { k2, v2, p2, r in
                    switch k2 {
                    case "threshold": if let i = r.int(v2, p2, 2...100_000) { enumThreshold = i }
                    case "window": if let d = r.duration(v2, p2) { enumWindowMicros = d }
                    case "slow-threshold": if let i = r.int(v2, p2, 2...100_000) { enumSlowThreshold = i }
                    case "slow-window": if let d = r.duration(v2, p2) { enumSlowWindowMicros = d }
                    case "opaque-threshold": if let i = r.int(v2, p2, 2...100_000) { enumOpaqueThreshold = i }
                    case "min-coverage": if let f = r.ratio(v2, p2) { enumMinCoverage = f }
                    case "min-404-share": if let f = r.ratio(v2, p2) { enumMin404Share = f }
                    default: return false
                    }
                    return true
                }
            case Rule.authFailureCluster.id:
                var en: Bool? = nil
                defer { if let en { if en { enabledRules.insert(key) } else { enabledRules.remove(key) } } }
                r.section(v, p, enabled: &en) { k2, v2, p2, r in
                    switch k2 {
                    case "client-threshold": if let i = r.int(v2, p2, 1...1_000_000) { authClientThreshold = i }
                    case "slow-threshold": if let i = r.int(v2, p2, 1...1_000_000) { authSlowThreshold = i }
                    case "slow-window": if let d = r.duration(v2, p2) { authSlowWindowMicros = d }
                    case "spray-users": if let i = r.int(v2, p2, 2...16) { authSprayUsers = i }
                    case "basic-threshold": if let i = r.int(v2, p2, 1...1_000_000) { authBasicThreshold = i }
                    case "client-window": if let d = r.duration(v2, p2) { authClientWindowMicros = d }
                    case "route-threshold": if let i = r.int(v2, p2, 2...1_000) { authRouteThreshold = i }
                    case "route-window": if let d = r.duration(v2, p2) { authRouteWindowMicros = d }
                    case "route-min-ratio": if let f = r.ratio(v2, p2) { authRouteMinRatio = f }
                    default: return false
                    }
                    return true
                }
            case Rule.unknownEndpoint.id:
                var en: Bool? = nil
                defer { if let en { if en { enabledRules.insert(key) } else { enabledRules.remove(key) } } }
                r.section(v, p, enabled: &en) { k2, v2, p2, r in
                    switch k2 {
                    case "ghost-threshold": if let i = r.int(v2, p2, 1...1_000_000) { ghostThreshold = i }
                    case "probe-threshold": if let i = r.int(v2, p2, 2...1_000) { probeThreshold = i }
                    case "probe-window": if let d = r.duration(v2, p2) { probeWindowMicros = d }
                    case "probe-min-404-share": if let f = r.ratio(v2, p2) { probeMin404Share = f }
                    case "probe-paths": if let l = r.strings(v2, p2) { extraProbePaths = l.map { $0.lowercased() } }
                    default: return false
                    }
                    return true
                }
            case Rule.suspiciousUserAgent.id:
                var en: Bool? = nil
                defer { if let en { if en { enabledRules.insert(key) } else { enabledRules.remove(key) } } }
                r.section(v, p, enabled: &en) { k2, v2, p2, r in
                    switch k2 {
                    case "agents": if let l = r.strings(v2, p2) { extraAgents = l.map { $0.lowercased() } }
                    case "max-length": if let i = r.int(v2, p2, 16...1_000_000) { maxUserAgentLength = i }
                    case "rotation-threshold": if let i = r.int(v2, p2, 2...1_000) { rotationThreshold = i }
                    case "rotation-window": if let d = r.duration(v2, p2) { rotationWindowMicros = d }
                    case "flag-missing": if let b = r.bool(v2, p2) { flagMissingUserAgent = b }
                    case "missing-min-requests": if let i = r.int(v2, p2, 1...1_000_000) { missingMinRequests = i }
                    case "unfamiliar-min-requests": if let i = r.int(v2, p2, 1...1_000_000) { unfamiliarMinRequests = i }
                    case "known-families": if let l = r.strings(v2, p2) { knownAgentFamilies = (knownAgentFamilies ?? []).union(l.map { $0.lowercased() }) }
                    default: return false
                    }
                    return true
                }
            default:
                if let entry = DetectorRegistry.all.first(where: { $0.rule.id == key }), let validate = entry.validate {
                    if let b = v.bool, v.scalar != nil {
                        if b { enabledRules.insert(key) } else { enabledRules.remove(key) }
                        continue
                    }
                    if let e = v.mapping?["enabled"] {
                        if let b = r.bool(e, "\(p).enabled") {
                            if b { enabledRules.insert(key) } else { enabledRules.remove(key) }
                        }
                    }
                    let section = RuleSection(node: v, file: r.file)
                    ruleSections[key] = section
                    r.problems += validate(section)
                } else {
                    let known = ["cooldown", "ipv6-prefix", "client-capacity", "route-capacity", "incident-quiet",
                                 "incident-escalations", "incident-lines"] + DetectorRegistry.all.map(\.rule.id)
                    let near = known.min { editDistance($0, key) < editDistance($1, key) }
                    let hint = near.flatMap { editDistance($0, key) <= 3 ? " (did you mean \($0)?)" : nil } ?? ""
                    r.problem(k, p, "unknown key\(hint)")
                }
            }
        }
    }

    /// Keys of each config section, for "did you mean" on an unknown key.
    static let sectionKeys: [String: [String]] = [
        "detectors.\(Rule.idEnumeration.id)": ["enabled", "threshold", "window", "slow-threshold", "slow-window",
                                               "opaque-threshold", "min-coverage", "min-404-share"],
        "detectors.\(Rule.authFailureCluster.id)": ["enabled", "client-threshold", "client-window", "route-threshold",
                                                    "route-window", "route-min-ratio"],
        "detectors.\(Rule.unknownEndpoint.id)": ["enabled", "ghost-threshold", "probe-threshold", "probe-window",
                                                 "probe-min-404-share", "probe-paths"],
        "detectors.\(Rule.suspiciousUserAgent.id)": ["enabled", "agents", "max-length", "rotation-threshold",
                                                     "rotation-window", "flag-missing", "missing-min-requests",
                                                     "unfamiliar-min-requests", "known-families"],
        "allowlist": ["cidrs", "ips", "users", "user-agents", "routes"],
    ]

    /// `unknown key (did you mean 'threshold'?; known: …)` for the dotted `path` of a key.
    static func unknownKey(_ path: String) -> String {
        let section = path.lastIndex(of: ".").map { String(path[..<$0]) } ?? ""
        let key = path.lastIndex(of: ".").map { String(path[path.index(after: $0)...]) } ?? path
        guard let known = sectionKeys[section] else { return "unknown key" }
        return "unknown key" + didYouMean(key, known) + " (known: \(known.joined(separator: ", ")))"
    }

    private mutating func applyAllowlist(_ node: Node, _ r: inout ConfigReader) {
        guard let map = r.mapping(node, "allowlist") else { return }
        for (k, v) in map {
            let key = k.string ?? ""
            let p = "allowlist.\(key)"
            switch key {
            case "cidrs", "ips":
                guard let seq = r.sequence(v, p) else { continue }
                for (i, item) in seq.enumerated() {
                    if let s = item.string, let c = CIDR(s) { allowCIDRs.append(c) } else {
                        r.problem(item, "\(p)[\(i)]", "expected an IP address or CIDR (a.b.c.d/n)")
                    }
                }
            case "users": if let l = r.strings(v, p) { allowUsers.formUnion(l) }
            case "user-agents": if let l = r.strings(v, p) { allowUserAgents += l.map { $0.lowercased() } }
            case "routes":
                if let l = r.strings(v, p) {
                    for (i, s) in l.enumerated() {
                        if s.hasPrefix("/") || s.split(separator: " ").last?.hasPrefix("/") == true { allowRoutes.append(s) } else {
                            r.problem(v, "\(p)[\(i)]", "expected `/route` or `METHOD /route`")
                        }
                    }
                }
            default: r.problem(k, p, Self.unknownKey(p))
            }
        }
    }
}

/// Collects problems while reading YAML config values.
struct ConfigReader {
    var file: String
    var problems: [ConfigProblem] = []

    mutating func problem(_ node: Node, _ path: String, _ message: String) {
        problems.append(ConfigProblem(file: file, line: node.mark?.line, path: path, message: message))
    }

    mutating func mapping(_ node: Node, _ path: String) -> Node.Mapping? {
        if case .scalar(let s) = node, s.string.isEmpty || s.string == "~" || s.string == "null" { return nil }
        guard let m = node.mapping else { problem(node, path, "expected a mapping"); return nil }
        return m
    }

    mutating func sequence(_ node: Node, _ path: String) -> Node.Sequence? {
        guard let s = node.sequence else { problem(node, path, "expected a list"); return nil }
        return s
    }

    mutating func strings(_ node: Node, _ path: String) -> [String]? {
        guard let s = sequence(node, path) else { return nil }
        var out: [String] = []
        for (i, item) in s.enumerated() {
            guard let v = item.scalar?.string, !v.isEmpty else { problem(item, "\(path)[\(i)]", "expected a non-empty string"); continue }
            out.append(v)
        }
        return out
    }

    mutating func int(_ node: Node, _ path: String, _ range: ClosedRange<Int>) -> Int? {
        guard node.scalar != nil, let i = node.int else { problem(node, path, "expected an integer"); return nil }
        guard range.contains(i) else {
            problem(node, path, "out of range (\(range.lowerBound)...\(range.upperBound))")
            return nil
        }
        return i
    }

    mutating func ratio(_ node: Node, _ path: String) -> Double? {
        guard node.scalar != nil, let f = node.float else { problem(node, path, "expected a number"); return nil }
        guard f >= 0 && f <= 1 else { problem(node, path, "out of range (0...1)"); return nil }
        return f
    }

    mutating func bool(_ node: Node, _ path: String) -> Bool? {
        guard node.scalar != nil, let b = node.bool else { problem(node, path, "expected true or false"); return nil }
        return b
    }

    /// `30`, `30s`, `10m`, `6h`, `1d` → µs; must be positive and at most 30 days.
    mutating func duration(_ node: Node, _ path: String) -> Int64? {
        guard let s = node.scalar?.string, !s.isEmpty else { problem(node, path, "expected a duration (30s, 10m, 6h)"); return nil }
        var digits = Substring(s)
        var unit: Int64 = 1
        switch s.last {
        case "s": unit = 1; digits = digits.dropLast()
        case "m": unit = 60; digits = digits.dropLast()
        case "h": unit = 3600; digits = digits.dropLast()
        case "d": unit = 86_400; digits = digits.dropLast()
        default: break
        }
        guard let v = Int64(digits), v > 0, v * unit <= 30 * 86_400 else {
            problem(node, path, "expected a positive duration up to 30d (30s, 10m, 6h)")
            return nil
        }
        return v * unit * 1_000_000
    }

    /// Reads a detector section: `enabled` toggles the rule; other keys go to `body` (false = unknown key).
    mutating func section(_ node: Node, _ path: String, enabled: inout Bool?,
                          _ body: (String, Node, String, inout ConfigReader) -> Bool)
    {
        if let b = node.bool, node.scalar != nil {
            enabled = b
            return
        }
        guard let map = mapping(node, path) else { return }
        for (k, v) in map {
            let key = k.string ?? ""
            let p = "\(path).\(key)"
            if key == "enabled" {
                if let b = bool(v, p) { enabled = b }
                continue
            }
            if !body(key, v, p, &self) { problem(k, p, DetectConfiguration.unknownKey(p)) }
        }
    }
}
