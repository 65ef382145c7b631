import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// The version `reqwatch --version` prints.
let reqwatchVersion = "0.15.0"

@main
struct Reqwatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reqwatch",
        abstract: "Find attacks hiding in web and API request logs; redact secrets before storage.",
        discussion: """
            Reads nginx/Apache combined and common logs and JSON Lines logs (nginx JSON, Caddy, or any JSON with \
            --field-map), plain or gzipped, from files, directories of rotated logs, or stdin. Alerts go to stdout \
            as JSON Lines with Elastic Common Schema field names.

            EXIT STATUS (the same for every subcommand; the most serious wins):
              0   ran to the end, every input read (also when a reader such as 'head' closed stdout)
              1   alerts were written and --fail-on-alert was given
              64  usage error (unknown option, bad value, no input on a terminal)
              65  an input could not be read as a log (unrecognised format, under --min-parsed-share records,
                  corrupt or truncated gzip); the other inputs were scanned
              66  an input is missing or unreadable, or a directory holds no log file
              73  an output (--alerts, --stats-json, --store, --save-baseline, --state) cannot be created
              74  a read or write failed during the run
              78  invalid config file, spec, baseline or key file
            Precedence: 64, 78 and 73 stop before any input is read; then 74 > 66 > 65 > 1 > 0.
            """,
        version: "reqwatch \(reqwatchVersion)",
        subcommands: [ScanCommand.self, TailCommand.self, RedactCommand.self, EndpointsCommand.self, ReportCommand.self],
        defaultSubcommand: nil)

    /// Parses, then runs the subcommand. A closed stdout must end every command quietly, so SIGPIPE is ignored and
    /// writers treat EPIPE as the end; errors a subcommand throws from `run` print that subcommand's usage.
    static func main() {
        signal(SIGPIPE, SIG_IGN)
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            try command.run()
        } catch let e as ValidationError {
            let name = type(of: command)._commandName
            writeStderr("Error: \(e.message)\nUsage: " + usageString(for: type(of: command)) + "\n  See 'reqwatch \(name) --help' for more information.\n")
            Glibc.exit(ExitCode.validationFailure.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
