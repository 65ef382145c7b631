import ReqwatchCore

/// Per-line fallback for inputs that mix formats: a line the sniffed parser rejected is tried once in the other
/// family (a line starting with `{` as JSON Lines, any other as NCSA combined/common).
///
/// Bounded: one extra parse per rejected line, plus, until a JSON preset has read a line, a try of each preset on at
/// most `presetProbeLimit` JSON-looking lines. Records read are counted per family (`combinedRecords`,
/// `jsonRecords`) for the run statistics.
public struct FallbackParser {
    /// How many JSON-looking lines may be tried against every preset before JSON fallback gives up.
    public static let presetProbeLimit = 64

    private var combined: CombinedLogParser
    /// JSON parsers that read at least one line, with their preset names.
    private var json: [(JSONLinesParser, String)] = []
    private let options: ParseOptions
    private var presetProbes = 0
    /// Which families the primary parser already covers (those are not tried again).
    private let primaryIsJSON: Bool
    private let primaryIsNCSA: Bool
    /// Records the fallback read, per family.
    public private(set) var combinedRecords: Int64 = 0
    public private(set) var jsonRecords: Int64 = 0

    /// A fallback for a primary parser of format `primary` (nil: the format was not recognised).
    public init(primary: SniffedFormat?, options: ParseOptions) {
        self.options = options
        combined = CombinedLogParser(options: options)
        switch primary {
        case .json?: primaryIsJSON = true; primaryIsNCSA = false
        case .combined?, .common?: primaryIsJSON = false; primaryIsNCSA = true
        case nil: primaryIsJSON = false; primaryIsNCSA = false
        }
        if let map = options.fieldMap {
            json = [(JSONLinesParser(fieldMap: map, options: options), "field map")]
        }
    }

    /// The JSON presets the fallback read lines with: `json (ecs, nginx-json)`.
    public var jsonFormatName: String { json.isEmpty ? "json" : "json (\(json.map(\.1).joined(separator: ", ")))" }

    /// Tries `line` (already rejected by the primary parser) in the other family. `record` must be fresh.
    /// Returns `.record` when it was read; otherwise the batch is left as it was.
    public mutating func parse(_ line: Span<UInt8>, into record: inout RequestRecord, batch: inout RecordBatch) -> ParseOutcome {
        var i = 0
        while i < line.count, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
        guard i < line.count else { return .skip }
        let arena = batch.arena.count
        let headers = batch.headers.count
        var outcome = ParseOutcome.malformed(.unknownFormat)
        if line[i] == UInt8(ascii: "{") {
            guard !primaryIsJSON || options.fieldMap == nil else { return outcome }
            // The presets that already read a line, in order; then, a bounded number of times, the others.
            for k in json.indices {
                if json[k].0.parse(line, into: &record, batch: &batch) == .record {
                    jsonRecords += 1
                    return .record
                }
                Self.rollBack(&batch, arena, headers)
                record = Self.fresh(record)
            }
            guard presetProbes < Self.presetProbeLimit, options.fieldMap == nil else { return outcome }
            presetProbes += 1
            for map in [FieldMap.caddy, .ecs, .nginxJSON, .traefik, .generic] where !json.contains(where: { $0.1 == map.name }) {
                var p = JSONLinesParser(fieldMap: map, options: options)
                if p.parse(line, into: &record, batch: &batch) == .record {
                    json.append((p, map.name))
                    jsonRecords += 1
                    return .record
                }
                Self.rollBack(&batch, arena, headers)
                record = Self.fresh(record)
            }
            return outcome
        } else {
            guard !primaryIsNCSA else { return outcome }
            outcome = combined.parse(line, into: &record, batch: &batch)
            if outcome == .record { combinedRecords += 1 }
        }
        if outcome != .record { Self.rollBack(&batch, arena, headers) }
        return outcome
    }

    private static func fresh(_ r: RequestRecord) -> RequestRecord {
        var f = RequestRecord()
        f.lineNumber = r.lineNumber
        f.byteOffset = r.byteOffset
        return f
    }

    private static func rollBack(_ batch: inout RecordBatch, _ arena: Int, _ headers: Int) {
        if batch.arena.count > arena { batch.arena.removeSubrange(arena...) }
        if batch.headers.count > headers { batch.headers.removeSubrange(headers...) }
    }
}

/// How each known format fares on a sample of lines: used to explain why an input failed.
public struct FormatTrial: Sendable, Equatable {
    /// `combined`, `json (caddy)`, …
    public var format: String
    /// Sample lines read as records.
    public var records: Int
    /// Sample lines tried.
    public var lines: Int
    /// The most frequent reason the lines were rejected.
    public var reason: MalformedReason?
    /// How far the parser got on its best line (higher is nearer): used to pick the nearest format.
    var depth: Int
}

extension FormatSniffer {
    /// Tries every known format on `lines` (blank and `#` lines ignored, at most `sampleSize`) and returns one trial
    /// for NCSA and one for the best JSON preset, nearest first (most records, then how far the parser got).
    public static func trials(_ lines: [[UInt8]], options: ParseOptions = ParseOptions()) -> [FormatTrial] {
        let sample = FormatSniffer.sample(lines)
        func run<P: LogParser>(_ name: String, _ parser: inout P, depth: (MalformedReason) -> Int) -> FormatTrial {
            var batch = RecordBatch(origin: InputOrigin(path: "diagnose"))
            var records = 0
            var best = 0
            var reasons: [MalformedReason: Int] = [:]
            for line in sample {
                var record = RequestRecord()
                let outcome = line.withUnsafeBufferPointer { p in parser.parse(p.span, into: &record, batch: &batch) }
                switch outcome {
                case .record: records += 1; best = max(best, 100)
                case .malformed(let r): reasons[r, default: 0] += 1; best = max(best, depth(r))
                case .skip: break
                }
            }
            let reason = reasons.max { a, b in a.value < b.value || (a.value == b.value && a.key.rawValue > b.key.rawValue) }?.key
            return FormatTrial(format: name, records: records, lines: sample.count, reason: reason, depth: best)
        }
        var ncsa = CombinedLogParser(options: options)
        var out = [run("combined", &ncsa) { r in
            switch r {
            case .badClientAddress, .missingField: 1
            case .badTimestamp: 2
            case .badRequestLine: 3
            case .badStatus: 4
            case .badBytes: 5
            default: 0
            }
        }]
        var bestJSON: FormatTrial?
        for map in [FieldMap.caddy, .ecs, .nginxJSON, .traefik, .generic] {
            var p = JSONLinesParser(fieldMap: options.fieldMap ?? map, options: options)
            let t = run(options.fieldMap == nil ? "json (\(map.name))" : "json (field map)", &p) { r in
                switch r {
                case .notJSONObject, .binaryGarbage: 0
                case .badJSON: 1
                case .missingField: 3
                default: 4
                }
            }
            if bestJSON == nil || (t.records, t.depth) > (bestJSON!.records, bestJSON!.depth) { bestJSON = t }
            if options.fieldMap != nil { break }
        }
        if let bestJSON { out.append(bestJSON) }
        return out.sorted { ($0.records, $0.depth) > ($1.records, $1.depth) }
    }
}
