import ReqwatchCore

/// Who the client of a request is: the authenticated user when the log has one, else a fingerprint of the
/// `Authorization` / `X-Api-Key` header (hashed; the token is never kept), else the IP address with IPv6 grouped
/// by a prefix (default /64). Many users behind one NAT address are distinct clients; one user across many
/// addresses is one client.
public struct ClientIdentity: Sendable {
    /// IPv6 grouping prefix in bits.
    public var ipv6Prefix: Int

    static let userSeed: UInt64 = 0x7573_6572
    static let tokenSeed: UInt64 = 0x746F_6B65_6E00
    static let ipSeed: UInt64 = 0x6970_6164

    /// Identity with IPv6 grouped by `ipv6Prefix` bits.
    public init(ipv6Prefix: Int = 64) { self.ipv6Prefix = ipv6Prefix }

    /// Index of the first credential header (`Authorization`, `X-Api-Key`) of `record` in `batch.headers`.
    static func credentialHeader(_ record: RequestRecord, _ batch: borrowing RecordBatch) -> HeaderField? {
        guard record.headerCount > 0 else { return nil }
        let start = Int(record.headerStart)
        let end = min(batch.headers.count, start + Int(record.headerCount))
        guard start >= 0, start < end else { return nil }
        for i in start..<end {
            let h = batch.headers[i]
            let isCred = batch.withBytes(h.name) { n in
                ByteMatch.equals(n, authName) || ByteMatch.equals(n, apiKeyName)
            }
            if isCred && h.value.isPresent && h.value.count > 0 { return h }
        }
        return nil
    }
    static let authName = Array("authorization".utf8)
    static let apiKeyName = Array("x-api-key".utf8)

    /// Stable 64-bit key of the client of `record`.
    @inline(__always)
    public func key(_ record: RequestRecord, in batch: borrowing RecordBatch) -> UInt64 {
        if record.user.isPresent && record.user.count > 0 { return batch.hash(record.user, seed: Self.userSeed) }
        if let h = Self.credentialHeader(record, batch) { return batch.hash(h.value, seed: Self.tokenSeed) }
        let ip = record.clientIP.isIPv4 ? record.clientIP : record.clientIP.masked(to: ipv6Prefix)
        return ByteHash.combine(ip.high ^ Self.ipSeed, ip.low)
    }

    /// Key of the client's address alone (IPv6 grouped by the prefix), ignoring user and token.
    @inline(__always)
    public func addressKey(_ record: RequestRecord) -> UInt64 {
        let ip = record.clientIP.isIPv4 ? record.clientIP : record.clientIP.masked(to: ipv6Prefix)
        return ByteHash.combine(ip.high ^ Self.ipSeed, ip.low)
    }

    /// Display text of the client's address (`ip:203.0.113.9`, `ip:2001:db8::/64`). Alert time only.
    public func describeAddress(_ record: RequestRecord) -> String {
        if record.clientIP.isIPv4 { return "ip:" + record.clientIP.description }
        return "ip:" + record.clientIP.masked(to: ipv6Prefix).description + "/\(ipv6Prefix)"
    }

    /// Display text of the client (`user:alice`, `token:1a2b3c4d`, `ip:203.0.113.9`, `ip:2001:db8::/64`). Alert time only.
    public func describe(_ record: RequestRecord, in batch: borrowing RecordBatch) -> String {
        if record.user.isPresent && record.user.count > 0 { return "user:" + (batch.string(record.user) ?? "") }
        if let h = Self.credentialHeader(record, batch) {
            let v = batch.hash(h.value, seed: Self.tokenSeed)
            let s = String(v >> 32, radix: 16)
            return "token:" + String(repeating: "0", count: max(0, 8 - s.count)) + s
        }
        if record.clientIP.isIPv4 { return "ip:" + record.clientIP.description }
        return "ip:" + record.clientIP.masked(to: ipv6Prefix).description + "/\(ipv6Prefix)"
    }
}

/// Fills the ECS fields an alert shares across detectors from the record that fired it.
enum AlertFill {
    static func fill(_ alert: inout Alert, _ r: RequestRecord, _ batch: borrowing RecordBatch, route: String?) {
        alert.sourceIP = r.clientIP == .unspecified ? nil : r.clientIP.description
        alert.userID = batch.string(r.user)
        alert.method = r.method == .other ? batch.string(r.methodText) : (r.method == .none ? nil : r.method.name)
        alert.route = route
        alert.path = batch.string(r.path).map { String($0.prefix(512)) }
        alert.statusCode = r.status == 0 ? nil : Int(r.status)
        alert.userAgent = batch.string(r.userAgent).map { String($0.prefix(1024)) }
    }

    /// `{"method","path","status","time"}` for evidence.
    static func sample(_ r: RequestRecord, _ batch: borrowing RecordBatch) -> JSONValue {
        .object([
            ("method", .string(r.method == .other ? (batch.string(r.methodText) ?? "") : r.method.name)),
            ("path", .string(String((batch.string(r.path) ?? "").prefix(256)))),
            ("status", .int(Int(r.status))),
            ("time", .string(r.time.iso8601)),
        ])
    }
}

/// One incident's alert state: first alert, then a cooldown during which evidence only adds to a summary,
/// then (if it goes on) a summary alert with the next `sequence`.
struct Incident: Sendable {
    var firedAt: Int64 = Int64.min
    var sequence = -1
    /// Evidence events since the last alert.
    var since = 0
    /// Evidence events between the previous alert and the latest one (set when an alert fires), for `Alert.count`.
    var carried = 0

    /// Whether an alert should fire now; if so advances the sequence (0 first).
    mutating func shouldFire(at now: Int64, cooldown: Int64) -> Bool {
        if sequence >= 0 && now - firedAt < cooldown {
            since += 1
            return false
        }
        sequence += 1
        firedAt = now
        carried = since
        since = 0
        return true
    }

    /// In cooldown at `now` (an alert fired less than `cooldown` ago).
    func cooling(at now: Int64, cooldown: Int64) -> Bool { sequence >= 0 && now - firedAt < cooldown }
}
