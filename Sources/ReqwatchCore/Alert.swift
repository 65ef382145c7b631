/// One incident, ready to encode as an ECS JSON line. Built only when a detector fires, so it uses
/// `String`s. Every string here may hold attacker-controlled text: encoders escape it, and the engine
/// runs the redactor over it before output.
public struct Alert: Sendable {
    public var rule: Rule
    /// `@timestamp`: event time of the request that fired the alert (never the wall clock).
    public var timestamp: Timestamp
    /// `event.start` / `event.end`: event-time span of the evidence.
    public var start: Timestamp
    public var end: Timestamp
    /// `event.severity`, 1 (low) to 5 (critical).
    public var severity: Int
    public var message: String
    /// What the incident is about, for a stable `event.id`: the same input gives the same ids.
    /// For example `client:user:alice|route:GET /users/{id}`.
    public var incidentKey: String
    /// 0 for the first alert of an incident, 1, 2, … for later summaries while it goes on.
    public var sequence: Int = 0

    public var sourceIP: String?
    public var userID: String?
    public var method: String?
    /// `http.route`: the route template.
    public var route: String?
    public var path: String?
    public var statusCode: Int?
    public var userAgent: String?
    /// Detector evidence, written under `reqwatch.*`: counts, ranges, a few sample requests.
    public var evidence: [(String, JSONValue)]
    /// Evidence events (requests) this alert covers; the incident tracker adds them up.
    public var count: Int = 1
    /// Set for behaviours that many addresses share (the same probe set, payload or agent): alerts with the same
    /// key are one campaign incident listing its addresses, instead of one incident per address.
    public var campaignKey: String?
    /// A finding about the API itself (a ghost route, a credential in a URL), not about a client: its incident
    /// stays open for a day of quiet rather than the per-client quiet period.
    public var isFinding = false

    // Filled by the incident tracker.
    /// `reqwatch.incident.id`: the same on every line of one incident (rule + subject + UTC day it opened).
    public var incidentID: String?
    /// `reqwatch.incident.state`: `opened`, `escalated` or `closed`.
    public var incidentState: String?
    /// Evidence events over the whole incident so far.
    public var incidentCount: Int = 0
    /// Campaign incidents: the addresses seen (the first `IncidentTracker.addressesKept`) and how many in all.
    public var addresses: [String] = []
    public var addressCount: Int = 0

    public init(rule: Rule, timestamp: Timestamp, start: Timestamp, end: Timestamp, severity: Int, message: String,
                incidentKey: String, evidence: [(String, JSONValue)] = []) {
        self.rule = rule
        self.timestamp = timestamp
        self.start = start
        self.end = end
        self.severity = severity
        self.message = message
        self.incidentKey = incidentKey
        self.evidence = evidence
    }

    /// Stable `event.id`: a hash of the incident id (or rule, incident key and start time) and the line's sequence.
    public var eventID: String {
        let base = incidentID ?? "\(rule.id)|\(incidentKey)|\(start.microseconds)"
        let h = ByteHash.hash("\(base)|\(sequence)")
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
