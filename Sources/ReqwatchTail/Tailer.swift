import ReqwatchCore

#if canImport(Glibc)
    import Glibc
#endif

/// Follows log files as they grow, through rename-and-create rotation, copy-truncate, delete-and-
/// recreate and compression of the rotated file, and remembers confirmed read positions in a state
/// file so a restart resumes exactly where the engine stopped.
///
/// Each followed path has a *current* file (the one the path names, or named last) and a short list
/// of *draining* files: rotated files still being read to their end through their open descriptor
/// (read before the current file, so data comes oldest first). A rotated file is closed once it is read
/// to its end and the writer has moved on (its successor has had data for `rotationGrace`), or when a
/// newer rotation supersedes it, so at most two descriptors are held per path. Memory per path: the
/// partial line (at most `maxLineLength + 1` bytes) and 256 bytes of prefix; one 64 KiB read buffer is
/// shared.
///
/// Inherent limits (documented, not bugs): copy-truncate loses lines written between the copy and the
/// truncation in any tailer; the rest of the old file is recovered from the copy (`<path>.<n>` or
/// `<path>-*` with the same first bytes) only if this tailer had checked the file at least once after it
/// got its first bytes. A file created and rotated away between two checks is never seen. A rotated file
/// that was compressed or removed while reqwatch was down cannot be finished. Rotated files are
/// recognised by name only among uncompressed siblings named `<path>.<n>` and `<path>-*`.
///
/// A followed path that is a symlink is read through it (retargeting the link counts as a rotation), but
/// inotify watches the link's directory only, so writes to a target elsewhere are seen by the safety poll.
///
/// Not thread-safe: use one tailer from one thread. `body` must not call `poll` again.
///
/// Typical engine loop (copy each line into the batch arena inside the callback: the span dies with it):
/// ```swift
/// let tailer = try Tailer(options: options)
/// detectors.restore(tailer.extraState)
/// var lastSave = ContinuousClock.now
/// while !stopRequested {
///     var last: [Int: TailLineInfo] = [:]              // per path: commit each path's own last line
///     _ = try tailer.poll(timeout: .milliseconds(250)) { line, info in
///         batch.append(line, info)
///         last[info.pathIndex] = info
///     }
///     try engine.process(&batch)                       // parse, detect, write and flush alerts
///     for (path, info) in last { tailer.commit(info, eventTime: batch.lastEventTime(path)) }
///     if lastSave.duration(to: .now) >= .seconds(1) {
///         tailer.extraState = detectors.snapshot()
///         try tailer.saveState()
///         lastSave = .now
///     }
/// }
/// try tailer.saveState()   // on SIGINT/SIGTERM
/// ```
public final class Tailer {
    /// Bytes read from one path per scan before the tailer returns what it has (fairness between files).
    static let maxBytesPerScan = 8 << 20
    static let readBufferSize = 64 << 10

    /// One followed path: its current file and the rotated files still being finished.
    private final class FollowedPath {
        let path: String
        var current: OpenFile?
        var draining: [OpenFile] = []
        /// The last failure reported for this path (so it is reported once, not on every poll).
        var lastFailure: String?
        init(path: String) { self.path = path }
    }

    private let options: TailOptions
    private let followed: [FollowedPath]
    private let watcher: DirectoryWatcher
    private var buffer: [UInt8]
    private var committed: [CommittedPosition?]
    private var moreAvailable = false
    private let clock = ContinuousClock()

    /// Opaque engine state (detector windows) saved with the positions and loaded back by `init`.
    /// Stored as hex in the state file, whose size is capped at 256 MiB (so at most about 128 MiB here).
    public var extraState: [UInt8] = []
    /// Where a corrupt or foreign state file was moved (`<state>.corrupt-N`); the run then started without state.
    public private(set) var stateSetAside: String?
    /// Lines longer than `maxLineLength` that were skipped.
    public private(set) var skippedLongLines: Int64 = 0
    /// Rotations seen (a new file appeared under a followed path while another was open).
    public private(set) var rotationCount: Int64 = 0
    /// Truncations seen (a followed file became shorter than our position, or its first bytes changed).
    public private(set) var truncationCount: Int64 = 0

    /// Descriptors held: open followed files (current and draining) plus the inotify descriptor.
    public var openDescriptorCount: Int {
        followed.reduce(watcher.isActive ? 1 : 0) { $0 + ($1.current == nil ? 0 : 1) + $1.draining.count }
    }

    /// Whether inotify is in use (otherwise the tailer polls every `pollInterval`).
    public var usesInotify: Bool { watcher.isActive }

    /// Starts following `options.paths`.
    ///
    /// With a `statePath` that exists, each path known to it resumes at its committed offset: the same
    /// file (device, inode and first bytes) continues there; a file rotated while we were down is found
    /// among its siblings (`<path>.<n>`, `<path>-*`) by device and inode and finished from the offset,
    /// then rotated siblings modified after it (at most 4, oldest first), then the new file from its
    /// start; after copy-truncate the copy is found by its first bytes; a truncated file is read from
    /// its start. Paths the state does
    /// not know start as without state: at their end (or start with `fromStart`); missing ones are
    /// waited for and read from their start when they appear.
    /// - Throws: `.state` naming the state file when it cannot be read or is corrupt; `.io` when a
    ///   followed file exists but cannot be opened.
    public init(options: TailOptions) throws(ReqwatchError) {
        var opts = options
        opts.maxLineLength = max(1, opts.maxLineLength)
        opts.pollInterval = max(.milliseconds(1), opts.pollInterval)  // never a busy loop
        self.options = opts
        self.followed = opts.paths.map { FollowedPath(path: $0) }
        self.committed = Array(repeating: nil, count: opts.paths.count)
        self.buffer = [UInt8](repeating: 0, count: Self.readBufferSize)
        self.watcher = DirectoryWatcher(
            directories: opts.paths.map { SystemFile.directoryName(of: $0) }, enabled: opts.useInotify)

        var state: TailState? = nil
        if let statePath = opts.statePath,
            let bytes = try SystemFile.readWholeFile(statePath, limit: TailState.maxFileSize)
        {
            if let s = TailState.decode(bytes) {
                state = s
                extraState = s.extra
            } else {
                // Kept aside (never deleted: it may be another program's file), then a start without state.
                var n = 1
                while access(statePath + ".corrupt-\(n)", F_OK) == 0 && n < 10_000 { n += 1 }
                let aside = statePath + ".corrupt-\(n)"
                if rename(statePath, aside) != 0 {
                    throw ReqwatchError(
                        .state, "state file is corrupt or of an unknown version and cannot be moved aside to \(aside)"
                            + " (\(String(cString: strerror(errno)))); move or delete it, then start again",
                        location: InputLocation(path: statePath))
                }
                stateSetAside = aside
            }
        }
        for (i, fp) in followed.enumerated() {
            if let position = state?.positions[fp.path] {
                committed[i] = position
                try resume(fp, from: position)
            } else if let (fd, status) = try SystemFile.openForReading(fp.path) {
                let f = OpenFile(fd: fd, status: status, path: fp.path)
                f.refreshPrefix(size: status.size)
                if opts.fromStart { f.seek(to: 0, line: 0) } else { seekNearEnd(f, size: status.size) }
                fp.current = f
                committed[i] = position(of: f)
            }
        }
    }

    /// Waits up to `timeout` for new data, then reads everything new from every followed file, calling
    /// `body` once per complete line (without `\n` and a trailing `\r`), oldest data first per file.
    ///
    /// Returns as soon as a check of the files delivered at least one line, or when `timeout` has passed
    /// (0 lines). Between checks it waits for an inotify event on the files' directories, or at most
    /// `pollInterval`. `timeout: .zero` checks once without waiting. Lines delivered are not confirmed:
    /// call `commit` once they are processed.
    ///
    /// A file that cannot be opened or read does not stop the others: every path is checked, then the
    /// first *new* failure is thrown (lines already passed to `body` in this call stay delivered). The same
    /// failure of the same path is not thrown again on later polls; the path is retried each time.
    /// - Throws: `.io` naming the file when a followed file cannot be opened or read.
    public func poll(timeout: Duration, _ body: (Span<UInt8>, TailLineInfo) -> Void) throws(ReqwatchError) -> Int {
        let deadline = clock.now.advanced(by: timeout)
        while true {
            watcher.drainEvents()
            watcher.addMissingWatches()
            moreAvailable = false
            var delivered = 0
            var newFailure: ReqwatchError? = nil
            for (i, fp) in followed.enumerated() {
                do {
                    delivered += try scan(fp, index: i, body)
                    fp.lastFailure = nil
                } catch {
                    // One broken file must not stop the others: report each distinct failure once,
                    // keep retrying it silently on later polls.
                    let key = "\(error.code) \(error.message) \(error.location?.path ?? "")"
                    if fp.lastFailure != key {
                        fp.lastFailure = key
                        newFailure = newFailure ?? error
                    }
                }
            }
            if let newFailure { throw newFailure }
            if delivered > 0 { return delivered }
            let now = clock.now
            if now >= deadline { return 0 }
            if !moreAvailable {
                watcher.wait(min(now.duration(to: deadline), options.pollInterval))
            }
        }
    }

    /// Confirms that every line up to and including `info` has been fully processed, so the next
    /// `saveState` records the position just past it. `eventTime` (when the line had one) is saved
    /// as the path's last event time. Commit in delivery order, before the next `poll`.
    public func commit(_ info: TailLineInfo, eventTime: Timestamp?) {
        guard info.pathIndex >= 0, info.pathIndex < committed.count else { return }
        var p =
            committed[info.pathIndex]
            ?? CommittedPosition(
                device: 0, inode: 0, prefixLength: 0, prefixHash: 0, offset: 0, lineNumber: nil, eventTime: nil)
        p.device = info.fileID.device
        p.inode = info.fileID.inode
        p.prefixLength = info.prefixLength
        p.prefixHash = info.prefixHash
        p.offset = info.endOffset
        p.lineNumber = info.lineNumber
        if let eventTime { p.eventTime = eventTime }
        committed[info.pathIndex] = p
    }

    /// The last event time committed for path `index` (also restored from the state file).
    public func committedEventTime(forPath index: Int) -> Timestamp? {
        guard index >= 0, index < committed.count else { return nil }
        return committed[index]?.eventTime
    }

    /// Writes the state file atomically (temporary file in the same directory, `fsync`, `rename`,
    /// `fsync` of the directory): per path its file identity, committed offset and last event time,
    /// plus `extraState`. A path whose file has not appeared yet is saved with device and inode 0, so
    /// after a restart it is read from its start. Does nothing without a `statePath`. Call at least every
    /// second and on SIGINT/SIGTERM.
    /// - Throws: `.state` naming the state file.
    public func saveState() throws(ReqwatchError) {
        guard let statePath = options.statePath else { return }
        var state = TailState()
        state.extra = extraState
        for (i, fp) in followed.enumerated() {
            // A path not seen yet is saved as "waiting" (no identity, offset 0), so a file that appears
            // while we are down is read from its start after the restart, not from its end.
            state.positions[fp.path] =
                committed[i]
                ?? CommittedPosition(
                    device: 0, inode: 0, prefixLength: 0, prefixHash: 0, offset: 0, lineNumber: 0, eventTime: nil)
        }
        try SystemFile.writeAtomically(state.encoded(order: options.paths), to: statePath)
    }

    // MARK: - Opening and resuming

    private func position(of f: OpenFile) -> CommittedPosition {
        CommittedPosition(
            device: f.device, inode: f.inode, prefixLength: f.prefix.count, prefixHash: f.prefixHash,
            offset: f.lineStart, lineNumber: f.lineNumber, eventTime: nil)
    }

    /// Positions a file present at start at its end: just after its last `\n`, so a line being written
    /// at that moment is delivered whole once complete. If that partial line is already too long to
    /// hold, reading starts at the end and skips through the next `\n`.
    private func seekNearEnd(_ f: OpenFile, size: Int64) {
        guard size > 0 else {
            f.seek(to: 0, line: 0)
            return
        }
        let window = min(size, Int64(options.maxLineLength + 2))
        guard let tail = SystemFile.readBytes(f.fd, at: size - window, count: Int(window)),
            tail.count == Int(window)
        else {
            f.seek(to: size, line: nil)
            return
        }
        if let last = tail.lastIndex(of: 0x0A) {
            let start = size - window + Int64(last) + 1
            f.seek(to: start, line: nil)
        } else if window == size {
            f.seek(to: 0, line: 0)
        } else {
            f.seek(to: size, line: nil)
            f.skipping = true
            f.skippingCounts = false
        }
    }

    /// Restores one path from its committed position (see `init`).
    private func resume(_ fp: FollowedPath, from p: CommittedPosition) throws(ReqwatchError) {
        var sameFile = false
        if let (fd, status) = try SystemFile.openForReading(fp.path) {
            let f = OpenFile(fd: fd, status: status, path: fp.path)
            if status.device == p.device, status.inode == p.inode, status.size >= p.offset,
                p.prefixLength == 0 || SystemFile.prefixMatches(fd, length: p.prefixLength, hash: p.prefixHash)
            {
                f.seek(to: p.offset, line: p.lineNumber)
                sameFile = true
            } else {
                f.seek(to: 0, line: 0)
            }
            f.refreshPrefix(size: status.size)
            fp.current = f
        }
        if !sameFile {
            fp.draining = filesRotatedWhileDown(fp.path, p, current: fp.current)
        }
    }

    /// Uncompressed rotated siblings of `path`: `<name>.<digits>` and `<name>-*` (logrotate's numbered
    /// and `dateext` names), with their status. Compressed ones (`.gz`, `.bz2`, `.xz`, `.zst`) are left out.
    private func rotatedSiblings(of path: String) -> [(path: String, status: SystemFile.Status)] {
        let dir = SystemFile.directoryName(of: path)
        let base = SystemFile.baseName(of: path)
        let hasDir = path.contains("/")
        var out: [(path: String, status: SystemFile.Status)] = []
        for name in SystemFile.directoryEntries(dir) where name.count > base.count && name.hasPrefix(base) {
            let rest = name.dropFirst(base.count)
            let numbered =
                rest.first == "." && rest.count > 1 && rest.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
            guard numbered || rest.first == "-" else { continue }
            if [".gz", ".bz2", ".xz", ".zst", ".lz4", ".Z"].contains(where: { name.hasSuffix($0) }) { continue }
            let full = hasDir ? (dir == "/" ? "/" + name : dir + "/" + name) : name
            if let st = SystemFile.status(path: full), st.isRegular { out.append((full, st)) }
        }
        return out
    }

    /// Opens a sibling only if it is still the file `status` describes.
    private func openSibling(_ path: String, _ status: SystemFile.Status) -> OpenFile? {
        guard let opened = try? SystemFile.openForReading(path),
            opened.status.device == status.device, opened.status.inode == status.inode
        else { return nil }
        return OpenFile(fd: opened.fd, status: opened.status, path: path)
    }

    /// Most rotated files read after a restart, besides the one holding the committed position.
    static let maxRotatedFilesOnResume = 4

    /// After a restart, finds what was written to the committed file and its successors while we were
    /// down: the committed file among the rotated siblings by device, inode and first bytes (then the
    /// rotated files modified strictly after it, oldest first, each from its start: equal times are left
    /// out, so an older generation is never read twice), or else a copy of it with the same first bytes
    /// (copy-truncate). Returns them oldest first, positioned.
    private func filesRotatedWhileDown(_ path: String, _ p: CommittedPosition, current: OpenFile?) -> [OpenFile] {
        let siblings = rotatedSiblings(of: path).filter { s in
            !(current.map { c in c.device == s.status.device && c.inode == s.status.inode } ?? false)
        }
        func prefixMatches(_ f: OpenFile) -> Bool {
            p.prefixLength > 0 && SystemFile.prefixMatches(f.fd, length: p.prefixLength, hash: p.prefixHash)
        }
        if let s = siblings.first(where: { $0.status.device == p.device && $0.status.inode == p.inode }),
            s.status.size >= p.offset, let f = openSibling(s.path, s.status), p.prefixLength == 0 || prefixMatches(f)
        {
            f.seek(to: p.offset, line: p.lineNumber)
            f.closeAtEOF = true
            var files = [f]
            let newer = siblings.filter { $0.path != s.path && $0.status.modified > s.status.modified }
                .sorted { ($0.status.modified, $1.path) < ($1.status.modified, $0.path) }
            for n in newer.prefix(Self.maxRotatedFilesOnResume) {
                guard let g = openSibling(n.path, n.status) else { continue }
                g.seek(to: 0, line: 0)
                g.closeAtEOF = true
                files.append(g)
            }
            return files
        }
        for s in siblings where s.status.size >= p.offset && p.prefixLength > 0 {
            if let f = openSibling(s.path, s.status), prefixMatches(f) {
                f.seek(to: p.offset, line: p.lineNumber)
                f.closeAtEOF = true
                return [f]
            }
        }
        return []
    }

    /// While running, after a truncation in place: a copy among the siblings that starts with the bytes
    /// we saw and is at least `minimumSize` long (logrotate's `copytruncate`).
    private func findCopy(of path: String, _ cur: OpenFile, minimumSize: Int64) -> OpenFile? {
        for s in rotatedSiblings(of: path)
        where s.status.size >= minimumSize && !(s.status.device == cur.device && s.status.inode == cur.inode) {
            if let f = openSibling(s.path, s.status),
                SystemFile.prefixMatches(f.fd, length: cur.prefix.count, hash: cur.prefixHash)
            {
                return f
            }
        }
        return nil
    }

    // MARK: - Scanning

    /// Checks one path for a new file or truncation, then reads its draining files and its current file.
    private func scan(_ fp: FollowedPath, index: Int, _ body: (Span<UInt8>, TailLineInfo) -> Void) throws(ReqwatchError)
        -> Int
    {
        // A different file now has this name: rotation (rename, delete and recreate) or first appearance.
        // If it cannot be opened, the files already open are still read; the failure is thrown after.
        var openFailure: ReqwatchError? = nil
        var opened: (fd: Int32, status: SystemFile.Status)? = nil
        if let st = SystemFile.status(path: fp.path), st.isRegular,
            fp.current.map({ $0.device != st.device || $0.inode != st.inode }) ?? true
        {
            do { opened = try SystemFile.openForReading(fp.path) } catch { openFailure = error }
        }
        if let (fd, status) = opened {
            let f = OpenFile(fd: fd, status: status, path: fp.path)
            if fp.current.map({ $0.device != f.device || $0.inode != f.inode }) ?? true {
                f.seek(to: 0, line: 0)
                f.refreshPrefix(size: status.size)
                if let old = fp.current {
                    fp.draining.append(old)
                    rotationCount += 1
                }
                fp.current = f
                if committed[index] == nil { committed[index] = position(of: f) }
            }
        }
        if let cur = fp.current { checkTruncation(fp, cur) }
        var delivered = 0
        var budget = Self.maxBytesPerScan
        var i = 0
        while i < fp.draining.count {
            let f = fp.draining[i]
            let isLast = i + 1 == fp.draining.count
            let successor = isLast ? fp.current : fp.draining[i + 1]
            // Sampled before reading: if the successor already had data, the writer had moved on
            // before we read this file to its end. Servers with several workers (nginx) reopen their
            // logs one worker at a time, so the file is kept `rotationGrace` longer for stragglers.
            if f.successorDataSince == nil,
                successor.flatMap({ SystemFile.status(fd: $0.fd) }).map({ $0.size > 0 }) ?? false
            {
                f.successorDataSince = clock.now
            }
            let writerMovedOn =
                f.successorDataSince.map { $0.duration(to: clock.now) >= options.rotationGrace } ?? false
            if let st = SystemFile.status(fd: f.fd) { f.refreshPrefix(size: st.size) }
            let r = try read(f, pathIndex: index, budget: budget, body)
            delivered += r.lines
            budget -= r.bytes
            guard r.atEnd else {
                moreAvailable = true
                return delivered
            }
            if f.closeAtEOF || writerMovedOn || !isLast {
                delivered += retire(f, pathIndex: index, body)
                fp.draining.remove(at: i)
            } else {
                i += 1
            }
        }
        if let cur = fp.current, budget > 0 {
            let r = try read(cur, pathIndex: index, budget: budget, verifyPrefix: true, body)
            delivered += r.lines
            if r.changed {
                // Truncated (and perhaps rewritten) while we were reading: start over on the new content,
                // after a copy of the old one if there is one.
                checkTruncation(fp, cur)
                moreAvailable = true
                return delivered
            }
            if !r.atEnd { moreAvailable = true }
        }
        if let openFailure { throw openFailure }
        return delivered
    }

    /// Truncation in place (copy-truncate, `> file`): the file is shorter than our position, or its first
    /// bytes changed. The rest of the old content is looked for in a copy among the siblings (read next,
    /// before the truncated file), then the file is read again from its start.
    private func checkTruncation(_ fp: FollowedPath, _ cur: OpenFile) {
        guard let st = SystemFile.status(fd: cur.fd) else { return }
        if st.size < cur.readOffset || cur.prefixChanged(size: st.size) {
            truncationCount += 1
            if !cur.prefix.isEmpty, let copy = findCopy(of: fp.path, cur, minimumSize: cur.lineStart) {
                copy.seek(to: cur.lineStart, line: cur.lineNumber)
                copy.closeAtEOF = true
                fp.draining.append(copy)
            }
            cur.resetAfterTruncation()
        }
        cur.refreshPrefix(size: st.size)
    }

    /// A rotated file is finished: deliver its unterminated last line, if any, then let it close.
    private func retire(_ f: OpenFile, pathIndex: Int, _ body: (Span<UInt8>, TailLineInfo) -> Void) -> Int {
        guard !f.skipping, !f.pending.isEmpty else { return 0 }
        f.lineNumber = f.lineNumber.map { $0 + 1 }
        let pending = f.pending
        f.pending.removeAll()
        let n = pending.withUnsafeBufferPointer {
            deliver($0, from: f, pathIndex: pathIndex, endOffset: f.readOffset, body)
        }
        f.lineStart = f.readOffset
        return n
    }

    /// Reads `f` from its position to its end (or `budget` bytes), delivering complete lines.
    /// With `verifyPrefix`, each chunk is used only if the file still starts with the bytes we saw after
    /// it was read, so data of a file truncated and rewritten under us is not taken for the old content
    /// (`changed` is then true and the chunk is dropped).
    private func read(
        _ f: OpenFile, pathIndex: Int, budget: Int, verifyPrefix: Bool = false,
        _ body: (Span<UInt8>, TailLineInfo) -> Void
    ) throws(ReqwatchError) -> (lines: Int, bytes: Int, atEnd: Bool, changed: Bool) {
        var lines = 0
        var used = 0
        while used < budget {
            let n = buffer.withUnsafeMutableBytes { SystemFile.pread(f.fd, $0, at: f.readOffset) }
            if n < 0 {
                let e = errno
                throw ReqwatchError(
                    .io, "cannot read followed file", location: InputLocation(path: f.path, byteOffset: f.readOffset),
                    errno: e)
            }
            if n == 0 { return (lines, used, true, false) }
            if verifyPrefix && f.prefixChanged(size: .max) { return (lines, used, false, true) }
            used += n
            lines += buffer.withUnsafeBufferPointer { frame($0, count: n, file: f, pathIndex: pathIndex, body) }
            f.readOffset += Int64(n)
        }
        return (lines, used, false, false)
    }

    /// Splits `chunk[0..<count]` (file bytes at `f.readOffset`) into lines, joining the held partial line.
    private func frame(
        _ chunk: UnsafeBufferPointer<UInt8>, count n: Int, file f: OpenFile, pathIndex: Int,
        _ body: (Span<UInt8>, TailLineInfo) -> Void
    ) -> Int {
        guard let base = chunk.baseAddress else { return 0 }
        let maxHeld = options.maxLineLength + 1  // a line of maxLineLength bytes plus its '\r'
        var delivered = 0
        var start = 0
        while start < n {
            guard let hit = memchr(base + start, 0x0A, n - start) else {
                if !f.skipping {
                    if f.pending.count + (n - start) > maxHeld {
                        f.skipping = true
                        f.skippingCounts = true
                        f.pending = []
                    } else {
                        f.pending.append(contentsOf: UnsafeBufferPointer(start: base + start, count: n - start))
                    }
                }
                break
            }
            let nl = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            let endOffset = f.readOffset + Int64(nl + 1)
            f.lineNumber = f.lineNumber.map { $0 + 1 }
            if f.skipping {
                if f.skippingCounts { skippedLongLines += 1 }
                f.skipping = false
            } else if f.pending.isEmpty {
                delivered += deliver(
                    UnsafeBufferPointer(start: base + start, count: nl - start), from: f, pathIndex: pathIndex,
                    endOffset: endOffset, body)
            } else if f.pending.count + (nl - start) > maxHeld {
                skippedLongLines += 1
                f.pending.removeAll(keepingCapacity: true)
            } else {
                f.pending.append(contentsOf: UnsafeBufferPointer(start: base + start, count: nl - start))
                delivered += f.pending.withUnsafeBufferPointer {
                    deliver($0, from: f, pathIndex: pathIndex, endOffset: endOffset, body)
                }
                f.pending.removeAll(keepingCapacity: true)
            }
            f.lineStart = endOffset
            start = nl + 1
        }
        return delivered
    }

    /// Hands one line (a trailing `\r` removed) to `body`, or counts it as too long.
    private func deliver(
        _ line: UnsafeBufferPointer<UInt8>, from f: OpenFile, pathIndex: Int, endOffset: Int64,
        _ body: (Span<UInt8>, TailLineInfo) -> Void
    ) -> Int {
        var count = line.count
        if count > 0, line[count - 1] == 0x0D { count -= 1 }
        guard count <= options.maxLineLength else {
            skippedLongLines += 1
            return 0
        }
        var info = TailLineInfo(
            pathIndex: pathIndex, fileID: f.identity, lineNumber: f.lineNumber, endOffset: endOffset)
        info.prefixLength = f.prefix.count
        info.prefixHash = f.prefixHash
        let bytes = UnsafeBufferPointer(rebasing: line[0..<count])
        body(bytes.span, info)
        return 1
    }
}
