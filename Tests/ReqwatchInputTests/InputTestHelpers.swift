import CZlib
import ReqwatchCore
import ReqwatchInput
import ReqwatchTestSupport

/// One framed line as test data.
struct FramedLine: Equatable, CustomStringConvertible {
    var bytes: [UInt8]
    var number: Int64
    var offset: Int64
    var tooLong: Bool
    var description: String {
        "#\(number)@\(offset)\(tooLong ? " tooLong" : "") \(String(decoding: bytes, as: UTF8.self).debugDescription)"
    }
}

/// Frames everything from `source`, `batch` lines per `readLines` call.
func frameAll<S: ByteSource>(_ source: S, maxLineLength: Int = 65_536, readSize: Int = 65_536, batch: Int = 256)
    throws(ReqwatchError) -> [FramedLine]
{
    var framer = LineFramer(source: source, maxLineLength: maxLineLength, readSize: readSize)
    var out: [FramedLine] = []
    var more = true
    while more {
        var got = 0
        more = try framer.readLines(maxLines: batch) { span, info in
            var b: [UInt8] = []
            b.reserveCapacity(span.count)
            for i in span.indices { b.append(span[i]) }
            out.append(FramedLine(bytes: b, number: info.number, offset: info.byteOffset, tooLong: info.tooLong))
            got += 1
        }
        if more { precondition(got == batch) }
    }
    return out
}

/// Slow reference framer: split at LF, strip one CR, drop the empty piece after a final LF.
func referenceFrame(_ bytes: [UInt8], maxLineLength: Int = 65_536) -> [FramedLine] {
    var out: [FramedLine] = []
    var start = 0
    var number: Int64 = 1
    func emit(_ s: Int, _ e: Int) {
        var piece = Array(bytes[s..<e])
        if piece.last == 0x0D { piece.removeLast() }
        let tooLong = piece.count > maxLineLength
        out.append(FramedLine(bytes: tooLong ? [] : piece, number: number, offset: Int64(s), tooLong: tooLong))
        number += 1
    }
    for (i, b) in bytes.enumerated() where b == 0x0A {
        emit(start, i)
        start = i + 1
    }
    if start < bytes.count { emit(start, bytes.count) }
    return out
}

/// gzip-compresses `data` as one member with zlib (windowBits 31).
func gzipMember(_ data: [UInt8], level: Int32 = 6) -> [UInt8] {
    var stream = z_stream()
    precondition(
        reqwatch_deflateInit2(&stream, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK)
    defer { deflateEnd(&stream) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    var input = data
    input.withUnsafeMutableBufferPointer { inp in
        stream.next_in = inp.baseAddress
        stream.avail_in = UInt32(inp.count)
        var rc: Int32 = Z_OK
        repeat {
            chunk.withUnsafeMutableBufferPointer { c in
                stream.next_out = c.baseAddress
                stream.avail_out = UInt32(c.count)
                rc = deflate(&stream, Z_FINISH)
                out.append(contentsOf: c[0..<(c.count - Int(stream.avail_out))])
            }
        } while rc == Z_OK || rc == Z_BUF_ERROR
        precondition(rc == Z_STREAM_END)
    }
    return out
}

/// Reads a whole source into an array, in reads of `readSize` bytes.
func drain(_ source: inout some ByteSource, readSize: Int = 8192) throws(ReqwatchError) -> [UInt8] {
    var out: [UInt8] = []
    let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: readSize, alignment: 1)
    defer { buf.deallocate() }
    while true {
        let n = try source.read(into: buf)
        if n == 0 { return out }
        out.append(contentsOf: buf[0..<n])
    }
}

/// Runs `body` and returns the ReqwatchError it throws (nil if it does not throw).
func caught<T>(_ body: () throws(ReqwatchError) -> T) -> ReqwatchError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// A generated log-like byte sample: lines of varied length, CRLF, empty lines, NUL and invalid UTF-8.
func sampleBytes(lines: Int, seed: UInt64) -> [UInt8] {
    var rng = SplitMix64(seed: seed)
    var out: [UInt8] = []
    for i in 0..<lines {
        let kind = rng.next() % 10
        let len = Int(rng.next() % 200)
        switch kind {
        case 0: break  // empty line
        case 1: out += [0x00, 0xFF, 0xC3, 0x28, 0x80]  // NUL + invalid UTF-8
        default:
            for j in 0..<len { out.append(UInt8(ascii: "a") + UInt8((i + j) % 26)) }
        }
        if kind == 2 { out.append(0x0D) }
        out.append(0x0A)
    }
    out += Array("last line without newline".utf8)
    return out
}
