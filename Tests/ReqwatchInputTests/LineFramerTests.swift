import ReqwatchCore
import ReqwatchInput
import ReqwatchTestSupport
import Testing

@Suite struct LineFramerTests {
    static let chunkings: [[Int]] = [[1], [2], [7], [4096], [3, 1, 65_536, 5], [100_000]]

    @Test(arguments: chunkings)
    func chunkingIsInvisible(_ chunks: [Int]) throws {
        let bytes = sampleBytes(lines: 2_000, seed: 42)
        let expected = referenceFrame(bytes)
        #expect(expected.count == 2_001)
        for batch in [1, 3, 256] {
            let got = try frameAll(ChunkedByteSource(bytes, chunks: chunks), batch: batch)
            #expect(got == expected, "chunks \(chunks) batch \(batch)")
        }
    }

    @Test(arguments: [1 as UInt64, 2, 3, 99])
    func randomChunkingIsInvisible(seed: UInt64) throws {
        let bytes = sampleBytes(lines: 3_000, seed: seed)
        let got = try frameAll(ChunkedByteSource(bytes, chunks: [], seed: seed), batch: 17)
        #expect(got == referenceFrame(bytes))
    }

    @Test(arguments: [1, 7, 4096])
    func smallReadSizeAndLongLinesAcrossChunks(readSize: Int) throws {
        // Lines around the limit (10), with CRLF and chunk sizes that split them everywhere.
        var bytes: [UInt8] = []
        for n in [0, 9, 10, 11, 12, 30, 10, 1] {
            bytes += [UInt8](repeating: UInt8(ascii: "x"), count: n)
            bytes += n % 2 == 0 ? [0x0D, 0x0A] : [0x0A]
        }
        bytes += [UInt8](repeating: UInt8(ascii: "y"), count: 11)  // too long, no final newline
        let expected = referenceFrame(bytes, maxLineLength: 10)
        #expect(expected.map(\.tooLong) == [false, false, false, true, true, true, false, false, true])
        for chunks in [[1], [3], [4096]] {
            var framer = LineFramer(
                source: ChunkedByteSource(bytes, chunks: chunks), maxLineLength: 10, readSize: readSize)
            var got: [FramedLine] = []
            while try framer.readLines(
                maxLines: 2,
                { span, info in
                    got.append(
                        FramedLine(
                            bytes: (0..<span.count).map { span[$0] }, number: info.number,
                            offset: info.byteOffset, tooLong: info.tooLong))
                })
            {}
            #expect(got == expected, "chunks \(chunks) readSize \(readSize)")
            #expect(framer.tooLongLines == 4)
            #expect(framer.linesRead == 9)
            #expect(framer.bytesRead == Int64(bytes.count))
            #expect(framer.bufferCapacity == 10 + 1 + readSize)
        }
    }

    @Test func crlfEmptyLinesAndNoFinalNewline() throws {
        let text = "a\r\n\r\n\nb\rc\r\nlast"
        let got = try frameAll(ChunkedByteSource(Array(text.utf8), chunks: [1]))
        #expect(got.map { String(decoding: $0.bytes, as: UTF8.self) } == ["a", "", "", "b\rc", "last"])
        #expect(got.map(\.number) == [1, 2, 3, 4, 5])
        #expect(got.map(\.offset) == [0, 3, 5, 6, 11])
    }

    @Test func finalNewlineGivesNoExtraLine() throws {
        let got = try frameAll(ChunkedByteSource(Array("x\ny\n".utf8)))
        #expect(got.count == 2)
        #expect(try frameAll(ChunkedByteSource([])).isEmpty)
        #expect(try frameAll(ChunkedByteSource([0x0A])).map(\.bytes) == [[]])
    }

    @Test func nulAndInvalidUTF8AreJustBytes() throws {
        let bytes: [UInt8] = [0x00, 0xFF, 0xFE, 0x0A, 0xC3, 0x28, 0x00, 0x0D, 0x0A, 0x80]
        let got = try frameAll(ChunkedByteSource(bytes, chunks: [2]))
        #expect(got.map(\.bytes) == [[0x00, 0xFF, 0xFE], [0xC3, 0x28, 0x00], [0x80]])
    }

    @Test func longLineIsSkippedCountedAndFollowingLinesAreFine() throws {
        var bytes = Array("first\n".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "z"), count: 1_000_000)
        bytes += Array("\nafter\n".utf8)
        var framer = LineFramer(source: ChunkedByteSource(bytes, chunks: [4096]), maxLineLength: 1_000, readSize: 512)
        var got: [FramedLine] = []
        while try framer.readLines(
            maxLines: 100,
            { span, info in
                got.append(
                    FramedLine(
                        bytes: (0..<span.count).map { span[$0] }, number: info.number,
                        offset: info.byteOffset, tooLong: info.tooLong))
            })
        {}
        #expect(got.count == 3)
        #expect(got[0] == FramedLine(bytes: Array("first".utf8), number: 1, offset: 0, tooLong: false))
        #expect(got[1] == FramedLine(bytes: [], number: 2, offset: 6, tooLong: true))
        #expect(got[2] == FramedLine(bytes: Array("after".utf8), number: 3, offset: 1_000_007, tooLong: false))
        #expect(framer.tooLongLines == 1)
        #expect(framer.bufferCapacity == 1_513)
    }

    @Test func maxLinesIsRespectedAndFalseOnlyAtEnd() throws {
        var framer = LineFramer(source: ChunkedByteSource(Array("1\n2\n3\n4\n5".utf8)))
        var counts: [Int] = []
        var results: [Bool] = []
        for _ in 0..<4 {
            var n = 0
            results.append(try framer.readLines(maxLines: 2) { _, _ in n += 1 })
            counts.append(n)
        }
        #expect(counts == [2, 2, 1, 0])
        #expect(results == [true, true, false, false])
    }

    @Test func sourceErrorComesAfterCompleteLinesWithNextLineNumber() throws {
        let failure = ReqwatchError(
            .gzipTruncated, "gzip stream ends mid-member",
            location: InputLocation(path: "x.gz", byteOffset: 77, offsetIsCompressed: true))
        let bytes = Array("one\ntwo\nthree\npartial".utf8)
        var framer = LineFramer(source: ChunkedByteSource(bytes, chunks: [3], failure: failure))
        var lines: [String] = []
        let error = caught { () throws(ReqwatchError) in
            while try framer.readLines(
                maxLines: 256,
                { span, _ in
                    lines.append(String(decoding: (0..<span.count).map { span[$0] }, as: UTF8.self))
                })
            {}
        }
        #expect(lines == ["one", "two", "three"])
        #expect(error?.code == .gzipTruncated)
        #expect(error?.location?.line == 4)
        #expect(error?.location?.byteOffset == 77)
        #expect(error?.location?.offsetIsCompressed == true)
        #expect(error?.location?.path == "x.gz")
        // After the error the framer reports exhaustion.
        #expect(try framer.readLines(maxLines: 10) { _, _ in } == false)
    }

    @Test func errorWithoutLocationGetsOriginAndLine() throws {
        let failure = ReqwatchError(.io, "read failed")
        var framer = LineFramer(source: ChunkedByteSource(Array("a\n".utf8), failure: failure, path: "p.log"))
        let error = caught { () throws(ReqwatchError) in
            while try framer.readLines(maxLines: 256, { _, _ in }) {}
        }
        #expect(error?.location == InputLocation(path: "p.log", line: 2))
    }
}
