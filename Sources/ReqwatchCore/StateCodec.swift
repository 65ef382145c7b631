/// A compact binary encoding for detector state snapshots (`reqwatch tail --state`, SIGHUP reloads).
///
/// Little-endian fixed-width integers and LEB128 varints, appended to one byte array. No Foundation, no
/// reflection: each detector writes and reads its own fields in a fixed order, framed by `StateSnapshot`'s
/// sections so a reader can skip what it does not know.
public struct StateWriter {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity n: Int = 0) { bytes.reserveCapacity(n) }

    @inline(__always) public mutating func u8(_ v: UInt8) { bytes.append(v) }
    @inline(__always) public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    @inline(__always) public mutating func u64(_ v: UInt64) {
        var x = v
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: x))
            x >>= 8
        }
    }

    @inline(__always) public mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }

    /// Unsigned LEB128.
    @inline(__always) public mutating func varint(_ v: UInt64) {
        var x = v
        while x >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: x) | 0x80)
            x >>= 7
        }
        bytes.append(UInt8(x))
    }

    /// A non-negative count or small integer (negative values are clamped to 0).
    @inline(__always) public mutating func count(_ v: Int) { varint(UInt64(max(0, v))) }

    /// A signed integer, zig-zag encoded.
    @inline(__always) public mutating func int(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

    public mutating func double(_ v: Double) { u64(v.bitPattern) }

    public mutating func string(_ s: String) {
        var c = s
        c.withUTF8 { b in
            count(b.count)
            bytes.append(contentsOf: b)
        }
    }

    public mutating func raw(_ b: [UInt8]) {
        count(b.count)
        bytes.append(contentsOf: b)
    }
}

/// Reads what `StateWriter` wrote. Every read is bounds-checked: a truncated or damaged snapshot throws
/// `.state` with the byte offset, never traps.
public struct StateReader {
    public let bytes: [UInt8]
    public private(set) var offset: Int
    private let end: Int
    private let name: String

    /// A reader over `bytes[range]`; `name` (the file) goes into error messages.
    public init(_ bytes: [UInt8], range: Range<Int>? = nil, name: String = "state") {
        self.bytes = bytes
        let r = range ?? 0..<bytes.count
        offset = r.lowerBound
        end = r.upperBound
        self.name = name
    }

    public var isAtEnd: Bool { offset >= end }
    public var remaining: Int { end - offset }

    public func error(_ what: String) -> ReqwatchError {
        ReqwatchError(.state, "damaged detector state: \(what)", location: InputLocation(path: name, byteOffset: Int64(offset)))
    }

    @inline(__always) public mutating func u8() throws(ReqwatchError) -> UInt8 {
        guard offset < end else { throw error("unexpected end") }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func bool() throws(ReqwatchError) -> Bool { try u8() != 0 }

    public mutating func u64() throws(ReqwatchError) -> UInt64 {
        guard end - offset >= 8 else { throw error("unexpected end") }
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(bytes[offset + k]) << (8 * UInt64(k)) }
        offset += 8
        return v
    }

    public mutating func i64() throws(ReqwatchError) -> Int64 { Int64(bitPattern: try u64()) }

    public mutating func varint() throws(ReqwatchError) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try u8()
            guard shift < 64 else { throw error("varint too long") }
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    /// A count, checked against `limit` (a damaged count must not allocate gigabytes).
    public mutating func count(max limit: Int) throws(ReqwatchError) -> Int {
        let v = try varint()
        guard v <= UInt64(limit) else { throw error("count \(v) above its limit \(limit)") }
        return Int(v)
    }

    public mutating func int() throws(ReqwatchError) -> Int64 {
        let z = try varint()
        return Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
    }

    public mutating func double() throws(ReqwatchError) -> Double { Double(bitPattern: try u64()) }

    public mutating func string(max limit: Int = 1 << 16) throws(ReqwatchError) -> String {
        let n = try count(max: min(limit, remaining))
        defer { offset += n }
        return String(decoding: bytes[offset..<offset + n], as: UTF8.self)
    }

    public mutating func raw(max limit: Int) throws(ReqwatchError) -> [UInt8] {
        let n = try count(max: min(limit, remaining))
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }

    public mutating func skip(_ n: Int) throws(ReqwatchError) {
        guard n >= 0, n <= remaining else { throw error("unexpected end") }
        offset += n
    }
}
