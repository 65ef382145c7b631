import Foundation
import ReqwatchCore
import ReqwatchTail
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Shared between the writer thread and the test.
final class SoakProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var _written = 0
    private var _done = false
    private var _rotations: [String: Int] = [:]

    func wrote(_ n: Int) { lock.withLock { _written += n } }
    func rotated(_ kind: String) { lock.withLock { _rotations[kind, default: 0] += 1 } }
    func finish() { lock.withLock { _done = true } }
    var snapshot: (written: Int, done: Bool, rotations: [String: Int]) {
        lock.withLock { (_written, _done, _rotations) }
    }
}

/// Manual soak (REQWATCH_SOAK=<seconds>): a writer thread appends ~10,000 lines/s and rotates every
/// 300 ms (rename and create, with a few lines written to the old file before reopening; copy-truncate;
/// delete and recreate), while the tailer follows with `poll(timeout: 250 ms)`. Every line must arrive
/// exactly once and in order; the append-to-delivery latency is printed.
@Suite struct TailerSoakTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["REQWATCH_SOAK"] != nil))
    func writerRotatingEveryFewHundredMilliseconds() throws {
        let seconds = Double(ProcessInfo.processInfo.environment["REQWATCH_SOAK"] ?? "") ?? 10
        let dir = try TempDir()
        let log = dir.file("soak.log")
        append(log, "")
        let t = try Tailer(options: options([log]))
        let progress = SoakProgress()
        let path = log
        let writer = Thread {
            let w = LogWriter(path)
            var i = 0
            let start = monotonicNanoseconds()
            let end = start + Int64(seconds * 1e9)
            var nextRotation = start + 300_000_000
            var kind = 0
            while monotonicNanoseconds() < end {
                for _ in 0..<10 {
                    w.write("\(i) \(monotonicNanoseconds()) GET /api/items/\(i) 200\n")
                    i += 1
                }
                progress.wrote(10)
                usleep(1000)  // ~10 lines per ms
                if monotonicNanoseconds() >= nextRotation {
                    nextRotation += 300_000_000
                    switch kind % 3 {
                    case 0:
                        moveFile(path, path + ".1")
                        for _ in 0..<5 {
                            w.write("\(i) \(monotonicNanoseconds()) late line\n")
                            i += 1
                        }
                        progress.wrote(5)
                        w.reopen()
                        progress.rotated("rename")
                    case 1:
                        try? copyFile(path, path + ".1")
                        truncateFile(path)
                        progress.rotated("copytruncate")
                    default:
                        removeFile(path)
                        w.reopen()
                        progress.rotated("delete")
                    }
                    kind += 1
                }
            }
            progress.finish()
        }
        writer.start()
        var next = 0
        var outOfOrder = 0
        var latencies: [Int64] = []
        var doneAt: ContinuousClock.Instant? = nil
        while true {
            _ = try t.poll(timeout: .milliseconds(250)) { span, _ in
                let now = monotonicNanoseconds()
                let s = span.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
                let f = s.split(separator: " ")
                if let n = Int(f[0]), n == next { next += 1 } else { outOfOrder += 1 }
                if f.count > 1, let sent = Int64(f[1]) { latencies.append(now - sent) }
            }
            let p = progress.snapshot
            if p.done {
                doneAt = doneAt ?? .now
                if next >= p.written || doneAt!.duration(to: .now) > .seconds(5) { break }
            }
        }
        let p = progress.snapshot
        latencies.sort()
        func ms(_ q: Double) -> Double {
            Double(latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))]) / 1e6
        }
        print(
            "tail soak: \(seconds) s, \(p.written) lines written, \(next) delivered in order, \(outOfOrder) out of order or duplicated, rotations \(p.rotations.sorted { $0.key < $1.key }), open descriptors \(t.openDescriptorCount); latency p50 \(ms(0.5)) ms, p99 \(ms(0.99)) ms, max \(ms(1)) ms"
        )
        #expect(next == p.written)
        #expect(outOfOrder == 0)
        #expect(t.openDescriptorCount <= 3)
    }
}
