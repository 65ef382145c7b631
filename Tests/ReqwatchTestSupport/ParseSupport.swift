import ReqwatchCore
import ReqwatchParse

/// Parses `lines` with the parser for `format` into one batch, as the engine does: records get their
/// 1-based `lineNumber` and `byteOffset` (lines joined with `\n`); skipped and malformed lines are left out.
/// For detector and engine tests that want records from a few inline log lines.
public func parseBatch(
    _ lines: [String], format: SniffedFormat = .combined, options: ParseOptions = ParseOptions(),
    origin: InputOrigin = InputOrigin(path: "test")
) -> (batch: RecordBatch, malformed: [MalformedReason]) {
    var parser = makeParser(format, options: options)
    var batch = RecordBatch(origin: origin)
    var malformed: [MalformedReason] = []
    var offset: Int64 = 0
    for (i, line) in lines.enumerated() {
        let bytes = Array(line.utf8)
        var record = RequestRecord()
        let outcome = bytes.withUnsafeBufferPointer { p in parser.parse(p.span, into: &record, batch: &batch) }
        switch outcome {
        case .record:
            record.lineNumber = Int64(i + 1)
            record.byteOffset = offset
            batch.records.append(record)
        case .skip: break
        case .malformed(let reason): malformed.append(reason)
        }
        offset += Int64(bytes.count + 1)
    }
    return (batch, malformed)
}
