import ReqwatchCore

#if canImport(Glibc)
    import Glibc
#endif

/// Expands command-line input arguments (files, directories, "-") into an ordered input list.
public enum InputPaths {
    /// Expands command-line arguments into an ordered list of inputs. "-" stays "-". A directory expands to its
    /// regular, non-hidden files. Rotated sets are ordered OLDEST FIRST so event time runs forward:
    /// access.log.10.gz, …, access.log.2.gz, access.log.1, access.log (numeric suffix order, not glob order);
    /// date-stamped rotations (access.log-20240101[.gz], access.log.2024-01-01) ascending by date, before the live file.
    /// Different base names are kept in a stable, sensible order (by name). Arguments that do not exist produce a
    /// ReqwatchError(.notFound) in `problems` and the rest still expand.
    ///
    /// Details: files of one rotated set (same directory and base name) are gathered where the set first appears,
    /// so a shell glob `access.log*` comes out oldest first; sets from a directory appear by name; "-" keeps its
    /// place among the arguments. Within a set: date-stamped files (ascending), then numbered ones (highest number
    /// first), then the live file (`.gz` after the plain file on ties). A path listed twice is kept once.
    /// Directories are not descended into recursively; hidden files named explicitly are kept.
    /// The live log files of a directory, for `tail`: regular, non-hidden files that are not a rotated copy
    /// (no `.N`, date stamp or compression suffix), by name. Nil when `directory` is not a readable directory.
    public static func liveFiles(in directory: String) -> [String]? {
        guard case .success(let listing) = listDirectory(directory) else { return nil }
        return listing.paths.map { RotatedName(path: $0) }.filter { $0.rotation == .live && !$0.compressed }.map(\.path).sorted()
    }

    public static func expand(_ arguments: [String]) -> (inputs: [String], problems: [ReqwatchError]) {
        var problems: [ReqwatchError] = []
        var groups: [[RotatedName]] = []
        var groupIndex: [String: Int] = [:]
        var seen: Set<String> = []

        func add(_ path: String) {
            guard seen.insert(path).inserted else { return }
            let name = RotatedName(path: path)
            if let i = groupIndex[name.groupKey] {
                groups[i].append(name)
            } else {
                groupIndex[name.groupKey] = groups.count
                groups.append([name])
            }
        }

        for argument in arguments {
            if argument == "-" {
                // Standard input is a group of its own, in argument order.
                if seen.insert(argument).inserted { groups.append([RotatedName(stdin: ())]) }
                continue
            }
            var st = stat()
            guard stat(argument, &st) == 0 else {
                let e = errno
                let code: ReqwatchError.Code = (e == ENOENT || e == ENOTDIR) ? .notFound : .io
                let message = code == .notFound ? "input not found" : "cannot read input"
                problems.append(ReqwatchError(code, message, location: InputLocation(path: argument), errno: e))
                continue
            }
            if (st.st_mode & 0o170000) == 0o040000 {
                switch listDirectory(argument) {
                case .success(let listing):
                    for path in listing.paths { add(path) }
                    if listing.paths.isEmpty && listing.undecodable == 0 {
                        problems.append(
                            ReqwatchError(
                                .notFound, "directory holds no log file (hidden files and subdirectories are not read)",
                                location: InputLocation(path: argument)))
                    }
                    if listing.undecodable > 0 {
                        problems.append(
                            ReqwatchError(
                                .io, "\(listing.undecodable) file name(s) in directory are not valid UTF-8; skipped",
                                location: InputLocation(path: argument)))
                    }
                case .failure(let error):
                    problems.append(error)
                }
            } else {
                add(argument)
            }
        }
        var inputs: [String] = []
        for group in groups {
            inputs.append(contentsOf: group.sorted(by: RotatedName.olderFirst).map(\.path))
        }
        return (inputs, problems)
    }

    /// Regular (or symlinked-to-regular), non-hidden files of `directory`, as joined paths sorted by name, and how
    /// many entries were skipped because their names are not valid UTF-8 (a `String` could not name them exactly).
    private static func listDirectory(_ directory: String) -> Result<(paths: [String], undecodable: Int), ReqwatchError>
    {
        guard let dir = opendir(directory) else {
            let e = errno
            return .failure(
                ReqwatchError(.io, "cannot list directory", location: InputLocation(path: directory), errno: e))
        }
        defer { closedir(dir) }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        var paths: [String] = []
        var undecodable = 0
        while let entry = readdir(dir) {
            let decoded = withUnsafeBytes(of: entry.pointee.d_name) { raw -> (name: String?, hidden: Bool) in
                let bytes = raw.prefix { $0 != 0 }
                return (String(validating: bytes, as: UTF8.self), bytes.first == UInt8(ascii: "."))
            }
            if decoded.hidden { continue }
            guard let name = decoded.name else {
                undecodable += 1
                continue
            }
            if name.isEmpty { continue }
            let path = prefix + name
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & 0o170000) == 0o100000 else { continue }
            paths.append(path)
        }
        paths.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return .success((paths, undecodable))
    }
}

/// A file name split into its rotated-set key and its place in the rotation.
struct RotatedName {
    enum Rotation: Comparable {
        /// Date-stamped rotation; the key is the date's digits (`20240101`), compared as a digit string.
        case dated([UInt8])
        /// Numbered rotation `.N`; higher numbers are older.
        case numbered(Int)
        /// The live file.
        case live

        static func < (a: Rotation, b: Rotation) -> Bool {
            switch (a, b) {
            case (.dated(let x), .dated(let y)):
                return x.count != y.count ? x.count < y.count : x.lexicographicallyPrecedes(y)
            case (.dated, _): return true
            case (.numbered, .dated): return false
            case (.numbered(let x), .numbered(let y)): return x > y
            case (.numbered, .live): return true
            case (.live, _): return false
            }
        }
    }

    let path: String
    /// Directory plus base name (`logs/access.log`); "-" for standard input.
    let groupKey: String
    let rotation: Rotation
    let compressed: Bool

    init(stdin: Void) {
        path = "-"
        groupKey = "-"
        rotation = .live
        compressed = false
    }

    init(path: String) {
        self.path = path
        var bytes = Array(path.utf8)
        let slash = bytes.lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? 0
        var compressed = false
        let gz = Array(".gz".utf8)
        if bytes.count - slash > gz.count && Array(bytes.suffix(gz.count)) == gz {
            bytes.removeLast(gz.count)
            compressed = true
        }
        self.compressed = compressed
        let (baseEnd, rotation) = RotatedName.splitRotation(bytes, nameStart: slash)
        self.rotation = rotation
        groupKey = String(decoding: bytes[..<baseEnd], as: UTF8.self)
    }

    /// Finds a rotation suffix at the end of `bytes[nameStart...]`: `.N` (up to 6 digits), or a date made of
    /// 8+ digits and dashes after `.`, `-` or `_`. Returns where the base name ends and the rotation.
    static func splitRotation(_ bytes: [UInt8], nameStart: Int) -> (Int, Rotation) {
        let dash = UInt8(ascii: "-")
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        var i = bytes.count
        while i > nameStart && (isDigit(bytes[i - 1]) || bytes[i - 1] == dash) { i -= 1 }
        // Leading dashes of the run are the separator, not part of the stamp.
        var runStart = i
        while runStart < bytes.count && bytes[runStart] == dash { runStart += 1 }
        guard runStart < bytes.count, runStart > nameStart else { return (bytes.count, .live) }
        let separator = bytes[runStart - 1]
        let sepOK = separator == UInt8(ascii: ".") || separator == dash || separator == UInt8(ascii: "_")
        let baseEnd = runStart - 1
        guard sepOK, baseEnd > nameStart else { return (bytes.count, .live) }
        let run = bytes[runStart...]
        let digits = run.filter(isDigit)
        if separator == UInt8(ascii: "."), !run.contains(dash), digits.count <= 6 {
            var n = 0
            for d in digits { n = n * 10 + Int(d - UInt8(ascii: "0")) }
            return (baseEnd, .numbered(n))
        }
        if digits.count >= 8 { return (baseEnd, .dated(Array(digits))) }
        return (bytes.count, .live)
    }

    /// Oldest first: rotation order, then plain before `.gz`, then path bytes (deterministic).
    static func olderFirst(_ a: RotatedName, _ b: RotatedName) -> Bool {
        if a.rotation != b.rotation { return a.rotation < b.rotation }
        if a.compressed != b.compressed { return !a.compressed }
        return Array(a.path.utf8).lexicographicallyPrecedes(Array(b.path.utf8))
    }
}
