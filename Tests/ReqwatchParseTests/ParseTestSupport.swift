import ReqwatchCore
import ReqwatchParse

/// A record with `String` fields, for assertions (test-only).
struct Parsed: Equatable, CustomStringConvertible {
    var time: Int64 = Int64.min
    var client = ""
    var peer = ""
    var method: HTTPMethod = .none
    var methodText: String? = nil
    var path: String? = nil
    var query: String? = nil
    var proto: String? = nil
    var status = 0
    var bytes: Int64 = -1
    var referer: String? = nil
    var userAgent: String? = nil
    var user: String? = nil
    var duration: Int64 = -1
    var host: String? = nil
    var forwardedFor: String? = nil
    var headers: [String] = []
    var body: String? = nil

    var description: String {
        "Parsed(time: \(time), client: \(client), peer: \(peer), method: \(method), methodText: \(methodText ?? "nil"), path: \(path ?? "nil"), query: \(query ?? "nil"), proto: \(proto ?? "nil"), status: \(status), bytes: \(bytes), referer: \(referer ?? "nil"), ua: \(userAgent ?? "nil"), user: \(user ?? "nil"), duration: \(duration), host: \(host ?? "nil"), xff: \(forwardedFor ?? "nil"), headers: \(headers), body: \(body ?? "nil"))"
    }

    init() {}

    init(_ r: RequestRecord, _ batch: RecordBatch) {
        time = r.time.microseconds
        client = r.clientIP.description
        peer = r.peerIP.description
        method = r.method
        methodText = batch.string(r.methodText)
        path = batch.string(r.path)
        query = batch.string(r.query)
        proto = batch.string(r.protocolVersion)
        status = Int(r.status)
        bytes = r.responseBytes
        referer = batch.string(r.referer)
        userAgent = batch.string(r.userAgent)
        user = batch.string(r.user)
        duration = r.durationMicros
        host = batch.string(r.host)
        forwardedFor = batch.string(r.forwardedFor)
        for k in Int(r.headerStart)..<Int(r.headerStart + r.headerCount) {
            let h = batch.headers[k]
            headers.append("\(batch.string(h.name) ?? ""): \(batch.string(h.value) ?? "")")
        }
        body = batch.string(r.body)
    }
}

/// Parses one line with a fresh batch: the outcome and, for `.record`, the record as Strings.
func parseOne(_ line: String, _ format: SniffedFormat = .combined, options: ParseOptions = ParseOptions())
    -> (ParseOutcome, Parsed?)
{
    var parser = makeParser(format, options: options)
    return parseOne(Array(line.utf8), parser: &parser)
}

func parseOne(_ bytes: [UInt8], parser: inout any LogParser) -> (ParseOutcome, Parsed?) {
    var batch = RecordBatch(origin: InputOrigin(path: "test"))
    var record = RequestRecord()
    let outcome = bytes.withUnsafeBufferPointer { p in parser.parse(p.span, into: &record, batch: &batch) }
    return (outcome, outcome == .record ? Parsed(record, batch) : nil)
}

/// Microseconds since the epoch of a UTC calendar time.
func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, us: Int = 0) -> Int64 {
    Timestamp.from(year: y, month: mo, day: d, hour: h, minute: mi, second: s, microsecond: us).microseconds
}

/// Lines of a file (LF or CRLF), without terminators; the last line may lack a newline.
func fileLines(_ path: String) throws -> [[UInt8]] {
    let data = try readFileBytes(path)
    var lines: [[UInt8]] = []
    var start = 0
    for i in 0..<data.count where data[i] == 0x0A {
        var e = i
        if e > start, data[e - 1] == 0x0D { e -= 1 }
        lines.append(Array(data[start..<e]))
        start = i + 1
    }
    if start < data.count { lines.append(Array(data[start...])) }
    return lines
}
