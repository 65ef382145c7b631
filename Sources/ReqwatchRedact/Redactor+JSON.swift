import ReqwatchCore

extension Redactor {
    static let maxJSONDepth = 128

    private struct Frame {
        var isObject: Bool
        /// The class of the key that holds this container (arrays pass it to their items; a secret object
        /// passes it to every member).
        var cls: KeyClass
        /// Field-name length at the container (members push their key after it).
        var base: Int
        var open: Int
    }

    /// Cuts for a JSON text `b` (coordinates relative to `b`, plus `off`). Every key, nesting and value type
    /// is kept: only a secret's bytes are replaced (a string's contents, or a number replaced by a string when
    /// the number is the secret); members with a `drop` field rule are removed. Strings are unescaped before
    /// the rules run and cuts are mapped back, so the rest of a string keeps its escapes. Text that stops
    /// being JSON is finished as free text, so nothing is copied unscanned.
    func jsonCuts(_ b: UnsafeBufferPointer<UInt8>, off: Int, depth: Int, s: Scratch) {
        let n = b.count
        var frames: [Frame] = []
        var expectKey = false
        var cur = KeyClass.none
        var i = 0
        let rootBase = s.fieldName.count

        func finishAsText(_ from: Int) {
            textCuts(UnsafeBufferPointer(rebasing: b[from..<n]), off: off + from, depth: depth, kv: true, s: s)
        }

        while i < n {
            let c = b[i]
            switch c {
            case 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ":"):
                i += 1
            case UInt8(ascii: ","):
                if let f = frames.last {
                    if f.isObject {
                        expectKey = true
                        popField(s, f.base)
                    }
                    cur = f.isObject ? .none : f.cls
                }
                i += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if frames.count >= Self.maxJSONDepth {
                    finishAsText(i)
                    return
                }
                let inObject = frames.last?.isObject ?? false
                let cls = frames.isEmpty ? KeyClass.none : (inObject ? cur : frames[frames.count - 1].cls)
                frames.append(Frame(isObject: c == UInt8(ascii: "{"), cls: cls, base: s.fieldName.count, open: i))
                expectKey = c == UInt8(ascii: "{")
                cur = c == UInt8(ascii: "{") ? .none : cls
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if let f = frames.popLast() { popField(s, f.base) }
                expectKey = false
                cur = frames.last.map { $0.isObject ? KeyClass.none : $0.cls } ?? .none
                i += 1
                if frames.isEmpty {
                    // Trailing bytes after the document: scan them as text.
                    var k = i
                    while k < n && (b[k] == 0x20 || b[k] == 0x0A || b[k] == 0x0D || b[k] == 0x09) { k += 1 }
                    if k < n { finishAsText(k) }
                    popField(s, rootBase)
                    return
                }
            case UInt8(ascii: "\""):
                var j = i + 1
                var escaped = false
                while j < n && b[j] != UInt8(ascii: "\"") {
                    if b[j] == UInt8(ascii: "\\") {
                        j += 1
                        escaped = true
                    }
                    j += 1
                }
                guard j < n else {
                    finishAsText(i)
                    return
                }
                let raw = UnsafeBufferPointer(rebasing: b[(i + 1)..<j])
                let inObject = frames.last?.isObject ?? false
                if inObject && expectKey {
                    let f = frames[frames.count - 1]
                    popField(s, f.base)
                    var key: [UInt8] = []
                    if escaped { Self.jsonUnescape(raw, into: &key) }
                    let judged: KeyClass = escaped
                        ? key.withUnsafeBufferPointer { k in _ = pushField(s, k); return judgeKey(k, s: s) }
                        : { _ = pushField(s, raw); return judgeKey(raw, s: s) }()
                    if f.cls.role == .secret {
                        cur = f.cls
                    } else if f.cls.role == .cookie {
                        // An object of cookies: members are cookie names.
                        cur = judged.role == .none ? KeyClass(role: .ambiguous, kind: .cookie) : judged
                        if cur.role == .cookie { cur = .secret(.cookie) }
                    } else {
                        cur = judged
                    }
                    expectKey = false
                    if !dropRules.isEmpty, s.fieldName.withUnsafeBufferPointer({ isDropped($0) }) {
                        // Remove the member and one neighbouring comma.
                        var k = j + 1
                        while k < n && (b[k] == 0x20 || b[k] == 0x09 || b[k] == UInt8(ascii: ":")) { k += 1 }
                        var end = Self.skipJSONValue(b, k)
                        var start = i
                        var p = i - 1
                        while p > f.open && (b[p] == 0x20 || b[p] == 0x09 || b[p] == 0x0A || b[p] == 0x0D) { p -= 1 }
                        if p > f.open && b[p] == UInt8(ascii: ",") {
                            start = p
                        } else {
                            var q = end
                            while q < n && (b[q] == 0x20 || b[q] == 0x09) { q += 1 }
                            if q < n && b[q] == UInt8(ascii: ",") { end = q + 1 }
                        }
                        let r0 = s.reps.count
                        s.cuts.append(Cut(start: off + start, end: off + end, kind: .secret, rule: .drop, repStart: r0, repEnd: r0,
                                          field: String(decoding: s.fieldName, as: UTF8.self), drop: true))
                        popField(s, f.base)
                        i = end
                        continue
                    }
                } else {
                    let cls = inObject ? cur : (frames.last?.cls ?? .none)
                    if escaped {
                        var dec: [UInt8] = []
                        var map: [Int32] = []
                        Self.jsonUnescapeMapped(raw, into: &dec, map: &map)
                        let mark = s.cuts.count
                        dec.withUnsafeBufferPointer { valueCuts($0, off: 0, cls: cls, depth: depth, s: s) }
                        mapCuts(s, from: mark, map: map, off: off + i + 1, layer: .json)
                    } else {
                        valueCuts(raw, off: off + i + 1, cls: cls, depth: depth, s: s)
                    }
                }
                i = j + 1
            default:
                // A bare token: number, true, false, null (or garbage).
                var j = i
                while j < n {
                    let d = b[j]
                    if d == UInt8(ascii: ",") || d == UInt8(ascii: "}") || d == UInt8(ascii: "]") || d == UInt8(ascii: ":")
                        || d == 0x20 || d == 0x0A || d == 0x0D || d == 0x09 || d == UInt8(ascii: "\"")
                        || d == UInt8(ascii: "{") || d == UInt8(ascii: "[")
                    {
                        break
                    }
                    j += 1
                }
                if j == i || frames.isEmpty {
                    finishAsText(i)
                    return
                }
                let tok = UnsafeBufferPointer(rebasing: b[i..<j])
                let inObject = frames.last?.isObject ?? false
                let cls = inObject ? cur : (frames.last?.cls ?? .none)
                let literal =
                    ValueScanner.has(tok, 0, "true") || ValueScanner.has(tok, 0, "false") || ValueScanner.has(tok, 0, "null")
                if !literal {
                    let isCard = ValueScanner.card(tok, 0) == tok.count
                    if cls.role == .secret {
                        addCut(s, off + i, off + j, kind: isCard ? .card : cls.kind, rule: .key, value: tok, quote: true)
                    } else if cls.role == .phone && Self.phoneShaped(tok) {
                        addCut(s, off + i, off + j, kind: .phone, rule: .key, value: tok, quote: true)
                    } else if isCard {
                        addCut(s, off + i, off + j, kind: .card, rule: .value, value: tok, quote: true)
                    }
                }
                i = j
            }
        }
        popField(s, rootBase)
    }

    /// The end of the JSON value starting at `i` (string, container or bare token).
    static func skipJSONValue(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let n = b.count
        guard i < n else { return n }
        var j = i
        if b[j] == UInt8(ascii: "\"") {
            j += 1
            while j < n && b[j] != UInt8(ascii: "\"") {
                if b[j] == UInt8(ascii: "\\") { j += 1 }
                j += 1
            }
            return min(j + 1, n)
        }
        if b[j] == UInt8(ascii: "{") || b[j] == UInt8(ascii: "[") {
            var level = 0
            while j < n {
                let c = b[j]
                if c == UInt8(ascii: "\"") {
                    j = skipJSONValue(b, j)
                    continue
                }
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { level += 1 }
                if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    level -= 1
                    if level == 0 { return j + 1 }
                }
                j += 1
            }
            return n
        }
        while j < n {
            let d = b[j]
            if d == UInt8(ascii: ",") || d == UInt8(ascii: "}") || d == UInt8(ascii: "]") || d == 0x20 || d == 0x0A { break }
            j += 1
        }
        return j
    }

    /// Unescapes a JSON string body (without quotes) into `out`, with `map[i]` = raw offset of decoded byte `i`
    /// (and `map[count]` = raw length). Invalid escapes are kept as written.
    static func jsonUnescapeMapped(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], map: inout [Int32]) {
        out.removeAll(keepingCapacity: true)
        map.removeAll(keepingCapacity: true)
        out.reserveCapacity(b.count)
        map.reserveCapacity(b.count + 1)
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            guard c == UInt8(ascii: "\\"), i + 1 < n else {
                out.append(c)
                map.append(Int32(i))
                i += 1
                continue
            }
            let e = b[i + 1]
            let at = Int32(i)
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A); map.append(at)
            case UInt8(ascii: "t"): out.append(0x09); map.append(at)
            case UInt8(ascii: "r"): out.append(0x0D); map.append(at)
            case UInt8(ascii: "b"): out.append(0x08); map.append(at)
            case UInt8(ascii: "f"): out.append(0x0C); map.append(at)
            case UInt8(ascii: "u"):
                if let (scalar, consumed) = jsonUnicodeEscape(b, at: i) {
                    if let enc = UTF8.encode(scalar) {
                        for byte in enc {
                            out.append(byte)
                            map.append(at)
                        }
                    }
                    i += consumed
                    continue
                }
                out.append(c)
                map.append(at)
                out.append(e)
                map.append(at + 1)
            default:
                out.append(e)
                map.append(at)
            }
            i += 2
        }
        map.append(Int32(n))
    }
}
