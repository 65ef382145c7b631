import ReqwatchCore

/// Turns one framed line into a record whose text fields are `ByteRange`s into the batch arena.
///
/// A malformed line is data, not an exception: return `.malformed(reason)` and the engine counts it.
public protocol LogParser {
    /// Parses `line` (no line terminator) into `record`, which arrives default-initialised.
    ///
    /// Appends the bytes it keeps to `batch.arena` (NCSA formats: the whole line once, fields are ranges
    /// into that copy; JSON: unescaped values), appends request headers to `batch.headers` and sets
    /// `record.headerStart`/`headerCount`. It does not append `record` to `batch.records` and does not set
    /// `lineNumber`/`byteOffset`: the engine does. Returns `.record`, `.skip` (blank line, `#` comment) or
    /// `.malformed(reason)`. On `.malformed`/`.skip` the arena and headers are left as they were.
    /// Never traps on any bytes; allocates nothing per line beyond amortised arena growth.
    mutating func parse(_ line: Span<UInt8>, into record: inout RequestRecord, batch: inout RecordBatch) -> ParseOutcome
}

/// The CLI `--format` values. `combined` also accepts common-format lines (and vice versa).
public enum LogFormat: String, Sendable, CaseIterable {
    case auto, combined, common, json
}

/// Options shared by every parser.
public struct ParseOptions: Sendable {
    /// Peers whose `X-Forwarded-For` is believed (`--trusted-proxy`). Empty: XFF is never used.
    public var trustedProxies: [CIDR] = []
    /// Field map for JSON logs (`--field-map`); nil = the sniffed preset / built-in key detection.
    /// When set, it overrides the map carried by `SniffedFormat.json`.
    public var fieldMap: FieldMap? = nil

    /// Options with the given trusted proxies and field map.
    public init(trustedProxies: [CIDR] = [], fieldMap: FieldMap? = nil) {
        self.trustedProxies = trustedProxies
        self.fieldMap = fieldMap
    }
}

/// The format a log was found (or declared) to be in.
public enum SniffedFormat: Sendable, Equatable, CustomStringConvertible {
    /// NCSA combined (with referer and user agent); the parser also accepts common lines.
    case combined
    /// NCSA common (no referer/user agent); parsed by the same parser as `combined`.
    case common
    /// JSON Lines read through a field map (a preset or the user's).
    case json(FieldMap)

    /// The format a `--format` value names, without sniffing; nil for `.auto`.
    /// `--format json` uses `fieldMap` or, when nil, the generic preset (prefer sniffing restricted to JSON).
    public init?(_ format: LogFormat, fieldMap: FieldMap? = nil) {
        switch format {
        case .auto: return nil
        case .combined: self = .combined
        case .common: self = .common
        case .json: self = .json(fieldMap ?? .generic)
        }
    }

    /// `combined`, `common`, `json (caddy)`, … for summaries.
    public var description: String {
        switch self {
        case .combined: "combined"
        case .common: "common"
        case .json(let m): "json (\(m.name))"
        }
    }
}

/// The parser for `format`. `options.fieldMap`, when set, replaces the map of `.json`.
public func makeParser(_ format: SniffedFormat, options: ParseOptions) -> any LogParser {
    switch format {
    case .combined, .common:
        return CombinedLogParser(options: options)
    case .json(let map):
        return JSONLinesParser(fieldMap: options.fieldMap ?? map, options: options)
    }
}
