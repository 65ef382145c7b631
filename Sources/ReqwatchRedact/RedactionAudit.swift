import ReqwatchCore

/// What the redactor replaced, counted by kind, by rule and field, and what field rules dropped (`jwt`, `card`, …) and by field (`query.token`,
/// `header.authorization`, `body.password`, `path`, `user_agent`, …). Never holds a value.
///
/// The field table is capped at `fieldCapacity` names (field names come from the input); later new names
/// are counted under `other`.
public struct RedactionAudit: Sendable, Equatable {
    public private(set) var total = 0
    public private(set) var byKind: [String: Int] = [:]
    public private(set) var byField: [String: Int] = [:]
    /// Per rule (`value:card`, `key`, `cookie`, `base64`, `path-keyword`, …): replacements per field.
    public private(set) var byRule: [String: [String: Int]] = [:]
    /// Members removed by an explicit `drop` field rule, per field.
    public private(set) var dropped: [String: Int] = [:]
    /// Most distinct field names kept.
    public static let fieldCapacity = 512

    /// An empty audit.
    public init() {}

    /// Counts one redaction.
    public mutating func count(kind: SecretKind, field: String) {
        total += 1
        byKind[kind.name, default: 0] += 1
        if byField[field] != nil || byField.count < Self.fieldCapacity {
            byField[field, default: 0] += 1
        } else {
            byField["other", default: 0] += 1
        }
    }

    /// Counts one redaction by `rule`.
    public mutating func count(kind: SecretKind, rule: String, field: String) {
        count(kind: kind, field: field)
        if byRule[rule]?[field] != nil || (byRule[rule]?.count ?? 0) < Self.fieldCapacity {
            byRule[rule, default: [:]][field, default: 0] += 1
        } else {
            byRule[rule, default: [:]]["other", default: 0] += 1
        }
    }

    /// Counts one member dropped by a field rule.
    public mutating func countDrop(field: String) {
        dropped[field, default: 0] += 1
    }

    /// Adds another audit's counts (the field cap still applies).
    public mutating func merge(_ other: RedactionAudit) {
        total += other.total
        for (r, fields) in other.byRule { for (f, v) in fields { byRule[r, default: [:]][f, default: 0] += v } }
        for (f, v) in other.dropped { dropped[f, default: 0] += v }
        for (k, v) in other.byKind { byKind[k, default: 0] += v }
        for (k, v) in other.byField {
            if byField[k] != nil || byField.count < Self.fieldCapacity {
                byField[k, default: 0] += v
            } else {
                byField["other", default: 0] += v
            }
        }
    }

    /// `{"total":n,"by_kind":{…},"by_field":{…}}`, keys sorted so output is reproducible.
    public func asJSON() -> JSONValue {
        .object([
            ("total", .int(total)),
            ("by_kind", .object(byKind.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("by_field", .object(byField.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("by_rule", .object(byRule.sorted { $0.key < $1.key }.map { r in
                (r.key, .object(r.value.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }))
            })),
            ("dropped", .object(dropped.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
        ])
    }
}

/// One redaction, for `--explain-redaction`: which rule hit which field. `preview` is masked, never the value.
public struct RedactionHit: Sendable, Equatable {
    /// `query.token`, `header.authorization`, `body.user.password`, `path`, …
    public var field: String
    /// The secret kind (`jwt`, `card`, `password`, …).
    public var kind: String
    /// Which rule matched: `value:<kind>` (a format rule), `key` (a sensitive name), `header`,
    /// `path-keyword` (an opaque segment after `/reset/`, …) or `field-rule` (configured per path).
    public var rule: String
    /// The replacement as mask mode writes it plus the value's length, e.g. `[REDACTED:jwt] (143 bytes)`.
    public var preview: String

    public init(field: String, kind: String, rule: String, preview: String) {
        self.field = field
        self.kind = kind
        self.rule = rule
        self.preview = preview
    }
}
