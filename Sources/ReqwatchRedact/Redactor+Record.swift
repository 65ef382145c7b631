import ReqwatchCore

extension Redactor {
    /// Writes the record as ONE redacted JSON line (terminated by "\n") in the store schema, appending to `out`.
    ///
    /// Schema (absent fields omitted): `@timestamp`, `source.ip` (peer), `client.ip`, `user.name`,
    /// `http.version`, `http.request.{method,referrer,headers,body.content}`,
    /// `http.response.{status_code,body.bytes}`, `url.{path,query,domain}`, `user_agent.original`,
    /// `event.duration` (ns). Every text field is redacted before it is escaped; counts go to `audit`.
    public func writeRecord(
        _ record: RequestRecord, in batch: borrowing RecordBatch, into out: inout [UInt8], audit: inout RedactionAudit
    ) {
        let s = Scratch()
        write(record, in: batch, s: s, into: &out)
        audit.merge(s.audit)
    }

    /// Writes every record of `batch` as redacted JSON lines, appending to `out`. Same output as calling
    /// `writeRecord` per record, but the working buffers are reused across the batch (amortised allocation).
    public func writeRecords(in batch: borrowing RecordBatch, into out: inout [UInt8], audit: inout RedactionAudit) {
        let s = Scratch()
        for r in batch.records { write(r, in: batch, s: s, into: &out) }
        audit.merge(s.audit)
    }

    /// For --explain-redaction: which rule hit which field, values masked. One entry per hit.
    public func explain(_ record: RequestRecord, in batch: borrowing RecordBatch) -> [RedactionHit] {
        let s = Scratch()
        s.explain = []
        var sink: [UInt8] = []
        write(record, in: batch, s: s, into: &sink)
        return s.explain ?? []
    }

    private func key(_ name: StaticString, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    /// Appends a literal's bytes (a `StaticString` is already UTF-8 in the binary: no `String` copy per record).
    @inline(__always) static func lit(_ s: StaticString, _ out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    private func flushField(_ s: Scratch, _ out: inout [UInt8]) {
        s.field.withUnsafeBufferPointer { JSONWriter.writeString(bytes: $0, into: &out) }
    }

    func write(_ r: RequestRecord, in batch: borrowing RecordBatch, s: Scratch, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        func comma() {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
        }
        if r.time != .unknown {
            comma()
            key("@timestamp", &out)
            Self.writeISO8601(r.time, into: &out)
        }
        if r.peerIP != .unspecified {
            comma()
            Self.lit("\"source\":{\"ip\":\"", &out)
            r.peerIP.write(into: &out)
            Self.lit("\"}", &out)
        }
        if r.clientIP != .unspecified {
            comma()
            Self.lit("\"client\":{\"ip\":\"", &out)
            r.clientIP.write(into: &out)
            Self.lit("\"}", &out)
        }
        if r.user.isPresent {
            comma()
            Self.lit("\"user\":{\"name\":", &out)
            s.field.removeAll(keepingCapacity: true)
            batch.withBytes(r.user) { u in
                if !scanEmit(u, kv: false, encode: false, s: s, base: "user.name", key: nil, into: &s.field) {
                    s.field.append(contentsOf: u)
                }
            }
            flushField(s, &out)
            out.append(UInt8(ascii: "}"))
        }
        // http
        let hasRequest =
            r.method != .none || r.referer.isPresent || r.headerCount > 0 || r.body.isPresent
        let hasResponse = r.status != 0 || r.responseBytes >= 0
        if r.protocolVersion.isPresent || hasRequest || hasResponse {
            comma()
            Self.lit("\"http\":{", &out)
            var firstHTTP = true
            func commaHTTP() {
                if !firstHTTP { out.append(UInt8(ascii: ",")) }
                firstHTTP = false
            }
            if r.protocolVersion.isPresent {
                commaHTTP()
                key("version", &out)
                batch.withBytes(r.protocolVersion) { v in
                    let skip = ValueScanner.has(v, 0, "http/", caseInsensitive: true) ? 5 : 0
                    JSONWriter.writeString(bytes: UnsafeBufferPointer(rebasing: v[min(skip, v.count)...]), into: &out)
                }
            }
            if hasRequest {
                commaHTTP()
                Self.lit("\"request\":{", &out)
                var firstReq = true
                func commaReq() {
                    if !firstReq { out.append(UInt8(ascii: ",")) }
                    firstReq = false
                }
                if r.method != .none {
                    commaReq()
                    key("method", &out)
                    if r.method == .other && r.methodText.isPresent {
                        batch.withBytes(r.methodText) { JSONWriter.writeString(bytes: $0, into: &out) }
                    } else {
                        JSONWriter.writeString(r.method.name, into: &out)
                    }
                }
                if r.referer.isPresent {
                    commaReq()
                    key("referrer", &out)
                    s.field.removeAll(keepingCapacity: true)
                    batch.withBytes(r.referer) { u in
                        _ = redactURL(u, pathBase: "referrer", queryBase: "referrer.query", s: s, into: &s.field)
                    }
                    flushField(s, &out)
                }
                if r.headerCount > 0 {
                    commaReq()
                    Self.lit("\"headers\":{", &out)
                    let lo = max(0, Int(r.headerStart))
                    let hi = min(batch.headers.count, lo + max(0, Int(r.headerCount)))
                    var firstH = true
                    if lo < hi {
                        for h in batch.headers[lo..<hi] {
                            if !firstH { out.append(UInt8(ascii: ",")) }
                            firstH = false
                            batch.withBytes(h.name) { JSONWriter.writeString(bytes: $0, into: &out) }
                            out.append(UInt8(ascii: ":"))
                            s.field.removeAll(keepingCapacity: true)
                            batch.withBytes(h.name) { name in
                                batch.withBytes(h.value) { value in
                                    _ = redactHeader(name: name, value: value, s: s, into: &s.field)
                                }
                            }
                            flushField(s, &out)
                        }
                    }
                    out.append(UInt8(ascii: "}"))
                }
                if r.body.isPresent {
                    commaReq()
                    Self.lit("\"body\":{\"content\":", &out)
                    s.field.removeAll(keepingCapacity: true)
                    batch.withBytes(r.body) { b in _ = redactBody(b, s: s, into: &s.field) }
                    flushField(s, &out)
                    out.append(UInt8(ascii: "}"))
                }
                out.append(UInt8(ascii: "}"))
            }
            if hasResponse {
                commaHTTP()
                Self.lit("\"response\":{", &out)
                if r.status != 0 {
                    Self.lit("\"status_code\":", &out)
                    Self.writeInt(Int64(r.status), into: &out)
                }
                if r.responseBytes >= 0 {
                    if r.status != 0 { out.append(UInt8(ascii: ",")) }
                    Self.lit("\"body\":{\"bytes\":", &out)
                    Self.writeInt(r.responseBytes, into: &out)
                    out.append(UInt8(ascii: "}"))
                }
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "}"))
        }
        if r.path.isPresent || r.query.isPresent || r.host.isPresent {
            comma()
            Self.lit("\"url\":{", &out)
            var firstURL = true
            func commaURL() {
                if !firstURL { out.append(UInt8(ascii: ",")) }
                firstURL = false
            }
            if r.path.isPresent {
                commaURL()
                key("path", &out)
                s.field.removeAll(keepingCapacity: true)
                batch.withBytes(r.path) { p in _ = redactPath(p, base: "path", s: s, into: &s.field) }
                flushField(s, &out)
            }
            if r.query.isPresent {
                commaURL()
                key("query", &out)
                s.field.removeAll(keepingCapacity: true)
                batch.withBytes(r.query) { q in _ = redactQuery(q, base: "query", s: s, into: &s.field) }
                flushField(s, &out)
            }
            if r.host.isPresent {
                commaURL()
                key("domain", &out)
                s.field.removeAll(keepingCapacity: true)
                batch.withBytes(r.host) { h in
                    if !scanEmit(h, kv: false, encode: false, s: s, base: "url.domain", key: nil, into: &s.field) {
                        s.field.append(contentsOf: h)
                    }
                }
                flushField(s, &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        if r.userAgent.isPresent {
            comma()
            Self.lit("\"user_agent\":{\"original\":", &out)
            s.field.removeAll(keepingCapacity: true)
            batch.withBytes(r.userAgent) { u in
                if !scanEmit(u, kv: true, encode: false, s: s, base: "user_agent", key: nil, into: &s.field) {
                    s.field.append(contentsOf: u)
                }
            }
            flushField(s, &out)
            out.append(UInt8(ascii: "}"))
        }
        if r.durationMicros >= 0 {
            comma()
            Self.lit("\"event\":{\"duration\":", &out)
            Self.writeInt(r.durationMicros &* 1000, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        Self.lit("}\n", &out)
    }
}

extension Redactor {
    /// Appends a decimal integer without creating a String.
    static func writeInt(_ v: Int64, into out: inout [UInt8]) {
        if v < 0 {
            out.append(UInt8(ascii: "-"))
            if v == Int64.min {
                Self.lit("9223372036854775808", &out)
                return
            }
            writeInt(-v, into: &out)
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var x = v
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[n] = UInt8(x % 10) + 48
                x /= 10
                n += 1
            } while x > 0 && n < 20
            while n > 0 {
                n -= 1
                out.append(d[n])
            }
        }
    }

    private static func pad(_ v: Int, _ width: Int, into out: inout [UInt8]) {
        var div = 1
        for _ in 1..<width { div *= 10 }
        var x = max(0, v)
        if x >= div * 10 { writeInt(Int64(x), into: &out); return }
        while div > 0 {
            out.append(UInt8(x / div) + 48)
            x %= div
            div /= 10
        }
    }

    /// `"2024-05-17T10:05:03.000Z"` (with quotes), same text as `Timestamp.iso8601`, without a String.
    static func writeISO8601(_ t: Timestamp, into out: inout [UInt8]) {
        let c = t.civil
        out.append(UInt8(ascii: "\""))
        pad(c.year, 4, into: &out)
        out.append(UInt8(ascii: "-"))
        pad(c.month, 2, into: &out)
        out.append(UInt8(ascii: "-"))
        pad(c.day, 2, into: &out)
        out.append(UInt8(ascii: "T"))
        pad(c.hour, 2, into: &out)
        out.append(UInt8(ascii: ":"))
        pad(c.minute, 2, into: &out)
        out.append(UInt8(ascii: ":"))
        pad(c.second, 2, into: &out)
        out.append(UInt8(ascii: "."))
        pad(c.microsecond / 1000, 3, into: &out)
        Self.lit("Z\"", &out)
    }
}

