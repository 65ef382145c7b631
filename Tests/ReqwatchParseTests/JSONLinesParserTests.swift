import ReqwatchCore
import ReqwatchParse
import ReqwatchTestSupport
import Testing

@Suite struct JSONLinesParserTests {
    static let caddyLine =
        #"{"level":"info","ts":1693840791.7564995,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"172.17.0.1","remote_port":"44790","client_ip":"127.0.0.1","proto":"HTTP/1.0","method":"GET","host":"127.0.0.1:8080","uri":"/a/b?x=1","headers":{"X-Forwarded-Port":["80"],"User-Agent":["curl/7.74.0"],"Accept":["*/*"],"X-Forwarded-For":["127.0.0.1"]}},"bytes_read":0,"user_id":"","duration":0.000002701,"size":12,"status":404,"resp_headers":{"Server":["Caddy"]}}"#

    @Test func caddyLine() throws {
        let (o, r) = parseOne(Self.caddyLine, .json(.caddy))
        #expect(o == .record)
        let p = try #require(r)
        #expect(p.time == 1_693_840_791_756_499)
        #expect(p.peer == "172.17.0.1")
        #expect(p.client == "127.0.0.1")
        #expect(p.method == .get)
        #expect(p.path == "/a/b")
        #expect(p.query == "x=1")
        #expect(p.proto == "HTTP/1.0")
        #expect(p.host == "127.0.0.1:8080")
        #expect(p.userAgent == "curl/7.74.0")
        #expect(p.forwardedFor == "127.0.0.1")
        #expect(p.user == nil)
        #expect(p.duration == 2)
        #expect(p.bytes == 12)
        #expect(p.status == 404)
        #expect(p.headers == ["X-Forwarded-Port: 80", "User-Agent: curl/7.74.0", "Accept: */*", "X-Forwarded-For: 127.0.0.1"])
    }

    /// Shapes of other loggers that the generic map reads without `--field-map`: Node (pino/morgan style, nested
    /// `req`/`res`) and Logstash style (`clientip`, `verb`, `request` holding only the target, `response`).
    @Test func genericLoggerShapes() throws {
        let pino = #"{"time":"2024-05-01T10:00:01.123Z","req":{"method":"POST","url":"/api/login?next=%2F","remoteAddress":"203.0.113.8","headers":{"user-agent":"curl/8.4.0"}},"res":{"statusCode":401}}"#
        let logstash = #"{"@timestamp":"2024-05-01T10:00:03Z","clientip":"203.0.113.6","verb":"GET","request":"/phpinfo.php?a=1","response":404,"agent":"x"}"#
        let bare = #"{"@timestamp":"2024-05-01T10:00:03Z","clientip":"203.0.113.5","request":"/index.html","response":200}"#
        for (line, path, method, status, ip) in [(pino, "/api/login", HTTPMethod.post, UInt16(401), "203.0.113.8"),
                                                  (logstash, "/phpinfo.php", .get, 404, "203.0.113.6"),
                                                  (bare, "/index.html", .none, 200, "203.0.113.5")] {
            let format = try #require(FormatSniffer.sniff([Array(line.utf8)]))
            let (o, r) = parseOne(line, format)
            #expect(o == .record, "\(line)")
            let p = try #require(r)
            #expect(p.path == path)
            #expect(p.method == method)
            #expect(p.status == status)
            #expect(p.client == ip)
            // A target-only `request` is not mistaken for a request line that is not HTTP.
            if method == .none { #expect(p.methodText == nil) }
        }
    }

    /// The parser tracks each path with one bit of a 64-bit mask: a preset with more paths would silently lose
    /// its last fields (the generic map once lost `request_body` that way).
    @Test func presetsFitTheParser() {
        for map in [FieldMap.caddy, .ecs, .nginxJSON, .traefik, .generic] {
            let total = map.paths.values.reduce(0) { $0 + $1.count }
            #expect(total <= JSONLinesParser.maxEntries, "\(map.name): \(total) paths")
        }
    }

    @Test func caddySampleFile() throws {
        let lines = try fileLines(fixture("caddy-logs.log"))
        var parser = makeParser(.json(.caddy), options: ParseOptions())
        var outcomes: [ParseOutcome] = []
        var users: [String] = []
        for line in lines {
            let (o, p) = parseOne(line, parser: &parser)
            outcomes.append(o)
            if let u = p?.user { users.append(u) }
        }
        // 12 lines: 10 access-log lines, 1 reverse-proxy debug line without request fields, 1 blank line.
        #expect(outcomes.count == 12)
        #expect(outcomes.filter { $0 == .record }.count == 10)
        #expect(outcomes[10] == .malformed(.missingField))
        #expect(outcomes[11] == .skip)
        #expect(users.contains("Bob"))
    }

    @Test func nginxJSONLine() throws {
        let line =
            #"{"time_iso8601":"2024-05-17T12:05:03+02:00","remote_addr":"2001:db8::7","remote_user":"-","request":"POST /api/login?next=%2F HTTP/1.1","request_method":"POST","request_uri":"/api/login?next=%2F","status":"401","body_bytes_sent":"57","http_referer":"","http_user_agent":"Mozilla/5.0 \"Evil\" \u00e9\ud83d\ude00","request_time":"0.015","http_x_forwarded_for":"-"}"#
        let (o, r) = parseOne(line, .json(.nginxJSON))
        #expect(o == .record)
        let p = try #require(r)
        #expect(p.time == utc(2024, 5, 17, 10, 5, 3))
        #expect(p.client == "2001:db8::7")
        #expect(p.user == nil)
        #expect(p.method == .post)
        #expect(p.path == "/api/login")
        #expect(p.query == "next=%2F")
        #expect(p.proto == "HTTP/1.1")
        #expect(p.status == 401)
        #expect(p.bytes == 57)
        #expect(p.referer == nil)
        #expect(p.userAgent == "Mozilla/5.0 \"Evil\" é😀")
        #expect(p.duration == 15000)
        #expect(p.forwardedFor == nil)
    }

    @Test func nginxTimeVariants() throws {
        let local = parseOne(#"{"time_local":"17/May/2015:10:05:03 -0130","remote_addr":"1.2.3.4","request":"GET / HTTP/1.1","status":200}"#, .json(.nginxJSON))
        #expect(try #require(local.1).time == utc(2015, 5, 17, 11, 35, 3))
        let msec = parseOne(#"{"msec":"1431857103.123","remote_addr":"1.2.3.4","request":"GET / HTTP/1.1","status":200}"#, .json(.nginxJSON))
        #expect(try #require(msec.1).time == 1_431_857_103_123_000)
        #expect(try #require(msec.1).path == "/")
    }

    @Test func ecsStoreRecordRoundTrip() throws {
        let line =
            #"{"@timestamp":"2024-05-17T10:05:03.250Z","source":{"ip":"1.2.3.4"},"client":{"ip":"10.0.0.1"},"user":{"name":"alice"},"http":{"version":"1.1","request":{"method":"GET","referrer":"https://x/","headers":{"Authorization":"[REDACTED:bearer]"},"body":{"content":"{\"a\":1}"}},"response":{"status_code":200,"body":{"bytes":123}}},"url":{"path":"/users/1","query":"a=b","domain":"api.example.com"},"user_agent":{"original":"curl/8"},"event":{"duration":1500000}}"#
        let (o, r) = parseOne(line, .json(.ecs))
        #expect(o == .record)
        let p = try #require(r)
        #expect(p.time == utc(2024, 5, 17, 10, 5, 3, us: 250_000))
        #expect(p.peer == "1.2.3.4")
        #expect(p.client == "10.0.0.1")
        #expect(p.user == "alice")
        #expect(p.proto == "HTTP/1.1")
        #expect(p.method == .get)
        #expect(p.referer == "https://x/")
        #expect(p.headers == ["Authorization: [REDACTED:bearer]"])
        #expect(p.body == #"{"a":1}"#)
        #expect(p.status == 200)
        #expect(p.bytes == 123)
        #expect(p.path == "/users/1")
        #expect(p.query == "a=b")
        #expect(p.host == "api.example.com")
        #expect(p.userAgent == "curl/8")
        #expect(p.duration == 1500)
    }

    @Test func customFieldMapNestedAndBodyObject() throws {
        let map = try FieldMap([
            "time": "meta.when", "ip": "net.addr", "method": "req.verb", "path": "req.target", "status": "res.code",
            "user_agent": "req.headers.ua", "body": "req.payload", "duration": "ms", "duration_unit": "ms",
            "headers": "req.headers",
        ])
        let line =
            #"{"meta":{"when":1715940303000},"net":{"addr":"[2001:db8::1]:443"},"req":{"verb":"PATCH","target":"/v1/items/42","headers":{"ua":"app/1.0","x-n":[1,"a","b"]},"payload":{"password":"hunter2","list":[1,2,{"x":null}]}},"res":{"code":204},"ms":12.5}"#
        let (o, r) = parseOne(line, .json(map))
        #expect(o == .record)
        let p = try #require(r)
        #expect(p.time == 1_715_940_303_000_000)
        #expect(p.client == "2001:db8::1")
        #expect(p.method == .patch)
        #expect(p.path == "/v1/items/42")
        #expect(p.status == 204)
        #expect(p.userAgent == "app/1.0")
        #expect(p.body == #"{"password":"hunter2","list":[1,2,{"x":null}]}"#)
        #expect(p.duration == 12500)
        #expect(p.headers == ["ua: app/1.0", "x-n: a, b"])
    }

    @Test func fieldMapProblemsAreAllReported() {
        let (map, problems) = FieldMap.parse(["tiem": "t", "ip": "", "path": "a..b", "duration_unit": "h"])
        #expect(map == nil)
        #expect(problems.count == 4)
        #expect(throws: ReqwatchError.self) { try FieldMap(["nope": "x"]) }
    }

    @Test func fieldMapSpec() throws {
        let (map, problems) = FieldMap.parse(spec: " time=ts , ip=request.remote_ip,status=status,duration_unit=ms")
        #expect(problems.isEmpty)
        let m = try #require(map)
        #expect(m.paths[.ip] == [["request", "remote_ip"]])
        #expect(m.durationUnit == .ms)
        let (bad, errs) = FieldMap.parse(spec: "time=ts,oops,time=x,colour=red")
        #expect(bad == nil)
        #expect(errs.count == 3)
    }

    @Test func alternativesAndDuplicates() throws {
        let map = try FieldMap(["time": "t1|t2", "status": "s"])
        #expect(try #require(parseOne(#"{"t1":null,"t2":"2024-01-01T00:00:00Z","s":200}"#, .json(map)).1).time == utc(2024, 1, 1, 0, 0, 0))
        // Duplicate keys: the last occurrence wins.
        #expect(try #require(parseOne(#"{"t1":10,"s":200,"s":503}"#, .json(map)).1).status == 503)
    }

    @Test(arguments: [
        (#"{"ts":1646861401.5234}"#, Int64(1_646_861_401_523_400)),
        (#"{"ts":1646861401}"#, Int64(1_646_861_401_000_000)),
        (#"{"ts":1646861401523}"#, Int64(1_646_861_401_523_000)),
        (#"{"ts":1646861401523456}"#, Int64(1_646_861_401_523_456)),
        (#"{"ts":1646861401523456789}"#, Int64(1_646_861_401_523_456)),
        (#"{"ts":"1646861401.5"}"#, Int64(1_646_861_401_500_000)),
        (#"{"ts":1.6468614015e9}"#, Int64(1_646_861_401_500_000)),
        (#"{"ts":"2022-03-09T21:30:01.523456789-05:00"}"#, Int64(1_646_879_401_523_456)),
        (#"{"ts":"2022-03-09 21:30:01"}"#, Int64(1_646_861_401_000_000)),
        (#"{"ts":"2022-03-10T02:30:01+0000"}"#, Int64(1_646_879_401_000_000)),
        (#"{"ts":"[10/Mar/2022:02:30:01 +0000]"}"#, Int64(1_646_879_401_000_000)),
    ])
    func timeForms(json: String, expected: Int64) throws {
        let map = try FieldMap(["time": "ts", "status": "st"])
        let line = String(json.dropLast()) + #","st":200}"#
        let (o, r) = parseOne(line, .json(map))
        #expect(o == .record)
        #expect(r?.time == expected)
    }

    @Test(arguments: [
        ("", ParseOutcome.skip),
        ("  \t ", .skip),
        ("[1,2]", .malformed(.notJSONObject)),
        ("\"str\"", .malformed(.notJSONObject)),
        ("42", .malformed(.notJSONObject)),
        ("{", .malformed(.badJSON)),
        (#"{"time":"2024-01-01T00:00:00Z","status":200"#, .malformed(.badJSON)),
        (#"{"time":"2024-01-01T00:00:00Z","status":200}x"#, .malformed(.badJSON)),
        (#"{"time":"2024-01-01T00:00:00Z","status":200,}"#, .malformed(.badJSON)),
        (#"{"time":"2024-01-01T00:00:00Z" "status":200}"#, .malformed(.badJSON)),
        (#"{"time":"bad \q escape","status":200}"#, .malformed(.badJSON)),
        (#"{"time":"2024-01-01T00:00:00Z","status":tru}"#, .malformed(.badJSON)),
        (#"{"time":"2024-01-01T00:00:00Z","status":01.}"#, .malformed(.badJSON)),
        ("{\"time\":\"a\u{01}b\",\"status\":200}", .malformed(.badJSON)),
        (#"{"status":200}"#, .malformed(.missingField)),
        (#"{"time":"yesterday","status":200}"#, .malformed(.badTimestamp)),
        (#"{"time":"2024-01-01T00:00:00Z"}"#, .malformed(.missingField)),
        (#"{"time":"2024-01-01T00:00:00Z","status":"abc"}"#, .malformed(.badStatus)),
        (#"{"time":"2024-01-01T00:00:00Z","status":1000}"#, .malformed(.badStatus)),
        (#"{"time":"2024-01-01T00:00:00Z","status":200,"bytes":"lots"}"#, .malformed(.badBytes)),
        (#"{"time":"2024-01-01T00:00:00Z","status":200,"bytes":"-"}"#, .record),
        (#"{"time":"2024-01-01T00:00:00Z","status":200,"ip":"not-an-ip"}"#, .malformed(.badClientAddress)),
        (#"{"time":"2024-01-01T00:00:00Z","status":200,"ip":"fe80::1%eth0"}"#, .malformed(.badClientAddress)),
        (#"{"time":"2024-01-01T00:00:00Z","status":200,"ip":"-"}"#, .record),
        (#"{"time":"2024-01-01T00:00:00Z","status":200,"ip":""}"#, .record),
        (#"{"time":"2024-01-01T00:00:00Z","status":200,"ip":42}"#, .malformed(.badClientAddress)),
        (#"{"time":"2024-01-01T00:00:00Z","status":200,"x":{"a":[{},[],{"b":[null,true,false,-1.5e3]}]}}"#, .record),
        (#" {"time":"2024-01-01T00:00:00Z","status":200} "#, .record),
    ])
    func outcomes(line: String, expected: ParseOutcome) {
        let outcome = parseOne(line, .json(.generic)).0
        if case .malformed = expected {
            #expect(outcome == expected, "\(line)")
        } else {
            #expect(outcome == expected, "\(line)")
        }
    }

    @Test func depthCap() {
        let deep = #"{"time":"2024-01-01T00:00:00Z","status":200,"x":"# + String(repeating: "[", count: 100)
            + String(repeating: "]", count: 100) + "}"
        #expect(parseOne(deep, .json(.generic)).0 == .malformed(.badJSON))
        let ok = #"{"time":"2024-01-01T00:00:00Z","status":200,"x":"# + String(repeating: "[", count: 60)
            + String(repeating: "]", count: 60) + "}"
        #expect(parseOne(ok, .json(.generic)).0 == .record)
        let huge = String(repeating: "[", count: 100_000)
        #expect(parseOne("{\"a\":" + huge, .json(.generic)).0 == .malformed(.badJSON))
    }

    @Test func escapesInStrings() throws {
        let line =
            #"{"time":"2024-01-01T00:00:00Z","status":200,"path":"\/a\\b\u0041\n","user":"\ud800x","request_body":"k=v&p=\"1\""}"#
        let p = try #require(parseOne(line, .json(.generic)).1)
        #expect(p.path == "/a\\bA\n")
        #expect(p.user == "\u{FFFD}x")
        #expect(p.body == #"k=v&p="1""#)
    }

    @Test func traefikSample() throws {
        let lines = try fileLines(fixture("traefik_json.log"))
        var parser = makeParser(.json(.traefik), options: ParseOptions())
        var records: [Parsed] = []
        var outcomes: [ParseOutcome] = []
        for line in lines {
            let (o, p) = parseOne(line, parser: &parser)
            outcomes.append(o)
            if let p { records.append(p) }
        }
        // 7 lines: 5 requests, a plugin's plain-text DEBUG line, and one whose ClientHost is a list
        // ("192.168.1.100,10.0.0.50"), which is not one address.
        #expect(records.count == 5)
        #expect(outcomes[5] == .malformed(.notJSONObject))
        #expect(outcomes[6] == .malformed(.badClientAddress))
        let first = try #require(records.first)
        #expect(first.client == "172.17.0.1")
        #expect(first.path == "/594VAEoi.save")
        #expect(first.userAgent == "Nikto")
        #expect(first.duration == 357)
        #expect(first.time == utc(2021, 12, 8, 14, 2, 43, us: 587_782))
    }

    @Test func optionsFieldMapOverridesSniffedMap() throws {
        let custom = try FieldMap(["time": "when", "status": "code", "path": "p"])
        let line = #"{"when":"2024-01-01T00:00:00Z","code":201,"p":"/x?y=1"}"#
        #expect(parseOne(line, .json(.caddy)).0 == .malformed(.missingField))
        let p = try #require(parseOne(line, .json(.caddy), options: ParseOptions(fieldMap: custom)).1)
        #expect(p.status == 201)
        #expect(p.path == "/x")
        #expect(p.query == "y=1")
        #expect(SniffedFormat(.json, fieldMap: custom) == .json(custom))
        #expect(SniffedFormat(.json) == .json(.generic))
        #expect(SniffedFormat(.auto) == nil)
        #expect(SniffedFormat(.common) == .common)
        #expect(custom.name == "custom")
        #expect(SniffedFormat.json(.caddy).description == "json (caddy)")
    }

    @Test(arguments: [
        (#""1.5ms""#, Int64(1500)), (#""350ns""#, Int64(0)), (#""2.7µs""#, Int64(2)), (#""1m2.5s""#, Int64(62_500_000)),
        (#""0.25""#, Int64(250_000)), ("0.000002701", Int64(2)), ("5e-07", Int64(0)), ("1.5", Int64(1_500_000)),
        (#""1h""#, Int64(3_600_000_000)), (#""fast""#, Int64(-1)), (#""1x""#, Int64(-1)), ("-1", Int64(-1)),
    ])
    func durations(value: String, micros: Int64) throws {
        let line = #"{"ts":1700000000,"request":{"method":"GET","uri":"/"},"status":200,"duration":\#(value)}"#
        let p = try #require(parseOne(line, .json(.caddy)).1)
        #expect(p.duration == micros)
    }
}
