import ArgumentParser
import ReqwatchEngine
import ReqwatchParse
import ReqwatchRedact

extension LogFormat: ExpressibleByArgument {}
extension RedactionMode: ExpressibleByArgument {}

/// Options shared by `scan` and `redact`.
struct InputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp(
        "Log files, directories (rotated sets are read oldest first) or - for stdin. Default: stdin.",
        valueName: "input"))
    var inputs: [String] = []

    @Option(help: "Log format: auto (sniff the first lines of each input), combined, common or json.")
    var format: LogFormat?

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

    @Option(name: .customLong("max-line-length"), help: "Longest line read, in bytes; longer lines are skipped and counted (default 65536).")
    var maxLineLength: Int?

    @Option(name: .customLong("stats-json"), help: "Also write the run summary as JSON to this file.")
    var statsJSON: String?

    func settings() throws -> CommonSettings {
        var s = CommonSettings()
        s.inputs = inputs
        s.format = format
        s.trustedProxies = trustedProxy
        s.configPath = config
        s.maxLineLength = maxLineLength
        if let fieldMap { s.fieldMap = try fieldMapPairs(fieldMap) }
        if let m = maxLineLength, m < 256 || m > 16 << 20 {
            throw ValidationError("--max-line-length must be between 256 and 16777216")
        }
        return s
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

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
