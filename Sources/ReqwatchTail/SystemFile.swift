import ReqwatchCore

#if canImport(Glibc)
    import Glibc
#endif

/// Thin wrappers over the libc calls the tailer uses. Every failure becomes a `ReqwatchError` that
/// names the path, never file contents.
enum SystemFile {
    /// What `stat`/`fstat` tells us about a regular file.
    struct Status {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var isRegular: Bool
        var linkCount: UInt64
        /// Modification time, nanoseconds since the epoch.
        var modified: Int64
    }

    static func status(_ st: stat) -> Status {
        Status(
            device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
            isRegular: (st.st_mode & S_IFMT) == S_IFREG, linkCount: UInt64(st.st_nlink),
            modified: Int64(st.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_mtim.tv_nsec))
    }

    /// `stat(path)`; nil when it does not exist (or cannot be looked at).
    static func status(path: String) -> Status? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return status(st)
    }

    /// `fstat(fd)`; nil on failure.
    static func status(fd: Int32) -> Status? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return status(st)
    }

    /// Opens a regular file for reading. Returns nil when it does not exist or is not a regular file
    /// (a FIFO is opened non-blocking, so this never hangs). Other failures throw `.io`.
    static func openForReading(_ path: String) throws(ReqwatchError) -> (fd: Int32, status: Status)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { return nil }
            throw ReqwatchError(.io, "cannot open file for reading", location: InputLocation(path: path), errno: e)
        }
        guard let s = status(fd: fd), s.isRegular else {
            close(fd)
            return nil
        }
        return (fd, s)
    }

    /// `pread` that retries on `EINTR`. Returns the byte count (0 at end of file) or -1 with `errno` set.
    static func pread(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.pread(fd, base, buffer.count, off_t(offset))
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }

    /// Reads up to `count` bytes at `offset` (fewer at end of file); nil on a read error.
    static func readBytes(_ fd: Int32, at offset: Int64, count: Int) -> [UInt8]? {
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { buf in
                pread(fd, UnsafeMutableRawBufferPointer(rebasing: buf[got...]), at: offset + Int64(got))
            }
            if n < 0 { return nil }
            if n == 0 { break }
            got += n
        }
        out.removeLast(count - got)
        return out
    }

    /// Whether the first `length` bytes of the open file hash to `hash`.
    static func prefixMatches(_ fd: Int32, length: Int, hash: UInt64) -> Bool {
        guard let bytes = readBytes(fd, at: 0, count: length), bytes.count == length else { return false }
        return ByteHash.hash(bytes) == hash
    }

    /// Reads a whole file of at most `limit` bytes. Nil when it does not exist; throws `.state` otherwise.
    static func readWholeFile(_ path: String, limit: Int) throws(ReqwatchError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT { return nil }
            throw ReqwatchError(.state, "cannot open state file", location: InputLocation(path: path), errno: e)
        }
        defer { close(fd) }
        guard let s = status(fd: fd), s.isRegular else {
            throw ReqwatchError(.state, "state file is not a regular file", location: InputLocation(path: path))
        }
        guard s.size <= Int64(limit) else {
            throw ReqwatchError(.state, "state file is too large", location: InputLocation(path: path))
        }
        guard let bytes = readBytes(fd, at: 0, count: Int(s.size)) else {
            throw ReqwatchError(.state, "cannot read state file", location: InputLocation(path: path), errno: errno)
        }
        return bytes
    }

    /// Replaces `path` atomically with `bytes`: a temporary file in the same directory, `fsync`,
    /// `rename`, then `fsync` of the directory so the rename itself survives a crash.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ReqwatchError) {
        let location = InputLocation(path: path)
        let temp = path + ".tmp.\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if fd < 0 {
            let e = errno
            throw ReqwatchError(.state, "cannot create temporary state file \(temp): \(String(cString: strerror(e)))"
                + (e == ENOENT ? " (the directory does not exist: create it or choose another --state path)" : ""),
                location: location, errno: e)
        }
        var written = 0
        var failure: Int32? = nil
        bytes.withUnsafeBytes { buf in
            while written < buf.count {
                let n = write(fd, buf.baseAddress! + written, buf.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += n
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = errno }
        if close(fd) != 0 && failure == nil { failure = errno }
        if let failure {
            unlink(temp)
            throw ReqwatchError(.state, "cannot write temporary state file: \(String(cString: strerror(failure)))", location: location, errno: failure)
        }
        if rename(temp, path) != 0 {
            let e = errno
            unlink(temp)
            throw ReqwatchError(.state, "cannot replace state file: \(String(cString: strerror(e)))", location: location, errno: e)
        }
        let dfd = open(directoryName(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    /// The directory part of `path` (`.` for a bare name, `/` for a file in the root).
    static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The last component of `path`.
    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Names of the entries of `directory` (without `.` and `..`), at most `limit` of them.
    static func directoryEntries(_ directory: String, limit: Int = 10_000) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while names.count < limit, let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { ptr in
                ptr.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

/// Companion files of the tail state (the detector windows): written and read the same way as the state file.
public enum StateFile {
    /// Replaces `path` atomically (temporary file with mode 0600, `fsync`, `rename`, `fsync` of the directory).
    /// - Throws: `.state` naming the file.
    public static func write(_ bytes: [UInt8], to path: String) throws(ReqwatchError) {
        try SystemFile.writeAtomically(bytes, to: path)
    }

    /// The whole file (at most `limit` bytes), or nil when it does not exist.
    /// - Throws: `.state` naming the file when it cannot be read or is larger than `limit`.
    public static func read(_ path: String, limit: Int) throws(ReqwatchError) -> [UInt8]? {
        try SystemFile.readWholeFile(path, limit: limit)
    }
}
