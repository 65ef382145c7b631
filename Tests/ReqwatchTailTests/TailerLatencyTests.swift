import Foundation
import ReqwatchCore
import ReqwatchTail
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Monotonic nanoseconds (shared by the writer thread and the reader).
func monotonicNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

@Suite struct TailerLatencyTests {
    /// Polls until `count` lines arrived or `limit` passed.
    func receive(_ t: Tailer, count: Int, limit: Duration, _ each: (String) -> Void = { _ in }) throws -> [String] {
        var got: [String] = []
        let start = ContinuousClock.now
        while got.count < count && start.duration(to: .now) < limit {
            _ = try t.poll(timeout: .milliseconds(250)) { span, _ in
                let s = span.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
                each(s)
                got.append(s)
            }
        }
        return got
    }

    @Test func appendFromAnotherThreadArrivesPromptly() throws {
        let dir = try TempDir()
        let log = dir.file("live.log")
        append(log, "")
        let t = try Tailer(options: options([log]))
        let path = log
        let writer = Thread {
            usleep(50_000)
            append(path, "hello\n")
        }
        let start = ContinuousClock.now
        writer.start()
        let got = try receive(t, count: 1, limit: .seconds(5))
        #expect(got == ["hello"])
        #expect(start.duration(to: .now) < .seconds(2))
    }

    @Test func inotifyWakesThePollLongBeforeTheSafetyInterval() throws {
        let dir = try TempDir()
        let log = dir.file("live.log")
        append(log, "")
        var o = options([log])
        o.pollInterval = .seconds(30)  // only an inotify event can deliver within the bound below
        let t = try Tailer(options: o)
        try #require(t.usesInotify)
        let path = log
        let writer = Thread {
            usleep(100_000)
            append(path, "woken\n")
        }
        let start = ContinuousClock.now
        writer.start()
        var got: [String] = []
        _ = try t.poll(timeout: .seconds(10)) { span, _ in
            got.append(span.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) })
        }
        #expect(got == ["woken"])
        #expect(start.duration(to: .now) < .seconds(2))
    }

    @Test func pollingFallbackWithoutInotify() throws {
        let dir = try TempDir()
        let log = dir.file("live.log")
        append(log, "")
        var o = options([log])
        o.useInotify = false
        o.pollInterval = .milliseconds(20)
        let t = try Tailer(options: o)
        #expect(!t.usesInotify)
        #expect(t.openDescriptorCount == 1)
        let path = log
        let writer = Thread {
            usleep(50_000)
            append(path, "polled\n")
        }
        let start = ContinuousClock.now
        writer.start()
        let got = try receive(t, count: 1, limit: .seconds(5))
        #expect(got == ["polled"])
        #expect(start.duration(to: .now) < .seconds(2))
    }

    @Test func pollWithATimeoutReturnsZeroWhenNothingHappens() throws {
        let dir = try TempDir()
        let log = dir.file("quiet.log")
        append(log, "")
        let t = try Tailer(options: options([log]))
        let n = try t.poll(timeout: .milliseconds(30)) { _, _ in }
        #expect(n == 0)
    }

    /// Manual measurement (REQWATCH_MEASURE=1): latency from `write(2)` of a line by a writer thread to its
    /// delivery by `poll`, at about 10,000 lines/s. REQWATCH_MEASURE_LINES sets the count (default 1000).
    @Test(
        .enabled(if: ProcessInfo.processInfo.environment["REQWATCH_MEASURE"] == "1"), .serialized,
        arguments: [true, false])
    func measureAppendToDeliveryLatency(inotify: Bool) throws {
        let lines = Int(ProcessInfo.processInfo.environment["REQWATCH_MEASURE_LINES"] ?? "") ?? 1000
        let rate = 10_000
        let dir = try TempDir()
        let log = dir.file("measure.log")
        append(log, "")
        var o = options([log])
        o.useInotify = inotify  // without it: the default 100 ms poll interval
        let t = try Tailer(options: o)
        let path = log
        let writer = Thread {
            let w = LogWriter(path)
            let start = monotonicNanoseconds()
            for i in 0..<lines {
                let due = start + Int64(i) * 1_000_000_000 / Int64(rate)
                while monotonicNanoseconds() < due { usleep(50) }
                w.write("\(i) \(monotonicNanoseconds()) GET /api/users/\(i) 200\n")
            }
        }
        writer.start()
        var latencies: [Int64] = []
        latencies.reserveCapacity(lines)
        let got = try receive(t, count: lines, limit: .seconds(60)) { s in
            let now = monotonicNanoseconds()
            let fields = s.split(separator: " ")
            if fields.count > 1, let sent = Int64(fields[1]) { latencies.append(now - sent) }
        }
        #expect(got.count == lines)
        latencies.sort()
        func ms(_ q: Double) -> Double {
            Double(latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))]) / 1e6
        }
        print(
            "tail latency: \(latencies.count) lines at ~\(rate)/s, inotify \(t.usesInotify): p50 \(ms(0.50)) ms, p99 \(ms(0.99)) ms, max \(ms(1.0)) ms"
        )
        #expect(ms(0.99) < 1000)
    }
}

@Suite struct TailerEngineLoopTests {
    @Test func commitAndSaveInsideTheCallback() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let state = dir.file("state.json")
        append(log, (1...50).map { "line \($0)\n" }.joined())
        var seen: [String] = []
        do {
            let t = try Tailer(options: options([log], fromStart: true, state: state))
            var failures = 0
            _ = try t.poll(timeout: .zero) { span, info in
                let s = span.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
                seen.append(s)
                if seen.count <= 30 {
                    t.commit(info, eventTime: Timestamp(seconds: Int64(seen.count)))
                    t.extraState = Array(s.utf8)
                    do { try t.saveState() } catch { failures += 1 }
                }
            }
            #expect(failures == 0)
        }
        #expect(seen.count == 50)
        let t2 = try Tailer(options: options([log], state: state))
        #expect(t2.extraState == Array("line 30".utf8))
        #expect(t2.committedEventTime(forPath: 0) == Timestamp(seconds: 30))
        #expect(try t2.drain().map(\.text) == (31...50).map { "line \($0)" })
    }

    /// Manual measurement (REQWATCH_MEASURE=1): lines per second when catching up on a large file.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["REQWATCH_MEASURE"] == "1"))
    func measureCatchUpThroughput() throws {
        let dir = try TempDir()
        let log = dir.file("big.log")
        let line =
            "203.0.113.7 - - [25/Nov/2026:19:40:00 +0000] \"GET /api/users/12345 HTTP/1.1\" 200 512 \"-\" \"curl/8.0\"\n"
        let w = LogWriter(log)
        let chunk = String(repeating: line, count: 10_000)
        for _ in 0..<50 { w.write(chunk) }
        let t = try Tailer(options: options([log], fromStart: true))
        let start = ContinuousClock.now
        var count = 0
        var bytes = 0
        while true {
            let n = try t.poll(timeout: .zero) { span, _ in bytes += span.count }
            if n == 0 { break }
            count += n
        }
        let elapsed = start.duration(to: .now)
        let s = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "tail catch-up: \(count) lines, \(bytes / 1_000_000) MB in \(s) s: \(Int(Double(count) / s)) lines/s, \(Int(Double(bytes) / s / 1e6)) MB/s"
        )
        #expect(count == 500_000)
    }
}
