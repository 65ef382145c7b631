import ReqwatchCore

/// What `tail` has read so far, per input, for `--metrics`. Updated on the per-line path with array increments
/// only; read after each poll round through `TailPipeline.onRound`.
public struct TailCounters: Sendable {
    /// Input paths by index (as the tailer numbers them).
    public var paths: [String]
    public var lines: [Int64]
    /// Bytes of the lines read, newlines included.
    public var bytes: [Int64]
    public var records: [Int64]
    public var malformed: [Int64]
    /// The log format sniffed for each input ("" until its first line).
    public var formats: [String]
    /// Event time of the newest record read.
    public var newestEvent: Timestamp?

    public init(paths: [String]) {
        self.paths = paths
        lines = Array(repeating: 0, count: paths.count)
        bytes = lines
        records = lines
        malformed = lines
        formats = Array(repeating: "", count: paths.count)
    }

    @inline(__always) mutating func grow(_ index: Int) {
        while index >= lines.count {
            paths.append(paths.last ?? "-")
            lines.append(0)
            bytes.append(0)
            records.append(0)
            malformed.append(0)
            formats.append("")
        }
    }

    @inline(__always) mutating func line(_ index: Int, bytes n: Int) {
        if index >= lines.count { grow(index) }
        lines[index] += 1
        bytes[index] += Int64(n)
    }

    @inline(__always) mutating func record(_ index: Int, time: Timestamp) {
        if index >= lines.count { grow(index) }
        records[index] += 1
        if time != .unknown, newestEvent.map({ time > $0 }) ?? true { newestEvent = time }
    }

    @inline(__always) mutating func malformedLine(_ index: Int) {
        if index >= lines.count { grow(index) }
        malformed[index] += 1
    }
}
