import ReqwatchCore
import ReqwatchInput

/// The line framer over the gzip reader: the input is taken as a (possibly damaged, multi-member) gzip stream read
/// in odd-sized chunks, and also as plain bytes; every line must fit the limit and errors must be values.
struct MemorySource: ByteSource {
    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0
    let chunk: Int
    var origin: InputOrigin { InputOrigin(path: "fuzz") }
    var rawBytesRead: Int64 { Int64(offset) }
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReqwatchError) -> Int {
        let n = min(buffer.count, chunk, bytes.count - offset)
        if n <= 0 { return 0 }
        buffer.copyMemory(from: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[offset..<offset + n])))
        offset += n
        return n
    }
}

func frame<S: ByteSource>(_ source: S, maxLine: Int) {
    var framer = LineFramer(source: source, maxLineLength: maxLine, readSize: 97)
    var lines = 0
    do throws(ReqwatchError) {
        while try framer.readLines(maxLines: 64, { line, info in
            precondition(line.count <= maxLine, "line over the limit")
            precondition(!info.tooLong || line.count == 0)
            lines += 1
        }) {
            if lines > 1_000_000 { break }
        }
    } catch {
        _ = error.description
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let chunk = size > 0 ? Int(bytes[0] % 61) + 1 : 1
    frame(MemorySource(bytes: bytes, chunk: chunk), maxLine: 64)
    // A gzip header is prepended when missing, so mutations reach the deflate data, trailer and member boundaries.
    var gz: [UInt8] = size >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B ? [] : [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]
    gz.append(contentsOf: bytes)
    gz.withUnsafeBufferPointer { p in
        do throws(ReqwatchError) {
            let source = try GzipByteSource(inner: MemorySource(bytes: p, chunk: chunk))
            frame(source, maxLine: 256)
        } catch {
            _ = error.description
        }
    }
    return 0
}
