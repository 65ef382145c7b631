/// Which labeled instances to include: `all`, `none`, or a set of selectors.
///
/// A selector is a rule id (`id-enumeration`), `rule/variant` (`id-enumeration/low-and-slow`), or for traps a
/// trap kind (`nat-office`). Matching is exact and case-sensitive.
public enum InstanceSelection: Sendable, Equatable {
    case all
    case none
    case only(Set<String>)

    /// Parses `all`, `none` or a comma-separated selector list.
    public init(parsing text: String) {
        let t = text.trimmingSpaces()
        if t == "all" || t.isEmpty {
            self = .all
        } else if t == "none" {
            self = .none
        } else {
            self = .only(Set(t.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }))
        }
    }

    /// Whether an instance of `rule` with `variant` is selected.
    public func includes(rule: String, variant: String) -> Bool {
        switch self {
        case .all: true
        case .none: false
        case .only(let s): s.contains(rule) || s.contains("\(rule)/\(variant)") || s.contains(variant)
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

/// Everything that determines a generated log: the same configuration gives byte-identical output.
public struct GeneratorConfiguration: Sendable, Equatable {
    /// Exact number of lines to write.
    public var lines: Int = 100_000
    public var seed: UInt64 = 42
    /// First event time, UTC seconds since the epoch (default 2024-05-01T00:00:00Z).
    public var startSeconds: Int64 = 1_714_521_600
    /// Number of background clients (browsers, app users); crawlers and monitors come on top.
    public var clients: Int = 5000
    /// Time span in seconds; `nil` derives it from `lines` at about 4.6 requests/s on average
    /// (1M lines ≈ 2.5 days with a diurnal cycle).
    public var durationSeconds: Int64? = nil
    public var attacks: InstanceSelection = .all
    public var traps: InstanceSelection = .all
    /// Upper bound on the share of lines from health checks and uptime monitors; their intervals (10 s for load
    /// balancers) are stretched when a short run would otherwise exceed it.
    public var periodicShare: Double = 0.08

    /// Creates the default configuration.
    public init() {}

    /// The effective span in seconds (at least 10 minutes).
    public var span: Int64 { max(600, durationSeconds ?? Int64(Double(lines) / 4.6)) }
}
