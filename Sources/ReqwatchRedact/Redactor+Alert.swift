import ReqwatchCore

extension Redactor {
    /// Redacts free text (alert evidence, messages, diagnostics): every value-rule (JWT, bearer, keys, cards, emails…)
    /// and key=value pairs with sensitive keys inside URLs/query strings. `field` names the audit field.
    /// Returns the text unchanged (same string) when nothing matched.
    public func redact(text: String, field: String, audit: inout RedactionAudit) -> String {
        let s = Scratch()
        var copy = text
        var out: [UInt8] = []
        let changed = copy.withUTF8 { b -> Bool in
            // A URL-like text: decode so encoded secrets are seen.
            if let f = b.first, f == UInt8(ascii: "/") || ValueScanner.has(b, 0, "http", caseInsensitive: true),
                !b.contains(0x20)
            {
                return redactURL(b, pathBase: field, queryBase: "query", s: s, into: &out)
            }
            // Free text (an alert message): value rules, plus paths and URLs in it judged as URLs
            // (`… on /reset/<token>`).
            setField(s, field)
            textCuts(b, off: 0, depth: 0, kv: true, s: s)
            var i = 0
            while i < b.count {
                if b[i] == UInt8(ascii: "/") && (i == 0 || b[i - 1] == 0x20 || b[i - 1] == UInt8(ascii: "'")) {
                    var e = i
                    while e < b.count && b[e] != 0x20 && b[e] != UInt8(ascii: "'") && b[e] != UInt8(ascii: ",") { e += 1 }
                    let mark = s.cuts.count
                    urlCuts(UnsafeBufferPointer(rebasing: b[i..<e]), depth: 0, s: s)
                    shiftCuts(s, from: mark, by: i)
                    i = e
                } else {
                    i += 1
                }
            }
            if s.cuts.isEmpty { return false }
            s.cuts.sort { $0.start < $1.start }
            return emit(b, from: 0, s: s, into: &out)
        }
        audit.merge(s.audit)
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    /// Redacts every string in an alert: path, userAgent, message, route, userID (by value rules only: user ids
    /// are identities and stay unless they match a value rule such as an e-mail), evidence strings recursively
    /// (a value under a sensitive evidence key is replaced whole). `incidentKey` is not changed: it is hashed into
    /// `event.id`, not printed.
    public func redact(alert: inout Alert, audit: inout RedactionAudit) {
        if let p = alert.path { alert.path = redact(text: p, field: "alert.path", audit: &audit) }
        if let r = alert.route { alert.route = redact(text: r, field: "alert.route", audit: &audit) }
        if let u = alert.userAgent { alert.userAgent = redact(text: u, field: "alert.user_agent", audit: &audit) }
        alert.message = redact(text: alert.message, field: "alert.message", audit: &audit)
        if let u = alert.userID {
            let s = Scratch()
            var copy = u
            var out: [UInt8] = []
            let changed = copy.withUTF8 { b in
                scanEmit(b, kv: false, encode: false, s: s, base: "alert.user", key: nil, into: &out)
            }
            audit.merge(s.audit)
            if changed { alert.userID = String(decoding: out, as: UTF8.self) }
        }
        alert.evidence = alert.evidence.map { ($0.0, redact(json: $0.1, key: $0.0, audit: &audit)) }
    }

    private func redact(json: JSONValue, key: String, audit: inout RedactionAudit) -> JSONValue {
        var k = key
        let kind = k.withUTF8 { keys.classify($0) }
        switch json {
        case .string(let v):
            if let kind, !v.isEmpty {
                var out: [UInt8] = []
                var vv = v
                let s = Scratch()
                vv.withUTF8 { b in
                    let kk = firstValueKind(b) ?? kind
                    writeReplacement(b, kind: kk, into: &out)
                    note(s, kind: kk, rule: .key, field: "alert.evidence", length: b.count)
                }
                audit.merge(s.audit)
                return .string(String(decoding: out, as: UTF8.self))
            }
            return .string(redact(text: v, field: "alert.evidence", audit: &audit))
        case .int(let v):
            if let kind {
                var out: [UInt8] = []
                var text = String(v)
                text.withUTF8 { writeReplacement($0, kind: kind, into: &out) }
                audit.count(kind: kind, field: "alert.evidence")
                return .string(String(decoding: out, as: UTF8.self))
            }
            return json
        case .array(let items):
            return .array(items.map { redact(json: $0, key: key, audit: &audit) })
        case .object(let fields):
            return .object(fields.map { ($0.0, redact(json: $0.1, key: kind != nil ? key : $0.0, audit: &audit)) })
        default:
            return json
        }
    }
}
