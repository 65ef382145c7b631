import ReqwatchCore
import ReqwatchInput
import ReqwatchTestSupport
import Testing

@Suite struct GzipByteSourceTests {
    @Test func singleMemberRoundTrips() throws {
        let plain = sampleBytes(lines: 5_000, seed: 7)
        let gz = gzipMember(plain)
        for chunks in [[1], [7], [4096], [1 << 20]] {
            var source = try GzipByteSource(inner: ChunkedByteSource(gz, chunks: chunks))
            #expect(try drain(&source, readSize: 1000) == plain, "chunks \(chunks)")
            #expect(source.rawBytesRead == Int64(gz.count))
        }
    }

    @Test func framedLinesMatchPlain() throws {
        let plain = sampleBytes(lines: 5_000, seed: 8)
        let got = try frameAll(GzipByteSource(inner: ChunkedByteSource(gzipMember(plain), chunks: [333])))
        #expect(got == referenceFrame(plain))
    }

    @Test func multiMemberIsOneStream() throws {
        let a = Array("alpha\nbeta\n".utf8)
        let b = Array("gamma\n".utf8)
        let c = sampleBytes(lines: 100, seed: 3)
        let gz = gzipMember(a) + gzipMember(b) + gzipMember([]) + gzipMember(c)
        for chunks in [[1], [5], [4096]] {
            var source = try GzipByteSource(inner: ChunkedByteSource(gz, chunks: chunks))
            #expect(try drain(&source) == a + b + c, "chunks \(chunks)")
        }
    }

    @Test func truncatedStreamThrowsAfterEarlierLines() throws {
        let plain = (1...20_000).flatMap { Array("line number \($0) with some text\n".utf8) }
        let gz = gzipMember(plain)
        let cut = Array(gz[0..<(gz.count / 2)])
        var lines: [FramedLine] = []
        var framer = LineFramer(source: try GzipByteSource(inner: ChunkedByteSource(cut, chunks: [1000])))
        let error = caught { () throws(ReqwatchError) in
            while try framer.readLines(
                maxLines: 256,
                { span, info in
                    lines.append(
                        FramedLine(
                            bytes: (0..<span.count).map { span[$0] }, number: info.number,
                            offset: info.byteOffset, tooLong: false))
                })
            {}
        }
        let e = try #require(error)
        #expect(e.code == .gzipTruncated)
        #expect(e.location?.offsetIsCompressed == true)
        #expect(e.location?.byteOffset == Int64(cut.count))
        #expect(e.location?.line == Int64(lines.count + 1))
        #expect(lines.count > 1_000)
        // Every delivered line is an exact prefix of the real data.
        #expect(lines == Array(referenceFrame(plain).prefix(lines.count)))
    }

    @Test func truncatedInsideHeaderOrTrailer() throws {
        let gz = gzipMember(Array("hello\n".utf8))
        for keep in [1, 5, gz.count - 3] {
            var source = try GzipByteSource(inner: ChunkedByteSource(Array(gz[0..<keep])))
            let e = caught { () throws(ReqwatchError) in try drain(&source) }
            #expect(e?.code == .gzipTruncated, "keep \(keep)")
        }
    }

    @Test(arguments: [0.3, 0.5, 0.8])
    func corruptStreamThrowsCorrupt(at fraction: Double) throws {
        let plain = (1...20_000).flatMap { Array("GET /api/items/\($0) HTTP/1.1 200\n".utf8) }
        var gz = gzipMember(plain)
        let at = Int(Double(gz.count) * fraction)
        for i in at..<(at + 16) { gz[i] ^= 0x5A }
        var source = try GzipByteSource(inner: ChunkedByteSource(gz, chunks: [4096]))
        let e = caught { () throws(ReqwatchError) in try drain(&source) }
        #expect(e?.code == .gzipCorrupt)
        #expect(e?.location?.offsetIsCompressed == true)
        let offset = try #require(e?.location?.byteOffset)
        #expect(offset > 0 && offset <= Int64(gz.count))
        // Reading again keeps failing rather than crashing or restarting.
        #expect(caught { () throws(ReqwatchError) in try drain(&source) }?.code == .gzipCorrupt)
    }

    @Test func badChecksumIsCorrupt() throws {
        var gz = gzipMember(Array("payload\n".utf8))
        gz[gz.count - 6] ^= 0xFF  // CRC32 in the trailer
        var source = try GzipByteSource(inner: ChunkedByteSource(gz))
        #expect(caught { () throws(ReqwatchError) in try drain(&source) }?.code == .gzipCorrupt)
    }

    @Test(arguments: [Array("garbage after the member".utf8), [0x0A], [0x00, 0x00, 0x00, 0x00]])
    func garbageAfterMemberIsCorrupt(garbage: [UInt8]) throws {
        let member = gzipMember(Array("ok\n".utf8))
        let source = try GzipByteSource(inner: ChunkedByteSource(member + garbage))
        var got: [UInt8] = []
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 1)
        defer { buf.deallocate() }
        let e = caught { () throws(ReqwatchError) in
            while true {
                let n = try source.read(into: buf)
                if n == 0 { break }
                got += buf[0..<n]
            }
        }
        #expect(got == Array("ok\n".utf8))
        #expect(e?.code == .gzipCorrupt)
        let offset = try #require(e?.location?.byteOffset)
        #expect(offset >= Int64(member.count) && offset <= Int64(member.count + garbage.count))
    }

    @Test func gzipBombIsReadInBoundedMemory() throws {
        // 200 MB of 'a' with no newline compresses to ~200 KB; the framer must skip it with a fixed buffer.
        let size = 200 * 1024 * 1024
        let bomb = gzipMember([UInt8](repeating: UInt8(ascii: "a"), count: size) + Array("\nend\n".utf8), level: 9)
        #expect(bomb.count < 1_000_000)
        var framer = LineFramer(source: try GzipByteSource(inner: ChunkedByteSource(bomb, chunks: [65_536])))
        let capacity = framer.bufferCapacity
        var lines: [FramedLine] = []
        while try framer.readLines(
            maxLines: 256,
            { span, info in
                lines.append(
                    FramedLine(
                        bytes: (0..<span.count).map { span[$0] }, number: info.number,
                        offset: info.byteOffset, tooLong: info.tooLong))
            })
        {}
        #expect(
            lines == [
                FramedLine(bytes: [], number: 1, offset: 0, tooLong: true),
                FramedLine(bytes: Array("end".utf8), number: 2, offset: Int64(size) + 1, tooLong: false),
            ])
        #expect(framer.tooLongLines == 1)
        #expect(framer.bytesRead == Int64(size) + 5)
        #expect(framer.bufferCapacity == capacity)
        #expect(capacity == 65_536 + 1 + 65_536)
    }

    @Test func seededDamageNeverCrashesAndNeverLies() throws {
        let plain = sampleBytes(lines: 300, seed: 31)
        let gz = gzipMember(plain) + gzipMember(Array("second member\n".utf8))
        let whole = plain + Array("second member\n".utf8)
        var rng = SplitMix64(seed: 2026)
        var outcomes: [String: Int] = [:]
        for round in 0..<300 {
            var damaged = gz
            if round % 3 == 0 {
                damaged = Array(damaged.prefix(Int(rng.next() % UInt64(gz.count))))
            } else {
                for _ in 0...(rng.next() % 4) {
                    let i = Int(rng.next() % UInt64(damaged.count))
                    damaged[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                }
            }
            var source = try GzipByteSource(inner: ChunkedByteSource(damaged, chunks: [], seed: UInt64(round)))
            var got: [UInt8] = []
            let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 1000, alignment: 1)
            defer { buf.deallocate() }
            let e = caught { () throws(ReqwatchError) in
                while true {
                    let n = try source.read(into: buf)
                    if n == 0 { break }
                    got += buf[0..<n]
                }
            }
            if let e {
                #expect(e.code == .gzipCorrupt || e.code == .gzipTruncated)
                #expect(e.location?.offsetIsCompressed == true)
                outcomes[e.code.description, default: 0] += 1
            } else {
                // Damage only in ignored header fields (mtime, OS): the data must still be exact.
                #expect(got == whole)
                outcomes["ok", default: 0] += 1
            }
            // Whatever happened, what came out is a prefix of the real data or differs only near the damage;
            // zlib may emit a little garbage before it detects corruption, but never more bytes than exist.
            #expect(got.count <= whole.count + 65_536)
        }
        #expect(outcomes["gzip-truncated", default: 0] > 0)
        #expect(outcomes["gzip-corrupt", default: 0] > 0)
    }
}
