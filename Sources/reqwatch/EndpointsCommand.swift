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
              reqwatch endpoints --spec openapi.yaml --output-format json logs/ > inventory.json
              reqwatch endpoints --save-baseline baseline.json last-month/     # then: reqwatch scan --baseline baseline.json ...

            One row per (method, route template) with requests, distinct clients, authenticated share, status \
            classes, first/last seen and top user agents. Categories: undocumented-answering (ghost/shadow routes: \
            delete, restrict or document them), deprecated-called (zombies), undocumented-failing (probes, folded \
            into one row after the first ten in the table), documented-used, documented-unused (orphans), \
            infrastructure (static assets, health checks, OPTIONS). Riskiest first: undocumented routes answering \
            unauthenticated clients.
            """)

    @OptionGroup var input: InputOptions

    @Option(help: "OpenAPI 3 spec (YAML or JSON) or a file of 'METHOD /path/{param}' lines.")
    var spec: String?

    @Option(help: "Compare with a baseline from --save-baseline instead of a spec.")
    var baseline: String?

    @Option(name: .customLong("output-format"), help: "Output: table (default on a terminal), json or csv.")
    var outputFormat: EndpointReport.Format?

    /// The old name of `--output-format` (hidden; warns).
    @Option(name: .customLong("format"), help: .hidden)
    var oldFormat: EndpointReport.Format?

    @Option(name: .customLong("save-baseline"), help: ArgumentHelp("Write the routes that answered, with counts and time span, as a baseline for 'scan --baseline'.", valueName: "file"))
    var saveBaseline: String?

    func run() throws {
        var s = try input.settings()
        s.specPath = spec
        s.baselinePath = baseline
        if oldFormat != nil {
            if outputFormat != nil { throw ValidationError("--format is the old name of --output-format: give only --output-format") }
            writeStderr("reqwatch: warning: endpoints --format is deprecated; use --output-format (--log-format names the input format)\n")
        }
        try requireInput(s)
        do {
            var (options, _) = try makeScanOptions(s)
            let stats = try input.openStats()
            let baselineOut = try saveBaseline.map { p throws(ReqwatchError) in try FileDescriptorWriter(path: p) }
            let inventory = options.detect?.inventory
            options.detect = nil
            options.redactor = nil
            final class Box { var inv: EndpointInventory; init(_ i: EndpointInventory) { inv = i } }
            let box = Box(EndpointInventory(spec: inventory))
            options.onBatch = { batch in box.inv.observe(batch) }
            let summary = try ScanPipeline(options: options).run()
            let rows = box.inv.finished()
            let out = FileDescriptorWriter(fd: 1, name: "stdout")
            let chosen = outputFormat ?? oldFormat ?? (isatty(1) != 0 ? .table : .json)
            out.append(EndpointReport.render(rows, format: chosen, overflow: box.inv.overflowRequests))
            try out.flush()
            if let w = baselineOut {
                w.append(EndpointReport.baseline(rows, agentFamilies: box.inv.agentFamilies).encoded() + "\n")
                try w.flush()
            }
            writeStderr(summary.text())
            if let stats {
                stats.append(summary.json().encoded() + "\n")
                try stats.flush()
            }
            let status = ExitStatus(summary: summary)
            if status != .ok { throw ExitCode(status.rawValue) }
        } catch let e as ReqwatchError {
            if e.errno == EPIPE { return }  // a reader such as `head` went away: not an error
            throw fail(e)
        }
    }
}
