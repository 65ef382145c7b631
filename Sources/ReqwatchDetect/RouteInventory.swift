import ReqwatchCore
import Yams

#if canImport(Glibc)
import Glibc
#endif

/// The documented routes of an API: from an OpenAPI 3 document (YAML or JSON), or a plain text file of
/// `METHOD /path/{param}` lines (`#` starts a comment; `ANY` or `*` matches every method; optional words
/// `page` and `deprecated` after the path set those flags). A baseline learned from earlier logs uses the plain form.
///
/// OpenAPI: `servers[].url` base paths (path part only; `{var}` replaced by the variable's default) prefix every
/// path, operations are `get put post delete options head patch trace`, `deprecated: true` is kept, and an
/// operation is a browser page when a response has `text/html` content or it carries `x-reqwatch-page: true`.
///
/// Matching (`match`) works on bytes: literal segments win over templated ones, `{param}` matches exactly one
/// non-empty segment, a trailing slash is ignored, and `HEAD` is accepted where `GET` is documented.
public struct RouteInventory: Sendable {
    /// One documented operation.
    public struct Route: Sendable, Hashable {
        /// `nil` for any method.
        public var method: HTTPMethod?
        /// Path template with base path, for example `/v1/users/{id}`.
        public var template: String
        public var deprecated: Bool
        /// The operation serves a browser page (HTML).
        public var isPage: Bool
        /// 1-based line in the source, when known.
        public var line: Int?
        /// The operation's `x-reqwatch-*` extensions (name without the prefix → scalar text), handed to every rule:
        /// `x-reqwatch-sensitive: true` → `["sensitive": "true"]`.
        public var extensions: [String: String] = [:]
    }

    /// Result of `match`: which template the path has, and which operation when the method is documented.
    public struct Match: Sendable, Equatable {
        /// Index into `templates`.
        public var templateIndex: Int
        /// Index into `routes`; nil when the path is documented but not for this method.
        public var routeIndex: Int?
        /// Byte range within the path of the last `{param}` segment.
        public var paramRange: Range<Int>?
    }

    private struct TrieNode: Sendable {
        var literals: [UInt64: Int32] = [:]
        /// The same children as `literals`, for a linear search when there are few (no `Hasher` per segment).
        var literalHashes: [UInt64] = []
        var literalNext: [Int32] = []
        var literalBytes: [[UInt8]] = []
        var param: Int32 = -1
        /// (method raw value or 255 for any, route index)
        var operations: [(UInt8, Int32)] = []
        var templateIndex: Int32 = -1
    }

    /// Every documented operation, in source order.
    public private(set) var routes: [Route] = []
    /// Distinct path templates (display text), indexed by `Match.templateIndex`.
    public private(set) var templates: [String] = []
    /// Whether any documented path ends in `.php` (then `.php` probes are not suspicious).
    public private(set) var hasPHPRoutes = false
    private var nodes: [TrieNode] = [TrieNode()]

    /// An empty inventory.
    public init() {}

    /// Adds one operation (`method` nil = any method).
    public mutating func add(method: HTTPMethod?, template: String, deprecated: Bool = false, isPage: Bool = false,
                             line: Int? = nil, extensions: [String: String] = [:])
    {
        var node = 0
        var norm = ""
        for seg in template.split(separator: "/", omittingEmptySubsequences: true) {
            norm += "/"
            if seg.contains("{") {
                norm += String(seg)
                if nodes[node].param < 0 {
                    nodes.append(TrieNode())
                    nodes[node].param = Int32(nodes.count - 1)
                }
                node = Int(nodes[node].param)
            } else {
                norm += String(seg)
                let bytes = Array(seg.utf8)
                let h = ByteHash.hash(bytes)
                if let next = nodes[node].literals[h] {
                    node = Int(next)
                } else {
                    nodes.append(TrieNode())
                    let next = Int32(nodes.count - 1)
                    nodes[node].literals[h] = next
                    nodes[node].literalHashes.append(h)
                    nodes[node].literalNext.append(next)
                    nodes[node].literalBytes.append(bytes)
                    node = Int(next)
                }
            }
        }
        if norm.isEmpty { norm = "/" }
        if norm.hasSuffix(".php") { hasPHPRoutes = true }
        if nodes[node].templateIndex < 0 {
            nodes[node].templateIndex = Int32(templates.count)
            templates.append(norm)
        }
        let idx = Int32(routes.count)
        routes.append(Route(method: method, template: norm, deprecated: deprecated, isPage: isPage, line: line,
                            extensions: extensions))
        nodes[node].operations.append((method.map { $0.rawValue } ?? 255, idx))
    }

    /// Matches a request (method and path bytes without query) against the documented routes.
    public func match(method: HTTPMethod, path: UnsafeBufferPointer<UInt8>) -> Match? {
        // Nodes are read in place through one buffer pointer: copying a node would retain its arrays per level.
        nodes.withUnsafeBufferPointer { ns -> Match? in
            var param: Range<Int>? = nil
            guard let node = Self.walk(ns, 0, path, 0, &param, depth: 0) else { return nil }
            var routeIndex: Int? = nil
            let ops = ns[node].operations
            for (m, r) in ops where m == method.rawValue || m == 255 {
                routeIndex = Int(r)
                break
            }
            if routeIndex == nil && method == .head {
                for (m, r) in ops where m == HTTPMethod.get.rawValue {
                    routeIndex = Int(r)
                    break
                }
            }
            return Match(templateIndex: Int(ns[node].templateIndex), routeIndex: routeIndex, paramRange: param)
        }
    }

    private static func walk(_ ns: UnsafeBufferPointer<TrieNode>, _ node: Int, _ p: UnsafeBufferPointer<UInt8>, _ from: Int,
                             _ param: inout Range<Int>?, depth: Int) -> Int?
    {
        var i = from
        let n = p.count
        while i < n && p[i] == UInt8(ascii: "/") { i += 1 }
        if i >= n { return ns[node].templateIndex >= 0 ? node : nil }
        if depth > 64 { return nil }
        var j = i
        while j < n && p[j] != UInt8(ascii: "/") { j += 1 }
        let seg = UnsafeBufferPointer(rebasing: p[i..<j])
        let count = ns[node].literalHashes.count
        if count > 0 {
            let h = ByteHash.hash(seg)
            var next: Int32 = -1
            if count <= 16 {
                ns[node].literalHashes.withUnsafeBufferPointer { hs in
                    for k in 0..<hs.count where hs[k] == h {
                        next = ns[node].literalNext[k]
                        break
                    }
                }
            } else if let found = ns[node].literals[h] {
                next = found
            }
            if next >= 0, let r = walk(ns, Int(next), p, j, &param, depth: depth + 1) { return r }
        }
        let paramNode = ns[node].param
        if paramNode >= 0 {
            let saved = param
            param = i..<j
            if let r = walk(ns, Int(paramNode), p, j, &param, depth: depth + 1) { return r }
            param = saved
        }
        return nil
    }

    /// Reads and parses a spec or route list from `path`.
    /// - Throws: `.notFound` / `.io` when unreadable, `.spec` listing every problem with its line.
    public static func load(path: String) throws(ReqwatchError) -> RouteInventory {
        let text = try readTextFile(path)
        return try parse(text: text, origin: path)
    }

    /// Parses spec or route-list text; `origin` names it in problems.
    /// - Throws: `.spec` whose message lists every problem (`origin:line: path: message`).
    public static func parse(text: String, origin: String) throws(ReqwatchError) -> RouteInventory {
        var problems: [ConfigProblem] = []
        var inv = RouteInventory()
        if looksLikePlainList(text) {
            parsePlain(text, origin: origin, into: &inv, problems: &problems)
        } else {
            parseOpenAPI(text, origin: origin, into: &inv, problems: &problems)
        }
        if problems.isEmpty && inv.routes.isEmpty {
            problems.append(ConfigProblem(file: origin, line: nil, path: "paths", message: "no routes found"))
        }
        if !problems.isEmpty {
            throw ReqwatchError(.spec, "invalid spec (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n"
                + problems.map { "  " + $0.description }.joined(separator: "\n"),
                location: InputLocation(path: origin, line: problems.first?.line.map { Int64($0) }))
        }
        return inv
    }

    static let methodNames: [(String, HTTPMethod)] = [
        ("get", .get), ("put", .put), ("post", .post), ("delete", .delete), ("options", .options), ("head", .head),
        ("patch", .patch), ("trace", .trace),
    ]

    private static func looksLikePlainList(_ text: String) -> Bool {
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("{") || line.hasPrefix("openapi") || line.hasPrefix("swagger") || line.hasPrefix("---") {
                return false
            }
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            return parts.count >= 2 && parts[1].hasPrefix("/") && !parts[0].hasSuffix(":")
        }
        return false
    }

    private static func parsePlain(_ text: String, origin: String, into inv: inout RouteInventory,
                                   problems: inout [ConfigProblem])
    {
        var lineNo = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if parts.isEmpty { continue }
            guard parts.count >= 2 else {
                problems.append(ConfigProblem(file: origin, line: lineNo, path: "", message: "expected `METHOD /path`"))
                continue
            }
            let m = parts[0].lowercased()
            var method: HTTPMethod? = nil
            if m != "any" && m != "*" {
                guard let found = methodNames.first(where: { $0.0 == m }) else {
                    problems.append(ConfigProblem(file: origin, line: lineNo, path: "", message: "unknown method"))
                    continue
                }
                method = found.1
            }
            guard parts[1].hasPrefix("/") else {
                problems.append(ConfigProblem(file: origin, line: lineNo, path: "", message: "path must start with /"))
                continue
            }
            var deprecated = false, page = false, bad = false
            for flag in parts.dropFirst(2) {
                switch flag.lowercased() {
                case "deprecated": deprecated = true
                case "page": page = true
                default: bad = true
                }
            }
            if bad {
                problems.append(ConfigProblem(file: origin, line: lineNo, path: "", message: "unknown flag (expected page or deprecated)"))
                continue
            }
            if let problem = templateProblem(String(parts[1])) {
                problems.append(ConfigProblem(file: origin, line: lineNo, path: String(parts[1]), message: problem))
                continue
            }
            inv.add(method: method, template: String(parts[1]), deprecated: deprecated, isPage: page, line: lineNo)
        }
    }

    /// Why `template` is not a valid path template, with the 1-based column of the fault, or nil when it is valid.
    /// A parameter is `{name}` (a non-empty name, no `/`, `{` or `}` inside) and braces do not nest.
    public static func templateProblem(_ template: String) -> String? {
        var open: Int? = nil
        for (i, c) in template.utf8.enumerated() {
            let col = i + 1
            switch c {
            case UInt8(ascii: "{"):
                if let o = open { return "'{' at column \(col) inside the parameter opened at column \(o + 1); parameters do not nest" }
                open = i
            case UInt8(ascii: "}"):
                guard let o = open else { return "'}' at column \(col) closes no parameter" }
                if i == o + 1 { return "empty parameter name at column \(col)" }
                open = nil
            case UInt8(ascii: "/"):
                if let o = open { return "parameter opened at column \(o + 1) is not closed before '/' at column \(col)" }
            default: break
            }
        }
        if let o = open { return "parameter opened at column \(o + 1) is not closed (expected '}' before the end)" }
        return nil
    }

    private static func yamlProblem(_ error: any Error, origin: String) -> ConfigProblem {
        if let y = error as? YamlError {
            switch y {
            case .scanner(_, let problem, let mark, _):
                return ConfigProblem(file: origin, line: mark.line, path: "", message: "YAML syntax: \(problem)")
            case .parser(_, let problem, let mark, _):
                return ConfigProblem(file: origin, line: mark.line, path: "", message: "YAML syntax: \(problem)")
            default: break
            }
        }
        return ConfigProblem(file: origin, line: nil, path: "", message: "not valid YAML or JSON")
    }

    private static func parseOpenAPI(_ text: String, origin: String, into inv: inout RouteInventory,
                                     problems: inout [ConfigProblem])
    {
        let root: Node
        do {
            guard let r = try Yams.compose(yaml: text) else {
                problems.append(ConfigProblem(file: origin, line: nil, path: "", message: "empty document"))
                return
            }
            root = r
        } catch {
            problems.append(yamlProblem(error, origin: origin))
            return
        }
        guard let top = root.mapping else {
            problems.append(ConfigProblem(file: origin, line: root.mark?.line, path: "", message: "expected a mapping at the top"))
            return
        }
        if let v = top["openapi"] {
            if !(v.string ?? "").hasPrefix("3") {
                problems.append(ConfigProblem(file: origin, line: v.mark?.line, path: "openapi", message: "expected OpenAPI 3.x"))
            }
        } else if top["swagger"] == nil {
            problems.append(ConfigProblem(file: origin, line: root.mark?.line, path: "openapi", message: "missing `openapi` version"))
        }
        var bases = serverBases(top["servers"], path: "servers", origin: origin, problems: &problems)
        if let bp = top["basePath"]?.string, bases == [""] { bases = [trimBase(bp)] }  // Swagger 2
        guard let pathsNode = top["paths"] else {
            problems.append(ConfigProblem(file: origin, line: root.mark?.line, path: "paths", message: "missing `paths`"))
            return
        }
        guard let paths = pathsNode.mapping else {
            problems.append(ConfigProblem(file: origin, line: pathsNode.mark?.line, path: "paths", message: "expected a mapping"))
            return
        }
        for (k, item) in paths {
            guard let p = k.string, p.hasPrefix("/") else {
                problems.append(ConfigProblem(file: origin, line: k.mark?.line, path: "paths", message: "path must start with /"))
                continue
            }
            if let problem = templateProblem(p) {
                problems.append(ConfigProblem(file: origin, line: k.mark?.line, path: "paths.\(p)", message: problem))
                continue
            }
            guard let ops = item.mapping else {
                problems.append(ConfigProblem(file: origin, line: item.mark?.line, path: "paths.\(p)", message: "expected a mapping"))
                continue
            }
            var itemBases = bases
            if let s = ops["servers"] {
                itemBases = serverBases(s, path: "paths.\(p).servers", origin: origin, problems: &problems)
            }
            for (mk, op) in ops {
                guard let name = mk.string?.lowercased() else { continue }
                guard let method = methodNames.first(where: { $0.0 == name })?.1 else {
                    if ["parameters", "summary", "description", "servers", "$ref"].contains(name) || name.hasPrefix("x-") {
                        continue
                    }
                    problems.append(ConfigProblem(file: origin, line: mk.mark?.line, path: "paths.\(p)", message: "unknown operation key"))
                    continue
                }
                guard let o = op.mapping else {
                    problems.append(ConfigProblem(file: origin, line: op.mark?.line, path: "paths.\(p).\(name)", message: "expected a mapping"))
                    continue
                }
                var deprecated = false
                if let d = o["deprecated"] {
                    if let b = d.bool { deprecated = b } else {
                        problems.append(ConfigProblem(file: origin, line: d.mark?.line, path: "paths.\(p).\(name).deprecated", message: "expected true or false"))
                    }
                }
                var page = o["x-reqwatch-page"]?.bool ?? false
                if !page, let responses = o["responses"]?.mapping {
                    outer: for (_, resp) in responses {
                        if let content = resp.mapping?["content"]?.mapping {
                            for (ct, _) in content where (ct.string ?? "").lowercased().hasPrefix("text/html") {
                                page = true
                                break outer
                            }
                        }
                    }
                }
                var extensions: [String: String] = [:]
                for (k, v) in o {
                    guard let key = k.string, key.hasPrefix("x-reqwatch-"), let text = v.scalar?.string else { continue }
                    extensions[String(key.dropFirst("x-reqwatch-".count))] = text
                }
                for base in itemBases {
                    inv.add(method: method, template: base + p, deprecated: deprecated, isPage: page, line: mk.mark?.line,
                            extensions: extensions)
                }
            }
        }
    }

    private static func trimBase(_ s: String) -> String {
        var b = s
        while b.hasSuffix("/") { b.removeLast() }
        if !b.isEmpty && !b.hasPrefix("/") { b = "/" + b }
        return b
    }

    private static func serverBases(_ node: Node?, path: String, origin: String, problems: inout [ConfigProblem]) -> [String] {
        guard let node else { return [""] }
        guard let seq = node.sequence else {
            problems.append(ConfigProblem(file: origin, line: node.mark?.line, path: path, message: "expected a list"))
            return [""]
        }
        var out: [String] = []
        for (i, s) in seq.enumerated() {
            guard let url = s.mapping?["url"]?.string else {
                problems.append(ConfigProblem(file: origin, line: s.mark?.line, path: "\(path)[\(i)].url", message: "missing url"))
                continue
            }
            var u = url
            if let vars = s.mapping?["variables"]?.mapping {
                for (vk, vv) in vars {
                    if let name = vk.string, let def = vv.mapping?["default"]?.string {
                        u = replacing(u, "{\(name)}", with: def)
                    }
                }
            }
            let parts = u.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 {
                let rest = parts[1]
                u = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? ""
            }
            let b = trimBase(u)
            if !out.contains(b) { out.append(b) }
        }
        return out.isEmpty ? [""] : out
    }
}

/// `s` with every `target` replaced by `replacement` (no Foundation).
func replacing(_ s: String, _ target: String, with replacement: String) -> String {
    let parts = s.split(separator: target, omittingEmptySubsequences: false)
    return parts.joined(separator: replacement)
}

/// Reads a whole file as text with libc (no Foundation). Only for config and spec files.
func readTextFile(_ path: String) throws(ReqwatchError) -> String {
    let fd = open(path, O_RDONLY)
    if fd < 0 {
        let e = errno
        throw ReqwatchError(e == ENOENT ? .notFound : .io, "cannot open file", location: InputLocation(path: path),
                            errno: e)
    }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            throw ReqwatchError(.io, "read failed", location: InputLocation(path: path), errno: errno)
        }
        if n == 0 { break }
        bytes.append(contentsOf: buf[0..<n])
        if bytes.count > 64 << 20 { throw ReqwatchError(.spec, "file larger than 64 MiB", location: InputLocation(path: path)) }
    }
    return String(decoding: bytes, as: UTF8.self)
}
