import ArgumentParser
import ReqwatchCore
import ReqwatchEngine
import ReqwatchInput
import ReqwatchMetrics
import ReqwatchOutput
import ReqwatchRedact
import ReqwatchTail
#if canImport(Glibc)
import Glibc
#endif

struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Follow live logs through rotation and truncation; print each alert as soon as it fires.",
        discussion: """
            Examples:
              reqwatch tail --spec openapi.yaml --state /var/lib/reqwatch/state.json /var/log/nginx/access.log | vector ...
              reqwatch tail --from-start --store ./history --alerts alerts.jsonl app.log api.log
              kubectl logs -f ... | reqwatch tail -        # stdin, read until it ends
              reqwatch tail /var/log/nginx/                # every live log file in the directory (not .1, .gz, …)

            Without --state, files present at start are read from their end (--from-start to change) and files that \
            appear later from their start. With --state, reading resumes exactly where the last run stopped; the \
            state is written atomically at least every second and on SIGINT/SIGTERM. The detector windows are \
            saved beside it (FILE.windows), so an attack straddling a restart is still caught. SIGHUP reloads \
            --config and --spec, keeping positions and windows. Rotation by rename, \
            copy-truncate and delete-and-recreate are followed; a file that does not exist yet is waited for \
            (a message on stderr says so). A corrupt or foreign --state file is moved aside (FILE.corrupt-N) and \
            the run starts as if there were none (from the end, or from the start with --from-start).
            """)

    @OptionGroup var input: InputOptions
    @OptionGroup var old: DeprecatedLogFormat
    @OptionGroup var detect: DetectOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var redact: RedactOptions

    @Option(help: ArgumentHelp("Read positions are kept in this file, detector windows in FILE.windows (both written atomically).", valueName: "file"))
    var state: String?

    @Flag(name: .customLong("from-start"), help: "Read files present at start from their beginning.")
    var fromStart = false

    @Option(help: ArgumentHelp("Serve Prometheus metrics at http://ADDR/metrics and /healthz; loopback only, e.g. 127.0.0.1:9464.", valueName: "addr"))
    var metrics: String?

    func run() throws {
        var settings = try input.settings(deprecatedFormat: old.format)
        try detect.apply(to: &settings)
        try redact.apply(to: &settings)
        if settings.inputs.isEmpty { settings.inputs = ["-"] }
        do {
            var (options, config) = try makeScanOptions(settings)
            options.progress = false
            options.alertSink = JSONLinesAlertSink(writer: try output.alertWriter())
            if let dir = output.store ?? config?.storeDirectory {
                options.store = try SegmentStore(
                    directory: dir, maxSegmentBytes: config?.storeMaxSegmentBytes ?? 64 << 20,
                    maxSegmentSeconds: config?.storeMaxSegmentSeconds ?? 3600, recoverUnfinished: true)
                if let st = options.store, st.recoveredSegments > 0 {
                    writeStderr("reqwatch: recovered \(st.recoveredLines) stored record(s) from \(st.recoveredSegments) unfinished segment(s) in \(dir)\n")
                }
            }
            if settings.inputs == ["-"], metrics != nil {
                throw ValidationError("--metrics needs files to follow, not stdin")
            }
            if settings.inputs == ["-"] {
                // A pipe: read until it ends, flushing alerts after every read.
                options.batchSize = 64
                let pipeline = try ScanPipeline(options: options)
                let summary = pipeline.run()
                if pipeline.outputClosed { return }
                let status = ExitStatus(summary: summary, failOnAlert: output.failOnAlert)
                if status != .ok { throw ExitCode(status.rawValue) }
                return
            }
            if settings.inputs.contains("-") {
                throw ValidationError("stdin (-) cannot be followed together with files")
            }
            // A directory stands for the live log files in it (rotated copies are not followed: rotation is).
            var paths: [String] = []
            for input in settings.inputs {
                var st = stat()
                if stat(input, &st) == 0 && (st.st_mode & 0o170000) == 0o040000 {
                    guard let live = InputPaths.liveFiles(in: input), !live.isEmpty else {
                        throw ReqwatchError(.notFound, "no live log file to follow in directory \(input) (name the files instead)")
                    }
                    paths += live
                } else {
                    if stat(input, &st) != 0 {
                        // Not there yet (a service that has not logged, a rotation in progress): say so, then wait.
                        writeStderr("reqwatch: \(input) does not exist yet; waiting for it to appear (Ctrl-C to stop)\n")
                    }
                    paths.append(input)
                }
            }
            if let state {
                // Checked now: a state file that can never be written would otherwise fail a second into the run.
                let dir = state.contains("/") ? String(state[..<state.lastIndex(of: "/")!]) : "."
                if access(dir.isEmpty ? "/" : dir, W_OK) != 0 {
                    throw ReqwatchError(.output, "cannot write the state file here: directory \(dir.isEmpty ? "/" : dir): "
                        + String(cString: strerror(errno)) + " (create it, or choose another --state path)",
                        location: InputLocation(path: state))
                }
            }
            var tailOptions = TailOptions(paths: paths)
            tailOptions.fromStart = fromStart
            tailOptions.statePath = state
            tailOptions.maxLineLength = options.maxLineLength
            let pipeline = try TailPipeline(options: options, tail: tailOptions)
            pipeline.reload = { () throws(ReqwatchError) -> ScanOptions in try makeScanOptions(settings).0 }
            let metricsServer = try metrics.map { a throws(ReqwatchError) in try startMetrics(a, for: pipeline) }
            try pipeline.run()
            metricsServer?.stop()
            writeStderr("reqwatch: tail stopped: \(pipeline.lines) lines, \(pipeline.records) records, \(pipeline.malformed) malformed, \(pipeline.alertCount) alert(s)\n")
            if pipeline.windowSaves > 0 {
                writeStderr("reqwatch: detector windows saved \(pipeline.windowSaves) time(s); last \(pipeline.lastWindowBytes) bytes in \(Int(pipeline.windowSaveSeconds * 1000)) ms\n")
            }
            if output.failOnAlert && pipeline.alertCount > 0 { throw ExitCode(ExitStatus.alertsFound.rawValue) }
        } catch let e as ReqwatchError {
            throw fail(e)
        }
    }
}
