import ReqwatchCore

/// Bytes of one input, decompressed, in order. Every diagnostic names `origin`.
///
/// A source is read front to back exactly once. `read(into:)` fills at most `buffer.count` bytes and returns how
/// many it wrote; it returns 0 only at end of input (or when `buffer` is empty). Errors carry an `InputLocation`
/// naming `origin.path` and, where known, a byte offset; the `LineFramer` adds the line number.
public protocol ByteSource {
    /// The input this source reads (path as the user gave it, and its position in the input list).
    var origin: InputOrigin { get }
    /// Raw bytes consumed from the underlying file/pipe so far (compressed bytes for gzip) — for progress bars.
    var rawBytesRead: Int64 { get }
    /// Reads up to `buffer.count` bytes; 0 means end of input.
    /// - Throws: `.io` for system-call failures, `.gzipCorrupt` / `.gzipTruncated` for damaged gzip data.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReqwatchError) -> Int
}
