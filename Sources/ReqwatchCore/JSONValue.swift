/// A small JSON tree for alert evidence and summaries. Objects keep their key order, so output is
/// reproducible. Built only when an alert fires, never per line.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.int(let x), .int(let y)): x == y
        case (.double(let x), .double(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public static func int(_ v: Int) -> JSONValue { .int(Int64(v)) }

    /// The value at `key` of an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields.first { $0.0 == key }?.1 }
        return nil
    }

    /// Serialises compactly, escaping every control byte and invalid UTF-8 (repaired to U+FFFD).
    public func encoded() -> String {
        var out: [UInt8] = []
        JSONWriter.write(self, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// Appends JSON to a byte buffer. All text written here may be attacker-controlled: every string
/// goes through `writeString`, which escapes quotes, backslashes, control bytes, U+2028/U+2029 and
/// replaces invalid UTF-8, so each output line is valid JSON.
public enum JSONWriter {
    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d):
            if d.isFinite { out.append(contentsOf: String(d).utf8) } else { out.append(contentsOf: "null".utf8) }
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, v) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(v, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            for (i, (k, v)) in fields.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                write(v, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    public static func writeString(_ s: String, into out: inout [UInt8]) {
        var copy = s
        copy.withUTF8 { writeString(bytes: $0, into: &out) }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes `bytes` as a JSON string literal. Invalid UTF-8 sequences become U+FFFD.
    public static func writeString(bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var i = 0
        let n = bytes.count
        while i < n {
            // Fast path: copy a run of printable ASCII that needs no escaping in one append.
            var j = i
            while j < n {
                let c = bytes[j]
                if c < 0x20 || c >= 0x7F || c == 0x22 || c == 0x5C { break }
                j += 1
            }
            if j > i {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<j]))
                i = j
                if i >= n { break }
            }
            let b = bytes[i]
            if b < 0x80 {
                switch b {
                case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0..<0x20, 0x7F:
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
                default: out.append(b)
                }
                i += 1
                continue
            }
            // Validate one UTF-8 sequence.
            let len: Int
            var minScalar: UInt32 = 0
            var scalar: UInt32
            if b & 0xE0 == 0xC0 { len = 2; scalar = UInt32(b & 0x1F); minScalar = 0x80 }
            else if b & 0xF0 == 0xE0 { len = 3; scalar = UInt32(b & 0x0F); minScalar = 0x800 }
            else if b & 0xF8 == 0xF0 { len = 4; scalar = UInt32(b & 0x07); minScalar = 0x10000 }
            else { len = 0; scalar = 0 }
            var ok = len > 0 && i + len <= n
            if ok {
                for k in 1..<len {
                    let c = bytes[i + k]
                    if c & 0xC0 != 0x80 { ok = false; break }
                    scalar = scalar << 6 | UInt32(c & 0x3F)
                }
            }
            if ok && (scalar < minScalar || scalar > 0x10FFFF || (scalar >= 0xD800 && scalar <= 0xDFFF)) { ok = false }
            if !ok {
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])  // U+FFFD
                i += 1
                continue
            }
            if scalar == 0x2028 || scalar == 0x2029 {
                out.append(contentsOf: Array((scalar == 0x2028 ? "\\u2028" : "\\u2029").utf8))
            } else {
                for k in 0..<len { out.append(bytes[i + k]) }
            }
            i += len
        }
        out.append(UInt8(ascii: "\""))
    }
}
