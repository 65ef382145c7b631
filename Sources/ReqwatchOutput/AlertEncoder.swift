import ReqwatchCore

/// Encodes alerts as Elastic Common Schema JSON objects, one per line, with nested field names.
///
/// Field order is fixed so the same input gives byte-identical output. Every string goes through
/// `JSONWriter`, which escapes attacker-controlled text, so each line is valid JSON.
public enum AlertEncoder {
    /// The ECS document for `alert`, as a `JSONValue` tree.
    public static func document(_ alert: Alert) -> JSONValue {
        var doc: [(String, JSONValue)] = []
        doc.append(("@timestamp", .string(alert.timestamp.iso8601)))
        doc.append(("message", .string(alert.message)))
        doc.append((
            "event",
            .object([
                ("kind", .string("alert")),
                ("category", .array(alert.rule.categories.map { .string($0) })),
                ("type", .array([.string("indicator")])),
                ("module", .string("reqwatch")),
                ("dataset", .string("reqwatch.alerts")),
                ("id", .string(alert.eventID)),
                ("start", .string(alert.start.iso8601)),
                ("end", .string(alert.end.iso8601)),
                ("severity", .int(alert.severity)),
            ])
        ))
        doc.append(("rule", .object([("id", .string(alert.rule.id)), ("name", .string(alert.rule.name))])))
        if let ip = alert.sourceIP { doc.append(("source", .object([("ip", .string(ip))]))) }
        if let user = alert.userID { doc.append(("user", .object([("id", .string(user))]))) }
        var request: [(String, JSONValue)] = []
        if let m = alert.method { request.append(("method", .string(m))) }
        var http: [(String, JSONValue)] = []
        if !request.isEmpty { http.append(("request", .object(request))) }
        if let code = alert.statusCode { http.append(("response", .object([("status_code", .int(code))]))) }
        if !http.isEmpty { doc.append(("http", .object(http))) }
        if let path = alert.path { doc.append(("url", .object([("path", .string(path))]))) }
        if let ua = alert.userAgent { doc.append(("user_agent", .object([("original", .string(ua))]))) }
        if let tid = alert.rule.techniqueID {
            var technique: [(String, JSONValue)] = [("id", .array([.string(tid)]))]
            if let name = alert.rule.techniqueName { technique.append(("name", .array([.string(name)]))) }
            doc.append(("threat", .object([("framework", .string("MITRE ATT&CK")), ("technique", .object(technique))])))
        }
        var reqwatch: [(String, JSONValue)] = [("sequence", .int(alert.sequence))]
        if let id = alert.incidentID {
            var incident: [(String, JSONValue)] = [("id", .string(id))]
            if let state = alert.incidentState { incident.append(("state", .string(state))) }
            incident.append(("count", .int(alert.incidentCount)))
            reqwatch.append(("incident", .object(incident)))
        }
        // `http.route` is an OpenTelemetry name, not an ECS field: the route template lives here.
        if let route = alert.route { reqwatch.append(("route", .string(route))) }
        if alert.addressCount > 1 {
            reqwatch.append(("address_count", .int(alert.addressCount)))
            reqwatch.append(("addresses", .array(alert.addresses.map { .string($0) })))
        }
        reqwatch.append(contentsOf: alert.evidence)
        doc.append(("reqwatch", .object(reqwatch)))
        return .object(doc)
    }

    /// Appends `alert` as one JSON line (with `\n`) to `out`.
    public static func encode(_ alert: Alert, into out: inout [UInt8]) {
        JSONWriter.write(document(alert), into: &out)
        out.append(0x0A)
    }
}
