import ReqwatchCore
import Yams

/// A rule's own section of the config file's `detectors:` mapping, decoded by the rule itself: each accessor returns
/// the configured value or the rule's default, and records a problem (with its line) for a wrong type, a value out
/// of range, or a key the rule never asked for. The same code runs when the config is validated and when the rule
/// is built, so defaults, validation and use cannot drift apart.
public struct RuleSettings {
    private let map: Node.Mapping?
    private let path: String
    private var reader: ConfigReader
    private var asked: Set<String> = ["enabled"]
    private let node: Node?

    /// `section` is the rule's YAML node (nil: no section, every default applies).
    public init(_ section: RuleSection?, ruleID: String) {
        node = section?.node
        map = section?.node.mapping
        path = "detectors.\(ruleID)"
        reader = ConfigReader(file: section?.file ?? "config")
    }

    private mutating func value(_ key: String) -> (Node, String)? {
        asked.insert(key)
        guard let v = map?[key] else { return nil }
        return (v, "\(path).\(key)")
    }

    public mutating func int(_ key: String, default d: Int, _ range: ClosedRange<Int>) -> Int {
        guard let (v, p) = value(key) else { return d }
        return reader.int(v, p, range) ?? d
    }

    public mutating func ratio(_ key: String, default d: Double) -> Double {
        guard let (v, p) = value(key) else { return d }
        return reader.ratio(v, p) ?? d
    }

    /// A duration in µs (`30s`, `10m`, `6h`, or seconds).
    public mutating func duration(_ key: String, default d: Int64) -> Int64 {
        guard let (v, p) = value(key) else { return d }
        return reader.duration(v, p) ?? d
    }

    public mutating func strings(_ key: String, default d: [String]) -> [String] {
        guard let (v, p) = value(key) else { return d }
        return reader.strings(v, p) ?? d
    }

    /// Every problem found, with unknown keys (and the nearest known key) last.
    public mutating func problems() -> [ConfigProblem] {
        if let map {
            for (k, _) in map {
                let key = k.string ?? ""
                guard !asked.contains(key) else { continue }
                let near = asked.filter { $0 != "enabled" }.min { editDistance($0, key) < editDistance($1, key) }
                let hint = near.map { editDistance($0, key) <= 3 ? " (did you mean \($0)?)" : "" } ?? ""
                reader.problem(k, "\(path).\(key)", "unknown key\(hint)")
            }
        } else if let node, node.scalar == nil || node.bool == nil {
            reader.problem(node, path, "expected a mapping or true/false")
        }
        return reader.problems
    }
}

/// A rule's YAML section and the file it came from.
public struct RuleSection: @unchecked Sendable {
    public var node: Node
    public var file: String
}

/// A rule's own settings type: decoded from its section by `init(_:)`.
public protocol RuleConfiguration: Sendable {
    init(_ settings: inout RuleSettings)
}

func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.utf8), y = Array(b.utf8)
    if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
    var prev = Array(0...y.count), cur = prev
    for i in 1...x.count {
        cur[0] = i
        for j in 1...y.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[y.count]
}
