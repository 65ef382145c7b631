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
    /// Field paths (lower-cased, hashed) whose members are dropped by an explicit rule.
    let dropRules: Set<UInt64>
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
        dropRules = Set(configuration.droppedFields.map { ByteHash.hash(Array($0.lowercased().utf8)) })
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
        case value, key, header, pathKeyword = "path-keyword", fieldRule = "field-rule", base64, cookie, drop
    }

    /// Counts one replacement in the audit (and the explain log when on). Never sees the value.
    func note(_ s: Scratch, kind: SecretKind, rule: RuleTag, field: String, length: Int) {
        let tag = rule == .value ? "value:" + kind.name : rule.rawValue
        s.audit.count(kind: kind, rule: tag, field: field)
        if s.explain != nil {
            s.explain?.append(
                RedactionHit(field: field, kind: kind.name, rule: tag, preview: "[REDACTED:\(kind.name)] (\(length) bytes)"))
        }
    }

    /// Whether the (case-insensitive) field path has a `drop` rule.
    func isDropped(_ path: UnsafeBufferPointer<UInt8>) -> Bool {
        if dropRules.isEmpty || path.count > 512 { return false }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: path.count) { buf -> Bool in
            for (i, c) in path.enumerated() { buf[i] = ValueScanner.isUpper(c) ? c | 0x20 : c }
            return dropRules.contains(ByteHash.hash(UnsafeBufferPointer(buf)))
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

    /// Scans `src` as free text and, when anything matched, writes it with replacements into `out` and returns
    /// true. Writes nothing and returns false when nothing matched. Bytes outside a secret are copied as they
    /// were (`encode` is kept for callers; nothing is re-encoded).
    func scanEmit(
        _ src: UnsafeBufferPointer<UInt8>, kv: Bool, encode: Bool, s: Scratch, base: String,
        key: UnsafeBufferPointer<UInt8>?, into out: inout [UInt8]
    ) -> Bool {
        s.fieldName.removeAll(keepingCapacity: true)
        s.fieldName.append(contentsOf: base.utf8)
        if let key { _ = pushField(s, key) }
        let mark = s.cuts.count
        textCuts(src, off: 0, depth: 0, kv: kv, s: s)
        if s.cuts.count == mark { return false }
        return emit(src, from: mark, s: s, into: &out)
    }

    private static let hexUpper: [UInt8] = Array("0123456789ABCDEF".utf8)

    @inline(__always) static func hexValue(_ c: UInt8) -> UInt8? { HexDigit.value(c) }

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
    @exclusivity(unchecked) var cuts: [Cut] = []
    @exclusivity(unchecked) var reps: [UInt8] = []
    @exclusivity(unchecked) var fieldName: [UInt8] = []
    /// Cuts below this index belong to an outer layer (no merging across it).
    @exclusivity(unchecked) var cutFloor = 0
}
