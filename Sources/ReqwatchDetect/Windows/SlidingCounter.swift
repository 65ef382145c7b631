import ReqwatchCore

/// Counts events in a sliding event-time window with 8 sub-buckets (no allocation).
///
/// The window is cut into 8 buckets of `window / 8`; `count` sums the buckets of the last window, so the
/// effective span is between 7/8 and 8/8 of the window. Events up to one window older than the newest
/// one (disorder) land in their own bucket; older ones are ignored. Time never moves backwards.
public struct SlidingCounter: Sendable {
    private var buckets = Buckets()
    /// Bucket number (time / width) of the newest bucket.
    private var head: Int64 = Int64.min
    private let width: Int64

    /// A counter over `windowMicros` (at least 8 µs).
    public init(windowMicros: Int64) { width = max(1, windowMicros / 8) }

    /// Adds `amount` at event time `time` (µs) and returns the count over the window ending at the newest time.
    @discardableResult
    public mutating func add(at time: Int64, amount: UInt32 = 1) -> Int {
        let b = time >= 0 ? time / width : (time - width + 1) / width
        if head == Int64.min {
            head = b
        } else if b > head {
            let shift = b - head
            if shift >= 8 {
                buckets = Buckets()
            } else {
                var k: Int64 = 1
                while k <= shift {
                    buckets[Int((head + k) & 7)] = 0
                    k += 1
                }
            }
            head = b
        } else if head - b >= 8 {
            return count
        }
        let i = Int(b & 7)
        buckets[i] = buckets[i] &+ amount
        return count
    }

    /// Bucket width, newest bucket number and the eight bucket counts (for snapshots).
    var parts: (width: Int64, head: Int64, buckets: [UInt32]) {
        (width, head, (0..<8).map { buckets[$0] })
    }

    /// Sets the newest bucket number and the counts (from a snapshot with the same width).
    mutating func set(head: Int64, buckets counts: [UInt32]) {
        self.head = head
        for i in 0..<min(8, counts.count) { buckets[i] = counts[i] }
    }

    /// Events in the window ending at the newest event seen.
    public var count: Int {
        var s = 0
        for i in 0..<8 { s += Int(buckets[i]) }
        return s
    }

    /// Events in the window ending at `time` (buckets older than the window are not counted).
    public func count(at time: Int64) -> Int {
        guard head != Int64.min else { return 0 }
        let b = time >= 0 ? time / width : (time - width + 1) / width
        if b - head >= 8 { return 0 }
        var s = 0
        var k: Int64 = 0
        while k < 8 {
            let bucket = head - k
            if b - bucket < 8 { s += Int(buckets[Int(bucket & 7)]) }
            k += 1
        }
        return s
    }
}

/// Eight UInt32 counters in four words (plain stored properties, no allocation).
struct Buckets: Sendable {
    private var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0

    subscript(i: Int) -> UInt32 {
        get {
            let w: UInt64
            switch i >> 1 {
            case 0: w = w0
            case 1: w = w1
            case 2: w = w2
            default: w = w3
            }
            return UInt32(truncatingIfNeeded: (i & 1) == 0 ? w : w >> 32)
        }
        set {
            let shift: UInt64 = (i & 1) == 0 ? 0 : 32
            let mask: UInt64 = ~(0xFFFF_FFFF << shift)
            let v = UInt64(newValue) << shift
            switch i >> 1 {
            case 0: w0 = (w0 & mask) | v
            case 1: w1 = (w1 & mask) | v
            case 2: w2 = (w2 & mask) | v
            default: w3 = (w3 & mask) | v
            }
        }
    }
}
