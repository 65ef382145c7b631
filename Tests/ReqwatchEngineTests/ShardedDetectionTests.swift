import Foundation
import ReqwatchCore
import ReqwatchEngine
import ReqwatchOutput
import ReqwatchTestSupport
import Testing

/// Issue 14: the shard hash is stable and documented; threads give one process's alerts.
@Suite struct ShardedDetectionTests {
    @Test func shardHashIsPinned() {
        // splitmix64(key) mod n: these values are part of the `--shard` contract (README), never to change.
        let pinned: UInt64 = 0xE220_A839_7B1D_CDAF
        #expect(ClientShard.mix(0) == pinned)
        #expect(ClientShard.shard(of: 0, count: 4) == Int(pinned % 4))
        var counts = [0, 0, 0, 0]
        for k in 0..<40_000 { counts[ClientShard.shard(of: UInt64(k), count: 4)] += 1 }
        for c in counts { #expect(c > 9_500 && c < 10_500, "\(counts)") }
    }

    @Test(arguments: [("0/1", 0, 1), ("3/4", 3, 4), ("0/4096", 0, 4096)])
    func shardSelectionParses(_ text: String, _ i: Int, _ n: Int) {
        #expect(ShardSelection(text) == ShardSelection(index: i, count: n))
    }

    @Test(arguments: ["4/4", "1", "-1/2", "a/b", "0/0", "1/2/3", "0/4097"])
    func shardSelectionRejects(_ text: String) {
        #expect(ShardSelection(text) == nil)
    }

    func scanLines(_ path: String, threads: Int, shard: ShardSelection? = nil, batchSize: Int = 256) throws -> [String] {
        var o = ScanOptions()
        o.inputs = [path]
        o.batchSize = batchSize
        o.threads = threads
        o.shard = shard
        o.diagnostics = FileDescriptorWriter(fd: open("/dev/null", O_WRONLY), name: "/dev/null", owns: true)
        let sink = CollectingSink()
        o.alertSink = sink
        _ = try ScanPipeline(options: o).run()
        return sink.alerts.map { AlertEncoder.document($0).encoded() }
    }

    /// Two threads (reader + one detection worker) write the lines of one, in order, whatever the batch size.
    @Test(arguments: [1, 7, 256])
    func twoThreadsEqualOne(_ batchSize: Int) throws {
        let path = try tempFile("threads-\(batchSize).log", attackLog())
        let one = try scanLines(path, threads: 1, batchSize: batchSize)
        #expect(!one.isEmpty)
        #expect(try scanLines(path, threads: 2, batchSize: batchSize) == one)
    }

    /// Per-client rules only here: three threads (two workers splitting the clients) give the same lines once sorted.
    @Test func threeThreadsGiveTheSameIncidents() throws {
        let path = try tempFile("threads-3.log", attackLog())
        let one = try scanLines(path, threads: 1)
        #expect(try scanLines(path, threads: 3).sorted() == one.sorted())
    }

    /// Every record is in exactly one shard: the shards' record counts add up (stats of detection).
    @Test func shardsPartitionTheClients() throws {
        let path = try tempFile("shards.log", attackLog())
        var total = 0
        for i in 0..<3 {
            var o = ScanOptions()
            o.inputs = [path]
            o.shard = ShardSelection(index: i, count: 3)
            o.diagnostics = FileDescriptorWriter(fd: open("/dev/null", O_WRONLY), name: "/dev/null", owns: true)
            o.alertSink = CollectingSink()
            let s = try ScanPipeline(options: o).run()
            total += s.detectorStatistics.first { $0.0 == "detect.records" }?.1 ?? 0
        }
        let (all, _) = try scan([path])
        #expect(Int64(total) == all.records)
    }
}
