import Foundation
import ReqwatchCore

/// Compares reqwatch alerts (ECS JSON Lines) with the generator's labels and computes, per rule, recall, precision,
/// duplicates and alerts on traps.
///
/// An alert matches a label when the rule ids are equal, the key matches, and the alert's
/// `[event.start, event.end]` (or `@timestamp`) overlaps the label's `[start, end]` widened by `slackSeconds`.
/// Keys: label `key` `"route"` compares `http.route` (placeholders normalised to `{}`, optional server base path);
/// `"method"` compares `http.request.method`; otherwise `source.ip` in the label's `ip`/`ips` (an alert IP written as
/// a CIDR such as `2001:db8::/64` matches by prefix) or `user.id` equal to the label's user.
public struct Scorer: Sendable {
    /// A label as the scorer reads it.
    public struct Label: Sendable {
        public var id: String
        public var rule: String
        public var variant: String
        public var trap: Bool
        public var key: String?
        public var ips: Set<String>
        public var user: String?
        public var route: String?
        public var method: String?
        public var start: Double
        public var end: Double
        public var requests: Int
    }

    /// An alert as the scorer reads it (ECS names; nested or dotted keys both accepted).
    public struct Alert: Sendable {
        public var line: Int
        public var rule: String
        public var sourceIP: String?
        public var userID: String?
        public var route: String?
        public var path: String?
        public var method: String?
        public var start: Double
        public var end: Double
        public var sequence: Int
        public var eventID: String?
        /// Campaign incidents: every address taking part (`reqwatch.addresses`).
        public var addresses: [String] = []
    }

    /// Per-rule figures.
    public struct RuleScore: Sendable, Equatable {
        public var rule: String
        public var labels = 0
        public var detected = 0
        public var alerts = 0
        public var truePositives = 0
        public var falsePositives = 0
        public var duplicates = 0
        public var trapAlerts = 0
        /// `detected / labels` (1 when there are no labels).
        public var recall: Double { labels == 0 ? 1 : Double(detected) / Double(labels) }
        /// `truePositives / alerts` (1 when there are no alerts).
        public var precision: Double { alerts == 0 ? 1 : Double(truePositives) / Double(alerts) }
    }

    /// The result of `score()`.
    public struct Report: Sendable {
        public var rules: [RuleScore]
        public var unmatched: [Alert]
        public var missed: [Label]
        /// Alerts that matched only a trap label, with that label's id.
        public var trapHits: [(Alert, String)]
        public var malformedAlertLines: Int
    }

    public var labels: [Label]
    public var alerts: [Alert]
    public var slackSeconds: Double = 900
    public var malformedAlertLines = 0

    /// Rules always listed in the table, in this order.
    public static let knownRules = [
        "id-enumeration", "auth-failure-cluster", "unknown-endpoint", "suspicious-user-agent",
    ]

    /// Creates a scorer from parsed labels and alerts.
    public init(labels: [Label], alerts: [Alert]) {
        self.labels = labels
        self.alerts = alerts
    }

    /// Parses both JSON Lines texts. Labels must all parse; malformed alert lines are counted and skipped.
    /// - Throws: `ReqwatchError` (`.config`) naming the label line that cannot be read.
    public init(labelsText: String, alertsText: String) throws {
        var ls: [Label] = []
        for (i, line) in labelsText.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy({ $0 == " " || $0 == "\r" }) { continue }
            guard let obj = Self.object(line), let l = Self.label(obj) else {
                throw ReqwatchError(.config, "labels line \(i + 1): not a label object")
            }
            ls.append(l)
        }
        var als: [Alert] = []
        var bad = 0
        for (i, line) in alertsText.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy({ $0 == " " || $0 == "\r" }) { continue }
            guard let obj = Self.object(line), let a = Self.alert(obj, line: i + 1) else {
                bad += 1
                continue
            }
            als.append(a)
        }
        self.init(labels: ls, alerts: als)
        malformedAlertLines = bad
    }

    // MARK: Matching

    /// Whether `a` matches `l` by rule, key and time.
    public func matches(_ a: Alert, _ l: Label) -> Bool {
        guard a.rule == l.rule else { return false }
        guard a.end >= l.start - slackSeconds && a.start <= l.end + slackSeconds else { return false }
        switch l.key {
        case "route":
            guard let lr = l.route else { return false }
            let ar = a.route ?? a.path.map(Self.templated)
            return ar.map { Self.sameRoute($0, lr) } ?? false
        case "method":
            return a.method?.uppercased() == l.method?.uppercased()
        default:
            if let u = l.user, let au = a.userID, u == au { return true }
            for ip in [a.sourceIP].compactMap({ $0 }) + a.addresses where l.ips.contains(where: { Self.sameAddress(ip, $0) }) {
                return true
            }
            return false
        }
    }

    /// Scores every alert against every label.
    public func score() -> Report {
        var byRule: [String: RuleScore] = [:]
        for r in Self.knownRules { byRule[r] = RuleScore(rule: r) }
        for l in labels where !l.trap { byRule[l.rule, default: RuleScore(rule: l.rule)].labels += 1 }
        var detected = Set<String>()
        var firstSeen = Set<String>()
        var unmatched: [Alert] = []
        var trapHits: [(Alert, String)] = []
        let byRuleLabels = Dictionary(grouping: labels, by: \.rule)
        for a in alerts.sorted(by: { ($0.start, $0.line) < ($1.start, $1.line) }) {
            var s = byRule[a.rule, default: RuleScore(rule: a.rule)]
            s.alerts += 1
            let candidates = (byRuleLabels[a.rule] ?? []).filter { matches(a, $0) }
            let attacks = candidates.filter { !$0.trap }
            if attacks.isEmpty {
                s.falsePositives += 1
                if let t = candidates.first {
                    s.trapAlerts += 1
                    trapHits.append((a, t.id))
                } else {
                    unmatched.append(a)
                }
            } else {
                s.truePositives += 1
                for l in attacks { detected.insert(l.id) }
                // The primary label: the one whose span overlaps the alert most (ties: first label).
                let primary = attacks.max { overlap(a, $0) < overlap(a, $1) } ?? attacks[0]
                if a.sequence == 0 {
                    if firstSeen.contains(primary.id) { s.duplicates += 1 } else { firstSeen.insert(primary.id) }
                }
            }
            byRule[a.rule] = s
        }
        for l in labels where !l.trap && detected.contains(l.id) { byRule[l.rule]?.detected += 1 }
        let order = Self.knownRules + byRule.keys.filter { !Self.knownRules.contains($0) }.sorted()
        return Report(
            rules: order.compactMap { byRule[$0] }, unmatched: unmatched,
            missed: labels.filter { !$0.trap && !detected.contains($0.id) }, trapHits: trapHits,
            malformedAlertLines: malformedAlertLines)
    }

    func overlap(_ a: Alert, _ l: Label) -> Double {
        min(a.end, l.end + slackSeconds) - max(a.start, l.start - slackSeconds)
    }

    // MARK: Normalisation

    /// Route with every `{name}` replaced by `{}`, any `scheme://host` prefix and the query dropped, no trailing slash.
    public static func normalizedRoute(_ r: String) -> String {
        var path = r.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? r
        if let scheme = path.range(of: "://") {
            let rest = path[scheme.upperBound...]
            path = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
        }
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path.split(separator: "/", omittingEmptySubsequences: false).map { seg in
            seg.hasPrefix("{") && seg.hasSuffix("}") ? "{}" : String(seg)
        }.joined(separator: "/")
    }

    /// A concrete path templated crudely (numeric segments to `{}`), for alerts without `http.route`.
    static func templated(_ path: String) -> String {
        normalizedRoute(path).split(separator: "/", omittingEmptySubsequences: false).map { seg in
            !seg.isEmpty && seg.allSatisfy(\.isNumber) ? "{}" : String(seg)
        }.joined(separator: "/")
    }

    /// Equal after normalisation, allowing one side to carry a server base path the other lacks.
    public static func sameRoute(_ a: String, _ b: String) -> Bool {
        let x = normalizedRoute(a)
        let y = normalizedRoute(b)
        if x == y { return true }
        if y.hasSuffix("/*") { return x.hasPrefix(String(y.dropLast())) }
        return (x.hasSuffix(y) && x.dropLast(y.count).hasPrefix("/"))
            || (y.hasSuffix(x) && y.dropLast(x.count).hasPrefix("/"))
    }

    /// Equal addresses, or `alert` is a CIDR (`a/n`) containing `label`.
    public static func sameAddress(_ alert: String, _ label: String) -> Bool {
        let a = alert.lowercased()
        let l = label.lowercased()
        if a == l { return true }
        let parts = a.split(separator: "/")
        guard parts.count == 2, let bits = Int(parts[1]) else {
            return expand(a) != nil && expand(a) == expand(l)
        }
        guard let net = expand(String(parts[0])), let addr = expand(l), net.count == addr.count else { return false }
        var remaining = bits
        for (x, y) in zip(net, addr) {
            if remaining <= 0 { break }
            let width = net.count == 4 ? 8 : 16
            let take = min(width, remaining)
            let mask = take == width ? (1 << width) - 1 : ((1 << take) - 1) << (width - take)
            if x & mask != y & mask { return false }
            remaining -= take
        }
        return true
    }

    /// IPv4 as 4 octets or IPv6 as 8 hextets; nil if unreadable.
    static func expand(_ ip: String) -> [Int]? {
        if ip.contains(":") {
            let halves = ip.components(separatedBy: "::")
            guard halves.count <= 2 else { return nil }
            func groups(_ s: String) -> [Int]? {
                if s.isEmpty { return [] }
                var out: [Int] = []
                for g in s.split(separator: ":", omittingEmptySubsequences: false) {
                    guard let v = Int(g, radix: 16), v <= 0xffff else { return nil }
                    out.append(v)
                }
                return out
            }
            guard let head = groups(halves[0]) else { return nil }
            if halves.count == 1 { return head.count == 8 ? head : nil }
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        let octets = ip.split(separator: ".").compactMap { Int($0) }
        return octets.count == 4 && octets.allSatisfy { (0...255).contains($0) } ? octets : nil
    }

    // MARK: Parsing

    static func object(_ line: Substring) -> [String: Any]? {
        guard let data = line.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// The value at a dotted ECS path, nested (`{"rule":{"id":…}}`) or flat (`{"rule.id":…}`).
    static func value(_ obj: [String: Any], _ path: String) -> Any? {
        if let v = obj[path] { return v }
        let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let inner = obj[parts[0]] as? [String: Any] else { return nil }
        return value(inner, parts[1])
    }

    static func string(_ obj: [String: Any], _ path: String) -> String? {
        switch value(obj, path) {
        case let s as String: s.isEmpty ? nil : s
        case let n as NSNumber: n.stringValue
        default: nil
        }
    }

    /// Seconds since the epoch from `2024-05-01T03:00:00Z`, with optional fraction and `±hh:mm` offset.
    public static func parseTime(_ s: String) -> Double? {
        let b = Array(s.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= b.count else { return nil }
            var v = 0
            for i in from..<(from + len) {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
            let se = num(17, 2)
        else { return nil }
        var i = 19
        var frac = 0.0
        var scale = 0.1
        if i < b.count && b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count && b[i] >= 48 && b[i] <= 57 {
                frac += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        var offset = 0
        if i < b.count && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")), let oh = num(i + 1, 2) {
            let om = num(i + 4, 2) ?? num(i + 3, 2) ?? 0
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        }
        let t = Timestamp.from(year: y, month: mo, day: d, hour: h, minute: mi, second: se, offsetSeconds: offset)
        return Double(t.seconds) + frac
    }

    static func label(_ o: [String: Any]) -> Label? {
        guard let id = o["id"] as? String, let rule = o["rule"] as? String else { return nil }
        let client = o["client"] as? [String: Any] ?? [:]
        var ips = Set((client["ips"] as? [String]) ?? [])
        if let ip = client["ip"] as? String { ips.insert(ip) }
        guard let start = (o["start"] as? String).flatMap(parseTime), let end = (o["end"] as? String).flatMap(parseTime)
        else { return nil }
        return Label(
            id: id, rule: rule, variant: o["variant"] as? String ?? "", trap: o["trap"] as? Bool ?? false,
            key: o["key"] as? String, ips: ips, user: client["user"] as? String, route: o["route"] as? String,
            method: o["method"] as? String, start: start, end: end, requests: o["requests"] as? Int ?? 0)
    }

    static func alert(_ o: [String: Any], line: Int) -> Alert? {
        guard let rule = string(o, "rule.id") else { return nil }
        let ts = string(o, "@timestamp").flatMap(parseTime)
        guard let start = string(o, "event.start").flatMap(parseTime) ?? ts,
            let end = string(o, "event.end").flatMap(parseTime) ?? ts ?? Optional(start)
        else { return nil }
        let seq = (value(o, "reqwatch.sequence") as? NSNumber)?.intValue ?? 0
        return Alert(
            line: line, rule: rule, sourceIP: string(o, "source.ip"), userID: string(o, "user.id"),
            route: string(o, "reqwatch.route") ?? string(o, "http.route"), path: string(o, "url.path"),
            method: string(o, "http.request.method"), start: min(start, end), end: max(start, end), sequence: seq,
            eventID: string(o, "event.id"), addresses: (value(o, "reqwatch.addresses") as? [Any])?.compactMap { $0 as? String } ?? [])
    }
}

extension Scorer.Report {
    /// The per-rule table, then unmatched alerts (first 20), alerts on traps and missed labels, as text.
    public func text() -> String {
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
        func lpad(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }
        func f(_ v: Double) -> String {
            let x = Int((v * 1000).rounded())
            return "\(x / 1000).\(lpad(String(x % 1000), 3).replacingOccurrences(of: " ", with: "0"))"
        }
        var s =
            pad("rule", 24) + lpad("labels", 7) + lpad("detected", 9) + lpad("recall", 8) + lpad("alerts", 8)
            + lpad("TP", 6) + lpad("FP", 6) + lpad("precision", 10) + lpad("dups", 6) + lpad("on-traps", 9) + "\n"
        for r in rules {
            s +=
                pad(r.rule, 24) + lpad("\(r.labels)", 7) + lpad("\(r.detected)", 9) + lpad(f(r.recall), 8)
                + lpad("\(r.alerts)", 8) + lpad("\(r.truePositives)", 6) + lpad("\(r.falsePositives)", 6)
                + lpad(f(r.precision), 10) + lpad("\(r.duplicates)", 6) + lpad("\(r.trapAlerts)", 9) + "\n"
        }
        if malformedAlertLines > 0 { s += "\n\(malformedAlertLines) alert lines could not be read (skipped)\n" }
        s += "\nunmatched alerts: \(unmatched.count)\n"
        for a in unmatched.prefix(20) { s += "  " + Self.describe(a) + "\n" }
        s += "\nalerts on traps: \(trapHits.count)\n"
        for (a, id) in trapHits.prefix(20) { s += "  \(id): " + Self.describe(a) + "\n" }
        s += "\nmissed labels: \(missed.count)\n"
        for l in missed {
            s +=
                "  \(l.id) \(l.rule)/\(l.variant) key=\(l.key ?? "client") user=\(l.user ?? "-") route=\(l.route ?? "-") "
                + "ips=\(l.ips.sorted().prefix(3).joined(separator: ","))\(l.ips.count > 3 ? ",…" : "")\n"
        }
        return s
    }

    static func describe(_ a: Scorer.Alert) -> String {
        "line \(a.line) \(a.rule) ip=\(a.sourceIP ?? "-") user=\(a.userID ?? "-") \(a.method ?? "-") "
            + "route=\(a.route ?? a.path ?? "-") start=\(isoSeconds(Int64(a.start * 1_000_000))) seq=\(a.sequence)"
    }

    /// The same report as one JSON object.
    public func json() -> String {
        let rulesJSON: [JSONValue] = rules.map { r in
            .object([
                ("rule", .string(r.rule)), ("labels", .int(r.labels)), ("detected", .int(r.detected)),
                ("recall", .double(r.recall)), ("alerts", .int(r.alerts)), ("true_positives", .int(r.truePositives)),
                ("false_positives", .int(r.falsePositives)), ("precision", .double(r.precision)),
                ("duplicates", .int(r.duplicates)), ("trap_alerts", .int(r.trapAlerts)),
            ])
        }
        func alertJSON(_ a: Scorer.Alert) -> JSONValue {
            .object([
                ("line", .int(a.line)), ("rule", .string(a.rule)),
                ("source_ip", a.sourceIP.map(JSONValue.string) ?? .null),
                ("user", a.userID.map(JSONValue.string) ?? .null),
                ("route", (a.route ?? a.path).map(JSONValue.string) ?? .null),
                ("start", .string(isoSeconds(Int64(a.start * 1_000_000)))), ("sequence", .int(a.sequence)),
            ])
        }
        return JSONValue.object([
            ("rules", .array(rulesJSON)),
            ("unmatched_alerts", .array(unmatched.prefix(20).map(alertJSON))),
            ("unmatched_count", .int(unmatched.count)),
            ("trap_alerts", .array(trapHits.map { .object([("label", .string($0.1)), ("alert", alertJSON($0.0))]) })),
            (
                "missed_labels",
                .array(
                    missed.map {
                        .object([("id", .string($0.id)), ("rule", .string($0.rule)), ("variant", .string($0.variant))])
                    })
            ),
            ("malformed_alert_lines", .int(malformedAlertLines)),
        ]).encoded() + "\n"
    }
}
