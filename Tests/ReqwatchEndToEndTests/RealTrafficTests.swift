import Foundation
import ReqwatchTestSupport
import Testing

/// Judges the built binary on traffic this project's detectors were not written beside: the real public logs in
/// `../shared/peers-testdata/real/` (every incident must be in `Tests/RealLogs/reviewed.tsv` with a reason) and the
/// blind scenarios in `SampleLogs/scenarios/` (written from descriptions by a session that never read the detectors).
@Suite struct RealTrafficTests {
    static let root = repositoryRoot()

    static func python(_ arguments: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + arguments
        p.currentDirectoryURL = URL(fileURLWithPath: root)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    static var hasRealLogs: Bool { FileManager.default.fileExists(atPath: root + "/../shared/peers-testdata/real") }

    @Test(.enabled(if: hasRealLogs, "../shared/peers-testdata/real is not beside the repository"))
    func everyIncidentOnRealLogsIsReviewed() throws {
        let (status, out, err) = try Self.python(["Tests/RealLogs/review.py", Binary.path])
        #expect(status == 0, "incidents not in Tests/RealLogs/reviewed.tsv:\n\(err)")
        // ≤ 1 unexplained incident per 100 k lines is the bar; every one is explained, and the volume stays low
        let words = out.split(separator: " ")
        let per = words.firstIndex(of: "per").flatMap { $0 >= 2 ? Double(words[$0 - 2]) : nil }
        #expect((per ?? 99) <= 20, "\(out)")
    }

    static var hasPeerLogs: Bool { FileManager.default.fileExists(atPath: root + "/../shared/peers-testdata/crowdsec") }

    /// Every attack case in CrowdSec's and fail2ban's test logs that is an access log reqwatch reads raises the
    /// matching rule for the peer's source address (the table with the peer's result beside ours is printed).
    @Test(.enabled(if: hasPeerLogs, "../shared/peers-testdata is not beside the repository"))
    func peerAttackCasesRaiseTheMatchingRule() throws {
        let (status, out, err) = try Self.python(["Tests/PeerLogs/peers.py", Binary.path])
        #expect(status == 0, "\(out)\(err)")
        #expect(out.contains(" 0 missed"), "\(out)")
    }

    @Test func blindScenariosPrecisionAndRecall() throws {
        let (status, out, err) = try Self.python(["SampleLogs/scenarios/score.py", Binary.path, "--set", "all", "--json"])
        #expect(status == 0, "\(err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let summary = try #require(json["summary"] as? [String: Any])
        let overall = try #require(summary["overall"] as? [String: Any])
        #expect((overall["precision"] as? Double ?? 0) >= 0.95, "\(overall)")
        #expect((overall["recall"] as? Double ?? 0) >= 0.95, "\(overall)")
        #expect(overall["benign_actors_alerted"] as? Int == 0, "\(overall)")
        #expect((overall["lines_per_incident_max"] as? Int ?? 99) <= 3, "\(overall)")
        let rules = try #require(summary["rules"] as? [String: [String: Any]])
        for (rule, figures) in rules {
            if let p = figures["precision"] as? Double { #expect(p >= 0.9, "\(rule): \(figures)") }
        }
    }
}

/// Every field outside `reqwatch.*` of every expected alert is an ECS field of its ECS type (the ECS project's own
/// field list, `../shared/ecs/fields.csv`, checked by `../shared/ecs/check_ecs.py`).
@Suite struct ECSFieldTests {
    static var checker: String { repositoryRoot() + "/../shared/ecs/check_ecs.py" }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: checker), "../shared/ecs is not beside the repository"))
    func sampleAlertsAreECS() throws {
        let cases = repositoryRoot() + "/SampleLogs/cases"
        var all = ""
        for c in try FileManager.default.contentsOfDirectory(atPath: cases).sorted() {
            all += (try? String(contentsOfFile: "\(cases)/\(c)/expected-alerts.jsonl", encoding: .utf8)) ?? ""
        }
        #expect(all.split(separator: "\n").count > 50)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rw-ecs-\(getpid()).jsonl")
        try all.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, out, err) = try RealTrafficTests.python([Self.checker, file.path])
        #expect(status == 0, "\(out)\(err)")
        #expect(out.contains(" 0 problems"), "\(out)\(err)")
    }
}
