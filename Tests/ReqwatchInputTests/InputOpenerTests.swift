import Foundation
import ReqwatchCore
import ReqwatchInput
import ReqwatchTestSupport
import Testing

/// A fresh temporary directory for one test.
func makeTempDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reqwatch-input-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func write(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

@Suite struct InputOpenerTests {
    @Test(arguments: [false, true])
    func gzipIsSniffedRegardlessOfName(threaded: Bool) throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plain = sampleBytes(lines: 1_000, seed: 21)
        let gz = gzipMember(plain)
        try write(gz, to: dir + "/disguised.log")
        try write(plain, to: dir + "/plain.gz")
        var a = try InputOpener.open(dir + "/disguised.log", index: 3, threaded: threaded)
        #expect(a.origin == InputOrigin(path: dir + "/disguised.log", index: 3))
        #expect(try drain(&a) == plain)
        #expect(a.rawBytesRead == Int64(gz.count))
        var b = try InputOpener.open(dir + "/plain.gz", index: 0, threaded: threaded)
        #expect(try drain(&b) == plain)
        #expect(InputOpener.fileSize(dir + "/disguised.log") == Int64(gz.count))
        #expect(InputOpener.fileSize(dir) == nil)
        #expect(InputOpener.fileSize("-") == nil)
    }

    @Test func framerAcceptsWhatOpenReturns() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plain = sampleBytes(lines: 500, seed: 23)
        try write(gzipMember(plain), to: dir + "/x.log.gz")
        let source: any ByteSource = try InputOpener.open(dir + "/x.log.gz", index: 1, threaded: true)
        var framer = LineFramer(source: source)
        var lines: [FramedLine] = []
        while try framer.readLines(
            maxLines: 64,
            { span, info in
                lines.append(
                    FramedLine(
                        bytes: (0..<span.count).map { span[$0] }, number: info.number,
                        offset: info.byteOffset, tooLong: info.tooLong))
            })
        {}
        #expect(lines == referenceFrame(plain))
        #expect(framer.source.origin.index == 1)
        #expect(framer.source.rawBytesRead > 0)
    }

    @Test(arguments: [false, true])
    func gzipIsSniffedOnAPipeWrittenByteByByte(threaded: Bool) throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        let plain = sampleBytes(lines: 2_000, seed: 24)
        let gz = gzipMember(plain)
        let writer = Thread {
            let fd = open(fifo, O_WRONLY)
            guard fd >= 0 else { return }
            // The magic arrives in two separate writes; the sniffer must wait for the second byte.
            gz.withUnsafeBytes { p in
                _ = Foundation.write(fd, p.baseAddress!, 1)
                usleep(20_000)
                var off = 1
                while off < p.count {
                    let n = Foundation.write(fd, p.baseAddress! + off, min(4096, p.count - off))
                    if n <= 0 { break }
                    off += n
                }
            }
            close(fd)
        }
        writer.start()
        var source = try InputOpener.open(fifo, index: 0, threaded: threaded)
        #expect(try drain(&source) == plain)
        #expect(source.rawBytesRead == Int64(gz.count))
    }

    @Test func tinyAndEmptyFiles() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write([], to: dir + "/empty")
        try write([0x1f], to: dir + "/one")
        var e = try InputOpener.open(dir + "/empty", index: 0, threaded: false)
        #expect(try drain(&e).isEmpty)
        var o = try InputOpener.open(dir + "/one", index: 0, threaded: false)
        #expect(try drain(&o) == [0x1f])
    }

    @Test func missingFileAndDirectoryAreErrors() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = caught { () throws(ReqwatchError) in
            try InputOpener.open(dir + "/nope", index: 0, threaded: false)
        }
        #expect(missing?.code == .notFound)
        #expect(missing?.location?.path == dir + "/nope")
        let directory = caught { () throws(ReqwatchError) in try InputOpener.open(dir, index: 0, threaded: false) }
        #expect(directory?.code == .io)
    }

    @Test func fileSourceReadsWholeFileInSmallReads() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plain = sampleBytes(lines: 3_000, seed: 22)
        try write(plain, to: dir + "/a.log")
        var source = try FileByteSource(path: dir + "/a.log", origin: InputOrigin(path: "a.log"))
        #expect(try drain(&source, readSize: 13) == plain)
        #expect(source.rawBytesRead == Int64(plain.count))
        #expect(
            try frameAll(FileByteSource(path: dir + "/a.log", origin: InputOrigin(path: "a.log")))
                == referenceFrame(plain))
    }
}
