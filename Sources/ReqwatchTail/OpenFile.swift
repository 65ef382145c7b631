import ReqwatchCore

#if canImport(Glibc)
    import Glibc
#endif

/// One open descriptor of a followed file: its read position, the partial line held until its
/// newline, and the first bytes seen (to recognise truncation, copies and recycled inodes).
/// Owns the descriptor and closes it on deinit.
final class OpenFile {
    /// Bytes hashed into `FileIdentity.fingerprint`.
    static let fingerprintLength = 256

    let fd: Int32
    let device: UInt64
    let inode: UInt64
    /// Path it was opened under (for error locations; after rotation the file may have moved).
    let path: String
    /// Next byte to read.
    var readOffset: Int64 = 0
    /// Offset just past the last `\n` consumed: the start of the line being assembled.
    var lineStart: Int64 = 0
    /// Bytes `lineStart..<readOffset`, unless `skipping`. At most `maxLineLength + 1` bytes.
    var pending: [UInt8] = []
    /// Inside an over-long line: everything up to the next `\n` is discarded.
    var skipping = false
    /// Whether the line being skipped was already counted (lines started before we began reading
    /// from the end of the file are not "long", just not ours).
    var skippingCounts = true
    /// Complete lines before `lineStart`; nil when unknown (reading began mid-file).
    var lineNumber: Int64?
    /// The first bytes of the file (up to `fingerprintLength`), as read.
    private(set) var prefix: [UInt8] = []
    /// `ByteHash` of `prefix`, kept in step with it.
    private(set) var prefixHash: UInt64 = ByteHash.hash([UInt8]())
    /// A static copy (found after copy-truncate or on resume): retire it as soon as it is read to its end.
    var closeAtEOF = false
    /// For a rotated file: when its successor was first seen holding data (the writer had moved on).
    var successorDataSince: ContinuousClock.Instant?

    init(fd: Int32, status: SystemFile.Status, path: String) {
        self.fd = fd
        self.device = status.device
        self.inode = status.inode
        self.path = path
    }

    deinit { close(fd) }

    /// The identity reported with each line.
    var identity: FileIdentity {
        FileIdentity(
            device: device, inode: inode,
            fingerprint: prefix.count == Self.fingerprintLength ? prefixHash : 0)
    }

    /// Starts reading at `offset`, a line boundary, with `line` complete lines before it.
    func seek(to offset: Int64, line: Int64?) {
        readOffset = offset
        lineStart = offset
        lineNumber = line
        pending.removeAll()
        skipping = false
        skippingCounts = true
    }

    /// Forgets everything: the file was truncated (or rewritten) in place.
    func resetAfterTruncation() {
        seek(to: 0, line: 0)
        prefix.removeAll()
        prefixHash = ByteHash.hash(prefix)
    }

    /// Extends `prefix` from the file when it is shorter than the fingerprint and the file has more bytes.
    func refreshPrefix(size: Int64) {
        let want = Int(min(size, Int64(Self.fingerprintLength)))
        guard prefix.count < want,
            let more = SystemFile.readBytes(fd, at: Int64(prefix.count), count: want - prefix.count),
            !more.isEmpty
        else { return }
        prefix.append(contentsOf: more)
        prefixHash = ByteHash.hash(prefix)
    }

    /// Whether the file no longer starts with the bytes we saw (truncated, or truncated and rewritten).
    func prefixChanged(size: Int64) -> Bool {
        guard !prefix.isEmpty else { return false }
        if size < Int64(prefix.count) { return true }
        guard let now = SystemFile.readBytes(fd, at: 0, count: prefix.count) else { return false }
        return now != prefix
    }
}
