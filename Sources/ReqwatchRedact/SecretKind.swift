import ReqwatchCore

/// What kind of secret a redaction hit is. `name` is the stable kebab-case label written in
/// `[REDACTED:<name>]`, in the audit and in `exposed-credential` alerts.
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
}
