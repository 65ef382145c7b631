#if canImport(Glibc)
import Glibc
#endif
import ReqwatchCore
import ReqwatchDetect
import ReqwatchInput
import ReqwatchOutput
import ReqwatchParse
import ReqwatchRedact

/// Command-line settings shared by `scan`, `redact` (and later `tail`), before the config file is merged in.
public struct CommonSettings {
    public var inputs: [String] = []
    public var format: LogFormat?
    public var fieldMap: [String: String]?
    public var trustedProxies: [String] = []
    public var configPath: String?
    public var specPath: String?
    /// A baseline from `reqwatch endpoints --save-baseline`: the inventory when there is no spec.
    public var baselinePath: String?
    public var maxLineLength: Int?
    public var redactMode: RedactionMode = .mask
    public var redactKeyFile: String?
    public var disabledRules: [String] = []
    /// `--min-parsed-share`: below this share of records among non-empty lines an input has failed.
    public var minParsedShare: Double?
    public init() {}
}

/// Exit statuses, sysexits-style (the table is in the README, "Exit status").
///
/// When several apply, the most serious wins: 64/78/73 stop the run before any input is read; after a run,
/// 74 (I/O) > 66 (input missing) > 65 (input unreadable as a log) > 1 (alerts with `--fail-on-alert`) > 0.
/// A closed stdout (a reader such as `head` went away) is not an error: 0.
public enum ExitStatus: Int32, CaseIterable, Sendable {
    /// Ran to the end; every input was read.
    case ok = 0
    /// Alerts were written and `--fail-on-alert` was given.
    case alertsFound = 1
    /// Bad command line (unknown option, bad value, no input on a terminal).
    case usage = 64
    /// An input could not be read as a log: unrecognised format, too few records (`--min-parsed-share`),
    /// corrupt or truncated gzip.
    case dataError = 65
    /// An input is missing or unreadable, a directory holds no log file, or nothing at all was named.
    case noInput = 66
    /// An output path (`--alerts`, `--stats-json`, `--store`, `--save-baseline`, `--state`) cannot be created.
    case cantCreate = 73
    /// A read or write failed during the run (other than a closed stdout).
    case ioError = 74
    /// The config file, spec, baseline or key file is invalid.
    case config = 78

    /// The status for an error that stopped a command.
    public init(error e: ReqwatchError) {
        switch e.code {
        case .usage: self = .usage
        case .config, .spec: self = .config
        case .output: self = .cantCreate
        case .notFound: self = .noInput
        case .gzipCorrupt, .gzipTruncated, .format: self = .dataError
        case .state: self = .config
        default:
            if let n = e.errno, [ENOENT, EACCES, ENOTDIR, EISDIR, ELOOP, EPERM].contains(n) { self = .noInput } else {
                self = .ioError
            }
        }
    }

    /// The most serious of the failures in `summary` (inputs and paths), or `.ok`; `.alertsFound` when
    /// nothing failed, `failOnAlert` is set and alerts were written.
    public init(summary: ScanSummary, failOnAlert: Bool = false) {
        var worst = ExitStatus.ok
        for e in summary.pathProblems + summary.inputs.compactMap(\.error) {
            let s = ExitStatus(error: e)
            if s.rank > worst.rank { worst = s }
        }
        if worst == .ok && failOnAlert && summary.alerts > 0 { worst = .alertsFound }
        self = worst
    }

    /// Precedence when several statuses apply.
    var rank: Int {
        switch self {
        case .ok: 0
        case .alertsFound: 1
        case .dataError: 2
        case .noInput: 3
        case .ioError: 4
        case .cantCreate: 5
        case .config: 6
        case .usage: 7
        }
    }
}

/// Turns settings and the config file into `ScanOptions`. Throws `.config`/`.spec`/`.usage` with every problem.
public func makeScanOptions(_ s: CommonSettings) throws(ReqwatchError) -> (ScanOptions, ConfigFile?) {
    var o = ScanOptions()
    let config = try s.configPath.map { (p: String) throws(ReqwatchError) -> ConfigFile in try ConfigFile.load(path: p) }
    o.inputs = s.inputs.isEmpty ? ["-"] : s.inputs
    o.format = s.format ?? config?.format ?? .auto
    var problems: [String] = []
    var cidrs = config?.trustedProxies ?? []
    for t in s.trustedProxies {
        if let c = CIDR(t) { cidrs.append(c) } else { problems.append("--trusted-proxy '\(t)' is not a CIDR (like 10.0.0.0/8)") }
    }
    o.parse.trustedProxies = cidrs
    if let pairs = s.fieldMap ?? config?.fieldMap {
        do throws(ReqwatchError) { o.parse.fieldMap = try FieldMap(pairs) } catch { problems.append("--field-map: \(error.message)") }
    }
    if let m = s.maxLineLength ?? config?.maxLineLength { o.maxLineLength = m }
    if let m = s.minParsedShare { o.minParsedShare = m }
    if !problems.isEmpty { throw ReqwatchError(.usage, problems.joined(separator: "\n")) }

    var detect = DetectConfiguration()
    _ = detect.apply(detectors: config?.detectorsNode, allowlist: config?.allowlistNode, file: config?.path ?? "")
    if let spec = s.specPath ?? config?.spec {
        detect.inventory = try RouteInventory.load(path: spec)
    } else if let baseline = s.baselinePath {
        detect.inventory = try EndpointReport.loadBaseline(path: baseline)
    }
    if let baseline = s.baselinePath, let families = try EndpointReport.loadBaselineAgentFamilies(path: baseline) {
        detect.knownAgentFamilies = (detect.knownAgentFamilies ?? []).union(families)
    }
    for r in s.disabledRules { detect.enabledRules.remove(r) }
    o.detect = detect
    o.exposedCredentials = !s.disabledRules.contains(Rule.exposedCredential.id)

    var redact = RedactConfiguration()
    _ = redact.apply(config?.redactionNode, file: config?.path ?? "")
    redact.mode = s.redactMode
    if s.redactMode == .hash || s.redactKeyFile != nil {
        try redact.loadKey(file: s.redactKeyFile)
    }
    o.redactor = try Redactor(redact)
    o.progress = isatty(2) != 0
    return (o, config)
}
