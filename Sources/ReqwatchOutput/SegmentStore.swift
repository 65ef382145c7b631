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
/// Segments rotate when their uncompressed size would pass `maxSegmentBytes` or their event-time span reaches
/// `maxSegmentSeconds`. The store only ever receives redacted bytes.
public final class SegmentStore {
    public let directory: String
    public let maxSegmentBytes: Int
    public let maxSegmentSeconds: Int64
    /// Names of the segments completed by this store, in order.
    public private(set) var completedSegments: [String] = []

    private var stream: UnsafeMutablePointer<z_stream>?
    private var fd: Int32 = -1
    private var tmpPath = ""
    private var segmentStart = Timestamp.unknown
    private var segmentBytes = 0
    private var tmpCounter = 0
    private var outBuffer = [UInt8](repeating: 0, count: 256 << 10)

    /// Opens (creating it with mode 0700 if needed) the store directory and deletes leftover `.tmp` files.
    /// - Throws: `.io` when the directory cannot be created, listed or cleaned.
    public init(directory: String, maxSegmentBytes: Int = 64 << 20, maxSegmentSeconds: Int64 = 3600) throws(ReqwatchError) {
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
        for name in leftovers where unlink(directory + "/" + name) != 0 && errno != ENOENT {
            throw ReqwatchError(.io, "cannot remove unfinished segment \(directory)/\(name)", errno: errno)
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
