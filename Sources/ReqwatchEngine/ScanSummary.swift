import ReqwatchCore

/// What one run did, for the summary on stderr and `--stats-json`.
public struct ScanSummary: Sendable {
    public struct InputResult: Sendable {
        public var path: String
        public var format: String = "unknown"
        public var rawBytes: Int64 = 0
        public var bytes: Int64 = 0
        public var lines: Int64 = 0
        public var records: Int64 = 0
        public var malformed: Int64 = 0
        public var firstMalformedLine: Int64?
        public var firstMalformedOffset: Int64?
        /// Records read by the per-line fallback, per format (lines the sniffed format rejected).
        public var fallbackRecords: [(String, Int64)] = []
        public var error: ReqwatchError?
    }

    public var inputs: [InputResult] = []
    /// Inputs named on the command line that could not be expanded (missing files).
    public var pathProblems: [ReqwatchError] = []
    public var lines: Int64 = 0
    public var records: Int64 = 0
    public var skipped: Int64 = 0
    public var malformedByReason: [MalformedReason: Int64] = [:]
    public var firstEvent: Timestamp?
    public var lastEvent: Timestamp?
    public var alertsByRule: [String: Int] = [:]
    public var detectorStatistics: [(String, Int)] = []
    public var redaction: JSONValue?
    public var storedRecords: Int64 = 0
    public var seconds: Double = 0
    public var peakRSS: Int64 = 0

    public var rawBytes: Int64 { inputs.reduce(0) { $0 + $1.rawBytes } }
    public var bytes: Int64 { inputs.reduce(0) { $0 + $1.bytes } }
    public var malformed: Int64 { malformedByReason.values.reduce(0, +) }
    public var failedInputs: Int { inputs.filter { $0.error != nil }.count + pathProblems.count }
    public var alerts: Int { alertsByRule.values.reduce(0, +) }

    public func json() -> JSONValue {
        func ts(_ t: Timestamp?) -> JSONValue { t.map { .string($0.iso8601) } ?? .null }
        let reasons = malformedByReason.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key.description, JSONValue.int($0.value)) }
        var fields: [(String, JSONValue)] = [
            ("inputs", .array(inputs.map { i in
                var o: [(String, JSONValue)] = [
                    ("path", .string(i.path)), ("format", .string(i.format)), ("raw_bytes", .int(i.rawBytes)),
                    ("bytes", .int(i.bytes)), ("lines", .int(i.lines)), ("records", .int(i.records)),
                    ("malformed", .int(i.malformed)),
                ]
                if !i.fallbackRecords.isEmpty {
                    o.append(("fallback_records", .object(i.fallbackRecords.map { ($0.0, .int($0.1)) })))
                }
                if let e = i.error {
                    o.append(("error", .object([("code", .string(e.code.description)), ("message", .string(e.description))])))
                }
                return .object(o)
            } + pathProblems.map { e in
                .object([("path", .string(e.location?.path ?? "")), ("error", .object([("code", .string(e.code.description)), ("message", .string(e.description))]))])
            })),
            ("failed_inputs", .int(failedInputs)),
            ("raw_bytes", .int(rawBytes)), ("bytes", .int(bytes)),
            ("lines", .int(lines)), ("records", .int(records)), ("skipped", .int(skipped)),
            ("malformed", .int(malformed)), ("malformed_by_reason", .object(reasons)),
            ("event_time", .object([("first", ts(firstEvent)), ("last", ts(lastEvent))])),
            ("alerts", .int(alerts)),
            ("alerts_by_rule", .object(alertsByRule.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("detectors", .object(detectorStatistics.map { ($0.0, .int($0.1)) })),
            ("seconds", .double((seconds * 1000).rounded() / 1000)),
            ("lines_per_second", .int(seconds > 0 ? Int64(Double(lines) / seconds) : 0)),
            ("mb_per_second", .double(seconds > 0 ? ((Double(bytes) / 1e6 / seconds) * 10).rounded() / 10 : 0)),
            ("peak_rss_bytes", .int(peakRSS)),
        ]
        if let redaction { fields.append(("redaction", redaction)) }
        if storedRecords > 0 { fields.append(("stored_records", .int(storedRecords))) }
        return .object(fields)
    }

    /// The human summary printed on stderr at the end of `scan`.
    public func text() -> String {
        func mb(_ b: Int64) -> String { String(format1(Double(b) / 1e6)) + " MB" }
        var s = "reqwatch: \(inputs.count + pathProblems.count) input(s)"
        if failedInputs > 0 { s += ", \(failedInputs) failed" }
        s += "; read \(mb(rawBytes)) (\(mb(bytes)) decompressed)\n"
        s += "reqwatch: \(lines) lines, \(records) records, \(malformed) malformed, \(skipped) skipped"
        if malformed > 0 {
            s += " ("
            s += malformedByReason.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            s += ")"
        }
        s += "\n"
        if let f = firstEvent, let l = lastEvent { s += "reqwatch: event time \(f.iso8601) to \(l.iso8601)\n" }
        let rate = seconds > 0 ? Double(lines) / seconds : 0
        s += "reqwatch: \(format1(seconds)) s, \(Int(rate)) lines/s, \(format1(seconds > 0 ? Double(bytes) / 1e6 / seconds : 0)) MB/s"
        s += ", peak memory \(format1(Double(peakRSS) / 1048576)) MiB\n"
        if !alertsByRule.isEmpty || alerts == 0 {
            s += "reqwatch: \(alerts) alert(s)"
            if !alertsByRule.isEmpty {
                s += ": " + alertsByRule.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            }
            s += "\n"
        }
        let evictions = detectorStatistics.filter { $0.0.contains("evict") && $0.1 > 0 }
        if !evictions.isEmpty {
            let total = evictions.reduce(0) { $0 + $1.1 }
            s += "reqwatch: warning: detector state tables were full; \(total) tracked client(s) or route(s) were evicted ("
                + evictions.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")
                + "): their counts restarted from zero, so attacks spread over that many keys may have been missed."
                + " Raise detectors.client-capacity (clients) or detectors.route-capacity (routes) in the --config file\n"
        }
        var fallback: [(String, Int64)] = []
        for i in inputs {
            for (f, n) in i.fallbackRecords {
                if let k = fallback.firstIndex(where: { $0.0 == f }) { fallback[k].1 += n } else { fallback.append((f, n)) }
            }
        }
        if !fallback.isEmpty {
            s += "reqwatch: lines in another format than their input's, read by per-line fallback: "
                + fallback.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + "\n"
        }
        if storedRecords > 0 { s += "reqwatch: \(storedRecords) redacted records stored\n" }
        return s
    }
}

func format1(_ v: Double) -> String {
    let scaled = (v * 10).rounded() / 10
    var s = String(scaled)
    if s.hasSuffix(".0") && abs(scaled) >= 1000 { s.removeLast(2) }
    return s
}
