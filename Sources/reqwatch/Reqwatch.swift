import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

@main
struct Reqwatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reqwatch",
        abstract: "Find attacks hiding in web and API request logs; redact secrets before storage.",
        discussion: """
            Reads nginx/Apache combined and common logs and JSON Lines logs (nginx JSON, Caddy, or any JSON with \
            --field-map), plain or gzipped, from files, directories of rotated logs, or stdin. Alerts go to stdout \
            as JSON Lines with Elastic Common Schema field names.

            EXIT STATUS: 0 ran to the end; 1 fatal error (bad config or spec, unwritable output); 2 at least one \
            input failed (missing, unreadable, corrupt or truncated gzip) and the others were scanned; 3 alerts were \
            found and --fail-on-alert was given; 64 usage error.
            """,
        subcommands: [ScanCommand.self, TailCommand.self, RedactCommand.self, EndpointsCommand.self],
        defaultSubcommand: nil)
}
