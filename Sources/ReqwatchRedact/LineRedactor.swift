import ReqwatchCore

/// Redacts raw log lines in their own format (`reqwatch redact`, the default `--output same`).
///
/// A JSON line keeps every key, nested object and value type; a combined/common line keeps its fields in
/// order. Only a secret's bytes are replaced; everything else is copied byte for byte, in its original
/// encoding. One instance per input stream; not shared between threads.
public struct LineRedactor {
    public let redactor: Redactor
    private let scratch = Scratch()
    /// Redacted lines, each ending in `\n`. The caller writes and clears it.
    public var out: [UInt8] = []
    /// `--explain-redaction`: lines with hits still to explain.
    public var explainLeft: Int
    /// Explanations (`field: kind by rule -> preview`), never values. The caller prints and clears them.
    public var explanations: [String] = []
    /// The input's display path, for explanations.
    public var origin = ""

    public init(redactor: Redactor, explain: Int = 0) {
        self.redactor = redactor
        self.explainLeft = explain
        out.reserveCapacity(1 << 16)
    }

    /// Appends the redacted `line` (without its newline) and a newline to `out`.
    public mutating func redact(_ line: UnsafeBufferPointer<UInt8>, lineNumber: Int64 = 0) {
        if explainLeft > 0 { scratch.explain = [] }
        redactor.redactLine(line, s: scratch, into: &out)
        if explainLeft > 0, let hits = scratch.explain {
            scratch.explain = nil
            if !hits.isEmpty {
                explainLeft -= 1
                for h in hits {
                    explanations.append("reqwatch: explain \(origin):\(lineNumber): \(h.field): \(h.kind) by \(h.rule) -> \(h.preview)")
                }
            }
        }
    }

    /// Appends the redacted `line` to `out`.
    public mutating func redact(_ line: Span<UInt8>, lineNumber: Int64 = 0) {
        line.withUnsafeBufferPointer { redact($0, lineNumber: lineNumber) }
    }

    /// What was replaced so far.
    public var audit: RedactionAudit { scratch.audit }

    /// Redacts one line and returns it as a String (tests, tools).
    public static func redact(_ line: String, with redactor: Redactor) -> String {
        var r = LineRedactor(redactor: redactor)
        var copy = line
        copy.withUTF8 { r.redact($0) }
        r.out.removeLast()
        return String(decoding: r.out, as: UTF8.self)
    }
}
