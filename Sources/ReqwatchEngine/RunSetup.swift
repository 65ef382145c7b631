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
    public init() {}
}

/// Exit statuses (documented in the README).
public enum ExitStatus: Int32 {
    case ok = 0
    case fatal = 1
    case inputFailed = 2
    case alertsFound = 3
    case usage = 64
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
