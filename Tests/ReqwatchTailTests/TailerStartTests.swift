import Foundation
import ReqwatchCore
import ReqwatchTail
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct TailerStartTests {
    @Test func filePresentAtStartIsReadFromItsEnd() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        append(log, "old 1\nold 2\n")
        let t = try Tailer(options: options([log]))
        #expect(try t.drain().isEmpty)
        append(log, "new 1\nnew 2\n")
        let got = try t.drain()
        #expect(got.map(\.text) == ["new 1", "new 2"])
        #expect(got[0].info.lineNumber == nil)  // started mid-file without state
        #expect(got[1].info.endOffset == 24)
    }

    @Test func lineBeingWrittenAtStartIsDeliveredWhole() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        append(log, "old\npart")
        let t = try Tailer(options: options([log]))
        #expect(try t.drain().isEmpty)
        append(log, "ial\nnext\n")
        #expect(try t.drain().map(\.text) == ["partial", "next"])
    }

    @Test func fromStartReadsExistingLines() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        append(log, "old 1\nold 2\n")
        let t = try Tailer(options: options([log], fromStart: true))
        #expect(try t.drain().map(\.text) == ["old 1", "old 2"])
    }

    @Test func fileThatAppearsLaterIsReadFromItsStart() throws {
        let dir = try TempDir()
        let log = dir.file("later.log")
        let t = try Tailer(options: options([log]))
        #expect(try t.drain().isEmpty)
        #expect(t.openDescriptorCount <= 1)
        append(log, "a\nb\n")
        let got = try t.drain()
        #expect(got.map(\.text) == ["a", "b"])
        #expect(got.map(\.info.lineNumber) == [1, 2])
    }

    @Test func fileInADirectoryThatAppearsLater() throws {
        let dir = try TempDir()
        let sub = dir.file("sub")
        let log = sub + "/x.log"
        let t = try Tailer(options: options([log]))
        #expect(try t.drain().isEmpty)
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
        append(log, "hello\n")
        #expect(try t.drain().map(\.text) == ["hello"])
    }

    @Test func severalFilesAtOnce() throws {
        let dir = try TempDir()
        let a = dir.file("a.log")
        let b = dir.file("b.log")
        append(a, "")
        let t = try Tailer(options: options([a, b]))
        append(a, "a1\n")
        append(b, "b1\n")
        append(a, "a2\n")
        let got = try t.drain()
        #expect(got.filter { $0.info.pathIndex == 0 }.map(\.text) == ["a1", "a2"])
        #expect(got.filter { $0.info.pathIndex == 1 }.map(\.text) == ["b1"])
    }

    @Test func directoryAtThePathIsIgnored() throws {
        let dir = try TempDir()
        let p = dir.file("notafile")
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: false)
        let t = try Tailer(options: options([p], fromStart: true))
        #expect(try t.drain().isEmpty)
    }

    @Test func fifoAtThePathDoesNotBlock() throws {
        let dir = try TempDir()
        let p = dir.file("fifo")
        #expect(mkfifo(p, 0o600) == 0)
        let t = try Tailer(options: options([p], fromStart: true))
        #expect(try t.drain().isEmpty)
    }
}
