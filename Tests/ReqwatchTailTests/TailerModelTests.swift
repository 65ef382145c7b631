import Foundation
import ReqwatchCore
import ReqwatchTail
import ReqwatchTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Model-based test: a seeded random history of writes, rotations, truncations, compressions and
/// restarts is replayed against a temporary directory, interleaved with polls; at the end the lines
/// delivered must equal the lines written, in order (each line carries a unique counter).
///
/// The model never asks for what no tailer can do, and these limits are inherent, not reqwatch bugs:
/// - copy-truncate loses lines written between the copy and the truncation, so the model writes only
///   before the copy or after the truncation ("write-before-copy");
/// - a file created and rotated away (or a copy made and removed) between two checks of the tailer was
///   never seen, so after creating a generation or a copy the model polls before the next rotation;
/// - the rest of a copy can only be found by its first bytes, so before a copy-truncate the tailer must
///   have read at least one line of the current generation;
/// - a restart resumes from the committed file: the model restarts only when that file is the current one,
///   and while down it only appends and rotates once (rename or copy-truncate), the cases `init` resolves.
@Suite struct TailerModelTests {
    final class Model {
        var rng: SplitMix64
        let dir: TempDir
        let log: String
        let state: String
        var tailer: Tailer!
        var writer: LogWriter?
        var stale = false
        var counter = 0
        var gen = 0
        var currentGenLines = Set<String>()
        var genSeen = false
        var pollNeeded = false
        var pendingRest: String?
        var written: [String] = []
        var delivered: [String] = []
        var skippedExpected: Int64 = 0
        var skippedBeforeRestarts: Int64 = 0
        var deliveredAtSave: Int? = nil
        var rotationSinceSave = true
        var saveInCurrentGen = false
        var stats: [String: Int] = [:]
        static let maxLine = 200

        init(seed: UInt64) throws {
            rng = SplitMix64(seed: seed)
            dir = try TempDir()
            log = dir.file("app.log")
            state = dir.file("state.json")
            let startMode = rng.next() % 3  // 0: no file yet, 1: file with old lines, 2: same, from start
            if startMode != 0 {
                writer = LogWriter(log)
                for _ in 0..<Int(rng.next() % 4) {
                    let l = nextLine()
                    writer?.write(l + "\n")
                    if startMode == 2 { written.append(l) }
                    currentGenLines.insert(l)
                }
                genSeen = !currentGenLines.isEmpty  // the tailer learns the first bytes when it opens the file
            }
            var o = options([log], fromStart: startMode == 2, state: state, maxLine: Self.maxLine)
            o.pollInterval = .milliseconds(1)
            tailer = try Tailer(options: o)
        }

        func random(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }

        func nextLine() -> String {
            counter += 1
            let pad = String(repeating: "abcdefghij", count: 1 + random(4))
            return "L\(counter) g\(gen) " + pad.prefix(random(pad.count))
        }

        func newGen() {
            gen += 1
            currentGenLines = []
            genSeen = false
            pollNeeded = true
        }

        func pollOnce(timeout: Duration = .zero) throws {
            var got: [Delivered] = []
            let before = delivered.count
            for _ in 0..<100 {
                let n = try tailer.poll(timeout: timeout) { span, info in
                    got.append(
                        Delivered(
                            text: span.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }, info: info))
                }
                if n == 0 { break }
            }
            for d in got { tailer.commit(d.info, eventTime: nil) }
            delivered += got.map(\.text)
            if delivered[before...].contains(where: { currentGenLines.contains($0) }) { genSeen = true }
            pollNeeded = false
        }

        func ensureWriter() {
            if writer == nil {
                writer = LogWriter(log)
                newGen()
            }
        }

        func reopenIfStale() {
            completePartial()
            if stale, let w = writer {
                w.reopen()
                stale = false
                newGen()
            }
        }

        func completePartial() {
            if let rest = pendingRest {
                writer?.write(rest)
                pendingRest = nil
            }
        }

        func appendLines() {
            ensureWriter()
            completePartial()
            for _ in 0..<(1 + random(4)) {
                if random(40) == 0 {
                    counter += 1
                    let long = "LONG\(counter) " + String(repeating: "x", count: Self.maxLine)
                    writer?.write(long + "\n")
                    skippedExpected += 1
                    if !stale { currentGenLines.insert(long) }  // content the tailer must see before a copy
                    continue
                }
                let l = nextLine()
                writer?.write(l + (random(8) == 0 ? "\r\n" : "\n"))
                written.append(l)
                if !stale { currentGenLines.insert(l) }
            }
        }

        func appendPartial() {
            ensureWriter()
            guard pendingRest == nil else { return completePartial() }
            let l = nextLine()
            let cut = random(l.utf8.count)
            let bytes = Array(l.utf8)
            writer?.write(String(decoding: bytes[..<cut], as: UTF8.self))
            pendingRest = String(decoding: bytes[cut...], as: UTF8.self) + "\n"
            written.append(l)
            if !stale { currentGenLines.insert(l) }
        }

        /// logrotate-style shift: app.log.2 is dropped, app.log.1 becomes app.log.2.
        func shiftRotated() {
            removeFile(log + ".2")
            if fileExists(log + ".1") { moveFile(log + ".1", log + ".2") }
        }

        func renameRotate() throws {
            guard writer != nil else { return appendLines() }
            reopenIfStale()
            if pollNeeded { try pollOnce() }
            shiftRotated()
            moveFile(log, log + ".1")
            stale = true
            rotationSinceSave = true
            stats["rename", default: 0] += 1
        }

        func copyTruncate() throws {
            guard writer != nil else { return appendLines() }
            reopenIfStale()
            if pollNeeded || (!genSeen && !currentGenLines.isEmpty) { try pollOnce() }
            shiftRotated()
            try copyFile(log, log + ".1")
            truncateFile(log)
            newGen()
            rotationSinceSave = true
            stats["copytruncate", default: 0] += 1
        }

        func deleteRecreate() throws {
            guard writer != nil else { return appendLines() }
            reopenIfStale()
            if pollNeeded { try pollOnce() }
            removeFile(log)
            stale = true
            rotationSinceSave = true
            stats["delete", default: 0] += 1
        }

        func compressRotated() throws {
            guard fileExists(log + ".1") else { return }
            if pollNeeded { try pollOnce() }
            try copyFile(log + ".1", log + ".1.gz")  // stands in for gzip: new file, then the original unlinked
            removeFile(log + ".1")
            rotationSinceSave = true
            stats["compress", default: 0] += 1
        }

        /// Clean stop (commit, save) or `kill -9` (drop without saving), then a restart from the state file.
        func restart() throws {
            completePartial()
            guard !stale else { return try pollOnce() }
            try pollOnce()
            let killNine = random(2) == 0
            if killNine {
                guard let atSave = deliveredAtSave, !rotationSinceSave, saveInCurrentGen else { return }
                delivered.removeLast(delivered.count - atSave)  // these will be delivered again
                stats["kill", default: 0] += 1
            } else {
                guard let last = delivered.last, currentGenLines.contains(last) else { return }
                try tailer.saveState()
                stats["stop", default: 0] += 1
            }
            // Long lines skipped after the last save are skipped again after a kill: count them once.
            skippedBeforeRestarts += tailer.skippedLongLines - (killNine ? tailer.skippedLongLines - skippedAtSave : 0)
            // While down: a few appends, perhaps one rotation, a few more appends.
            for _ in 0..<random(3) { appendLines() }
            switch random(3) {
            case 0:
                shiftRotated()
                moveFile(log, log + ".1")
                writer?.reopen()
                newGen()
                stats["down-rename", default: 0] += 1
            case 1 where !killNine:  // the copy is found by the first bytes of the committed file
                shiftRotated()
                try copyFile(log, log + ".1")
                truncateFile(log)
                newGen()
                stats["down-copytruncate", default: 0] += 1
            default: break
            }
            for _ in 0..<random(3) { appendLines() }
            var o = options([log], state: state, maxLine: Self.maxLine)
            o.pollInterval = .milliseconds(1)
            tailer = try Tailer(options: o)
            deliveredAtSave = nil
            rotationSinceSave = true
        }

        var skippedAtSave: Int64 = 0

        func periodicSave() throws {
            try pollOnce()
            try tailer.saveState()
            deliveredAtSave = delivered.count
            rotationSinceSave = false
            saveInCurrentGen = !stale && delivered.last.map { currentGenLines.contains($0) } ?? false
            skippedAtSave = tailer.skippedLongLines
        }

        var trace: [String] = []

        func step() throws {
            trace.append("step w\(written.count) d\(delivered.count) gen\(gen) stale\(stale)")
            switch random(100) {
            case 0..<30:
                trace.append("append")
                appendLines()
            case 30..<38:
                trace.append("partial")
                appendPartial()
            case 38..<42:
                trace.append("complete")
                completePartial()
            case 42..<62:
                trace.append("poll")
                try pollOnce()
            case 62..<64:
                trace.append("poll2ms")
                try pollOnce(timeout: .milliseconds(2))
            case 64..<70:
                trace.append("rename")
                try renameRotate()
            case 70..<76:
                trace.append("copytruncate")
                try copyTruncate()
            case 76..<81:
                trace.append("delete")
                try deleteRecreate()
            case 81..<85:
                trace.append("compress")
                try compressRotated()
            case 85..<89:
                trace.append("reopen")
                reopenIfStale()
            case 89..<94:
                trace.append("save")
                try periodicSave()
            default:
                trace.append("restart")
                try restart()
            }
        }

        func finish() throws {
            completePartial()
            reopenIfStale()
            ensureWriter()
            let l = nextLine()
            writer?.write(l + "\n")
            written.append(l)
            try pollOnce()
            try pollOnce()
        }
    }

    /// 30 seeds by default; REQWATCH_MODEL_SEEDS=<n> runs more.
    @Test(arguments: 0..<(Int(ProcessInfo.processInfo.environment["REQWATCH_MODEL_SEEDS"] ?? "") ?? 30))
    func randomHistoryDeliversEveryLineExactlyOnce(seed: Int) throws {
        let m = try Model(seed: UInt64(seed) &* 0x9E37_79B9 &+ 12345)
        for _ in 0..<200 { try m.step() }
        try m.finish()
        #expect(m.delivered.count == m.written.count)
        #expect(m.delivered == m.written)
        if m.delivered != m.written {
            let i =
                zip(m.delivered, m.written).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(m.delivered.count, m.written.count)
            Issue.record(
                "first difference at \(i): delivered \(m.delivered[max(0, i - 3)..<min(m.delivered.count, i + 3)]) written \(m.written[max(0, i - 3)..<min(m.written.count, i + 3)]) stats \(m.stats) trace (last ops) \(m.trace.suffix(80))"
            )
        }
        // Every long line is skipped; one that follows the last committed line is skipped again after a
        // restart (positions only advance past delivered lines), so with restarts the count may be higher.
        let skipped = m.skippedBeforeRestarts + m.tailer.skippedLongLines
        if m.stats["stop", default: 0] + m.stats["kill", default: 0] == 0 {
            #expect(skipped == m.skippedExpected)
        } else {
            #expect(skipped >= m.skippedExpected)
        }
        #expect(m.stats["rename", default: 0] + m.stats["copytruncate", default: 0] + m.stats["delete", default: 0] > 0)
        #expect(m.tailer.openDescriptorCount <= 3)
    }
}
