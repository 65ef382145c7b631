import ReqwatchCore

/// Maps request paths to route templates without a spec: `/users/123` and `/users/456` share `/users/{id}`.
///
/// A segment becomes `{id}` when it looks like an identifier: a decimal number, a UUID, hex of 8 or more
/// characters with a digit, an opaque token (16 or more base64url characters mixing letters and digits), or
/// anything with an `@` (an email). Empty segments and a trailing slash are ignored, so `/a/` is `/a`. Query
/// strings are not part of the path and never create routes. Literal segments longer than 128 bytes become
/// `{long}`; paths deeper than 32 segments end in `{rest}`.
///
/// The table of templates is bounded: once `capacity` templates exist, new ones all map to route 0,
/// `{other}`, and `overflowed` counts them. Names are `String`s made once per new template only.
public struct RouteTemplater {
    /// Route id of the overflow bucket `{other}`.
    public static let otherRoute: Int32 = 0
    /// Display text per route id (`names[0] == "{other}"`).
    public private(set) var names: [String] = ["{other}"]
    /// Requests whose new template did not fit and went to `{other}`.
    public private(set) var overflowed = 0
    private var table: BoundedKeyTable<Int32>
    private var scratch: [UInt8] = []

    /// A templater keeping at most `capacity` distinct templates (plus `{other}`).
    public init(capacity: Int = 10_000) {
        table = BoundedKeyTable(capacity: max(1, capacity) + 1)
        scratch.reserveCapacity(512)
    }

    /// Number of routes known, including `{other}`.
    public var count: Int { names.count }

    /// Registers a template name (for example a spec route) and returns its id; an existing name keeps its id.
    /// Returns `{other}` when the table is full.
    public mutating func register(name: String) -> Int32 {
        var s = name
        let h = s.withUTF8 { ByteHash.hash($0, seed: 0x7275_7465) }
        if let d = table.index(of: h) { return table.values[d] }
        if table.count >= table.capacity - 1 {
            overflowed += 1
            return Self.otherRoute
        }
        let id = Int32(names.count)
        names.append(name)
        _ = table.index(of: h, now: 0) { id }
        return id
    }

    /// The route id of `path` (bytes of the path without query), and the byte range within `path` of its last
    /// identifier segment (nil when no segment was templated).
    public mutating func route(for path: UnsafeBufferPointer<UInt8>) -> (id: Int32, idRange: Range<Int>?) {
        scratch.removeAll(keepingCapacity: true)
        var idRange: Range<Int>? = nil
        var i = 0
        let n = path.count
        var segments = 0
        while i < n {
            while i < n && path[i] == UInt8(ascii: "/") { i += 1 }
            if i >= n { break }
            var j = i
            while j < n && path[j] != UInt8(ascii: "/") { j += 1 }
            segments += 1
            if segments > 32 {
                scratch.append(contentsOf: "/{rest}".utf8)
                break
            }
            scratch.append(UInt8(ascii: "/"))
            let seg = UnsafeBufferPointer(rebasing: path[i..<j])
            if Self.looksLikeIdentifier(seg) {
                scratch.append(contentsOf: "{id}".utf8)
                idRange = i..<j
            } else if seg.count > 128 {
                scratch.append(contentsOf: "{long}".utf8)
            } else {
                scratch.append(contentsOf: seg)
            }
            i = j
        }
        if scratch.isEmpty { scratch.append(UInt8(ascii: "/")) }
        let h = scratch.withUnsafeBufferPointer { ByteHash.hash($0, seed: 0x7275_7465) }
        if let d = table.index(of: h) { return (table.values[d], idRange) }
        if table.count >= table.capacity - 1 {
            overflowed += 1
            return (Self.otherRoute, idRange)
        }
        let id = Int32(names.count)
        names.append(String(decoding: scratch, as: UTF8.self))
        _ = table.index(of: h, now: 0) { id }
        return (id, idRange)
    }

    /// The template of a path given as text (for tests and the `endpoints` command).
    public static func template(_ path: String) -> String {
        var t = RouteTemplater(capacity: 4)
        var p = path
        let id = p.withUTF8 { t.route(for: $0).id }
        return t.names[Int(id)]
    }

    /// Whether one path segment looks like an identifier (number, UUID, long hex, opaque token, email).
    public static func looksLikeIdentifier(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = s.count
        if n == 0 { return false }
        var digits = 0, hex = 0, lower = 0, upper = 0, b64 = 0, hyphens = 0, at = false
        for b in s {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1; hex += 1; b64 += 1
            case UInt8(ascii: "a")...UInt8(ascii: "f"): hex += 1; lower += 1; b64 += 1
            case UInt8(ascii: "A")...UInt8(ascii: "F"): hex += 1; upper += 1; b64 += 1
            case UInt8(ascii: "g")...UInt8(ascii: "z"): lower += 1; b64 += 1
            case UInt8(ascii: "G")...UInt8(ascii: "Z"): upper += 1; b64 += 1
            case UInt8(ascii: "-"): hyphens += 1; b64 += 1
            case UInt8(ascii: "_"): b64 += 1
            case UInt8(ascii: "@"): at = true
            default: break
            }
        }
        if digits == n { return true }
        if at && n >= 3 { return true }
        if n == 36 && hyphens == 4 && hex == 32 && s[8] == UInt8(ascii: "-") && s[13] == UInt8(ascii: "-")
            && s[18] == UInt8(ascii: "-") && s[23] == UInt8(ascii: "-")
        {
            return true
        }
        if n >= 8 && hex == n && digits > 0 { return true }
        if n >= 16 && b64 == n && digits > 0 && (lower + upper) > 0 { return true }
        return false
    }
}
