#if canImport(Glibc)
    import Glibc
#endif

/// Deterministic realistic API traffic with labeled attacks and traps.
///
/// Background traffic is a stream of client sessions (browser users, anonymous visitors, mobile apps, API
/// integrations, search crawlers) whose start rate follows a diurnal curve (peak 14:00 UTC, trough 02:00 UTC), plus
/// periodic health checks and uptime monitors. Attack and trap instances are materialised up front and merged in
/// event-time order through one min-heap, so memory is bounded by the active sessions, not by `lines`.
/// `run(_:)` emits exactly `configuration.lines` requests in non-decreasing time order; `labels` then holds the
/// measured start, end and request count of every instance (instances cut off by `lines` have `requests == 0` and
/// are skipped by `labelLines()`).
public struct TrafficGenerator {
    public let configuration: GeneratorConfiguration
    /// Every registered attack and trap instance, indexed by `GeneratedRequest.labels`.
    public private(set) var labels: [TrafficLabel] = []

    var rng: GeneratorRandom
    var clients: [Client] = []
    var heap = EventHeap()
    var corsLabel: Int32 = -1
    let t0: Int64  // micros
    let spanMicros: Int64
    var attackCounter = 0
    var trapCounter = 0
    static let maxUserID = 60_000
    static let orderBase = 100_000
    static let maxOrderID = 460_000
    static let maxProductID = 8_000

    /// Prepares clients, instances and periodic sources; nothing is emitted until `run(_:)`.
    public init(_ configuration: GeneratorConfiguration) {
        self.configuration = configuration
        rng = GeneratorRandom(seed: configuration.seed)
        t0 = configuration.startSeconds * 1_000_000
        spanMicros = configuration.span * 1_000_000
        var crng = rng.fork(1)
        clients = (0..<max(1, configuration.clients)).map { Client.make(index: $0, rng: &crng) }
        // One user name per client: a name shared by two clients would merge them into one "user".
        var taken: Set<String> = [
            "mallory", "eve", "bob.k", "scraper01", "harvest.bot", "quiet.one", "t.kowalski", "svc-export",
        ]
        for i in clients.indices {
            guard let u = clients[i].user else { continue }
            var name = u
            var n = 2
            while taken.contains(name) {
                name = u + String(n)
                n += 1
            }
            taken.insert(name)
            clients[i].user = name
        }
        setUpPeriodic()
        setUpTraps()
        setUpAttacks()
    }

    // MARK: - Emission

    /// Emits exactly `configuration.lines` requests in time order to `sink` and fills in label statistics.
    public mutating func run(_ sink: (GeneratedRequest) -> Void) {
        let target = configuration.lines
        if target <= 0 { return }
        // Calibrate the background session rate: mean session length from a separate stream.
        var probe = rng.fork(2)
        var sampled = 0
        for _ in 0..<400 {
            sampled += sessionFor(client: clients[probe.int(0...(clients.count - 1))], at: t0, rng: &probe).count
        }
        let meanSession = max(1.0, Double(sampled) / 400.0)
        let fixed = Double(heap.count) + estimatedPeriodic()
        let backgroundLines = max(Double(target) * 0.05, Double(target) - fixed)
        let spanSeconds = Double(spanMicros) / 1_000_000
        // Normalise by the mean diurnal factor over this span (a 2-hour night-time run is quieter than a day),
        // and aim 5% low so the line budget outlasts the span rather than cutting off late instances.
        var diurnalSum = 0.0
        for k in 0..<240 { diurnalSum += Self.diurnal(t0 + spanMicros * Int64(k) / 240) }
        let meanDiurnal = max(0.2, diurnalSum / 240)
        let meanRate = 0.95 * backgroundLines / meanSession / spanSeconds / meanDiurnal  // sessions per second
        let maxRate = meanRate * 1.6  // diurnal() peaks at 1.6
        var srng = rng.fork(3)
        var nextStart = Double(t0)
        func advance(_ r: inout GeneratorRandom) -> Double {
            var t = nextStart
            while true {
                t += r.exponential(mean: 1_000_000 / maxRate)
                if r.unit() * 1.6 < Self.diurnal(Int64(t)) { return t }
            }
        }
        nextStart = advance(&srng)
        var emitted = 0
        var erng = rng.fork(4)
        while emitted < target {
            if heap.isEmpty || Int64(nextStart) <= heap.minTime {
                let c = clients[srng.int(0...(clients.count - 1))]
                for e in sessionFor(client: c, at: Int64(nextStart), rng: &srng) { heap.push(e) }
                nextStart = advance(&srng)
                continue
            }
            guard var e = heap.pop() else { break }
            if e.repeatEvery > 0 {
                var next = e
                next.time = e.time + Int64((e.repeatEvery + erng.double(-0.2...0.2)) * 1_000_000)
                heap.push(next)
                e.repeatEvery = 0
            }
            for l in e.labels where Int(l) < labels.count { labels[Int(l)].record(e.time) }
            sink(e)
            emitted += 1
        }
    }

    /// The labels of instances with at least one written request, one JSON object per line.
    public func labelLines() -> String {
        var s = ""
        for l in labels where l.requests > 0 {
            s += l.jsonLine()
            s += "\n"
        }
        return s
    }

    /// Relative request rate at an instant (mean 1 over a day): peak at 14:00 UTC, trough at 02:00 UTC.
    static func diurnal(_ micros: Int64) -> Double {
        let secondOfDay = Double((micros / 1_000_000) % 86_400)
        return 1.0 + 0.6 * sin(2 * Double.pi * (secondOfDay / 3600 - 8) / 24)
    }

    // MARK: - Labels

    mutating func addLabel(
        rule: String, variant: String, trap: Bool, key: String? = nil, ip: String? = nil,
        ips: [String] = [], user: String? = nil, route: String? = nil, method: String? = nil,
        note: String? = nil
    ) -> Int32 {
        let id: String
        if trap {
            trapCounter += 1
            id = "trap-" + Self.pad4(trapCounter)
        } else {
            attackCounter += 1
            id = "atk-" + Self.pad4(attackCounter)
        }
        labels.append(
            TrafficLabel(
                id: id, rule: rule, variant: variant, trap: trap, key: key, ip: ip, ips: ips,
                user: user, route: route, method: method, note: note))
        return Int32(labels.count - 1)
    }

    static func pad4(_ n: Int) -> String {
        let s = String(n)
        return s.count >= 4 ? s : String(repeating: "0", count: 4 - s.count) + s
    }

    /// Pushes a materialised instance into the merge heap.
    mutating func schedule(_ events: [GeneratedRequest]) {
        for e in events where e.time >= t0 { heap.push(e) }
    }

    /// A start time for an instance lasting `seconds`, slot `i` of `n`, inside the span.
    mutating func slotStart(_ i: Int, of n: Int, lasting seconds: Double) -> Int64 {
        let span = Double(spanMicros) / 1_000_000
        let usable = max(0, span * 0.94 - seconds)
        let frac = (Double(i) + rng.double(0.1...0.9)) / Double(max(1, n))
        return t0 + Int64((span * 0.03 + usable * frac) * 1_000_000)
    }
}

/// A binary min-heap of requests ordered by (time, insertion order), for a deterministic merge.
struct EventHeap {
    private var items: [(Int64, UInt64, GeneratedRequest)] = []
    private var seq: UInt64 = 0
    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }
    var minTime: Int64 { items.first?.0 ?? .max }

    mutating func push(_ e: GeneratedRequest) {
        seq &+= 1
        items.append((e.time, seq, e))
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if less(i, p) {
                items.swapAt(i, p)
                i = p
            } else {
                break
            }
        }
    }

    mutating func pop() -> GeneratedRequest? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var m = i
            if l < items.count && less(l, m) { m = l }
            if r < items.count && less(r, m) { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top.2
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        items[a].0 < items[b].0 || (items[a].0 == items[b].0 && items[a].1 < items[b].1)
    }
}
