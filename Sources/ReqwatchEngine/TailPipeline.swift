#if canImport(Glibc)
import Glibc
#endif
import ReqwatchCore
import ReqwatchDetect
import ReqwatchOutput
import ReqwatchParse
import ReqwatchRedact
import ReqwatchTail

/// glibc's `mallopt(3)` (`<malloc.h>` is not in the Glibc module).
@_silgen_name("mallopt") private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32

/// Set by SIGINT/SIGTERM; the tail loop saves its state and stops.
nonisolated(unsafe) private var stopRequested: sig_atomic_t = 0
/// Set by SIGHUP; the tail loop reloads the config file and spec between polls.
nonisolated(unsafe) private var reloadRequested: sig_atomic_t = 0

/// `reqwatch tail`: follows files through rotation, turns new lines into alerts as they arrive, flushes each
/// alert at once, and checkpoints read positions in `--state` at least every second and on SIGINT/SIGTERM.
public final class TailPipeline {
    private var options: ScanOptions
    private let tailOptions: TailOptions
    private var detection: DetectionEngine?
    private var alerts: [Alert] = []
    private var audit = RedactionAudit()
    private var parsers: [Int: any LogParser] = [:]
    private var recordBytes: [UInt8] = []
    public private(set) var lines: Int64 = 0
    public private(set) var records: Int64 = 0
    public private(set) var malformed: Int64 = 0
    public private(set) var alertCount = 0
    private var malformedReported = 0
    /// Builds fresh options from the config file and spec (SIGHUP). Read positions and detector windows are kept
    /// (routes are matched by template text; a window whose length changed starts empty).
    public var reload: (() throws(ReqwatchError) -> ScanOptions)?
    public private(set) var reloads = 0
    /// Where the detector windows are saved beside `--state`: `<state>.windows`.
    public var windowsPath: String? { tailOptions.statePath.map { $0 + ".windows" } }
    /// Detector windows restored at start (bytes of the snapshot), for the summary and tests.
    public private(set) var restoredWindowBytes = 0
    /// Snapshots of the detector windows written, and the time the last one took (encode and write).
    public private(set) var windowSaves = 0
    /// Stdout went away (EPIPE): stop without committing the undelivered round.
    public private(set) var outputBroken = false
    /// Size of the last snapshot written, and the time its encoding and writing took.
    public private(set) var lastWindowBytes = 0
    public private(set) var windowSaveSeconds = 0.0
    private var lastWindowSave = -Double.infinity
    /// Largest snapshot accepted when reading (a damaged length must not allocate without bound).
    static let windowsLimit = 1 << 30
    /// Lines, bytes, records and malformed lines per input, for `--metrics`.
    public private(set) var counters: TailCounters
    /// Called after every poll round (at least every 250 ms), on the tail thread (`--metrics`).
    public var onRound: ((TailPipeline) -> Void)?
    /// Called with every group of alerts after redaction, before they are written (`--metrics`).
    public var onAlerts: (([Alert]) -> Void)?
    /// The detectors' table sizes and eviction counts (`detect.*`, `<rule>.evictions`, …).
    public var detectorStatistics: [(String, Int)] { detection?.statistics ?? [] }

    public init(options: ScanOptions, tail: TailOptions) throws(ReqwatchError) {
        self.options = options
        tailOptions = tail
        counters = TailCounters(paths: tail.paths)
        detection = try makeDetection(options)
        restoreWindows()
    }

    /// Loads `<state>.windows` into the fresh detectors. A damaged or unreadable file is reported and the windows
    /// start empty: read positions matter more, and the run goes on.
    private func restoreWindows() {
        guard let path = windowsPath, detection != nil else { return }
        do throws(ReqwatchError) {
            guard let bytes = try StateFile.read(path, limit: Self.windowsLimit) else { return }
            var restored = detection!
            try restored.restore(bytes, name: path)
            detection = restored
            restoredWindowBytes = bytes.count
            diagnose("reqwatch: restored detector windows from \(path) (\(bytes.count) bytes)")
        } catch {
            diagnose("reqwatch: \(error); detector windows start empty")
            if let fresh = try? makeDetection(options) { detection = fresh }
        }
    }

    /// Writes the detector windows to `<state>.windows` when due: on every call with `force` (stop), else at
    /// most once a second and no more often than 50 times the last save took, so saving costs at most ~2% of
    /// the time however large the windows are.
    private func saveWindows(force: Bool) {
        guard let path = windowsPath, let detection else { return }
        let t0 = MonotonicClock.nowSeconds()
        if !force && t0 - lastWindowSave < max(1.0, 50 * windowSaveSeconds) { return }
        do throws(ReqwatchError) {
            let bytes = detection.snapshot(sizeHint: lastWindowBytes)
            try StateFile.write(bytes, to: path)
            lastWindowBytes = bytes.count
            windowSaves += 1
        } catch {
            diagnose("reqwatch: \(error)")
        }
        let t1 = MonotonicClock.nowSeconds()
        windowSaveSeconds = t1 - t0
        lastWindowSave = t1
    }

    /// Runs until SIGINT/SIGTERM (or `maxSeconds` of wall time, for tests). Returns the exit status.
    public func run(maxSeconds: Double? = nil) throws(ReqwatchError) {
        signal(SIGINT) { _ in stopRequested = 1 }
        signal(SIGTERM) { _ in stopRequested = 1 }
        signal(SIGHUP) { _ in reloadRequested = 1 }
        signal(SIGPIPE, SIG_IGN)
        // Window snapshots are buffers of up to tens of MB made and freed every few seconds. A fixed mmap threshold
        // keeps such buffers out of the heap, so their pages go back to the system when freed (glibc otherwise
        // raises the threshold after the first free and keeps the pages resident).
        _ = glibcMallopt(-3 /* M_MMAP_THRESHOLD */, 1 << 20)
        // A parent may have left these blocked (the mask survives exec); we must see them to save state.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGHUP)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        let tailer = try Tailer(options: tailOptions)
        if let aside = tailer.stateSetAside, let statePath = tailOptions.statePath {
            diagnose("reqwatch: state file \(statePath) is corrupt or of an unknown version; kept aside as \(aside)."
                + " Starting without it: files are read from their " + (tailOptions.fromStart ? "start" : "end")
                + (tailOptions.fromStart ? "" : " (use --from-start to read them from the start)")
                + "; to resume from the old positions instead, stop, fix or restore the file and start again")
        }
        let started = MonotonicClock.nowSeconds()
        var lastSave = started
        var batch = RecordBatch(origin: InputOrigin(path: tailOptions.paths.first ?? "-"))
        var pending: [Int: TailLineInfo] = [:]
        var lastEvent: Timestamp?
        while stopRequested == 0 {
            if let maxSeconds, MonotonicClock.nowSeconds() - started > maxSeconds { break }
            _ = try tailer.poll(timeout: .milliseconds(250)) { line, info in
                lines += 1
                counters.line(info.pathIndex, bytes: line.count + 1)
                pending[info.pathIndex] = info
                var parser = parserFor(info.pathIndex, line)
                var record = RequestRecord()
                record.lineNumber = info.lineNumber ?? 0
                record.byteOffset = info.endOffset - Int64(line.count) - 1
                switch parseLine(line, with: &parser, into: &record, batch: &batch) {
                case .record:
                    batch.records.append(record)
                    records += 1
                    lastEvent = record.time
                    counters.record(info.pathIndex, time: record.time)
                case .skip:
                    break
                case .malformed(let reason):
                    malformed += 1
                    counters.malformedLine(info.pathIndex)
                    if malformedReported < options.reportMalformed {
                        malformedReported += 1
                        let path = tailOptions.paths[min(info.pathIndex, tailOptions.paths.count - 1)]
                        diagnose("reqwatch: \(path):\(info.lineNumber.map(String.init) ?? "?"): malformed line: \(reason)")
                    }
                }
                parsers[info.pathIndex] = parser
                if batch.records.count >= options.batchSize { process(&batch) }
            }
            process(&batch)
            // Positions advance only past lines whose alerts reached stdout: after a broken pipe the lines of
            // this round are read again by the next run (their alerts were not delivered).
            if !outputBroken { for (_, info) in pending { tailer.commit(info, eventTime: lastEvent) } }
            pending.removeAll(keepingCapacity: true)
            onRound?(self)
            if reloadRequested != 0 {
                reloadRequested = 0
                applyReload()
            }
            let t = MonotonicClock.nowSeconds()
            if tailOptions.statePath != nil && t - lastSave >= 1.0 {
                // Stored records first, then the positions that say they were processed: after a crash the store
                // holds at least every line the state counts as done.
                if let store = options.store {
                    do throws(ReqwatchError) { try store.checkpoint() } catch { diagnose("reqwatch: \(error)") }
                }
                try tailer.saveState()
                saveWindows(force: false)
                lastSave = t
            }
        }
        process(&batch)
        try? options.alertSink?.flush()
        // The store is completed before the final positions are saved, so they never count a record it lacks.
        if let store = options.store {
            do throws(ReqwatchError) { try store.close() } catch { diagnose("reqwatch: \(error)") }
        }
        if tailOptions.statePath != nil {
            try tailer.saveState()
            // After a broken pipe the windows already hold the undelivered round; the last periodic snapshot
            // (consistent with the committed positions up to its save) is kept instead.
            if !outputBroken { saveWindows(force: true) }
        }
    }

    private func applyReload() {
        guard let reload else { return }
        do throws(ReqwatchError) {
            var fresh = try reload()
            fresh.alertSink = options.alertSink
            fresh.store = options.store
            fresh.diagnostics = options.diagnostics
            var newDetection = try makeDetection(fresh)
            var kept = "read positions and detector windows kept"
            if let old = detection, var restored = newDetection {
                do throws(ReqwatchError) {
                    try restored.restore(old.snapshot(), name: "detector windows")
                    newDetection = restored
                } catch {
                    newDetection = try makeDetection(fresh)
                    kept = "read positions kept; detector windows restarted: \(error)"
                }
            }
            options = fresh
            detection = newDetection
            parsers.removeAll()
            reloads += 1
            diagnose("reqwatch: reloaded the config and spec (\(kept))")
        } catch {
            diagnose("reqwatch: reload failed, keeping the previous config: \(error)")
        }
    }

    private func parserFor(_ index: Int, _ line: Span<UInt8>) -> any LogParser {
        if let p = parsers[index] { return p }
        var copy: [UInt8] = []
        line.withUnsafeBufferPointer { copy.append(contentsOf: $0) }
        let sniffed: SniffedFormat?
        switch options.format {
        case .auto: sniffed = FormatSniffer.sniff([copy])
        case .combined, .common: sniffed = .combined
        case .json: sniffed = .json(options.parse.fieldMap ?? FieldMap.nginxJSON)
        }
        counters.grow(index)
        counters.formats[index] = sniffed.map { "\($0)" } ?? "unknown"
        if let map = options.parse.fieldMap, case .json = sniffed { return makeParser(.json(map), options: options.parse) }
        guard let s = sniffed else { return UnknownFormatParser() }
        return makeParser(s, options: options.parse)
    }

    private func diagnose(_ s: String) {
        options.diagnostics.append(s + "\n")
        try? options.diagnostics.flush()
    }

    private func process(_ batch: inout RecordBatch) {
        guard !batch.records.isEmpty else { batch.removeAll(); return }
        if detection != nil { detection!.observe(batch, into: &alerts) }
        if let redactor = options.redactor, let store = options.store {
            recordBytes.removeAll(keepingCapacity: true)
            for r in batch.records { redactor.writeRecord(r, in: batch, into: &recordBytes, audit: &audit) }
            do throws(ReqwatchError) { try store.append(recordBytes, eventTime: batch.records[batch.records.count - 1].time) } catch {
                diagnose("reqwatch: \(error)")
            }
        }
        if !alerts.isEmpty {
            if let redactor = options.redactor { for i in alerts.indices { redactor.redact(alert: &alerts[i], audit: &audit) } }
            alertCount += alerts.count
            onAlerts?(alerts)
            if var sink = options.alertSink {
                do throws(ReqwatchError) { try sink.write(alerts) } catch {
                    if error.errno == EPIPE {
                        outputBroken = true
                        stopRequested = 1
                    } else {
                        diagnose("reqwatch: \(error)")
                    }
                }
                options.alertSink = sink
            }
            alerts.removeAll(keepingCapacity: true)
        }
        batch.removeAll()
    }
}
