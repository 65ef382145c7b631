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
        abstract: "A filter: any supported log in, the same log out with secrets and personal data replaced.",
        discussion: """
            Examples:
              reqwatch redact access.log > access.redacted.log       # combined stays combined
              reqwatch redact app.jsonl > app.redacted.jsonl          # every key, nesting and type kept
              reqwatch redact --output ecs access.log > records.jsonl # ECS JSON Lines instead
              REQWATCH_REDACT_KEY=... reqwatch redact --redact-mode hash app.jsonl
              reqwatch redact --explain-redaction 20 sample.log > /dev/null

            Kept: every line that parses as a record, every field in its order, every JSON key, nested object and \
            value type, and every byte outside a secret in its original encoding (the rest of a query is not \
            re-encoded). Nothing is dropped unless a `drop` field rule says so; drops are counted per field in \
            the summary. Lines that do not parse are reported on stderr and not written.

            Replaced (only the secret's bytes, by [REDACTED:<kind>]): values under sensitive names, judged on \
            word tokens (password, secret, token, card_cvv, cvc, security_code, x-api-key, client_secret, \
            refresh_token, authorization, session, …; not token_expires_at, password_changed_at, token_count, \
            secret_name, cookie_consent); `key`, `code` and `state` only with a secret-looking value; cookies \
            pair by pair (theme=dark stays); JWTs, bearer/basic credentials, AWS/GitHub/Stripe secret/Slack/\
            Google keys, private keys, Luhn-valid card numbers (any short separator), e-mail addresses, phone \
            numbers, SSNs, opaque tokens after /reset/, /verify/, … — also when percent-, `+`-, JSON- or \
            base64-encoded (a base64 blob holding a secret is replaced whole). Public by design and kept: \
            pk_live_/pk_test_ keys, ssh/PGP public keys, PEM public keys and certificates, UUIDs in paths.

            Add a rule in the config file (--config):
              redaction:
                sensitive_keys: [member_no]          # a name that is always secret
                keep_keys: [session]                 # a default name to keep
                headers: [X-Internal-Signature]      # a sensitive header
                fields: {body.user.ssn: sensitive, query.token: keep, request_body.debug: drop}
            --explain-redaction N prints, for the first N lines with hits, which rule replaced which field \
            (never the value); --stats-json has the audit per rule and field.
            """)

    @OptionGroup var input: InputOptions
    @OptionGroup var old: DeprecatedLogFormat
    @OptionGroup var redact: RedactOptions

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case same, ecs }

    @Option(help: "same: each line in its input format (default); ecs: ECS JSON Lines built from the parsed fields.")
    var output: OutputFormat = .same

    @Option(name: .customLong("explain-redaction"), help: ArgumentHelp("Print on stderr which rule hit which field for the first N records that had hits (values masked).", valueName: "n"))
    var explain: Int = 0

    func run() throws {
        var settings = try input.settings(deprecatedFormat: old.format)
        try redact.apply(to: &settings)
        try requireInput(settings)
        do {
            var (options, _) = try makeScanOptions(settings)
            let stats = try input.openStats()
            options.detect = nil
            options.recordsOut = FileDescriptorWriter(fd: 1, name: "stdout")
            options.explainRedaction = max(0, explain)
            options.redactRawLines = output == .same
            let pipeline = try ScanPipeline(options: options)
            let summary = pipeline.run()
            if pipeline.outputClosed { return }  // a reader such as `head` went away: not an error
            writeStderr(summary.text() + Self.auditText(summary.redaction))
            if let stats {
                stats.append(summary.json().encoded() + "\n")
                try stats.flush()
            }
            let status = ExitStatus(summary: summary)
            if status != .ok { throw ExitCode(status.rawValue) }
        } catch let e as ReqwatchError {
            throw fail(e)
        }
    }

    /// One line per rule with its count and fields (never values), and the fields dropped by rule.
    static func auditText(_ audit: JSONValue?) -> String {
        guard case .object(let top)? = audit else { return "" }
        var out = ""
        for (k, v) in top where k == "by_rule" {
            guard case .object(let rules) = v else { continue }
            for (rule, fieldsValue) in rules {
                guard case .object(let fields) = fieldsValue else { continue }
                var total: Int64 = 0
                var parts: [String] = []
                for (f, n) in fields.sorted(by: { a, b in
                    if case .int(let x) = a.1, case .int(let y) = b.1, x != y { return x > y }
                    return a.0 < b.0
                }) {
                    if case .int(let c) = n {
                        total += c
                        if parts.count < 6 { parts.append("\(f) \(c)") }
                    }
                }
                let more = fields.count > parts.count ? ", …" : ""
                out += "reqwatch: redacted \(total) by \(rule): \(parts.joined(separator: ", "))\(more)\n"
            }
        }
        for (k, v) in top where k == "dropped" {
            guard case .object(let fields) = v, !fields.isEmpty else { continue }
            let parts = fields.map { f, n -> String in
                if case .int(let c) = n { return "\(f) \(c)" }
                return f
            }
            out += "reqwatch: dropped by rule: \(parts.joined(separator: ", "))\n"
        }
        return out
    }
}
