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
    /// Per route id: bit per method raw value allowlisted (0xFFFF = every method).
    private var routeAllow: [UInt16] = []
    private var inventoryRouteIDs: [Int32] = []
    private var allowUserHashes: Set<UInt64> = []
    private var allowUA: [[UInt8]] = []
    private var idEnum: IDEnumerationDetector
    private var auth: AuthFailureClusterDetector
    private var unknown: UnknownEndpointDetector
    private var agents: SuspiciousUserAgentDetector
    private let runIDEnum: Bool, runAuth: Bool, runUnknown: Bool, runAgents: Bool
    private var additional: [any Detector]
    private var records = 0
    private var lastTime = Timestamp.unknown

    /// Builds the enabled detectors from `configuration`.
    /// - Throws: `.config` when an enabled rule id is unknown.
    public init(configuration: DetectConfiguration, additional: [any Detector] = []) throws(ReqwatchError) {
        config = configuration
        identity = ClientIdentity(ipv6Prefix: configuration.ipv6Prefix)
        let on = configuration.enabledRules
        runIDEnum = on.contains(Rule.idEnumeration.id)
        runAuth = on.contains(Rule.authFailureCluster.id)
        runUnknown = on.contains(Rule.unknownEndpoint.id)
        runAgents = on.contains(Rule.suspiciousUserAgent.id)
        idEnum = IDEnumerationDetector(configuration: configuration)
        auth = AuthFailureClusterDetector(configuration: configuration)
        unknown = UnknownEndpointDetector(configuration: configuration)
        agents = SuspiciousUserAgentDetector(configuration: configuration)
        templater = RouteTemplater(capacity: configuration.routeCapacity)
        self.additional = additional
        let known: Set<String> = [Rule.idEnumeration.id, Rule.authFailureCluster.id, Rule.unknownEndpoint.id,
                                  Rule.suspiciousUserAgent.id, Rule.exposedCredential.id]
        let bad = configuration.enabledRules.subtracting(known)
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
            routeFlags.append(routeFlags.isEmpty ? 0 : classifier.classify(name))
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
            context.routeKnown.append(known)
            context.idRanges.append(idRange)
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
        let firstNew = alerts.count
        if runIDEnum { idEnum.observe(batch, context: context, into: &alerts) }
        if runAuth { auth.observe(batch, context: context, into: &alerts) }
        if runUnknown { unknown.observe(batch, context: context, into: &alerts) }
        if runAgents { agents.observe(batch, context: context, into: &alerts) }
        for k in additional.indices { additional[k].observe(batch, context: context, into: &alerts) }
        context.routeFlags = []
        // This batch's alerts in event-time order (stable: ties keep detector order).
        if alerts.count - firstNew > 1 {
            let sorted = alerts[firstNew...].enumerated().sorted {
                $0.element.timestamp != $1.element.timestamp ? $0.element.timestamp < $1.element.timestamp : $0.offset < $1.offset
            }.map(\.element)
            alerts.replaceSubrange(firstNew..., with: sorted)
        }
    }

    /// End of input: lets every detector close open windows and emit pending alerts.
    public mutating func finish(into alerts: inout [Alert]) {
        let t = lastTime
        if runIDEnum { idEnum.finish(at: t, into: &alerts) }
        if runAuth { auth.finish(at: t, into: &alerts) }
        if runUnknown { unknown.finish(at: t, into: &alerts) }
        if runAgents { agents.finish(at: t, into: &alerts) }
        for k in additional.indices { additional[k].finish(at: t, into: &alerts) }
    }

    /// Route templates known (spec and learned), for the `endpoints` command and tests.
    public var routeNames: [String] { templater.names }

    /// Per-detector counters for the run summary, including evictions from bounded tables.
    public var statistics: [(String, Int)] {
        var s: [(String, Int)] = [("detect.records", records), ("detect.routes", templater.count),
                                  ("detect.routes-overflowed", templater.overflowed)]
        if runIDEnum { s += idEnum.statistics }
        if runAuth { s += auth.statistics }
        if runUnknown { s += unknown.statistics }
        if runAgents { s += agents.statistics }
        for d in additional { s += d.statistics }
        return s
    }
}
