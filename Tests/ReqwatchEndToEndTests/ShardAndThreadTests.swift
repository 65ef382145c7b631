import Foundation
import ReqwatchTestSupport
import Testing

/// Issue 14: `--threads` and `--shard` give the alerts of one single-threaded process.
@Suite struct ShardAndThreadTests {
    /// `reqwatch scan` of one sample case with `extra` arguments: its JSON lines.
    static func scan(_ name: String, _ extra: [String]) throws -> [String] {
        let dir = Cases.root + "/" + name
        var args = Cases.arguments(for: name)
        args.insert(contentsOf: extra, at: 2)
        let r = try Binary.run(args, cwd: dir)
        #expect(r.status == 0, "exit \(r.status): \(r.stderr)")
        return r.stdout.split(separator: "\n").map(String.init)
    }

    static func incidentID(_ line: String) -> String? {
        let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        let rw = obj?["reqwatch"] as? [String: Any]
        return (rw?["incident"] as? [String: Any])?["id"] as? String
    }

    /// The last line of each incident, by id.
    static func lastLines(_ lines: [String]) -> [String: String] {
        var m: [String: String] = [:]
        for l in lines { if let id = incidentID(l) { m[id] = l } }
        return m
    }

    /// One detection worker beside the reading thread: the same lines in the same order.
    @Test(arguments: Cases.all)
    func issue14_threadsTwoEqualsOne(_ name: String) throws {
        let one = try Self.scan(name, ["--threads", "1"])
        let two = try Self.scan(name, ["--threads", "2"])
        #expect(one == two, "case \(name)")
    }

    /// Cases whose rules all hold per client or per route finding, so any split of the clients finds them all.
    static let shardCases = ["ghost-endpoint", "injection-probes", "mixed-real-excerpt", "probing-client", "ua-scanners",
                             "auth-basic-spraying", "id-enum-many-ips", "ua-rotation"]

    /// `--shard i/n` for n = 1, 2, 4: the union of the shards' lines, deduplicated by incident id (the last line of
    /// each id kept), has exactly the incidents of the single process, each with its rule. Route findings (ghost
    /// routes) are written by every shard that saw calls, under the same id; their counts are that shard's share.
    @Test(arguments: shardCases, [1, 2, 4])
    func issue14_shardUnionEqualsSingleProcess(_ name: String, _ n: Int) throws {
        let single = Self.lastLines(try Self.scan(name, ["--threads", "1"]))
        var union: [String] = []
        for i in 0..<n { union += try Self.scan(name, ["--threads", "1", "--shard", "\(i)/\(n)"]) }
        let merged = Self.lastLines(union)
        #expect(Set(merged.keys) == Set(single.keys), "case \(name), \(n) shards")
        for (id, line) in single {
            let rule = { (l: String) in
                ((try? JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any])?["rule"] as? [String: Any])?["id"] as? String
            }
            #expect(rule(line) == merged[id].flatMap(rule), "case \(name), incident \(id)")
        }
    }

    /// A per-route cluster needs `auth-route-threshold` distinct clients: a shard that sees a quarter of them may
    /// see too few. Known limitation until route-level state is merged across shards.
    @Test func issue14_credentialStuffingNeedsAllClientsOfTheRoute() throws {
        let name = "auth-credential-stuffing"
        let single = Self.lastLines(try Self.scan(name, ["--threads", "1"]))
        var union: [String] = []
        for i in 0..<4 { union += try Self.scan(name, ["--threads", "1", "--shard", "\(i)/4"]) }
        withKnownIssue("per-route clusters are counted per shard") {
            #expect(Set(Self.lastLines(union).keys) == Set(single.keys))
        }
    }

    @Test func issue14_badShardAndThreadsAreUsageErrors() throws {
        for bad in [["--shard", "4/4"], ["--shard", "1"], ["--shard", "-1/2"], ["--threads", "0"]] {
            let r = try Binary.run(["scan", "--no-progress"] + bad + ["-"], stdin: Data())
            #expect(r.status == 64, "\(bad): exit \(r.status)")
        }
    }
}
