import ReqwatchCore

#if canImport(Glibc)
    import Glibc
#endif

/// Opens inputs named on the command line, choosing plain or gzip decoding by content.
public enum InputOpener {
    /// Opens a path (or "-"), sniffs the first bytes: 1f 8b → gzip regardless of file name. Returns a source
    /// ready to read. `threaded: true` wraps gzip inputs and regular files in ThreadedByteSource so inflation and
    /// reading run on a second thread.
    ///
    /// The origin is `InputOrigin(path: path, index: index)`; `"-"` reads standard input and keeps `"-"` as its path.
    /// Sniffing works on pipes too (the peeked bytes are replayed). An empty input is a plain, empty source.
    /// - Throws: `.notFound`, `.io` (including a directory), or `.io` if the read-ahead thread cannot start.
    public static func open(_ path: String, index: Int, threaded: Bool) throws(ReqwatchError) -> any ByteSource {
        let file = try FileByteSource(path: path, origin: InputOrigin(path: path, index: index))
        let magic = try file.peek(2)
        guard magic.count == 2, magic[0] == 0x1f, magic[1] == 0x8b else {
            // Regular files are read ahead too: the copy out of the page cache then overlaps parsing.
            // Pipes and stdin stay on the caller's thread, so a partial read reaches the parser at once.
            return threaded && fileSize(path) != nil ? try ThreadedByteSource(wrapping: file) : file
        }
        let gzip = try GzipByteSource(inner: file)
        return threaded ? try ThreadedByteSource(wrapping: gzip) : gzip
    }

    /// File size in bytes if a regular file (for progress), else nil.
    public static func fileSize(_ path: String) -> Int64? {
        guard path != "-" else { return nil }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & 0o170000) == 0o100000 else { return nil }
        return Int64(st.st_size)
    }
}
