import ArgumentParser
import Foundation
import ReqwatchCore
import ReqwatchGenerator

/// `reqwatch-gen`: deterministic realistic API traffic with labeled attacks, plus converters.
struct ReqwatchGen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reqwatch-gen",
        abstract: "Write deterministic, realistic API request logs with labeled attacks and traps.",
        subcommands: [Generate.self, ConvertOpendap.self, Spec.self],
        defaultSubcommand: Generate.self)
}

/// Parses `2024-05-01T00:00:00Z` (or with `+hh:mm`) into UTC seconds.
func parseISO(_ s: String) -> Int64? {
    let b = Array(s.utf8)
    func num(_ from: Int, _ len: Int) -> Int? {
        guard from + len <= b.count else { return nil }
        var v = 0
        for i in from..<(from + len) {
            guard b[i] >= 48 && b[i] <= 57 else { return nil }
            v = v * 10 + Int(b[i] - 48)
        }
        return v
    }
    guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2) else { return nil }
    let h = num(11, 2) ?? 0
    let mi = num(14, 2) ?? 0
    let se = num(17, 2) ?? 0
    var offset = 0
    if b.count >= 25, b[19] == UInt8(ascii: "+") || b[19] == UInt8(ascii: "-"), let oh = num(20, 2), let om = num(23, 2)
    {
        offset = (oh * 3600 + om * 60) * (b[19] == UInt8(ascii: "-") ? -1 : 1)
    }
    return Timestamp.from(year: y, month: mo, day: d, hour: h, minute: mi, second: se, offsetSeconds: offset).seconds
}

/// Parses `90s`, `45m`, `6h`, `2d` or plain seconds.
func parseDuration(_ s: String) -> Int64? {
    guard let last = s.last else { return nil }
    let mult: Int64
    var body = s
    switch last {
    case "s":
        mult = 1
        body.removeLast()
    case "m":
        mult = 60
        body.removeLast()
    case "h":
        mult = 3600
        body.removeLast()
    case "d":
        mult = 86_400
        body.removeLast()
    default: mult = 1
    }
    guard let v = Double(body), v > 0 else { return nil }
    return Int64(v * Double(mult))
}

/// A byte sink on a file, or on `gzip -n` writing a file when the name ends in `.gz`, or stdout for `-`.
final class OutputFile {
    private let handle: UnsafeMutablePointer<FILE>
    private let isPipe: Bool
    private let isStdout: Bool

    init(path: String) throws {
        isStdout = path == "-"
        if path == "-" {
            guard let f = fdopen(1, "w") else { throw ValidationError("cannot write to stdout") }
            handle = f
            isPipe = false
        } else if path.hasSuffix(".gz") {
            let quoted = "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
            guard let p = popen("gzip -6 -n -c > \(quoted)", "w") else {
                throw ValidationError("cannot start gzip for \(path)")
            }
            handle = p
            isPipe = true
        } else {
            guard let f = fopen(path, "w") else { throw ValidationError("cannot open \(path) for writing") }
            handle = f
            isPipe = false
        }
    }

    func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { p in _ = fwrite(p.baseAddress, 1, p.count, handle) }
    }

    func close() throws {
        if isStdout {
            fflush(handle)
            return
        }
        let rc = isPipe ? pclose(handle) : fclose(handle)
        if rc != 0 { throw ValidationError("writing output failed (status \(rc))") }
    }
}

extension ReqwatchGen {
    /// The default subcommand: generate traffic, labels and optionally the spec.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate a log file and its labels.")

        @Option(help: "Number of lines to write (exact).") var lines: Int = 100_000
        @Option(help: "PRNG seed; the same seed and options give byte-identical output.") var seed: UInt64 = 42
        @Option(help: "Log format: combined, common, json (nginx escape=json), caddy, ecs.") var format: String =
            "combined"
        @Option(help: "First event time (UTC, ISO 8601).") var start: String = "2024-05-01T00:00:00Z"
        @Option(help: "Time span (e.g. 6h, 2d); default derived from --lines (1M lines ≈ 2.5 days).") var duration:
            String?
        @Option(help: "Number of background clients.") var clients: Int = 5000
        @Option(name: .shortAndLong, help: "Output log file; .gz is gzipped; - for stdout.") var output: String = "-"
        @Option(help: "Labels file (JSON Lines, one per attack/trap instance).") var labels: String?
        @Option(help: "Attacks: all, none, or rule[/variant],… (e.g. id-enumeration/low-and-slow).") var attacks:
            String = "all"
        @Option(
            help:
                "Traps: all, none, or kind,… (nat-office, own-pagination, token-expiry, password-typo, crawler-products, health-checks, cors-preflight, nightly-export)."
        )
        var traps: String = "all"
        @Option(help: "Maximum share of lines from health checks and monitors (intervals stretch to fit).")
        var healthShare: Double = 0.08
        @Option(name: .customLong("spec-out"), help: "Also write the OpenAPI 3 YAML of the generated API here.")
        var specOut: String?
        @Option(name: .customLong("routes-out"), help: "Also write the plain METHOD /path route list here.")
        var routesOut: String?

        func run() throws {
            guard let fmt = LogFormat(rawValue: format) else {
                throw ValidationError("unknown --format \(format); use combined, common, json, caddy or ecs")
            }
            guard let startSeconds = parseISO(start) else { throw ValidationError("cannot read --start \(start)") }
            var config = GeneratorConfiguration()
            config.lines = lines
            config.seed = seed
            config.startSeconds = startSeconds
            config.clients = max(1, clients)
            if let duration {
                guard let d = parseDuration(duration) else {
                    throw ValidationError("cannot read --duration \(duration)")
                }
                config.durationSeconds = d
            }
            config.attacks = InstanceSelection(parsing: attacks)
            config.traps = InstanceSelection(parsing: traps)
            config.periodicShare = max(0.001, min(1, healthShare))
            let out = try OutputFile(path: output)
            var generator = TrafficGenerator(config)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 20)
            generator.run { request in
                fmt.append(request, to: &buffer)
                if buffer.count >= 1 << 20 {
                    out.write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            out.write(buffer)
            try out.close()
            if let labels {
                try generator.labelLines().write(toFile: labels, atomically: true, encoding: .utf8)
            }
            if let specOut { try APIInventory.openAPIYAML().write(toFile: specOut, atomically: true, encoding: .utf8) }
            if let routesOut {
                try APIInventory.routesText().write(toFile: routesOut, atomically: true, encoding: .utf8)
            }
        }
    }

    /// Writes the API inventory only.
    struct Spec: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the OpenAPI YAML (and route list) of the generated API.")
        @Argument(help: "OpenAPI YAML output path.") var openapi: String
        @Option(name: .customLong("routes-out"), help: "Plain METHOD /path list output path.") var routesOut: String?

        func run() throws {
            try APIInventory.openAPIYAML().write(toFile: openapi, atomically: true, encoding: .utf8)
            if let routesOut {
                try APIInventory.routesText().write(toFile: routesOut, atomically: true, encoding: .utf8)
            }
        }
    }

    /// Converts the LP DAAC OPeNDAP `|&|` log into NCSA combined format.
    struct ConvertOpendap: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "convert-opendap",
            abstract: "Convert opendap-lpdaac-logs_for_opendap.txt(.gz) (`|&|`-separated) to combined format.",
            discussion: """
                Input fields: `YYYY-MM-DD hh:mmAM|&|client-hash|&|product|&|version|&|…|&|…|&|path?query|&|status|&|bytes`.
                The client hash becomes a stable fake IPv4 address (FNV-1a of the hash; first octet 11-126, never 10,
                100 or 127). Times (minute resolution, 12-hour clock, no zone: taken as UTC) get seconds
                counted up inside each run of equal minutes (capped at :59). The source is NOT globally time-ordered
                (it is grouped by client and product), so the output is sorted by time (stable) unless --keep-order. The method is GET, the user agent
                is --user-agent (default `-`, as the source log has none).
                """)
        @Argument(help: "Input file (plain or .gz).") var input: String
        @Argument(help: "Output file (.gz is gzipped; - for stdout).") var output: String
        @Option(help: "User agent to write (default: - , absent).") var userAgent: String = "-"
        @Flag(help: "Keep the source order instead of sorting by time.") var keepOrder = false

        func run() throws {
            let reader: UnsafeMutablePointer<FILE>?
            let isPipe = input.hasSuffix(".gz")
            if isPipe {
                let quoted = "'" + input.replacingOccurrences(of: "'", with: "'\\''") + "'"
                reader = popen("gzip -dc \(quoted)", "r")
            } else {
                reader = fopen(input, "r")
            }
            guard let reader else { throw ValidationError("cannot read \(input)") }
            let out = try OutputFile(path: output)
            var line: UnsafeMutablePointer<CChar>? = nil
            var cap = 0
            var buffer: [UInt8] = []
            var lastMinute = ""
            var inMinute = 0
            var converted = 0
            var skipped = 0
            var requests: [GeneratedRequest] = []
            while getline(&line, &cap, reader) > 0 {
                guard let line else { break }
                let text = String(cString: line).trimmingCharacters(in: .newlines)
                guard var r = OpendapConverter.request(fromLine: text, userAgent: userAgent == "-" ? nil : userAgent)
                else {
                    skipped += 1
                    continue
                }
                let minute = String(text.prefix(18))
                if minute == lastMinute {
                    inMinute += 1
                } else {
                    lastMinute = minute
                    inMinute = 0
                }
                r.time += Int64(min(59, inMinute)) * 1_000_000
                requests.append(r)
                converted += 1
            }
            free(line)
            if !keepOrder {
                requests = requests.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
                    .map(\.element)
            }
            for r in requests {
                LogFormat.combined.append(r, to: &buffer)
                if buffer.count >= 1 << 20 {
                    out.write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            out.write(buffer)
            try out.close()
            if isPipe { pclose(reader) } else { fclose(reader) }
            FileHandle.standardError.write(
                "reqwatch-gen: converted \(converted) lines, skipped \(skipped)\n".data(using: .utf8)!)
        }
    }
}

ReqwatchGen.main()
