import ReqwatchCore

/// Which lines an incident writes.
public enum IncidentLines: String, Sendable, CaseIterable {
    /// One line when the incident opens (as soon as it is detected) and nothing after.
    case opened
    /// Opened, at most `maxEscalations` escalations (severity rose or the count grew tenfold), and closed: at most
    /// three lines with the default of one escalation. The default.
    case lifecycle
    /// Opened, every detector update while it goes on, and closed.
    case updates
}

/// The shared incident machinery: every rule's raw alerts pass through it, so no rule keeps its own copy.
///
/// A rule reports an alert whenever its condition holds (at most once per `cooldown` per key, inside the rule).
/// The tracker groups those alerts by rule and subject (`Alert.campaignKey` when set, else `Alert.incidentKey`) into
/// incidents: the first alert of a subject opens one and is written at once (`tail` latency is unchanged); later
/// ones merge into it (time span, count, severity, samples, addresses) and are written only when the severity rises
/// or the count grew tenfold since the last line; when no alert has come for `quietMicros` of event time (or at end
/// of input), a closing line with the whole picture is written. Every line of one incident carries the same
/// `incidentID`, a hash of rule, subject and the UTC day it opened in, so reruns, threads and shards agree.
///
/// Memory: at most `capacity` open incidents; past that the one quiet the longest is closed early (and counted).
public struct IncidentTracker: Sendable {
    public var lines: IncidentLines
    public var quietMicros: Int64
    public var maxEscalations: Int
    public var capacity: Int
    /// Quiet period of findings (`Alert.isFinding`): one per day.
    public var findingQuietMicros: Int64 = 86_400_000_000
    /// Quiet period of campaigns (`Alert.campaignKey`): distributed sweeps trickle in over hours.
    public var campaignQuietMicros: Int64 = 21_600_000_000

    struct Open: Sendable {
        var id: String
        /// The merged alert, as it would be written now.
        var alert: Alert
        var lastSeen: Int64
        var linesWritten = 1
        var escalations = 0
        var writtenCount: Int
        var writtenSeverity: Int
        var addresses: [String] = []
        var addressSet: Set<String> = []
        var addressesOverflow = 0
        var reopenIndex = 0
        var quiet: Int64 = 0
        /// Client subjects routed into this (campaign) incident.
        var aliases: [String] = []
        var deadline: Int64 { lastSeen &+ quiet }
    }

    var open: [String: Open] = [:]
    /// Subjects closed today: how many times each was opened that day, so a reopened incident gets a new id.
    var closedToday: [String: (day: Int64, count: Int)] = [:]
    /// Client subject → the open campaign incident it takes part in.
    var aliases: [String: String] = [:]
    var nextDeadline = Int64.max
    public internal(set) var opened = 0
    private(set) public var closedEarly = 0
    private(set) public var linesByRule: [String: Int] = [:]
    private(set) public var incidentsByRule: [String: Int] = [:]
    /// Addresses kept per campaign incident (the count goes on past it).
    public static let addressesKept = 200
    /// Distinct addresses remembered per campaign; later new ones are counted without being remembered (so the
    /// count is a lower bound past it).
    public static let addressesCounted = 100_000
    public static let samplesKept = 6

    public init(lines: IncidentLines = .lifecycle, quietMicros: Int64 = 1_800_000_000, maxEscalations: Int = 1,
                capacity: Int = 10_000)
    {
        self.lines = lines
        self.quietMicros = quietMicros
        self.maxEscalations = maxEscalations
        self.capacity = max(1, capacity)
    }

    /// Open incidents now.
    public var openCount: Int { open.count }

    /// Open incidents per rule id (for metrics).
    public var openByRule: [String: Int] {
        var m: [String: Int] = [:]
        for o in open.values { m[o.alert.rule.id, default: 0] += 1 }
        return m
    }

    /// Merges `raw` (a batch's alerts in event-time order) into incidents and appends the lines to write to `out`.
    /// `now` is the newest event time seen; incidents quiet since `now - quietMicros` are closed first.
    public mutating func process(_ raw: [Alert], now: Int64, into out: inout [Alert]) {
        for a in raw {
            let t = a.end.microseconds
            closeQuiet(before: t, into: &out)
            // A client already in an open incident of this rule stays in it (one scanner trying several probe kinds
            // is one incident); else a campaign key groups the same behaviour from many addresses.
            let own = a.rule.id + "|" + a.incidentKey
            let subject = aliases[own] ?? (open[own] != nil ? own : a.rule.id + "|" + (a.campaignKey ?? a.incidentKey))
            if subject != own && open[subject] != nil && aliases[own] == nil {
                aliases[own] = subject
                open[subject]?.aliases.append(own)
            }
            // Taken out of the table while it changes, so its address set is not copied on every merge.
            if var o = open.removeValue(forKey: subject) {
                merge(a, into: &o)
                var write = lines == .updates
                if lines == .lifecycle && o.escalations < maxEscalations
                    && (o.alert.severity > o.writtenSeverity || o.alert.incidentCount >= max(1, o.writtenCount) * 10)
                {
                    write = true
                    o.escalations += 1
                }
                if write { emit(&o, state: "escalated", into: &out) }
                open[subject] = o
            } else {
                if open.count >= capacity { closeOldest(into: &out) }
                let day = Self.day(a.start.microseconds == Int64.min ? t : a.start.microseconds)
                var reopen = 0
                if let c = closedToday[subject], c.day == day { reopen = c.count }
                let idText = "\(subject)|\(day)" + (reopen > 0 ? "|\(reopen)" : "")
                var o = Open(id: Self.hex(ByteHash.hash(idText)), alert: a, lastSeen: t, writtenCount: a.count,
                             writtenSeverity: a.severity, reopenIndex: reopen,
                             quiet: a.isFinding ? findingQuietMicros
                                 : a.campaignKey != nil ? max(quietMicros, campaignQuietMicros) : quietMicros)
                if a.campaignKey != nil, let ip = a.sourceIP { o.addresses = [ip]; o.addressSet = [ip] }
                o.alert.incidentCount = a.count
                opened += 1
                incidentsByRule[a.rule.id, default: 0] += 1
                o.linesWritten = 0
                emit(&o, state: "opened", into: &out)
                if subject != own {
                    aliases[own] = subject
                    o.aliases.append(own)
                }
                open[subject] = o
            }
            if let o = open[subject] { nextDeadline = min(nextDeadline, o.deadline) }
        }
        closeQuiet(before: now, into: &out)
    }

    /// Closes every open incident (end of input), oldest first.
    public mutating func closeAll(into out: inout [Alert]) {
        let all = open.sorted { ($0.value.lastSeen, $0.key) < ($1.value.lastSeen, $1.key) }
        for (k, var o) in all {
            emitClosed(&o, into: &out)
            open[k] = nil
        }
        aliases.removeAll()
        nextDeadline = .max
    }

    private mutating func closeQuiet(before now: Int64, into out: inout [Alert]) {
        guard now != Int64.min, now >= nextDeadline else { return }
        let due = open.filter { $0.value.deadline <= now }
            .sorted { ($0.value.lastSeen, $0.key) < ($1.value.lastSeen, $1.key) }
        for (k, var o) in due {
            emitClosed(&o, into: &out)
            open[k] = nil
            for a in o.aliases { aliases[a] = nil }
            closedToday[k] = (Self.day(o.alert.start.microseconds), o.reopenIndex + 1)
        }
        if closedToday.count > capacity * 4 { closedToday.removeAll(keepingCapacity: true) }
        nextDeadline = open.values.map(\.deadline).min() ?? .max
    }

    private mutating func closeOldest(into out: inout [Alert]) {
        guard let (k, v) = open.min(by: { ($0.value.lastSeen, $0.key) < ($1.value.lastSeen, $1.key) }) else { return }
        var o = v
        emitClosed(&o, into: &out)
        open[k] = nil
        for a in o.aliases { aliases[a] = nil }
        closedEarly += 1
    }

    private mutating func emitClosed(_ o: inout Open, into out: inout [Alert]) {
        guard lines != .opened else { return }
        emit(&o, state: "closed", into: &out)
    }

    private mutating func emit(_ o: inout Open, state: String, into out: inout [Alert]) {
        var a = o.alert
        a.incidentID = o.id
        a.incidentState = state
        a.sequence = o.linesWritten
        a.addresses = o.addresses
        a.addressCount = o.addressSet.count + o.addressesOverflow
        if a.addressCount > 1 {
            a.message += " (campaign: \(a.addressCount) addresses)"
        }
        if state != "opened" {
            // The rule's message describes its latest window; the incident line adds the whole so far.
            a.message += " [incident: \(o.alert.incidentCount) events, \(a.start.iso8601)–\(a.end.iso8601)]"
        }
        o.linesWritten += 1
        o.writtenCount = o.alert.incidentCount
        o.writtenSeverity = o.alert.severity
        linesByRule[a.rule.id, default: 0] += 1
        out.append(a)
    }

    private func merge(_ a: Alert, into o: inout Open) {
        let t = a.end.microseconds
        o.lastSeen = max(o.lastSeen, t)
        var m = o.alert
        let firstStart = m.start
        let total = m.incidentCount + a.count
        let oldSamples = m.evidence.first { $0.0 == "samples" }?.1
        // The newest alert describes the incident now; the span and totals cover all of it.
        m = a
        m.start = min(firstStart, a.start)
        if a.end < o.alert.end { m.end = o.alert.end; m.timestamp = o.alert.timestamp }
        m.incidentCount = total
        m.severity = max(o.alert.severity, a.severity)
        if case .array(let old)? = oldSamples, let k = m.evidence.firstIndex(where: { $0.0 == "samples" }),
            case .array(let new) = m.evidence[k].1
        {
            var merged = Array(old.prefix(2))
            for s in new where !merged.contains(where: { $0 == s }) { merged.append(s) }
            m.evidence[k].1 = .array(Array(merged.suffix(Self.samplesKept)))
        }
        if a.campaignKey != nil, let ip = a.sourceIP, !o.addressSet.contains(ip) {
            if o.addressSet.count < Self.addressesCounted { o.addressSet.insert(ip) } else { o.addressesOverflow += 1 }
            if o.addresses.count < Self.addressesKept { o.addresses.append(ip) }
        }
        if a.campaignKey != nil, let first = o.alert.sourceIP { m.sourceIP = first }
        o.alert = m
    }

    static func day(_ us: Int64) -> Int64 { us >= 0 ? us / 86_400_000_000 : (us + 1) / 86_400_000_000 - 1 }

    static func hex(_ h: UInt64) -> String {
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
