import ReqwatchCore

/// Requests, 4xx and 5xx answers per bucket of event time, in a fixed number of buckets.
///
/// Buckets start one second wide, aligned to a multiple of their width. When a record falls outside the range,
/// the width steps up a ladder of round widths (1 s, 5 s, 10 s, 30 s, 1 min, 5 min, … 1 d, then doubling), each a
/// multiple of the one before, and neighbouring buckets merge, until it fits: memory is fixed whatever the time
/// range, and records may arrive in any order (rotated files, several inputs). Records without a time are not
/// counted.
struct TimeHistogram: Sendable, Equatable {
    let bucketCount: Int
    /// Width of one bucket in microseconds.
    private(set) var width: Int64 = 1_000_000
    /// Start of bucket 0, a multiple of `width`; nil until the first record.
    private(set) var origin: Int64?
    private(set) var requests: [Int64]
    private(set) var clientErrors: [Int64]
    private(set) var serverErrors: [Int64]
    private(set) var first: Int64 = .max
    private(set) var last: Int64 = .min

    init(buckets: Int = 240) {
        precondition(buckets >= 2)
        bucketCount = buckets
        requests = Array(repeating: 0, count: buckets)
        clientErrors = requests
        serverErrors = requests
    }

    var isEmpty: Bool { origin == nil }

    @inline(__always)
    mutating func add(time: Timestamp, status: UInt16) {
        let t = time.microseconds
        guard time != .unknown else { return }
        if origin == nil { origin = floorMultiple(t, width) }
        var k = bucketIndex(t)
        if k < 0 || k >= bucketCount {
            grow(toInclude: t)
            k = bucketIndex(t)
        }
        requests[k] += 1
        if status >= 500 && status < 600 { serverErrors[k] += 1 } else if status >= 400 && status < 500 { clientErrors[k] += 1 }
        if t < first { first = t }
        if t > last { last = t }
    }

    @inline(__always) private func bucketIndex(_ t: Int64) -> Int {
        let d = t - origin!
        return d >= 0 ? Int(d / width) : -1
    }

    /// Doubles the width (as often as needed, then merges once) so that every counted record and `t` fit.
    private mutating func grow(toInclude t: Int64) {
        let lo = min(first, t)
        let hi = max(last == .min ? t : last, t)
        let n = Int64(bucketCount)
        var w = width
        repeat { w = Self.nextWidth(after: w) } while floorMultiple(lo, w) + w * n <= hi
        let newOrigin = floorMultiple(lo, w)
        var r = Array(repeating: Int64(0), count: bucketCount)
        var c = r
        var s = r
        for i in 0..<bucketCount where requests[i] != 0 {
            // Old buckets are aligned to a width that divides `w`: each falls whole into one new bucket.
            let j = Int((origin! + Int64(i) * width - newOrigin) / w)
            r[j] += requests[i]
            c[j] += clientErrors[i]
            s[j] += serverErrors[i]
        }
        requests = r
        clientErrors = c
        serverErrors = s
        width = w
        origin = newOrigin
    }

    /// Round widths in seconds, each a multiple of the one before.
    static let ladder: [Int64] = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 7200, 21600, 43200, 86400]

    /// A round interval (microseconds) giving about `ticks` ticks over `span`.
    static func tickStep(span: Int64, ticks: Int) -> Int64 {
        let want = max(span / Int64(ticks), 1)
        for s in ladder where s * 1_000_000 >= want { return s * 1_000_000 }
        let day: Int64 = 86_400_000_000
        return (want + day - 1) / day * day
    }

    static func nextWidth(after w: Int64) -> Int64 {
        for s in ladder where s * 1_000_000 > w { return s * 1_000_000 }
        return w * 2
    }

    /// Buckets from the first to the last one holding records, with their start times.
    var used: (start: Int64, width: Int64, requests: ArraySlice<Int64>, clientErrors: ArraySlice<Int64>, serverErrors: ArraySlice<Int64>)? {
        guard let origin, first <= last else { return nil }
        let a = Int((first - origin) / width)
        let b = Int((last - origin) / width)
        return (origin + Int64(a) * width, width, requests[a...b], clientErrors[a...b], serverErrors[a...b])
    }

    var total: Int64 { requests.reduce(0, +) }
}

@inline(__always) func floorMultiple(_ t: Int64, _ w: Int64) -> Int64 {
    let q = t / w
    return (t % w != 0 && t < 0 ? q - 1 : q) * w
}
