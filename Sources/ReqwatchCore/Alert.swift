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

    /// Stable `event.id`: a hash of rule, incident key, start time and sequence, in hex.
    public var eventID: String {
        let h = ByteHash.hash("\(rule.id)|\(incidentKey)|\(start.microseconds)|\(sequence)")
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
