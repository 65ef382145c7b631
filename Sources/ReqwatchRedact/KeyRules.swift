import ReqwatchCore

/// Which key names (query parameters, JSON keys, form fields, headers) are sensitive.
///
/// Names are normalised before matching: ASCII lower-cased, with `-`, `_`, `.` and spaces removed, so
/// `apiKey`, `api-key` and `API_KEY` all become `apikey`. A name is sensitive when its normalised form is in
/// the exact list, or contains one of the strong words (`password`, `secret`, `token`, …), and is not in the
/// removed list. Names longer than 64 bytes are judged on their first 64 normalised bytes.
struct KeyRules: Sendable {
    /// The documented default list (normalised).
    static let defaultKeys: [String] = [
        "password", "passwd", "pwd", "pass", "secret", "token", "accesstoken", "refreshtoken", "idtoken", "apikey",
        "clientsecret", "authorization", "auth", "cookie", "session", "sessionid", "sid", "ssn", "cardnumber",
        "cc", "ccnumber", "cvv", "cvc", "cvv2", "pin", "privatekey", "otp", "key", "secretkey", "accesskey",
        "awssecretaccesskey", "xapikey", "code", "state", "jwt", "bearer", "credentials", "phpsessid",
        "jsessionid", "aspsessionid", "connectsid", "signature", "sig", "hmac", "mfa", "totp", "passcode",
    ]
    /// Substrings that make any name sensitive (`new_password`, `x-auth-token`, `stripeSecret`).
    static let strongWords: [[UInt8]] = [
        "password", "passwd", "secret", "token", "apikey", "privatekey", "accesskey", "sessionid", "sessid",
        "cardnumber", "creditcard", "authorization", "signature", "credential", "cookie",
    ].map { Array($0.utf8) }

    var exact: Set<UInt64>
    var removed: Set<UInt64> = []

    init() {
        exact = Set(Self.defaultKeys.map { KeyRules.normalisedHash(Array($0.utf8)) })
        // "code" and "state" are OAuth parameters; "code" is an authorization code (a credential), "state" is not.
        exact.remove(KeyRules.normalisedHash(Array("state".utf8)))
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

    /// Writes the normalised name into `buf` (at most `buf.count` bytes) and returns its length.
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

    /// The kind of secret a value under this key name is, or nil when the name is not sensitive.
    func classify(_ key: UnsafeBufferPointer<UInt8>) -> SecretKind? {
        if key.isEmpty { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buf -> SecretKind? in
            let n = KeyRules.normalise(key, into: buf)
            if n == 0 { return nil }
            let norm = UnsafeBufferPointer(rebasing: buf[0..<n])
            let h = ByteHash.hash(norm)
            if removed.contains(h) { return nil }
            var sensitive = exact.contains(h)
            if !sensitive {
                for w in KeyRules.strongWords where KeyRules.contains(norm, w) {
                    sensitive = true
                    break
                }
            }
            return sensitive ? KeyRules.kind(of: norm) : nil
        }
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
        ("cvc", .cardData), ("cc", .cardData), ("pin", .cardData),
    ]
    static let kindWords: [([UInt8], SecretKind)] = kindWordList.map { (Array($0.0.utf8), $0.1) }

    static func kind(of norm: UnsafeBufferPointer<UInt8>) -> SecretKind {
        for (w, k) in kindWords where contains(norm, w) { return k }
        return .secret
    }
}
