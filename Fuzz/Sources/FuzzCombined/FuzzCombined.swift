import ReqwatchCore
import ReqwatchParse

/// NCSA combined/common parser: every line of the input, with and without trusted proxies; never traps, and a
/// record's ranges stay inside the arena.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var proxied = ParseOptions()
    proxied.trustedProxies = [CIDR("0.0.0.0/0")!, CIDR("::/0")!]
    var parsers = [CombinedLogParser(), CombinedLogParser(options: proxied)]
    var batch = RecordBatch(origin: InputOrigin(path: "fuzz"))
    var start = 0
    for i in 0...size where i == size || bytes[i] == 0x0A {
        let line = UnsafeBufferPointer(rebasing: bytes[start..<i])
        for k in parsers.indices {
            var record = RequestRecord()
            if parsers[k].parse(line.span, into: &record, batch: &batch) == .record {
                checkRanges(record, batch)
            }
        }
        start = i + 1
    }
    return 0
}

func checkRanges(_ r: RequestRecord, _ b: RecordBatch) {
    for range in [r.path, r.query, r.userAgent, r.referer, r.user, r.host, r.methodText, r.protocolVersion, r.forwardedFor, r.body] where range.isPresent {
        precondition(range.end <= b.arena.count, "range outside the arena")
    }
}
