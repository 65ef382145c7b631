import ReqwatchCore

/// The committed read position of one followed path, as kept in the state file.
struct CommittedPosition: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64
    /// Length and `ByteHash` of the file prefix that identifies the file (up to 256 bytes).
    var prefixLength: Int
    var prefixHash: UInt64
    /// Offset just past the last line the engine confirmed.
    var offset: Int64
    /// Complete lines before `offset`, when known.
    var lineNumber: Int64?
    /// Event time of the last confirmed line that had one.
    var eventTime: Timestamp?
}

/// Everything the state file holds: positions per path and the engine's opaque blob.
struct TailState: Equatable, Sendable {
    static let version: Int64 = 1
    /// Largest state file accepted (the engine blob holds detector windows).
    static let maxFileSize = 256 << 20

    var positions: [String: CommittedPosition] = [:]
    var extra: [UInt8] = []

    /// `{"version":1,"files":[{"path":…,"device":…,…}],"extra":"<hex>"}`. 64-bit identifiers are
    /// stored as their signed bit pattern, since JSON integers here are `Int64`.
    func encoded(order: [String]) -> [UInt8] {
        var files: [JSONValue] = []
        for path in order {
            guard let p = positions[path] else { continue }
            var fields: [(String, JSONValue)] = [
                ("path", .string(path)),
                ("device", .int(Int64(bitPattern: p.device))),
                ("inode", .int(Int64(bitPattern: p.inode))),
                (
                    "fingerprint",
                    .int(Int64(bitPattern: p.prefixLength == OpenFile.fingerprintLength ? p.prefixHash : 0))
                ),
                ("prefix_length", .int(p.prefixLength)),
                ("prefix_hash", .int(Int64(bitPattern: p.prefixHash))),
                ("offset", .int(p.offset)),
            ]
            if let l = p.lineNumber { fields.append(("line", .int(l))) }
            if let t = p.eventTime { fields.append(("event_time_us", .int(t.microseconds))) }
            files.append(.object(fields))
        }
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var extraHex = [UInt8]()
        extraHex.reserveCapacity(extra.count * 2)
        for b in extra {
            extraHex.append(hex[Int(b >> 4)])
            extraHex.append(hex[Int(b & 15)])
        }
        let root = JSONValue.object([
            ("version", .int(Self.version)),
            ("files", .array(files)),
            ("extra", .string(String(decoding: extraHex, as: UTF8.self))),
        ])
        var out: [UInt8] = []
        JSONWriter.write(root, into: &out)
        out.append(0x0A)
        return out
    }

    /// Parses a state file; nil when it is not a valid version-1 state.
    static func decode(_ bytes: [UInt8]) -> TailState? {
        guard let root = JSONReader.parse(bytes),
            case .int(let version)? = root["version"], version == Self.version,
            case .array(let files)? = root["files"]
        else { return nil }
        var state = TailState()
        for f in files {
            guard case .string(let path)? = f["path"],
                case .int(let device)? = f["device"],
                case .int(let inode)? = f["inode"],
                case .int(let offset)? = f["offset"], offset >= 0
            else { return nil }
            var prefixLength = 0
            var prefixHash = ByteHash.hash([UInt8]())
            if let pl = f["prefix_length"] {
                guard case .int(let l) = pl, case .int(let h)? = f["prefix_hash"],
                    l >= 0, l <= Int64(OpenFile.fingerprintLength)
                else { return nil }
                prefixLength = Int(l)
                prefixHash = UInt64(bitPattern: h)
            } else if case .int(let fp)? = f["fingerprint"], fp != 0 {
                prefixLength = OpenFile.fingerprintLength
                prefixHash = UInt64(bitPattern: fp)
            }
            var line: Int64? = nil
            if let v = f["line"] {
                guard case .int(let l) = v, l >= 0 else { return nil }
                line = l
            }
            var time: Timestamp? = nil
            if let v = f["event_time_us"] {
                guard case .int(let t) = v else { return nil }
                time = Timestamp(microseconds: t)
            }
            state.positions[path] = CommittedPosition(
                device: UInt64(bitPattern: device), inode: UInt64(bitPattern: inode), prefixLength: prefixLength,
                prefixHash: prefixHash, offset: offset, lineNumber: line, eventTime: time)
        }
        if let e = root["extra"] {
            guard case .string(let hex) = e, let bytes = Self.unhex(hex) else { return nil }
            state.extra = bytes
        }
        return state
    }

    private static func unhex(_ s: String) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = HexDigit.value(u[i]), let lo = HexDigit.value(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
