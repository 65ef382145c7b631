import ReqwatchCore
import ReqwatchDetect
import ReqwatchInput
import ReqwatchParse
import ReqwatchRedact
import Yams

/// The YAML config file (`--config`), checked as a whole: every problem is reported with its line.
///
/// ```yaml
/// format: auto                 # auto | combined | common | json
/// field_map: {time: ts, ip: request.remote_ip}
/// trusted_proxies: [10.0.0.0/8]
/// max_line_length: 65536
/// spec: openapi.yaml           # relative paths are relative to the config file
/// detectors: {...}             # see README: thresholds and windows per detector
/// allowlist: {...}             # CIDRs, user ids, user agents, routes
/// redaction: {...}             # mode, extra keys, per-field rules
/// store: {directory: ./history, max_segment_mb: 64, max_segment_seconds: 3600}
/// ```
public struct ConfigFile {
    public var format: LogFormat?
    public var fieldMap: [String: String]?
    public var trustedProxies: [CIDR] = []
    public var maxLineLength: Int?
    public var spec: String?
    public var storeDirectory: String?
    public var storeMaxSegmentBytes: Int?
    public var storeMaxSegmentSeconds: Int64?
    public var detectorsNode: Node?
    public var allowlistNode: Node?
    public var redactionNode: Node?
    public var path: String

    static let topLevelKeys: Set<String> = [
        "format", "field_map", "trusted_proxies", "max_line_length", "spec", "detectors", "allowlist", "redaction", "store",
    ]

    /// Reads and checks `path`. Throws `.config` with every problem listed, one per line.
    public static func load(path: String) throws(ReqwatchError) -> ConfigFile {
        let text: String
        do { text = try readTextFile(path) } catch { throw ReqwatchError(.config, "cannot read config file: \(error.message)", location: InputLocation(path: path)) }
        return try parse(text: text, path: path)
    }

    /// Checks config `text` as if read from `path` (which names it in problems and anchors relative paths).
    /// Throws `.config` with every problem listed, one per line.
    public static func parse(text: String, path: String) throws(ReqwatchError) -> ConfigFile {
        var problems: [ConfigProblem] = []
        var config = ConfigFile(path: path)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            let (line, message) = yamlErrorSummary(e)
            throw ReqwatchError(.config, "YAML syntax error: \(message)", location: InputLocation(path: path, line: line))
        } catch {
            throw ReqwatchError(.config, "YAML syntax error", location: InputLocation(path: path))
        }
        guard let root else { return config }
        guard let map = root.mapping else {
            throw ReqwatchError(.config, "the config file must be a mapping of keys", location: InputLocation(path: path, line: Int64(root.mark?.line ?? 1)))
        }
        func problem(_ node: Node, _ key: String, _ msg: String) {
            problems.append(ConfigProblem(file: path, line: node.mark?.line, path: key, message: msg))
        }
        let baseDir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : baseDir + "/" + p }
        for (k, v) in map {
            guard let key = k.string else { problem(k, "", "keys must be strings"); continue }
            switch key {
            case "format":
                if let s = v.string, let f = LogFormat(rawValue: s) { config.format = f } else {
                    problem(v, key, "expected one of \(LogFormat.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            case "field_map":
                guard let m = v.mapping else { problem(v, key, "expected a mapping of field: key.path"); continue }
                var pairs: [String: String] = [:]
                for (fk, fv) in m {
                    if let a = fk.string, let b = fv.string { pairs[a] = b } else { problem(fv, key, "expected string: string pairs") }
                }
                do throws(ReqwatchError) { _ = try FieldMap(pairs); config.fieldMap = pairs } catch {
                    problem(v, key, error.message)
                }
            case "trusted_proxies":
                guard let seq = v.sequence else { problem(v, key, "expected a list of CIDRs"); continue }
                for item in seq {
                    if let s = item.string, let c = CIDR(s) { config.trustedProxies.append(c) } else {
                        problem(item, key, "not a CIDR (like 10.0.0.0/8 or 2001:db8::/32)")
                    }
                }
            case "max_line_length":
                if let i = v.int, i >= 256, i <= 16 << 20 { config.maxLineLength = i } else {
                    problem(v, key, "expected an integer from 256 to 16777216")
                }
            case "spec":
                if let s = v.string { config.spec = resolve(s) } else { problem(v, key, "expected a file path") }
            case "detectors": config.detectorsNode = v
            case "allowlist": config.allowlistNode = v
            case "redaction": config.redactionNode = v
            case "store":
                guard let m = v.mapping else { problem(v, key, "expected a mapping"); continue }
                for (sk, sv) in m {
                    switch sk.string ?? "" {
                    case "directory": if let s = sv.string { config.storeDirectory = resolve(s) } else { problem(sv, "store.directory", "expected a path") }
                    case "max_segment_mb": if let i = sv.int, i > 0 { config.storeMaxSegmentBytes = i << 20 } else { problem(sv, "store.max_segment_mb", "expected a positive integer") }
                    case "max_segment_seconds": if let i = sv.int, i > 0 { config.storeMaxSegmentSeconds = Int64(i) } else { problem(sv, "store.max_segment_seconds", "expected a positive integer") }
                    default:
                        let known = ["directory", "max_segment_mb", "max_segment_seconds"]
                        problem(sk, "store", "unknown key '\(sk.string ?? "?")'" + didYouMean(sk.string ?? "", known)
                            + " (known: \(known.joined(separator: ", ")))")
                    }
                }
            default:
                problem(k, key, "unknown key" + didYouMean(key, topLevelKeys.sorted())
                    + " (known: \(topLevelKeys.sorted().joined(separator: ", ")))")
            }
        }
        // Detector and redaction sections are checked by their own stages, so all problems come out together.
        var detect = DetectConfiguration()
        problems += detect.apply(detectors: config.detectorsNode, allowlist: config.allowlistNode, file: path)
        var redact = RedactConfiguration()
        problems += redact.apply(config.redactionNode, file: path)
        if !problems.isEmpty {
            let sorted = problems.sorted { ($0.line ?? 0) < ($1.line ?? 0) }
            throw ReqwatchError(.config, "\(problems.count) problem(s) in the config file:\n" + sorted.map { "  \($0)" }.joined(separator: "\n"))
        }
        return config
    }
}

/// Line and a plain-words message for a YAML syntax error: `line 3, column 1: a tab ...`.
/// libyaml's own text (kept at the end, in parentheses) names the parser state, not what to fix.
func yamlErrorSummary(_ e: YamlError) -> (line: Int64?, message: String) {
    let problem: String
    let mark: Mark?
    switch e {
    case .scanner(_, let p, let m, _), .parser(_, let p, let m, _), .composer(_, let p, let m, _):
        problem = p
        mark = m
    case .reader(let p, _, _, _):
        return (nil, "the file is not valid UTF-8 text (\(p))")
    default:
        let d = "\(e)"
        return (nil, String(d.split(separator: "\n").first ?? Substring(d)))
    }
    let plain: String
    switch problem {
    case let p where p.contains("cannot start any token"):
        plain = "a character that cannot start a value here; YAML indents with spaces, never tabs, and values starting with @ or ` must be quoted"
    case let p where p.contains("mapping values are not allowed"):
        plain = "a 'key: value' where none can start; check the indentation, or quote a value that contains ': '"
    case let p where p.contains("did not find expected key"):
        plain = "this line is not indented like the keys around it"
    case let p where p.contains("did not find expected ',' or ']'"), let p where p.contains("did not find expected ',' or '}'"):
        plain = "an unclosed [ or { (a missing comma or closing bracket)"
    case let p where p.contains("found unexpected end of stream"):
        plain = "the file ends inside a quoted string or a bracket"
    case let p where p.contains("found undefined alias"):
        plain = "an alias (*name) that no anchor (&name) defines"
    case let p where p.contains("block sequence entries are not allowed"):
        plain = "a '- ' list item where a value was expected; indent the list under its key"
    case let p where p.contains("did not find expected - indicator"):
        plain = "a list item is not indented like the ones above it"
    default:
        plain = problem
    }
    guard let mark else { return (nil, plain) }
    return (Int64(mark.line), "line \(mark.line), column \(mark.column): \(plain) (libyaml: \(problem))")
}

/// Reads a whole (small) text file: configs and specs only, never logs.
func readTextFile(_ path: String) throws(ReqwatchError) -> String {
    let source = try FileByteSource(path: path, origin: InputOrigin(path: path))
    var bytes: [UInt8] = []
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 8)
    defer { chunk.deallocate() }
    while true {
        let n = try source.read(into: chunk)
        if n == 0 { break }
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
        if bytes.count > 64 << 20 { throw ReqwatchError(.config, "file too large", location: InputLocation(path: path)) }
    }
    return String(decoding: bytes, as: UTF8.self)
}
