import ArgumentParser
import Foundation
import ReqwatchGenerator

/// `reqwatch-score`: compare reqwatch alerts with reqwatch-gen labels; print recall, precision and duplicates.
struct ReqwatchScore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reqwatch-score",
        abstract: "Score reqwatch alerts (ECS JSON Lines) against reqwatch-gen labels.",
        discussion: """
            Prints, per rule: labels, detected, recall, alerts, true/false positives, precision, duplicates
            (sequence-0 alerts beyond the first per label) and alerts on traps (must be 0); then unmatched alerts
            (first 20), alerts on traps and missed labels. Exits 0 unless an input cannot be read (1).
            """)

    @Option(help: "Labels file written by reqwatch-gen --labels.") var labels: String
    @Option(help: "Alerts file written by reqwatch (ECS JSON Lines); - for stdin.") var alerts: String
    @Option(help: "Time slack in seconds when matching alert and label spans.") var slack: Double = 900
    @Flag(help: "Print the report as one JSON object.") var json = false

    func run() throws {
        guard let labelsText = try? String(contentsOfFile: labels, encoding: .utf8) else {
            throw fail("cannot read labels file \(labels)")
        }
        let alertsText: String
        if alerts == "-" {
            alertsText = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else {
            guard let handle = FileHandle(forReadingAtPath: alerts), let data = try? handle.readToEnd() ?? Data() else {
                throw fail("cannot read alerts file \(alerts)")
            }
            alertsText = String(decoding: data, as: UTF8.self)
        }
        var scorer: Scorer
        do {
            scorer = try Scorer(labelsText: labelsText, alertsText: alertsText)
        } catch {
            throw fail("\(labels): \(error)")
        }
        scorer.slackSeconds = slack
        let report = scorer.score()
        print(json ? report.json() : report.text(), terminator: "")
    }
}

/// Reports an unreadable input on stderr and returns exit status 1.
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data(("reqwatch-score: " + message + "\n").utf8))
    return ExitCode.failure
}

ReqwatchScore.main()
