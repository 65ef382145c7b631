import ReqwatchCore
import ReqwatchInput
import ReqwatchTestSupport
import Testing

@Suite struct ThreadedByteSourceTests {
    @Test(arguments: [[1], [7], [4096], [300_000]])
    func sameBytesAsUnthreaded(chunks: [Int]) throws {
        let plain = sampleBytes(lines: 20_000, seed: 11)
        var threaded = try ThreadedByteSource(
            wrapping: ChunkedByteSource(plain, chunks: chunks), slotCount: 3, slotSize: 1000)
        #expect(try drain(&threaded, readSize: 777) == plain)
        #expect(threaded.rawBytesRead == Int64(plain.count))
        // After EOF it keeps saying EOF.
        #expect(try drain(&threaded).isEmpty)
    }

    @Test func gzipThroughThreadFramesIdentically() throws {
        let plain = sampleBytes(lines: 20_000, seed: 12)
        let gz = gzipMember(plain)
        let direct = try frameAll(GzipByteSource(inner: ChunkedByteSource(gz, chunks: [4096])))
        let threaded = try frameAll(
            ThreadedByteSource(wrapping: GzipByteSource(inner: ChunkedByteSource(gz, chunks: [4096]))))
        #expect(threaded == direct)
        #expect(direct == referenceFrame(plain))
    }

    @Test func errorsAreForwardedAfterTheBytesBeforeThem() throws {
        let plain = sampleBytes(lines: 5_000, seed: 13)
        let failure = ReqwatchError(.io, "read failed", location: InputLocation(path: "t", byteOffset: 5))
        let threaded = try ThreadedByteSource(
            wrapping: ChunkedByteSource(plain, chunks: [999], failure: failure), slotCount: 2, slotSize: 4096)
        var got: [UInt8] = []
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 5000, alignment: 1)
        defer { buf.deallocate() }
        let e = caught { () throws(ReqwatchError) in
            while true {
                let n = try threaded.read(into: buf)
                if n == 0 { break }
                got += buf[0..<n]
            }
        }
        #expect(got == plain)
        #expect(e?.code == .io)
        #expect(e?.location?.byteOffset == 5)
        #expect(caught { () throws(ReqwatchError) in try threaded.read(into: buf) }?.code == .io)
    }

    @Test func truncatedGzipThroughThreadKeepsLinesThenError() throws {
        let plain = (1...20_000).flatMap { Array("row \($0)\n".utf8) }
        let gz = gzipMember(plain)
        let cut = Array(gz[0..<(gz.count * 2 / 3)])
        var lines = 0
        var framer = LineFramer(
            source: try ThreadedByteSource(
                wrapping: GzipByteSource(inner: ChunkedByteSource(cut, chunks: [4096]))))
        let e = caught { () throws(ReqwatchError) in
            while try framer.readLines(maxLines: 256, { _, _ in lines += 1 }) {}
        }
        #expect(e?.code == .gzipTruncated)
        #expect(e?.location?.line == Int64(lines + 1))
        #expect(lines > 5_000)
    }

    @Test func droppingEarlyDoesNotHang() throws {
        let plain = sampleBytes(lines: 50_000, seed: 14)
        for _ in 0..<20 {
            let threaded = try ThreadedByteSource(wrapping: ChunkedByteSource(plain), slotCount: 2, slotSize: 512)
            let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 10, alignment: 1)
            defer { buf.deallocate() }
            #expect(try threaded.read(into: buf) > 0)
        }
    }
}
