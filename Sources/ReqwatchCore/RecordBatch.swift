/// About 256 records of one input with the bytes their fields point into.
///
/// Parsers append the bytes they keep (the whole line for NCSA formats, unescaped values for JSON)
/// and set `ByteRange`s into `arena`. The engine clears the batch between rounds, keeping capacity,
/// so the steady state allocates nothing.
public struct RecordBatch: Sendable {
    public var arena: [UInt8] = []
    public var records: [RequestRecord] = []
    public var headers: [HeaderField] = []
    /// Which input the records came from (index into the run's input list) and its display name.
    public var origin: InputOrigin

    public init(origin: InputOrigin, capacity: Int = 256) {
        self.origin = origin
        arena.reserveCapacity(capacity * 512)
        records.reserveCapacity(capacity)
    }

    public mutating func removeAll() {
        arena.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
        headers.removeAll(keepingCapacity: true)
    }

    /// Copies `bytes` into the arena and returns where they are.
    @inlinable public mutating func append(_ bytes: Span<UInt8>) -> ByteRange {
        let start = arena.count
        bytes.withUnsafeBufferPointer { arena.append(contentsOf: $0) }
        return ByteRange(start: start, count: bytes.count)
    }

    @inlinable public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) -> ByteRange {
        let start = arena.count
        arena.append(contentsOf: bytes)
        return ByteRange(start: start, count: bytes.count)
    }

    @inlinable public mutating func append(byte: UInt8) {
        arena.append(byte)
    }

    /// Calls `body` with the bytes of `range` (empty for an absent range).
    @inlinable public func withBytes<R>(_ range: ByteRange, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        guard range.isPresent, range.count > 0 else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try arena.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[Int(range.start)..<range.end]))
        }
    }

    /// 64-bit hash of the bytes of `range` (absent and empty hash differently).
    @inlinable public func hash(_ range: ByteRange, seed: UInt64 = 0) -> UInt64 {
        guard range.isPresent else { return seed ^ 0x9E37_79B9_7F4A_7C15 }
        return withBytes(range) { ByteHash.hash($0, seed: seed) }
    }

    /// Byte-wise equality of a range with ASCII text (for example a header name), case-sensitive.
    @inlinable public func equals(_ range: ByteRange, _ ascii: StaticString) -> Bool {
        guard range.isPresent, Int(range.count) == ascii.utf8CodeUnitCount else { return false }
        return withBytes(range) { b in
            let p = ascii.utf8Start
            for i in 0..<b.count where b[i] != p[i] { return false }
            return true
        }
    }

    /// A `String` for output (invalid UTF-8 repaired). Only when an alert fires or a record is written.
    public func string(_ range: ByteRange) -> String? {
        guard range.isPresent else { return nil }
        return withBytes(range) { String(decoding: $0, as: UTF8.self) }
    }
}

/// Where records come from: an input's display path (`-` for stdin) and its position in the run.
public struct InputOrigin: Hashable, Sendable {
    public var path: String
    public var index: Int

    public init(path: String, index: Int = 0) {
        self.path = path
        self.index = index
    }
}
