import ArgumentParser
import ReqwatchCore
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

            Rules: id-enumeration, auth-failure-cluster, unknown-endpoint, suspicious-user-agent, exposed-credential.
            A summary goes to stderr at the end; a progress bar too when stderr is a terminal.
            Alert evidence is redacted (secrets and personal data masked) before it is printed.
            """)

    @OptionGroup var input: InputOptions

    @Option(help: "OpenAPI 3 spec (YAML or JSON) or a file of 'METHOD /path/{param}' lines: the route inventory.")
    var spec: String?

    @Option(help: "Baseline from 'reqwatch endpoints --save-baseline': its routes are the inventory when there is no spec; its user-agent families make new ones 'unfamiliar'.")
    var baseline: String?

    @Option(help: "Write alerts to this file instead of stdout.")
    var alerts: String?

    @Option(help: ArgumentHelp("Store redacted records in this directory as gzip JSON Lines segments.", valueName: "dir"))
    var store: String?

    @Option(name: .customLong("redact-mode"), help: "How redacted values are written: mask ([REDACTED:kind]), hash (hmac:… pseudonym; needs REQWATCH_REDACT_KEY or --redact-key-file) or partial (cards keep the last four digits).")
    var redactMode: RedactionMode = .mask

    @Option(name: .customLong("redact-key-file"), help: "File holding the HMAC key for --redact-mode hash.")
    var redactKeyFile: String?

    @Option(name: .customLong("disable"), help: ArgumentHelp("Turn a rule off (repeatable), e.g. --disable suspicious-user-agent.", valueName: "rule"))
    var disable: [String] = []

    @Flag(name: .customLong("parse-only"), help: "Parse and summarise only; run no detectors (for format checks and benchmarks).")
    var parseOnly = false

    @Flag(name: .customLong("no-progress"), help: "Never draw the progress bar.")
    var noProgress = false

    @Flag(name: .customLong("fail-on-alert"), help: "Exit with status 3 when any alert was written.")
    var failOnAlert = false

    @Flag(name: .customLong("no-threads"), help: "Inflate gzip inputs on the main thread (default: a second thread).")
    var noThreads = false

    func run() throws {
        var settings = try input.settings()
        settings.specPath = spec
        settings.baselinePath = baseline
        settings.redactMode = redactMode
        settings.redactKeyFile = redactKeyFile
        settings.disabledRules = disable
        let known = ["id-enumeration", "auth-failure-cluster", "unknown-endpoint", "suspicious-user-agent", "exposed-credential"]
        for d in disable where !known.contains(d) {
            throw ValidationError("--disable: unknown rule '\(d)' (rules: \(known.joined(separator: ", ")))")
        }
        if settings.inputs.isEmpty && isatty(0) != 0 {
            throw ValidationError("no input: name log files or directories, or pipe a log into stdin (-)")
        }
        let status = runScan(settings)
        if status != .ok { throw ExitCode(status.rawValue) }
    }

    private func runScan(_ settings: CommonSettings) -> ExitStatus {
        do {
            var (options, config) = try makeScanOptions(settings)
            if parseOnly { options.detect = nil; options.redactor = nil }
            if noProgress { options.progress = false }
            options.threadedInflate = !noThreads
            let sinkWriter = try alerts.map { p throws(ReqwatchError) in try FileDescriptorWriter(path: p) }
                ?? FileDescriptorWriter(fd: 1, name: "stdout")
            options.alertSink = JSONLinesAlertSink(writer: sinkWriter)
            if let dir = store ?? config?.storeDirectory {
                options.store = try SegmentStore(
                    directory: dir, maxSegmentBytes: config?.storeMaxSegmentBytes ?? 64 << 20,
                    maxSegmentSeconds: config?.storeMaxSegmentSeconds ?? 3600)
            }
            let pipeline = try ScanPipeline(options: options)
            let summary = pipeline.run()
            return finish(summary, outputClosed: pipeline.outputClosed)
        } catch let e as ReqwatchError {
            printError(e)
            return e.code == .usage ? .usage : .fatal
        } catch {
            printError(ReqwatchError(.io, "\(error)"))
            return .fatal
        }
    }

    private func finish(_ summary: ScanSummary, outputClosed: Bool) -> ExitStatus {
        if !outputClosed { writeStderr(summary.text()) }
        if let path = input.statsJSON {
            do {
                let w = try FileDescriptorWriter(path: path)
                w.append(summary.json().encoded() + "\n")
                try w.flush()
            } catch let e as ReqwatchError { printError(e); return .fatal } catch {}
        }
        if summary.failedInputs > 0 { return .inputFailed }
        if failOnAlert && summary.alerts > 0 { return .alertsFound }
        return .ok
    }
}

func printError(_ e: ReqwatchError) { writeStderr("reqwatch: error: \(e)\n") }

func writeStderr(_ s: String) {
    var s = s
    s.withUTF8 { p in _ = write(2, p.baseAddress, p.count) }
}
