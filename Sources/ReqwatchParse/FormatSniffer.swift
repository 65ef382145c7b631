import ReqwatchCore

/// Decides the format of a log from its first lines.
public enum FormatSniffer {
    /// How many non-blank lines `sniff` looks at.
    public static let sampleSize = 20

    /// Looks at the first non-blank lines (up to `sampleSize`; `#` comment lines are ignored) and decides.
    ///
    /// If most lines start with `{`, each JSON preset (Caddy, ECS store, nginx JSON, Traefik, then generic key
    /// names) parses the sample and the one giving the most records wins, then the one filling the most fields
    /// (remaining ties go to that order); at least one record is needed. Otherwise the NCSA parser must read
    /// at least half of the lines: `.combined` when at least half of its records end with quoted referer and
    /// user agent fields, else `.common`. Returns nil if undecidable.
    /// `restrictTo` limits the choice (`.json`: only JSON presets; `.combined`/`.common`: returns that format).
    /// The first `sampleSize` lines that are neither blank nor `#` comments.
    static func sample(_ lines: [[UInt8]]) -> [[UInt8]] {
        var sample: [[UInt8]] = []
        for line in lines {
            var i = 0
            while i < line.count, line[i] == 0x20 || line[i] == 0x09 || line[i] == 0x0D { i += 1 }
            if i == line.count || line[i] == UInt8(ascii: "#") { continue }
            sample.append(line)
            if sample.count == sampleSize { break }
        }
        return sample
    }

    public static func sniff(_ lines: [[UInt8]], restrictTo: LogFormat = .auto) -> SniffedFormat? {
        if restrictTo == .combined { return .combined }
        if restrictTo == .common { return .common }
        let sample = Self.sample(lines)
        if sample.isEmpty { return nil }
        let jsonLike = sample.filter { l in l.first(where: { $0 != 0x20 && $0 != 0x09 }) == UInt8(ascii: "{") }.count
        if jsonLike * 2 > sample.count || restrictTo == .json {
            var bestMap: FieldMap? = nil
            var bestCount = 0
            for map in [FieldMap.caddy, .ecs, .nginxJSON, .traefik, .generic] {
                var parser = JSONLinesParser(fieldMap: map)
                let n = countRecords(&parser, sample)
                if n > bestCount {
                    bestCount = n
                    bestMap = map
                }
            }
            return bestMap.map { .json($0) }
        }
        var parser = CombinedLogParser()
        var records = 0
        var combined = 0
        var batch = RecordBatch(origin: InputOrigin(path: "sniff"))
        for line in sample {
            var record = RequestRecord()
            let outcome = line.withUnsafeBufferPointer { p in parser.parse(p.span, into: &record, batch: &batch) }
            if outcome == .record {
                records += 1
                if record.referer.isPresent || record.userAgent.isPresent || Self.hasQuotedTail(line) {
                    combined += 1
                }
            }
        }
        guard records * 2 >= sample.count, records > 0 else { return nil }
        return combined * 2 >= records ? .combined : .common
    }

    /// Sniffs the first bytes of an input (decompressed): splits them into lines at LF (dropping a CR before
    /// it) and calls `sniff(_:restrictTo:)`. A last line without LF is used only when `atEnd` (the input ended
    /// there); otherwise it may be cut short and is ignored. At most `sampleSize * 4` lines are split.
    public static func sniff(prefix bytes: [UInt8], atEnd: Bool, restrictTo: LogFormat = .auto) -> SniffedFormat? {
        var lines: [[UInt8]] = []
        var start = 0
        var i = 0
        while i < bytes.count, lines.count < sampleSize * 4 {
            if bytes[i] == 0x0A {
                var e = i
                if e > start, bytes[e - 1] == 0x0D { e -= 1 }
                lines.append(Array(bytes[start..<e]))
                start = i + 1
            }
            i += 1
        }
        if atEnd, start < bytes.count, lines.count < sampleSize * 4 {
            var e = bytes.count
            if bytes[e - 1] == 0x0D { e -= 1 }
            lines.append(Array(bytes[start..<e]))
        }
        return sniff(lines, restrictTo: restrictTo)
    }

    /// Whether a line ends with a quoted field after the status (a combined line whose fields are `-`).
    private static func hasQuotedTail(_ line: [UInt8]) -> Bool {
        var e = line.count
        while e > 0, line[e - 1] == 0x20 || line[e - 1] == 0x0D { e -= 1 }
        return e > 0 && line[e - 1] == UInt8(ascii: "\"") && line.filter { $0 == UInt8(ascii: "\"") }.count >= 6
    }

    /// How many fields of `r` were filled: breaks ties between presets that all read a line.
    private static func fieldsPresent(_ r: RequestRecord) -> Int {
        var n = 0
        if r.method != .none { n += 1 }
        if r.path.isPresent { n += 1 }
        if r.clientIP != .unspecified { n += 1 }
        if r.status != 0 { n += 1 }
        if r.responseBytes >= 0 { n += 1 }
        if r.userAgent.isPresent { n += 1 }
        if r.referer.isPresent { n += 1 }
        if r.user.isPresent { n += 1 }
        if r.host.isPresent { n += 1 }
        if r.durationMicros >= 0 { n += 1 }
        if r.protocolVersion.isPresent { n += 1 }
        if r.headerCount > 0 { n += 1 }
        return n
    }

    /// Sum over the sample of 100 per record plus the number of fields it filled.
    private static func countRecords(_ parser: inout JSONLinesParser, _ sample: [[UInt8]]) -> Int {
        var batch = RecordBatch(origin: InputOrigin(path: "sniff"))
        var n = 0
        for line in sample {
            var record = RequestRecord()
            let outcome = line.withUnsafeBufferPointer { p in parser.parse(p.span, into: &record, batch: &batch) }
            if outcome == .record { n += 100 + fieldsPresent(record) }
        }
        return n
    }
}
