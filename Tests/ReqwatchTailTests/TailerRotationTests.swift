import Foundation
import ReqwatchCore
import ReqwatchTail
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct TailerRotationTests {
    @Test func renameAndCreateFinishesTheOldFileFirst() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let w = LogWriter(log)
        let t = try Tailer(options: options([log], rotationGrace: .zero))
        w.write("1\n2\n")
        #expect(try t.drain().map(\.text) == ["1", "2"])
        w.write("3\n")
        moveFile(log, log + ".1")
        w.write("4\n")  // the server has not reopened yet: still the old file
        #expect(try t.drain().map(\.text) == ["3", "4"])
        w.write("5\n")
        w.reopen()  // creates the new access.log
        w.write("6\n7\n")
        let got = try t.drain()
        #expect(got.map(\.text) == ["5", "6", "7"])
        #expect(got[0].info.fileID != got[1].info.fileID)
        #expect(got[1].info.lineNumber == 1)
        #expect(got[1].info.endOffset == 2)
        #expect(t.rotationCount == 1)
        #expect(t.openDescriptorCount <= 2)  // old file closed: the new one has data
    }

    @Test func copyTruncateRecoversTheTailFromTheCopy() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let w = LogWriter(log)
        let t = try Tailer(options: options([log], rotationGrace: .zero))
        w.write("line 1\nline 2\n")
        #expect(try t.drain().map(\.text) == ["line 1", "line 2"])
        w.write("line 3\nline 4\n")  // not read before the rotation
        try copyFile(log, log + ".1")
        truncateFile(log)
        w.write("line 5\n")
        #expect(try t.drain().map(\.text) == ["line 3", "line 4", "line 5"])
        #expect(t.truncationCount == 1)
        w.write("line 6\n")
        #expect(try t.drain().map(\.text) == ["line 6"])
        #expect(t.openDescriptorCount <= 2)
    }

    @Test func truncationDetectedWhenTheFileRegrowsPastOurOffset() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let w = LogWriter(log)
        let t = try Tailer(options: options([log]))
        w.write("aaaa\n")
        #expect(try t.drain().map(\.text) == ["aaaa"])
        truncateFile(log)
        w.write("bbbbbbbbbb\ncc\n")  // larger than before: only the first bytes tell
        #expect(try t.drain().map(\.text) == ["bbbbbbbbbb", "cc"])
        #expect(t.truncationCount == 1)
    }

    @Test func deleteAndRecreate() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let w = LogWriter(log)
        let t = try Tailer(options: options([log], rotationGrace: .zero))
        w.write("1\n")
        #expect(try t.drain().map(\.text) == ["1"])
        removeFile(log)
        w.write("2\n")  // into the deleted file
        #expect(try t.drain().map(\.text) == ["2"])
        w.reopen()
        w.write("3\n")
        #expect(try t.drain().map(\.text) == ["3"])
        #expect(t.openDescriptorCount <= 2)
    }

    @Test func rotatedFileCompressedWhileStillBeingRead() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let w = LogWriter(log)
        let t = try Tailer(options: options([log]))
        w.write("1\n")
        #expect(try t.drain().map(\.text) == ["1"])
        w.write("2\n3\n")
        moveFile(log, log + ".1")
        #expect(try t.drain().map(\.text) == ["2", "3"])  // the tailer now holds the rotated file
        w.write("4\n")
        w.reopen()
        // logrotate's delaycompress-less compress: gzip replaces access.log.1 by access.log.1.gz
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        gzip.arguments = [log + ".1"]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        #expect(!fileExists(log + ".1"))
        w.write("5\n")
        #expect(try t.drain().map(\.text) == ["4", "5"])
    }

    @Test func lateWritesToTheOldFileAfterTheNewOneHasDataAreDelivered() throws {
        // Two workers: one reopened already (writes to the new file), one still writes to the old file.
        let dir = try TempDir()
        let log = dir.file("access.log")
        let early = LogWriter(log)
        let late = LogWriter(log)
        let t = try Tailer(options: options([log], rotationGrace: .seconds(3600)))
        early.write("1\n")
        #expect(try t.drain().map(\.text) == ["1"])
        moveFile(log, log + ".1")
        early.reopen()
        early.write("2\n")
        #expect(try t.drain().map(\.text) == ["2"])
        late.write("3\n")  // the straggler, still on the rotated file
        #expect(try t.drain().map(\.text) == ["3"])
        #expect(t.openDescriptorCount <= 3)
        // A newer rotation closes the waiting file at once.
        moveFile(log, log + ".1")
        early.reopen()
        early.write("4\n")
        #expect(try t.drain().map(\.text) == ["4"])
        #expect(t.openDescriptorCount <= 3)
    }

    @Test func withoutGraceTheOldFileClosesOnceTheNewOneHasData() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let w = LogWriter(log)
        let t = try Tailer(options: options([log], rotationGrace: .zero))
        w.write("1\n")
        _ = try t.drain()
        moveFile(log, log + ".1")
        #expect(try t.drain().isEmpty)
        #expect(t.openDescriptorCount == 2)  // rotated file + inotify: the new file does not exist yet
        w.reopen()
        #expect(try t.drain().isEmpty)
        #expect(t.openDescriptorCount == 3)  // the new file is still empty: keep waiting for the writer
        w.write("2\n")
        #expect(try t.drain().map(\.text) == ["2"])
        #expect(t.openDescriptorCount == 2)
    }

    @Test func unterminatedLastLineOfARotatedFileIsDelivered() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let w = LogWriter(log)
        let t = try Tailer(options: options([log], rotationGrace: .zero))
        w.write("1\nhalf")
        #expect(try t.drain().map(\.text) == ["1"])
        moveFile(log, log + ".1")
        w.reopen()
        w.write("2\n")
        let got = try t.drain()
        #expect(got.map(\.text) == ["half", "2"])
        #expect(got[0].info.endOffset == 6)
    }

    @Test func twoThousandRotationsLeakNoDescriptors() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let w = LogWriter(log)
        let t = try Tailer(options: options([log], rotationGrace: .zero))
        var delivered = 0
        var maxHeld = 0
        var maxInDir = 0
        for i in 0..<2000 {
            w.write("line \(i) a\n")
            delivered += try t.drain().count
            moveFile(log, log + ".1")
            w.write("line \(i) b\n")
            w.reopen()
            delivered += try t.drain().count
            maxHeld = max(maxHeld, t.openDescriptorCount)
            if i % 100 == 0 { maxInDir = max(maxInDir, descriptorsPointing(into: dir.path)) }
        }
        w.write("last\n")
        delivered += try t.drain().count
        #expect(delivered == 4001)
        #expect(t.rotationCount == 2000)
        // current + at most one rotated file waiting for the writer to move on, + the inotify descriptor
        #expect(maxHeld <= 3)
        #expect(t.openDescriptorCount <= 2)
        // the writer's own descriptor + the tailer's (at most 2 files)
        #expect(maxInDir <= 3)
        #expect(descriptorsPointing(into: dir.path) <= 2)
    }
}
