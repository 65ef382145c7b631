import ReqwatchCore

/// A hash table from pre-hashed 64-bit keys to per-key state, with a fixed capacity.
///
/// Keys are already hashes of bytes (`ByteHash`), so the table uses open addressing with linear probing
/// on the key itself (no `Hasher`). Values live in dense arrays (`values[i]`, `keys[i]`, `lastSeen[i]`),
/// so callers mutate state in place through `values[index]`. When the table is full, inserting a new key
/// evicts the least recently seen of a few sampled entries (approximate LRU, deterministic), and counts
/// it in `evictions`. Memory is bounded by `capacity`, whatever the input.
public struct BoundedKeyTable<Value> {
    /// Most keys kept at once (at least 1).
    public let capacity: Int
    /// Keys evicted to make room, since creation.
    public private(set) var evictions: Int = 0
    /// Dense storage: `keys[i]` owns `values[i]`; `lastSeen[i]` is the event time (µs) of its last use.
    public private(set) var keys: [UInt64] = []
    public var values: [Value] = []
    public private(set) var lastSeen: [Int64] = []
    private var slots: [Int32]
    private var mask: Int
    private var cursor = 0

    /// Creates an empty table holding at most `capacity` keys.
    public init(capacity: Int) {
        let cap = max(1, capacity)
        self.capacity = cap
        var size = 16
        while size < cap * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        mask = size - 1
    }

    /// Number of keys held (never above `capacity`).
    public var count: Int { keys.count }

    @inline(__always) private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask }

    /// Dense index of `key`, if present.
    public func index(of key: UInt64) -> Int? {
        var s = home(key)
        while true {
            let d = Int(slots[s])
            if d < 0 { return nil }
            if keys[d] == key { return d }
            s = (s + 1) & mask
        }
    }

    /// Dense index of `key`, inserting `make()` first when absent (evicting when full). Marks the key
    /// as seen at `now` (event time, µs; never moves backwards).
    public mutating func index(of key: UInt64, now: Int64, orInsert make: () -> Value) -> Int {
        var s = home(key)
        while true {
            let d = Int(slots[s])
            if d < 0 { break }
            if keys[d] == key {
                if now > lastSeen[d] { lastSeen[d] = now }
                return d
            }
            s = (s + 1) & mask
        }
        if keys.count >= capacity {
            evictOne()
            // slots changed: find the empty slot again
            s = home(key)
            while slots[s] >= 0 { s = (s + 1) & mask }
        }
        let d = keys.count
        keys.append(key)
        values.append(make())
        lastSeen.append(now)
        slots[s] = Int32(d)
        return d
    }

    /// Removes the entry at dense index `d`.
    public mutating func remove(at d: Int) {
        guard d >= 0, d < keys.count else { return }
        removeSlot(for: keys[d])
        let last = keys.count - 1
        if d != last {
            // Move the last entry into d and repoint its slot.
            let movedKey = keys[last]
            var s = home(movedKey)
            while Int(slots[s]) != last { s = (s + 1) & mask }
            slots[s] = Int32(d)
            keys.swapAt(d, last)
            values.swapAt(d, last)
            lastSeen.swapAt(d, last)
        }
        keys.removeLast()
        values.removeLast()
        lastSeen.removeLast()
    }

    /// Removes every entry last seen before `time` (idle eviction); returns how many went.
    @discardableResult
    public mutating func removeIdle(before time: Int64) -> Int {
        var removed = 0
        var i = 0
        while i < keys.count {
            if lastSeen[i] < time {
                remove(at: i)
                removed += 1
            } else {
                i += 1
            }
        }
        return removed
    }

    private mutating func evictOne() {
        let n = keys.count
        guard n > 0 else { return }
        var victim = cursor % n
        var i = 0
        while i < 8 && i < n {
            let c = (cursor + i) % n
            if lastSeen[c] < lastSeen[victim] { victim = c }
            i += 1
        }
        cursor = (cursor + 8) % max(1, n)
        remove(at: victim)
        evictions += 1
    }

    /// Deletes the slot holding `key` with backward-shift deletion (keeps probe chains intact).
    private mutating func removeSlot(for key: UInt64) {
        var s = home(key)
        while true {
            let d = Int(slots[s])
            if d < 0 { return }
            if keys[d] == key { break }
            s = (s + 1) & mask
        }
        var hole = s
        var j = (s + 1) & mask
        while true {
            let d = Int(slots[j])
            if d < 0 { break }
            let h = home(keys[d])
            // Move j into hole if its home is not cyclically in (hole, j].
            let inRange = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j)
            if !inRange {
                slots[hole] = slots[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        slots[hole] = -1
    }
}
