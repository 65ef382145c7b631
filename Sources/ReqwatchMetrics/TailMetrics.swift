#if canImport(Glibc)
import Glibc
#endif
import Prometheus
import ReqwatchCore
import ReqwatchEngine
import ReqwatchOutput
import Synchronization

/// The Prometheus metrics of a running `tail`, kept in a swift-prometheus registry (which writes the exposition
/// format and is safe to read from the HTTP server's threads while the tail thread updates it).
///
/// The tail thread calls `update(from:)` after every poll round and `observe(alerts:)` for every alert group;
/// both only add the difference since the last call to the counters, so a scrape always sees monotonic totals.
public final class TailMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let state = Mutex(State())
    private let lag: Gauge
    private let newest: Gauge

    private struct State {
        var lines: [Int64] = []
        var bytes: [Int64] = []
        var malformed: [Int64] = []
        var records: [Int64] = []
        var evictions: [String: Int] = [:]
        /// Incident id → rule, for incidents whose last line was not `closed`.
        var open: [String: String] = [:]
        var openRules: Set<String> = []
        var newestEvent: Int64?
    }

    private func counter(_ name: String, labels: [(String, String)], help: String) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    private func gauge(_ name: String, labels: [(String, String)], help: String) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    public init() {
        lag = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "reqwatch_event_time_lag_seconds", unitName: "",
                                 helpText: "Wall-clock time minus the event time of the newest record read."), labels: [])
        newest = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "reqwatch_newest_event_timestamp_seconds", unitName: "",
                                    helpText: "Event time of the newest record read, in seconds since the epoch."), labels: [])
        // Declared up front so a scrape before the first line already lists them.
    }

    /// Adds what the pipeline read since the last call.
    public func update(from pipeline: TailPipeline) {
        let c = pipeline.counters
        let stats = pipeline.detectorStatistics
        state.withLock { s in
            while s.lines.count < c.lines.count {
                s.lines.append(0); s.bytes.append(0); s.malformed.append(0); s.records.append(0)
            }
            for i in c.lines.indices {
                let input = [("input", c.paths[i])]
                if c.lines[i] > s.lines[i] {
                    counter("reqwatch_input_lines_total", labels: input, help: "Lines read, per input.")
                        .increment(by: c.lines[i] - s.lines[i])
                    s.lines[i] = c.lines[i]
                }
                if c.bytes[i] > s.bytes[i] {
                    counter("reqwatch_input_bytes_total", labels: input, help: "Bytes of the lines read (newlines included), per input.")
                        .increment(by: c.bytes[i] - s.bytes[i])
                    s.bytes[i] = c.bytes[i]
                }
                if c.malformed[i] > s.malformed[i] || s.lines[i] > 0 {
                    counter("reqwatch_parse_errors_total", labels: input, help: "Malformed lines skipped, per input.")
                        .increment(by: c.malformed[i] - s.malformed[i])
                    s.malformed[i] = c.malformed[i]
                }
                if c.records[i] > s.records[i] {
                    let format = c.formats[i].isEmpty ? "unknown" : c.formats[i]
                    counter("reqwatch_records_total", labels: [("format", format)], help: "Records parsed, per log format.")
                        .increment(by: c.records[i] - s.records[i])
                    s.records[i] = c.records[i]
                }
            }
            for (name, value) in stats {
                guard let dot = name.lastIndex(of: ".") else { continue }
                let table = String(name[..<dot])
                let what = name[name.index(after: dot)...]
                if what == "evictions" {
                    let before = s.evictions[table] ?? 0
                    let counter = counter("reqwatch_state_evictions_total", labels: [("table", table)],
                                                       help: "Keys evicted from a full detector state table.")
                    if value > before { counter.increment(by: Int64(value - before)) }
                    s.evictions[table] = value
                } else if what == "clients" || what == "keys" || what == "routes" {
                    gauge("reqwatch_state_entries", labels: [("table", table == "detect" ? String(what) : table)],
                                       help: "Keys held in a detector state table (its fill).")
                        .set(to: Double(value))
                }
            }
            if let t = c.newestEvent { s.newestEvent = t.microseconds }
        }
        refreshLag()
    }

    /// Counts alerts per rule, and tracks open incidents from `reqwatch.incident.{id,state}` when alerts carry them.
    public func observe(alerts: [Alert]) {
        var out: [UInt8] = []
        state.withLock { s in
            for a in alerts {
                counter("reqwatch_alerts_total", labels: [("rule", a.rule.id)], help: "Alert lines written, per rule.")
                    .increment()
                s.openRules.insert(a.rule.id)
                out.removeAll(keepingCapacity: true)
                AlertEncoder.encode(a, into: &out)
                guard let (id, state) = incidentFields(out) else { continue }
                if state == "closed" { s.open[id] = nil } else { s.open[id] = a.rule.id }
            }
            var perRule: [String: Int] = [:]
            for r in s.openRules { perRule[r] = 0 }
            for (_, r) in s.open { perRule[r, default: 0] += 1 }
            for (r, n) in perRule {
                gauge("reqwatch_open_incidents", labels: [("rule", r)], help: "Incidents opened and not yet closed, per rule.")
                    .set(to: Double(n))
            }
        }
    }

    /// Sets the lag from the wall clock (called before each scrape as well, so it grows while nothing arrives).
    public func refreshLag() {
        guard let t = state.withLock({ $0.newestEvent }) else { return }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let now = Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
        newest.set(to: Double(t) / 1e6)
        lag.set(to: max(0, Double(now - t) / 1e6))
    }

    /// The exposition text of every metric.
    public func scrape() -> [UInt8] {
        refreshLag()
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}

/// `reqwatch.incident.id` and `.state` of an encoded alert line, when present (a substring search: the line is
/// our own encoder's output, keys appear once).
func incidentFields(_ line: [UInt8]) -> (String, String)? {
    let text = String(decoding: line, as: UTF8.self)
    guard let r = text.firstRange(of: "\"incident\":{") else { return nil }
    let rest = text[r.upperBound...]
    func value(_ key: String) -> String? {
        guard let k = rest.firstRange(of: "\"\(key)\":\"") else { return nil }
        let v = rest[k.upperBound...]
        return v.firstIndex(of: "\"").map { String(v[..<$0]) }
    }
    guard let id = value("id") else { return nil }
    return (id, value("state") ?? "opened")
}
