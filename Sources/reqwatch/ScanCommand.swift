import ArgumentParser
import ReqwatchCore
import ReqwatchDetect
import ReqwatchEngine
import ReqwatchOutput
import ReqwatchRedact
#if canImport(Glibc)
import Glibc
#endif

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan logs (archives, rotated sets, stdin) and print alerts as ECS JSON Lines.",
        discussion: """
            Examples:
              reqwatch scan access.log access.log.1 access.log.2.gz
              reqwatch scan --spec openapi.yaml /var/log/nginx/ > alerts.jsonl
              zcat old.gz | reqwatch scan - | jq 'select(.rule.id=="id-enumeration")'

            Rules:
            \(DetectorRegistry.all.map { "  \($0.rule.id): \($0.summary)" }.joined(separator: "\n"))
              exposed-credential: a credential in a URL (one finding per route, parameter and location)
            Alerts are incidents: at most three lines each (opened, escalated, closed) with one reqwatch.incident.id.
            A summary goes to stderr at the end; a progress bar too when stderr is a terminal.
            Alert evidence is redacted (secrets and personal data masked) before it is printed.
            Exit status: see 'reqwatch --help'.
            """)

    @OptionGroup var input: InputOptions
    @OptionGroup var old: DeprecatedLogFormat
    @OptionGroup var detect: DetectOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var redact: RedactOptions

    @Flag(name: .customLong("parse-only"), help: "Parse and summarise only; run no detectors (for format checks and benchmarks).")
    var parseOnly = false

    @Flag(name: .customLong("no-progress"), help: "Never draw the progress bar.")
    var noProgress = false

    @Flag(name: .customLong("no-threads"), help: "Inflate gzip inputs on the main thread (default: a second thread).")
    var noThreads = false

    @Option(help: ArgumentHelp("Also write a self-contained HTML report to this file (see 'reqwatch report').", valueName: "file"))
    var report: String?

    @Option(help: ArgumentHelp(
        "Detection threads: records are split among them by client, each with its own state; alerts are the same as with 1 (default: the number of cores).",
        valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp(
        "Keep only the clients of shard i of n (splitmix64 of the client key, mod n), to run n processes over one stream; route findings carry the same incident id in every shard.",
        valueName: "i/n"))
    var shard: String?

    func run() throws {
        if let threads, threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
        if let shard, ShardSelection(shard) == nil {
            throw ValidationError("--shard must be i/n with 0 <= i < n <= 4096, e.g. --shard 0/4")
        }
        var settings = try input.settings(deprecatedFormat: old.format)
        try detect.apply(to: &settings)
        try redact.apply(to: &settings)
        try requireInput(settings)
        let status = runScan(settings)
        if status != .ok { throw ExitCode(status.rawValue) }
    }

    private func runScan(_ settings: CommonSettings) -> ExitStatus {
        do throws(ReqwatchError) {
            var (options, config) = try makeScanOptions(settings)
            if parseOnly { options.detect = nil; options.redactor = nil }
            if noProgress { options.progress = false }
            options.threadedInflate = !noThreads
            options.threads = threads ?? max(1, min(64, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
            options.shard = shard.flatMap(ShardSelection.init)
            // Every output is opened before the first input is read: an unwritable path fails now, not after the scan.
            let sinkWriter = try output.alertWriter()
            let stats = try input.openStats()
            options.alertSink = JSONLinesAlertSink(writer: sinkWriter)
            if let dir = output.store ?? config?.storeDirectory {
                options.store = try SegmentStore(
                    directory: dir, maxSegmentBytes: config?.storeMaxSegmentBytes ?? 64 << 20,
                    maxSegmentSeconds: config?.storeMaxSegmentSeconds ?? 3600)
            }
            var reportSession: ReportSession?
            if let report { reportSession = try ReportSession(path: report, options: &options, settings: settings) }
            let pipeline = try ScanPipeline(options: options)
            let summary = pipeline.run()
            if let reportSession {
                do throws(ReqwatchError) { try reportSession.write(summary: summary) } catch { printError(error); return .ioError }
            }
            if pipeline.outputClosed { return .ok }  // a reader such as `head` went away: not an error
            writeStderr(summary.text())
            if let stats {
                stats.append(summary.json().encoded() + "\n")
                do throws(ReqwatchError) { try stats.flush() } catch { printError(error); return .ioError }
            }
            return ExitStatus(summary: summary, failOnAlert: output.failOnAlert)
        } catch {
            printError(error)
            return ExitStatus(error: error)
        }
    }
}
