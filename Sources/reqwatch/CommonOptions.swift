import ArgumentParser
import ReqwatchCore
import ReqwatchDetect
import ReqwatchEngine
import ReqwatchOutput
import ReqwatchParse
import ReqwatchRedact
#if canImport(Glibc)
import Glibc
#endif

extension LogFormat: ExpressibleByArgument {}
extension RedactionMode: ExpressibleByArgument {}

/// Input options, the same in every subcommand (`scan`, `tail`, `redact`, `endpoints`).
struct InputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp(
        "Log files, directories (rotated sets are read oldest first) or - for stdin. Default: stdin.",
        valueName: "input"))
    var inputs: [String] = []

    @Option(name: .customLong("log-format"), help: "Input log format: auto (sniff each input; lines in another known format are still read), combined, common or json (strict: only that format).")
    var logFormat: LogFormat?

    @Option(name: .customLong("field-map"), help: ArgumentHelp(
        "For JSON logs: which key holds each field, as comma-separated field=key.path pairs, e.g. time=ts,ip=request.remote_ip,path=request.uri,status=status. Fields: time ip method path query request status bytes user_agent user referer duration duration_unit host forwarded_for protocol headers body.",
        valueName: "pairs"))
    var fieldMap: String?

    @Option(name: .customLong("trusted-proxy"), help: ArgumentHelp(
        "CIDR of a proxy or load balancer whose X-Forwarded-For is believed (repeatable). Without it, X-Forwarded-For is ignored: it is spoofable.",
        valueName: "cidr"))
    var trustedProxy: [String] = []

    @Option(help: "YAML config file: thresholds, allowlists, field map, spec, redaction rules (see README).")
    var config: String?

    @Option(name: .customLong("max-line-length"), help: "Longest line read, in bytes; longer lines are counted as malformed (line-too-long) (default 65536).")
    var maxLineLength: Int?

    @Option(name: .customLong("min-parsed-share"), help: ArgumentHelp(
        "An input whose non-empty lines are read as records in a smaller share than this has failed (exit 65); 0 turns the check off (default 0.5).",
        valueName: "share"))
    var minParsedShare: Double?

    @Option(name: .customLong("stats-json"), help: "Also write the run summary as JSON to this file (checked before the run starts).")
    var statsJSON: String?

    func settings(deprecatedFormat: LogFormat? = nil) throws -> CommonSettings {
        var s = CommonSettings()
        s.inputs = inputs
        if deprecatedFormat != nil {
            if logFormat != nil { throw ValidationError("--format is the old name of --log-format: give only --log-format") }
            writeStderr("reqwatch: warning: --format is deprecated for the input format; use --log-format\n")
        }
        s.format = logFormat ?? deprecatedFormat
        s.trustedProxies = trustedProxy
        s.configPath = config
        s.maxLineLength = maxLineLength
        if let fieldMap { s.fieldMap = try fieldMapPairs(fieldMap) }
        if let m = maxLineLength, m < 256 || m > 16 << 20 {
            throw ValidationError("--max-line-length must be between 256 and 16777216")
        }
        if let m = minParsedShare {
            guard m >= 0 && m <= 1 else { throw ValidationError("--min-parsed-share must be between 0 and 1") }
            s.minParsedShare = m
        }
        return s
    }

    /// Opens `--stats-json` now, so an unwritable path fails before any input is read.
    func openStats() throws(ReqwatchError) -> FileDescriptorWriter? {
        try statsJSON.map { p throws(ReqwatchError) in try FileDescriptorWriter(path: p) }
    }
}

/// `--format`, the old name of `--log-format` (hidden; warns).
struct DeprecatedLogFormat: ParsableArguments {
    @Option(name: .customLong("format"), help: .hidden)
    var format: LogFormat?
}

/// Detection options shared by `scan` and `tail`.
struct DetectOptions: ParsableArguments {
    @Option(help: "OpenAPI 3 spec (YAML or JSON) or a file of 'METHOD /path/{param}' lines: the route inventory.")
    var spec: String?

    @Option(help: "Baseline from 'reqwatch endpoints --save-baseline': its routes are the inventory when there is no spec; its user-agent families make new ones 'unfamiliar'.")
    var baseline: String?

    @Option(name: .customLong("disable"), help: ArgumentHelp(
        "Turn a rule off (repeatable): \((DetectorRegistry.all.map(\.rule.id) + DetectorRegistry.external.map(\.id)).joined(separator: ", ")).",
        valueName: "rule"))
    var disable: [String] = []

    func apply(to settings: inout CommonSettings) throws {
        settings.specPath = spec
        settings.baselinePath = baseline
        settings.disabledRules = disable
        let known = DetectorRegistry.all.map(\.rule.id) + DetectorRegistry.external.map(\.id)
        for d in disable where !known.contains(d) {
            throw ValidationError("--disable: unknown rule '\(d)' (rules: \(known.joined(separator: ", ")))")
        }
    }
}

/// Output options shared by `scan` and `tail`.
struct OutputOptions: ParsableArguments {
    @Option(help: "Write alerts to this file instead of stdout (checked before the run starts).")
    var alerts: String?

    @Option(help: ArgumentHelp("Store redacted records in this directory as gzip JSON Lines segments.", valueName: "dir"))
    var store: String?

    @Flag(name: .customLong("fail-on-alert"), help: "Exit with status 1 when any alert was written (and nothing worse happened).")
    var failOnAlert = false

    /// The alert writer: `--alerts` opened now (so an unwritable path fails before the run), else stdout.
    func alertWriter() throws(ReqwatchError) -> FileDescriptorWriter {
        try alerts.map { p throws(ReqwatchError) in try FileDescriptorWriter(path: p) } ?? FileDescriptorWriter(fd: 1, name: "stdout")
    }
}

/// Redaction options, the same in `scan`, `tail` and `redact`.
struct RedactOptions: ParsableArguments {
    @Option(name: .customLong("redact-mode"), help: "How redacted values are written: mask ([REDACTED:kind]), hash (hmac:… pseudonym; needs REQWATCH_REDACT_KEY or --redact-key-file) or partial (cards keep the last four digits).")
    var redactMode: RedactionMode?

    @Option(name: .customLong("redact-key-file"), help: "File holding the HMAC key for --redact-mode hash.")
    var redactKeyFile: String?

    @Option(name: .customLong("mode"), help: .hidden)
    var oldMode: RedactionMode?

    @Option(name: .customLong("key-file"), help: .hidden)
    var oldKeyFile: String?

    func apply(to s: inout CommonSettings) throws {
        if oldMode != nil || oldKeyFile != nil {
            if (oldMode != nil && redactMode != nil) || (oldKeyFile != nil && redactKeyFile != nil) {
                throw ValidationError("--mode and --key-file are the old names of --redact-mode and --redact-key-file: give only the new ones")
            }
            writeStderr("reqwatch: warning: --mode and --key-file are deprecated; use --redact-mode and --redact-key-file\n")
        }
        s.redactMode = redactMode ?? oldMode ?? .mask
        s.redactKeyFile = redactKeyFile ?? oldKeyFile
    }
}

/// Splits `--field-map time=ts,ip=request.remote_ip` into pairs.
func fieldMapPairs(_ text: String) throws -> [String: String] {
    var pairs: [String: String] = [:]
    for part in text.split(separator: ",") {
        let kv = part.split(separator: "=", maxSplits: 1)
        guard kv.count == 2 else { throw ValidationError("--field-map: '\(part)' is not field=key") }
        pairs[String(kv[0]).trimmingSpaces] = String(kv[1]).trimmingSpaces
    }
    return pairs
}

/// Fails with a usage error when no input is named and stdin is a terminal.
func requireInput(_ s: CommonSettings) throws {
    if s.inputs.isEmpty && isatty(0) != 0 {
        throw ValidationError("no input: name log files or directories, or pipe a log into stdin (-)")
    }
}

/// Prints `e` and returns the exit status it stands for.
func fail(_ e: ReqwatchError) -> ExitCode {
    printError(e)
    return ExitCode(ExitStatus(error: e).rawValue)
}

func printError(_ e: ReqwatchError) { writeStderr("reqwatch: error: \(e)\n") }

func writeStderr(_ s: String) {
    var s = s
    s.withUTF8 { p in _ = write(2, p.baseAddress, p.count) }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
