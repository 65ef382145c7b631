import ArgumentParser
import ReqwatchCore
import ReqwatchDetect
import ReqwatchEngine
import ReqwatchOutput
import ReqwatchParse
#if canImport(Glibc)
import Glibc
#endif

extension EndpointReport.Format: ExpressibleByArgument {}

struct EndpointsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endpoints",
        abstract: "Endpoint inventory audit: documented, used, ghost (undocumented), orphan and zombie routes.",
        discussion: """
            Examples:
              reqwatch endpoints --spec openapi.yaml /var/log/nginx/          # table on a terminal
              reqwatch endpoints --spec openapi.yaml --format json logs/ > inventory.json
              reqwatch endpoints --save-baseline baseline.json last-month/     # then: reqwatch scan --baseline baseline.json ...

            One row per (method, route template) with requests, distinct clients, authenticated share, status \
            classes, first/last seen and top user agents. Categories: undocumented-answering (ghost/shadow routes: \
            delete, restrict or document them), deprecated-called (zombies), undocumented-failing (probes, folded \
            into one row after the first ten in the table), documented-used, documented-unused (orphans), \
            infrastructure (static assets, health checks, OPTIONS). Riskiest first: undocumented routes answering \
            unauthenticated clients.
            """)

    @Argument(help: ArgumentHelp("Log files, directories or - for stdin.", valueName: "input"))
    var inputs: [String] = []

    @Option(help: "OpenAPI 3 spec (YAML or JSON) or a file of 'METHOD /path/{param}' lines.")
    var spec: String?

    @Option(help: "Compare with a baseline from --save-baseline instead of a spec.")
    var baseline: String?

    @Option(help: "Output: table (default on a terminal), json or csv.")
    var format: EndpointReport.Format?

    @Option(name: .customLong("save-baseline"), help: ArgumentHelp("Write the routes that answered, with counts and time span, as a baseline for 'scan --baseline'.", valueName: "file"))
    var saveBaseline: String?

    @Option(name: .customLong("log-format"), help: "Input log format: auto, combined, common or json.")
    var logFormat: LogFormat?

    @Option(name: .customLong("field-map"), help: "For JSON logs: field=key.path pairs, comma-separated (see 'scan --help').")
    var fieldMap: String?

    @Option(name: .customLong("trusted-proxy"), help: "CIDR whose X-Forwarded-For is believed (repeatable).")
    var trustedProxy: [String] = []

    @Option(help: "YAML config file (field map, spec, trusted proxies).")
    var config: String?

    func run() throws {
        var s = CommonSettings()
        s.inputs = inputs
        s.format = logFormat
        s.trustedProxies = trustedProxy
        s.configPath = config
        s.specPath = spec
        s.baselinePath = baseline
        if let fieldMap { s.fieldMap = try fieldMapPairs(fieldMap) }
        if s.inputs.isEmpty && isatty(0) != 0 {
            throw ValidationError("no input: name log files or directories, or pipe a log into stdin (-)")
        }
        do {
            var (options, _) = try makeScanOptions(s)
            let inventory = options.detect?.inventory
            options.detect = nil
            options.redactor = nil
            final class Box { var inv: EndpointInventory; init(_ i: EndpointInventory) { inv = i } }
            let box = Box(EndpointInventory(spec: inventory))
            options.onBatch = { batch in box.inv.observe(batch) }
            let summary = try ScanPipeline(options: options).run()
            let rows = box.inv.finished()
            let out = FileDescriptorWriter(fd: 1, name: "stdout")
            let chosen = format ?? (isatty(1) != 0 ? .table : .json)
            out.append(EndpointReport.render(rows, format: chosen, overflow: box.inv.overflowRequests))
            try out.flush()
            if let saveBaseline {
                let w = try FileDescriptorWriter(path: saveBaseline)
                w.append(EndpointReport.baseline(rows, agentFamilies: box.inv.agentFamilies).encoded() + "\n")
                try w.flush()
            }
            writeStderr(summary.text())
            if summary.failedInputs > 0 { throw ExitCode(ExitStatus.inputFailed.rawValue) }
        } catch let e as ReqwatchError {
            if e.errno == EPIPE { return }
            printError(e)
            throw ExitCode(e.code == .usage ? ExitStatus.usage.rawValue : ExitStatus.fatal.rawValue)
        }
    }
}
