import ReqwatchCore
import ReqwatchDetect
import Testing

/// The shared incident layer on its own: lines per incident, escalation, ids, campaigns, findings.
@Suite struct IncidentTrackerTests {
    static func raw(_ key: String, at seconds: Int64, count: Int = 1, severity: Int = 3, ip: String = "192.0.2.1",
                    campaign: String? = nil) -> Alert
    {
        let t = Timestamp(microseconds: 1_714_521_600_000_000 + seconds * 1_000_000)
        var a = Alert(rule: .unknownEndpoint, timestamp: t, start: t, end: t, severity: severity, message: "m",
                      incidentKey: key)
        a.count = count
        a.sourceIP = ip
        a.campaignKey = campaign
        return a
    }

    @Test func oneIncidentAtMostThreeLinesWithOneID() {
        var tracker = IncidentTracker()
        var out: [Alert] = []
        // a report a minute for 40 minutes, the count growing past tenfold, then the end of input
        for m in 0..<40 { tracker.process([Self.raw("client:a", at: Int64(m) * 60, count: 5)], now: Int64(m) * 60, into: &out) }
        tracker.closeAll(into: &out)
        #expect(out.map(\.incidentState) == ["opened", "escalated", "closed"])
        #expect(Set(out.compactMap(\.incidentID)).count == 1)
        #expect(out.map(\.sequence) == [0, 1, 2])
        #expect(out.last?.incidentCount == 200)
        #expect(Set(out.map(\.eventID)).count == 3)
    }

    @Test func quietCloseThenANewIncidentWithANewID() {
        var tracker = IncidentTracker()
        var out: [Alert] = []
        tracker.process([Self.raw("client:a", at: 0)], now: 0, into: &out)
        tracker.process([Self.raw("client:b", at: 3600)], now: 3600, into: &out)  // an hour later: a closes
        tracker.process([Self.raw("client:a", at: 3700)], now: 3700, into: &out)  // same day, opens again
        tracker.closeAll(into: &out)
        let a = out.filter { $0.incidentKey == "client:a" }
        #expect(a.map(\.incidentState) == ["opened", "closed", "opened", "closed"])
        #expect(Set(a.compactMap(\.incidentID)).count == 2)
    }

    @Test func campaignListsItsAddressesAndAClientStaysInIt() {
        var tracker = IncidentTracker()
        var out: [Alert] = []
        for k in 1...5 {
            tracker.process([Self.raw("probe:\(k)", at: Int64(k), ip: "198.51.100.\(k)", campaign: "probe:env|agent:-")],
                            now: Int64(k), into: &out)
        }
        // client 3 tries another probe kind: it stays in the campaign it is part of
        tracker.process([Self.raw("probe:3", at: 10, ip: "198.51.100.3", campaign: "probe:git|agent:-")], now: 10, into: &out)
        tracker.closeAll(into: &out)
        #expect(out.map(\.incidentState) == ["opened", "closed"])
        #expect(out.last?.addresses == (1...5).map { "198.51.100.\($0)" })
        #expect(out.last?.addressCount == 5)
    }

    @Test func openedOnlyPolicy() {
        var tracker = IncidentTracker(lines: .opened)
        var out: [Alert] = []
        for m in 0..<40 { tracker.process([Self.raw("client:a", at: Int64(m) * 60, count: 5)], now: Int64(m) * 60, into: &out) }
        tracker.closeAll(into: &out)
        #expect(out.map(\.incidentState) == ["opened"])
    }
}
