#if canImport(Glibc)
import Glibc
#endif

/// Monotonic wall-clock time for throughput and progress only. Detectors never see it.
enum MonotonicClock {
    static func nowSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// Peak resident set size of this process in bytes (`ru_maxrss`).
public func peakResidentBytes() -> Int64 {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Int64(usage.ru_maxrss) * 1024
}
