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

/// Manual soak with crashes (REQWATCH_SOAK_KILL=<seconds>): like the soak above, but the writer rotates
/// every 1.5 s (logrotate-style shift `.1` → `.2`, alternating rename-and-create and copy-truncate), the
/// state is saved every second, and every ~2.5 s the tailer is dropped without saving (`kill -9`) and a
/// new one resumes from the state file. No line may be lost; lines re-delivered after a crash must be
/// ones delivered since the last save.
@Suite struct TailerKillSoakTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["REQWATCH_SOAK_KILL"] != nil))
    func crashesEveryFewSecondsLoseNothing() throws {
        let seconds = Double(ProcessInfo.processInfo.environment["REQWATCH_SOAK_KILL"] ?? "") ?? 10
        let dir = try TempDir()
        let log = dir.file("soak.log")
        let state = dir.file("state.json")
        append(log, "")
        let progress = SoakProgress()
        let path = log
        let writer = Thread {
            let w = LogWriter(path)
            var i = 0
            let start = monotonicNanoseconds()
            let end = start + Int64(seconds * 1e9)
            var nextRotation = start + 1_500_000_000
            var kind = 0
            while monotonicNanoseconds() < end {
                for _ in 0..<10 {
                    w.write("\(i) \(monotonicNanoseconds()) GET /api/items/\(i) 200\n")
                    i += 1
                }
                progress.wrote(10)
                usleep(1000)
                if monotonicNanoseconds() >= nextRotation {
                    nextRotation += 1_500_000_000
                    removeFile(path + ".2")
                    if fileExists(path + ".1") { moveFile(path + ".1", path + ".2") }
                    if kind % 2 == 0 {
                        moveFile(path, path + ".1")
                        w.reopen()
                        progress.rotated("rename")
                    } else {
                        try? copyFile(path, path + ".1")
                        truncateFile(path)
                        progress.rotated("copytruncate")
                    }
                    kind += 1
                }
            }
            progress.finish()
        }
        var tailer = try Tailer(options: options([log], state: state))
        writer.start()
        var next = 0  // lowest line number not delivered yet
        var lost = 0
        var redelivered = 0
        var redeliveredOutsideWindow = 0
        var savedUpTo = 0  // every line below this was committed and saved
        var crashes = 0
        var lastSave = ContinuousClock.now
        var lastCrash = ContinuousClock.now
        var doneAt: ContinuousClock.Instant? = nil
        while true {
            var infos: [TailLineInfo] = []
            _ = try tailer.poll(timeout: .milliseconds(250)) { span, info in
                let s = span.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
                guard let n = Int(s.split(separator: " ")[0]) else { return }
                if n == next {
                    next += 1
                } else if n < next {
                    redelivered += 1
                    if n < savedUpTo { redeliveredOutsideWindow += 1 }
                } else {
                    lost += n - next
                    next = n + 1
                }
                infos.append(info)
            }
            for info in infos { tailer.commit(info, eventTime: nil) }
            if lastSave.duration(to: .now) >= .milliseconds(900) {
                try tailer.saveState()
                savedUpTo = next
                lastSave = .now
            }
            if lastCrash.duration(to: .now) >= .milliseconds(2500) {
                tailer = try Tailer(options: options([log], state: state))  // the old one is dropped unsaved
                crashes += 1
                lastCrash = .now
            }
            let p = progress.snapshot
            if p.done {
                doneAt = doneAt ?? .now
                if next >= p.written || doneAt!.duration(to: .now) > .seconds(5) { break }
            }
        }
        let p = progress.snapshot
        print(
            "tail kill soak: \(seconds) s, \(p.written) lines written, \(next) reached, \(lost) lost, \(redelivered) re-delivered after \(crashes) crashes (\(redeliveredOutsideWindow) from before the last save), rotations \(p.rotations.sorted { $0.key < $1.key })"
        )
        #expect(next == p.written)
        #expect(lost == 0)
        #expect(redeliveredOutsideWindow == 0)
    }
}
