import ReqwatchCore
import ReqwatchDetect
import ReqwatchTestSupport
import Testing

@Suite struct RouteTemplaterTests {
    @Test(arguments: [
        ("/users/123", "/users/{id}"),
        ("/users/123/", "/users/{id}"),
        ("/users/550e8400-e29b-41d4-a716-446655440000/orders", "/users/{id}/orders"),
        ("/files/deadbeef12", "/files/{id}"),
        ("/t/AbCdEf0123456789xyz_-", "/t/{id}"),
        ("/people/alice@example.com", "/people/{id}"),
        ("/api/v1/health", "/api/v1/health"),
        ("/", "/"),
        ("//a//b", "/a/b"),
        ("/getUserPreferencesByAccount", "/getUserPreferencesByAccount"),
    ])
    func templates(path: String, template: String) {
        #expect(RouteTemplater.template(path) == template)
    }

    @Test func overflowGoesToOther() {
        var t = RouteTemplater(capacity: 3)
        var ids: [Int32] = []
        for p in ["/a", "/b", "/c", "/d", "/e"] {
            var s = p
            ids.append(s.withUTF8 { t.route(for: $0).id })
        }
        #expect(ids.suffix(2).allSatisfy { $0 == RouteTemplater.otherRoute })
        #expect(t.overflowed == 2)
        #expect(t.count == 4)
    }
}

@Suite struct BoundedKeyTableTests {
    @Test func staysWithinCapacityAndCountsEvictions() {
        var t = BoundedKeyTable<Int>(capacity: 1000)
        var rng = SplitMix64(seed: 7)
        for i in 0..<200_000 {
            let d = t.index(of: rng.next(), now: Int64(i)) { 0 }
            t.values[d] += 1
        }
        #expect(t.count == 1000)
        #expect(t.evictions == 199_000)
        // every remaining key is still findable
        for (k, key) in t.keys.enumerated() { #expect(t.index(of: key) == k) }
    }
}
