import ReqwatchCore

/// What kind of secret a redaction hit is. `name` is the stable kebab-case label written in
/// `[REDACTED:<name>]`, in the audit and in `exposed-credential` alerts.
///
/// How each kind is recognised (byte scanners, word boundaries on both sides unless said otherwise):
/// - `jwt`: `eyJ` + ≥7 base64url, `.`, ≥4 base64url, `.`, optional base64url signature.
/// - `bearer` / `basic`: the word `Bearer` / `Basic` (any case), spaces, ≥8 token characters.
/// - `aws-access-key`: `AKIA` or `ASIA` + exactly 16 of `[A-Z0-9]`.
/// - `aws-secret-key`: exactly 40 of `[A-Za-z0-9/+]` with upper, lower and a digit, within 96 bytes after
///   `aws` or `secret` (any case).
/// - `github-token`: `ghp_ gho_ ghu_ ghs_ ghr_` + ≥30 alphanumerics; `github_pat_` + ≥22 of `[A-Za-z0-9_]`.
/// - `stripe-key`: `sk_live_ rk_live_ sk_test_ rk_test_` + ≥10 alphanumerics (publishable `pk_` keys are public).
/// - `slack-token`: `xoxb- xoxp- xoxa- xoxr- xoxs-` + ≥10 of `[A-Za-z0-9-]`; `slack-webhook`:
///   `hooks.slack.com/services/` + path.
/// - `google-api-key`: `AIza` + ≥35 base64url.
/// - `private-key`: `-----BEGIN … PRIVATE KEY-----` through `-----END …-----` (to the end if truncated).
/// - `card`: 13–19 digits, runs of up to three separators (space, `-`, `+`, `.`) between digits allowed, plausible issuer (2221–2720, 30/34–38,
///   4, 51–55, 60/62/64/65) and a valid Luhn check digit.
/// - `email`: local part `[A-Za-z0-9._%+-]` (≤64) `@` domain with a dot and an alphabetic TLD of ≥2 letters.
/// - `phone`: E.164, `+` then 8–15 digits, first digit not 0, optionally in groups (`+44 7700 900066`); under
///   phone-like names (`phone`, `mobile_number`) any common national format (`(372) 853-8531`).
/// - `ssn`: `ddd-dd-dddd`, area not 000/666/9xx, group not 00, serial not 0000.
/// - key kinds (`password`, `token`, `api-key`, `secret`, `session`, `cookie`, `authorization`, `card-data`,
///   `private-key`, `ssn`): any value under a sensitive name (see `KeyRules`), in query strings, form and JSON
///   bodies, headers, and `name=value` / `name: value` pairs in free text.
/// - `path-token`: an opaque URL path segment (≥16 token characters with letters and digits, or ≥20 of mixed
///   case) right after `reset`, `unsubscribe`, `api-keys`, `token`, `verify`, `confirm`, `invite`, `magic-link`, ….
/// Lookalikes that stay: numbers failing Luhn or with an implausible issuer (order numbers, epoch timestamps),
/// UUIDs, 40-hex commit hashes, ISO dates and times, SKUs, version strings, ordinary ids.
public enum SecretKind: UInt8, Sendable, CaseIterable {
    case jwt, bearer, basic, awsAccessKey, awsSecretKey, githubToken, stripeKey, slackToken, slackWebhook
    case googleAPIKey, privateKey, card, email, phone, ssn
    case password, token, apiKey, secret, session, cookie, authorization, cardData, pathToken

    /// The kebab-case label (`aws-access-key`).
    public var name: String {
        switch self {
        case .jwt: "jwt"
        case .bearer: "bearer"
        case .basic: "basic"
        case .awsAccessKey: "aws-access-key"
        case .awsSecretKey: "aws-secret-key"
        case .githubToken: "github-token"
        case .stripeKey: "stripe-key"
        case .slackToken: "slack-token"
        case .slackWebhook: "slack-webhook"
        case .googleAPIKey: "google-api-key"
        case .privateKey: "private-key"
        case .card: "card"
        case .email: "email"
        case .phone: "phone"
        case .ssn: "ssn"
        case .password: "password"
        case .token: "token"
        case .apiKey: "api-key"
        case .secret: "secret"
        case .session: "session"
        case .cookie: "cookie"
        case .authorization: "authorization"
        case .cardData: "card-data"
        case .pathToken: "path-token"
        }
    }

    /// Whether the kind is a credential (as opposed to personal data such as an e-mail address or a phone
    /// number). Only credentials make an `exposed-credential` alert.
    public var isCredential: Bool {
        switch self {
        case .email, .phone, .ssn, .card, .cardData: false
        default: true
        }
    }
}

/// One span of a scanned buffer that must be replaced.
struct Hit: Sendable {
    var start: Int
    var end: Int
    var kind: SecretKind
    /// Found as the value of a sensitive `name=value` pair (a key rule), not by its format.
    var byKey = false
}
