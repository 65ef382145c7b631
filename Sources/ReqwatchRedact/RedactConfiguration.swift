import ReqwatchCore
import Yams

#if canImport(Glibc)
    import Glibc
#endif

/// How a redacted value is written.
public enum RedactionMode: String, Sendable, CaseIterable {
    /// `[REDACTED:kind]` (the default).
    case mask
    /// `hmac:<first 16 hex digits of HMAC-SHA256(key, value)>`: a stable, keyed pseudonym.
    case hash
    /// Cards keep their last four digits (`[REDACTED:card:…1234]`); every other kind is masked.
    case partial
}

/// The `redaction:` section of the configuration, resolved.
///
/// YAML shape (every key optional):
/// ```yaml
/// redaction:
///   mode: mask            # mask | hash | partial
///   key_env: REQWATCH_REDACT_KEY
///   key_file: /etc/reqwatch/redact.key
///   sensitive_keys: [member_no]      # added to the default list
///   keep_keys: [session]             # removed from the default list
///   headers: [X-Internal-Signature]  # extra sensitive headers
///   fields:                          # per field path: sensitive | keep | drop
///     body.user.ssn: sensitive
///     query.token: keep
///     headers.x-debug-dump: drop     # JSON key path: the member is removed, counted in the summary
/// ```
public struct RedactConfiguration: Sendable {
    public var mode: RedactionMode = .mask
    /// From the environment variable or the key file; required for `.hash`.
    public var hashKey: [UInt8]?
    /// Names added to the default sensitive-key list.
    public var extraKeys: [String] = []
    /// Names removed from the default list (matched after normalisation).
    public var keptKeys: [String] = []
    /// Extra sensitive header names (case-insensitive).
    public var extraHeaders: [String] = []
    /// Per field path (`body.user.ssn`, `query.token`, `header.x-foo`; case-insensitive): true = sensitive, false = keep.
    public var fieldRules: [String: Bool] = [:]
    /// Field paths removed from the output by an explicit `drop` rule (JSON key paths such as
    /// `request_body.ssn` or `headers.x-debug`; case-insensitive). The only way a field leaves the output.
    public var droppedFields: [String] = []
    /// Environment variable that holds the key (from `key_env`).
    public var keyEnvironmentVariable: String?
    /// Key file path (from `key_file`).
    public var keyFile: String?

    /// The defaults: mask mode, the documented key list, no key.
    public init() {}

    /// Applies the YAML `redaction:` section; collects ALL problems with lines (node.mark?.line).
    /// A nil node leaves the defaults. Unknown keys, wrong types and bad values are problems; valid
    /// settings next to them are still applied.
    public mutating func apply(_ node: Yams.Node?, file: String) -> [ConfigProblem] {
        guard let node else { return [] }
        var problems: [ConfigProblem] = []
        func problem(_ n: Yams.Node?, _ path: String, _ message: String) {
            problems.append(ConfigProblem(file: file, line: n?.mark?.line, path: path, message: message))
        }
        func strings(_ n: Yams.Node, _ path: String) -> [String] {
            if let s = n.scalar?.string { return [s] }
            guard let seq = n.sequence else {
                problem(n, path, "expected a list of strings")
                return []
            }
            var out: [String] = []
            for item in seq {
                if let s = item.scalar?.string, !s.isEmpty { out.append(s) } else { problem(item, path, "expected a string") }
            }
            return out
        }
        guard let mapping = node.mapping else {
            problem(node, "redaction", "expected a mapping")
            return problems
        }
        for (k, v) in mapping {
            guard let key = k.scalar?.string else {
                problem(k, "redaction", "expected a string key")
                continue
            }
            let path = "redaction." + key
            switch key {
            case "mode":
                if let s = v.scalar?.string, let m = RedactionMode(rawValue: s) {
                    mode = m
                } else {
                    problem(v, path, "expected one of mask, hash, partial")
                }
            case "key_env":
                if let s = v.scalar?.string, !s.isEmpty { keyEnvironmentVariable = s } else { problem(v, path, "expected an environment variable name") }
            case "key_file":
                if let s = v.scalar?.string, !s.isEmpty { keyFile = s } else { problem(v, path, "expected a file path") }
            case "sensitive_keys": extraKeys += strings(v, path)
            case "keep_keys": keptKeys += strings(v, path)
            case "headers": extraHeaders += strings(v, path)
            case "fields":
                guard let m = v.mapping else {
                    problem(v, path, "expected a mapping of field path to sensitive or keep")
                    continue
                }
                for (fk, fv) in m {
                    guard let f = fk.scalar?.string, !f.isEmpty else {
                        problem(fk, path, "expected a field path")
                        continue
                    }
                    let prefix = f.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
                    if fv.scalar?.string == "drop" {
                        droppedFields.append(f.lowercased())
                        continue
                    }
                    if !["body", "query", "header", "path", "user_agent", "referrer", "user", "request", "headers"].contains(prefix) {
                        problem(fk, path + "." + f, "field path must start with body, query, header, path, user_agent, referrer or user")
                        continue
                    }
                    switch fv.scalar?.string {
                    case "sensitive": fieldRules[f.lowercased()] = true
                    case "keep": fieldRules[f.lowercased()] = false
                    default: problem(fv, path + "." + f, "expected sensitive, keep or drop")
                    }
                }
            default:
                problem(k, path, "unknown key (expected mode, key_env, key_file, sensitive_keys, keep_keys, headers, fields)")
            }
        }
        return problems
    }

    /// Loads the hash key: env var name or file path; error (ReqwatchError .config) if mode is hash and no key.
    ///
    /// The environment variable wins over the file. The file's trailing whitespace is dropped. An empty key
    /// counts as no key. The error message names the variable and the file, never key material.
    /// - Throws: `.config` when the mode is `hash` and neither source gives a key, or the file cannot be read.
    public mutating func loadKey(environmentVariable: String = "REQWATCH_REDACT_KEY", file: String?) throws(ReqwatchError) {
        let variable = keyEnvironmentVariable ?? environmentVariable
        if let p = getenv(variable) {
            let bytes = Array(String(cString: p).utf8)
            if !bytes.isEmpty {
                hashKey = bytes
                return
            }
        }
        if let path = file ?? keyFile {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw ReqwatchError(.config, "cannot read redaction key file \(path)", errno: errno)
            }
            defer { close(fd) }
            var bytes: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 4096)
            while bytes.count < 1 << 20 {
                let r = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if r < 0 && errno == EINTR { continue }
                guard r >= 0 else { throw ReqwatchError(.config, "cannot read redaction key file \(path)", errno: errno) }
                if r == 0 { break }
                bytes.append(contentsOf: buf[0..<r])
            }
            while let last = bytes.last, last == 0x0A || last == 0x0D || last == 0x20 || last == 0x09 { bytes.removeLast() }
            if !bytes.isEmpty {
                hashKey = bytes
                return
            }
        }
        if mode == .hash && hashKey == nil {
            throw ReqwatchError(
                .config,
                "redaction mode hash needs a key: set \(variable) or redaction.key_file")
        }
    }
}
