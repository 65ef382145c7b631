import ReqwatchCore

/// Field redactors: each writes the whole field (redacted, or as it was) into `out` and returns
/// whether anything was replaced.
extension Redactor {
    static let amp = UInt8(ascii: "&")
    static let eq = UInt8(ascii: "=")
    static let slash = UInt8(ascii: "/")

    /// `a=b&token=…`: sensitive names by key rule (or field rule `<base>.<name>`), other values by value rules,
    /// all on the percent-decoded text.
    func redactQuery(
        _ q: UnsafeBufferPointer<UInt8>, base: StaticString, s: Scratch, into out: inout [UInt8]
    ) -> Bool {
        var changed = false
        let n = q.count
        var ps = 0
        var firstPair = true
        while ps <= n {
            var pe = ps
            while pe < n && q[pe] != Self.amp && q[pe] != UInt8(ascii: ";") { pe += 1 }
            if !firstPair { out.append(q[ps - 1]) }
            firstPair = false
            if pe > ps {
                var eqAt = -1
                for i in ps..<pe where q[i] == Self.eq {
                    eqAt = i
                    break
                }
                let rawKey = eqAt >= 0 ? UnsafeBufferPointer(rebasing: q[ps..<eqAt]) : UnsafeBufferPointer(rebasing: q[ps..<ps])
                let rawValue = UnsafeBufferPointer(rebasing: q[(eqAt >= 0 ? eqAt + 1 : ps)..<pe])
                Self.decodeFully(rawKey, into: &s.key, tmp: &s.dec2)
                if changedPair(rawKey: rawKey, rawValue: rawValue, hasEq: eqAt >= 0, base: base, s: s, into: &out) {
                    changed = true
                }
            }
            if pe >= n { break }
            ps = pe + 1
        }
        return changed
    }

    private func changedPair(
        rawKey: UnsafeBufferPointer<UInt8>, rawValue: UnsafeBufferPointer<UInt8>, hasEq: Bool, base: StaticString,
        s: Scratch, into out: inout [UInt8]
    ) -> Bool {
        s.key.withUnsafeBufferPointer { key -> Bool in
            var changed = false
            let rule = key.isEmpty ? nil : fieldRule(base, key)
            let baseName = base.description
            var kind: SecretKind? = nil
            var tag = RuleTag.key
            if rule == true {
                kind = keys.classify(key) ?? .secret
                tag = .fieldRule
            } else if rule == nil {
                kind = keys.classify(key)
            }
            if hasEq {
                // A key that is itself a secret (rare, but `?<jwt>=1` happens).
                if rule == nil && scanEmit(key, kv: false, encode: true, s: s, base: baseName, key: nil, into: &out) {
                    changed = true
                } else {
                    out.append(contentsOf: rawKey)
                }
                out.append(Self.eq)
            }
            if rawValue.isEmpty { return changed }
            Self.decodeFully(rawValue, into: &s.dec, tmp: &s.dec2)
            return s.dec.withUnsafeBufferPointer { v -> Bool in
                if let kind {
                    let k = firstValueKind(v, s: s) ?? kind
                    writeReplacement(v, kind: k, into: &out)
                    note(s, kind: k, rule: tag, base: baseName, key: key, length: v.count)
                    return true
                }
                if rule == false {
                    out.append(contentsOf: rawValue)
                    return changed
                }
                if scanEmit(v, kv: true, encode: true, s: s, base: baseName, key: key.isEmpty ? nil : key, into: &out) {
                    return true
                }
                out.append(contentsOf: rawValue)
                return changed
            }
        }
    }

    /// `/reset/<token>/x`: value rules per decoded segment, and an opaque high-entropy segment right after a
    /// keyword segment (`reset`, `unsubscribe`, `api-keys`, `token`, `verify`, …).
    func redactPath(_ p: UnsafeBufferPointer<UInt8>, base: String, s: Scratch, into out: inout [UInt8]) -> Bool {
        var changed = false
        let n = p.count
        var i = 0
        var afterKeyword = false
        while i < n {
            if p[i] == Self.slash {
                out.append(Self.slash)
                i += 1
                continue
            }
            var e = i
            while e < n && p[e] != Self.slash { e += 1 }
            let raw = UnsafeBufferPointer(rebasing: p[i..<e])
            func process(_ seg: UnsafeBufferPointer<UInt8>) -> Bool {
                if scanEmit(seg, kv: true, encode: true, s: s, base: base, key: nil, into: &out) {
                    changed = true
                } else if afterKeyword && Self.isOpaque(seg) {
                    writeReplacement(seg, kind: .pathToken, into: &out)
                    note(s, kind: .pathToken, rule: .pathKeyword, base: base, key: nil, length: seg.count)
                    changed = true
                } else {
                    out.append(contentsOf: raw)
                }
                return Self.isPathKeyword(seg)
            }
            let keyword: Bool
            if raw.contains(UInt8(ascii: "%")) {
                Self.decodeFully(raw, into: &s.dec, tmp: &s.dec2)
                keyword = s.dec.withUnsafeBufferPointer { process($0) }
            } else {
                keyword = process(raw)
            }
            afterKeyword = keyword
            i = e
        }
        return changed
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
        let n = u.count
        var q = -1
        var h = -1
        for i in 0..<n {
            if u[i] == UInt8(ascii: "?") && q < 0 && h < 0 { q = i }
            if u[i] == UInt8(ascii: "#") { h = i; break }
        }
        let pathEnd = q >= 0 ? q : (h >= 0 ? h : n)
        var changed = redactPath(UnsafeBufferPointer(rebasing: u[0..<pathEnd]), base: pathBase, s: s, into: &out)
        if q >= 0 {
            out.append(UInt8(ascii: "?"))
            let qe = h >= 0 ? h : n
            if redactQuery(UnsafeBufferPointer(rebasing: u[(q + 1)..<qe]), base: queryBase, s: s, into: &out) {
                changed = true
            }
        }
        if h >= 0 {
            out.append(UInt8(ascii: "#"))
            if redactQuery(UnsafeBufferPointer(rebasing: u[(h + 1)..<n]), base: queryBase, s: s, into: &out) {
                changed = true
            }
        }
        return changed
    }

    /// One request header: sensitive names are replaced whole; `Referer`/`Origin`/`Location` as URLs; others by
    /// value rules.
    func redactHeader(
        name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>, s: Scratch, into out: inout [UInt8]
    ) -> Bool {
        let rule = fieldRule("header", name)
        if rule == false {
            out.append(contentsOf: value)
            return false
        }
        let norm = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buf -> (UInt64, Bool, Bool) in
            let n = KeyRules.normalise(name, into: buf)
            let b = UnsafeBufferPointer(rebasing: buf[0..<n])
            return (
                ByteHash.hash(b), KeyRules.contains(b, Array("cookie".utf8)),
                n == 7 && (KeyRules.contains(b, Array("referer".utf8)) || KeyRules.contains(b, Array("location".utf8)))
                    || n == 6 && KeyRules.contains(b, Array("origin".utf8))
            )
        }
        let lowerName = Self.lowerName(name)
        let keyKind = keys.classify(name)
        if rule == true || sensitiveHeaders.contains(norm.0) || keyKind != nil {
            if value.isEmpty { return false }
            var kind = keyKind ?? .secret
            if ValueScanner.has(value, 0, "bearer ", caseInsensitive: true) {
                kind = .bearer
            } else if ValueScanner.has(value, 0, "basic ", caseInsensitive: true) {
                kind = .basic
            } else if norm.1 {
                kind = .cookie
            } else if let k = firstValueKind(value, s: s) {
                kind = k
            }
            writeReplacement(value, kind: kind, into: &out)
            lowerName.withUnsafeBufferPointer {
                note(s, kind: kind, rule: rule == true ? .fieldRule : .header, base: "header", key: $0, length: value.count)
            }
            return true
        }
        if norm.2 {
            return redactURL(value, pathBase: "header", queryBase: "header.query", s: s, into: &out)
        }
        let changed = lowerName.withUnsafeBufferPointer {
            scanEmit(value, kv: true, encode: false, s: s, base: "header", key: $0, into: &out)
        }
        if !changed { out.append(contentsOf: value) }
        return changed
    }

    static func lowerName(_ name: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        name.prefix(64).map { ValueScanner.isUpper($0) ? $0 | 0x20 : $0 }
    }

    /// A request body: JSON (any depth), form-encoded, or free text.
    func redactBody(_ b: UnsafeBufferPointer<UInt8>, s: Scratch, into out: inout [UInt8]) -> Bool {
        var i = 0
        while i < b.count && (b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09) { i += 1 }
        if i < b.count && (b[i] == UInt8(ascii: "{") || b[i] == UInt8(ascii: "[")) {
            return redactJSON(b, s: s, into: &out)
        }
        var form = b.count > 0
        var hasEq = false
        for c in b {
            if c <= 0x20 || c == UInt8(ascii: "\"") { form = false; break }
            if c == Self.eq { hasEq = true }
        }
        if form && hasEq { return redactQuery(b, base: "body", s: s, into: &out) }
        if scanEmit(b, kv: true, encode: false, s: s, base: "body", key: nil, into: &out) { return true }
        out.append(contentsOf: b)
        return false
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
                if i + 5 < n, let a = hexValue(b[i + 2]), let bb = hexValue(b[i + 3]), let c2 = hexValue(b[i + 4]),
                    let d = hexValue(b[i + 5])
                {
                    var v = UInt32(a) << 12 | UInt32(bb) << 8 | UInt32(c2) << 4 | UInt32(d)
                    var consumed = 6
                    if v >= 0xD800 && v < 0xDC00, i + 11 < n, b[i + 6] == UInt8(ascii: "\\"), b[i + 7] == UInt8(ascii: "u"),
                        let w0 = hexValue(b[i + 8]), let w1 = hexValue(b[i + 9]), let w2 = hexValue(b[i + 10]),
                        let w3 = hexValue(b[i + 11])
                    {
                        let lo = UInt32(w0) << 12 | UInt32(w1) << 8 | UInt32(w2) << 4 | UInt32(w3)
                        if lo >= 0xDC00 && lo < 0xE000 {
                            v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                            consumed = 12
                        }
                    }
                    let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
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
