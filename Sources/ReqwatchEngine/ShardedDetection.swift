#if canImport(Glibc)
import Glibc
#endif
import ReqwatchCore
import ReqwatchDetect

/// Which shard a client belongs to, for `--shard i/n` (many processes over one stream) and `--threads N` (workers in
/// one process).
///
/// The client key is `ClientIdentity.key`: a 64-bit hash of the authenticated user, else of the credential header's
/// value (token fingerprint), else of the address (IPv6 grouped by `--ipv6-prefix`, /64 by default). It is finalised
/// with SplitMix64's mixer and taken mod n: `shard = splitmix64(key) % n`. Worker threads inside one shard use the
/// quotient: `worker = (splitmix64(key) / n) % threads`, so the two splits are independent. All of it is stable across
/// runs, machines and versions of reqwatch that keep `ClientIdentity.key`.
public enum ClientShard {
    /// SplitMix64's finaliser (Steele, Lea and Flood 2014).
    @inline(__always)
    public static func mix(_ key: UInt64) -> UInt64 {
        var z = key &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The shard (0..<count) of the client whose key is `key`.
    @inline(__always)
    public static func shard(of key: UInt64, count: Int) -> Int { Int(mix(key) % UInt64(count)) }
}

/// `--shard i/n`: this process keeps shard `index` of `count`.
public struct ShardSelection: Sendable, Equatable {
    public var index: Int
    public var count: Int

    /// Parses `i/n` with 0 ≤ i < n ≤ 4096.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 4096, i >= 0, i < n else {
            return nil
        }
        index = i
        count = n
    }

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }
}

/// Detection over client shards: records are split by client key (`ClientShard`) to worker engines, each
/// with its own per-client state, on their own threads; their raw alerts are merged in a fixed order and pass
/// through one `IncidentTracker`, so campaigns across addresses and route findings reported by several workers are
/// one incident with one id, as with one engine. With a `ShardSelection`, records of other shards are dropped first.
///
/// The batch handed to `observe` is processed while the caller parses the next ones (up to `depth` batches in
/// flight; the caller gets a spare batch back), so reading and parsing overlap detection; the alerts of a batch come
/// out, in batch order, a few calls later or at `finish`.
///
/// With one worker the alerts, their order included, are those of one engine on the caller's thread (the batches
/// are the same, and so is the order in which their raw alerts reach the tracker). With several workers, what can
/// differ from one engine: state that rules keep across clients is kept per worker, so a
/// route-level rule sees each worker's share of the route's traffic (per-route auth-failure clusters count distinct
/// clients per worker; a ghost route is reported once its worker saw `ghost-threshold` successful calls; the
/// missing-user-agent check starts after 20 requests with an agent per worker and input; addresses shared by several
/// users are learnt per worker). Alerts of one event-time instant from different workers are merged by rule, then
/// worker, so their order, and which of them describes a campaign incident last, can differ.
final class ShardedDetection {
    /// Batches in flight at once: the reading thread runs up to this many batches ahead of the workers.
    static let depth = 4
    private let workers: [DetectionWorker]
    private let pool: WorkerPool?
    private let identity: ClientIdentity
    private let shard: ShardSelection?
    private var tracker: IncidentTracker
    private var lastTime = Timestamp.unknown
    /// Per slot: the caller's batch whose arena the workers read, and the newest event time once it was added.
    private var sources: [RecordBatch]
    private var slotTime: [Timestamp]
    /// Rounds submitted and collected (slot = round % depth).
    private var submitted = 0
    private var collected = 0
    private var merged: [(Alert, Int, Int, Int)] = []
    private var raw: [Alert] = []
    /// Rank of each rule in engine order, to merge the workers' alerts of one instant like one engine would.
    private let ruleRank: [String: Int]

    /// - Parameters:
    ///   - workers: worker engines, each with its own share of the clients.
    ///   - pipelined: run the workers on their own threads while the caller parses the next batches; false: run
    ///     the (single) worker on the caller's thread.
    ///   - make: builds one worker's engine (each gets its own detectors and state).
    init(workers count: Int, pipelined: Bool, shard: ShardSelection?, configuration: DetectConfiguration,
         batchSize: Int, make: () throws(ReqwatchError) -> DetectionEngine) throws(ReqwatchError)
    {
        let n = pipelined ? max(1, count) : 1
        let depth = pipelined ? Self.depth : 1
        var ws: [DetectionWorker] = []
        for _ in 0..<n {
            var e = try make()
            e.emitsRawAlerts = true
            ws.append(DetectionWorker(engine: e, depth: depth, capacity: batchSize))
        }
        workers = ws
        identity = ClientIdentity(ipv6Prefix: configuration.ipv6Prefix)
        self.shard = shard
        tracker = IncidentTracker(lines: configuration.incidentLines, quietMicros: configuration.incidentQuietMicros,
                                  maxEscalations: configuration.incidentMaxEscalations)
        sources = (0..<depth).map { _ in RecordBatch(origin: InputOrigin(path: ""), capacity: batchSize) }
        slotTime = Array(repeating: .unknown, count: depth)
        var rank: [String: Int] = [:]
        for (k, e) in DetectorRegistry.all.enumerated() { rank[e.rule.id] = k }
        for (k, r) in DetectorRegistry.external.enumerated() { rank[r.id] = DetectorRegistry.all.count + k }
        ruleRank = rank
        pool = pipelined ? try WorkerPool(workers: ws) : nil
    }

    deinit { pool?.stop() }

    /// Splits `batch` by client to the workers and starts them; appends the incident lines of batches done by now
    /// (in batch order) to `alerts`. On return `batch` is an empty batch to fill next (not the one passed in).
    func observe(_ batch: inout RecordBatch, into alerts: inout [Alert]) {
        let depth = sources.count
        if submitted - collected == depth { collect(into: &alerts) }
        let slot = submitted % depth
        let n = workers.count
        let origin = batch.origin
        for w in workers {
            w.slots[slot].batch.origin = origin
            w.slots[slot].batch.arena = batch.arena
            w.slots[slot].batch.headers = batch.headers
        }
        let count = batch.records.count
        var newest = lastTime
        let whole = n == 1 && shard == nil
        for i in 0..<count {
            let r = batch.records[i]
            if r.time != .unknown && (newest == .unknown || r.time > newest) { newest = r.time }
            if whole { continue }
            let m = ClientShard.mix(identity.key(r, in: batch))
            var q = m
            if let shard {
                guard Int(m % UInt64(shard.count)) == shard.index else { continue }
                q = m / UInt64(shard.count)
            }
            workers[n == 1 ? 0 : Int(q % UInt64(n))].slots[slot].batch.records.append(r)
        }
        lastTime = newest
        slotTime[slot] = newest
        // One worker with every client: hand the records over without copying them.
        if whole { swap(&workers[0].slots[slot].batch.records, &batch.records) }
        // The slot keeps the caller's batch (its arena) until collected; the caller gets the slot's older one, whose
        // arena the workers let go of when they finished it.
        swap(&batch, &sources[slot])
        batch.removeAll()
        batch.origin = origin
        submitted += 1
        if let pool {
            pool.submit()
        } else {
            workers[0].run(slot: slot)
            collect(into: &alerts)
        }
    }

    /// Waits for the oldest batch in flight and passes its alerts through the tracker.
    private func collect(into alerts: inout [Alert]) {
        guard collected < submitted else { return }
        let round = collected
        let slot = round % sources.count
        pool?.wait(for: round)
        collected += 1
        merged.removeAll(keepingCapacity: true)
        for (w, worker) in workers.enumerated() {
            for (k, a) in worker.slots[slot].raw.enumerated() { merged.append((a, ruleRank[a.rule.id] ?? Int.max, w, k)) }
            worker.slots[slot].raw.removeAll(keepingCapacity: true)
        }
        raw.removeAll(keepingCapacity: true)
        if workers.count == 1 {
            for m in merged { raw.append(m.0) }
        } else if !merged.isEmpty {
            // Each worker's alerts are in event-time order with ties in rule order (one engine's order); merged by
            // (time, rule, worker, position).
            merged.sort {
                if $0.0.timestamp != $1.0.timestamp { return $0.0.timestamp < $1.0.timestamp }
                if $0.1 != $1.1 { return $0.1 < $1.1 }
                return ($0.2, $0.3) < ($1.2, $1.3)
            }
            for m in merged { raw.append(m.0) }
        }
        tracker.process(raw, now: slotTime[slot].microseconds, into: &alerts)
        merged.removeAll(keepingCapacity: true)
    }

    /// End of input: the batches in flight, then every worker's closing alerts, then every incident closed.
    func finish(into alerts: inout [Alert]) {
        while collected < submitted { collect(into: &alerts) }
        merged.removeAll(keepingCapacity: true)
        for (w, worker) in workers.enumerated() {
            var out: [Alert] = []
            worker.engine.finish(at: lastTime, into: &out)
            for (k, a) in out.enumerated() { merged.append((a, ruleRank[a.rule.id] ?? Int.max, w, k)) }
        }
        // One engine's finish appends rule by rule, unsorted: the same here, workers in turn within a rule.
        merged.sort { ($0.1, $0.2, $0.3) < ($1.1, $1.2, $1.3) }
        raw = merged.map(\.0)
        merged.removeAll()
        tracker.process(raw, now: lastTime.microseconds, into: &alerts)
        tracker.closeAll(into: &alerts)
    }

    /// The workers' counters added up, with the shared tracker's incident counts.
    var statistics: [(String, Int)] {
        var order: [String] = []
        var sums: [String: Int] = [:]
        for w in workers {
            for (k, v) in w.engine.statistics where !k.hasPrefix("incidents.") {
                if sums[k] == nil { order.append(k) }
                sums[k, default: 0] += v
            }
        }
        var s = order.map { ($0, sums[$0]!) }
        s.append(("incidents.opened", tracker.opened))
        if tracker.closedEarly > 0 { s.append(("incidents.closed-early", tracker.closedEarly)) }
        s.append(("detect.threads", workers.count))
        if pool != nil { s.append(("detect.worker-cpu-ms-max", Int(workers.map(\.cpuNanos).max() ?? 0) / 1_000_000)) }
        return s
    }
}

/// One worker's engine and its share of each batch in flight. A slot is touched by the worker's thread only between
/// `WorkerPool.submit` of its round and `WorkerPool.wait(for:)` of it, by the caller's thread otherwise.
final class DetectionWorker: @unchecked Sendable {
    /// A class, so the caller's thread and the worker's touch different objects, never one shared array.
    final class Slot {
        var batch: RecordBatch
        var raw: [Alert] = []
        init(batch: RecordBatch) { self.batch = batch }
    }
    var engine: DetectionEngine
    let slots: [Slot]
    /// CPU time of the worker's thread after its last round (ns): with the reading thread's, the run's critical
    /// path, which says what the threads gain on idle cores whatever else the machine runs.
    var cpuNanos: Int64 = 0

    init(engine: DetectionEngine, depth: Int, capacity: Int) {
        self.engine = engine
        slots = (0..<depth).map { _ in
            var b = RecordBatch(origin: InputOrigin(path: ""), capacity: 0)
            b.records.reserveCapacity(capacity)
            return Slot(batch: b)
        }
    }

    func run(slot s: Int) {
        let slot = slots[s]
        if !slot.batch.records.isEmpty { engine.observe(slot.batch, into: &slot.raw) }
        slot.batch.records.removeAll(keepingCapacity: true)
        // Let go of the caller's arena so it can be reused without a copy.
        slot.batch.arena = []
        slot.batch.headers = []
        cpuNanos = threadCPUNanos()
    }
}

/// Threads that each run one `DetectionWorker`, round after round: `submit` queues a round (its slot is
/// round % depth), `wait(for:)` returns once every worker has finished that round.
final class WorkerPool: @unchecked Sendable {
    // Allocated once so their addresses stay fixed.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let work = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let done = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var submitted = 0
    private var completed: [Int]
    private var stopping = false
    private let workers: [DetectionWorker]
    private var threads: [pthread_t] = []

    init(workers: [DetectionWorker]) throws(ReqwatchError) {
        self.workers = workers
        completed = Array(repeating: 0, count: workers.count)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(work, nil)
        pthread_cond_init(done, nil)
        for index in workers.indices {
            let box = Unmanaged.passRetained(WorkerStart(pool: self, index: index)).toOpaque()
            var t = pthread_t()
            let rc = pthread_create(
                &t, nil,
                { raw in
                    guard let raw else { return nil }
                    let start = Unmanaged<WorkerStart>.fromOpaque(raw).takeRetainedValue()
                    start.pool.loop(start.index)
                    return nil
                }, box)
            guard rc == 0 else {
                Unmanaged<WorkerStart>.fromOpaque(box).release()
                stop()
                throw ReqwatchError(.io, "cannot start detection thread", errno: rc)
            }
            threads.append(t)
        }
    }

    fileprivate func loop(_ index: Int) {
        let depth = workers[index].slots.count
        while true {
            pthread_mutex_lock(mutex)
            while completed[index] == submitted && !stopping { pthread_cond_wait(work, mutex) }
            if completed[index] == submitted {
                pthread_mutex_unlock(mutex)
                return
            }
            let round = completed[index]
            pthread_mutex_unlock(mutex)
            workers[index].run(slot: round % depth)
            pthread_mutex_lock(mutex)
            completed[index] = round + 1
            pthread_cond_broadcast(done)
            pthread_mutex_unlock(mutex)
        }
    }

    func submit() {
        pthread_mutex_lock(mutex)
        submitted += 1
        pthread_cond_broadcast(work)
        pthread_mutex_unlock(mutex)
    }

    func wait(for round: Int) {
        pthread_mutex_lock(mutex)
        while completed.contains(where: { $0 <= round }) { pthread_cond_wait(done, mutex) }
        pthread_mutex_unlock(mutex)
    }

    /// Ends the threads once the rounds submitted are done, and joins them.
    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_broadcast(work)
        pthread_mutex_unlock(mutex)
        for t in threads { pthread_join(t, nil) }
        threads.removeAll()
    }

    deinit {
        pthread_cond_destroy(work)
        pthread_cond_destroy(done)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        work.deallocate()
        done.deallocate()
    }
}

private final class WorkerStart: @unchecked Sendable {
    let pool: WorkerPool
    let index: Int
    init(pool: WorkerPool, index: Int) {
        self.pool = pool
        self.index = index
    }
}

/// CPU time consumed by the calling thread, in nanoseconds.
func threadCPUNanos() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}
