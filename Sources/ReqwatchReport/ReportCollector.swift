import ReqwatchCore
import ReqwatchEngine
import ReqwatchDetect
import ReqwatchOutput

/// Gathers what the HTML report shows while the scan pipeline runs: a time histogram of requests and error
/// answers, the endpoint inventory (with user-agent families), request counts per client, and the incidents
/// from the alert stream.
///
/// A class because the pipeline feeds it through two callbacks (`ScanOptions.onBatch` and an `AlertSink`) that
/// must reach the same state. Every table is bounded: the histogram has a fixed number of buckets, the
/// inventory and the client table have capacities, and past them requests are counted, not itemised.
public final class ReportCollector {
    var histogram = TimeHistogram()
    var inventory: EndpointInventory
    var incidents = IncidentSet()
    var clients = ClientTable()
    private var encoded: [UInt8] = []

    public init(options: ScanOptions) {
        inventory = EndpointInventory(spec: options.detect?.inventory)
    }

    /// Counts one batch of parsed records (install with `ScanOptions.onBatch`).
    public func observe(_ batch: RecordBatch) {
        for r in batch.records {
            histogram.add(time: r.time, status: r.status)
            clients.add(r.clientIP, status: r.status)
        }
        inventory.observe(batch)
    }

    /// Adds alerts as the alert encoder writes them (after redaction, as they reach stdout).
    func add(_ alerts: borrowing [Alert]) {
        for i in alerts.indices {
            encoded.removeAll(keepingCapacity: true)
            AlertEncoder.encode(alerts[i], into: &encoded)
            if encoded.last == 0x0A { encoded.removeLast() }
            incidents.add(line: encoded)
        }
    }

    /// Wires this collector into `options`: every batch is counted, and every alert is also handed to the
    /// sink already there (if any).
    public func attach(to options: inout ScanOptions) {
        let previous = options.onBatch
        options.onBatch = { [self] batch in
            previous?(batch)
            observe(batch)
        }
        options.alertSink = ReportAlertSink(collector: self, next: options.alertSink)
    }
}

/// Hands every alert to a `ReportCollector`, then to the next sink.
struct ReportAlertSink: AlertSink {
    let collector: ReportCollector
    var next: (any AlertSink)?

    mutating func write(_ alerts: borrowing [Alert]) throws(ReqwatchError) {
        collector.add(alerts)
        try next?.write(alerts)
    }

    mutating func flush() throws(ReqwatchError) { try next?.flush() }
}

/// Requests and error answers per client address, for at most `capacity` addresses.
struct ClientTable: Sendable {
    struct Row: Sendable {
        var address: IPAddress
        var requests: Int64 = 0
        var clientErrors: Int64 = 0
        var serverErrors: Int64 = 0
    }

    let capacity: Int
    private var index: [IPAddress: Int32] = [:]
    private(set) var rows: [Row] = []
    /// Requests of addresses seen after the table was full.
    private(set) var untracked: Int64 = 0

    init(capacity: Int = 200_000) { self.capacity = capacity }

    @inline(__always)
    mutating func add(_ ip: IPAddress, status: UInt16) {
        let k: Int
        if let i = index[ip] {
            k = Int(i)
        } else {
            guard rows.count < capacity else { untracked += 1; return }
            k = rows.count
            index[ip] = Int32(k)
            rows.append(Row(address: ip))
        }
        rows[k].requests += 1
        if status >= 500 && status < 600 { rows[k].serverErrors += 1 } else if status >= 400 && status < 500 { rows[k].clientErrors += 1 }
    }

    var distinct: Int { rows.count }

    func top(_ n: Int) -> [Row] {
        Array(rows.sorted { $0.requests != $1.requests ? $0.requests > $1.requests : ($0.address.high, $0.address.low) < ($1.address.high, $1.address.low) }.prefix(n))
    }
}
