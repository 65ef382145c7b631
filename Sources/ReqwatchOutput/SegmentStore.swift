import CZlib
import ReqwatchCore

#if canImport(Glibc)
    import Glibc
#endif

/// A crash-safe store of redacted records: gzip-compressed JSON Lines segments in one directory.
///
/// A segment is written to `.segment-<pid>-<n>.tmp` (created `O_EXCL`, mode 0600), and only when complete is
/// it flushed (`fsync`), linked to `records-<UTC start yyyyMMddTHHmmss>-<seq>.jsonl.gz` (never replacing an
/// existing file), the temporary name removed and the directory `fsync`ed. A crash therefore leaves either
/// a complete segment or a `.tmp` file, and `init` deletes leftover `.tmp` files: a torn segment never appears.
/// For `tail`, which resumes where it stopped, `checkpoint()` makes what was appended so far durable (a zlib sync
/// flush and `fsync`) before read positions are saved, and `init(recoverUnfinished: true)` turns a leftover `.tmp`
/// file into a complete segment holding its lines up to the last whole one, so a `kill -9` loses no stored record.
/// Segments rotate when their uncompressed size would pass `maxSegmentBytes` or their event-time span reaches
/// `maxSegmentSeconds`. The store only ever receives redacted bytes.
public final class SegmentStore {
    public let directory: String
    public let maxSegmentBytes: Int
    public let maxSegmentSeconds: Int64
    /// Names of the segments completed by this store, in order.
    public private(set) var completedSegments: [String] = []
    /// Unfinished segments left by a crash that `init(recoverUnfinished: true)` published, and their lines.
    public private(set) var recoveredSegments = 0
    public private(set) var recoveredLines = 0

    private var stream: UnsafeMutablePointer<z_stream>?
    private var fd: Int32 = -1
    private var tmpPath = ""
    private var segmentStart = Timestamp.unknown
    private var segmentBytes = 0
    private var tmpCounter = 0
    private var outBuffer = [UInt8](repeating: 0, count: 256 << 10)

    /// Opens (creating it with mode 0700 if needed) the store directory and deletes leftover `.tmp` files.
    /// - Throws: `.io` when the directory cannot be created, listed or cleaned.
    /// With `recoverUnfinished`, leftover `.tmp` files are salvaged (see the type's documentation) instead of deleted.
    public init(directory: String, maxSegmentBytes: Int = 64 << 20, maxSegmentSeconds: Int64 = 3600,
                recoverUnfinished: Bool = false) throws(ReqwatchError) {
        self.directory = directory
        self.maxSegmentBytes = max(1, maxSegmentBytes)
        self.maxSegmentSeconds = max(1, maxSegmentSeconds)
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw ReqwatchError(.io, "cannot create store directory \(directory)", errno: errno)
        }
        guard let dir = opendir(directory) else {
            throw ReqwatchError(.io, "cannot open store directory \(directory)", errno: errno)
        }
        var leftovers: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name.hasPrefix(".segment-") && name.hasSuffix(".tmp") { leftovers.append(name) }
        }
        closedir(dir)
        for name in leftovers.sorted() {
            if recoverUnfinished { try recover(directory + "/" + name) }
            if unlink(directory + "/" + name) != 0 && errno != ENOENT {
                throw ReqwatchError(.io, "cannot remove unfinished segment \(directory)/\(name)", errno: errno)
            }
        }
        if !leftovers.isEmpty { try syncDirectory() }
    }

    deinit {
        // Best effort: a store dropped without close() still completes its segment.
        try? close()
    }

    /// Appends complete JSON lines (already redacted) whose first record has `eventTime`.
    /// Rotates first when the segment is full or `eventTime` is `maxSegmentSeconds` past its start.
    /// - Throws: `.output` on a write, compression or sync failure; the open segment is then discarded (its
    ///   records are lost, nothing torn is published) and the next append starts a new segment.
    public func append(_ jsonLines: borrowing [UInt8], eventTime: Timestamp) throws(ReqwatchError) {
        if jsonLines.isEmpty { return }
        if fd >= 0 {
            let span = eventTime == .unknown || segmentStart == .unknown
                ? 0 : abs(eventTime.seconds - segmentStart.seconds)
            if segmentBytes > 0 && (segmentBytes + jsonLines.count > maxSegmentBytes || span >= maxSegmentSeconds) {
                try finishSegment()
            }
        }
        if fd < 0 { try openSegment(start: eventTime) }
        if segmentStart == .unknown { segmentStart = eventTime }
        do {
            try jsonLines.withUnsafeBufferPointer { (b) throws(ReqwatchError) in try deflateChunk(b, flush: Z_NO_FLUSH) }
        } catch {
            // A segment that failed mid-write (disk full, I/O error) is dropped whole, never published torn;
            // the next append starts a new one.
            abandonSegment()
            throw error
        }
        segmentBytes += jsonLines.count
    }

    /// Makes every line appended so far durable in the open segment (zlib sync flush, then `fsync`), so that
    /// `init(recoverUnfinished: true)` finds them after a crash. `tail` calls it before saving read positions.
    /// - Throws: `.output` on a write or sync failure (the segment is then abandoned, as for `append`).
    public func checkpoint() throws(ReqwatchError) {
        guard fd >= 0, stream != nil, segmentBytes > 0 else { return }
        do {
            try deflateChunk(UnsafeBufferPointer(start: nil, count: 0), flush: Z_SYNC_FLUSH)
        } catch {
            abandonSegment()
            throw error
        }
        if fsync(fd) != 0 {
            let e = errno
            abandonSegment()
            throw ReqwatchError(.output, "cannot sync segment in \(directory)", errno: e)
        }
    }

    /// Inflates a leftover segment as far as it goes and publishes its complete lines as a finished segment.
    /// A file that yields no complete line is just removed by the caller.
    private func recover(_ path: String) throws(ReqwatchError) {
        let fdIn = open(path, O_RDONLY | O_CLOEXEC)
        guard fdIn >= 0 else { return }
        defer { Glibc.close(fdIn) }
        var compressed: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while compressed.count < 4 * maxSegmentBytes + (1 << 20) {
            let n = chunk.withUnsafeMutableBytes { read(fdIn, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            compressed.append(contentsOf: chunk[0..<n])
        }
        var text = Self.inflatePrefix(compressed, limit: maxSegmentBytes + maxSegmentBytes / 4 + (1 << 20))
        guard let lastNewline = text.lastIndex(of: 0x0A) else { return }
        text.removeSubrange((lastNewline + 1)...)
        var lines = 0
        for b in text where b == 0x0A { lines += 1 }
        try openSegment(start: Self.firstTimestamp(text))
        do {
            try text.withUnsafeBufferPointer { (b) throws(ReqwatchError) in try deflateChunk(b, flush: Z_NO_FLUSH) }
        } catch {
            abandonSegment()
            throw error
        }
        segmentBytes = text.count
        try finishSegment()
        recoveredSegments += 1
        recoveredLines += lines
    }

    /// The decompressed bytes of a gzip stream as far as it can be read (a cut-off or damaged tail is dropped),
    /// at most about `limit` bytes.
    static func inflatePrefix(_ input: [UInt8], limit: Int) -> [UInt8] {
        var out: [UInt8] = []
        let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        s.initialize(to: z_stream())
        defer { s.deallocate() }
        guard reqwatch_inflateInit2(s, 31) == Z_OK else { return [] }
        defer { inflateEnd(s) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        input.withUnsafeBufferPointer { inp in
            s.pointee.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
            s.pointee.avail_in = UInt32(inp.count)
            while out.count < limit {
                let (rc, produced) = buffer.withUnsafeMutableBufferPointer { b -> (Int32, Int) in
                    s.pointee.next_out = b.baseAddress
                    s.pointee.avail_out = UInt32(b.count)
                    let rc = inflate(s, Z_NO_FLUSH)
                    return (rc, b.count - Int(s.pointee.avail_out))
                }
                out.append(contentsOf: buffer[0..<produced])
                if rc != Z_OK || (produced == 0 && s.pointee.avail_in == 0) { break }
            }
        }
        return out
    }

    /// The `@timestamp` of the first record (`{"@timestamp":"2024-05-01T10:00:00.000Z",…`), for the segment name.
    static func firstTimestamp(_ text: [UInt8]) -> Timestamp {
        let prefix = Array("{\"@timestamp\":\"".utf8)
        guard text.count >= prefix.count + 19, Array(text[0..<prefix.count]) == prefix else { return .unknown }
        let d = Array(text[prefix.count..<(prefix.count + 19)])
        func num(_ a: Int, _ n: Int) -> Int? {
            var v = 0
            for k in a..<(a + n) {
                guard d[k] >= 0x30 && d[k] <= 0x39 else { return nil }
                v = v * 10 + Int(d[k] - 0x30)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let day = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
              let sec = num(17, 2), (1...12).contains(mo), (1...31).contains(day) else { return .unknown }
        return Timestamp.from(year: y, month: mo, day: day, hour: h, minute: mi, second: sec)
    }


    /// Completes the open segment, if any. The store can be appended to again afterwards.
    /// - Throws: `.output` on a write or sync failure.
    public func close() throws(ReqwatchError) {
        if fd >= 0 { try finishSegment() }
    }

    // MARK: - Segments

    private func openSegment(start: Timestamp) throws(ReqwatchError) {
        while true {
            tmpCounter += 1
            tmpPath = "\(directory)/.segment-\(getpid())-\(tmpCounter).tmp"
            fd = open(tmpPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 { break }
            if errno != EEXIST { throw ReqwatchError(.output, "cannot create segment in \(directory)", errno: errno) }
        }
        let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        s.initialize(to: z_stream())
        let rc = reqwatch_deflateInit2(s, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY)
        guard rc == Z_OK else {
            s.deallocate()
            abandonSegment()
            throw ReqwatchError(.output, "cannot start gzip compression for \(directory)")
        }
        stream = s
        segmentStart = start
        segmentBytes = 0
    }

    private func deflateChunk(_ input: UnsafeBufferPointer<UInt8>, flush: Int32) throws(ReqwatchError) {
        guard let s = stream else { return }
        s.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        s.pointee.avail_in = UInt32(input.count)
        var done = false
        while !done {
            let produced: Int
            let rc: Int32
            (rc, produced) = outBuffer.withUnsafeMutableBufferPointer { out in
                s.pointee.next_out = out.baseAddress
                s.pointee.avail_out = UInt32(out.count)
                let rc = deflate(s, flush)
                return (rc, out.count - Int(s.pointee.avail_out))
            }
            guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else {
                throw ReqwatchError(.output, "gzip compression failed for a segment in \(directory)")
            }
            if produced > 0 { try writeAll(count: produced) }
            if flush == Z_FINISH {
                done = rc == Z_STREAM_END
            } else {
                done = s.pointee.avail_in == 0 && s.pointee.avail_out != 0
            }
        }
    }

    private func writeAll(count: Int) throws(ReqwatchError) {
        var off = 0
        while off < count {
            let w = outBuffer.withUnsafeBytes { buf -> Int in
                guard let base = buf.baseAddress, count <= buf.count else { return 0 }
                return write(fd, base + off, count - off)
            }
            if w == 0 { throw ReqwatchError(.output, "cannot write segment in \(directory)") }
            if w < 0 {
                if errno == EINTR { continue }
                throw ReqwatchError(.output, "cannot write segment in \(directory)", errno: errno)
            }
            off += w
        }
    }

    private func finishSegment() throws(ReqwatchError) {
        do {
            try deflateChunk(UnsafeBufferPointer(start: nil, count: 0), flush: Z_FINISH)
        } catch {
            abandonSegment()
            throw error
        }
        if let s = stream {
            deflateEnd(s)
            s.deallocate()
            stream = nil
        }
        if fsync(fd) != 0 {
            let e = errno
            abandonSegment()
            throw ReqwatchError(.output, "cannot sync segment in \(directory)", errno: e)
        }
        Glibc.close(fd)
        fd = -1
        let stamp = Self.stamp(segmentStart)
        var seq = 0
        while true {
            let name = "records-\(stamp)-\(String(repeating: "0", count: max(0, 4 - String(seq).count)))\(seq).jsonl.gz"
            let finalPath = directory + "/" + name
            if link(tmpPath, finalPath) == 0 {
                unlink(tmpPath)
                completedSegments.append(name)
                break
            }
            if errno != EEXIST {
                let e = errno
                abandonSegment()
                throw ReqwatchError(.output, "cannot publish segment \(finalPath)", errno: e)
            }
            seq += 1
        }
        tmpPath = ""
        segmentBytes = 0
        segmentStart = .unknown
        try syncDirectory()
    }

    private func abandonSegment() {
        if let s = stream {
            deflateEnd(s)
            s.deallocate()
            stream = nil
        }
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        if !tmpPath.isEmpty { unlink(tmpPath) }
        tmpPath = ""
        segmentBytes = 0
        segmentStart = .unknown
    }

    private func syncDirectory() throws(ReqwatchError) {
        let d = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard d >= 0 else { throw ReqwatchError(.output, "cannot open store directory \(directory)", errno: errno) }
        defer { Glibc.close(d) }
        if fsync(d) != 0 && errno != EINVAL {
            throw ReqwatchError(.output, "cannot sync store directory \(directory)", errno: errno)
        }
    }

    /// `yyyyMMddTHHmmss` in UTC (`00000000T000000` for an unknown time).
    static func stamp(_ t: Timestamp) -> String {
        if t == .unknown { return "00000000T000000" }
        let c = t.civil
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        return "\(pad(c.year, 4))\(pad(c.month, 2))\(pad(c.day, 2))T\(pad(c.hour, 2))\(pad(c.minute, 2))\(pad(c.second, 2))"
    }
}
