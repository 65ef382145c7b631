import ReqwatchCore

/// How a key name (query parameter, JSON key, form field, header, cookie name) is judged.
struct KeyClass: Sendable, Equatable {
    enum Role: UInt8, Sendable {
        /// Nothing special: the value goes through the value rules only.
        case none
        /// A credential or card datum: the value is replaced whatever it looks like.
        case secret
        /// `key`, `code`, `state`, `idempotency_key`: replaced only when the value looks like a secret
        /// (length, character mix, entropy; not a UUID, date or public format).
        case ambiguous
        /// `phone`, `mobile_number`: replaced when the value is shaped like a phone number.
        case phone
        /// `Cookie`, `Set-Cookie`: judged pair by pair.
        case cookie
        /// `publishable_key`, `public_key`: public by design, kept.
        case publicValue
        /// `token_expires_at`, `password_changed_at`, `token_count`, `secret_name`: data about a secret, kept.
        case metadata
    }
    var role: Role
    var kind: SecretKind

    static let none = KeyClass(role: .none, kind: .secret)
    static func secret(_ k: SecretKind) -> KeyClass { KeyClass(role: .secret, kind: k) }
}

/// Which key names are sensitive, judged on **word tokens**, not substrings.
///
/// A name is split into lower-cased words on `_ - . ` (and any other punctuation) and at camelCase boundaries:
/// `X-Api-Key` → `x api key`, `refreshToken` → `refresh token`, `token_expires_at` → `token expires at`.
/// - A name whose **last** word says it is about a secret rather than the secret (`at`, `time`, `count`, `type`,
///   `name`, `expires`, `changed`, `consent`, `id`, `length`, …) is metadata and kept (`token_count`,
///   `password_changed_at`, `secret_name`, `cookie_consent`); `session_id` stays a secret.
/// - `public`, `publishable`: public by design, kept.
/// - A secret word anywhere (`password`, `passwd`, `secret`, `token`, `cvv`, `cvc`, `pin`, `otp`, `ssn`, `jwt`,
///   `authorization`, `auth`, `credential`, `signature`, `session`, `sid`, …) or a word ending in `token`,
///   `secret` or `password` (`csrftoken`) makes the name sensitive (`card_cvv`, `client_secret`, `refresh_token`).
/// - `key` is a secret after `api`, `access`, `secret`, `private`, `signing`, `encryption`, `master`, `client`,
///   …; alone or after another word (`key`, `idempotency_key`, `cache_key`) it is ambiguous. `code` is a secret
///   after `security`, `auth`, `verification`, `otp`, `mfa`, `reset`, `recovery`, …, ambiguous alone and
///   plain otherwise (`country_code`, `status_code`). `state` alone is ambiguous.
/// - `phone`, `mobile`, `tel`, `msisdn`, `cell`, `fax` name phone numbers.
/// Configured `sensitive_keys`/`keep_keys` match the whole name after normalisation (lower case, separators
/// removed: `apiKey` = `api_key` = `API-KEY`) and win over the word rules.
struct KeyRules: Sendable {
    /// Whole-name defaults (normalised): names written without separators.
    static let defaultKeys: [String] = [
        "apikey", "xapikey", "accesstoken", "refreshtoken", "idtoken", "authtoken", "csrftoken", "xsrftoken",
        "clientsecret", "sessionid", "sessid", "phpsessid", "jsessionid", "aspsessionid", "connectsid", "privatekey",
        "secretkey", "accesskey", "cardnumber", "ccnumber", "creditcard", "cvv2", "passwd", "passcode", "apitoken",
        "securitycode", "awssecretaccesskey", "proxyauthorization",
    ]

    enum Word: Sendable {
        case secret(SecretKind), meta, metaFirst, publicQ, key, code, state, phone, cookie, session, id, card, number
    }

    static let wordTable: [UInt64: Word] = {
        var t: [UInt64: Word] = [:]
        func add(_ words: [String], _ w: Word) { for x in words { t[ByteHash.hash(Array(x.utf8))] = w } }
        add(["password", "passwd", "pwd", "pass", "passphrase", "passcode"], .secret(.password))
        add(["secret", "secrets", "credential", "credentials", "creds", "signature", "sig", "hmac", "otp", "totp", "mfa"], .secret(.secret))
        add(["token", "tokens", "jwt", "bearer"], .secret(.token))
        add(["apikey", "accesskey", "secretkey"], .secret(.apiKey))
        add(["privatekey"], .secret(.privateKey))
        add(["authorization", "auth"], .secret(.authorization))
        add(["cvv", "cvv2", "cvc", "cvc2", "cvn", "cid2", "pin", "pan", "ccnumber", "cardnumber", "creditcard"], .secret(.cardData))
        add(["ssn"], .secret(.ssn))
        add(["session", "sid", "sess", "sessionid", "sessid", "phpsessid", "jsessionid"], .session)
        add(["cookie", "cookies", "setcookie"], .cookie)
        add([
            "at", "on", "time", "date", "timestamp", "ts", "count", "counts", "type", "types", "name", "names", "length",
            "len", "size", "expires", "expiry", "expiration", "exp", "expire", "expired", "ttl", "age", "lifetime",
            "changed", "change", "updated", "created", "issued", "rotated", "consent", "format", "kind", "scope",
            "scopes", "status", "hint", "policy", "strength", "enabled", "required", "valid", "verified", "set",
            "present", "last4", "brand", "provider", "algorithm", "alg", "version", "url", "uri", "endpoint", "field",
            "label", "prefix", "mode", "duration", "timeout", "index", "in", "method", "source", "header", "location",
            "attempts", "retries", "used", "reset", "sent", "ok", "error", "errors", "fingerprint", "last", "hash",
            "masked", "mask", "bin", "country", "digits", "entropy", "score", "rule", "rules", "lang", "language",
        ], .meta)
        add(["is", "has", "num", "n", "max", "min", "total", "allow", "require", "requires", "use", "show", "enable", "no", "needs"], .metaFirst)
        add(["public", "publishable", "pub", "pubkey", "publickey"], .publicQ)
        add(["key", "keys"], .key)
        add(["code", "codes"], .code)
        add(["state"], .state)
        add(["phone", "mobile", "tel", "telephone", "msisdn", "cell", "cellphone", "fax", "whatsapp", "phonenumber"], .phone)
        add(["id", "ids"], .id)
        add(["card", "cc", "credit"], .card)
        add(["number", "no", "num"], .number)
        return t
    }()

    static let keyQualifiers: Set<UInt64> = Set([
        "api", "access", "secret", "private", "signing", "sign", "encryption", "decryption", "master", "client",
        "auth", "session", "hmac", "license", "app", "shared", "x", "service", "account", "admin", "root", "ssh",
        "aws", "gcp", "azure", "stripe", "openai", "github", "slack", "webhook", "jwt",
    ].map { ByteHash.hash(Array($0.utf8)) })
    static let codeQualifiers: Set<UInt64> = Set([
        "security", "auth", "authorization", "authorisation", "verification", "verify", "otp", "mfa", "totp", "reset",
        "recovery", "access", "sms", "confirmation", "confirm", "login", "backup", "activation", "pairing", "invite",
        "invitation", "magic", "twofa", "2fa", "oauth", "one", "passcode", "card", "cvv", "pin", "device", "user",
    ].map { ByteHash.hash(Array($0.utf8)) })
    static let oauthWord = ByteHash.hash(Array("oauth".utf8))
    static let privateWord = ByteHash.hash(Array("private".utf8))

    var exact: Set<UInt64>
    var removed: Set<UInt64> = []

    init() {
        exact = Set(Self.defaultKeys.map { KeyRules.normalisedHash(Array($0.utf8)) })
    }

    mutating func add(_ name: String) {
        let h = KeyRules.normalisedHash(Array(name.utf8))
        exact.insert(h)
        removed.remove(h)
    }

    mutating func remove(_ name: String) {
        let h = KeyRules.normalisedHash(Array(name.utf8))
        exact.remove(h)
        removed.insert(h)
    }

    static func normalisedHash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer { b in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buf in
                let n = normalise(b, into: buf)
                return ByteHash.hash(UnsafeBufferPointer(rebasing: buf[0..<n]))
            }
        }
    }

    /// Writes the normalised name (lower case, `-`, `_`, `.`, space removed) into `buf` and returns its length.
    @inline(__always)
    static func normalise(_ b: UnsafeBufferPointer<UInt8>, into buf: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var n = 0
        for c in b {
            if n >= buf.count { break }
            switch c {
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: " "): continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): buf[n] = c | 0x20
            default: buf[n] = c
            }
            n += 1
        }
        return n
    }

    /// The kind of a value under this name when the name alone makes it sensitive (secret or cookie names),
    /// else nil. Ambiguous names give nil here: use `judge` to see them.
    func classify(_ key: UnsafeBufferPointer<UInt8>) -> SecretKind? {
        let c = judge(key)
        switch c.role {
        case .secret: return c.kind
        case .cookie: return .cookie
        default: return nil
        }
    }

    /// Judges a key name on its word tokens (see the type's documentation).
    func judge(_ key: UnsafeBufferPointer<UInt8>) -> KeyClass {
        if key.isEmpty || key.count > 128 { return .none }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buf -> KeyClass in
            let n = KeyRules.normalise(key, into: buf)
            if n == 0 { return .none }
            let h = ByteHash.hash(UnsafeBufferPointer(rebasing: buf[0..<n]))
            if removed.contains(h) { return .none }
            let joinedExact = exact.contains(h)
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { low -> KeyClass in
                // Tokens as (start, end) pairs in `low`; at most 8.
                var starts: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)
                var ends: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)
                var count = 0
                var m = 0
                var inTok = false
                let b = key
                func close() {
                    if inTok && count < 8 {
                        withUnsafeMutableBytes(of: &ends) { $0.storeBytes(of: m, toByteOffset: count * 8, as: Int.self) }
                        count += 1
                    }
                    inTok = false
                }
                func open() {
                    if count < 8 {
                        withUnsafeMutableBytes(of: &starts) { $0.storeBytes(of: m, toByteOffset: count * 8, as: Int.self) }
                    }
                    inTok = true
                }
                var i = 0
                while i < b.count && m < 64 {
                    let c = b[i]
                    if ValueScanner.isAlnum(c) {
                        if inTok && ValueScanner.isUpper(c) && i > 0 {
                            let p = b[i - 1]
                            let splitHere =
                                ValueScanner.isLower(p) || ValueScanner.isDigit(p)
                                || (ValueScanner.isUpper(p) && i + 1 < b.count && ValueScanner.isLower(b[i + 1]))
                            if splitHere { close() }
                        }
                        if !inTok { open() }
                        low[m] = ValueScanner.isUpper(c) ? c | 0x20 : c
                        m += 1
                    } else {
                        close()
                    }
                    i += 1
                }
                close()
                if count == 0 { return .none }
                func tok(_ k: Int) -> UnsafeBufferPointer<UInt8> {
                    var s = 0, e = 0
                    withUnsafeBytes(of: starts) { s = $0.load(fromByteOffset: k * 8, as: Int.self) }
                    withUnsafeBytes(of: ends) { e = $0.load(fromByteOffset: k * 8, as: Int.self) }
                    return UnsafeBufferPointer(rebasing: UnsafeBufferPointer(low)[s..<e])
                }
                func word(_ k: Int) -> Word? { KeyRules.wordTable[ByteHash.hash(tok(k))] }
                func hashOf(_ k: Int) -> UInt64 { ByteHash.hash(tok(k)) }
                let lastWord = word(count - 1)
                var hasSession = false
                for k in 0..<count { if case .session = word(k) { hasSession = true } }
                if count > 1 {
                    if case .meta = lastWord { return KeyClass(role: .metadata, kind: .secret) }
                    if case .id = lastWord {
                        return hasSession ? .secret(.session) : KeyClass(role: .metadata, kind: .secret)
                    }
                    if case .metaFirst = word(0) { return KeyClass(role: .metadata, kind: .secret) }
                }
                for k in 0..<count { if case .publicQ = word(k) { return KeyClass(role: .publicValue, kind: .secret) } }
                if joinedExact { return .secret(KeyRules.kind(ofNormalised: UnsafeBufferPointer(rebasing: buf[0..<n]))) }
                if case .cookie = lastWord { return KeyClass(role: .cookie, kind: .cookie) }
                var result: KeyClass? = nil
                var ambiguous: KeyClass? = nil
                var phone = false
                for k in 0..<count {
                    switch word(k) {
                    case .secret(let kind)?: result = .secret(kind)  // the last secret word names the kind (`x-auth-token`)
                    case .session?: if result == nil { result = .secret(.session) }
                    case .cookie?: if result == nil { result = .secret(.cookie) }
                    case .key?:
                        if k > 0 && KeyRules.keyQualifiers.contains(hashOf(k - 1)) {
                            if result == nil { result = .secret(k > 0 && hashOf(k - 1) == KeyRules.privateWord ? .privateKey : .apiKey) }
                        } else if ambiguous == nil {
                            ambiguous = KeyClass(role: .ambiguous, kind: .apiKey)
                        }
                    case .code?:
                        if k > 0 && KeyRules.codeQualifiers.contains(hashOf(k - 1)) {
                            if result == nil { result = .secret(.secret) }
                        } else if count == 1 && ambiguous == nil {
                            ambiguous = KeyClass(role: .ambiguous, kind: .secret)
                        }
                    case .state?:
                        if count == 1 || (k > 0 && hashOf(k - 1) == KeyRules.oauthWord) {
                            if ambiguous == nil { ambiguous = KeyClass(role: .ambiguous, kind: .secret) }
                        }
                    case .number?:
                        if k > 0, case .card? = word(k - 1), result == nil { result = .secret(.cardData) }
                    case .phone?: phone = true
                    default:
                        let t = tok(k)
                        if t.count > 5
                            && (KeyRules.endsWith(t, "token") || KeyRules.endsWith(t, "secret")
                                || KeyRules.endsWith(t, "password"))
                        {
                            if result == nil { result = .secret(KeyRules.endsWith(t, "token") ? .token : .secret) }
                        }
                    }
                }
                if let result { return result }
                if phone { return KeyClass(role: .phone, kind: .phone) }
                return ambiguous ?? .none
            }
        }
    }

    static func endsWith(_ t: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        let m = s.utf8CodeUnitCount
        return t.count >= m && ValueScanner.has(t, t.count - m, s)
    }

    static func contains(_ hay: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        let m = needle.count
        if m == 0 || hay.count < m { return false }
        var i = 0
        while i + m <= hay.count {
            var k = 0
            while k < m && hay[i + k] == needle[k] { k += 1 }
            if k == m { return true }
            i += 1
        }
        return false
    }

    static let kindWordList: [(String, SecretKind)] = [
        ("pass", .password), ("pwd", .password), ("cookie", .cookie), ("sess", .session), ("sid", .session),
        ("token", .token), ("jwt", .token), ("apikey", .apiKey), ("accesskey", .apiKey), ("privatekey", .privateKey),
        ("auth", .authorization), ("bearer", .authorization), ("ssn", .ssn), ("card", .cardData), ("cvv", .cardData),
        ("cvc", .cardData), ("securitycode", .cardData), ("cc", .cardData), ("pin", .cardData),
    ]
    static let kindWords: [([UInt8], SecretKind)] = kindWordList.map { (Array($0.0.utf8), $0.1) }

    /// The kind for a whole normalised name (configured names and the joined defaults).
    static func kind(ofNormalised norm: UnsafeBufferPointer<UInt8>) -> SecretKind {
        for (w, k) in kindWords where contains(norm, w) { return k }
        return .secret
    }
}

