import Foundation
import ReqwatchCore
import ReqwatchTail
import Testing

@Suite struct TailerFramingTests {
    @Test func deliversCompleteLinesWithNumbersAndOffsets() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        append(log, "one\ntwo\r\n\nthree\n")
        let t = try Tailer(options: options([log], fromStart: true))
        let got = try t.drain()
        #expect(got.map(\.text) == ["one", "two", "", "three"])
        #expect(got.map(\.info.lineNumber) == [1, 2, 3, 4])
        #expect(got.map(\.info.endOffset) == [4, 9, 10, 16])
        #expect(got.allSatisfy { $0.info.pathIndex == 0 })
        #expect(got[0].info.fileID.fingerprint == 0)  // file shorter than 256 bytes
    }

    @Test func partialLineIsHeldUntilItsNewline() throws {
        let dir = try TempDir()
        let log = dir.file("a.log")
        let w = LogWriter(log)
        let t = try Tailer(options: options([log]))
        w.write("first\nsec")
        #expect(try t.drain().map(\.text) == ["first"])
        w.write("ond part")
        #expect(try t.drain().map(\.text) == [])
        w.write("\nthird\n")
        let got = try t.drain()
        #expect(got.map(\.text) == ["second part", "third"])
        #expect(got.map(\.info.endOffset) == [18, 24])
    }

    @Test func longLinesAreSkippedAndCounted() throws {
        let dir = try TempDir()
        let log = dir.file("a.log")
        let w = LogWriter(log)
        let t = try Tailer(options: options([log], maxLine: 10))
        w.write("short\n" + String(repeating: "x", count: 11) + "\nexactly10!\r\nok\n")
        #expect(try t.drain().map(\.text) == ["short", "exactly10!", "ok"])
        #expect(t.skippedLongLines == 1)
        // A long line arriving in pieces across polls is skipped as a whole, and the held part stays bounded.
        w.write("abcdefgh")
        #expect(try t.drain().isEmpty)
        w.write("ijklmnopqrstuvwxyz")
        #expect(try t.drain().isEmpty)
        w.write("tail-of-long\nafter\n")
        #expect(try t.drain().map(\.text) == ["after"])
        #expect(t.skippedLongLines == 2)
    }

    @Test func hostileBytesPassThroughUnchanged() throws {
        let dir = try TempDir()
        let log = dir.file("a.log")
        let w = LogWriter(log)
        let t = try Tailer(options: options([log]))
        var bytes: [UInt8] = [0x00, 0xFF, 0xC3, 0x28, 0x0D, 0x41, 0x0A, 0x0D, 0x0A]
        w.writeBytes(&bytes)
        var raw: [[UInt8]] = []
        _ = try t.poll(timeout: .zero) { span, _ in raw.append(span.withUnsafeBufferPointer { Array($0) }) }
        #expect(raw == [[0x00, 0xFF, 0xC3, 0x28, 0x0D, 0x41], []])
    }

    @Test func lineSpanningManyReadBuffers() throws {
        let dir = try TempDir()
        let log = dir.file("a.log")
        let big = String(repeating: "0123456789", count: 20_000)  // 200 KB, larger than the 64 KiB buffer
        append(log, "a\n" + big + "\nb\n")
        let t = try Tailer(options: options([log], fromStart: true, maxLine: 300_000))
        let got = try t.drain()
        #expect(got.map(\.text.count) == [1, 200_000, 1])
        #expect(got[1].text == big)
        #expect(got[2].info.endOffset == Int64(2 + 200_001 + 2))
        #expect(got[2].info.fileID.fingerprint != 0)
    }
}
