import Foundation
import ReqwatchCore
import ReqwatchRedact
import Testing

@Suite struct RecordRedactionTests {
    @Test func schemaAndPlainFieldsSurvive() throws {
        var req = TestRequest(path: "/users/1", query: "a=b")
        req.referer = "https://x/"
        req.user = "alice"
        req.host = "api.example.com"
        req.headers = [("Authorization", Samples.bearer), ("Accept", "application/json")]
        let (line, audit) = redactLine(req, maskRedactor())
        let obj = try parseJSON(line)
        #expect(obj["@timestamp"] as? String == "2024-05-17T10:05:03.000Z")
        #expect(dig(obj, "source.ip") as? String == "10.0.0.1")
        #expect(dig(obj, "client.ip") as? String == "10.0.0.1")
        #expect(dig(obj, "user.name") as? String == "alice")
        #expect(dig(obj, "http.version") as? String == "1.1")
        #expect(dig(obj, "http.request.method") as? String == "GET")
        #expect(dig(obj, "http.request.referrer") as? String == "https://x/")
        #expect(dig(obj, "http.request.headers.Authorization") as? String == "[REDACTED:bearer]")
        #expect(dig(obj, "http.request.headers.Accept") as? String == "application/json")
        #expect(dig(obj, "http.response.status_code") as? Int == 200)
        #expect(dig(obj, "http.response.body.bytes") as? Int == 123)
        #expect(dig(obj, "url.path") as? String == "/users/1")
        #expect(dig(obj, "url.query") as? String == "a=b")
        #expect(dig(obj, "url.domain") as? String == "api.example.com")
        #expect(dig(obj, "user_agent.original") as? String == "curl/8.4.0")
        #expect(dig(obj, "event.duration") as? Int == 1_500_000)
        #expect(audit.total == 1)
        #expect(audit.byKind["bearer"] == 1)
        #expect(audit.byField["header.authorization"] == 1)
    }

    @Test func ipv6Formatting() throws {
        var req = TestRequest()
        req.clientIP = IPAddress(high: 0x2001_0db8_0000_0000, low: 0x0000_0000_0000_0001)
        let (line, _) = redactLine(req, maskRedactor())
        #expect(dig(try parseJSON(line), "client.ip") as? String == "2001:db8::1")
    }

    @Test(arguments: ["apiKey", "api-key", "API_KEY", "api_key", "Api.Key", "password", "new_password", "client_secret",
                      "access_token", "refresh_token", "X-Auth-Token", "sessionid", "cvv", "card_number", "ssn", "pin", "otp"])
    func sensitiveQueryKeys(key: String) throws {
        let (line, audit) = redactLine(TestRequest(path: "/x", query: "page=2&\(key)=hunter2value&q=shoes"), maskRedactor())
        let q = try #require(dig(try parseJSON(line), "url.query") as? String)
        #expect(!q.contains("hunter2value"))
        #expect(q.hasPrefix("page=2&\(key)=[REDACTED:"))
        #expect(q.hasSuffix("&q=shoes"))
        #expect(audit.byField["query.\(key)"] == 1)
    }

    @Test func urlEncodedAndDoubleEncodedValues() throws {
        let jwtEnc = Samples.jwt.replacingOccurrences(of: ".", with: "%2E")
        let jwtDouble = jwtEnc.replacingOccurrences(of: "%", with: "%25")
        let email = "jane%40example.com"
        let emailDouble = "jane%2540example.com"
        let key = "%61pi%5Fkey"  // api_key
        let query = "a=\(jwtEnc)&b=\(jwtDouble)&c=\(email)&d=\(emailDouble)&\(key)=zzzsecretzzz"
        let (line, audit) = redactLine(TestRequest(path: "/s", query: query), maskRedactor())
        let q = try #require(dig(try parseJSON(line), "url.query") as? String)
        #expect(q == "a=[REDACTED:jwt]&b=[REDACTED:jwt]&c=[REDACTED:email]&d=[REDACTED:email]&\(key)=[REDACTED:api-key]")
        #expect(audit.total == 5)
    }

    @Test func secretsInsideSearchTermsKeepTheRest() throws {
        let (line, _) = redactLine(TestRequest(path: "/search", query: "q=my+key+\(Samples.github)+please"), maskRedactor())
        let q = try #require(dig(try parseJSON(line), "url.query") as? String)
        #expect(!q.contains(Samples.github))
        #expect(q.contains("[REDACTED:github-token]"))
        #expect(q.hasPrefix("q=my+key+"))  // issue 13: the rest of the query keeps its encoding
    }

    @Test(arguments: [
        ("/reset/8f3KqLz0aB19xYw7Tq2mNcVb", "/reset/[REDACTED:path-token]"),
        ("/unsubscribe/c2VjcmV0LXRva2VuLTEyMzQ1Ng", "/unsubscribe/[REDACTED:path-token]"),
        ("/api-keys/\(Samples.stripe)", "/api-keys/[REDACTED:stripe-key]"),
        ("/verify/\(Samples.jwt)/done", "/verify/[REDACTED:jwt]/done"),
        ("/users/550e8400-e29b-41d4-a716-446655440000/orders", "/users/550e8400-e29b-41d4-a716-446655440000/orders"),
        ("/reset/help", "/reset/help"),
        ("/files/\(Samples.awsAccess)", "/files/[REDACTED:aws-access-key]"),
        ("/commits/9fceb02d0ae598e95dc970b74767f19372d61af8", "/commits/9fceb02d0ae598e95dc970b74767f19372d61af8"),
    ])
    func pathSegments(path: String, expected: String) throws {
        let (line, _) = redactLine(TestRequest(path: path), maskRedactor())
        #expect(dig(try parseJSON(line), "url.path") as? String == expected)
    }

    @Test func headers() throws {
        var req = TestRequest()
        req.headers = [
            ("Cookie", "sid=abc123; theme=dark"), ("Set-Cookie", "session=xyz; HttpOnly"), ("X-Api-Key", "k-12345"),
            ("Proxy-Authorization", Samples.basic), ("X-Auth-Token", "tok"), ("X-Custom-Secret", "s3cr3t"),
            ("X-Request-Id", "req-42"), ("X-Note", "contact jane@example.com"), ("Referer", "https://a/reset?token=abc123"),
        ]
        let (line, _) = redactLine(req, maskRedactor())
        let obj = try parseJSON(line)
        let h = try #require(dig(obj, "http.request.headers") as? [String: Any])
        // Issue 13: cookies pair by pair, names and harmless pairs kept.
        #expect(h["Cookie"] as? String == "sid=[REDACTED:session]; theme=dark")
        #expect(h["Set-Cookie"] as? String == "session=[REDACTED:session]; HttpOnly")
        #expect(h["X-Api-Key"] as? String == "[REDACTED:api-key]")
        #expect(h["Proxy-Authorization"] as? String == "[REDACTED:basic]")
        #expect(h["X-Auth-Token"] as? String == "[REDACTED:token]")
        #expect(h["X-Custom-Secret"] as? String == "[REDACTED:secret]")
        #expect(h["X-Request-Id"] as? String == "req-42")
        #expect(h["X-Note"] as? String == "contact [REDACTED:email]")
        #expect(h["Referer"] as? String == "https://a/reset?token=[REDACTED:token]")
    }

    @Test func configuredHeaderAndFieldRules() throws {
        let r = maskRedactor {
            $0.extraHeaders = ["X-Internal"]
            $0.fieldRules = ["query.token": false, "body.user.member_no": true, "query.ref": true]
        }
        var req = TestRequest(path: "/p", query: "token=keepme&ref=abc")
        req.headers = [("X-Internal", "hidden")]
        req.body = #"{"user":{"member_no":"M-1234","name":"bob"}}"#
        let (line, _) = redactLine(req, r)
        let obj = try parseJSON(line)
        #expect(dig(obj, "url.query") as? String == "token=keepme&ref=[REDACTED:secret]")
        #expect(dig(obj, "http.request.headers.X-Internal") as? String == "[REDACTED:secret]")
        let body = try #require(dig(obj, "http.request.body.content") as? String)
        let inner = try parseJSON(body)
        #expect(dig(inner, "user.member_no") as? String == "[REDACTED:secret]")
        #expect(dig(inner, "user.name") as? String == "bob")
    }

    @Test func extraAndKeptKeys() throws {
        let r = maskRedactor {
            $0.extraKeys = ["memberNo"]
            $0.keptKeys = ["session"]
        }
        let (line, _) = redactLine(TestRequest(path: "/p", query: "member_no=77&session=abc&sessionid=def"), r)
        #expect(dig(try parseJSON(line), "url.query") as? String
            == "member_no=[REDACTED:secret]&session=abc&sessionid=[REDACTED:session]")
    }

    @Test func nestedAndEscapedJSONBodyStaysValid() throws {
        let body = #"""
            {"user":{"email":"a\u0040b.com","profile":{"password":"p\"w\\d","tags":["x","4111111111111111"]},
             "cards":[{"card_number":4111111111111111,"cvv":123,"exp":"12/29"}]},
             "note":"token=abc123 and \n newline \u2028","auth":{"nested":{"deep":["s1",{"k":"s2"}]}},
             "count":42,"ok":true,"nothing":null,"order":"4111 1111 1111 1112"}
            """#
        var req = TestRequest(method: .post, path: "/api/users")
        req.body = body
        let (line, audit) = redactLine(req, maskRedactor())
        let obj = try parseJSON(line)
        let content = try #require(dig(obj, "http.request.body.content") as? String)
        let inner = try parseJSON(content)
        #expect(dig(inner, "user.email") as? String == "[REDACTED:email]")
        #expect(dig(inner, "user.profile.password") as? String == "[REDACTED:password]")
        #expect((dig(inner, "user.profile.tags") as? [String]) == ["x", "[REDACTED:card]"])
        let card = try #require((dig(inner, "user.cards") as? [[String: Any]])?.first)
        #expect(card["card_number"] as? String == "[REDACTED:card]")
        #expect(card["cvv"] as? String == "[REDACTED:card-data]")
        #expect(card["exp"] as? String == "12/29")
        #expect(inner["note"] as? String == "token=[REDACTED:token] and \n newline \u{2028}")
        #expect(dig(inner, "auth.nested") as? [String: Any] != nil)
        let deep = try #require(dig(inner, "auth.nested.deep") as? [Any])
        #expect(deep.first as? String == "[REDACTED:authorization]")
        #expect((deep.last as? [String: Any])?["k"] as? String == "[REDACTED:authorization]")
        #expect(inner["count"] as? Int == 42)
        #expect(inner["ok"] as? Bool == true)
        #expect(inner["order"] as? String == "4111 1111 1111 1112")
        #expect(!content.contains("p\\\"w"))
        #expect(audit.byField["body.user.profile.password"] == 1)
    }

    @Test func formBodyAndTextBody() throws {
        var req = TestRequest(method: .post, path: "/login")
        req.body = "username=bob&password=hunter2&remember=1"
        let (line, _) = redactLine(req, maskRedactor())
        #expect(dig(try parseJSON(line), "http.request.body.content") as? String
            == "username=bob&password=[REDACTED:password]&remember=1")
        req.body = "hello, my card is 4111-1111-1111-1111 and pwd: letmein"
        let (line2, _) = redactLine(req, maskRedactor())
        #expect(dig(try parseJSON(line2), "http.request.body.content") as? String
            == "hello, my card is [REDACTED:card] and pwd: [REDACTED:password]")
    }

    @Test func malformedJSONBodyIsStillScanned() throws {
        var req = TestRequest(method: .post, path: "/x")
        req.body = #"{"password":"abc", "x": "unterminated \#(Samples.jwt)"#
        let (line, _) = redactLine(req, maskRedactor())
        let content = try #require(dig(try parseJSON(line), "http.request.body.content") as? String)
        #expect(!content.contains("abc\""))
        #expect(!content.contains(Samples.jwt))
    }

    @Test func userAgentAndUserName() throws {
        var req = TestRequest()
        req.userAgent = "MyApp/1.0 (token=\(Samples.stripe))"
        req.user = "jane@example.com"
        let (line, _) = redactLine(req, maskRedactor())
        let obj = try parseJSON(line)
        #expect(dig(obj, "user_agent.original") as? String == "MyApp/1.0 (token=[REDACTED:stripe-key])")
        #expect(dig(obj, "user.name") as? String == "[REDACTED:email]")
    }

    @Test func explainListsEveryHitMasked() {
        var req = TestRequest(path: "/reset/8f3KqLz0aB19xYw7Tq2mNcVb", query: "token=\(Samples.jwt)")
        req.headers = [("Authorization", Samples.bearer)]
        let b = req.batch()
        let hits = maskRedactor().explain(b.records[0], in: b)
        #expect(hits.count == 3)
        #expect(hits.contains(RedactionHit(field: "query.token", kind: "jwt", rule: "key", preview: "[REDACTED:jwt] (\(Samples.jwt.utf8.count) bytes)")))
        #expect(hits.contains { $0.field == "path" && $0.rule == "path-keyword" && $0.kind == "path-token" })
        #expect(hits.contains { $0.field == "header.authorization" && $0.kind == "bearer" && $0.rule == "header" })
        for h in hits { #expect(!h.preview.contains("eyJ") && !h.preview.contains("8f3K")) }
    }
}
