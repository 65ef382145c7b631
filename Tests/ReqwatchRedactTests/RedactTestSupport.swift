import Foundation
import ReqwatchCore
import ReqwatchRedact

/// A test record description with Strings; `make()` puts it into a batch.
struct TestRequest {
    var method: HTTPMethod = .get
    var path = "/"
    var query: String? = nil
    var headers: [(String, String)] = []
    var body: String? = nil
    var userAgent: String? = "curl/8.4.0"
    var referer: String? = nil
    var user: String? = nil
    var host: String? = nil
    var time = Timestamp.from(year: 2024, month: 5, day: 17, hour: 10, minute: 5, second: 3)
    var clientIP = IPAddress(ipv4: 0x0A00_0001)
    var status: UInt16 = 200

    func append(to batch: inout RecordBatch) {
        func put(_ s: String?) -> ByteRange {
            guard let s else { return .absent }
            return Array(s.utf8).withUnsafeBufferPointer { batch.append($0) }
        }
        var r = RequestRecord()
        r.time = time
        r.clientIP = clientIP
        r.peerIP = clientIP
        r.method = method
        r.path = put(path)
        r.query = put(query)
        r.protocolVersion = put("HTTP/1.1")
        r.status = status
        r.responseBytes = 123
        r.userAgent = put(userAgent)
        r.referer = put(referer)
        r.user = put(user)
        r.host = put(host)
        r.body = put(body)
        r.durationMicros = 1500
        r.headerStart = Int32(batch.headers.count)
        for (n, v) in headers { batch.headers.append(HeaderField(name: put(n), value: put(v))) }
        r.headerCount = Int32(headers.count)
        batch.records.append(r)
    }

    func batch() -> RecordBatch {
        var b = RecordBatch(origin: InputOrigin(path: "test"))
        append(to: &b)
        return b
    }
}

/// Redacts one request and returns the JSON line (without "\n") and the audit.
func redactLine(_ req: TestRequest, _ redactor: Redactor) -> (String, RedactionAudit) {
    let b = req.batch()
    var out: [UInt8] = []
    var audit = RedactionAudit()
    redactor.writeRecord(b.records[0], in: b, into: &out, audit: &audit)
    var s = String(decoding: out, as: UTF8.self)
    if s.hasSuffix("\n") { s.removeLast() }
    return (s, audit)
}

/// Parses a JSON line with Foundation (the test's independent check that output is valid JSON).
func parseJSON(_ line: String) throws -> [String: Any] {
    let obj = try JSONSerialization.jsonObject(with: Data(line.utf8))
    guard let d = obj as? [String: Any] else { throw CocoaError(.coderInvalidValue) }
    return d
}

func dig(_ obj: [String: Any], _ path: String) -> Any? {
    var cur: Any? = obj
    for part in path.split(separator: ".") {
        cur = (cur as? [String: Any])?[String(part)]
    }
    return cur
}

func maskRedactor(_ configure: (inout RedactConfiguration) -> Void = { _ in }) -> Redactor {
    var c = RedactConfiguration()
    configure(&c)
    // Force-try is fine in tests: the configuration is valid by construction.
    return try! Redactor(c)
}

func redactText(_ text: String, _ r: Redactor = maskRedactor()) -> String {
    var audit = RedactionAudit()
    return r.redact(text: text, field: "text", audit: &audit)
}

/// Planted secrets by kind (fixed examples; the corpus test generates more).
enum Samples {
    static let jwt =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    static let awsAccess = "AKIAIOSFODNN7EXAMPLE"
    static let awsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let github = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
    static let githubPAT = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
    static let stripe = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
    static let slack = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
    static let slackHook = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
    static let google = "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe"
    static let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1c7+9z5Pad7OejecsQ0bu\n-----END RSA PRIVATE KEY-----"
    static let card = "4111 1111 1111 1111"
    static let cardDashes = "5555-5555-5555-4444"
    static let cardPlain = "378282246310005"
    static let email = "jane.doe+news@example.co.uk"
    static let phone = "+14155552671"
    static let ssn = "123-45-6789"
    static let bearer = "Bearer abcDEF123456ghiJKL789"
    static let basic = "Basic dXNlcjpodW50ZXIy"
}
