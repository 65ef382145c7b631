import ReqwatchCore

#if canImport(Glibc)
    import Glibc
#endif

/// Where a framed line sits in its input.
public struct LineInfo: Sendable, Hashable {
    /// 1-based line number (every line counts, including too-long ones).
    public var number: Int64
    /// Offset of the line's first byte in the decompressed stream.
    public var byteOffset: Int64
    /// True when the line exceeded `maxLineLength`: its bytes were skipped and the span is empty.
    public var tooLong: Bool

    /// Memberwise initialiser.
    public init(number: Int64, byteOffset: Int64, tooLong: Bool) {
        self.number = number
        self.byteOffset = byteOffset
        self.tooLong = tooLong
    }
}

/// One reusable buffer of fixed capacity (freed when the last framer copy goes away).
@usableFromInline
final class LineBuffer {
    @usableFromInline let base: UnsafeMutableRawPointer
    @usableFromInline let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { base.deallocate() }
}

/// Splits a `ByteSource` into lines with one fixed buffer, `memchr`, and a roll of the partial line to the front.
///
/// Lines end at LF; a CR before the LF is stripped, and a last line without LF is delivered at end of input (a
/// trailing CR is stripped there too). Bytes are not interpreted: invalid UTF-8 and NUL are just bytes.
/// A line whose content is longer than `maxLineLength` is never buffered: `body` gets an empty span with
/// `info.tooLong == true` once, and its remaining bytes are skipped up to the next LF. Memory is one buffer of
/// `maxLineLength + 1 + readSize` bytes, whatever the input (a multi-gigabyte line included).
///
/// Copies of a framer share the buffer: use one framer per input and do not copy it.
public struct LineFramer<Source: ByteSource> {
    @usableFromInline var state: FramerState
    /// The wrapped source (for `rawBytesRead` progress and `origin`).
    public private(set) var source: Source

    /// Creates a framer over `source`.
    /// - Parameters:
    ///   - maxLineLength: longest accepted line content in bytes (at least 1); longer lines are skipped.
    ///   - readSize: bytes requested from the source per read (at least 1).
    public init(source: Source, maxLineLength: Int = 65_536, readSize: Int = 65_536) {
        self.source = source
        state = FramerState(maxLineLength: max(1, maxLineLength), readSize: max(1, readSize))
    }

    /// Lines delivered so far (too-long lines included).
    public var linesRead: Int64 { state.lineNumber - 1 }
    /// Decompressed bytes read from the source so far.
    public var bytesRead: Int64 { state.bytesRead }
    /// Lines skipped for exceeding `maxLineLength`.
    public var tooLongLines: Int64 { state.tooLongLines }
    /// Size of the one line buffer; it never grows.
    public var bufferCapacity: Int { state.buffer.capacity }

    /// Calls `body` for up to `maxLines` lines (LF or CRLF stripped; a last line without newline is delivered at EOF).
    ///
    /// A line longer than maxLineLength is NOT buffered: its bytes are skipped up to the next newline and body gets an
    /// empty span with info.tooLong = true (exactly once per such line). Returns false when the input is exhausted
    /// (no more lines will come), true when `maxLines` lines were delivered and more may follow.
    /// The span is valid only during the call to `body`. A `maxLines` below 1 delivers nothing and returns true.
    /// - Throws: the source's error once every complete line before it has been delivered, with its location's `line`
    ///   set to the next line number (the source's byte offset is kept). Later calls return false.
    public mutating func readLines(maxLines: Int, _ body: (Span<UInt8>, LineInfo) -> Void) throws(ReqwatchError)
        -> Bool
    {
        var delivered = 0
        while delivered < maxLines {
            switch state.scan(maxLines: maxLines - delivered, body) {
            case .delivered(let n):
                delivered += n
            case .exhausted:
                return false
            case .needInput:
                let free = state.prepareRead()
                let n: Int
                do {
                    n = try source.read(into: free)
                } catch {
                    state.failed = true
                    var e = error
                    if e.location == nil { e.location = InputLocation(path: source.origin.path) }
                    e.location?.line = state.lineNumber
                    throw e
                }
                state.commitRead(n)
            }
        }
        return true
    }
}

/// The non-generic part of `LineFramer`: buffer bookkeeping and the scan loop.
@usableFromInline
struct FramerState {
    enum ScanResult {
        case delivered(Int)
        case needInput
        case exhausted
    }

    @usableFromInline let buffer: LineBuffer
    let maxLineLength: Int
    let readSize: Int
    /// Unconsumed bytes are `start..<end`; `scanFrom` is where the LF search resumes (no LF in `start..<scanFrom`).
    var start = 0
    var end = 0
    var scanFrom = 0
    /// Absolute decompressed offset of `buffer.base[0]`.
    var baseOffset: Int64 = 0
    /// Number of the next line to deliver.
    @usableFromInline var lineNumber: Int64 = 1
    @usableFromInline var bytesRead: Int64 = 0
    @usableFromInline var tooLongLines: Int64 = 0
    /// Inside a too-long line (already reported): discard up to the next LF.
    var skipping = false
    var atEnd = false
    var failed = false

    init(maxLineLength: Int, readSize: Int) {
        self.maxLineLength = maxLineLength
        self.readSize = readSize
        buffer = LineBuffer(capacity: maxLineLength + 1 + readSize)
    }

    /// Delivers up to `maxLines` complete lines from the buffer; says what it needs next.
    mutating func scan(maxLines: Int, _ body: (Span<UInt8>, LineInfo) -> Void) -> ScanResult {
        if failed { return .exhausted }
        let base = buffer.base.assumingMemoryBound(to: UInt8.self)
        var delivered = 0
        var start = self.start
        var scanFrom = self.scanFrom
        let end = self.end
        defer {
            self.start = start
            self.scanFrom = scanFrom
            self.lineNumber += Int64(delivered)
        }
        if skipping {
            if start < end, let nl = memchr(base + start, 0x0A, end - start) {
                start = base.distance(to: nl.assumingMemoryBound(to: UInt8.self)) + 1
                scanFrom = start
                skipping = false
            } else {
                start = end
                scanFrom = end
                return atEnd ? .exhausted : .needInput
            }
        }
        let limit = maxLineLength
        while delivered < maxLines {
            guard scanFrom < end, let hit = memchr(base + scanFrom, 0x0A, end - scanFrom) else { break }
            let nl = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            var lineEnd = nl
            if lineEnd > start && base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let length = lineEnd - start
            let number = lineNumber + Int64(delivered)
            let offset = baseOffset + Int64(start)
            if length > limit {
                tooLongLines += 1
                body(
                    UnsafeBufferPointer(start: base + start, count: 0).span,
                    LineInfo(number: number, byteOffset: offset, tooLong: true))
            } else {
                body(
                    UnsafeBufferPointer(start: base + start, count: length).span,
                    LineInfo(number: number, byteOffset: offset, tooLong: false))
            }
            delivered += 1
            start = nl + 1
            scanFrom = start
        }
        if delivered == maxLines { return .delivered(delivered) }
        // No LF in start..<end.
        scanFrom = end
        let partial = end - start
        if partial > limit + 1 {
            // Too long whatever comes next (at most one CR can be stripped): report now, skip the rest.
            tooLongLines += 1
            body(
                UnsafeBufferPointer(start: base + start, count: 0).span,
                LineInfo(number: lineNumber + Int64(delivered), byteOffset: baseOffset + Int64(start), tooLong: true))
            delivered += 1
            start = end
            skipping = true
            return .delivered(delivered)
        }
        if atEnd {
            if partial > 0 {
                var length = partial
                if base[end - 1] == 0x0D { length -= 1 }
                let info = LineInfo(
                    number: lineNumber + Int64(delivered), byteOffset: baseOffset + Int64(start),
                    tooLong: length > limit)
                if info.tooLong { tooLongLines += 1 }
                body(
                    UnsafeBufferPointer(start: base + start, count: info.tooLong ? 0 : length).span,
                    info)
                delivered += 1
                start = end
                return .delivered(delivered)
            }
            return delivered > 0 ? .delivered(delivered) : .exhausted
        }
        return delivered > 0 ? .delivered(delivered) : .needInput
    }

    /// Rolls the partial line to the front and returns the free space to read into.
    mutating func prepareRead() -> UnsafeMutableRawBufferPointer {
        let base = buffer.base
        if start == end {
            baseOffset += Int64(end)
            start = 0
            end = 0
        } else if start > 0 {
            let keep = end - start
            memmove(base, base + start, keep)
            baseOffset += Int64(start)
            start = 0
            end = keep
        }
        scanFrom = end
        return UnsafeMutableRawBufferPointer(start: base + end, count: buffer.capacity - end)
    }

    /// Records `n` bytes read into the free space (0 = end of input).
    mutating func commitRead(_ n: Int) {
        if n == 0 {
            atEnd = true
        } else {
            end += n
            bytesRead += Int64(n)
        }
    }
}
