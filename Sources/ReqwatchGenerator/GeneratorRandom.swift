#if canImport(Glibc)
    import Glibc
#endif

/// The generator's own deterministic PRNG (SplitMix64): the same seed gives the same traffic on every platform.
///
/// Never seeded from the clock. `fork(_:)` derives an independent stream so that adding draws in one part of the
/// generator does not shift the draws of another.
public struct GeneratorRandom: RandomNumberGenerator, Sendable {
    /// Internal state; advanced by a fixed odd constant on every draw.
    public var state: UInt64

    /// Creates a stream from `seed`.
    public init(seed: UInt64) { state = seed }

    /// Next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An independent stream for a named purpose, derived from this stream's seed state.
    public func fork(_ salt: UInt64) -> GeneratorRandom {
        var r = GeneratorRandom(seed: state ^ (salt &* 0xD1B5_4A32_D192_ED03))
        _ = r.next()
        return r
    }

    /// Uniform integer in `range` (closed). An empty-width range returns its lower bound.
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) &+ 1
        if width == 0 { return Int(truncatingIfNeeded: next()) }
        return range.lowerBound + Int(next() % width)
    }

    /// Uniform double in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Uniform double in `range`.
    public mutating func double(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Exponentially distributed value with the given mean (inter-arrival times).
    public mutating func exponential(mean: Double) -> Double { -mean * log(1.0 - unit()) }

    /// A uniformly chosen element; `items` must not be empty.
    public mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

    /// An element chosen by integer weights (same count as `items`, total > 0).
    public mutating func weighted<T>(_ items: [(T, Int)]) -> T {
        let total = items.reduce(0) { $0 + $1.1 }
        var r = int(0...(total - 1))
        for (item, w) in items {
            if r < w { return item }
            r -= w
        }
        return items[items.count - 1].0
    }

    /// Fisher–Yates shuffle driven by this stream.
    public mutating func shuffle<T>(_ a: inout [T]) {
        if a.count < 2 { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = int(0...i)
            a.swapAt(i, j)
        }
    }
}
