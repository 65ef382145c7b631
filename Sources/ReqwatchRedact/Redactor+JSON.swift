import ReqwatchCore

extension Redactor {
    static let maxJSONDepth = 128

    /// Redacts a JSON document at any depth, keeping it valid JSON when the input was: string values under
    /// sensitive keys (and everything nested under them) become replacement strings, numbers under sensitive
    /// keys become replacement strings, other strings go through the value rules (unescaped first). Field
    /// names are dotted key paths under `body` (`body.user.password`). Input that stops being JSON is
    /// finished as free text, so nothing is ever copied unscanned.
    func redactJSON(_ b: UnsafeBufferPointer<UInt8>, s: Scratch, into out: inout [UInt8]) -> Bool {
        var changed = false
        let n = b.count
        s.stackObject.removeAll(keepingCapacity: true)
        s.stackKind.removeAll(keepingCapacity: true)
        s.stackBase.removeAll(keepingCapacity: true)
        s.path.removeAll(keepingCapacity: true)
        s.path.append(contentsOf: "body".utf8)
        var expectKey = false
        // Kind for the next value: 0 none, 255 keep (field rule), else rawValue + 1.
        var pending: UInt8 = 0
        var i = 0

        func finishAsText(_ from: Int) {
            let rest = UnsafeBufferPointer(rebasing: b[from..<n])
            if scanEmit(rest, kv: true, encode: false, s: s, base: "body", key: nil, into: &out) {
                changed = true
            } else {
                out.append(contentsOf: rest)
            }
        }

        while i < n {
            let c = b[i]
            let inObject = s.stackObject.last ?? false
            let inherited = s.stackKind.last ?? 0
            switch c {
            case 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ":"):
                out.append(c)
                i += 1
            case UInt8(ascii: ","):
                out.append(c)
                if inObject { expectKey = true }
                pending = inherited
                i += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if s.stackObject.count >= Self.maxJSONDepth {
                    finishAsText(i)
                    return changed
                }
                let kind = inObject ? pending : inherited
                s.stackObject.append(c == UInt8(ascii: "{"))
                s.stackKind.append(kind)
                s.stackBase.append(s.path.count)
                out.append(c)
                expectKey = c == UInt8(ascii: "{")
                pending = kind
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if !s.stackObject.isEmpty {
                    s.stackObject.removeLast()
                    s.stackKind.removeLast()
                    let base = s.stackBase.removeLast()
                    // Drop the key of the closed container from the path.
                    if let outer = s.stackBase.last, outer <= s.path.count {
                        s.path.removeSubrange(outer...)
                    } else if base <= s.path.count && s.stackBase.isEmpty {
                        s.path.removeSubrange(4...)
                    }
                }
                out.append(c)
                expectKey = false
                pending = s.stackKind.last ?? 0
                i += 1
            case UInt8(ascii: "\""):
                var j = i + 1
                var escaped = false
                while j < n && b[j] != UInt8(ascii: "\"") {
                    if b[j] == UInt8(ascii: "\\") { j += 1; escaped = true }
                    j += 1
                }
                guard j < n else {
                    finishAsText(i)
                    return changed
                }
                let raw = UnsafeBufferPointer(rebasing: b[(i + 1)..<j])
                if inObject && expectKey {
                    if escaped { Self.jsonUnescape(raw, into: &s.key) } else {
                        s.key.removeAll(keepingCapacity: true)
                        s.key.append(contentsOf: raw)
                    }
                    let base = s.stackBase.last ?? 4
                    if base <= s.path.count { s.path.removeSubrange(base...) }
                    s.path.append(UInt8(ascii: "."))
                    s.path.append(contentsOf: s.key.prefix(128))
                    let rule = s.path.withUnsafeBufferPointer { fieldRule(path: $0) }
                    if rule == false {
                        pending = 255
                    } else if rule == true {
                        let k = s.key.withUnsafeBufferPointer { keys.classify($0) } ?? .secret
                        pending = k.rawValue + 1
                    } else if inherited != 0 {
                        pending = inherited
                    } else if let k = s.key.withUnsafeBufferPointer({ keys.classify($0) }) {
                        pending = k.rawValue + 1
                    } else {
                        pending = 0
                    }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i...j]))
                    expectKey = false
                } else {
                    let kind = inObject ? pending : inherited
                    if escaped { Self.jsonUnescape(raw, into: &s.dec) } else {
                        s.dec.removeAll(keepingCapacity: true)
                        s.dec.append(contentsOf: raw)
                    }
                    if kind != 0 && kind != 255, let k0 = SecretKind(rawValue: kind - 1), !raw.isEmpty {
                        s.seg.removeAll(keepingCapacity: true)
                        s.dec.withUnsafeBufferPointer { v in
                            let k = firstValueKind(v, s: s) ?? k0
                            writeReplacement(v, kind: k, into: &s.seg)
                            s.path.withUnsafeBufferPointer {
                                note(s, kind: k, rule: .key, base: "", key: $0, length: v.count)
                            }
                        }
                        s.seg.withUnsafeBufferPointer { JSONWriter.writeString(bytes: $0, into: &out) }
                        changed = true
                    } else if kind != 255 {
                        s.seg.removeAll(keepingCapacity: true)
                        let hit = s.dec.withUnsafeBufferPointer { v in
                            s.path.withUnsafeBufferPointer { p in
                                scanEmit(v, kv: true, encode: false, s: s, base: "", key: p, into: &s.seg)
                            }
                        }
                        if hit {
                            s.seg.withUnsafeBufferPointer { JSONWriter.writeString(bytes: $0, into: &out) }
                            changed = true
                        } else {
                            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i...j]))
                        }
                    } else {
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i...j]))
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
                let tok = UnsafeBufferPointer(rebasing: b[i..<j])
                let kind = inObject ? pending : inherited
                let literal =
                    ValueScanner.has(tok, 0, "true") || ValueScanner.has(tok, 0, "false") || ValueScanner.has(tok, 0, "null")
                if kind != 0 && kind != 255 && !literal, let k0 = SecretKind(rawValue: kind - 1) {
                    let k = ValueScanner.card(tok, 0) == tok.count ? SecretKind.card : k0
                    s.seg.removeAll(keepingCapacity: true)
                    writeReplacement(tok, kind: k, into: &s.seg)
                    s.path.withUnsafeBufferPointer { note(s, kind: k, rule: .key, base: "", key: $0, length: tok.count) }
                    s.seg.withUnsafeBufferPointer { JSONWriter.writeString(bytes: $0, into: &out) }
                    changed = true
                } else if kind != 255 && !literal, let e = ValueScanner.card(tok, 0), e == tok.count {
                    s.seg.removeAll(keepingCapacity: true)
                    writeReplacement(tok, kind: .card, into: &s.seg)
                    s.path.withUnsafeBufferPointer { note(s, kind: .card, rule: .value, base: "", key: $0, length: tok.count) }
                    s.seg.withUnsafeBufferPointer { JSONWriter.writeString(bytes: $0, into: &out) }
                    changed = true
                } else if j == i {
                    // Not a JSON token at all: finish as text.
                    finishAsText(i)
                    return changed
                } else {
                    out.append(contentsOf: tok)
                }
                i = j
            }
        }
        return changed
    }
}
