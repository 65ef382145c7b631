import CZlib
import ReqwatchCore

/// Streaming gzip decompression of another `ByteSource`, member after member (`cat a.gz b.gz` is one stream).
///
/// Memory is bounded whatever the data: one 256 KiB input buffer plus zlib's fixed state; output goes straight into
/// the caller's buffer, so a "gzip bomb" costs time, not memory. The `z_stream` is allocated once so its address
/// stays fixed, and released with `inflateEnd` in `deinit`.
///
/// Errors (locations carry the compressed byte offset, `offsetIsCompressed: true`):
/// - `.gzipTruncated` when the input ends inside a member (zlib itself reports nothing for that case);
/// - `.gzipCorrupt` for damaged data, a bad checksum, or bytes after a member that do not start a new member.
/// After an error every later `read` throws the same error.
public final class GzipByteSource<Inner: ByteSource>: ByteSource {
    /// Size of the compressed-input buffer.
    public static var inputBufferSize: Int { 256 * 1024 }

    /// The input this source reads (the origin of `inner`).
    public var origin: InputOrigin { inner.origin }
    /// Compressed bytes consumed from `inner` so far.
    public var rawBytesRead: Int64 { inner.rawBytesRead }
    /// The wrapped compressed source.
    public private(set) var inner: Inner

    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var initialized = false
    /// Compressed bytes handed to zlib so far (sum of inner reads).
    private var compressedFed: Int64 = 0
    private var innerAtEnd = false
    /// True after `Z_STREAM_END` until the next member's first byte arrives.
    private var memberEnded = false
    /// Members that ended cleanly, and where the current member starts and its first byte (to tell trailing
    /// garbage from a truncated member at end of input).
    private var membersCompleted = 0
    private var memberStart: Int64 = 0
    private var memberFirstByte: UInt8 = 0x1f
    private var finished = false
    private var failure: ReqwatchError?

    /// Wraps `inner`, whose bytes must be gzip data (one or more members).
    /// - Throws: `.io` if zlib cannot be initialised (out of memory).
    public init(inner: Inner) throws(ReqwatchError) {
        self.inner = inner
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.inputBufferSize, alignment: 16)
        let rc = reqwatch_inflateInit2(stream, 15 + 16)
        guard rc == Z_OK else {
            throw ReqwatchError(.io, "cannot initialise gzip decoder", location: InputLocation(path: inner.origin.path))
        }
        initialized = true
    }

    deinit {
        if initialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    private var consumedOffset: Int64 { compressedFed - Int64(stream.pointee.avail_in) }

    private func fail(_ code: ReqwatchError.Code, _ message: String, at offset: Int64) -> ReqwatchError {
        let e = ReqwatchError(
            code, message, location: InputLocation(path: origin.path, byteOffset: offset, offsetIsCompressed: true))
        failure = e
        return e
    }

    /// Inflates into `buffer`; returns 0 only after the last member ended cleanly at end of input.
    /// - Throws: `.gzipTruncated`, `.gzipCorrupt`, or the inner source's error (forwarded unchanged).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReqwatchError) -> Int {
        if let failure { throw failure }
        guard let out = buffer.baseAddress, buffer.count > 0, !finished else { return 0 }
        let outCount = UInt32(clamping: buffer.count)
        while true {
            if stream.pointee.avail_in == 0 && !innerAtEnd {
                let n: Int
                do {
                    n = try inner.read(into: input)
                } catch {
                    failure = error
                    throw error
                }
                if n == 0 {
                    innerAtEnd = true
                } else {
                    compressedFed += Int64(n)
                    stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_in = UInt32(n)
                }
            }
            if stream.pointee.avail_in == 0 && innerAtEnd {
                if memberEnded {
                    finished = true
                    return 0
                }
                if membersCompleted > 0 && (memberFirstByte != 0x1f || compressedFed - memberStart < 2) {
                    throw fail(.gzipCorrupt, "unexpected bytes after a gzip member", at: memberStart)
                }
                throw fail(.gzipTruncated, "gzip stream ends mid-member", at: compressedFed)
            }
            if memberEnded {
                // More bytes follow a finished member: they must be another member.
                inflateReset(stream)
                memberEnded = false
                memberStart = consumedOffset
                memberFirstByte = stream.pointee.next_in?.pointee ?? 0
            }
            stream.pointee.next_out = out.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = outCount
            let rc = inflate(stream, Z_NO_FLUSH)
            let produced = Int(outCount - stream.pointee.avail_out)
            switch rc {
            case Z_OK, Z_BUF_ERROR:
                if produced == 0 && stream.pointee.avail_in > 0 && stream.pointee.avail_out > 0 {
                    // zlib made no progress with input and room available: never spin.
                    throw fail(.gzipCorrupt, "gzip decoder made no progress", at: consumedOffset)
                }
            case Z_STREAM_END:
                memberEnded = true
                membersCompleted += 1
            case Z_DATA_ERROR, Z_NEED_DICT:
                throw fail(.gzipCorrupt, "gzip data is corrupt", at: consumedOffset)
            case Z_MEM_ERROR:
                throw fail(.io, "out of memory while decompressing gzip", at: consumedOffset)
            default:
                throw fail(.gzipCorrupt, "gzip decoder failed", at: consumedOffset)
            }
            if produced > 0 { return produced }
        }
    }
}
