import ReqwatchCore
import ReqwatchDetect
import ReqwatchGenerator
import ReqwatchParse
import ReqwatchRedact
import ReqwatchTestSupport
import Testing

/// Detector state snapshots (`reqwatch tail --state`, SIGHUP): stopping anywhere, saving, and restoring into a
/// fresh engine must give exactly the alerts of an uninterrupted run.
@Suite struct DetectorStateTests {
    /// Generated traffic with every attack kind and trap, parsed into batches of 200 records.
    static let batches: [RecordBatch] = {
        var c = GeneratorConfiguration()
        c.lines = 40_000
        c.seed = 21
        c.clients = 900
        c.durationSeconds = 8 * 3600
        var g = TrafficGenerator(c)
        var text: [UInt8] = []
        g.run { r in LogFormat.combined.append(r, to: &text) }
        let lines = text.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        var out: [RecordBatch] = []
        var i = 0
        while i < lines.count {
            out.append(parseBatch(Array(lines[i..<min(lines.count, i + 200)])).batch)
            i += 200
        }
        return out
    }()

    static func configuration(spec: Bool) throws -> DetectConfiguration {
        var c = DetectConfiguration()
        if spec { c.inventory = try RouteInventory.parse(text: APIInventory.openAPIYAML(), origin: "openapi.yaml") }
        return c
    }

    static func engine(_ c: DetectConfiguration) throws -> DetectionEngine {
        try DetectionEngine(configuration: c, additional: [ExposedCredentialDetector(redactor: try Redactor(RedactConfiguration()))])
    }

    static func key(_ a: Alert) -> String { "\(a.eventID) \(a.rule.id) \(a.message)" }

    static func uninterrupted(_ c: DetectConfiguration) throws -> [String] {
        var e = try engine(c)
        var alerts: [Alert] = []
        for b in batches { e.observe(b, into: &alerts) }
        e.finish(into: &alerts)
        return alerts.map(key)
    }

    /// Runs with a save-and-restore before each batch index in `cuts`.
    static func interrupted(_ c: DetectConfiguration, cuts: Set<Int>, restoreInto c2: DetectConfiguration? = nil) throws -> [String] {
        var e = try engine(c)
        var alerts: [Alert] = []
        for (k, b) in batches.enumerated() {
            if cuts.contains(k) {
                let bytes = e.snapshot()
                e = try engine(c2 ?? c)
                try e.restore(bytes)
            }
            e.observe(b, into: &alerts)
        }
        e.finish(into: &alerts)
        return alerts.map(key)
    }

    @Test(arguments: [false, true]) func restartsAnywhereGiveTheSameAlerts(spec: Bool) throws {
        let c = try Self.configuration(spec: spec)
        let whole = try Self.uninterrupted(c)
        #expect(whole.count > 20)
        var rng = SplitMix64(seed: spec ? 5 : 6)
        // Every few batches (attacks straddle many cuts), then at random points.
        let every = try Self.interrupted(c, cuts: Set(stride(from: 1, to: Self.batches.count, by: 7)))
        #expect(every == whole)
        for _ in 0..<3 {
            let cut = Int.random(in: 1..<Self.batches.count, using: &rng)
            #expect(try Self.interrupted(c, cuts: [cut]) == whole)
        }
    }

    @Test func withoutRestoreAttacksAcrossTheRestartAreMissed() throws {
        // The test above can fail: a restart without the saved state loses the open windows.
        let c = try Self.configuration(spec: true)
        let whole = try Self.uninterrupted(c)
        var e = try Self.engine(c)
        var alerts: [Alert] = []
        for (k, b) in Self.batches.enumerated() {
            if k % 7 == 1 { e = try Self.engine(c) }
            e.observe(b, into: &alerts)
        }
        #expect(alerts.map(Self.key) != whole)
    }

    @Test func snapshotIsSmallerThanTheTraffic() throws {
        var e = try Self.engine(try Self.configuration(spec: true))
        var alerts: [Alert] = []
        var traffic = 0
        for b in Self.batches {
            e.observe(b, into: &alerts)
            traffic += b.arena.count
        }
        let size = e.snapshot().count
        #expect(size > 1000)
        #expect(size < traffic / 4)
    }

    @Test func damagedSnapshotsThrowStateErrorsAndNeverTrap() throws {
        let c = try Self.configuration(spec: true)
        var e = try Self.engine(c)
        var alerts: [Alert] = []
        for b in Self.batches.prefix(40) { e.observe(b, into: &alerts) }
        let good = e.snapshot()
        var rng = SplitMix64(seed: 99)
        for trial in 0..<200 {
            var bad = good
            switch trial % 3 {
            case 0: bad.removeLast(Int.random(in: 1..<bad.count, using: &rng))
            case 1:
                let i = Int.random(in: 0..<bad.count, using: &rng)
                bad[i] ^= UInt8.random(in: 1...255, using: &rng)
            default: bad = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            var fresh = try Self.engine(c)
            #expect(throws: ReqwatchError.self) { try fresh.restore(bad, name: "state.windows") }
            do { try fresh.restore(bad, name: "state.windows") } catch { #expect(error.code == .state) }
        }
    }

    @Test func restoringUnderAChangedConfigurationKeepsWhatStillApplies() throws {
        // A reload that disables a rule and lengthens the auth window: the other detectors keep their state,
        // counters of the changed window start empty, and nothing traps.
        let c = try Self.configuration(spec: true)
        var c2 = c
        c2.enabledRules.remove(Rule.suspiciousUserAgent.id)
        c2.authClientWindowMicros *= 2
        let got = try Self.interrupted(c, cuts: Set(stride(from: 3, to: Self.batches.count, by: 11)), restoreInto: c2)
        #expect(!got.isEmpty)
        let enumWhole = try Self.uninterrupted(c).filter { $0.contains(" \(Rule.idEnumeration.id) ") }
        #expect(got.filter { $0.contains(" \(Rule.idEnumeration.id) ") } == enumWhole)
    }
}
