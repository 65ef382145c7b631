import ReqwatchCore
import ReqwatchDetect
import ReqwatchTestSupport
import Testing

func rules(_ alerts: [Alert]) -> [String] { alerts.map(\.rule.id) }
func only(_ alerts: [Alert], _ rule: Rule) -> [Alert] { alerts.filter { $0.rule.id == rule.id } }

@Suite struct IDEnumerationTests {
    /// A sequential walk of ids `from..<from+count`, one request every `step` seconds.
    static func walk(_ ids: [Int], step: Int64 = 2, ip: String = "203.0.113.9", user: String? = "mallory",
                     status: (Int) -> UInt16 = { _ in 200 }, start: Int64 = 0) -> [TestRequest]
    {
        ids.enumerated().map { (k, id) in
            TestRequest(time: DetectorHarness.t0 + start + Int64(k) * step, ip: ip, user: user, path: "/users/\(id)", status: status(id))
        }
    }

    @Test func fastWalkFiresOnceWithEvidence() throws {
        let alerts = only(try DetectorHarness.run(Self.walk(Array(1...120))), .idEnumeration)
        #expect(alerts.count == 1)
        let a = try #require(alerts.first)
        #expect(a.route == "/users/{id}")
        #expect(a.userID == "mallory")
        #expect(a.incidentKey == "client:user:mallory|route:GET /users/{id}")
        #expect(a.sourceIP == "203.0.113.9")
        #expect(a.timestamp == Timestamp(seconds: DetectorHarness.t0 + 49 * 2))
        let range = try #require(a.evidence.first { $0.0 == "id_range" }?.1)
        #expect(range["min"] == .int(1))
        #expect(range["max"] == .int(50))
        #expect(range["distinct"] == .int(50))
        #expect(range["coverage"] == .double(1))
        #expect(a.severity == 4)
    }

    /// Ids walked through a query parameter (`/api/users?id=1`, `?id=2`, …) are counted like path ids; paging,
    /// cache busters and other position or time parameters are not ids.
    @Test func walkThroughAQueryParameterFires() throws {
        var reqs: [TestRequest] = []
        for (k, id) in (1...80).enumerated() {
            reqs.append(TestRequest(time: DetectorHarness.t0 + Int64(k) * 3, ip: "203.0.113.44", path: "/api/users",
                                    query: "format=json&user_id=\(id)"))
            reqs.append(TestRequest(time: DetectorHarness.t0 + Int64(k) * 3, ip: "192.0.2.5", path: "/api/products",
                                    query: "page=\(id)&limit=20&_=\(1_715_940_000_000 + k)"))
            reqs.append(TestRequest(time: DetectorHarness.t0 + Int64(k) * 3 + 1, ip: "192.0.2.6", path: "/map",
                                    query: "zoom=\(k % 18)&x=\(id)&y=\(id * 2)"))
        }
        let alerts = only(try DetectorHarness.run(reqs), .idEnumeration)
        #expect(alerts.count == 1)
        let a = try #require(alerts.first)
        #expect(a.route == "/api/users?user_id={id}")
        #expect(a.incidentKey == "client:ip:203.0.113.44|route:GET /api/users?user_id={id}")
        #expect(a.message.contains("requested 50 distinct ids on GET /api/users?user_id={id}"), "\(a.message)")
    }

    @Test func shuffledWalkFires() throws {
        var ids = Array(1000...1099)
        var rng = SplitMix64(seed: 42)
        ids.shuffle(using: &rng)
        let alerts = only(try DetectorHarness.run(Self.walk(ids)), .idEnumeration)
        #expect(alerts.count == 1)
    }

    @Test func walkWithGapsOf404Fires() throws {
        // every 5th id exists; ids step by 1 over 1..300 but sampled sparsely: coverage low, 404 share high
        let ids = Array(stride(from: 1, to: 600, by: 4))
        let alerts = only(try DetectorHarness.run(Self.walk(ids, status: { $0 % 5 == 0 ? 200 : 404 })), .idEnumeration)
        #expect(alerts.count == 1)
    }

    @Test func lowAndSlowWalkFires() throws {
        // one request every 40 s for 2 h: never 50 in 10 min, but 100+ distinct within 6 h
        let alerts = only(try DetectorHarness.run(Self.walk(Array(5000...5180), step: 40)), .idEnumeration)
        #expect(alerts.count == 1)
        let a = try #require(alerts.first)
        #expect(a.evidence.first { $0.0 == "pattern" }?.1 == .string("low-and-slow"))
        #expect(a.severity == 3)
    }

    @Test func oneUserAcrossManyIPsFires() throws {
        let reqs = (1...80).map { id in
            TestRequest(time: DetectorHarness.t0 + Int64(id) * 3, ip: "198.51.100.\(id % 40 + 1)", user: "eve", path: "/orders/\(id)")
        }
        #expect(only(try DetectorHarness.run(reqs), .idEnumeration).count == 1)
    }

    @Test func tokenAcrossIPsFires() throws {
        let reqs = (1...80).map { id in
            TestRequest(time: DetectorHarness.t0 + Int64(id) * 3, ip: "198.51.100.\(id % 40 + 1)", token: "abc.def.ghi", path: "/orders/\(id)")
        }
        let a = only(try DetectorHarness.run(reqs), .idEnumeration)
        #expect(a.count == 1)
        #expect(a.first?.incidentKey.hasPrefix("client:token:") == true)
        #expect(a.first?.message.contains("abc.def.ghi") == false)
    }

    @Test func uuidWalkNeedsHigherThreshold() throws {
        var rng = SplitMix64(seed: 1)
        func uuid() -> String {
            let h = String(rng.next(), radix: 16), l = String(rng.next(), radix: 16)
            let hex = (String(repeating: "0", count: 16 - h.count) + h + String(repeating: "0", count: 16 - l.count) + l)
            let c = Array(hex)
            return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
        }
        let ids80 = (0..<80).map { _ in uuid() }
        let few = ids80.enumerated().map { TestRequest(time: DetectorHarness.t0 + Int64($0.offset), ip: "203.0.113.5", user: "u", path: "/docs/\($0.element)") }
        #expect(only(try DetectorHarness.run(few), .idEnumeration).isEmpty)
        let ids150 = (0..<150).map { _ in uuid() }
        let many = ids150.enumerated().map { TestRequest(time: DetectorHarness.t0 + Int64($0.offset), ip: "203.0.113.5", user: "u", path: "/docs/\($0.element)") }
        #expect(only(try DetectorHarness.run(many), .idEnumeration).count == 1)
    }

    @Test func paginationOfOwnRecordsDoesNotFire() throws {
        // 30 own records, each viewed 3 times
        var reqs: [TestRequest] = []
        for round in 0..<3 {
            for (k, id) in [7, 19, 23, 101, 150, 151, 152, 300, 301, 302, 400, 420, 480, 481, 500, 512, 530, 560, 600, 610,
                            611, 640, 700, 701, 702, 800, 850, 900, 950, 999].enumerated()
            {
                reqs.append(TestRequest(time: DetectorHarness.t0 + Int64(round * 100 + k), ip: "192.0.2.10", user: "bob", path: "/invoices/\(id)"))
            }
        }
        #expect(only(try DetectorHarness.run(reqs), .idEnumeration).isEmpty)
    }

    @Test func natOfficeDoesNotFire() throws {
        // 300 authenticated users behind one IP, each viewing their own profile and a few orders
        var reqs: [TestRequest] = []
        for u in 0..<300 {
            for k in 0..<3 {
                reqs.append(TestRequest(time: DetectorHarness.t0 + Int64(u * 2 + k), ip: "192.0.2.1", user: "emp\(u)", path: "/users/\(u + 1000)/orders/\(u * 10 + k)"))
                reqs.append(TestRequest(time: DetectorHarness.t0 + Int64(u * 2 + k), ip: "192.0.2.1", user: "emp\(u)", path: "/users/\(u + 1000)"))
            }
        }
        #expect(try DetectorHarness.run(reqs).isEmpty)
    }

    @Test func longWalkIsOneIncidentOfAtMostThreeLines() throws {
        // walk for 3 hours at one id every 10 s: the rule re-reports every cooldown, the tracker merges the reports
        let alerts = only(try DetectorHarness.run(Self.walk(Array(1...1080), step: 10), lifecycle: true), .idEnumeration)
        #expect(alerts.count >= 2 && alerts.count <= 3)
        #expect(Set(alerts.compactMap(\.incidentID)).count == 1)
        #expect(alerts.first?.incidentState == "opened")
        #expect(alerts.last?.incidentState == "closed")
        #expect(alerts.map(\.sequence) == Array(0..<alerts.count))
        // the closing line spans the whole walk (3 h less the ids before the threshold)
        let last = try #require(alerts.last)
        #expect(last.end.microseconds - last.start.microseconds > 2 * 3_600_000_000)
        #expect(last.incidentCount > alerts[0].incidentCount)
    }

    @Test(arguments: [1, 7, 256]) func batchSizeInvariance(size: Int) throws {
        var reqs = Self.walk(Array(1...200))
        reqs += IDEnumerationTests.walk(Array(300...400), ip: "198.51.100.7", user: nil, start: 5)
        reqs.sort { $0.time < $1.time }
        let reference = try DetectorHarness.run(reqs, batchSize: 1000).map { "\($0.rule.id) \($0.incidentKey) \($0.timestamp) \($0.sequence)" }
        let got = try DetectorHarness.run(reqs, batchSize: size).map { "\($0.rule.id) \($0.incidentKey) \($0.timestamp) \($0.sequence)" }
        #expect(got == reference)
        #expect(reference.count == 2)
    }

    @Test func outOfOrderBySecondsStillFiresOnce() throws {
        var reqs = Self.walk(Array(1...100))
        // swap neighbours: lines out of order by 2 s
        for k in stride(from: 0, to: reqs.count - 1, by: 2) { reqs.swapAt(k, k + 1) }
        #expect(only(try DetectorHarness.run(reqs), .idEnumeration).count == 1)
    }
}
