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
