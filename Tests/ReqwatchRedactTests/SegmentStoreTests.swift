import Foundation
import ReqwatchCore
import ReqwatchOutput
import Testing

@Suite(.serialized) struct SegmentStoreTests {
    func tempDir() -> String {
        let d = NSTemporaryDirectory() + "reqwatch-store-\(getpid())-\(UInt64.random(in: 0..<UInt64.max))"
        return d
    }

    func files(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    /// Decompresses with the system gzip (an independent reader); nil when gzip reports an error.
    func gunzip(_ path: String) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-dc", path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    func line(_ i: Int) -> [UInt8] { Array("{\"n\":\(i),\"pad\":\"\(String(repeating: "x", count: 40))\"}\n".utf8) }

    @Test func rotatesBySizeAndTimeAndReadsBack() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let t0 = Timestamp.from(year: 2024, month: 5, day: 17, hour: 10, minute: 5, second: 3)
        let store = try SegmentStore(directory: dir, maxSegmentBytes: 1000, maxSegmentSeconds: 3600)
        for i in 0..<50 { try store.append(line(i), eventTime: t0.adding(seconds: Int64(i))) }
        try store.append(line(50), eventTime: t0.adding(seconds: 7200))
        try store.close()
        let names = files(dir)
        #expect(names.allSatisfy { $0.hasPrefix("records-") && $0.hasSuffix(".jsonl.gz") })
        #expect(names.first == "records-20240517T100503-0000.jsonl.gz")
        #expect(names.last == "records-20240517T120503-0000.jsonl.gz")
        #expect(names.count == 4)  // 50 lines of 57-58 bytes in 1000-byte segments (3), then a time rotation
        var all = ""
        for n in names {
            let text = try #require(gunzip(dir + "/" + n))
            #expect(text.utf8.count <= 1000)
            all += text
            var st = stat()
            #expect(stat(dir + "/" + n, &st) == 0)
            #expect(st.st_mode & 0o777 == 0o600)
        }
        let lines = all.split(separator: "\n")
        #expect(lines.count == 51)
        #expect(lines.first == "{\"n\":0,\"pad\":\"\(String(repeating: "x", count: 40))\"}")
        #expect(store.completedSegments == names)
        // Reopening and writing again never overwrites an existing segment.
        let again = try SegmentStore(directory: dir, maxSegmentBytes: 1000)
        try again.append(line(99), eventTime: t0)
        try again.close()
        #expect(files(dir).contains("records-20240517T100503-0001.jsonl.gz"))
    }

    /// `tail`'s store: after `checkpoint()` the open segment's lines survive a crash; reopening with
    /// `recoverUnfinished` publishes them (up to the last whole line) as a finished segment, and a torn file that
    /// yields no line is just removed. The copy of the `.tmp` file stands for what a `kill -9` leaves.
    @Test func checkpointedLinesAreRecoveredAfterACrash() throws {
        let dir = tempDir()
        let crashDir = tempDir()
        defer {
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: crashDir)
        }
        let live = try SegmentStore(directory: dir)
        var lines: [UInt8] = []
        for i in 0..<500 { lines += Array("{\"@timestamp\":\"2024-05-01T10:00:00.000Z\",\"n\":\(i)}\n".utf8) }
        try live.append(lines, eventTime: .zero)
        try live.checkpoint()
        try live.append(line(999), eventTime: .zero)  // after the checkpoint: may or may not survive
        let tmp = try #require(files(dir).first { $0.hasSuffix(".tmp") })
        try FileManager.default.createDirectory(atPath: crashDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir + "/" + tmp, toPath: crashDir + "/.segment-77-1.tmp")
        _ = FileManager.default.createFile(atPath: crashDir + "/.segment-78-1.tmp", contents: Data([0x1f, 0x8b, 0x08, 0, 0]))
        let reopened = try SegmentStore(directory: crashDir, recoverUnfinished: true)
        #expect(reopened.recoveredSegments == 1)
        #expect(reopened.recoveredLines == 500)
        let names = files(crashDir)
        #expect(names == ["records-20240501T100000-0000.jsonl.gz"])
        let text = try #require(gunzip(crashDir + "/" + names[0]))
        #expect(text == String(decoding: lines, as: UTF8.self))
        // Without recovery (scan), the same leftover is dropped: a re-run scan stores it again.
        try FileManager.default.copyItem(atPath: dir + "/" + tmp, toPath: crashDir + "/.segment-79-1.tmp")
        let plain = try SegmentStore(directory: crashDir)
        #expect(plain.recoveredSegments == 0)
        #expect(files(crashDir) == names)
        try live.close()
    }

    @Test func leftoverTemporaryFilesAreRemovedOnOpen() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let crashed = try SegmentStore(directory: dir)
        try crashed.append(line(1), eventTime: .zero)
        // The crashed writer's partial segment is only a .tmp file.
        #expect(files(dir).count == 1)
        #expect(files(dir).allSatisfy { $0.hasPrefix(".segment-") && $0.hasSuffix(".tmp") })
        // A torn file from an older crash, too.
        _ = FileManager.default.createFile(atPath: dir + "/.segment-1-1.tmp", contents: Data([0x1f, 0x8b, 0x08]))
        let reopened = try SegmentStore(directory: dir)
        #expect(files(dir).isEmpty)
        try reopened.append(line(2), eventTime: .zero)
        try reopened.close()
        let names = files(dir)
        #expect(names == ["records-19700101T000000-0000.jsonl.gz"])
        #expect(gunzip(dir + "/" + names[0]) == String(decoding: line(2), as: UTF8.self))
        withExtendedLifetime(crashed) {}
    }

    @Test func killedWriterLeavesNoTornSegment() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try SegmentStore(directory: dir)
        for round in 0..<3 {
            let pid = fork()
            if pid == 0 {
                // Child: write segments as fast as possible until killed.
                if let s = try? SegmentStore(directory: dir, maxSegmentBytes: 4096) {
                    var i = 0
                    while true {
                        try? s.append(line(i), eventTime: Timestamp(seconds: Int64(i)))
                        i += 1
                    }
                }
                _exit(0)
            }
            #expect(pid > 0)
            usleep(UInt32(150_000 + 70_000 * round))
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        let before = files(dir)
        let complete = before.filter { $0.hasSuffix(".jsonl.gz") }
        _ = try SegmentStore(directory: dir)
        let after = files(dir)
        #expect(after == complete)
        #expect(!complete.isEmpty)
        for n in complete {
            let text = try #require(gunzip(dir + "/" + n), "segment \(n) does not gunzip")
            #expect(text.hasSuffix("\n"))
            for l in text.split(separator: "\n") { #expect(l.hasPrefix("{\"n\":") && l.hasSuffix("\"}")) }
        }
        print("killedWriter: \(complete.count) complete segments, \(before.count - complete.count) tmp removed")
    }
}
