import ReqwatchCore

// Snapshot encoding of the detectors' building blocks (see `Detector.encodeState`).

extension BoundedKeyTable {
    /// Writes the entries last seen at or after `horizon` (µs), in dense order: count, then key, last-seen time
    /// and `value` for each. Older entries are left out: no window or cooldown can still see them.
    func encode(into w: inout StateWriter, since horizon: Int64, _ value: (inout StateWriter, Value) -> Void) {
        var n = 0
        for t in lastSeen where t >= horizon { n += 1 }
        w.count(n)
        for i in 0..<keys.count where lastSeen[i] >= horizon {
            w.u64(keys[i])
            w.int(lastSeen[i])
            value(&w, values[i])
        }
    }

    /// Reads what `encode` wrote into this table (entries beyond the capacity evict the least recently seen, as
    /// at run time).
    mutating func restore(from r: inout StateReader, _ value: (inout StateReader) throws(ReqwatchError) -> Value) throws(ReqwatchError) {
        let n = try r.count(max: r.remaining / 9)
        for _ in 0..<n {
            let key = try r.u64()
            let seen = try r.int()
            let v = try value(&r)
            let d = index(of: key, now: seen) { v }
            values[d] = v
        }
    }
}

extension SlidingCounter {
    func encode(into w: inout StateWriter) {
        let (width, head, buckets) = parts
        w.int(width)
        w.int(head)
        for i in 0..<8 { w.varint(UInt64(buckets[i])) }
    }

    /// Reads a counter; one saved with another bucket width (the window's length changed) comes back empty.
    static func decode(from r: inout StateReader, windowMicros: Int64) throws(ReqwatchError) -> SlidingCounter {
        let width = try r.int()
        let head = try r.int()
        var b = [UInt32](repeating: 0, count: 8)
        for i in 0..<8 { b[i] = UInt32(truncatingIfNeeded: try r.varint()) }
        var c = SlidingCounter(windowMicros: windowMicros)
        if c.parts.width == width { c.set(head: head, buckets: b) }
        return c
    }
}

extension Incident {
    func encode(into w: inout StateWriter) {
        w.int(firedAt)
        w.int(Int64(sequence))
        w.count(since)
    }

    static func decode(from r: inout StateReader) throws(ReqwatchError) -> Incident {
        var i = Incident()
        i.firedAt = try r.int()
        i.sequence = Int(try r.int())
        i.since = Int(try r.varint() & 0xFFFF_FFFF)
        return i
    }
}

extension StateWriter {
    /// A list of (hash, time) pairs.
    mutating func pairs(_ list: [(UInt64, Int64)]) {
        count(list.count)
        for (k, t) in list {
            u64(k)
            int(t)
        }
    }
}

extension StateReader {
    mutating func pairs(max limit: Int) throws(ReqwatchError) -> [(UInt64, Int64)] {
        let n = try count(max: limit)
        var out: [(UInt64, Int64)] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append((try u64(), try int())) }
        return out
    }
}
