import ArgumentParser
import ReqwatchCore
import ReqwatchEngine
import ReqwatchOutput
import ReqwatchRedact
import ReqwatchReport
#if canImport(Glibc)
import Glibc
#endif

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Scan logs and write one self-contained HTML report: timeline, incidents, endpoints, clients.",
        discussion: """
            Examples:
              reqwatch report --spec openapi.yaml -o report.html /var/log/nginx/
              reqwatch scan --spec openapi.yaml --report report.html access.log > alerts.jsonl

            The page opens from disk with no network: no script, no external asset, a strict \
            Content-Security-Policy. Every value from the logs is redacted as in the alerts and HTML-escaped. \
            Long lists are capped (the most severe incidents, the riskiest routes, the busiest clients); \
            the alert stream (--alerts) keeps everything. A progress bar is drawn when stderr is a terminal.
            """)

    @OptionGroup var input: InputOptions
    @OptionGroup var detect: DetectOptions
    @OptionGroup var redact: RedactOptions

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The HTML file to write (checked before the run starts).", valueName: "file"))
    var output: String

    @Option(help: ArgumentHelp("Also write the alerts as ECS JSON Lines to this file.", valueName: "file"))
    var alerts: String?

    @Flag(name: .customLong("fail-on-alert"), help: "Exit with status 1 when any alert was found (and nothing worse happened).")
    var failOnAlert = false

    @Flag(name: .customLong("no-progress"), help: "Never draw the progress bar.")
    var noProgress = false

    @Flag(name: .customLong("no-threads"), help: "Inflate gzip inputs on the main thread (default: a second thread).")
    var noThreads = false

    func run() throws {
        var settings = try input.settings()
        try detect.apply(to: &settings)
        try redact.apply(to: &settings)
        try requireInput(settings)
        let status = runReport(settings)
        if status != .ok { throw ExitCode(status.rawValue) }
    }

    private func runReport(_ settings: CommonSettings) -> ExitStatus {
        do throws(ReqwatchError) {
            var (options, _) = try makeScanOptions(settings)
            if noProgress { options.progress = false }
            options.threadedInflate = !noThreads
            // Every output is opened before the first input is read.
            if let alerts { options.alertSink = JSONLinesAlertSink(writer: try FileDescriptorWriter(path: alerts)) }
            let stats = try input.openStats()
            let session = try ReportSession(path: output, options: &options, settings: settings)
            let summary = try ScanPipeline(options: options).run()
            writeStderr(summary.text())
            try session.write(summary: summary)
            if let stats {
                stats.append(summary.json().encoded() + "\n")
                try stats.flush()
            }
            return ExitStatus(summary: summary, failOnAlert: failOnAlert)
        } catch {
            printError(error)
            return ExitStatus(error: error)
        }
    }
}

/// An HTML report collected during a scan (`report`, `scan --report`): attach before the run, write after it.
/// The output file is opened first, so an unwritable path fails before the scan rather than after it.
struct ReportSession {
    let collector: ReportCollector
    let writer: FileDescriptorWriter
    let redactor: Redactor?
    let settings: CommonSettings

    init(path: String, options: inout ScanOptions, settings: CommonSettings) throws(ReqwatchError) {
        writer = try FileDescriptorWriter(path: path)
        collector = ReportCollector(options: options)
        collector.attach(to: &options)
        redactor = options.redactor
        self.settings = settings
    }

    func write(summary: ScanSummary) throws(ReqwatchError) {
        let page = HTMLReport.render(collector, summary: summary, settings: settings, redactor: redactor)
        writer.append(page)
        try writer.flush()
        writeStderr("reqwatch: report written to \(writer.displayName) (\(page.count / 1024) KiB)\n")
    }
}
