import ReqwatchCore

/// Field redactors: each writes the whole field (redacted, or as it was) into `out` and returns
/// whether anything was replaced.
extension Redactor {
    static let amp = UInt8(ascii: "&")
    static let eq = UInt8(ascii: "=")
    static let slash = UInt8(ascii: "/")

    /// `a=b&token=…`: writes the query with secrets replaced (the rest byte for byte) and returns whether
    /// anything was replaced. Audit fields are `<base>.<name>`.
    func redactQuery(
        _ q: UnsafeBufferPointer<UInt8>, base: StaticString, s: Scratch, into out: inout [UInt8]
    ) -> Bool {
        setField(s, base.description)
        let mark = s.cuts.count
        queryCuts(q, depth: 0, s: s)
        return emit(q, from: mark, s: s, into: &out)
    }

    func setField(_ s: Scratch, _ base: String) {
        s.fieldName.removeAll(keepingCapacity: true)
        s.fieldName.append(contentsOf: base.utf8)
    }

    /// `/reset/<token>/x`: writes the path with secrets replaced and returns whether anything was replaced.
    func redactPath(_ p: UnsafeBufferPointer<UInt8>, base: String, s: Scratch, into out: inout [UInt8]) -> Bool {
        setField(s, base)
        let mark = s.cuts.count
        pathCuts(p, depth: 0, s: s)
        return emit(p, from: mark, s: s, into: &out)
    }

    static func isPathKeyword(_ seg: UnsafeBufferPointer<UInt8>) -> Bool {
        if seg.isEmpty || seg.count > 32 { return false }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buf in
            let n = KeyRules.normalise(seg, into: buf)
            return pathKeywords.contains(ByteHash.hash(UnsafeBufferPointer(rebasing: buf[0..<n])))
        }
    }

    /// At least 16 token bytes, with letters and digits (or 20+ bytes of mixed case), no spaces.
    static func isOpaque(_ seg: UnsafeBufferPointer<UInt8>) -> Bool {
        guard seg.count >= 16 else { return false }
        var letters = false, digits = false, upper = false, lower = false
        for c in seg {
            if ValueScanner.isDigit(c) {
                digits = true
            } else if ValueScanner.isUpper(c) {
                letters = true
                upper = true
            } else if ValueScanner.isLower(c) {
                letters = true
                lower = true
            } else if !(c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
                || c == UInt8(ascii: "~") || c == UInt8(ascii: "=") || c == UInt8(ascii: "+"))
            {
                return false
            }
        }
        return (letters && digits) || (seg.count >= 20 && upper && lower)
    }

    /// A URL or path with query and fragment (`https://h/p?a=b#access_token=…`).
    func redactURL(
        _ u: UnsafeBufferPointer<UInt8>, pathBase: String, queryBase: StaticString, s: Scratch,
        into out: inout [UInt8]
    ) -> Bool {
        setField(s, pathBase)
        let mark = s.cuts.count
        urlCuts(u, depth: 0, s: s)
        return emit(u, from: mark, s: s, into: &out)
    }

    /// The class of a header name: word rules, plus the configured sensitive headers and field rules.
    func headerClass(_ name: UnsafeBufferPointer<UInt8>, s: Scratch) -> KeyClass {
        var cls = judgeKey(name, s: s)
        if cls.role != .secret && cls.role != .cookie {
            let h = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buf -> UInt64 in
                let n = KeyRules.normalise(name, into: buf)
                return ByteHash.hash(UnsafeBufferPointer(rebasing: buf[0..<n]))
            }
            if sensitiveHeaders.contains(h) && cls.role != .publicValue { cls = .secret(keys.classify(name) ?? .secret) }
        }
        return cls
    }

    /// One request header: sensitive names are replaced whole, `Cookie` pair by pair, URLs as URLs, others
    /// by value rules.
    func redactHeader(
        name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>, s: Scratch, into out: inout [UInt8]
    ) -> Bool {
        setField(s, "header")
        let lower = Self.lowerName(name)
        lower.withUnsafeBufferPointer { _ = pushField(s, $0) }
        let cls = headerClass(name, s: s)
        let mark = s.cuts.count
        valueCuts(value, off: 0, cls: cls, depth: 0, s: s)
        if cls.role == .secret { for k in mark..<s.cuts.count where s.cuts[k].rule == .key { s.cuts[k].rule = .header } }
        return emit(value, from: mark, s: s, into: &out)
    }

    static func lowerName(_ name: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        name.prefix(64).map { ValueScanner.isUpper($0) ? $0 | 0x20 : $0 }
    }

    /// A request body: JSON (any depth), form-encoded, or free text.
    func redactBody(_ b: UnsafeBufferPointer<UInt8>, s: Scratch, into out: inout [UInt8]) -> Bool {
        setField(s, "body")
        let mark = s.cuts.count
        genericCuts(b, off: 0, depth: 0, s: s)
        return emit(b, from: mark, s: s, into: &out)
    }

    /// A JSON document at any depth; keys, nesting and value types are kept.
    func redactJSON(_ b: UnsafeBufferPointer<UInt8>, s: Scratch, into out: inout [UInt8]) -> Bool {
        setField(s, "body")
        let mark = s.cuts.count
        jsonCuts(b, off: 0, depth: 0, s: s)
        return emit(b, from: mark, s: s, into: &out)
    }

    /// Unescapes a JSON string body (without quotes) into `out`; invalid escapes are kept as written.
    static func jsonUnescape(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            guard c == UInt8(ascii: "\\"), i + 1 < n else {
                out.append(c)
                i += 1
                continue
            }
            let e = b[i + 1]
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                if let (scalar, consumed) = jsonUnicodeEscape(b, at: i) {
                    if let enc = UTF8.encode(scalar) { out.append(contentsOf: enc) }
                    i += consumed
                    continue
                }
                out.append(c)
                out.append(e)
            default: out.append(e)
            }
            i += 2
        }
    }
}

/// The `\uXXXX` escape (with its low surrogate, `\uXXXX\uXXXX`) at `b[i]` (the backslash): the scalar and how many
/// bytes it took; a lone or invalid surrogate gives U+FFFD. nil when the four hex digits are not there.
func jsonUnicodeEscape(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (Unicode.Scalar, Int)? {
    let n = b.count
    guard i + 5 < n, let a = HexDigit.value(b[i + 2]), let bb = HexDigit.value(b[i + 3]), let c2 = HexDigit.value(b[i + 4]),
        let d = HexDigit.value(b[i + 5]) else { return nil }
    var v = UInt32(a) << 12 | UInt32(bb) << 8 | UInt32(c2) << 4 | UInt32(d)
    var consumed = 6
    if v >= 0xD800 && v < 0xDC00, i + 11 < n, b[i + 6] == UInt8(ascii: "\\"), b[i + 7] == UInt8(ascii: "u"),
        let w0 = HexDigit.value(b[i + 8]), let w1 = HexDigit.value(b[i + 9]), let w2 = HexDigit.value(b[i + 10]), let w3 = HexDigit.value(b[i + 11])
    {
        let lo = UInt32(w0) << 12 | UInt32(w1) << 8 | UInt32(w2) << 4 | UInt32(w3)
        if lo >= 0xDC00 && lo < 0xE000 {
            v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
            consumed = 12
        }
    }
    return (Unicode.Scalar(v) ?? "\u{FFFD}", consumed)
}
