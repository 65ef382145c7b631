/// A one-line progress bar on stderr (only used when stderr is a terminal): bytes read of total and rate.
final class ProgressBar {
    private let total: Int64
    private var base: Int64 = 0
    private var lastCurrent: Int64 = 0
    private var lastDraw = 0.0
    private let started = MonotonicClock.nowSeconds()
    private let out = StderrWriter()

    init(totalBytes: Int64) { total = totalBytes }

    /// `bytes` is the running raw byte count of the current input; a smaller value means a new input began.
    func update(bytes: Int64) {
        if bytes < lastCurrent { base += lastCurrent }
        lastCurrent = bytes
        let now = MonotonicClock.nowSeconds()
        guard now - lastDraw >= 0.2 else { return }
        lastDraw = now
        let done = base + bytes
        let rate = Double(done) / max(now - started, 0.001) / 1e6
        var line = "\r"
        if total > 0 {
            let frac = min(1, Double(done) / Double(total))
            let width = 30
            let filled = Int(frac * Double(width))
            line += "[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] "
            line += "\(Int(frac * 100))% \(done / 1_000_000)/\(total / 1_000_000) MB"
        } else {
            line += "\(done / 1_000_000) MB"
        }
        line += " \(Int(rate)) MB/s   "
        out.write(line)
    }

    func finish() {
        if lastDraw > 0 { out.write("\r" + String(repeating: " ", count: 70) + "\r") }
    }
}

#if canImport(Glibc)
import Glibc
#endif

struct StderrWriter {
    func write(_ s: String) {
        var s = s
        s.withUTF8 { p in _ = Glibc.write(2, p.baseAddress, p.count) }
    }
}
