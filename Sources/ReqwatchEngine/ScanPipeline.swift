#if canImport(Glibc)
import Glibc
#endif
import ReqwatchCore
import ReqwatchDetect
import ReqwatchInput
import ReqwatchOutput
import ReqwatchParse
import ReqwatchRedact

/// Everything a scan needs, resolved from the command line and the config file.
public struct ScanOptions {
    public var inputs: [String] = []
    public var format: LogFormat = .auto
    public var parse = ParseOptions()
    public var maxLineLength = 65_536
    /// Inflate gzip inputs on a second thread.
    public var threadedInflate = true
    /// nil: parse only, no detectors.
    public var detect: DetectConfiguration? = DetectConfiguration()
    /// Redacts alert evidence, stored records and `redact` output. nil: no redaction (alerts are still
    /// printed; stored records always need a redactor).
    public var redactor: Redactor?
    /// Also run the `exposed-credential` detector (needs `redactor`).
    public var exposedCredentials = true
    public var store: SegmentStore?
    /// `reqwatch redact`: redacted records here (the input's own format, or ECS JSON Lines).
    public var recordsOut: FileDescriptorWriter?
    /// `reqwatch redact --output same` (the default): each record's raw line is redacted in place and written
    /// in the input's format; false writes ECS JSON Lines built from the parsed fields.
    public var redactRawLines = false
    public var alertSink: (any AlertSink)?
    /// Diagnostics (malformed lines, failed inputs): stderr.
    public var diagnostics: FileDescriptorWriter = FileDescriptorWriter(fd: 2, name: "stderr")
    /// How many malformed lines per input are reported one by one.
    public var reportMalformed = 5
    public var progress = false
    /// `--explain-redaction`: print which rule hit which field for the first N records with hits.
    public var explainRedaction = 0
    public var batchSize = 256
    /// An input whose non-empty lines are read as records in a smaller share than this has failed (`.format`).
    public var minParsedShare = 0.5
    /// Lines rejected in the sniffed format are tried in the other known formats (`--log-format auto` only).
    public var perLineFallback = true
    /// Threads: 1 reads, parses and detects on one thread; N > 1 reads and parses on this thread with N - 1
    /// detection workers beside it, records split among them by client (`ShardedDetection`). The CLI's default is
    /// the number of cores.
    public var threads = 1
    /// `--shard i/n`: detect on this shard's clients only (`ClientShard`).
    public var shard: ShardSelection?
    /// Called with every batch of parsed records (`reqwatch endpoints` builds its inventory here).
    public var onBatch: ((RecordBatch) -> Void)?

    public init() {}
}

/// Runs inputs through framing, parsing, detection, redaction and output. One instance per run.
public final class ScanPipeline {
    private var options: ScanOptions
    private var detection: DetectionEngine?
    /// Used instead of `detection` with several threads or a shard.
    private var sharded: ShardedDetection?
    public private(set) var summary = ScanSummary()
    private var audit = RedactionAudit()
    private var alerts: [Alert] = []
    private var recordBytes: [UInt8] = []
    private var progress: ProgressBar?
    private var explained = 0
    /// Set when stdout went away (EPIPE): stop quietly.
    public private(set) var outputClosed = false

    public init(options: ScanOptions) throws(ReqwatchError) {
        self.options = options
        if let config = options.detect, options.threads > 1 || options.shard != nil {
            // `--threads N`: this thread reads and parses; N - 1 detection workers (at least one) run beside it,
            // the clients split among them. One worker gives exactly the alerts of `--threads 1`.
            let workers = max(1, options.threads - 1)
            // Larger batches with several workers: one hand-over per batch.
            if workers > 1 { self.options.batchSize = max(options.batchSize, 2048) }
            sharded = try ShardedDetection(
                workers: workers, pipelined: options.threads > 1, shard: options.shard, configuration: config,
                batchSize: self.options.batchSize
            ) { () throws(ReqwatchError) in try makeDetection(options)! }
        } else {
            detection = try makeDetection(options)
        }
    }

    /// Scans every input in order and returns the summary. Failed inputs are recorded, not thrown.
    public func run() -> ScanSummary {
        let started = MonotonicClock.nowSeconds()
        let (paths, problems) = InputPaths.expand(options.inputs)
        summary.pathProblems = problems
        for p in problems { diagnose("reqwatch: \(p)") }
        if options.progress {
            let total = paths.reduce(Int64(0)) { $0 + (InputOpener.fileSize($1) ?? 0) }
            progress = ProgressBar(totalBytes: total)
        }
        for (index, path) in paths.enumerated() where !outputClosed {
            scanInput(path: path, index: index)
        }
        if !outputClosed, detection != nil {
            detection!.finish(into: &alerts)
            emitAlerts()
        }
        if !outputClosed, let sharded {
            sharded.finish(into: &alerts)
            emitAlerts()
        }
        do throws(ReqwatchError) {
            try options.store?.close()
            try options.recordsOut?.flush()
            try options.alertSink?.flush()
        } catch {
            if error.errno == EPIPE { outputClosed = true } else { diagnose("reqwatch: \(error)") }
        }
        progress?.finish()
        summary.seconds = MonotonicClock.nowSeconds() - started
        summary.peakRSS = peakResidentBytes()
        summary.detectorStatistics = Self.statistics(detection?.statistics ?? sharded?.statistics ?? [], written: summary.alertsByRule)
        if options.redactor != nil { summary.redaction = audit.asJSON() }
        try? options.diagnostics.flush()
        return summary
    }

    /// Detector statistics with each `<rule>.alerts` set to the alerts actually written for that rule (a detector's
    /// own count can differ: alerts merged or dropped downstream), and a line for written rules that have none.
    static func statistics(_ stats: [(String, Int)], written: [String: Int]) -> [(String, Int)] {
        guard !stats.isEmpty else { return [] }
        var out = stats.map { s -> (String, Int) in
            guard s.0.hasSuffix(".alerts") else { return s }
            return (s.0, written[String(s.0.dropLast(7))] ?? 0)
        }
        for (rule, n) in written.sorted(by: { $0.key < $1.key }) where !out.contains(where: { $0.0 == rule + ".alerts" }) {
            out.append((rule + ".alerts", n))
        }
        return out
    }

    private func diagnose(_ line: String) {
        options.diagnostics.append(line + "\n")
        try? options.diagnostics.flush()
    }

    private func scanInput(path: String, index: Int) {
        var result = ScanSummary.InputResult(path: path)
        let source: any ByteSource
        do throws(ReqwatchError) {
            source = try InputOpener.open(path, index: index, threaded: options.threadedInflate)
        } catch {
            result.error = error
            summary.inputs.append(result)
            diagnose("reqwatch: \(error)")
            return
        }
        scan(source, result: &result)
        summary.inputs.append(result)
    }

    private func scan<S: ByteSource>(_ source: S, result: inout ScanSummary.InputResult) {
        var framer = LineFramer(source: source, maxLineLength: options.maxLineLength)
        let origin = source.origin
        var batch = RecordBatch(origin: origin, capacity: options.batchSize)
        var malformedReported = 0
        // Kept in locals on the per-line path (class properties cost an exclusivity check per access).
        var firstEvent = Timestamp(microseconds: Int64.max)
        var lastEvent = Timestamp(microseconds: Int64.min + 1)

        // Sniff: hold the first non-empty lines, decide the format, then parse them and go on.
        var held: [([UInt8], LineInfo)] = []
        var nonEmpty = 0
        var more = true
        var failure: ReqwatchError?
        do throws(ReqwatchError) {
            while more && nonEmpty < 20 && held.count < 2000 {
                more = try framer.readLines(maxLines: 20) { line, info in
                    var copy = [UInt8]()
                    copy.reserveCapacity(line.count)
                    line.withUnsafeBufferPointer { copy.append(contentsOf: $0) }
                    if !info.tooLong && !copy.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { nonEmpty += 1 }
                    held.append((copy, info))
                }
            }
        } catch {
            failure = error
            more = false
        }
        let sample = held.filter { !$0.1.tooLong }.map { $0.0 }
        let sniffed: SniffedFormat?
        switch options.format {
        case .auto: sniffed = FormatSniffer.sniff(held.filter { !$0.1.tooLong }.map { $0.0 })
        case .combined, .common: sniffed = .combined
        case .json: sniffed = FormatSniffer.sniff(held.filter { !$0.1.tooLong }.map { $0.0 }).flatMap { s -> SniffedFormat? in
                if case .json = s { return s }
                return nil
            } ?? .json(options.parse.fieldMap ?? FieldMap.nginxJSON)
        }
        var parser: any LogParser
        if let s = sniffed {
            result.format = "\(s)"
            if case .json = s, let map = options.parse.fieldMap { parser = makeParser(.json(map), options: options.parse); result.format = "json (field map)" }
            else { parser = makeParser(s, options: options.parse) }
        } else {
            parser = UnknownFormatParser()
            // Every line will be rejected: the failure at the end explains why, once, instead of line by line.
            malformedReported = options.reportMalformed
        }

        // Per-line counters live in one local struct passed inout to a static function: captured locals of a nested
        // function cost a dynamic exclusivity check per access; this path has none.
        var counts = LineCounts()
        let explainBefore = options.explainRedaction - explained
        if options.redactRawLines, options.recordsOut != nil, let redactor = options.redactor {
            counts.lineRedactor = LineRedactor(redactor: redactor, explain: max(0, explainBefore))
            counts.lineRedactor!.origin = origin.path
        }
        if options.format == .auto && options.perLineFallback {
            counts.fallback = FallbackParser(primary: sniffed, options: options.parse)
        }
        func drainMalformed() {
            for (reason, info) in counts.malformed { noteMalformed(reason, info) }
            counts.malformed.removeAll(keepingCapacity: true)
            summary.skipped += counts.skipped
            counts.skipped = 0
        }
        func noteMalformed(_ reason: MalformedReason, _ info: LineInfo) {
            summary.malformedByReason[reason, default: 0] += 1
            result.malformed += 1
            if result.firstMalformedLine == nil {
                result.firstMalformedLine = info.number
                result.firstMalformedOffset = info.byteOffset
            }
            if malformedReported < options.reportMalformed {
                malformedReported += 1
                diagnose("reqwatch: \(origin.path):\(info.number) (byte \(info.byteOffset)): malformed line: \(reason)")
            }
        }

        func run<P: LogParser>(_ parser: inout P) {
            for (bytes, info) in held {
                bytes.withUnsafeBufferPointer { Self.handle($0.span, info, &parser, &counts, &batch) }
                drainMalformed()
                if batch.records.count >= options.batchSize { flush(&batch); writeRaw(&counts) }
            }
            held.removeAll()
            guard failure == nil else { return }
            do throws(ReqwatchError) {
                let batchSize = options.batchSize
                while more && !outputClosed {
                    more = try framer.readLines(maxLines: batchSize) { line, info in
                        Self.handle(line, info, &parser, &counts, &batch)
                    }
                    drainMalformed()
                    flush(&batch)
                    writeRaw(&counts)
                    progress?.update(bytes: framer.source.rawBytesRead)
                }
            } catch {
                failure = error
            }
            drainMalformed()
        }
        run(&parser)
        flush(&batch)
        writeRaw(&counts)
        if let r = counts.lineRedactor {
            audit.merge(r.audit)
            explained += max(0, explainBefore - r.explainLeft)
        }
        progress?.update(bytes: framer.source.rawBytesRead)
        result.lines += counts.lines
        result.records += counts.records
        firstEvent = min(firstEvent, counts.firstEvent)
        lastEvent = max(lastEvent, counts.lastEvent)
        summary.lines += result.lines
        summary.records += result.records
        if result.records > 0 && lastEvent.microseconds > Int64.min + 1 {
            if summary.firstEvent.map({ firstEvent < $0 }) ?? true { summary.firstEvent = firstEvent }
            if summary.lastEvent.map({ lastEvent > $0 }) ?? true { summary.lastEvent = lastEvent }
        }
        result.bytes = framer.bytesRead
        result.rawBytes = framer.source.rawBytesRead
        if result.malformed > malformedReported && malformedReported > 0 && sniffed != nil {
            diagnose("reqwatch: \(origin.path): \(result.malformed) malformed lines skipped, first at line \(result.firstMalformedLine ?? 0)")
        }
        if let fb = counts.fallback {
            if fb.combinedRecords > 0 { result.fallbackRecords.append(("combined", fb.combinedRecords)) }
            if fb.jsonRecords > 0 { result.fallbackRecords.append((fb.jsonFormatName, fb.jsonRecords)) }
        }
        if let failure {
            result.error = failure
            diagnose("reqwatch: \(failure)")
        } else if let e = Self.parsedShareFailure(result, sample: sample, forced: options.format, parse: options.parse,
                                                  minShare: options.minParsedShare) {
            result.error = e
            diagnose("reqwatch: \(e)")
        }
    }

    /// The `.format` error for an input whose non-empty lines were read as records in a share below `minShare`
    /// (none at all included), naming the first bad line, the formats tried and the nearest one; nil if it passed.
    static func parsedShareFailure(_ result: ScanSummary.InputResult, sample: [[UInt8]], forced: LogFormat,
                                   parse: ParseOptions, minShare: Double) -> ReqwatchError? {
        let nonEmpty = result.records + result.malformed
        guard nonEmpty > 0, Double(result.records) < minShare * Double(nonEmpty) else { return nil }
        let trials = FormatSniffer.trials(sample, options: parse)
        var msg = "input failed: \(result.records) of \(nonEmpty) non-empty lines read as records"
        if result.records > 0 {
            msg += " (below --min-parsed-share \(minShare))"
        }
        if forced != .auto { msg += "; format \(forced.rawValue) was given with --log-format" }
        msg += "; formats tried on the first \(trials.first?.lines ?? 0) lines: "
        msg += trials.map { t in
            "\(t.format) \(t.records)/\(t.lines)" + (t.reason.map { " (\($0))" } ?? "")
        }.joined(separator: ", ")
        if let nearest = trials.first {
            msg += "; nearest: \(nearest.format)"
            if nearest.records == 0, let r = nearest.reason { msg += ", whose lines fail at \(r)" }
        }
        msg += ". Check the file is an access log; name its format with --log-format (and --field-map for JSON)"
        return ReqwatchError(.format, msg, location: InputLocation(path: result.path, line: result.firstMalformedLine,
                                                                   byteOffset: result.firstMalformedOffset))
    }

    /// What the per-line path counts; folded into the summary after each read.
    struct LineCounts {
        var lines: Int64 = 0
        var records: Int64 = 0
        var skipped: Int64 = 0
        var firstEvent = Timestamp(microseconds: Int64.max)
        var lastEvent = Timestamp(microseconds: Int64.min + 1)
        var malformed: [(MalformedReason, LineInfo)] = []
        /// `redact --output same`: redacts each record's raw line.
        var lineRedactor: LineRedactor?
        /// Per-line fallback to the other formats (nil when the format was given).
        var fallback: FallbackParser?
    }

    /// Writes the raw-line redactor's output and explanations (`redact --output same`).
    private func writeRaw(_ counts: inout LineCounts) {
        guard counts.lineRedactor != nil else { return }
        if !counts.lineRedactor!.explanations.isEmpty {
            for e in counts.lineRedactor!.explanations { diagnose(e) }
            counts.lineRedactor!.explanations.removeAll()
        }
        guard !counts.lineRedactor!.out.isEmpty, let out = options.recordsOut, !outputClosed else {
            counts.lineRedactor!.out.removeAll(keepingCapacity: true)
            return
        }
        out.append(counts.lineRedactor!.out)
        counts.lineRedactor!.out.removeAll(keepingCapacity: true)
        do throws(ReqwatchError) { try out.flush() } catch {
            if error.errno == EPIPE { outputClosed = true } else { diagnose("reqwatch: \(error)") }
        }
    }

    @inline(__always)
    private static func handle<P: LogParser>(_ line: Span<UInt8>, _ info: LineInfo, _ parser: inout P, _ c: inout LineCounts,
                                             _ batch: inout RecordBatch) {
        c.lines += 1
        if info.tooLong {
            c.malformed.append((.lineTooLong, info))
            return
        }
        var record = RequestRecord()
        record.lineNumber = info.number
        record.byteOffset = info.byteOffset
        switch parseLine(line, with: &parser, into: &record, batch: &batch) {
        case .record:
            if c.lineRedactor != nil { c.lineRedactor!.redact(line, lineNumber: info.number) }
            batch.records.append(record)
            c.records += 1
            if record.time < c.firstEvent && record.time != .unknown { c.firstEvent = record.time }
            if record.time > c.lastEvent { c.lastEvent = record.time }
        case .skip:
            c.skipped += 1
        case .malformed(let reason):
            if c.fallback != nil {
                var again = RequestRecord()
                again.lineNumber = info.number
                again.byteOffset = info.byteOffset
                if c.fallback!.parse(line, into: &again, batch: &batch) == .record {
                    if c.lineRedactor != nil { c.lineRedactor!.redact(line, lineNumber: info.number) }
                    batch.records.append(again)
                    c.records += 1
                    if again.time < c.firstEvent && again.time != .unknown { c.firstEvent = again.time }
                    if again.time > c.lastEvent { c.lastEvent = again.time }
                    return
                }
            }
            c.malformed.append((reason, info))
        }
    }

    private func flush(_ batch: inout RecordBatch) {
        guard !batch.records.isEmpty else { batch.removeAll(); return }
        options.onBatch?(batch)
        if detection != nil {
            detection!.observe(batch, into: &alerts)
            emitAlerts()
        }
        let ecsOut = options.redactRawLines ? nil : options.recordsOut
        if let redactor = options.redactor, options.store != nil || ecsOut != nil || (!options.redactRawLines && options.explainRedaction > explained) {
            recordBytes.removeAll(keepingCapacity: true)
            for r in batch.records where !options.redactRawLines && explained < options.explainRedaction {
                let hits = redactor.explain(r, in: batch)
                if !hits.isEmpty {
                    explained += 1
                    for h in hits {
                        diagnose("reqwatch: explain \(batch.origin.path):\(r.lineNumber): \(h.field): \(h.kind) by \(h.rule) -> \(h.preview)")
                    }
                }
            }
            if options.store != nil || ecsOut != nil {
                redactor.writeRecords(in: batch, into: &recordBytes, audit: &audit)
            }
            if let store = options.store, !recordBytes.isEmpty {
                do throws(ReqwatchError) {
                    try store.append(recordBytes, eventTime: batch.records[batch.records.count - 1].time)
                    summary.storedRecords += Int64(batch.records.count)
                } catch { diagnose("reqwatch: \(error)") }
            }
            if let out = ecsOut, !recordBytes.isEmpty {
                out.append(recordBytes)
                do throws(ReqwatchError) { try out.flush() } catch {
                    if error.errno == EPIPE { outputClosed = true } else { diagnose("reqwatch: \(error)") }
                }
            }
        }
        if let sharded {
            // Last: the workers take the batch (the caller parses into a spare meanwhile).
            sharded.observe(&batch, into: &alerts)
            emitAlerts()
        }
        batch.removeAll()
    }

    private func emitAlerts() {
        guard !alerts.isEmpty else { return }
        if let redactor = options.redactor {
            for i in alerts.indices { redactor.redact(alert: &alerts[i], audit: &audit) }
        }
        for a in alerts { summary.alertsByRule[a.rule.id, default: 0] += 1 }
        if var sink = options.alertSink {
            do throws(ReqwatchError) { try sink.write(alerts) } catch {
                if error.errno == EPIPE { outputClosed = true } else { diagnose("reqwatch: \(error)") }
            }
            options.alertSink = sink
        }
        alerts.removeAll(keepingCapacity: true)
    }
}

/// The detection stage for `options` (nil when detectors are off), with `exposed-credential` when a redactor exists.
func makeDetection(_ options: ScanOptions) throws(ReqwatchError) -> DetectionEngine? {
    guard let config = options.detect else { return nil }
    var extra: [any Detector] = []
    if options.exposedCredentials, let r = options.redactor { extra.append(ExposedCredentialDetector(redactor: r)) }
    return try DetectionEngine(configuration: config, additional: extra)
}

/// Parses one line into `record`; on `.skip` or `.malformed` whatever the parser appended to the batch is
/// removed again, so only records leave bytes behind.
@inline(__always)
func parseLine<P: LogParser>(_ line: Span<UInt8>, with parser: inout P, into record: inout RequestRecord,
                             batch: inout RecordBatch) -> ParseOutcome {
    let arena = batch.arena.count
    let headers = batch.headers.count
    let outcome = parser.parse(line, into: &record, batch: &batch)
    if outcome != .record {
        if batch.arena.count > arena { batch.arena.removeSubrange(arena...) }
        if batch.headers.count > headers { batch.headers.removeSubrange(headers...) }
    }
    return outcome
}

/// Used when an input's format could not be recognised: every non-empty line is counted as malformed.
struct UnknownFormatParser: LogParser {
    mutating func parse(_ line: Span<UInt8>, into record: inout RequestRecord, batch: inout RecordBatch) -> ParseOutcome {
        line.isEmpty ? .skip : .malformed(.unknownFormat)
    }
}
