import Foundation
import ReqwatchTestSupport
import Testing

/// Issue 15: every `reqwatch …` command shown in README.md and SampleLogs/README.md (code blocks, and inline code
/// spans that start with `reqwatch `) runs with the built binary and exits as documented, in a sandbox holding the
/// files the examples name. Commands that need what a test machine lacks are listed in `skipped` with the reason.
@Suite struct DocsCommandTests {
    /// Exact command text → why it is not run.
    static let skipped: [String: String] = [
        "reqwatch tail --spec openapi.yaml --state /var/lib/reqwatch/state.json /var/log/nginx/access.log": "follows forever; tail is tested in TailCommandTests",
        "kubectl logs -f deploy/api | reqwatch tail -": "needs kubectl",
        "reqwatch tail --metrics 127.0.0.1:9464 --state state.json /var/log/nginx/access.log": "follows forever; --metrics is tested in TailMetricsTests",
        "kcat -C -b kafka:9092 -G reqwatch-group access-logs -u -q -f '%s\\n' | reqwatch tail --spec openapi.yaml - | kcat -P -b kafka:9092 -t alerts": "needs kcat and a Kafka broker",
        "reqwatch scan --spec openapi.yaml gen-1m.log > alerts.jsonl": "needs the 217 MB generated corpus",
        "reqwatch scan --config reqwatch.yaml archive/*.gz | jq 'select(.rule.id==\"id-enumeration\")'": "needs jq",
        ".build/release/reqwatch scan --spec openapi.yaml m.log > m.alerts.jsonl": "needs m.log from reqwatch-gen (1M lines)",
        "reqwatch redact --explain-redaction N": "prose: N is a placeholder",
        "reqwatch scan DIR": "prose: DIR is a placeholder",
        "reqwatch endpoints --save-baseline baseline.json": "prose: the inputs are left out",
    ]

    /// Commands whose documented exit status is not 0.
    static let expectedStatus: [String: Int32] = [:]

    static func documents() -> [String] { ["README.md", "SampleLogs/README.md"] }

    /// `reqwatch …` commands in fenced code blocks (comments after `#` dropped, `\` continuations joined, a leading
    /// `VAR=value` kept) and in inline code spans starting with `reqwatch `.
    static func commands(in text: String) -> [String] {
        var out: [String] = []
        var inBlock = false
        var pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if raw.hasPrefix("```") {
                inBlock.toggle()
                pending = ""
                continue
            }
            if inBlock {
                var line = raw
                if let hash = line.range(of: "  #") ?? line.range(of: " # ") { line = String(line[..<hash.lowerBound]) }
                line = line.trimmingCharacters(in: .whitespaces)
                if line.hasSuffix("\\") {
                    pending += line.dropLast() + " "
                    continue
                }
                line = pending + line
                pending = ""
                let words = line.split(separator: " ").map(String.init)
                let first = words.first { !$0.contains("=") } ?? ""
                if first == "reqwatch" || (first.hasPrefix(".build/") && first.hasSuffix("/reqwatch")) || line.contains("| reqwatch ") { out.append(line) }
            } else {
                var rest = Substring(raw)
                while let open = rest.firstIndex(of: "`") {
                    let after = rest[rest.index(after: open)...]
                    guard let close = after.firstIndex(of: "`") else { break }
                    let span = String(after[..<close])
                    if span.hasPrefix("reqwatch ") && span.count > "reqwatch x".count && !span.contains("…") && !span.contains("COMMAND") {
                        out.append(span)
                    }
                    rest = after[after.index(after: close)...]
                }
            }
        }
        return out
    }

    static var all: [String] {
        var seen: Set<String> = []
        return documents().flatMap { doc in
            commands(in: (try? String(contentsOfFile: repositoryRoot() + "/" + doc, encoding: .utf8)) ?? "")
        }.filter { seen.insert($0).inserted }
    }

    /// A directory with the files the examples name, made from SampleLogs.
    static func sandbox() throws -> URL {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("rw-docs-\(getpid())-\(UUID().uuidString)")
        try? fm.removeItem(at: dir)
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        let root = repositoryRoot() + "/SampleLogs/"
        func copy(_ from: String, _ to: String) throws {
            let target = dir.appendingPathComponent(to)
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.copyItem(atPath: root + from, toPath: target.path)
        }
        for (from, to) in [
            ("formats/access.log", "access.log"), ("formats/access.log.1", "access.log.1"),
            ("formats/access.log.2.gz", "access.log.2.gz"), ("formats/access.log.2.gz", "old.gz"),
            ("formats/access.log.2.gz", "access.log.3.gz"), ("formats/nginx-json.log", "app.log"),
            ("formats/ecs.jsonl", "app.jsonl"), ("formats/access.log", "api.log"), ("formats/access.log", "logs/access.log"),
            ("formats/access.log.1", "last-month/access.log"), ("formats/access.log", "sample.log"),
            ("api/openapi.yaml", "openapi.yaml"), ("formats/access.log", "var/log/nginx/access.log"),
        ] { try copy(from, to) }
        try Data("detectors:\n  cooldown: 10m\n".utf8).write(to: dir.appendingPathComponent("reqwatch.yaml"))
        try fm.createDirectory(at: dir.appendingPathComponent("archive"), withIntermediateDirectories: true)
        try copy("formats/caddy.log.gz", "archive/caddy.log.gz")
        return dir
    }

    @Test func thereAreCommands() {
        #expect(Self.all.count >= 12, "\(Self.all)")
        for s in Self.skipped.keys { #expect(Self.all.contains(s), "skip list names a command no longer documented: \(s)") }
    }

    @Test(arguments: all)
    func documentedCommandRuns(_ command: String) throws {
        if Self.skipped[command] != nil { return }
        let dir = try Self.sandbox()
        defer { try? FileManager.default.removeItem(at: dir) }
        // `reqwatch` and `.build/release/reqwatch` are the binary under test; absolute /var/log paths point into
        // the sandbox; `...` placeholders of secrets become a test key.
        let bin = URL(fileURLWithPath: Binary.path).deletingLastPathComponent().path
        var line = command.replacingOccurrences(of: ".build/release/reqwatch", with: "reqwatch")
            .replacingOccurrences(of: " /var/log/", with: " var/log/")
            .replacingOccurrences(of: "REQWATCH_REDACT_KEY=...", with: "REQWATCH_REDACT_KEY=0123456789abcdef0123456789abcdef")
        if !line.contains("<") && !line.contains("|") && line.hasSuffix(" -") { line += " < access.log" }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-o", "pipefail", "-c", line + " > /dev/null 2> stderr.txt"]
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = bin + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        p.environment = env
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let stderr = (try? String(contentsOf: dir.appendingPathComponent("stderr.txt"), encoding: .utf8)) ?? ""
        #expect(p.terminationStatus == Self.expectedStatus[command] ?? 0, "\(command): exit \(p.terminationStatus)\n\(stderr)")
    }
}
