import ReqwatchCore
import ReqwatchParse

/// JSON Lines parser: every line of the input through every preset field map and a deep user map; never traps,
/// and a record's ranges stay inside the arena. Also the format sniffer and the failed-input diagnosis.
nonisolated(unsafe) var parsers: [JSONLinesParser] = {
    var all = [FieldMap.caddy, .ecs, .nginxJSON, .traefik, .generic].map { JSONLinesParser(fieldMap: $0) }
    if let deep = try? FieldMap(["time": "a.b.c.ts", "ip": "req.remote.ip", "path": "req.uri", "status": "res.status",
                                 "headers": "req.headers", "user_agent": "req.headers.User-Agent"]) {
        all.append(JSONLinesParser(fieldMap: deep))
    }
    return all
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var batch = RecordBatch(origin: InputOrigin(path: "fuzz"))
    var lines: [[UInt8]] = []
    var start = 0
    for i in 0...size where i == size || bytes[i] == 0x0A {
        let line = UnsafeBufferPointer(rebasing: bytes[start..<i])
        if lines.count < 8 { lines.append(Array(line)) }
        for k in parsers.indices {
            var record = RequestRecord()
            if parsers[k].parse(line.span, into: &record, batch: &batch) == .record {
                for r in [record.path, record.query, record.userAgent, record.referer, record.user, record.host,
                          record.methodText, record.protocolVersion, record.forwardedFor, record.body] where r.isPresent {
                    precondition(r.end <= batch.arena.count, "range outside the arena")
                }
                precondition(Int(record.headerStart) + Int(record.headerCount) <= batch.headers.count)
            }
        }
        start = i + 1
    }
    _ = FormatSniffer.sniff(lines)
    _ = FormatSniffer.trials(lines)
    return 0
}
