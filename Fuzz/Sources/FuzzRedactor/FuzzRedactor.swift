import ReqwatchCore
import ReqwatchParse
import ReqwatchRedact

/// The redactor: each input line parsed as JSON (generic map, headers and body included) or combined, then written
/// as redacted JSON; free text redacted too. Never traps; output must not be shorter than a bare record.
nonisolated(unsafe) let redactor: Redactor = try! Redactor(RedactConfiguration())
nonisolated(unsafe) var json = JSONLinesParser(fieldMap: .generic)
nonisolated(unsafe) var combined = CombinedLogParser()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var batch = RecordBatch(origin: InputOrigin(path: "fuzz"))
    var start = 0
    for i in 0...size where i == size || bytes[i] == 0x0A {
        let line = UnsafeBufferPointer(rebasing: bytes[start..<i])
        var record = RequestRecord()
        if json.parse(line.span, into: &record, batch: &batch) == .record {
            batch.records.append(record)
        } else {
            var r2 = RequestRecord()
            if combined.parse(line.span, into: &r2, batch: &batch) == .record { batch.records.append(r2) }
        }
        start = i + 1
    }
    var out: [UInt8] = []
    var audit = RedactionAudit()
    redactor.writeRecords(in: batch, into: &out, audit: &audit)
    for r in batch.records { _ = redactor.explain(r, in: batch) }
    let text = String(decoding: bytes, as: UTF8.self)
    _ = redactor.redact(text: text, field: "url.query", audit: &audit)
    _ = redactor.redact(text: text, field: "message", audit: &audit)
    return 0
}
