#if canImport(Glibc)
import Glibc
#endif
import ReqwatchCore

/// Buffered writer to a file descriptor (stdout, stderr or an opened file). One `write(2)` per flush.
///
/// A closed pipe (`EPIPE`) is reported as `ReqwatchError` with code `.output` and `errno == EPIPE`, so the
/// command can stop quietly when a downstream `head` or `jq` exits.
public final class FileDescriptorWriter {
    public let fd: Int32
    private let ownsDescriptor: Bool
    public private(set) var buffer: [UInt8] = []
    public let displayName: String

    public init(fd: Int32, name: String, owns: Bool = false) {
        self.fd = fd
        ownsDescriptor = owns
        displayName = name
        buffer.reserveCapacity(1 << 16)
    }

    /// Opens (creating or truncating) `path` for writing, mode 0644.
    public convenience init(path: String) throws(ReqwatchError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw ReqwatchError(.output, "cannot open for writing: \(String(cString: strerror(errno)))", location: InputLocation(path: path), errno: errno) }
        self.init(fd: fd, name: path, owns: true)
    }

    deinit { if ownsDescriptor { close(fd) } }

    public func append(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }
    public func append(_ text: String) { buffer.append(contentsOf: text.utf8) }

    /// Writes everything buffered; retries short writes and EINTR.
    public func flush() throws(ReqwatchError) {
        var done = 0
        let total = buffer.count
        while done < total {
            let n = buffer.withUnsafeBytes { raw in write(fd, raw.baseAddress! + done, total - done) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                buffer.removeAll(keepingCapacity: true)
                throw ReqwatchError(.output, "write failed: \(String(cString: strerror(e)))", location: InputLocation(path: displayName), errno: e)
            }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Writes alerts as ECS JSON Lines, flushed per batch.
public final class JSONLinesAlertSink: AlertSink {
    private let writer: FileDescriptorWriter
    public private(set) var written = 0

    public init(writer: FileDescriptorWriter) { self.writer = writer }

    public func write(_ alerts: borrowing [Alert]) throws(ReqwatchError) {
        if alerts.isEmpty { return }
        var out: [UInt8] = []
        for i in alerts.indices { AlertEncoder.encode(alerts[i], into: &out) }
        writer.append(out)
        written += alerts.count
        try writer.flush()
    }

    public func flush() throws(ReqwatchError) { try writer.flush() }
}
