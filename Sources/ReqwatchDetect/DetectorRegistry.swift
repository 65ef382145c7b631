import ReqwatchCore

/// Every built-in rule, in the order the engine runs them. The engine, the CLI (`--disable`, `--help`), the config
/// file and the stats read this list: adding a rule is one file plus one line here.
public enum DetectorRegistry {
    /// One rule: its metadata and how to build its detector from the configuration.
    public struct Entry: Sendable {
        public var rule: Rule
        public var summary: String
        public var make: @Sendable (DetectConfiguration) -> any Detector
        /// For rules that decode their own config section: the problems in `section`.
        public var validate: (@Sendable (RuleSection?) -> [ConfigProblem])?

        public init(rule: Rule, summary: String, make: @escaping @Sendable (DetectConfiguration) -> any Detector) {
            self.rule = rule
            self.summary = summary
            self.make = make
            validate = nil
        }

        /// A rule with its own settings type, decoded from `detectors.<rule id>` of the config file.
        public static func rule<C: RuleConfiguration>(
            _ rule: Rule, _ summary: String, settings: C.Type,
            make: @escaping @Sendable (DetectConfiguration, C) -> any Detector
        ) -> Entry {
            var e = Entry(rule: rule, summary: summary) { c in
                var s = RuleSettings(c.ruleSections[rule.id], ruleID: rule.id)
                return make(c, C(&s))
            }
            e.validate = { section in
                var s = RuleSettings(section, ruleID: rule.id)
                _ = C(&s)
                return s.problems()
            }
            return e
        }
    }

    public static let all: [Entry] = [
        Entry(rule: .idEnumeration, summary: "a client walking record ids on one route (fast, slow, shuffled)") {
            IDEnumerationDetector(configuration: $0)
        },
        Entry(rule: .authFailureCluster, summary: "clusters of 401/403: brute force, spraying, credential stuffing") {
            AuthFailureClusterDetector(configuration: $0)
        },
        Entry(rule: .unknownEndpoint, summary: "ghost routes, probes for sensitive files, injection payloads") {
            UnknownEndpointDetector(configuration: $0)
        },
        Entry(rule: .suspiciousUserAgent, summary: "scanner, empty, malformed, rotating or unfamiliar user agents") {
            SuspiciousUserAgentDetector(configuration: $0)
        },
        .rule(SensitiveActionRateDetector.rule, "a client over the rate limit on login, reset, OTP, sign-up, export",
              settings: SensitiveActionRateDetector.Configuration.self) { SensitiveActionRateDetector($0, $1) },
    ]

    /// Rules that run outside this list but are known to the configuration (the redaction library's).
    public static let external: [Rule] = [.exposedCredential]

    /// Every rule id a configuration may name.
    public static var ruleIDs: Set<String> { Set(all.map(\.rule.id) + external.map(\.id)) }
}
