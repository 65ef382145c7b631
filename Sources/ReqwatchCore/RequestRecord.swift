/// One request, as any supported log format describes it. Text fields are `ByteRange`s into the
/// `RecordBatch` arena that holds the record; absent fields are `ByteRange.absent`.
public struct RequestRecord: Sendable {
    /// Event time, normalised to UTC.
    public var time: Timestamp = .unknown
    /// The client: `peerIP`, or the first untrusted address of `X-Forwarded-For` when the peer is a trusted proxy.
    public var clientIP: IPAddress = .unspecified
    /// The direct peer that connected (`$remote_addr`).
    public var peerIP: IPAddress = .unspecified
    public var method: HTTPMethod = .none
    /// The method as written (needed for `.other`).
    public var methodText: ByteRange = .absent
    /// The path as logged, without the query string (still percent-encoded).
    public var path: ByteRange = .absent
    /// The query string without the leading `?`; absent when the URL had none.
    public var query: ByteRange = .absent
    /// `HTTP/1.1`, `HTTP/2.0`, …
    public var protocolVersion: ByteRange = .absent
    /// HTTP status; 0 when unknown.
    public var status: UInt16 = 0
    /// Response body bytes; -1 when unknown (`-` in NCSA formats).
    public var responseBytes: Int64 = -1
    public var referer: ByteRange = .absent
    /// The user agent; absent when missing or `-`; present but empty for `""`.
    public var userAgent: ByteRange = .absent
    /// The authenticated user (`$remote_user`, or a JSON field); absent when `-`.
    public var user: ByteRange = .absent
    /// Request duration in microseconds; -1 when the log has none.
    public var durationMicros: Int64 = -1
    /// Raw `X-Forwarded-For` value when logged.
    public var forwardedFor: ByteRange = .absent
    /// `Host` header / virtual host when logged.
    public var host: ByteRange = .absent
    /// Request headers (JSON logs): `RecordBatch.headers[headerStart ..< headerStart + headerCount]`.
    public var headerStart: Int32 = 0
    public var headerCount: Int32 = 0
    /// The request body when the log carries one (JSON text or form-encoded), for the redactor.
    public var body: ByteRange = .absent
    /// 1-based line number in its input.
    public var lineNumber: Int64 = 0
    /// Byte offset of the line's first byte in the decompressed input.
    public var byteOffset: Int64 = 0

    @inlinable public init() {}
}

/// One request header of a JSON log; both sides are ranges in the batch arena (JSON-unescaped).
public struct HeaderField: Sendable, Hashable {
    public var name: ByteRange
    public var value: ByteRange

    @inlinable public init(name: ByteRange, value: ByteRange) {
        self.name = name
        self.value = value
    }
}
