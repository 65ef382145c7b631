import ReqwatchCore

/// One replacement in a scanned buffer: bytes `start..<end` become `Scratch.reps[repStart..<repEnd]`.
/// Cuts are found in the coordinates of the buffer a function was given and mapped outwards layer by layer
/// (JSON string escapes, percent-encoding), so the output keeps every byte outside a secret as it was.
struct Cut {
    var start: Int
    var end: Int
    var kind: SecretKind
    var rule: Redactor.RuleTag
    var repStart: Int
    var repEnd: Int
    var field: String
    var drop = false
}

/// The encoding layer a cut is mapped out through: replacements are escaped for it.
enum Layer { case json, percent, bare }

/// How deep decoding may nest (JSON in a percent-encoded query in a JSON string in base64 …), as gitleaks bounds it.
let maxDecodeDepth = 5

extension Redactor {
    // MARK: - Field names (audit only; never values)

    @inline(__always) func pushField(_ s: Scratch, _ part: UnsafeBufferPointer<UInt8>) -> Int {
        let old = s.fieldName.count
        if !s.fieldName.isEmpty { s.fieldName.append(UInt8(ascii: ".")) }
        var ok = part.count <= 64
        if ok { for c in part where !(ValueScanner.isIdent(c) || c == UInt8(ascii: "@") || c == UInt8(ascii: ":")) { ok = false; break } }
        if ok && part.count >= 16 && Self.looksSecret(part) { ok = false }
        if ok && part.count >= 20 {
            // Long names that look like tokens are not written into the audit.
            var hits: [Hit] = []
            ValueScanner.scan(part, keys: nil, into: &hits)
            ok = hits.isEmpty
        }
        if ok && !part.isEmpty { s.fieldName.append(contentsOf: part) } else { s.fieldName.append(UInt8(ascii: "*")) }
        return old
    }

    @inline(__always) func pushField(_ s: Scratch, _ part: StaticString) -> Int {
        pushField(s, UnsafeBufferPointer(start: part.utf8Start, count: part.utf8CodeUnitCount))
    }

    @inline(__always) func popField(_ s: Scratch, _ old: Int) {
        if s.fieldName.count > old { s.fieldName.removeSubrange(old...) }
    }

    // MARK: - Cuts

    /// Records a cut of `start..<end` (buffer coordinates) whose decoded value is `value`.
    func addCut(
        _ s: Scratch, _ start: Int, _ end: Int, kind: SecretKind, rule: RuleTag, value: UnsafeBufferPointer<UInt8>,
        quote: Bool = false
    ) {
        let r0 = s.reps.count
        if quote { s.reps.append(UInt8(ascii: "\"")) }
        writeReplacement(value, kind: kind, into: &s.reps)
        if quote { s.reps.append(UInt8(ascii: "\"")) }
        s.cuts.append(
            Cut(start: start, end: end, kind: kind, rule: rule, repStart: r0, repEnd: s.reps.count,
                field: String(decoding: s.fieldName, as: UTF8.self)))
    }

    /// Maps cuts `mark...` from decoded coordinates to raw ones (`map[i]` = raw offset of decoded byte `i`,
    /// `map[count]` = raw length), shifts by `off` and escapes their replacements for `layer`.
    func mapCuts(_ s: Scratch, from mark: Int, map: [Int32], off: Int, layer: Layer) {
        guard s.cuts.count > mark else { return }
        for k in mark..<s.cuts.count {
            var c = s.cuts[k]
            c.start = off + Int(map[min(c.start, map.count - 1)])
            c.end = off + Int(map[min(c.end, map.count - 1)])
            if !c.drop { escapeRep(s, &c, layer) }
            s.cuts[k] = c
        }
    }

    func shiftCuts(_ s: Scratch, from mark: Int, by off: Int) {
        guard off != 0, s.cuts.count > mark else { return }
        for k in mark..<s.cuts.count {
            s.cuts[k].start += off
            s.cuts[k].end += off
        }
    }

    /// Escapes the replacements of cuts `mark...` for `layer` (an unquoted NCSA field takes no brackets,
    /// spaces or quotes: `REDACTED:email`).
    func escapeCuts(_ s: Scratch, from mark: Int, layer: Layer) {
        guard s.cuts.count > mark else { return }
        for k in mark..<s.cuts.count where !s.cuts[k].drop {
            var c = s.cuts[k]
            escapeRep(s, &c, layer)
            s.cuts[k] = c
        }
    }

    private func escapeRep(_ s: Scratch, _ c: inout Cut, _ layer: Layer) {
        var needs = false
        for k in c.repStart..<c.repEnd {
            let b = s.reps[k]
            switch layer {
            case .json: if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { needs = true }
            case .percent: if Self.needsPercent(b) { needs = true }
            case .bare: if b == UInt8(ascii: "[") || b == UInt8(ascii: "]") || b <= 0x20 || b == UInt8(ascii: "\"") { needs = true }
            }
        }
        guard needs else { return }
        let r0 = s.reps.count
        for k in c.repStart..<c.repEnd {
            let b = s.reps[k]
            switch layer {
            case .json:
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                    s.reps.append(UInt8(ascii: "\\"))
                    s.reps.append(b)
                } else if b < 0x20 {
                    s.reps.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), 48, 48, Self.hexUpperDigit(b >> 4), Self.hexUpperDigit(b & 15)])
                } else {
                    s.reps.append(b)
                }
            case .percent:
                if Self.needsPercent(b) {
                    s.reps.append(UInt8(ascii: "%"))
                    s.reps.append(Self.hexUpperDigit(b >> 4))
                    s.reps.append(Self.hexUpperDigit(b & 15))
                } else {
                    s.reps.append(b)
                }
            case .bare:
                if !(b == UInt8(ascii: "[") || b == UInt8(ascii: "]") || b <= 0x20 || b == UInt8(ascii: "\"")) { s.reps.append(b) }
            }
        }
        c.repStart = r0
        c.repEnd = s.reps.count
    }

    @inline(__always) static func needsPercent(_ b: UInt8) -> Bool {
        b <= 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "&") || b == UInt8(ascii: "#") || b == UInt8(ascii: "%")
            || b == UInt8(ascii: "+") || b == UInt8(ascii: "=") || b == UInt8(ascii: "?") || b == UInt8(ascii: ";")
            || b == UInt8(ascii: "\\") || b == 0x7F
    }

    @inline(__always) static func hexUpperDigit(_ v: UInt8) -> UInt8 { v < 10 ? 48 + v : 55 + v }

    /// Writes `src` with the cuts `mark...` applied into `out`, counts them in the audit and removes them.
    /// Returns whether there was any cut.
    @discardableResult
    func emit(_ src: UnsafeBufferPointer<UInt8>, from mark: Int, s: Scratch, into out: inout [UInt8]) -> Bool {
        guard s.cuts.count > mark else {
            out.append(contentsOf: src)
            return false
        }
        var p = 0
        for k in mark..<s.cuts.count {
            let c = s.cuts[k]
            let a = max(p, min(c.start, src.count))
            let e = min(max(c.end, a), src.count)
            if a > p { out.append(contentsOf: UnsafeBufferPointer(rebasing: src[p..<a])) }
            if c.start < p && c.end <= p { continue }
            s.reps.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[c.repStart..<c.repEnd])) }
            if c.drop {
                s.audit.countDrop(field: c.field)
                if s.explain != nil {
                    s.explain?.append(RedactionHit(field: c.field, kind: "dropped", rule: RuleTag.drop.rawValue, preview: "(\(e - a) bytes dropped)"))
                }
            } else {
                note(s, kind: c.kind, rule: c.rule, field: c.field, length: e - a)
            }
            p = e
        }
        if p < src.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: src[p...])) }
        s.cuts.removeSubrange(mark...)
        if mark == 0 { s.reps.removeAll(keepingCapacity: true) }
        return true
    }

    // MARK: - Lines

    /// Redacts one raw log line into `out` (with a trailing newline), in the line's own format: a JSON object
    /// keeps every key, nesting and value type; a combined/common line keeps its fields and their order.
    func redactLine(_ line: UnsafeBufferPointer<UInt8>, s: Scratch, into out: inout [UInt8]) {
        s.cuts.removeAll(keepingCapacity: true)
        s.reps.removeAll(keepingCapacity: true)
        s.fieldName.removeAll(keepingCapacity: true)
        var i = 0
        while i < line.count && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
        if i < line.count && line[i] == UInt8(ascii: "{") {
            jsonCuts(line, off: 0, depth: 0, s: s)
        } else {
            ncsaCuts(line, s: s)
        }
        emit(line, from: 0, s: s, into: &out)
        out.append(0x0A)
    }

    /// NCSA common/combined (and their extensions): `ip ident user [time] "request" status bytes "referer" "ua" …`.
    func ncsaCuts(_ b: UnsafeBufferPointer<UInt8>, s: Scratch) {
        let n = b.count
        var i = 0
        var unquoted = 0
        var quoted = 0
        while i < n {
            while i < n && b[i] == 0x20 { i += 1 }
            guard i < n else { break }
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                var j = i + 1
                while j < n && b[j] != UInt8(ascii: "\"") {
                    if b[j] == UInt8(ascii: "\\") { j += 1 }
                    j += 1
                }
                let e = min(j, n)
                let content = UnsafeBufferPointer(rebasing: b[(i + 1)..<e])
                let off = i + 1
                switch quoted {
                case 0:
                    let f = pushField(s, "request")
                    requestLineCuts(content, off: off, s: s)
                    popField(s, f)
                case 1:
                    let f = pushField(s, "referrer")
                    if !(content.count == 1 && content[0] == UInt8(ascii: "-")) { valueCuts(content, off: off, cls: .none, depth: 0, s: s) }
                    popField(s, f)
                case 2:
                    let f = pushField(s, "user_agent")
                    textCuts(content, off: off, depth: 0, kv: true, s: s)
                    popField(s, f)
                default:
                    let f = pushField(s, "extra")
                    valueCuts(content, off: off, cls: .none, depth: 0, s: s)
                    popField(s, f)
                }
                quoted += 1
                i = e + 1
            } else if c == UInt8(ascii: "[") {
                var j = i + 1
                while j < n && b[j] != UInt8(ascii: "]") { j += 1 }
                i = j + 1
            } else {
                var j = i
                while j < n && b[j] != 0x20 { j += 1 }
                let tok = UnsafeBufferPointer(rebasing: b[i..<j])
                let mark = s.cuts.count
                if unquoted == 2 && !(tok.count == 1 && tok[0] == UInt8(ascii: "-")) {
                    let f = pushField(s, "user")
                    textCuts(tok, off: i, depth: 0, kv: false, s: s)
                    popField(s, f)
                } else if unquoted >= 5 || (unquoted < 2 && tok.count > 45) {
                    let f = pushField(s, "extra")
                    textCuts(tok, off: i, depth: 0, kv: true, s: s)
                    popField(s, f)
                }
                escapeCuts(s, from: mark, layer: .bare)
                unquoted += 1
                i = j
            }
        }
    }

    /// `METHOD target HTTP/x`: the target as a URL; anything else as text.
    func requestLineCuts(_ b: UnsafeBufferPointer<UInt8>, off: Int, s: Scratch) {
        let n = b.count
        var sp1 = -1
        for k in 0..<n where b[k] == 0x20 { sp1 = k; break }
        guard sp1 > 0 else {
            valueCuts(b, off: off, cls: .none, depth: 0, s: s)
            return
        }
        var end = n
        var k = n - 1
        while k > sp1 {
            if b[k] == 0x20 {
                if ValueScanner.has(b, k + 1, "http/", caseInsensitive: true) { end = k }
                break
            }
            k -= 1
        }
        let target = UnsafeBufferPointer(rebasing: b[(sp1 + 1)..<end])
        let mark = s.cuts.count
        urlCuts(target, depth: 0, s: s)
        shiftCuts(s, from: mark, by: off + sp1 + 1)
    }

    // MARK: - Values

    /// Cuts for one value `v` (decoded) under a key judged `cls`; cut coordinates are `off` + offsets in `v`.
    func valueCuts(_ v: UnsafeBufferPointer<UInt8>, off: Int, cls: KeyClass, depth: Int, s: Scratch) {
        let n = v.count
        if n == 0 || depth > maxDecodeDepth { return }
        switch cls.role {
        case .secret:
            if Self.isEmptyMarker(v) || Self.isPublicValue(v) { return }
            var kind = cls.kind
            if ValueScanner.has(v, 0, "bearer ", caseInsensitive: true) {
                kind = .bearer
            } else if ValueScanner.has(v, 0, "basic ", caseInsensitive: true) {
                kind = .basic
            } else if let k = firstValueKind(v) {
                kind = k
            }
            addCut(s, off, off + n, kind: kind, rule: .key, value: v)
            return
        case .ambiguous:
            if Self.isPublicValue(v) { return }
            if let inner = blobInner(v, depth: depth, s: s) {
                if let k = inner { addCut(s, off, off + n, kind: k, rule: .base64, value: v) }
                return
            }
            if Self.looksSecret(v) {
                addCut(s, off, off + n, kind: firstValueKind(v) ?? cls.kind, rule: .key, value: v)
                return
            }
        case .phone:
            if Self.phoneShaped(v) {
                addCut(s, off, off + n, kind: .phone, rule: .key, value: v)
                return
            }
        case .cookie:
            cookieCuts(v, off: off, depth: depth, s: s)
            return
        case .publicValue, .metadata, .none:
            break
        }
        genericCuts(v, off: off, depth: depth, s: s)
    }

    /// A value whose key says nothing: sniffed as a request line, URL, JSON, form or free text.
    func genericCuts(_ v: UnsafeBufferPointer<UInt8>, off: Int, depth: Int, s: Scratch) {
        let n = v.count
        var i = 0
        while i < n && (v[i] == 0x20 || v[i] == 0x09 || v[i] == 0x0A || v[i] == 0x0D) { i += 1 }
        guard i < n else { return }
        let c = v[i]
        let hasSpace = v.contains(0x20)
        if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
            let mark = s.cuts.count
            jsonCuts(UnsafeBufferPointer(rebasing: v[i...]), off: 0, depth: depth + 1, s: s)
            shiftCuts(s, from: mark, by: off + i)
            return
        }
        if !hasSpace && (c == UInt8(ascii: "/") || ValueScanner.has(v, i, "http://", caseInsensitive: true)
            || ValueScanner.has(v, i, "https://", caseInsensitive: true))
        {
            let mark = s.cuts.count
            urlCuts(v, depth: depth, s: s)
            shiftCuts(s, from: mark, by: off)
            return
        }
        if hasSpace && ValueScanner.isUpper(c) && Self.isRequestLine(v) {
            requestLineCuts(v, off: off, s: s)
            return
        }
        if !hasSpace && Self.isForm(v) {
            let mark = s.cuts.count
            queryCuts(v, depth: depth + 1, s: s)
            shiftCuts(s, from: mark, by: off)
            return
        }
        textCuts(v, off: off, depth: depth, kv: true, s: s)
    }

    static func isRequestLine(_ v: UnsafeBufferPointer<UInt8>) -> Bool {
        let m = ValueScanner.run(v, 0, cap: 12, ValueScanner.isUpper)
        guard m >= 3, m < 12, m + 1 < v.count, v[m] == 0x20 else { return false }
        let t = v[m + 1]
        return t == UInt8(ascii: "/") || t == UInt8(ascii: "h") || t == UInt8(ascii: "H") || t == UInt8(ascii: "*")
    }

    /// `a=b&c=d` (at least one `=`, an `&` or a single pair, only URL-safe bytes).
    static func isForm(_ v: UnsafeBufferPointer<UInt8>) -> Bool {
        var eq = -1
        for (k, c) in v.enumerated() {
            if c <= 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "{") || c == UInt8(ascii: "<") || c >= 0x7F { return false }
            if c == UInt8(ascii: "=") && eq < 0 { eq = k }
        }
        // A name of at most 40 bytes before the first `=`, and something after it (base64 padding is not a form).
        return eq > 0 && eq <= 40 && eq + 1 < v.count && v[eq + 1] != UInt8(ascii: "=") && ValueScanner.isAlpha(v[0])
    }

    /// Free text: value rules, `name=value` pairs with sensitive names, and base64 blobs that hold a secret.
    func textCuts(_ t: UnsafeBufferPointer<UInt8>, off: Int, depth: Int, kv: Bool, s: Scratch) {
        var hits: [Hit] = []
        ValueScanner.scan(t, keys: kv ? keys : nil, into: &hits)
        var p = 0
        for h in hits {
            guard h.start >= p, h.end <= t.count, h.start < h.end else { continue }
            if depth < maxDecodeDepth { blobCuts(t, p, h.start, off: off, depth: depth, s: s) }
            addCut(s, off + h.start, off + h.end, kind: h.kind, rule: h.byKey ? .key : .value,
                   value: UnsafeBufferPointer(rebasing: t[h.start..<h.end]))
            p = h.end
        }
        if depth < maxDecodeDepth { blobCuts(t, p, t.count, off: off, depth: depth, s: s) }
    }

    /// Base64 runs of 20+ bytes in `t[a..<b]` whose decoded text holds a secret are cut whole.
    func blobCuts(_ t: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int, off: Int, depth: Int, s: Scratch) {
        if b - a < 20 { return }
        var i = a
        while i < b {
            if Self.isB64Any(t[i]) && (i == a || !Self.isB64Any(t[i - 1])) {
                var j = i
                while j < b && Self.isB64Any(t[j]) { j += 1 }
                if j - i >= 20, let inner = blobInner(UnsafeBufferPointer(rebasing: t[i..<j]), depth: depth, s: s), let k = inner {
                    addCut(s, off + i, off + j, kind: k, rule: .base64, value: UnsafeBufferPointer(rebasing: t[i..<j]))
                }
                i = j
            } else {
                i += 1
            }
        }
    }

    @inline(__always) static func isB64Any(_ c: UInt8) -> Bool {
        ValueScanner.isAlnum(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "/") || c == UInt8(ascii: "=")
            || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
    }

    /// When `v` is base64 (standard or URL alphabet) of printable text: `.some(kind)` if the text holds a
    /// secret, `.some(nil)` if it does not. nil when `v` is not base64 text.
    func blobInner(_ v: UnsafeBufferPointer<UInt8>, depth: Int, s: Scratch) -> SecretKind?? {
        guard depth < maxDecodeDepth, v.count >= 16 else { return nil }
        var body = v.count
        while body > 0 && v[body - 1] == UInt8(ascii: "=") { body -= 1 }
        guard body % 4 != 1 else { return nil }
        for k in 0..<body where !(ValueScanner.isAlnum(v[k]) || v[k] == UInt8(ascii: "+") || v[k] == UInt8(ascii: "/")
            || v[k] == UInt8(ascii: "-") || v[k] == UInt8(ascii: "_")) { return nil }
        // Cheap check on the first 16 characters before allocating.
        if !Self.b64Printable(v, upTo: min(body, 16) & ~3) { return nil }
        var dec: [UInt8] = []
        dec.reserveCapacity(body * 3 / 4 + 3)
        var acc: UInt32 = 0
        var bits = 0
        for k in 0..<body {
            guard let d = Self.b64Value(v[k]) else { return nil }
            acc = acc << 6 | UInt32(d)
            bits += 6
            if bits >= 8 {
                bits -= 8
                dec.append(UInt8((acc >> UInt32(bits)) & 0xFF))
            }
        }
        var printable = 0
        for c in dec where (c >= 0x20 && c < 0x7F) || c == 0x0A || c == 0x0D || c == 0x09 { printable += 1 }
        guard dec.count >= 8, printable * 100 >= dec.count * 95 else { return nil }
        let mark = s.cuts.count
        let floor = s.cutFloor
        s.cutFloor = mark
        dec.withUnsafeBufferPointer { valueCuts($0, off: 0, cls: .none, depth: depth + 1, s: s) }
        s.cutFloor = floor
        guard s.cuts.count > mark else { return .some(nil) }
        let kind = s.cuts[mark].kind
        s.cuts.removeSubrange(mark...)
        return .some(kind)
    }

    static func b64Printable(_ v: UnsafeBufferPointer<UInt8>, upTo m: Int) -> Bool {
        var acc: UInt32 = 0
        var bits = 0
        for k in 0..<m {
            guard let d = b64Value(v[k]) else { return false }
            acc = acc << 6 | UInt32(d)
            bits += 6
            if bits >= 8 {
                bits -= 8
                let c = UInt8((acc >> UInt32(bits)) & 0xFF)
                if !((c >= 0x20 && c < 0x7F) || c == 0x0A || c == 0x0D || c == 0x09) { return false }
            }
        }
        return true
    }

    @inline(__always) static func b64Value(_ c: UInt8) -> UInt8? {
        if ValueScanner.isUpper(c) { return c - 65 }
        if ValueScanner.isLower(c) { return c - 97 + 26 }
        if ValueScanner.isDigit(c) { return c - 48 + 52 }
        if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { return 62 }
        if c == UInt8(ascii: "/") || c == UInt8(ascii: "_") { return 63 }
        return nil
    }

    // MARK: - URLs, queries, paths, cookies

    /// A URL or path with query and fragment; coordinates relative to `u`.
    func urlCuts(_ u: UnsafeBufferPointer<UInt8>, depth: Int, s: Scratch) {
        let n = u.count
        var q = -1
        var h = -1
        for i in 0..<n {
            if u[i] == UInt8(ascii: "?") && q < 0 && h < 0 { q = i }
            if u[i] == UInt8(ascii: "#") { h = i; break }
        }
        let pathEnd = q >= 0 ? q : (h >= 0 ? h : n)
        var pathStart = 0
        // scheme://user:password@host
        if let schemeEnd = Self.schemeEnd(u, pathEnd) {
            var a = schemeEnd
            while a < pathEnd && u[a] != UInt8(ascii: "/") { a += 1 }
            let authority = UnsafeBufferPointer(rebasing: u[schemeEnd..<a])
            if let at = authority.lastIndex(of: UInt8(ascii: "@")), let colon = authority[..<at].firstIndex(of: UInt8(ascii: ":")), colon + 1 < at {
                let f = pushField(s, "password")
                addCut(s, schemeEnd + colon + 1, schemeEnd + at, kind: .password, rule: .key,
                       value: UnsafeBufferPointer(rebasing: authority[(colon + 1)..<at]))
                popField(s, f)
            }
            pathStart = a
        }
        if pathEnd > pathStart {
            let f = pushField(s, "path")
            let mark = s.cuts.count
            pathCuts(UnsafeBufferPointer(rebasing: u[pathStart..<pathEnd]), depth: depth, s: s)
            shiftCuts(s, from: mark, by: pathStart)
            popField(s, f)
        }
        if q >= 0 {
            let qe = h >= 0 ? h : n
            let f = pushField(s, "query")
            let mark = s.cuts.count
            queryCuts(UnsafeBufferPointer(rebasing: u[(q + 1)..<qe]), depth: depth + 1, s: s)
            shiftCuts(s, from: mark, by: q + 1)
            popField(s, f)
        }
        if h >= 0 && h + 1 < n {
            let f = pushField(s, "fragment")
            let mark = s.cuts.count
            queryCuts(UnsafeBufferPointer(rebasing: u[(h + 1)..<n]), depth: depth + 1, s: s)
            shiftCuts(s, from: mark, by: h + 1)
            popField(s, f)
        }
    }

    static func schemeEnd(_ u: UnsafeBufferPointer<UInt8>, _ limit: Int) -> Int? {
        var i = 0
        while i < limit && i < 16 && (ValueScanner.isAlnum(u[i]) || u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-")) { i += 1 }
        guard i > 0, ValueScanner.has(u, i, "://"), i + 3 <= limit else { return nil }
        return i + 3
    }

    /// `a=b&token=…`: coordinates relative to `q`. Values are `+`/percent-decoded (up to three rounds) before
    /// the rules run; cuts are mapped back, so the rest of the query keeps its encoding.
    func queryCuts(_ q: UnsafeBufferPointer<UInt8>, depth: Int, s: Scratch) {
        let n = q.count
        var ps = 0
        while ps < n {
            var pe = ps
            while pe < n && q[pe] != UInt8(ascii: "&") && q[pe] != UInt8(ascii: ";") { pe += 1 }
            if pe > ps {
                var eqAt = -1
                for i in ps..<pe where q[i] == UInt8(ascii: "=") {
                    eqAt = i
                    break
                }
                let rawKey = UnsafeBufferPointer(rebasing: q[ps..<(eqAt >= 0 ? eqAt : ps)])
                let vs = eqAt >= 0 ? eqAt + 1 : ps
                let rawValue = UnsafeBufferPointer(rebasing: q[vs..<pe])
                var keyBuf: [UInt8] = []
                let keyDecoded = Self.needsURLDecode(rawKey)
                if keyDecoded { var m: [Int32] = []; Self.urlDecodeMapped(rawKey, into: &keyBuf, map: &m, mapped: false) }
                let f: Int
                var cls = KeyClass.none
                if keyDecoded {
                    f = keyBuf.withUnsafeBufferPointer { pushField(s, $0) }
                    cls = keyBuf.withUnsafeBufferPointer { judgeKey($0, s: s) }
                } else {
                    f = pushField(s, rawKey)
                    cls = judgeKey(rawKey, s: s)
                }
                if eqAt >= 0 && !rawKey.isEmpty {
                    // A key that is itself a secret (`?<jwt>=1`).
                    let mark = s.cuts.count
                    textCuts(rawKey, off: 0, depth: depth, kv: false, s: s)
                    shiftCuts(s, from: mark, by: ps)
                }
                if !rawValue.isEmpty {
                    if Self.needsURLDecode(rawValue) {
                        var dec: [UInt8] = []
                        var map: [Int32] = []
                        Self.urlDecodeMapped(rawValue, into: &dec, map: &map, mapped: true)
                        let mark = s.cuts.count
                        dec.withUnsafeBufferPointer { valueCuts($0, off: 0, cls: cls, depth: depth, s: s) }
                        mapCuts(s, from: mark, map: map, off: vs, layer: .percent)
                        if s.cuts.count == mark && rawValue.contains(UInt8(ascii: "+")) {
                            // A literal `+` some clients do not encode (`phone=+4155552671`): value rules once more
                            // with `+` kept.
                            dec.removeAll(keepingCapacity: true)
                            map.removeAll(keepingCapacity: true)
                            Self.percentOnlyDecodeMapped(rawValue, into: &dec, map: &map)
                            dec.withUnsafeBufferPointer { textCuts($0, off: 0, depth: depth, kv: false, s: s) }
                            mapCuts(s, from: mark, map: map, off: vs, layer: .percent)
                        }
                    } else {
                        valueCuts(rawValue, off: vs, cls: cls, depth: depth, s: s)
                    }
                }
                popField(s, f)
            }
            ps = pe + 1
        }
    }

    /// A key's class with per-field rules applied (`keep` → none, `sensitive` → secret).
    func judgeKey(_ key: UnsafeBufferPointer<UInt8>, s: Scratch) -> KeyClass {
        if !fieldRules.isEmpty, let rule = s.fieldName.withUnsafeBufferPointer({ fieldRule(path: $0) }) {
            return rule ? .secret(keys.classify(key) ?? .secret) : KeyClass(role: .publicValue, kind: .secret)
        }
        return keys.judge(key)
    }

    @inline(__always) static func needsURLDecode(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for c in b where c == UInt8(ascii: "%") || c == UInt8(ascii: "+") { return true }
        return false
    }

    /// `+` → space and `%XX` decoding, up to three rounds of `%` (double-encoded values); with `mapped`,
    /// `map[i]` is the raw offset of decoded byte `i` and `map[count]` the raw length.
    static func urlDecodeMapped(_ src: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], map: inout [Int32], mapped: Bool) {
        out.removeAll(keepingCapacity: true)
        map.removeAll(keepingCapacity: true)
        var i = 0
        let n = src.count
        var again = false
        while i < n {
            let c = src[i]
            if mapped { map.append(Int32(i)) }
            if c == UInt8(ascii: "%"), i + 2 < n, let h = hexValue(src[i + 1]), let l = hexValue(src[i + 2]) {
                let d = h << 4 | l
                if d == UInt8(ascii: "%") { again = true }
                out.append(d)
                i += 3
            } else if c == UInt8(ascii: "+") {
                out.append(0x20)
                i += 1
            } else {
                out.append(c)
                i += 1
            }
        }
        if mapped { map.append(Int32(n)) }
        var round = 1
        while again && round < 3 {
            again = false
            var next: [UInt8] = []
            var nextMap: [Int32] = []
            next.reserveCapacity(out.count)
            var k = 0
            let m = out.count
            while k < m {
                if mapped { nextMap.append(map[k]) }
                if out[k] == UInt8(ascii: "%"), k + 2 < m, let h = hexValue(out[k + 1]), let l = hexValue(out[k + 2]) {
                    let d = h << 4 | l
                    if d == UInt8(ascii: "%") { again = true }
                    next.append(d)
                    k += 3
                } else {
                    next.append(out[k])
                    k += 1
                }
            }
            if mapped { nextMap.append(map[m]) }
            out = next
            map = nextMap
            round += 1
        }
    }

    /// `/reset/<token>/x`: value rules per segment (percent-decoded), and an opaque segment right after a
    /// keyword segment (`reset`, `verify`, `invite`, …). UUIDs and numbers are resource ids, never tokens.
    func pathCuts(_ p: UnsafeBufferPointer<UInt8>, depth: Int, s: Scratch) {
        let n = p.count
        var i = 0
        var afterKeyword = false
        while i < n {
            if p[i] == UInt8(ascii: "/") {
                i += 1
                continue
            }
            var e = i
            while e < n && p[e] != UInt8(ascii: "/") { e += 1 }
            let raw = UnsafeBufferPointer(rebasing: p[i..<e])
            func process(_ seg: UnsafeBufferPointer<UInt8>) -> Bool {
                let mark = s.cuts.count
                textCuts(seg, off: 0, depth: depth, kv: true, s: s)
                if s.cuts.count == mark && afterKeyword && Self.isOpaque(seg) && !Self.isUUID(seg) {
                    addCut(s, 0, seg.count, kind: .pathToken, rule: .pathKeyword, value: seg)
                }
                return Self.isPathKeyword(seg)
            }
            let mark = s.cuts.count
            if raw.contains(UInt8(ascii: "%")) {
                var dec: [UInt8] = []
                var map: [Int32] = []
                Self.percentOnlyDecodeMapped(raw, into: &dec, map: &map)
                afterKeyword = dec.withUnsafeBufferPointer { process($0) }
                mapCuts(s, from: mark, map: map, off: i, layer: .percent)
            } else {
                afterKeyword = process(raw)
                shiftCuts(s, from: mark, by: i)
            }
            i = e
        }
    }

    static func percentOnlyDecodeMapped(_ src: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], map: inout [Int32]) {
        var i = 0
        let n = src.count
        while i < n {
            map.append(Int32(i))
            if src[i] == UInt8(ascii: "%"), i + 2 < n, let h = hexValue(src[i + 1]), let l = hexValue(src[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(src[i])
                i += 1
            }
        }
        map.append(Int32(n))
    }

    /// `Cookie`/`Set-Cookie`: pair by pair. Names are kept; a value is replaced when its name is sensitive
    /// (`session`, `sid`, `token`, `auth`, `jwt`, …), when a value rule matches it, when it is base64 text that
    /// holds a secret, or when it is a long opaque secret-looking string. `theme=dark; lang=en` stays.
    func cookieCuts(_ c: UnsafeBufferPointer<UInt8>, off: Int, depth: Int, s: Scratch) {
        let n = c.count
        var ps = 0
        while ps < n {
            var pe = ps
            while pe < n && c[pe] != UInt8(ascii: ";") && !(c[pe] == UInt8(ascii: ",") && pe + 1 < n && c[pe + 1] == 0x20 && Self.nextIsCookiePair(c, pe + 2)) { pe += 1 }
            var a = ps
            while a < pe && c[a] == 0x20 { a += 1 }
            var eq = -1
            for k in a..<pe where c[k] == UInt8(ascii: "=") {
                eq = k
                break
            }
            if eq > a {
                var nameStart = a
                let name = UnsafeBufferPointer(rebasing: c[a..<eq])
                if ValueScanner.has(name, 0, "__Secure-") || ValueScanner.has(name, 0, "__Host-") {
                    nameStart += ValueScanner.has(name, 0, "__Secure-") ? 9 : 7
                }
                let bare = UnsafeBufferPointer(rebasing: c[nameStart..<eq])
                let f = pushField(s, bare)
                var cls = judgeKey(bare, s: s)
                if cls.role == .cookie { cls = .secret(.cookie) }
                let value = UnsafeBufferPointer(rebasing: c[(eq + 1)..<pe])
                let vOff = off + eq + 1
                if cls.role == .secret {
                    if !value.isEmpty && !Self.isEmptyMarker(value) {
                        addCut(s, vOff, vOff + value.count, kind: cls.kind == .secret || cls.kind == .session ? .session : cls.kind,
                               rule: .cookie, value: value)
                    }
                } else if cls.role == .none && value.count >= 24 && Self.looksSecret(value) && blobInner(value, depth: depth, s: s) == nil {
                    addCut(s, vOff, vOff + value.count, kind: .cookie, rule: .cookie, value: value)
                } else if value.contains(UInt8(ascii: "%")) {
                    var dec: [UInt8] = []
                    var map: [Int32] = []
                    Self.percentOnlyDecodeMapped(value, into: &dec, map: &map)
                    let mark = s.cuts.count
                    dec.withUnsafeBufferPointer { valueCuts($0, off: 0, cls: cls, depth: depth + 1, s: s) }
                    mapCuts(s, from: mark, map: map, off: vOff, layer: .percent)
                } else {
                    valueCuts(value, off: vOff, cls: cls, depth: depth + 1, s: s)
                }
                popField(s, f)
            } else if pe > a {
                textCuts(UnsafeBufferPointer(rebasing: c[a..<pe]), off: off + a, depth: depth, kv: false, s: s)
            }
            ps = pe + 1
        }
    }

    static func nextIsCookiePair(_ c: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        // Set-Cookie lists joined with ", " (but not "Expires=Wed, 21 Oct …").
        var k = i
        while k < c.count && (ValueScanner.isIdent(c[k])) { k += 1 }
        return k > i && k < c.count && c[k] == UInt8(ascii: "=")
    }

    // MARK: - Value shapes

    static func isEmptyMarker(_ v: UnsafeBufferPointer<UInt8>) -> Bool {
        v.count == 1 && v[0] == UInt8(ascii: "-")
    }

    /// Public by design: Stripe publishable keys, SSH and PGP public keys, PEM public keys and certificates.
    static func isPublicValue(_ v: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < v.count && (v[i] == 0x20 || v[i] == 0x0A) { i += 1 }
        guard i < v.count else { return false }
        switch v[i] {
        case UInt8(ascii: "p"): return ValueScanner.has(v, i, "pk_live_") || ValueScanner.has(v, i, "pk_test_")
        case UInt8(ascii: "s"):
            return ValueScanner.has(v, i, "ssh-rsa ") || ValueScanner.has(v, i, "ssh-ed25519 ") || ValueScanner.has(v, i, "ssh-dss ")
                || ValueScanner.has(v, i, "sk-ssh-ed25519@") || ValueScanner.has(v, i, "sk-ecdsa-sha2-")
        case UInt8(ascii: "e"): return ValueScanner.has(v, i, "ecdsa-sha2-")
        case UInt8(ascii: "A"):
            return ValueScanner.has(v, i, "AAAAB3NzaC1yc2E") || ValueScanner.has(v, i, "AAAAC3NzaC1lZDI1NTE5")
                || ValueScanner.has(v, i, "AAAAE2VjZHNhLXNoYTIt")
        case UInt8(ascii: "-"):
            return ValueScanner.has(v, i, "-----BEGIN PUBLIC KEY") || ValueScanner.has(v, i, "-----BEGIN CERTIFICATE")
                || ValueScanner.has(v, i, "-----BEGIN PGP PUBLIC KEY") || ValueScanner.has(v, i, "-----BEGIN RSA PUBLIC KEY")
                || ValueScanner.has(v, i, "-----BEGIN SSH2 PUBLIC KEY") || ValueScanner.has(v, i, "-----BEGIN EC PUBLIC KEY")
                || ValueScanner.has(v, i, "-----BEGIN X509 CRL") || ValueScanner.has(v, i, "-----BEGIN TRUSTED CERTIFICATE")
        default: return false
        }
    }

    /// `8-4-4-4-12` hex digits.
    static func isUUID(_ v: UnsafeBufferPointer<UInt8>) -> Bool {
        guard v.count == 36 else { return false }
        for (k, c) in v.enumerated() {
            if k == 8 || k == 13 || k == 18 || k == 23 {
                if c != UInt8(ascii: "-") { return false }
            } else if hexValue(c) == nil {
                return false
            }
        }
        return true
    }

    /// A secret-looking value for an ambiguous name: 16–1024 token bytes, letters and digits (or mixed case),
    /// at least a quarter letters (dates and numbers are not), Shannon entropy ≥ 3 bits per byte; not a UUID
    /// or a public format. Hex-only values count from 32 digits.
    static func looksSecret(_ v: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = v.count
        guard n >= 16 && n <= 1024 else { return false }
        var upper = 0, lower = 0, digit = 0, hexOnly = true
        for c in v {
            if ValueScanner.isUpper(c) { upper += 1; if c > UInt8(ascii: "F") { hexOnly = false } }
            else if ValueScanner.isLower(c) { lower += 1; if c > UInt8(ascii: "f") { hexOnly = false } }
            else if ValueScanner.isDigit(c) { digit += 1 }
            else if c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c == UInt8(ascii: "/")
                || c == UInt8(ascii: "+") || c == UInt8(ascii: "=") || c == UInt8(ascii: "~") || c == UInt8(ascii: ":") { hexOnly = false }
            else { return false }
        }
        if isUUID(v) || isPublicValue(v) { return false }
        let letters = upper + lower
        if hexOnly { return n >= 32 && digit > 0 && letters > 0 }
        guard (digit > 0 && letters > 0) || (upper > 0 && lower > 0 && n >= 20) else { return false }
        guard letters * 4 >= n else { return false }
        return entropy(v) >= 3.0
    }

    static func entropy(_ v: UnsafeBufferPointer<UInt8>) -> Double {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 256) { counts in
            counts.initialize(repeating: 0)
            for c in v { counts[Int(c)] += 1 }
            var h = 0.0
            let n = Double(v.count)
            for k in 0..<256 where counts[k] > 0 {
                let p = Double(counts[k]) / n
                h -= p * log2(p)
            }
            return h
        }
    }

    /// A phone number as people write it: digits with spaces, `-`, `.`, `/`, parentheses and a leading `+`;
    /// 7–15 digits.
    static func phoneShaped(_ v: UnsafeBufferPointer<UInt8>) -> Bool {
        var digits = 0
        var first = true
        for c in v {
            if ValueScanner.isDigit(c) {
                digits += 1
            } else if c == UInt8(ascii: "+") {
                if !first { return false }
            } else if !(c == 0x20 || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "(")
                || c == UInt8(ascii: ")") || c == UInt8(ascii: "/"))
            {
                return false
            }
            first = false
        }
        return digits >= 7 && digits <= 15
    }

    /// The kind of the first value-rule hit in `v`, if any.
    func firstValueKind(_ v: UnsafeBufferPointer<UInt8>) -> SecretKind? {
        var hits: [Hit] = []
        ValueScanner.scan(v, keys: nil, into: &hits)
        return hits.first?.kind
    }
}

private func log2(_ x: Double) -> Double {
    // ln(x)/ln(2) without Foundation: frexp-free series is overkill; use the exponent and a short polynomial.
    var m = x
    var e = 0.0
    while m >= 2 { m /= 2; e += 1 }
    while m < 1 { m *= 2; e -= 1 }
    // m in [1, 2): ln(m) via atanh series.
    let y = (m - 1) / (m + 1)
    let y2 = y * y
    var term = y
    var sum = 0.0
    var k = 1.0
    for _ in 0..<12 {
        sum += term / k
        term *= y2
        k += 2
    }
    return e + 2 * sum / 0.6931471805599453
}
