import ArgumentParser
import ReqwatchCore
import ReqwatchEngine
import ReqwatchOutput
import ReqwatchRedact
#if canImport(Glibc)
import Glibc
#endif

struct RedactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redact",
        abstract: "A filter: any supported log in, redacted JSON Lines records (ECS names) out.",
        discussion: """
            Examples:
              reqwatch redact access.log > redacted.jsonl
              REQWATCH_REDACT_KEY=... reqwatch redact --mode hash app.jsonl
              reqwatch redact --explain-redaction 20 sample.log > /dev/null

            Secrets (tokens, keys, passwords, cookies) and personal data (e-mail, phone, card numbers, SSNs) are \
            replaced in query strings, paths, headers, bodies and free text; see the README for the full list.
            """)

    @OptionGroup var input: InputOptions

    @Option(help: "mask ([REDACTED:kind]), hash (hmac:… pseudonym; key from REQWATCH_REDACT_KEY or --key-file) or partial (cards keep the last four).")
    var mode: RedactionMode = .mask

    @Option(name: .customLong("key-file"), help: "File holding the HMAC key for --mode hash.")
    var keyFile: String?

    @Option(name: .customLong("explain-redaction"), help: ArgumentHelp("Print on stderr which rule hit which field for the first N records that had hits (values masked).", valueName: "n"))
    var explain: Int = 0

    func run() throws {
        var settings = try input.settings()
        settings.redactMode = mode
        settings.redactKeyFile = keyFile
        if settings.inputs.isEmpty && isatty(0) != 0 {
            throw ValidationError("no input: name log files or directories, or pipe a log into stdin (-)")
        }
        do {
            var (options, _) = try makeScanOptions(settings)
            options.detect = nil
            options.recordsOut = FileDescriptorWriter(fd: 1, name: "stdout")
            options.explainRedaction = max(0, explain)
            let pipeline = try ScanPipeline(options: options)
            let summary = pipeline.run()
            if !pipeline.outputClosed { writeStderr(summary.text()) }
            if let path = input.statsJSON {
                let w = try FileDescriptorWriter(path: path)
                w.append(summary.json().encoded() + "\n")
                try w.flush()
            }
            if summary.failedInputs > 0 { throw ExitCode(ExitStatus.inputFailed.rawValue) }
        } catch let e as ReqwatchError {
            printError(e)
            throw ExitCode(e.code == .usage ? ExitStatus.usage.rawValue : ExitStatus.fatal.rawValue)
        }
    }
}
