/// Builds an HTML document as bytes, escaping by default.
///
/// Markup (tag and attribute names, fixed fragments) can only be written from `StaticString` literals, which
/// are part of this program; every value that may come from a log (paths, user agents, queries, messages)
/// enters as a `String` through `text(_:)` or an attribute value, and is escaped for that context. Links are
/// `Anchor`s, which hold only `[A-Za-z0-9_-]`, so no log value can become a `javascript:` URL or an event
/// handler. Values longer than `maxTextLength` characters are cut (the alert stream keeps the whole value).
struct HTMLWriter {
    private(set) var bytes: [UInt8] = []
    var maxTextLength = 240
    /// Applied to every `String` written (text and attribute values): the scan's redactor, so no value in the
    /// page shows what the alert stream would have masked.
    var redact: ((String) -> String)?

    init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    /// A fixed fragment of markup written by this program.
    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Text content, escaped for element text and attribute values alike (`& < > " '`); C0/C1 controls and
    /// bidirectional overrides are shown as `?` so hostile text cannot reorder what surrounds it.
    mutating func text(_ s: String) {
        let s = redact?(s) ?? s
        var count = 0
        for scalar in s.unicodeScalars {
            count += 1
            if count > maxTextLength {
                bytes.append(contentsOf: [0xE2, 0x80, 0xA6])  // …
                return
            }
            appendEscaped(scalar)
        }
    }

    /// A number as text.
    mutating func text(_ n: some BinaryInteger) {
        bytes.append(contentsOf: String(n).utf8)
    }

    /// A number with thousands separators (12 345 678 as "12,345,678").
    mutating func grouped(_ n: some BinaryInteger) {
        bytes.append(contentsOf: groupedDigits(Int64(n)).utf8)
    }

    private mutating func appendEscaped(_ scalar: Unicode.Scalar) {
        switch scalar {
        case "&": bytes.append(contentsOf: "&amp;".utf8)
        case "<": bytes.append(contentsOf: "&lt;".utf8)
        case ">": bytes.append(contentsOf: "&gt;".utf8)
        case "\"": bytes.append(contentsOf: "&quot;".utf8)
        case "'": bytes.append(contentsOf: "&#39;".utf8)
        default:
            let v = scalar.value
            if (v < 0x20 && v != 0x09) || (v >= 0x7F && v < 0xA0) || (v >= 0x202A && v <= 0x202E)
                || (v >= 0x2066 && v <= 0x2069)
            {
                bytes.append(UInt8(ascii: "?"))
            } else {
                bytes.append(contentsOf: UTF8.encode(scalar)!)
            }
        }
    }

    /// The page's own stylesheet, built by this program from literals and numbers (never from log values).
    /// A `</` inside would end the element early, so it is refused.
    mutating func stylesheet(_ css: String) {
        precondition(!css.contains("</"), "stylesheet must not contain </")
        bytes.append(contentsOf: css.utf8)
    }

    /// `<tag a="v" …>`: names are literals, values are escaped.
    mutating func open(_ tag: StaticString, _ attributes: [Attribute] = []) {
        bytes.append(UInt8(ascii: "<"))
        raw(tag)
        for a in attributes {
            bytes.append(UInt8(ascii: " "))
            raw(a.name)
            if let v = a.value {
                bytes.append(contentsOf: "=\"".utf8)
                let (savedLength, savedRedact) = (maxTextLength, redact)
                maxTextLength = a.maxLength
                if !a.redacted { redact = nil }
                text(v)
                (maxTextLength, redact) = (savedLength, savedRedact)
                bytes.append(UInt8(ascii: "\""))
            }
        }
        bytes.append(UInt8(ascii: ">"))
    }

    mutating func close(_ tag: StaticString) {
        bytes.append(contentsOf: "</".utf8)
        raw(tag)
        bytes.append(UInt8(ascii: ">"))
    }

    /// `<tag …>body</tag>`.
    mutating func element(_ tag: StaticString, _ attributes: [Attribute] = [], _ body: (inout HTMLWriter) -> Void) {
        open(tag, attributes)
        body(&self)
        close(tag)
    }

    /// `<tag …>escaped text</tag>`.
    mutating func element(_ tag: StaticString, _ attributes: [Attribute] = [], text value: String) {
        open(tag, attributes)
        text(value)
        close(tag)
    }
}

/// One attribute: a literal name and an escaped value (nil: a boolean attribute such as `checked`).
struct Attribute {
    let name: StaticString
    let value: String?
    /// False only for geometry this program computes (SVG path data, coordinates): escaped, not redacted.
    var redacted = true
    var maxLength = 400

    init(_ name: StaticString, _ value: String?) {
        self.name = name
        self.value = value
    }

    /// Numbers and SVG path data computed by this program (no log value): escaped, never cut or redacted.
    static func geometry(_ name: StaticString, _ value: String) -> Attribute {
        var a = Attribute(name, value)
        a.redacted = false
        a.maxLength = .max
        return a
    }

    static func `class`(_ v: String) -> Attribute { Attribute("class", v) }
    static func id(_ a: Anchor) -> Attribute { Attribute("id", a.value) }
    /// A link inside the document: `href="#anchor"`.
    static func href(_ a: Anchor) -> Attribute { Attribute("href", "#" + a.value) }
    static func title(_ v: String) -> Attribute { Attribute("title", v) }
    static func flag(_ name: StaticString) -> Attribute { Attribute(name, nil) }
}

/// An element id or fragment made only of `[A-Za-z0-9_-]`: other characters are dropped, so a log value can
/// never close the attribute or name a URL scheme.
struct Anchor: Hashable {
    let value: String

    init(_ prefix: StaticString, _ raw: String) {
        var s = ""
        prefix.withUTF8Buffer { s = String(decoding: $0, as: UTF8.self) }
        for c in raw.unicodeScalars.prefix(64) {
            let v = c.value
            if (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x2D || v == 0x5F {
                s.unicodeScalars.append(c)
            }
        }
        value = s
    }
}

/// 12345678 as "12,345,678".
func groupedDigits(_ n: Int64) -> String {
    let digits = String(n.magnitude)
    var out = n < 0 ? "-" : ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return out
}
