import ReqwatchCore
import ReqwatchDetect
import Yams

/// Renders `EndpointInventory` rows as a terminal table, JSON or CSV, and reads/writes baselines.
public enum EndpointReport {
    public enum Format: String, CaseIterable, Sendable { case table, json, csv }

    static func clientsText(_ r: EndpointInventory.Row) -> String { r.clientsCapped ? "\(r.distinctClients)+" : "\(r.distinctClients)" }
    static func authShare(_ r: EndpointInventory.Row) -> Double { r.requests > 0 ? Double(r.authenticated) / Double(r.requests) : 0 }

    /// Rows of the undocumented-failing category beyond the first `probeRowsShown` are folded into one summary row.
    public static func render(_ rows: [EndpointInventory.Row], format: Format, probeRowsShown: Int = 10,
                              overflow: Int = 0) -> String {
        switch format {
        case .json: return json(rows, overflow: overflow).encoded() + "\n"
        case .csv: return csv(rows)
        case .table: return table(rows, probeRowsShown: probeRowsShown, overflow: overflow)
        }
    }

    public static func json(_ rows: [EndpointInventory.Row], overflow: Int) -> JSONValue {
        var counts: [(String, JSONValue)] = []
        for c in EndpointInventory.Category.allCases {
            let n = rows.filter { $0.category == c }.count
            if n > 0 { counts.append((c.rawValue, .int(n))) }
        }
        return .object([
            ("summary", .object(counts)),
            ("untracked_requests", .int(overflow)),
            ("endpoints", .array(rows.map { r in
                .object([
                    ("method", .string(r.method)), ("route", .string(r.route)), ("category", .string(r.category.rawValue)),
                    ("requests", .int(r.requests)), ("distinct_clients", .int(r.distinctClients)),
                    ("distinct_clients_capped", .bool(r.clientsCapped)),
                    ("authenticated_share", .double((authShare(r) * 1000).rounded() / 1000)),
                    ("unauthenticated_success", .int(r.unauthenticatedSuccess)),
                    ("status", .object([("2xx", .int(r.status[1])), ("3xx", .int(r.status[2])), ("4xx", .int(r.status[3])),
                                        ("5xx", .int(r.status[4])), ("other", .int(r.status[0]))])),
                    ("first_seen", r.firstSeen.map { .string($0.iso8601) } ?? .null),
                    ("last_seen", r.lastSeen.map { .string($0.iso8601) } ?? .null),
                    ("top_user_agents", .array(r.topAgents.map { .object([("user_agent", .string($0.0)), ("requests", .int($0.1))]) })),
                    ("documented", .bool(r.documented)), ("deprecated", .bool(r.deprecated)),
                ])
            })),
        ])
    }

    static func csvField(_ s: String) -> String {
        var t = s.replacingControlCharacters
        // Cells starting with = + - @ are formulas in spreadsheets; prefix them (CSV injection).
        if let f = t.first, "=+-@".contains(f) { t = "'" + t }
        return "\"" + t.doublingQuotes + "\""
    }

    public static func csv(_ rows: [EndpointInventory.Row]) -> String {
        var out = "method,route,category,requests,distinct_clients,authenticated_share,status_2xx,status_3xx,status_4xx,status_5xx,first_seen,last_seen,top_user_agent\n"
        for r in rows {
            let cells = [
                csvField(r.method), csvField(r.route), r.category.rawValue, "\(r.requests)", clientsText(r),
                String((authShare(r) * 1000).rounded() / 1000), "\(r.status[1])", "\(r.status[2])", "\(r.status[3])", "\(r.status[4])",
                r.firstSeen?.iso8601 ?? "", r.lastSeen?.iso8601 ?? "", csvField(r.topAgents.first?.0 ?? ""),
            ]
            out += cells.joined(separator: ",") + "\n"
        }
        return out
    }

    public static func table(_ rows: [EndpointInventory.Row], probeRowsShown: Int, overflow: Int) -> String {
        var lines: [[String]] = [["CATEGORY", "METHOD", "ROUTE", "REQS", "CLIENTS", "AUTH%", "2xx", "3xx", "4xx", "5xx", "LAST SEEN", "TOP USER AGENT"]]
        var probes = 0
        var foldedRoutes = 0, foldedRequests = 0
        for r in rows {
            if r.category == .probe {
                probes += 1
                if probes > probeRowsShown { foldedRoutes += 1; foldedRequests += r.requests; continue }
            }
            lines.append([
                r.category.rawValue, r.method, String(r.route.replacingControlCharacters.prefix(60)), "\(r.requests)", clientsText(r),
                r.requests > 0 ? "\(Int((authShare(r) * 100).rounded()))" : "-", "\(r.status[1])", "\(r.status[2])",
                "\(r.status[3])", "\(r.status[4])", r.lastSeen.map { String($0.iso8601.prefix(16)) } ?? "never",
                String((r.topAgents.first?.0 ?? "").replacingControlCharacters.prefix(40)),
            ])
        }
        if foldedRoutes > 0 {
            lines.append(["undocumented-failing", "*", "(\(foldedRoutes) more probe routes)", "\(foldedRequests)", "", "", "", "", "", "", "", ""])
        }
        var widths = [Int](repeating: 0, count: lines[0].count)
        for l in lines { for (i, c) in l.enumerated() { widths[i] = max(widths[i], c.count) } }
        var out = ""
        for l in lines {
            out += l.enumerated().map { i, c in
                i == l.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count)
            }.joined(separator: "  ") + "\n"
        }
        var counts: [String] = []
        for c in EndpointInventory.Category.allCases {
            let n = rows.filter { $0.category == c }.count
            if n > 0 { counts.append("\(n) \(c.rawValue)") }
        }
        out += "\n" + counts.joined(separator: ", ") + "\n"
        if overflow > 0 { out += "\(overflow) requests beyond the route table's capacity were not itemised\n" }
        return out
    }

    /// A baseline: the routes that answered (2xx/3xx) in clean logs, with counts and time span, and the user-agent
    /// families seen at least twice (`scan`/`tail --baseline` report clients whose family is not among them).
    public static func baseline(_ rows: [EndpointInventory.Row], agentFamilies: [String: Int] = [:]) -> JSONValue {
        let kept = rows.filter { $0.success > 0 && $0.category != .probe && $0.category != .orphan }
        let families = agentFamilies.filter { $0.value >= 2 }.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
        return .object([
            ("reqwatch_baseline", .int(1)),
            ("routes", .array(kept.map { r in
                .object([
                    ("method", .string(r.method)), ("route", .string(r.route)), ("requests", .int(r.requests)),
                    ("distinct_clients", .int(r.distinctClients)),
                    ("first_seen", r.firstSeen.map { .string($0.iso8601) } ?? .null),
                    ("last_seen", r.lastSeen.map { .string($0.iso8601) } ?? .null),
                ])
            })),
            ("user_agent_families", .array(families.map { .object([("family", .string($0.key)), ("requests", .int($0.value))]) })),
        ])
    }

    /// The user-agent families of a baseline, or nil when it has none (an older baseline).
    public static func loadBaselineAgentFamilies(path: String) throws(ReqwatchError) -> Set<String>? {
        let text = try readTextFile(path)
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw ReqwatchError(.config, "baseline is not valid JSON", location: InputLocation(path: path))
        }
        guard let list = node?.mapping?["user_agent_families"]?.sequence else { return nil }
        var out = Set<String>()
        for f in list {
            guard let name = f.mapping?["family"]?.string else {
                throw ReqwatchError(.config, "baseline user-agent family without a name", location: InputLocation(path: path, line: Int64(f.mark?.line ?? 0)))
            }
            out.insert(name.lowercased())
        }
        return out
    }

    /// Loads a baseline written by `--save-baseline` as a route inventory.
    public static func loadBaseline(path: String) throws(ReqwatchError) -> RouteInventory {
        let text = try readTextFile(path)
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw ReqwatchError(.config, "baseline is not valid JSON", location: InputLocation(path: path))
        }
        guard let routes = node?.mapping?["routes"]?.sequence else {
            throw ReqwatchError(.config, "baseline has no 'routes' list (write one with reqwatch endpoints --save-baseline)", location: InputLocation(path: path))
        }
        var inventory = RouteInventory()
        for r in routes {
            guard let m = r.mapping?["method"]?.string, let t = r.mapping?["route"]?.string else {
                throw ReqwatchError(.config, "baseline route without method or route", location: InputLocation(path: path, line: Int64(r.mark?.line ?? 0)))
            }
            let method = HTTPMethod.allCases.first { $0.name == m }
            inventory.add(method: method == .other ? nil : method, template: t, line: r.mark?.line)
        }
        return inventory
    }
}

extension String {
    /// Control characters shown as `?`, so hostile route text cannot move a terminal cursor.
    var replacingControlCharacters: String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F || ($0.value >= 0x80 && $0.value < 0xA0) ? "?" : $0 }))
    }

    /// Doubles every `"` (CSV quoting).
    var doublingQuotes: String {
        var out = ""
        for c in self { out.append(c); if c == "\"" { out.append("\"") } }
        return out
    }
}
