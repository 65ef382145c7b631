import ReqwatchCore

/// `exposed-credential`: a secret in a URL query string or path (token/password/api key param names, or value rules
/// such as JWT/AWS/GitHub/Stripe/Slack/Google keys in the URL). Reports one finding per (route, param, location, kind),
/// refreshed at most once a minute of event time for the incident tracker with rule Rule.exposedCredential, naming route (context.routeName(at:)), kind, parameter,
/// never the value (at most an HMAC fingerprint "hmac:…" when a key is configured). Bounded state (capacity + eviction).
///
/// Personal data (e-mail, phone, card, SSN) in a URL is redacted from storage but does not fire this rule.
public struct ExposedCredentialDetector: Detector {
    public static let rule = Rule.exposedCredential
    /// Event-time cooldown per (client, route, parameter, kind).
    public static let cooldownMicros: Int64 = 60_000_000

    private let redactor: Redactor
    private let capacity: Int
    /// Key hash → event time (µs) of the last alert.
    private var lastFired: [UInt64: Int64] = [:]
    /// Key hash → exposures since its last alert.
    private var suppressed: [UInt64: Int] = [:]
    private var evicted = 0
    private var fired = 0

    /// - Parameters:
    ///   - redactor: supplies the key and value rules, and the HMAC key for fingerprints.
    ///   - capacity: most (client, route, parameter, kind) keys remembered; at capacity, keys past their
    ///     cooldown are dropped first, then the oldest half.
    public init(redactor: Redactor, capacity: Int = 100_000) {
        self.redactor = redactor
        self.capacity = max(1, capacity)
    }

    public var statistics: [(String, Int)] {
        [("exposed-credential.alerts", fired), ("exposed-credential.keys", lastFired.count), ("exposed-credential.evictions", evicted)]
    }

    public mutating func finish(at time: Timestamp, into alerts: inout [Alert]) {}

    /// See `Detector.encodeState`: the keys still in their cooldown at `now`.
    public func encodeState(into w: inout StateWriter, now: Int64) {
        let live = lastFired.filter { now == Int64.min || now &- $0.value < Self.cooldownMicros }.sorted { $0.key < $1.key }
        w.count(live.count)
        for (k, t) in live {
            w.u64(k)
            w.int(t)
        }
    }

    /// See `Detector.restoreState`.
    public mutating func restoreState(from r: inout StateReader) throws(ReqwatchError) {
        let n = try r.count(max: r.remaining / 9)
        for _ in 0..<n {
            let k = try r.u64()
            let t = try r.int()
            if lastFired.count < capacity { lastFired[k] = t }
        }
    }

    /// One credential found in a URL.
    struct Finding {
        var parameter: String
        var location: String
        var kind: SecretKind
        var fingerprint: String?
    }

    public mutating func observe(_ batch: borrowing RecordBatch, context: borrowing BatchContext, into alerts: inout [Alert]) {
        let scratch = Scratch()
        for (index, record) in batch.records.enumerated() {
            guard record.query.isPresent || record.path.isPresent else { continue }
            // Fast path: most requests have no query and only short path segments; every credential format
            // recognised in a path is at least 16 bytes long, so those records need no scanning.
            // Likewise a query of short plain pairs under harmless names (`page=2&sort=asc`) holds none.
            let longSegment = batch.withBytes(record.path) { Self.hasLongSegment($0) }
            if !longSegment {
                if !record.query.isPresent || record.query.count == 0 { continue }
                if !batch.withBytes(record.query, { redactor.queryMayHoldCredential($0) }) { continue }
            }
            var findings: [Finding] = []
            batch.withBytes(record.query) { q in
                batch.withBytes(record.path) { p in
                    redactor.credentialFindings(path: p, query: q, s: scratch, into: &findings)
                }
            }
            if findings.isEmpty { continue }
            let t = record.time.microseconds
            let routeName = context.routeName(at: index)
            for f in findings {
                // One finding per route + parameter + location (any client): the incident tracker merges the
                // refreshes into one incident; `suppressed` carries the exposures between two refreshes.
                let k = ByteHash.combine(
                    ByteHash.combine(ByteHash.hash(routeName ?? ""), ByteHash.hash(f.location)),
                    ByteHash.combine(ByteHash.hash(f.parameter), UInt64(f.kind.rawValue)))
                if let last = lastFired[k], abs(t &- last) < Self.cooldownMicros {
                    suppressed[k, default: 0] += 1
                    continue
                }
                if lastFired[k] == nil && lastFired.count >= capacity { evict(now: t) }
                lastFired[k] = t
                fired += 1
                var a = makeAlert(record, in: batch, route: routeName, finding: f)
                a.count = 1 + (suppressed.removeValue(forKey: k) ?? 0)
                alerts.append(a)
            }
        }
    }

    /// True when some `/`-separated segment of `path` is 16 bytes or longer.
    @inline(__always) static func hasLongSegment(_ path: UnsafeBufferPointer<UInt8>) -> Bool {
        var run = 0
        for b in path {
            if b == UInt8(ascii: "/") { run = 0 } else {
                run += 1
                if run >= 16 { return true }
            }
        }
        return false
    }

    private mutating func evict(now: Int64) {
        let before = lastFired.count
        lastFired = lastFired.filter { now >= $0.value && now - $0.value < Self.cooldownMicros }
        suppressed = suppressed.filter { lastFired[$0.key] != nil }
        if lastFired.count >= capacity {
            let sorted = lastFired.sorted { $0.value < $1.value }
            for (k, _) in sorted.prefix(lastFired.count / 2 + 1) { lastFired[k] = nil }
        }
        evicted += before - lastFired.count
    }

    private func makeAlert(_ r: RequestRecord, in batch: borrowing RecordBatch, route: String?, finding f: Finding) -> Alert {
        var audit = RedactionAudit()
        let path = batch.string(r.path).map { redactor.redact(text: $0, field: "path", audit: &audit) }
        let where_ = f.location == "path" ? "URL path" : "URL query parameter '\(f.parameter)'"
        let routeText = route ?? path ?? "/"
        var evidence: [(String, JSONValue)] = [
            ("kind", .string(f.kind.name)), ("parameter", .string(f.parameter)), ("location", .string(f.location)),
        ]
        if let fp = f.fingerprint { evidence.append(("fingerprint", .string(fp))) }
        var ip: [UInt8] = []
        r.clientIP.write(into: &ip)
        let ipText = String(decoding: ip, as: UTF8.self)
        var alert = Alert(
            rule: Self.rule, timestamp: r.time, start: r.time, end: r.time, severity: f.kind.isStrongCredential ? 4 : 3,
            message: "Credential (\(f.kind.name)) exposed in \(where_) on \(routeText)",
            incidentKey: "route:\(routeText)|param:\(f.parameter)|location:\(f.location)|kind:\(f.kind.name)",
            evidence: evidence)
        alert.isFinding = true
        alert.sourceIP = r.clientIP == .unspecified ? nil : ipText
        alert.method = r.method == .none ? nil : (r.method == .other ? batch.string(r.methodText) : r.method.name)
        alert.route = route
        alert.path = path
        alert.statusCode = r.status == 0 ? nil : Int(r.status)
        if let ua = batch.string(r.userAgent) { alert.userAgent = redactor.redact(text: ua, field: "user_agent", audit: &audit) }
        return alert
    }
}

extension SecretKind {
    /// A format-recognised credential (JWT, provider keys, …) rather than a value under a sensitive name.
    var isStrongCredential: Bool {
        switch self {
        case .jwt, .bearer, .basic, .awsAccessKey, .awsSecretKey, .githubToken, .stripeKey, .slackToken, .slackWebhook,
            .googleAPIKey, .privateKey:
            true
        default: false
        }
    }
}

extension Redactor {
    /// Credentials in a URL: query parameters with a sensitive name or a credential-format value, and path
    /// segments with a credential-format value or an opaque token after a keyword segment. Parameter names that
    /// look odd or secret become `*`.
    func credentialFindings(
        path: UnsafeBufferPointer<UInt8>, query: UnsafeBufferPointer<UInt8>, s: Scratch,
        into findings: inout [ExposedCredentialDetector.Finding]
    ) {
        s.field.removeAll(keepingCapacity: true)
        // Query: reuse the redactor and read its explain log.
        s.explain = []
        if s.audit.total > 0 { s.audit = RedactionAudit() }
        if !query.isEmpty { _ = redactQuery(query, base: "query", s: s, into: &s.field) }
        if !path.isEmpty { _ = redactPath(path, base: "path", s: s, into: &s.field) }
        guard let hits = s.explain, !hits.isEmpty else { return }
        for h in hits {
            guard let kind = SecretKind.allCases.first(where: { $0.name == h.kind }), kind.isCredential else { continue }
            let isQuery = h.field.hasPrefix("query")
            let param = isQuery ? (h.field.hasPrefix("query.") ? String(h.field.dropFirst(6)) : "") : ""
            if findings.contains(where: { $0.parameter == param && $0.kind == kind }) { continue }
            // Parameters that carry a one-time value in the URL by design (OAuth `code`/`state`, pre-signed URL
            // signatures) are redacted from storage but are not an exposure.
            if h.rule != "value:" + kind.name && Self.byDesignParameters.contains(param.lowercased().filter { $0 != "-" && $0 != "_" }) {
                continue
            }
            findings.append(.init(parameter: param, location: isQuery ? "query" : "path", kind: kind, fingerprint: nil))
        }
        if hmacKey != nil, !findings.isEmpty {
            // Fingerprint: HMAC of the decoded parameter value (query) — computed only when a key exists.
            for idx in findings.indices where findings[idx].location == "query" {
                let name = Array(findings[idx].parameter.utf8)
                findings[idx].fingerprint = queryValueFingerprint(query, name: name)
            }
        }
    }

    /// Whether `q` could hold a credential the query redaction would report; false only when every pair is short
    /// (key and value under 12 bytes: the shortest credential format recognised, `bearer` plus an 8-byte token,
    /// is 15), has no percent-encoding, `+`, `=` or `:` in its value (nested `name=value`), and a key that is not
    /// sensitive. With per-field rules configured it is always true. Exact by construction: a pre-filter only.
    func queryMayHoldCredential(_ q: UnsafeBufferPointer<UInt8>) -> Bool {
        if !fieldRules.isEmpty { return true }
        let n = q.count
        var ps = 0
        while ps < n {
            var pe = ps
            var eqAt = -1
            var special = false
            while pe < n && q[pe] != UInt8(ascii: "&") && q[pe] != UInt8(ascii: ";") {
                let c = q[pe]
                if c == UInt8(ascii: "=") {
                    if eqAt < 0 { eqAt = pe } else { special = true }
                } else if c == UInt8(ascii: "%") || c == UInt8(ascii: "+") || c == UInt8(ascii: ":") || c < 0x21 || c > 0x7E {
                    special = true
                }
                pe += 1
            }
            let keyEnd = eqAt >= 0 ? eqAt : pe
            if special || keyEnd - ps >= 12 || pe - keyEnd >= 13 { return true }
            if keyEnd > ps && keys.classify(UnsafeBufferPointer(rebasing: q[ps..<keyEnd])) != nil { return true }
            ps = pe + 1
        }
        return false
    }

    static let byDesignParameters: Set<String> = [
        "code", "state", "sig", "signature", "xamzsignature", "xamzcredential", "xgoogsignature", "xgoogcredential",
    ]

    private func queryValueFingerprint(_ q: UnsafeBufferPointer<UInt8>, name: [UInt8]) -> String? {
        var i = 0
        let n = q.count
        while i < n {
            var e = i
            while e < n && q[e] != UInt8(ascii: "&") { e += 1 }
            var eqAt = -1
            var k = i
            while k < e {
                if q[k] == UInt8(ascii: "=") { eqAt = k; break }
                k += 1
            }
            if eqAt >= 0 {
                var key: [UInt8] = []
                var tmp: [UInt8] = []
                Self.decodeFully(UnsafeBufferPointer(rebasing: q[i..<eqAt]), into: &key, tmp: &tmp)
                if key == name {
                    var value: [UInt8] = []
                    Self.decodeFully(UnsafeBufferPointer(rebasing: q[(eqAt + 1)..<e]), into: &value, tmp: &tmp)
                    return value.withUnsafeBufferPointer { fingerprint($0) }
                }
            }
            i = e + 1
        }
        return nil
    }
}
