/// One problem found in a configuration file or spec. Loaders collect all of them, so the user sees
/// every mistake in one run: `reqwatch.yaml:12: detectors.id-enumeration.threshold: expected an integer`.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    public var file: String?
    /// 1-based line, when the YAML node has a mark.
    public var line: Int?
    /// Dotted key path, for example `detectors.id-enumeration.threshold`.
    public var path: String
    public var message: String

    public init(file: String? = nil, line: Int? = nil, path: String, message: String) {
        self.file = file
        self.line = line
        self.path = path
        self.message = message
    }

    public var description: String {
        var s = file ?? "config"
        if let line { s += ":\(line)" }
        return "\(s): \(path.isEmpty ? "" : path + ": ")\(message)"
    }
}
