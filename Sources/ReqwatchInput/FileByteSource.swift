import ReqwatchCore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a regular file, a FIFO, or standard input (`"-"`) with `read(2)`, retrying on `EINTR`.
///
/// Owns the file descriptor and closes it in `deinit` (standard input is never closed). Opening a directory fails
/// with `.io`; a missing file with `.notFound`. Bytes are delivered unchanged (invalid UTF-8 and NUL included).
public final class FileByteSource: ByteSource {
    /// The input this source reads.
    public let origin: InputOrigin
    /// Bytes read from the descriptor so far (including bytes held back by `peek`).
    public private(set) var rawBytesRead: Int64 = 0
    private let fd: Int32
    private let ownsDescriptor: Bool
    /// Bytes read ahead by `peek(_:)`, handed out again before anything else.
    private var pending: [UInt8] = []
    private var pendingIndex = 0

    /// Opens `path` for reading; `"-"` means standard input (fd 0).
    /// - Throws: `.notFound` if the path does not exist, `.io` (with `errno`) for other failures or a directory.
    public init(path: String, origin: InputOrigin) throws(ReqwatchError) {
        self.origin = origin
        if path == "-" {
            fd = 0
            ownsDescriptor = false
            return
        }
        var opened: Int32
        repeat {
            opened = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        } while opened < 0 && errno == EINTR
        if opened < 0 {
            let e = errno
            let code: ReqwatchError.Code = (e == ENOENT || e == ENOTDIR) ? .notFound : .io
            throw ReqwatchError(
                code, "cannot open input: \(FileByteSource.describe(errno: e))",
                location: InputLocation(path: origin.path), errno: e)
        }
        var st = stat()
        if fstat(opened, &st) == 0, (st.st_mode & 0o170000) == 0o040000 {
            _ = Glibc.close(opened)
            throw ReqwatchError(
                .io, "input is a directory", location: InputLocation(path: origin.path), errno: EISDIR)
        }
        fd = opened
        ownsDescriptor = true
    }

    deinit {
        if ownsDescriptor { _ = Glibc.close(fd) }
    }

    /// Reads with `read(2)`, retrying on `EINTR`.
    /// - Throws: `.io` with `errno` and the byte offset reached so far.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReqwatchError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        if pendingIndex < pending.count {
            let n = min(buffer.count, pending.count - pendingIndex)
            pending.withUnsafeBytes { p in
                if let src = p.baseAddress { base.copyMemory(from: src + pendingIndex, byteCount: n) }
            }
            pendingIndex += n
            if pendingIndex == pending.count {
                pending = []
                pendingIndex = 0
            }
            return n
        }
        return try readDescriptor(base, buffer.count)
    }

    private func readDescriptor(_ base: UnsafeMutableRawPointer, _ count: Int) throws(ReqwatchError) -> Int {
        while true {
            let n = Glibc.read(fd, base, count)
            if n >= 0 {
                rawBytesRead += Int64(n)
                return n
            }
            let e = errno
            if e == EINTR { continue }
            throw ReqwatchError(
                .io, "read failed: \(FileByteSource.describe(errno: e))",
                location: InputLocation(path: origin.path, byteOffset: rawBytesRead), errno: e)
        }
    }

    /// Reads up to `count` bytes ahead without consuming them (fewer only at end of input); later `read` calls
    /// return these bytes first. Used by `InputOpener` to sniff the gzip magic on pipes as well as files.
    /// - Throws: `.io` as `read(into:)`.
    package func peek(_ count: Int) throws(ReqwatchError) -> [UInt8] {
        var have = Array(pending[pendingIndex...])
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 1)
        defer { chunk.deallocate() }
        while have.count < count {
            guard let b = chunk.baseAddress else { break }
            let n = try readDescriptor(b, count - have.count)
            if n == 0 { break }
            have.append(contentsOf: UnsafeRawBufferPointer(start: b, count: n))
        }
        pending = have
        pendingIndex = 0
        return have
    }

    /// `strerror` text for `errno` values (system text, never log content).
    static func describe(errno e: Int32) -> String {
        guard let s = strerror(e) else { return "errno \(e)" }
        return String(cString: s)
    }
}
