import Foundation
import ReqwatchCore
import ReqwatchTail
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A temporary directory under /tmp, removed when the value goes away.
final class TempDir {
    let path: String

    init() throws {
        var template = Array("/tmp/reqwatch-tail-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw CocoaError(.fileWriteUnknown) }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

/// A log writer that keeps its file open with O_APPEND, as a web server does: after a rename or
/// delete it goes on writing to the old file until `reopen`.
final class LogWriter {
    let path: String
    private(set) var fd: Int32 = -1

    init(_ path: String) {
        self.path = path
        open()
    }

    deinit { if fd >= 0 { close(fd) } }

    func open() {
        fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        precondition(fd >= 0, "cannot open \(path)")
    }

    func reopen() {
        close(fd)
        open()
    }

    func write(_ s: String) {
        var bytes = Array(s.utf8)
        writeBytes(&bytes)
    }

    func writeBytes(_ bytes: inout [UInt8]) {
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        precondition(n == bytes.count)
    }
}

/// Appends to a file by path (open, write, close).
func append(_ path: String, _ s: String) {
    let w = LogWriter(path)
    w.write(s)
}

/// Copies a file's bytes to a new file (as `cp` and logrotate's copytruncate do).
func copyFile(_ from: String, _ to: String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: from))
    try? FileManager.default.removeItem(atPath: to)
    try data.write(to: URL(fileURLWithPath: to))
}

func moveFile(_ from: String, _ to: String) {
    precondition(rename(from, to) == 0, "rename \(from) -> \(to) failed")
}

func removeFile(_ path: String) {
    _ = unlink(path)
}

func truncateFile(_ path: String) {
    precondition(truncate(path, 0) == 0)
}

func fileExists(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0
}

/// One delivered line as a String plus its info.
struct Delivered {
    var text: String
    var info: TailLineInfo
}

extension Tailer {
    /// Polls with `.zero` until a check delivers nothing; returns the lines in order.
    func drain(maxRounds: Int = 1000) throws -> [Delivered] {
        var out: [Delivered] = []
        for _ in 0..<maxRounds {
            let n = try poll(timeout: .zero) { span, info in
                let text = span.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
                out.append(Delivered(text: text, info: info))
            }
            if n == 0 { break }
        }
        return out
    }

    /// `drain`, committing every line as processed.
    func drainAndCommit() throws -> [String] {
        let lines = try drain()
        for l in lines { commit(l.info, eventTime: nil) }
        return lines.map(\.text)
    }
}

/// Descriptors of this process that point into `directory` (from /proc/self/fd), so leak checks
/// are not disturbed by tests running in parallel elsewhere.
func descriptorsPointing(into directory: String) -> Int {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return -1 }
    var count = 0
    for e in entries {
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + e),
            target.hasPrefix(directory + "/")
        {
            count += 1
        }
    }
    return count
}

func options(
    _ paths: [String], fromStart: Bool = false, state: String? = nil, maxLine: Int = 65_536,
    rotationGrace: Duration = .seconds(1)
) -> TailOptions {
    var o = TailOptions(paths: paths)
    o.rotationGrace = rotationGrace
    o.fromStart = fromStart
    o.statePath = state
    o.maxLineLength = maxLine
    return o
}
