import ReqwatchCore

/// Parses JSON Lines logs (nginx `escape=json`, Caddy, the reqwatch ECS store, any JSON through a `FieldMap`).
///
/// Each line must be one JSON object; it is validated completely in one iterative pass (no recursion,
/// nesting capped at `maxDepth`) that remembers where the mapped values are, then only those values are
/// decoded into the arena (strings unescaped, `\uXXXX` with surrogate pairs to UTF-8, lone surrogates to
/// U+FFFD). Duplicate keys: the last occurrence wins. Values:
/// - text fields: a string (unescaped), a number or boolean (its text), an array (its string elements
///   joined with `, `, as repeated headers are); `null` is absent. `user`, `referer`, `host`,
///   `forwarded_for`: `""` and `"-"` are absent (Caddy logs `user_id: ""`); `user_agent`: `"-"` is absent.
/// - `time`: required (`.missingField`); RFC 3339, CLF or epoch number/string (`.badTimestamp` otherwise).
/// - `status`: integer 0–999, number or string (`.badStatus`); `bytes`: integer, `-` → -1 (`.badBytes`).
/// - `ip`: an address, optionally with port or brackets (`.badClientAddress` when present but invalid;
///   `""` and `"-"` leave it unspecified).
/// - `duration`: a number in the map's unit, or a string: a number in that unit or a Go duration (`1.5ms`).
/// - `protocol`: a bare version (`1.1`, ECS `http.version`) is stored as `HTTP/1.1`, as NCSA logs have it.
/// - a line with none of method, path, request or status is `.missingField` (Caddy debug lines).
/// Blank lines are `.skip`; a line that is valid JSON but not an object, or starts with anything but `{`,
/// is `.notJSONObject`; invalid JSON (including control bytes inside strings, trailing data) is `.badJSON`.
public struct JSONLinesParser: LogParser {
    /// Maximum nesting of objects and arrays.
    public static let maxDepth = 64
    /// Maximum number of key paths in a field map (one bit each).
    public static let maxEntries = 64
    /// Maximum headers kept per record.
    public static let maxHeaders = 128

    private struct Entry {
        var key: FieldMap.Key
        var components: [[UInt8]]
    }

    private struct Capture {
        var kind: UInt8 = 0  // 0 none, see Kind
        var start: Int32 = 0
        var end: Int32 = 0
    }

    private enum Kind {
        static let none: UInt8 = 0
        static let string: UInt8 = 1
        static let number: UInt8 = 2
        static let object: UInt8 = 3
        static let array: UInt8 = 4
        static let literal: UInt8 = 5  // true / false
        static let null: UInt8 = 6
    }

    private let entries: [Entry]
    /// All path components' bytes back to back; `componentSpans[e * maxDepth + level]` = start << 32 | count.
    private let componentBytes: [UInt8]
    private let componentSpans: [UInt64]
    /// Per level L: entries whose path has exactly L components.
    private let lengthMask: [UInt64]
    /// Per field key (by `Key.allCases` index): entry indices in priority order.
    private let byKey: [[Int]]
    private let durationScale: Int
    private let trusted: [CIDR]
    /// The map this parser reads lines with.
    public let fieldMap: FieldMap

    private var captures: [Capture]
    private var masks: [UInt64]
    private var pending: [UInt64]
    private var kinds: [UInt8]

    /// A parser for `fieldMap`; `options.trustedProxies` decide whether `X-Forwarded-For` is believed.
    /// Paths beyond `maxEntries` are ignored (`FieldMap.parse` rejects such maps).
    public init(fieldMap: FieldMap, options: ParseOptions = ParseOptions()) {
        self.fieldMap = fieldMap
        var entries: [Entry] = []
        var byKey = [[Int]](repeating: [], count: FieldMap.Key.allCases.count)
        for (ki, key) in FieldMap.Key.allCases.enumerated() {
            for path in fieldMap.paths[key] ?? [] where entries.count < Self.maxEntries && !path.isEmpty {
                byKey[ki].append(entries.count)
                entries.append(Entry(key: key, components: path.map { Array($0.utf8) }))
            }
        }
        var lengthMask = [UInt64](repeating: 0, count: Self.maxDepth + 2)
        for (e, entry) in entries.enumerated() where entry.components.count < lengthMask.count {
            lengthMask[entry.components.count] |= 1 << UInt64(e)
        }
        var bytes: [UInt8] = []
        var spans = [UInt64](repeating: UInt64.max, count: max(entries.count, 1) * Self.maxDepth)
        for (e, entry) in entries.enumerated() {
            for (level, c) in entry.components.enumerated() where level < Self.maxDepth {
                spans[e * Self.maxDepth + level] = UInt64(bytes.count) << 32 | UInt64(c.count)
                bytes.append(contentsOf: c)
            }
        }
        self.componentBytes = bytes
        self.componentSpans = spans
        self.entries = entries
        self.lengthMask = lengthMask
        self.byKey = byKey
        self.durationScale = fieldMap.durationUnit.microsecondScale
        self.trusted = options.trustedProxies
        captures = [Capture](repeating: Capture(), count: max(entries.count, 1))
        masks = [UInt64](repeating: 0, count: Self.maxDepth + 2)
        pending = [UInt64](repeating: 0, count: Self.maxDepth + 2)
        kinds = [UInt8](repeating: 0, count: Self.maxDepth + 2)
    }

    /// See `LogParser.parse`.
    public mutating func parse(_ line: Span<UInt8>, into record: inout RequestRecord, batch: inout RecordBatch)
        -> ParseOutcome
    {
        let arenaMark = batch.arena.count
        let headerMark = batch.headers.count
        let outcome = line.withUnsafeBufferPointer { b in parseBytes(b, into: &record, batch: &batch) }
        if outcome != .record {
            batch.arena.removeSubrange(arenaMark...)
            batch.headers.removeSubrange(headerMark...)
        }
        return outcome
    }

    private static func isWS(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
    }

    @inline(__always)
    private static func skipWS(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var i = i
        while i < b.count, isWS(b[i]) { i += 1 }
        return i
    }

    /// Index after the closing quote of the string opening at `b[i]`, or nil if invalid.
    private static func scanString(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        var j = i + 1
        let n = b.count
        while j < n {
            let c = b[j]
            // Plain bytes first: everything above `\\` (lower case, UTF-8), then the rest but `"`.
            if c > 0x5C || (c >= 0x20 && c != 0x22 && c != 0x5C) {
                j += 1
                continue
            }
            if c == UInt8(ascii: "\"") { return j + 1 }
            if c < 0x20 { return nil }
            if c == UInt8(ascii: "\\") {
                guard j + 1 < n else { return nil }
                switch b[j + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    j += 2
                case UInt8(ascii: "u"):
                    guard j + 5 < n, HexDigit.value(b[j + 2]) != nil, HexDigit.value(b[j + 3]) != nil,
                        HexDigit.value(b[j + 4]) != nil, HexDigit.value(b[j + 5]) != nil
                    else { return nil }
                    j += 6
                default:
                    return nil
                }
                continue
            }
            j += 1
        }
        return nil
    }

    /// Index after a JSON number starting at `b[i]`, or nil.
    private static func scanNumber(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        var j = i
        let n = b.count
        if j < n, b[j] == UInt8(ascii: "-") { j += 1 }
        let intStart = j
        while j < n, b[j] &- 48 <= 9 { j += 1 }
        if j == intStart { return nil }
        if j < n, b[j] == UInt8(ascii: ".") {
            j += 1
            let s = j
            while j < n, b[j] &- 48 <= 9 { j += 1 }
            if j == s { return nil }
        }
        if j < n, b[j] == UInt8(ascii: "e") || b[j] == UInt8(ascii: "E") {
            j += 1
            if j < n, b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-") { j += 1 }
            let s = j
            while j < n, b[j] &- 48 <= 9 { j += 1 }
            if j == s { return nil }
        }
        return j
    }

    /// Read-only tables `scanCore` needs, as buffers.
    private struct Tables {
        var bytes: UnsafeBufferPointer<UInt8>
        var spans: UnsafeBufferPointer<UInt64>
        var lengthMask: UnsafeBufferPointer<UInt64>
        var rootMask: UInt64
    }

    /// Mutable per-line state of `scanCore`: a frame per nesting level and a capture per entry.
    private struct State {
        var masks: UnsafeMutableBufferPointer<UInt64>
        var pending: UnsafeMutableBufferPointer<UInt64>
        var kinds: UnsafeMutableBufferPointer<UInt8>
        var captures: UnsafeMutableBufferPointer<Capture>
    }

    /// Entries among `mask` whose component at `level` equals the key bytes `b[ks..<ke]`.
    @inline(__always)
    private static func match(
        _ t: Tables, _ mask: UInt64, level: Int, _ b: UnsafeBufferPointer<UInt8>, _ ks: Int, _ ke: Int
    ) -> UInt64 {
        guard level < maxDepth else { return 0 }
        var m = mask
        var out: UInt64 = 0
        let len = ke - ks
        while m != 0 {
            let e = m.trailingZeroBitCount
            m &= m &- 1
            let idx = e * maxDepth + level
            guard idx < t.spans.count else { continue }
            let span = t.spans[idx]
            guard span != UInt64.max, Int(span & 0xFFFF_FFFF) == len else { continue }
            let start = Int(span >> 32)
            guard start + len <= t.bytes.count else { continue }
            var k = 0
            while k < len, t.bytes[start + k] == b[ks + k] { k += 1 }
            if k == len { out |= 1 << UInt64(e) }
        }
        return out
    }

    @inline(__always)
    private static func capture(_ st: State, _ mask: UInt64, kind: UInt8, _ s: Int, _ e: Int) {
        var m = mask
        while m != 0 {
            let i = m.trailingZeroBitCount
            m &= m &- 1
            if i < st.captures.count {
                st.captures[i] = Capture(
                    kind: kind, start: Int32(truncatingIfNeeded: s), end: Int32(truncatingIfNeeded: e))
            }
        }
    }

    /// Validates the object in `b` and records the mapped values; nil on success, else the reason.
    private mutating func scan(_ b: UnsafeBufferPointer<UInt8>) -> MalformedReason? {
        var masks: [UInt64] = []
        var pending: [UInt64] = []
        var kinds: [UInt8] = []
        var captures: [Capture] = []
        swap(&masks, &self.masks)
        swap(&pending, &self.pending)
        swap(&kinds, &self.kinds)
        swap(&captures, &self.captures)
        defer {
            swap(&masks, &self.masks)
            swap(&pending, &self.pending)
            swap(&kinds, &self.kinds)
            swap(&captures, &self.captures)
        }
        let rootMask: UInt64 = entries.isEmpty ? 0 : (entries.count == 64 ? ~0 : (1 << UInt64(entries.count)) - 1)
        return componentBytes.withUnsafeBufferPointer { cb in
            componentSpans.withUnsafeBufferPointer { sp in
                lengthMask.withUnsafeBufferPointer { lm in
                    masks.withUnsafeMutableBufferPointer { ms in
                        pending.withUnsafeMutableBufferPointer { pd in
                            kinds.withUnsafeMutableBufferPointer { kd in
                                captures.withUnsafeMutableBufferPointer { cp in
                                    Self.scanCore(
                                        b, Tables(bytes: cb, spans: sp, lengthMask: lm, rootMask: rootMask),
                                        State(masks: ms, pending: pd, kinds: kd, captures: cp))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The scanner proper. `st` buffers have `maxDepth + 2` frames and one capture per entry.
    private static func scanCore(_ b: UnsafeBufferPointer<UInt8>, _ t: Tables, _ st: State) -> MalformedReason? {
        let masks = st.masks
        let pending = st.pending
        let kinds = st.kinds
        let captures = st.captures
        guard masks.count >= maxDepth + 1, pending.count >= maxDepth + 1, kinds.count >= maxDepth + 1,
            t.lengthMask.count >= maxDepth + 1
        else { return .other }
        let n = b.count
        var i = Self.skipWS(b, 0)
        guard i < n else { return .badJSON }
        guard b[i] == UInt8(ascii: "{") else { return .notJSONObject }
        guard n < Int(Int32.max) else { return .lineTooLong }
        for k in 0..<captures.count { captures[k].kind = Kind.none }
        var depth = 0
        kinds[0] = Kind.object
        masks[0] = t.rootMask
        pending[0] = 0
        i += 1
        var afterOpen = true
        while true {
            i = Self.skipWS(b, i)
            guard i < n else { return .badJSON }
            let inObject = kinds[depth] == Kind.object
            var c = b[i]
            var closeNow = false
            if afterOpen, (inObject && c == UInt8(ascii: "}")) || (!inObject && c == UInt8(ascii: "]")) {
                closeNow = true
            } else {
                var valueMask: UInt64 = 0
                var leaf: UInt64 = 0
                if inObject {
                    guard c == UInt8(ascii: "\""), let ke = Self.scanString(b, i) else { return .badJSON }
                    if masks[depth] != 0 {
                        valueMask = match(t, masks[depth], level: depth, b, i + 1, ke - 1)
                        leaf = valueMask & t.lengthMask[depth + 1]
                    }
                    i = Self.skipWS(b, ke)
                    guard i < n, b[i] == UInt8(ascii: ":") else { return .badJSON }
                    i = Self.skipWS(b, i + 1)
                    guard i < n else { return .badJSON }
                    c = b[i]
                }
                switch c {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    guard depth + 1 < maxDepth else { return .badJSON }
                    depth += 1
                    let isObject = c == UInt8(ascii: "{")
                    kinds[depth] = isObject ? Kind.object : Kind.array
                    pending[depth] = leaf
                    if leaf != 0 { capture(st, leaf, kind: isObject ? Kind.object : Kind.array, i, i + 1) }
                    masks[depth] = isObject ? (valueMask & ~leaf) : 0
                    i += 1
                    afterOpen = true
                    continue
                case UInt8(ascii: "\""):
                    guard let e = Self.scanString(b, i) else { return .badJSON }
                    if leaf != 0 { capture(st, leaf, kind: Kind.string, i, e) }
                    i = e
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    guard let e = Self.scanNumber(b, i) else { return .badJSON }
                    if leaf != 0 { capture(st, leaf, kind: Kind.number, i, e) }
                    i = e
                case UInt8(ascii: "t"):
                    guard Bytes.equals(b, i, min(i + 4, n), "true") else { return .badJSON }
                    if leaf != 0 { capture(st, leaf, kind: Kind.literal, i, i + 4) }
                    i += 4
                case UInt8(ascii: "f"):
                    guard Bytes.equals(b, i, min(i + 5, n), "false") else { return .badJSON }
                    if leaf != 0 { capture(st, leaf, kind: Kind.literal, i, i + 5) }
                    i += 5
                case UInt8(ascii: "n"):
                    guard Bytes.equals(b, i, min(i + 4, n), "null") else { return .badJSON }
                    if leaf != 0 { capture(st, leaf, kind: Kind.null, i, i + 4) }
                    i += 4
                default:
                    return .badJSON
                }
            }
            // After a value (or at an empty container's closer): `,` or closers.
            while true {
                if closeNow {
                    closeNow = false
                } else {
                    i = Self.skipWS(b, i)
                    guard i < n else { return .badJSON }
                    let c2 = b[i]
                    if c2 == UInt8(ascii: ",") {
                        i += 1
                        afterOpen = false
                        break
                    }
                    let closer = kinds[depth] == Kind.object ? UInt8(ascii: "}") : UInt8(ascii: "]")
                    guard c2 == closer else { return .badJSON }
                }
                // b[i] closes the container at `depth`.
                if pending[depth] != 0 {
                    var m = pending[depth]
                    while m != 0 {
                        let e = m.trailingZeroBitCount
                        m &= m &- 1
                        if e < captures.count { captures[e].end = Int32(truncatingIfNeeded: i + 1) }
                    }
                }
                i += 1
                if depth == 0 {
                    i = Self.skipWS(b, i)
                    return i == n ? nil : .badJSON
                }
                depth -= 1
            }
        }
    }

    /// The best capture for `key`: the first alternative present and not null.
    @inline(__always)
    private func best(_ key: FieldMap.Key) -> Capture? {
        let list = byKey[keyIndex(key)]
        for e in list where captures[e].kind != Kind.none && captures[e].kind != Kind.null {
            return captures[e]
        }
        return nil
    }

    @inline(__always)
    private func keyIndex(_ key: FieldMap.Key) -> Int {
        switch key {
        case .time: 0
        case .ip: 1
        case .clientIP: 2
        case .method: 3
        case .path: 4
        case .query: 5
        case .request: 6
        case .status: 7
        case .bytes: 8
        case .userAgent: 9
        case .user: 10
        case .referer: 11
        case .duration: 12
        case .host: 13
        case .forwardedFor: 14
        case .protocolVersion: 15
        case .headers: 16
        case .body: 17
        }
    }

    private mutating func parseBytes(
        _ b: UnsafeBufferPointer<UInt8>, into record: inout RequestRecord, batch: inout RecordBatch
    ) -> ParseOutcome {
        let first = Self.skipWS(b, 0)
        if first == b.count { return .skip }
        if let reason = scan(b) { return .malformed(reason) }

        // Time (required).
        guard let tc = best(.time) else { return .malformed(.missingField) }
        let t: Timestamp?
        if tc.kind == Kind.string {
            t = Self.withUnescaped(b, tc, batch: &batch) { bytes in Bytes.timeText(bytes, 0, bytes.count) }
        } else if tc.kind == Kind.number {
            t = Bytes.epoch(b, Int(tc.start), Int(tc.end))
        } else {
            t = nil
        }
        guard let time = t else { return .malformed(.badTimestamp) }
        record.time = time

        let methodC = best(.method)
        let pathC = best(.path)
        let requestC = best(.request)
        let statusC = best(.status)
        if methodC == nil && pathC == nil && requestC == nil && statusC == nil { return .malformed(.missingField) }

        // Status.
        if let sc = statusC {
            guard let v = Self.integer(b, sc), v >= 0, v <= 999 else { return .malformed(.badStatus) }
            record.status = UInt16(v)
        }
        if let bc = best(.bytes) {
            if let v = Self.integer(b, bc) {
                record.responseBytes = v < 0 ? -1 : v
            } else if bc.kind == Kind.string, bc.end - bc.start == 3, b[Int(bc.start) + 1] == UInt8(ascii: "-") {
                record.responseBytes = -1
            } else {
                return .malformed(.badBytes)
            }
        }

        // Addresses.
        if let ic = best(.ip), !Self.isEmptyOrDash(b, ic) {
            guard ic.kind == Kind.string,
                let ip = Self.withUnescaped(b, ic, batch: &batch, { Bytes.looseAddress($0, 0, $0.count) })
            else { return .malformed(.badClientAddress) }
            record.peerIP = ip
            record.clientIP = ip
        }
        if let fc = best(.forwardedFor) {
            record.forwardedFor = Self.text(b, fc, batch: &batch, dashIsAbsent: true, emptyIsAbsent: true)
        }
        var resolved = false
        if let cc = best(.clientIP), cc.kind == Kind.string,
            let ip = Self.withUnescaped(b, cc, batch: &batch, { Bytes.looseAddress($0, 0, $0.count) })
        {
            if best(.ip) == nil { record.peerIP = ip }
            record.clientIP = ip
            // The server resolved a client other than its peer (its own trusted proxies): believe it.
            // When it logged the peer itself, our own trusted-proxy rule still applies below.
            resolved = ip != record.peerIP
        }
        if !resolved, record.forwardedFor.isPresent, !trusted.isEmpty {
            let r = record.forwardedFor
            let peer = record.peerIP
            let trusted = self.trusted
            record.clientIP = batch.withBytes(r) {
                Bytes.clientAddress(peer: peer, forwardedFor: $0, 0, $0.count, trusted: trusted)
            }
        }

        // Request line, then explicit method/path/query/protocol override it.
        if let rc = requestC {
            let r = Self.text(b, rc, batch: &batch, dashIsAbsent: false, emptyIsAbsent: true)
            if r.isPresent {
                batch.arena.withUnsafeBufferPointer { a in
                    RequestLine.parse(a, Int(r.start), r.end, into: &record)
                    // Some loggers put only the target in `request` (`"request": "/index.html"`, method elsewhere):
                    // a path, not a request line that is not HTTP.
                    let s0 = Int(r.start)
                    if record.method == .none, s0 < r.end,
                       a[s0] == UInt8(ascii: "/")
                        || (r.end - s0 >= 7 && a[s0] | 0x20 == UInt8(ascii: "h") && a[s0 + 1] | 0x20 == UInt8(ascii: "t")
                            && a[s0 + 2] | 0x20 == UInt8(ascii: "t") && a[s0 + 3] | 0x20 == UInt8(ascii: "p"))
                    {
                        record.methodText = .absent
                        RequestLine.target(a, Int(r.start), r.end, method: .get, into: &record)
                    }
                }
            }
        }
        if let mc = methodC {
            let r = Self.text(b, mc, batch: &batch, dashIsAbsent: true, emptyIsAbsent: true)
            if r.isPresent {
                record.methodText = r
                record.method = batch.arena.withUnsafeBufferPointer { a in Bytes.method(a, Int(r.start), r.end) }
            }
        }
        if let pc = pathC {
            let r = Self.text(b, pc, batch: &batch, dashIsAbsent: false, emptyIsAbsent: true)
            if r.isPresent {
                record.path = .absent
                record.query = .absent
                let method = record.method
                batch.arena.withUnsafeBufferPointer { a in
                    let m: HTTPMethod = method == .connect ? .get : method
                    RequestLine.target(a, Int(r.start), r.end, method: m, into: &record)
                }
            }
        }
        if let qc = best(.query) {
            let r = Self.text(b, qc, batch: &batch, dashIsAbsent: true, emptyIsAbsent: true)
            if r.isPresent {
                var q = r
                if batch.arena[Int(q.start)] == UInt8(ascii: "?") {
                    q = ByteRange(start: Int(q.start) + 1, count: Int(q.count) - 1)
                }
                record.query = q
            }
        }
        if let pc = best(.protocolVersion) {
            if pc.kind == Kind.string, pc.end - pc.start > 2, b[Int(pc.start) + 1] &- 48 <= 9 {
                // ECS `http.version` is `1.1`: store `HTTP/1.1` as the other formats do.
                let start = batch.arena.count
                batch.arena.append(contentsOf: [0x48, 0x54, 0x54, 0x50, 0x2F])  // "HTTP/"
                let v = Self.appendUnescaped(b, Int(pc.start) + 1, Int(pc.end) - 1, into: &batch.arena)
                record.protocolVersion = ByteRange(start: start, count: 5 + Int(v.count))
            } else {
                record.protocolVersion = Self.text(b, pc, batch: &batch, dashIsAbsent: true, emptyIsAbsent: true)
            }
        }
        if let hc = best(.host) {
            let r = Self.text(b, hc, batch: &batch, dashIsAbsent: true, emptyIsAbsent: true)
            if r.isPresent { record.host = r }
        }
        if let uc = best(.userAgent) {
            record.userAgent = Self.text(b, uc, batch: &batch, dashIsAbsent: true, emptyIsAbsent: false)
        }
        if let rc = best(.referer) {
            record.referer = Self.text(b, rc, batch: &batch, dashIsAbsent: true, emptyIsAbsent: true)
        }
        if let uc = best(.user) {
            record.user = Self.text(b, uc, batch: &batch, dashIsAbsent: true, emptyIsAbsent: true)
        }
        if let dc = best(.duration) {
            let v: Int64?
            if dc.kind == Kind.number {
                v = Bytes.scaledDecimal(b, Int(dc.start), Int(dc.end), scale: durationScale)
            } else if dc.kind == Kind.string {
                let s = durationScale
                v = Self.withUnescaped(b, dc, batch: &batch) {
                    Bytes.scaledDecimal($0, 0, $0.count, scale: s) ?? Bytes.goDuration($0, 0, $0.count)
                }
            } else {
                v = nil
            }
            if let v, v >= 0 { record.durationMicros = v }
        }
        if let hc = best(.headers), hc.kind == Kind.object {
            record.headerStart = Int32(truncatingIfNeeded: batch.headers.count)
            record.headerCount = Int32(truncatingIfNeeded: Self.headers(b, Int(hc.start), Int(hc.end), batch: &batch))
        }
        if let bc = best(.body) {
            if bc.kind == Kind.string {
                record.body = Self.appendUnescaped(b, Int(bc.start) + 1, Int(bc.end) - 1, into: &batch.arena)
            } else if let base = b.baseAddress {
                record.body = batch.append(
                    UnsafeBufferPointer(start: base + Int(bc.start), count: Int(bc.end) - Int(bc.start)))
            }
        }
        return .record
    }

    /// Whether a capture is the string `""` or `"-"`.
    private static func isEmptyOrDash(_ b: UnsafeBufferPointer<UInt8>, _ c: Capture) -> Bool {
        guard c.kind == Kind.string else { return false }
        let len = Int(c.end - c.start)
        return len == 2 || (len == 3 && b[Int(c.start) + 1] == UInt8(ascii: "-"))
    }

    /// An integer from a number or a string of digits (a fraction is truncated), or nil.
    private static func integer(_ b: UnsafeBufferPointer<UInt8>, _ c: Capture) -> Int64? {
        var s = Int(c.start)
        var e = Int(c.end)
        if c.kind == Kind.string {
            s += 1
            e -= 1
        } else if c.kind != Kind.number {
            return nil
        }
        guard s < e else { return nil }
        for k in s..<e {
            let ch = b[k]
            if !(ch &- 48 <= 9 || ch == UInt8(ascii: ".") || ch == UInt8(ascii: "-") || ch == UInt8(ascii: "e")
                || ch == UInt8(ascii: "E") || ch == UInt8(ascii: "+"))
            {
                return nil
            }
        }
        return Bytes.scaledDecimal(b, s, e, scale: 0)
    }

    /// Runs `body` on the unescaped bytes of a string capture: the raw bytes when there is no escape,
    /// else a temporary copy appended to the arena (and then removed).
    private static func withUnescaped<R>(
        _ b: UnsafeBufferPointer<UInt8>, _ c: Capture, batch: inout RecordBatch,
        _ body: (UnsafeBufferPointer<UInt8>) -> R?
    ) -> R? {
        let s = Int(c.start) + 1
        let e = Int(c.end) - 1
        guard s <= e, let base = b.baseAddress else { return nil }
        if Bytes.find(UInt8(ascii: "\\"), b, s, e) == e {
            return body(UnsafeBufferPointer(start: base + s, count: e - s))
        }
        let mark = batch.arena.count
        let r = appendUnescaped(b, s, e, into: &batch.arena)
        let out = batch.withBytes(r) { body($0) }
        batch.arena.removeSubrange(mark...)
        return out
    }

    /// A text field from a capture: strings unescaped, numbers/booleans as written, arrays joined with
    /// `, ` (string elements only), objects absent.
    private static func text(
        _ b: UnsafeBufferPointer<UInt8>, _ c: Capture, batch: inout RecordBatch, dashIsAbsent: Bool,
        emptyIsAbsent: Bool
    ) -> ByteRange {
        var r: ByteRange
        switch c.kind {
        case Kind.string:
            r = appendUnescaped(b, Int(c.start) + 1, Int(c.end) - 1, into: &batch.arena)
        case Kind.number, Kind.literal:
            guard let base = b.baseAddress else { return .absent }
            r = batch.append(UnsafeBufferPointer(start: base + Int(c.start), count: Int(c.end - c.start)))
        case Kind.array:
            let start = batch.arena.count
            var i = skipWS(b, Int(c.start) + 1)
            var first = true
            while i < Int(c.end), b[i] != UInt8(ascii: "]") {
                if b[i] == UInt8(ascii: "\""), let e = scanString(b, i) {
                    if !first { batch.arena.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
                    _ = appendUnescaped(b, i + 1, e - 1, into: &batch.arena)
                    first = false
                    i = e
                } else {
                    let next = skipValue(b, i, Int(c.end))
                    if next <= i { break }  // no progress: never loop on unexpected bytes
                    i = next
                }
                i = skipWS(b, i)
                if i < Int(c.end), b[i] == UInt8(ascii: ",") { i = skipWS(b, i + 1) }
            }
            if first { return .absent }
            r = ByteRange(start: start, count: batch.arena.count - start)
        default:
            return .absent
        }
        if r.count == 0 && emptyIsAbsent { return .absent }
        if dashIsAbsent, r.count == 1, batch.arena[Int(r.start)] == UInt8(ascii: "-") { return .absent }
        return r
    }

    /// Index after the (already validated) value at `b[i]`, never past `limit`.
    private static func skipValue(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ limit: Int) -> Int {
        var j = i
        var depth = 0
        while j < limit {
            let c = b[j]
            if c == UInt8(ascii: "\"") {
                j = scanString(b, j) ?? limit
                if depth == 0 { return j }
                continue
            }
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                if depth == 0 { return j }
                depth -= 1
                if depth == 0 { return j + 1 }
            } else if depth == 0, c == UInt8(ascii: ",") || isWS(c) {
                return j
            }
            j += 1
        }
        return limit
    }

    /// Appends the headers of the (validated) object at `b[s..<e]` to `batch.headers`; returns how many.
    private static func headers(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, batch: inout RecordBatch) -> Int {
        var count = 0
        var i = skipWS(b, s + 1)
        while i < e, b[i] == UInt8(ascii: "\""), count < maxHeaders {
            guard let ke = scanString(b, i) else { break }
            let keyS = i + 1
            let keyE = ke - 1
            i = skipWS(b, ke)
            guard i < e, b[i] == UInt8(ascii: ":") else { break }
            i = skipWS(b, i + 1)
            guard i < e else { break }
            let vs = i
            let ve = skipValue(b, i, e)
            let kind: UInt8
            switch b[vs] {
            case UInt8(ascii: "\""): kind = Kind.string
            case UInt8(ascii: "["): kind = Kind.array
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): kind = Kind.number
            default: kind = Kind.none
            }
            if kind != Kind.none {
                let value = text(
                    b, Capture(kind: kind, start: Int32(vs), end: Int32(ve)), batch: &batch, dashIsAbsent: false,
                    emptyIsAbsent: false)
                if value.isPresent {
                    let name = appendUnescaped(b, keyS, keyE, into: &batch.arena)
                    batch.headers.append(HeaderField(name: name, value: value))
                    count += 1
                }
            }
            i = skipWS(b, ve)
            if i < e, b[i] == UInt8(ascii: ",") { i = skipWS(b, i + 1) } else { break }
        }
        return count
    }

    /// Appends the JSON-unescaped bytes of the string body `b[s..<e]` (between the quotes) to `out`.
    /// `\uXXXX` becomes UTF-8 (surrogate pairs combined; lone surrogates become U+FFFD).
    static func appendUnescaped(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, into out: inout [UInt8])
        -> ByteRange
    {
        let start = out.count
        guard s >= 0, e <= b.count, s < e, let base = b.baseAddress else { return ByteRange(start: start, count: 0) }
        var i = s
        while i < e {
            let bs = Bytes.find(UInt8(ascii: "\\"), b, i, e)
            if bs > i { out.append(contentsOf: UnsafeBufferPointer(start: base + i, count: bs - i)) }
            i = bs
            if i >= e { break }
            guard i + 1 < e else {
                out.append(b[i])
                break
            }
            let c = b[i + 1]
            i += 2
            switch c {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard let u = hex4(b, i, e) else {
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    continue
                }
                i += 4
                var scalar = UInt32(u)
                if u >= 0xD800 && u <= 0xDBFF {
                    if i + 6 <= e, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u"),
                        let lo = hex4(b, i + 2, e),
                        lo >= 0xDC00 && lo <= 0xDFFF
                    {
                        scalar = 0x10000 + ((UInt32(u) - 0xD800) << 10) + (UInt32(lo) - 0xDC00)
                        i += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if u >= 0xDC00 && u <= 0xDFFF {
                    scalar = 0xFFFD
                }
                appendUTF8(scalar, into: &out)
            default: out.append(c)  // \" \\ \/ and anything else: the character itself
            }
        }
        return ByteRange(start: start, count: out.count - start)
    }

    private static func hex4(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ e: Int) -> UInt16? {
        guard i + 4 <= e, let a = HexDigit.value(b[i]), let c = HexDigit.value(b[i + 1]),
            let d = HexDigit.value(b[i + 2]), let f = HexDigit.value(b[i + 3])
        else { return nil }
        return UInt16(a) << 12 | UInt16(c) << 8 | UInt16(d) << 4 | UInt16(f)
    }

    private static func appendUTF8(_ v: UInt32, into out: inout [UInt8]) {
        switch v {
        case 0..<0x80:
            out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }
}
