import ReqwatchCore

#if canImport(Glibc)
    import Glibc
#endif

/// Wakes the tailer when something happens in the directories of the followed files (inotify on
/// each file's directory, so creation, renames and deletion are seen as well as writes). When inotify
/// is unavailable, `wait` simply sleeps. Events are only a hint: the tailer re-checks every file.
final class DirectoryWatcher {
    private static let mask: UInt32 = UInt32(
        IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_DELETE | IN_MOVED_FROM | IN_CLOSE_WRITE)
    private static let ignoredEvent: UInt32 = 0x8000  // IN_IGNORED: the watch went away (directory deleted)

    /// The inotify descriptor, or -1.
    let fd: Int32
    private var directories: [String]
    private var watchByDirectory: [String: Int32] = [:]
    private var directoryByWatch: [Int32: String] = [:]
    private var buffer = [UInt8](repeating: 0, count: 4096)

    init(directories: [String], enabled: Bool) {
        var unique: [String] = []
        for d in directories where !unique.contains(d) { unique.append(d) }
        self.directories = unique
        fd = enabled ? inotify_init1(Int32(O_NONBLOCK | O_CLOEXEC)) : -1
        addMissingWatches()
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Whether inotify is in use.
    var isActive: Bool { fd >= 0 }

    /// Adds watches for directories not watched yet (they may not have existed before).
    func addMissingWatches() {
        guard fd >= 0, watchByDirectory.count < directories.count else { return }
        for d in directories where watchByDirectory[d] == nil {
            let wd = inotify_add_watch(fd, d, Self.mask)
            if wd >= 0 {
                watchByDirectory[d] = wd
                directoryByWatch[wd] = d
            }
        }
    }

    /// Reads and discards pending events (noting watches that went away). Returns whether any arrived.
    @discardableResult
    func drainEvents() -> Bool {
        guard fd >= 0 else { return false }
        var any = false
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            any = true
            buffer.withUnsafeBytes { raw in
                var i = 0
                while i + 16 <= n {
                    let wd = raw.loadUnaligned(fromByteOffset: i, as: Int32.self)
                    let mask = raw.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self)
                    let len = Int(raw.loadUnaligned(fromByteOffset: i + 12, as: UInt32.self))
                    if mask & Self.ignoredEvent != 0, let d = directoryByWatch.removeValue(forKey: wd) {
                        watchByDirectory[d] = nil
                    }
                    i += 16 + len
                }
            }
        }
        return any
    }

    /// Blocks until an event arrives or `timeout` passes.
    func wait(_ timeout: Duration) {
        let ms = Self.milliseconds(timeout)
        guard ms > 0 else { return }
        if fd >= 0 {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = Glibc.poll(&p, 1, Int32(ms))
        } else {
            _ = Glibc.poll(nil, 0, Int32(ms))
        }
    }

    /// `timeout` in whole milliseconds, rounded up, capped at one hour.
    static func milliseconds(_ d: Duration) -> Int {
        let c = d.components
        if c.seconds < 0 || (c.seconds == 0 && c.attoseconds <= 0) { return 0 }
        if c.seconds >= 3600 { return 3_600_000 }
        let ms = Int(c.seconds) * 1000 + Int((c.attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        return ms
    }
}
