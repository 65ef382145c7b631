import Crypto
import ReqwatchCore

/// Redacts secrets and personal data from request records, free text and alerts.
///
/// Two rule families work together: **key rules** (a value under a sensitive name such as `password`,
/// `api_key`, `Authorization` is replaced whatever it looks like) and **value rules** (byte scanners for JWTs,
/// bearer/basic credentials, AWS/GitHub/Stripe/Slack/Google keys, PEM private keys, Luhn-valid card numbers,
/// e-mail addresses, E.164 phone numbers and US SSNs, wherever they appear). URL parts are percent-decoded (up
/// to three rounds, so double-encoded values are seen) before the rules run. No mode writes the original value.
public struct Redactor: Sendable {
    let configuration: RedactConfiguration
    let keys: KeyRules
    let sensitiveHeaders: Set<UInt64>
    let fieldRules: [UInt64: Bool]
    /// Raw key bytes (SymmetricKey is not Sendable, so a key is built per use).
    let hmacKey: [UInt8]?

    static let builtinHeaders = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token",
        "x-amz-security-token", "x-csrf-token", "x-xsrf-token", "x-access-token", "x-refresh-token",
    ]

    static let pathKeywords: Set<UInt64> = Set(
        [
            "reset", "resetpassword", "passwordreset", "password", "unsubscribe", "apikeys", "apikey", "keys", "key",
            "token", "tokens", "verify", "verification", "verifyemail", "confirm", "confirmation", "activate",
            "activation", "invite", "invitation", "invitations", "magic", "magiclink", "login", "auth", "session",
            "sessions", "secret", "secrets", "share", "recover", "recovery", "signin", "otp", "webhook", "webhooks",
        ].map { KeyRules.normalisedHash(Array($0.utf8)) })

    /// Builds a redactor.
    /// - Throws: `.config` when the mode is `hash` and the configuration has no key.
    public init(_ configuration: RedactConfiguration) throws(ReqwatchError) {
        self.configuration = configuration
        var k = KeyRules()
        for name in configuration.extraKeys { k.add(name) }
        for name in configuration.keptKeys { k.remove(name) }
        keys = k
        sensitiveHeaders = Set((Self.builtinHeaders + configuration.extraHeaders).map {
            KeyRules.normalisedHash(Array($0.utf8))
        })
        var rules: [UInt64: Bool] = [:]
        for (path, sensitive) in configuration.fieldRules { rules[ByteHash.hash(Array(path.lowercased().utf8))] = sensitive }
        fieldRules = rules
        if let key = configuration.hashKey, !key.isEmpty {
            hmacKey = key
        } else {
            hmacKey = nil
            if configuration.mode == .hash {
                throw ReqwatchError(.config, "redaction mode hash needs a key (REQWATCH_REDACT_KEY or redaction.key_file)")
            }
        }
    }

    // MARK: - Replacements

    /// `hmac:<16 hex>` of `value`, when a key is configured.
    func fingerprint(_ value: UnsafeBufferPointer<UInt8>) -> String? {
        guard let hmacKey else { return nil }
        var out: [UInt8] = []
        appendFingerprint(value, key: hmacKey, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    func appendFingerprint(_ value: UnsafeBufferPointer<UInt8>, key: [UInt8], into out: inout [UInt8]) {
        let mac = HMAC<SHA256>.authenticationCode(for: UnsafeRawBufferPointer(value), using: SymmetricKey(data: key))
        out.append(contentsOf: "hmac:".utf8)
        var k = 0
        for byte in mac {
            if k == 8 { break }
            out.append(Self.hexDigits[Int(byte >> 4)])
            out.append(Self.hexDigits[Int(byte & 0xF)])
            k += 1
        }
    }

    /// Writes the replacement for `value` of `kind` in the configured mode.
    func writeReplacement(_ value: UnsafeBufferPointer<UInt8>, kind: SecretKind, into out: inout [UInt8]) {
        switch configuration.mode {
        case .hash:
            if let hmacKey {
                appendFingerprint(value, key: hmacKey, into: &out)
                return
            }
        case .partial:
            if kind == .card {
                var last: [UInt8] = []
                var i = value.count - 1
                while i >= 0 && last.count < 4 {
                    if ValueScanner.isDigit(value[i]) { last.append(value[i]) }
                    i -= 1
                }
                if last.count == 4 {
                    out.append(contentsOf: "[REDACTED:card:\u{2026}".utf8)
                    out.append(contentsOf: last.reversed())
                    out.append(UInt8(ascii: "]"))
                    return
                }
            }
        case .mask:
            break
        }
        out.append(contentsOf: "[REDACTED:".utf8)
        out.append(contentsOf: kind.name.utf8)
        out.append(UInt8(ascii: "]"))
    }

    // MARK: - Audit

    enum RuleTag: String {
        case value, key, header, pathKeyword = "path-keyword", fieldRule = "field-rule"
    }

    /// A field's audit name: `base` or `base.key` (keys that are long, odd or secret-looking become `*`).
    static func fieldName(_ base: String, _ key: UnsafeBufferPointer<UInt8>?) -> String {
        guard let key else { return base }
        var ok = key.count > 0 && key.count <= 128
        if ok {
            for c in key where !(ValueScanner.isIdent(c) || c == UInt8(ascii: "[") || c == UInt8(ascii: "]")) {
                ok = false
                break
            }
        }
        if ok {
            var hits: [Hit] = []
            ValueScanner.scan(key, keys: nil, into: &hits)
            ok = hits.isEmpty
        }
        let k = ok ? String(decoding: key, as: UTF8.self) : "*"
        return base.isEmpty ? k : base + "." + k
    }

    func note(_ s: Scratch, kind: SecretKind, rule: RuleTag, base: String, key: UnsafeBufferPointer<UInt8>?, length: Int) {
        let field = Self.fieldName(base, key)
        s.audit.count(kind: kind, field: field)
        if s.explain != nil {
            let tag = rule == .value ? "value:" + kind.name : rule.rawValue
            s.explain?.append(
                RedactionHit(field: field, kind: kind.name, rule: tag, preview: "[REDACTED:\(kind.name)] (\(length) bytes)"))
        }
    }

    /// Per-field-path rule for `base.key` (case-insensitive): true sensitive, false keep, nil none.
    func fieldRule(_ base: StaticString, _ key: UnsafeBufferPointer<UInt8>) -> Bool? {
        if fieldRules.isEmpty { return nil }
        let m = base.utf8CodeUnitCount
        let total = m + 1 + key.count
        if total > 512 { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: total) { buf -> Bool? in
            let p = base.utf8Start
            for i in 0..<m { buf[i] = p[i] }
            buf[m] = UInt8(ascii: ".")
            for (i, c) in key.enumerated() { buf[m + 1 + i] = ValueScanner.isUpper(c) ? c | 0x20 : c }
            return fieldRules[ByteHash.hash(UnsafeBufferPointer(buf))]
        }
    }

    func fieldRule(path: UnsafeBufferPointer<UInt8>) -> Bool? {
        if fieldRules.isEmpty || path.count > 512 { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: path.count) { buf -> Bool? in
            for (i, c) in path.enumerated() { buf[i] = ValueScanner.isUpper(c) ? c | 0x20 : c }
            return fieldRules[ByteHash.hash(UnsafeBufferPointer(buf))]
        }
    }

    // MARK: - Text

    /// Scans `src` and, when anything matched, writes it with replacements into `out` and returns true.
    /// Writes nothing and returns false when nothing matched. `encode` percent-encodes the kept gaps.
    func scanEmit(
        _ src: UnsafeBufferPointer<UInt8>, kv: Bool, encode: Bool, s: Scratch, base: String,
        key: UnsafeBufferPointer<UInt8>?, into out: inout [UInt8]
    ) -> Bool {
        // A local array: it allocates only when something matched, and avoids dynamic exclusivity checks.
        var hits: [Hit] = []
        ValueScanner.scan(src, keys: kv ? keys : nil, into: &hits)
        if hits.isEmpty { return false }
        var p = 0
        for h in hits {
            guard h.start >= p, h.end <= src.count, h.start < h.end else { continue }
            Self.appendGap(src, p, h.start, encode: encode, into: &out)
            let v = UnsafeBufferPointer(rebasing: src[h.start..<h.end])
            writeReplacement(v, kind: h.kind, into: &out)
            note(s, kind: h.kind, rule: .value, base: base, key: key, length: h.end - h.start)
            p = h.end
        }
        Self.appendGap(src, p, src.count, encode: encode, into: &out)
        return true
    }

    /// The kind of the first value-rule hit in `v`, if any.
    func firstValueKind(_ v: UnsafeBufferPointer<UInt8>, s: Scratch) -> SecretKind? {
        var hits: [Hit] = []
        ValueScanner.scan(v, keys: nil, into: &hits)
        return hits.first?.kind
    }

    static func appendGap(_ src: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int, encode: Bool, into out: inout [UInt8]) {
        guard a < b, b <= src.count else { return }
        if !encode {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: src[a..<b]))
            return
        }
        for i in a..<b {
            let c = src[i]
            if ValueScanner.isAlnum(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_")
                || c == UInt8(ascii: "~")
            {
                out.append(c)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexUpper[Int(c >> 4)])
                out.append(hexUpper[Int(c & 0xF)])
            }
        }
    }

    private static let hexUpper: [UInt8] = Array("0123456789ABCDEF".utf8)

    @inline(__always) static func hexValue(_ c: UInt8) -> UInt8? {
        if ValueScanner.isDigit(c) { return c &- 48 }
        let l = c | 0x20
        if l >= UInt8(ascii: "a") && l <= UInt8(ascii: "f") { return l &- 87 }
        return nil
    }

    /// One round of %XX decoding (`+` is kept, so E.164 numbers survive); returns whether anything was decoded.
    static func percentDecode(_ src: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        var changed = false
        var i = 0
        let n = src.count
        while i < n {
            let c = src[i]
            if c == UInt8(ascii: "%"), i + 2 < n, let h = hexValue(src[i + 1]), let l = hexValue(src[i + 2]) {
                out.append(h << 4 | l)
                i += 3
                changed = true
            } else {
                out.append(c)
                i += 1
            }
        }
        return changed
    }

    /// Decodes up to three rounds of percent-encoding of `src` into `out` (using `tmp`).
    static func decodeFully(_ src: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], tmp: inout [UInt8]) {
        if !src.contains(UInt8(ascii: "%")) {
            out.removeAll(keepingCapacity: true)
            out.append(contentsOf: src)
            return
        }
        var changed = percentDecode(src, into: &out)
        var round = 1
        while changed && round < 3 && out.contains(UInt8(ascii: "%")) {
            changed = out.withUnsafeBufferPointer { percentDecode($0, into: &tmp) }
            swap(&out, &tmp)
            round += 1
        }
    }
}

/// Per-call working buffers. A class so its buffers can be borrowed and mutated independently.
/// One `Scratch` belongs to one call at a time (never shared between threads), so the per-access dynamic
/// exclusivity checks Swift adds for class properties are turned off: they cost ~6% of a redaction run.
final class Scratch {
    @exclusivity(unchecked) var dec: [UInt8] = []
    @exclusivity(unchecked) var dec2: [UInt8] = []
    @exclusivity(unchecked) var key: [UInt8] = []
    @exclusivity(unchecked) var field: [UInt8] = []
    @exclusivity(unchecked) var seg: [UInt8] = []
    @exclusivity(unchecked) var path: [UInt8] = []
    @exclusivity(unchecked) var audit = RedactionAudit()
    @exclusivity(unchecked) var explain: [RedactionHit]?
    @exclusivity(unchecked) var stackObject: [Bool] = []
    @exclusivity(unchecked) var stackKind: [UInt8] = []
    @exclusivity(unchecked) var stackBase: [Int] = []
}
