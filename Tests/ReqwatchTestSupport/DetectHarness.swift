import ReqwatchCore
import ReqwatchDetect

/// One test request with `String` fields, turned into `RecordBatch` records by `DetectorHarness`.
public struct TestRequest: Sendable {
    public var time: Int64  // seconds since epoch
    public var ip: String
    public var user: String?
    public var token: String?
    public var method: HTTPMethod
    public var path: String
    public var query: String?
    public var status: UInt16
    public var userAgent: String?

    public init(time: Int64, ip: String, user: String? = nil, token: String? = nil, method: HTTPMethod = .get, path: String,
                query: String? = nil, status: UInt16 = 200, userAgent: String? = "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0")
    {
        self.time = time
        self.ip = ip
        self.user = user
        self.token = token
        self.method = method
        self.path = path
        self.query = query
        self.status = status
        self.userAgent = userAgent
    }
}

/// Builds batches from compact lines and runs a `DetectionEngine` over them (tests only).
public enum DetectorHarness {
    /// 2024-05-17T10:00:00Z in seconds.
    public static let t0: Int64 = 1_715_940_000

    /// `"+SECONDS IP USER METHOD PATH[?QUERY] STATUS UA..."`: time offset from `t0`; USER `-` = none, `token:X` = an
    /// Authorization header; UA `-` = absent, `""` = empty, else the rest of the line.
    public static func parse(_ line: String) -> TestRequest {
        let parts = line.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: true).map(String.init)
        let time = t0 + (Int64(parts[0].dropFirst()) ?? 0)
        var user: String? = parts[2] == "-" ? nil : parts[2]
        var token: String? = nil
        if let u = user, u.hasPrefix("token:") { token = String(u.dropFirst(6)); user = nil }
        let method = HTTPMethod.allCases.first { $0.name == parts[3] } ?? .other
        var path = parts[4]
        var query: String? = nil
        if let q = path.firstIndex(of: "?") { query = String(path[path.index(after: q)...]); path = String(path[..<q]) }
        let ua: String? = parts.count < 7 || parts[6] == "-" ? nil : (parts[6] == "\"\"" ? "" : parts[6])
        return TestRequest(time: time, ip: parts[1], user: user, token: token, method: method, path: path, query: query,
                           status: UInt16(parts[5]) ?? 0, userAgent: ua)
    }

    /// IPv4 dotted quad or IPv6 (`::` allowed) to `IPAddress`; unspecified when invalid.
    public static func ip(_ s: String) -> IPAddress {
        if s.contains(":") {
            let halves = s.split(separator: "::", maxSplits: 1, omittingEmptySubsequences: false)
            let head = halves[0].isEmpty ? [] : halves[0].split(separator: ":").map { UInt16($0, radix: 16) ?? 0 }
            let tail = halves.count < 2 || halves[1].isEmpty ? [] : halves[1].split(separator: ":").map { UInt16($0, radix: 16) ?? 0 }
            let all = head + Array(repeating: 0, count: max(0, 8 - head.count - tail.count)) + tail
            var hi: UInt64 = 0, lo: UInt64 = 0
            for k in 0..<4 { hi = hi << 16 | UInt64(all[k]) }
            for k in 4..<8 { lo = lo << 16 | UInt64(all[k]) }
            return IPAddress(high: hi, low: lo)
        }
        var v: UInt32 = 0
        for p in s.split(separator: ".") { v = v << 8 | UInt32(UInt8(p) ?? 0) }
        return IPAddress(ipv4: v)
    }

    private static func put(_ s: String, _ batch: inout RecordBatch) -> ByteRange {
        var c = s
        return c.withUTF8 { batch.append($0) }
    }

    /// Splits requests into batches of `size` records.
    public static func batches(_ reqs: [TestRequest], size: Int, input: Int = 0) -> [RecordBatch] {
        var out: [RecordBatch] = []
        var b = RecordBatch(origin: InputOrigin(path: "test.log", index: input))
        for (n, q) in reqs.enumerated() {
            var r = RequestRecord()
            r.time = Timestamp(seconds: q.time)
            r.clientIP = ip(q.ip)
            r.peerIP = r.clientIP
            r.method = q.method
            r.path = put(q.path, &b)
            if let qq = q.query { r.query = put(qq, &b) }
            r.status = q.status
            if let u = q.user { r.user = put(u, &b) }
            if let ua = q.userAgent { r.userAgent = put(ua, &b) }
            if let t = q.token {
                r.headerStart = Int32(b.headers.count)
                r.headerCount = 1
                b.headers.append(HeaderField(name: put("Authorization", &b), value: put("Bearer " + t, &b)))
            }
            r.lineNumber = Int64(n + 1)
            b.records.append(r)
            if b.records.count == size {
                out.append(b)
                b = RecordBatch(origin: InputOrigin(path: "test.log", index: input))
            }
        }
        if !b.records.isEmpty { out.append(b) }
        return out
    }

    /// Runs a fresh engine over `reqs` in batches of `batchSize`, then `finish`. By default each incident gives its
    /// `opened` line only (one alert per incident); pass `lifecycle: true` for every line the default policy writes.
    public static func run(_ reqs: [TestRequest], configuration: DetectConfiguration = DetectConfiguration(),
                           batchSize: Int = 256, lifecycle: Bool = false) throws -> [Alert]
    {
        var configuration = configuration
        if !lifecycle && configuration.incidentLines == .lifecycle { configuration.incidentLines = .opened }
        var engine = try DetectionEngine(configuration: configuration)
        var alerts: [Alert] = []
        for b in batches(reqs, size: batchSize) { engine.observe(b, into: &alerts) }
        engine.finish(into: &alerts)
        return alerts
    }

    /// Runs compact lines (see `parse`).
    public static func run(lines: [String], configuration: DetectConfiguration = DetectConfiguration(),
                           batchSize: Int = 256, lifecycle: Bool = false) throws -> [Alert]
    {
        try run(lines.map(parse), configuration: configuration, batchSize: batchSize, lifecycle: lifecycle)
    }
}
