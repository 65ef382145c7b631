import ReqwatchCore

/// How a `Tailer` follows its files.
///
/// Without a state file, files present when the tailer starts are read from their end (the partial
/// line being written at that moment, if any, is delivered once its newline arrives) unless
/// `fromStart` is set; files that appear later are always read from their start.
public struct TailOptions: Sendable {
    /// Files to follow, in the order used for `TailLineInfo.pathIndex`. `"-"` (stdin) is not handled here.
    /// List each file once: the state file keys positions by path.
    public var paths: [String]
    /// Read files present at start (and not known to the state file) from their first byte.
    public var fromStart = false
    /// Fallback / safety poll: the longest wait between two checks of the files, even when inotify
    /// reports nothing (it misses changes on some file systems, and is absent on some kernels).
    public var pollInterval: Duration = .milliseconds(100)
    /// Longest line delivered, in bytes, without its `\n` and a trailing `\r`. Longer lines are skipped
    /// and counted in `Tailer.skippedLongLines`; at most this many bytes of a partial line are held.
    public var maxLineLength = 65_536
    /// How long a rotated file stays open after the new file first holds data, for writers that reopen
    /// their log late (nginx workers reopen one at a time after `USR1`): lines they still append to the old
    /// file in that time are delivered. A newer rotation closes it at once; 0 closes it as soon as it is read.
    public var rotationGrace: Duration = .seconds(1)
    /// Use inotify to wake up as soon as a followed directory changes. Without it (or when the kernel
    /// refuses it) the files are checked every `pollInterval`. Turn off for file systems where inotify
    /// reports nothing (NFS, some FUSE mounts), or to measure the fallback.
    public var useInotify = true
    /// The `--state FILE`: read positions and engine state are loaded from and saved to it.
    public var statePath: String?

    /// Follows `paths` with the default options.
    public init(paths: [String]) {
        self.paths = paths
    }
}

/// Which file a line came from: the device and inode of the file, and a fingerprint of its first bytes
/// so that a recycled inode (old file deleted, new file given the same number) is not taken for the old file.
public struct FileIdentity: Hashable, Sendable {
    /// `st_dev` of the file.
    public var device: UInt64
    /// `st_ino` of the file.
    public var inode: UInt64
    /// `ByteHash` of the first 256 bytes of the file; 0 while the file is shorter than 256 bytes.
    public var fingerprint: UInt64

    /// An identity from its parts.
    public init(device: UInt64, inode: UInt64, fingerprint: UInt64) {
        self.device = device
        self.inode = inode
        self.fingerprint = fingerprint
    }
}

/// Where one complete line of a followed file came from. The line bytes themselves are valid only
/// during the `Tailer.poll` callback; this value may be kept and passed back to `Tailer.commit`.
public struct TailLineInfo: Sendable {
    /// Index of the followed path in `TailOptions.paths`.
    public var pathIndex: Int
    /// The file the line was read from (after rotation this is the rotated file, not the new one).
    public var fileID: FileIdentity
    /// 1-based line number in that file; nil when reading started in the middle of the file
    /// (from its end, without a state file that knew the number).
    public var lineNumber: Int64?
    /// Byte offset in the file just past this line's `\n` (the position a restart resumes at).
    public var endOffset: Int64

    /// Length of the file prefix `prefixHash` covers (up to 256; may be shorter than `fingerprint` needs).
    var prefixLength: Int = 0
    /// `ByteHash` of the first `prefixLength` bytes of the file, used to recognise it on resume.
    var prefixHash: UInt64 = 0

    /// A line position from its public parts (the prefix check on resume then relies on
    /// `fileID.fingerprint` alone).
    public init(pathIndex: Int, fileID: FileIdentity, lineNumber: Int64?, endOffset: Int64) {
        self.pathIndex = pathIndex
        self.fileID = fileID
        self.lineNumber = lineNumber
        self.endOffset = endOffset
        if fileID.fingerprint != 0 {
            prefixLength = OpenFile.fingerprintLength
            prefixHash = fileID.fingerprint
        }
    }
}
