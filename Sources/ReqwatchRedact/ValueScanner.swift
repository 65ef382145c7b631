import ReqwatchCore

/// Byte scanners for the value rules: each recognises one secret format at a position, with word
/// boundaries, in linear time. No regular expressions. All indexing is guarded by `n`.
enum ValueScanner {
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }
    @inline(__always) static func isUpper(_ c: UInt8) -> Bool { c &- 65 < 26 }
    @inline(__always) static func isLower(_ c: UInt8) -> Bool { c &- 97 < 26 }
    @inline(__always) static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) &- 97 < 26 }
    @inline(__always) static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || isAlpha(c) }
    @inline(__always) static func isB64URL(_ c: UInt8) -> Bool {
        isAlnum(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
    }
    @inline(__always) static func isB64(_ c: UInt8) -> Bool {
        isAlnum(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "/") || c == UInt8(ascii: "=")
    }
    @inline(__always) static func isTokenChar(_ c: UInt8) -> Bool {
        isAlnum(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
            || c == UInt8(ascii: "~") || c == UInt8(ascii: "+") || c == UInt8(ascii: "/") || c == UInt8(ascii: "=")
    }
    @inline(__always) static func isEmailLocal(_ c: UInt8) -> Bool {
        isAlnum(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "%")
            || c == UInt8(ascii: "+") || c == UInt8(ascii: "-")
    }
    @inline(__always) static func isIdent(_ c: UInt8) -> Bool {
        isAlnum(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
    }

    /// Whether `b[i...]` starts with `p` (ASCII, case-sensitive or not).
    @inline(__always)
    static func has(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ p: StaticString, caseInsensitive: Bool = false) -> Bool {
        let m = p.utf8CodeUnitCount
        if i < 0 || i + m > b.count { return false }
        let q = p.utf8Start
        for k in 0..<m {
            let c = b[i + k]
            if caseInsensitive {
                if (isAlpha(c) ? c | 0x20 : c) != q[k] { return false }
            } else if c != q[k] {
                return false
            }
        }
        return true
    }

    /// Length of the run at `i` of bytes satisfying `f`, capped at `cap`.
    @inline(__always)
    static func run(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, cap: Int = Int.max, _ f: (UInt8) -> Bool) -> Int {
        var j = i
        let n = b.count
        while j < n && j - i < cap && f(b[j]) { j += 1 }
        return j - i
    }

    /// Finds every value-rule hit in `b` and appends them (sorted, non-overlapping) to `hits`.
    /// With `keys`, `name=value` / `"name": "value"` pairs whose name is sensitive are hits too.
    static func scan(_ b: UnsafeBufferPointer<UInt8>, keys: KeyRules?, into hits: inout [Hit]) {
        let n = b.count
        var i = 0
        var lastEnd = 0
        let awsContext = b.count >= 40 && hasAWSKeyword(b)
        // A failed JWT candidate fails for every later start inside the same base64url run: skip them, so
        // `eyJ-eyJ-eyJ-…` stays linear.
        var jwtSkip = 0
        while i < n {
            let c = b[i]
            let boundary = i == 0 || !isAlnum(b[i - 1])
            var found: Hit? = nil
            if c == UInt8(ascii: "@") {
                found = email(b, at: i, lowest: lastEnd)
            } else if boundary {
                found = match(b, i, c, awsContext: awsContext, jwt: i >= jwtSkip)
                if c == UInt8(ascii: "e") && i >= jwtSkip && found?.kind != .jwt && has(b, i, "eyJ") {
                    jwtSkip = i + run(b, i, cap: 8192, isB64URL)
                }
                if found == nil, let keys, isAlpha(c), i == 0 || !isIdent(b[i - 1]) {
                    found = keyValue(b, i, keys)
                    if found == nil {
                        // Skip the rest of the identifier: it was not a sensitive name.
                        let r = run(b, i, cap: 64, isAlnum)
                        if r > 1 { i += r; continue }
                    }
                }
            }
            if var h = found {
                if h.start < lastEnd { h.start = lastEnd }
                if h.end > h.start {
                    hits.append(h)
                    lastEnd = h.end
                }
                i = max(h.end, i + 1)
            } else {
                i += 1
            }
        }
    }

    /// Value rules that start at a word boundary at `i`.
    static func match(
        _ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ c: UInt8, awsContext: Bool = true, jwt allowJWT: Bool = true
    ) -> Hit? {
        switch c {
        case UInt8(ascii: "e"):
            if allowJWT, let e = jwt(b, i) { return Hit(start: i, end: e, kind: .jwt) }
        case UInt8(ascii: "B"), UInt8(ascii: "b"):
            if has(b, i, "bearer", caseInsensitive: true), let e = schemeToken(b, i + 6, min: 8) {
                return Hit(start: i, end: e, kind: .bearer)
            }
            if has(b, i, "basic", caseInsensitive: true), let e = schemeToken(b, i + 5, min: 8) {
                return Hit(start: i, end: e, kind: .basic)
            }
        case UInt8(ascii: "A"):
            if has(b, i, "AKIA") || has(b, i, "ASIA") {
                let r = run(b, i + 4, cap: 17) { isUpper($0) || isDigit($0) }
                if r == 16 && !(i + 20 < b.count && isAlnum(b[i + 20])) {
                    return Hit(start: i, end: i + 20, kind: .awsAccessKey)
                }
            }
            if has(b, i, "AIza") {
                let r = run(b, i + 4, cap: 40, isB64URL)
                if r >= 35 { return Hit(start: i, end: i + 4 + r, kind: .googleAPIKey) }
            }
        case UInt8(ascii: "g"):
            if has(b, i, "ghp_") || has(b, i, "gho_") || has(b, i, "ghu_") || has(b, i, "ghs_") || has(b, i, "ghr_") {
                let r = run(b, i + 4, cap: 256, isAlnum)
                if r >= 30 { return Hit(start: i, end: i + 4 + r, kind: .githubToken) }
            }
            if has(b, i, "github_pat_") {
                let r = run(b, i + 11, cap: 256) { isAlnum($0) || $0 == UInt8(ascii: "_") }
                if r >= 22 { return Hit(start: i, end: i + 11 + r, kind: .githubToken) }
            }
        case UInt8(ascii: "s"), UInt8(ascii: "r"), UInt8(ascii: "p"):
            if has(b, i, "sk_live_") || has(b, i, "rk_live_") || has(b, i, "sk_test_") || has(b, i, "rk_test_")
            {
                let r = run(b, i + 8, cap: 256, isAlnum)
                if r >= 10 { return Hit(start: i, end: i + 8 + r, kind: .stripeKey) }
            }
        case UInt8(ascii: "x"):
            if has(b, i, "xoxb-") || has(b, i, "xoxp-") || has(b, i, "xoxa-") || has(b, i, "xoxr-") || has(b, i, "xoxs-") {
                let r = run(b, i + 5, cap: 256) { isAlnum($0) || $0 == UInt8(ascii: "-") }
                if r >= 10 { return Hit(start: i, end: i + 5 + r, kind: .slackToken) }
            }
        case UInt8(ascii: "h"):
            if has(b, i, "hooks.slack.com/services/") {
                let r = run(b, i + 25, cap: 256) { isAlnum($0) || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "_") }
                if r >= 8 { return Hit(start: i, end: i + 25 + r, kind: .slackWebhook) }
            }
        case UInt8(ascii: "-"):
            if has(b, i, "-----BEGIN "), let e = pem(b, i) { return Hit(start: i, end: e, kind: .privateKey) }
        case UInt8(ascii: "+"):
            if let e = internationalPhone(b, i) { return Hit(start: i, end: e, kind: .phone) }
        default:
            break
        }
        if isDigit(c) {
            if let e = card(b, i) { return Hit(start: i, end: e, kind: .card) }
            if let e = ssn(b, i) { return Hit(start: i, end: e, kind: .ssn) }
        }
        if awsContext && (isAlnum(c) || c == UInt8(ascii: "/") || c == UInt8(ascii: "+")) {
            if let e = awsSecret(b, i) { return Hit(start: i, end: e, kind: .awsSecretKey) }
        }
        return nil
    }

    /// Whether `b` mentions `aws` or `secret` anywhere (case-insensitive): the AWS secret-key rule needs one
    /// of them nearby, so without either it is skipped for the whole buffer.
    static func hasAWSKeyword(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = b.count
        while i + 3 <= n {
            let c = b[i] | 0x20
            if c == UInt8(ascii: "a") && has(b, i, "aws", caseInsensitive: true) { return true }
            if c == UInt8(ascii: "s") && has(b, i, "secret", caseInsensitive: true) { return true }
            i += 1
        }
        return false
    }

    static func jwt(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard has(b, i, "eyJ") else { return nil }
        let p1 = run(b, i, cap: 8192, isB64URL)
        guard p1 >= 10, i + p1 < b.count, b[i + p1] == UInt8(ascii: ".") else { return nil }
        let s2 = i + p1 + 1
        let p2 = run(b, s2, cap: 1 << 20, isB64URL)
        guard p2 >= 4, s2 + p2 < b.count, b[s2 + p2] == UInt8(ascii: ".") else { return nil }
        let s3 = s2 + p2 + 1
        let p3 = run(b, s3, cap: 8192, isB64URL)
        return s3 + p3
    }

    /// After an auth scheme word at `j`: one or more spaces then a credential of at least `min` token bytes.
    static func schemeToken(_ b: UnsafeBufferPointer<UInt8>, _ j: Int, min: Int) -> Int? {
        let sp = run(b, j, cap: 8) { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "+") }
        guard sp >= 1 else { return nil }
        let r = run(b, j + sp, cap: 1 << 20, isTokenChar)
        return r >= min ? j + sp + r : nil
    }

    static func pem(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        // The header line must say PRIVATE KEY within a short distance.
        var j = i + 11
        let limit = min(b.count, i + 80)
        var isKey = false
        while j < limit {
            if has(b, j, "PRIVATE KEY-----") { isKey = true; j += 16; break }
            if b[j] == UInt8(ascii: "\n") { break }
            j += 1
        }
        guard isKey else { return nil }
        while j < b.count {
            if has(b, j, "-----END ") {
                var k = j + 9
                while k < b.count {
                    if has(b, k, "-----") { return k + 5 }
                    if b[k] == UInt8(ascii: "\n") { break }
                    k += 1
                }
                return k
            }
            j += 1
        }
        return b.count  // truncated block: redact to the end
    }

    static func card(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        let n = b.count
        var j = i
        var digits = 0
        // Group lengths when separated: 4-4-4-4(-3), 4-6-5 (Amex), 4-4-4-1…4; at most 5 groups.
        var groups = 0
        var groupLen = 0
        var badGroups = false
        var separated = false
        var lens: (Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0)
        func closeGroup() {
            switch groups {
            case 0: lens.0 = groupLen
            case 1: lens.1 = groupLen
            case 2: lens.2 = groupLen
            case 3: lens.3 = groupLen
            case 4: lens.4 = groupLen
            default: badGroups = true
            }
            groups += 1
            groupLen = 0
        }
        while j < n {
            let c = b[j]
            if isDigit(c) {
                digits += 1
                groupLen += 1
                if digits > 19 { return nil }
                j += 1
            } else if isCardSeparator(c) && j > i && isDigit(b[j - 1]) {
                // A short run of separators between digit groups: `4111 1111`, `6249+3845`, `4111 - 1111`.
                var k = j
                while k < n && k - j < 3 && isCardSeparator(b[k]) { k += 1 }
                guard k < n, isDigit(b[k]) else { break }
                closeGroup()
                separated = true
                j = k
            } else {
                break
            }
        }
        closeGroup()
        if separated {
            let amex = groups == 3 && lens.0 == 4 && lens.1 == 6 && (lens.2 == 5 || lens.2 == 4)
            var fours = groups >= 3 && groups <= 5 && lens.0 == 4 && lens.1 == 4 && lens.2 == 4
            if groups >= 4 { fours = fours && lens.3 >= 1 && lens.3 <= 4 && (groups == 4 || lens.3 == 4) }
            if groups == 5 { fours = fours && lens.4 >= 1 && lens.4 <= 3 }
            if groups == 3 { fours = false }
            if badGroups || !(amex || fours) { return nil }
        }
        guard digits >= 13, !(j < n && (isAlpha(b[j]) || b[j] == UInt8(ascii: "_"))) else { return nil }
        // Plausible issuer: 2221-2720, 30/34/35/36/37/38, 4, 51-55, 60/62/64/65.
        var ds = (UInt8(0), UInt8(0), UInt8(0), UInt8(0))
        var k = i
        var got = 0
        while k < j && got < 4 {
            if isDigit(b[k]) {
                let d = b[k] &- 48
                switch got {
                case 0: ds.0 = d
                case 1: ds.1 = d
                case 2: ds.2 = d
                default: ds.3 = d
                }
                got += 1
            }
            k += 1
        }
        let iin4 = Int(ds.0) * 1000 + Int(ds.1) * 100 + Int(ds.2) * 10 + Int(ds.3)
        let plausible: Bool
        switch ds.0 {
        case 4: plausible = true
        case 5: plausible = ds.1 >= 1 && ds.1 <= 5
        case 2: plausible = iin4 >= 2221 && iin4 <= 2720
        case 3: plausible = [0, 4, 5, 6, 7, 8].contains(ds.1)
        case 6: plausible = [0, 2, 4, 5].contains(ds.1)
        default: plausible = false
        }
        guard plausible else { return nil }
        // Luhn from the right.
        var sum = 0
        var double = false
        var m = j - 1
        while m >= i {
            let c = b[m]
            if isDigit(c) {
                var d = Int(c &- 48)
                if double { d *= 2; if d > 9 { d -= 9 } }
                sum += d
                double.toggle()
            }
            m -= 1
        }
        return sum % 10 == 0 ? j : nil
    }

    @inline(__always) static func isCardSeparator(_ c: UInt8) -> Bool {
        c == UInt8(ascii: " ") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
    }

    /// `+` then 8–15 digits (first not 0), either run together or in groups split by single spaces, `-` or `.`.
    static func internationalPhone(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        let n = b.count
        guard i + 1 < n, isDigit(b[i + 1]), b[i + 1] != UInt8(ascii: "0") else { return nil }
        if i > 0 && (isAlnum(b[i - 1])) { return nil }
        var j = i + 1
        var digits = 0
        var groups = 0
        var end = i + 1
        while j < n {
            let r = run(b, j, cap: 16, isDigit)
            if r == 0 { break }
            digits += r
            groups += 1
            j += r
            end = j
            if digits > 15 { return nil }
            if j + 1 < n && (b[j] == 0x20 || b[j] == UInt8(ascii: "-") || b[j] == UInt8(ascii: ".")) && isDigit(b[j + 1]) && groups < 6 {
                j += 1
            } else {
                break
            }
        }
        if end < n && isAlnum(b[end]) { return nil }
        return digits >= 8 && digits <= 15 ? end : nil
    }

    static func ssn(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        let n = b.count
        guard i + 11 <= n else { return nil }
        for k in [0, 1, 2, 4, 5, 7, 8, 9, 10] where !isDigit(b[i + k]) { return nil }
        guard b[i + 3] == UInt8(ascii: "-"), b[i + 6] == UInt8(ascii: "-") else { return nil }
        if i + 11 < n && (isAlnum(b[i + 11]) || b[i + 11] == UInt8(ascii: "-")) { return nil }
        if i > 0 && b[i - 1] == UInt8(ascii: "-") { return nil }
        let d = { (k: Int) in Int(b[i + k] &- 48) }
        let area = d(0) * 100 + d(1) * 10 + d(2)
        let group = d(4) * 10 + d(5)
        let serial = d(7) * 1000 + d(8) * 100 + d(9) * 10 + d(10)
        guard area != 0, area != 666, area < 900, group != 0, serial != 0 else { return nil }
        return i + 11
    }

    /// 40 base64 characters with mixed case and a digit, near an `aws` or `secret` keyword.
    static func awsSecret(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        if i > 0 && isB64(b[i - 1]) && b[i - 1] != UInt8(ascii: "=") { return nil }
        let r = run(b, i, cap: 41) { isAlnum($0) || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "+") }
        guard r == 40 else { return nil }
        var up = false, low = false, dig = false
        for k in i..<(i + 40) {
            let c = b[k]
            if isUpper(c) { up = true } else if isLower(c) { low = true } else if isDigit(c) { dig = true }
        }
        guard up && low && dig else { return nil }
        var k = max(0, i - 96)
        while k < i {
            if has(b, k, "aws", caseInsensitive: true) || has(b, k, "secret", caseInsensitive: true) { return i + 40 }
            k += 1
        }
        return nil
    }

    /// An e-mail address around the `@` at `at`; the local part does not reach below `lowest`.
    static func email(_ b: UnsafeBufferPointer<UInt8>, at: Int, lowest: Int) -> Hit? {
        var s = at
        while s > lowest && at - s < 64 && isEmailLocal(b[s - 1]) { s -= 1 }
        guard s < at else { return nil }
        var j = at + 1
        var lastDot = -1
        let n = b.count
        while j < n && j - at < 255 {
            let c = b[j]
            if isAlnum(c) || c == UInt8(ascii: "-") {
                j += 1
            } else if c == UInt8(ascii: "."), j + 1 < n, isAlnum(b[j + 1]) {
                lastDot = j
                j += 1
            } else {
                break
            }
        }
        guard lastDot > at + 1 else { return nil }
        let tld = run(b, lastDot + 1, cap: 64, isAlpha)
        guard tld >= 2, lastDot + 1 + tld == j else { return nil }
        return Hit(start: s, end: j, kind: .email)
    }

    /// `name=value`, `name: value`, `"name":"value"` with a sensitive name; the hit is the value. Ambiguous
    /// names (`key`, `code`, `state`) need a secret-looking value; phone-like names a phone-shaped one;
    /// public-by-design values (`pk_live_…`, ssh public keys) stay.
    static func keyValue(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ keys: KeyRules) -> Hit? {
        let n = b.count
        let klen = run(b, i, cap: 65, isIdent)
        guard klen <= 64 else { return nil }
        var j = i + klen
        if j < n && (b[j] == UInt8(ascii: "\"") || b[j] == UInt8(ascii: "'")) { j += 1 }
        j += run(b, j, cap: 3) { $0 == UInt8(ascii: " ") }
        guard j < n, b[j] == UInt8(ascii: "=") || b[j] == UInt8(ascii: ":") else { return nil }
        let cls = keys.judge(UnsafeBufferPointer(rebasing: b[i..<(i + klen)]))
        let kind: SecretKind
        switch cls.role {
        case .secret, .ambiguous, .phone: kind = cls.kind
        case .cookie: kind = .cookie
        default: return nil
        }
        j += 1
        j += run(b, j, cap: 8) { $0 == UInt8(ascii: " ") }
        guard j < n else { return nil }
        func accept(_ s: Int, _ e: Int) -> Hit? {
            guard e > s else { return nil }
            let v = UnsafeBufferPointer(rebasing: b[s..<e])
            if Redactor.isPublicValue(v) { return nil }
            switch cls.role {
            case .ambiguous: if !Redactor.looksSecret(v) { return nil }
            case .phone: if !Redactor.phoneShaped(v) { return nil }
            default: break
            }
            return Hit(start: s, end: e, kind: refine(b, s, e, kind), byKey: true)
        }
        let q = b[j]
        if q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") {
            var k = j + 1
            while k < n && b[k] != q {
                if b[k] == UInt8(ascii: "\\") { k += 1 }
                k += 1
            }
            return accept(j + 1, min(k, n))
        }
        var k = j
        func stop(_ c: UInt8) -> Bool {
            c <= 0x20 || c == UInt8(ascii: "&") || c == UInt8(ascii: ",") || c == UInt8(ascii: ";")
                || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "}")
                || c == UInt8(ascii: "]") || c == UInt8(ascii: ")") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">")
        }
        if cls.role == .phone {
            while k < n && (isDigit(b[k]) || b[k] == 0x20 || b[k] == UInt8(ascii: "-") || b[k] == UInt8(ascii: ".")
                || b[k] == UInt8(ascii: "(") || b[k] == UInt8(ascii: ")") || b[k] == UInt8(ascii: "+")) { k += 1 }
            while k > j && b[k - 1] == 0x20 { k -= 1 }
            return accept(j, k)
        }
        while k < n && !stop(b[k]) { k += 1 }
        // "Authorization: Bearer abc": take the credential after the scheme word too.
        if k < n && b[k] == UInt8(ascii: " ") && k - j <= 8 {
            let w = UnsafeBufferPointer(rebasing: b[j..<k])
            if has(w, 0, "bearer", caseInsensitive: true) || has(w, 0, "basic", caseInsensitive: true)
                || has(w, 0, "token", caseInsensitive: true) || has(w, 0, "digest", caseInsensitive: true)
            {
                k += 1
                while k < n && !stop(b[k]) { k += 1 }
            }
        }
        return accept(j, k)
    }

    /// The value-rule kind of `b[s..<e]` when a value rule matches at its start, else `kind`.
    static func refine(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ kind: SecretKind) -> SecretKind {
        guard s < e, e <= b.count, let h = match(UnsafeBufferPointer(rebasing: b[s..<e]), 0, b[s]) else { return kind }
        return h.kind
    }
}
