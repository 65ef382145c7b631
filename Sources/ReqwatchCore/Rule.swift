/// A detection rule. `id` is part of the output contract (`rule.id` in alerts).
public struct Rule: Hashable, Sendable {
    public var id: String
    public var name: String
    /// ECS `event.category` values, for example `["web", "intrusion_detection"]`.
    public var categories: [String]
    /// MITRE ATT&CK technique (`threat.technique.id`), when one fits.
    public var techniqueID: String?
    public var techniqueName: String?

    public init(id: String, name: String, categories: [String] = ["web", "intrusion_detection"],
                techniqueID: String? = nil, techniqueName: String? = nil) {
        self.id = id
        self.name = name
        self.categories = categories
        self.techniqueID = techniqueID
        self.techniqueName = techniqueName
    }

    public static let idEnumeration = Rule(
        id: "id-enumeration", name: "ID enumeration (record harvesting)", techniqueID: "T1119",
        techniqueName: "Automated Collection")
    public static let authFailureCluster = Rule(
        id: "auth-failure-cluster", name: "Cluster of 401/403 responses", categories: ["web", "authentication", "intrusion_detection"],
        techniqueID: "T1110", techniqueName: "Brute Force")
    public static let unknownEndpoint = Rule(
        id: "unknown-endpoint", name: "Request to an undocumented endpoint", techniqueID: "T1595.003",
        techniqueName: "Active Scanning: Wordlist Scanning")
    public static let suspiciousUserAgent = Rule(
        id: "suspicious-user-agent", name: "Suspicious user agent", techniqueID: "T1595",
        techniqueName: "Active Scanning")
    public static let exposedCredential = Rule(
        id: "exposed-credential", name: "Credential exposed in a URL", categories: ["web", "intrusion_detection"],
        techniqueID: "T1552", techniqueName: "Unsecured Credentials")
}
