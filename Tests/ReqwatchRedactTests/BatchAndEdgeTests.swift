import Foundation
import ReqwatchCore
import ReqwatchRedact
import Testing

@Suite struct BatchAndEdgeTests {
    @Test func writeRecordsEqualsPerRecordWrites() {
        var batch = RecordBatch(origin: InputOrigin(path: "t"))
        var body = TestRequest(method: .post, path: "/login")
        body.body = #"{"password":"x","n":[1,2,{"token":"y"}]}"#
        let reqs = [
            TestRequest(path: "/a", query: "token=\(Samples.jwt)"), body,
            TestRequest(path: "/reset/8f3KqLz0aB19xYw7Tq2mNcVb"), TestRequest(path: "/plain", query: "q=1"),
        ]
        for r in reqs { r.append(to: &batch) }
        let redactor = maskRedactor()
        var one: [UInt8] = []
        var auditOne = RedactionAudit()
        for r in batch.records { redactor.writeRecord(r, in: batch, into: &one, audit: &auditOne) }
        var all: [UInt8] = []
        var auditAll = RedactionAudit()
        redactor.writeRecords(in: batch, into: &all, audit: &auditAll)
        #expect(one == all)
        #expect(auditOne == auditAll)
        #expect(String(decoding: all, as: UTF8.self).split(separator: "\n").count == 4)
        #expect(auditAll.total == 4)
    }

    @Test func timestampsAndNumbersMatchReferenceFormatting() throws {
        var rng = SplitMix64Local(seed: 99)
        for _ in 0..<300 {
            var req = TestRequest()
            req.time = Timestamp(microseconds: Int64(rng.next() % 4_000_000_000_000_000))
            req.status = UInt16(rng.next() % 600)
            let (line, _) = redactLine(req, maskRedactor())
            let obj = try parseJSON(line)
            #expect(obj["@timestamp"] as? String == req.time.iso8601)
            if req.status != 0 { #expect(dig(obj, "http.response.status_code") as? Int == Int(req.status)) }
            #expect(dig(obj, "event.duration") as? Int == 1_500_000)
        }
    }

    @Test func matrixParameterInPath() throws {
        let (line, _) = redactLine(TestRequest(path: "/login;jsessionid=A1B2C3D4E5F6"), maskRedactor())
        let path = try #require(dig(try parseJSON(line), "url.path") as? String)
        #expect(!path.contains("A1B2C3D4E5F6"))
        #expect(path.hasPrefix("/login;jsessionid=[REDACTED:session]"))
    }

    @Test func oauthCallbackIsRedactedButNotAnExposure() {
        let redactor = maskRedactor()
        let req = TestRequest(path: "/oauth/callback", query: "code=SplxlOBeZQQYbYS6WxSbIA&state=xyz")
        let (line, _) = redactLine(req, redactor)
        #expect(!line.contains("SplxlOBeZQQYbYS6WxSbIA"))
        #expect(line.contains("state=xyz"))
        var det = ExposedCredentialDetector(redactor: redactor)
        let batch = req.batch()
        var ctx = BatchContext()
        ctx.clientKeys = [1]
        ctx.routeIDs = [-1]
        var alerts: [Alert] = []
        det.observe(batch, context: ctx, into: &alerts)
        #expect(alerts.isEmpty)
    }

    @Test func fragmentTokensAreRedacted() throws {
        var req = TestRequest(path: "/")
        req.referer = "https://app.example.com/cb#access_token=abcdef123456&token_type=bearer"
        let (line, _) = redactLine(req, maskRedactor())
        #expect(dig(try parseJSON(line), "http.request.referrer") as? String
            == "https://app.example.com/cb#access_token=[REDACTED:token]&token_type=bearer")  // issue 13: metadata
    }

    @Test func hostileBytesEverywhere() throws {
        var rng = SplitMix64Local(seed: 7)
        let redactor = maskRedactor()
        for _ in 0..<300 {
            let n = Int(rng.next() % 400)
            var bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if rng.next() % 3 == 0 { bytes += Array("{\"password\":\"".utf8) }
            let text = String(decoding: bytes, as: UTF8.self)
            var req = TestRequest(path: "/" + text, query: text)
            req.body = (rng.next() % 2 == 0 ? "{" : "") + text
            req.headers = [(text, text), ("Authorization", text)]
            req.userAgent = text
            req.referer = text
            let (line, _) = redactLine(req, redactor)
            _ = try parseJSON(line)  // always one valid JSON object
        }
    }
}

/// Local copy so this file does not depend on the import order of ReqwatchTestSupport.
struct SplitMix64Local {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
