import ReqwatchCore
import ReqwatchParse
import ReqwatchTestSupport
import Testing

@Suite struct CombinedLogParserTests {
    @Test func typicalCombinedLine() throws {
        let (o, r) = parseOne(
            #"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png?x=1&y=2 HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1)""#
        )
        #expect(o == .record)
        let p = try #require(r)
        #expect(p.time == utc(2015, 5, 17, 10, 5, 3))
        #expect(p.client == "83.149.9.216")
        #expect(p.peer == "83.149.9.216")
        #expect(p.method == .get)
        #expect(p.methodText == "GET")
        #expect(p.path == "/presentations/logstash-monitorama-2013/images/kibana-search.png")
        #expect(p.query == "x=1&y=2")
        #expect(p.proto == "HTTP/1.1")
        #expect(p.status == 200)
        #expect(p.bytes == 203023)
        #expect(p.referer == "http://semicomplete.com/presentations/logstash-monitorama-2013/")
        #expect(p.userAgent == "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1)")
        #expect(p.user == nil)
        #expect(p.host == nil)
        #expect(p.duration == -1)
    }

    @Test func commonLineAndDashes() throws {
        let (o, r) = parseOne(#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 -"#)
        #expect(o == .record)
        let p = try #require(r)
        #expect(p.time == utc(2000, 10, 10, 20, 55, 36))
        #expect(p.user == "frank")
        #expect(p.bytes == -1)
        #expect(p.referer == nil)
        #expect(p.userAgent == nil)
        #expect(p.query == nil)
    }

    @Test(arguments: [
        ("+0000", utc(2020, 1, 4, 7, 25, 2)),
        ("+0530", utc(2020, 1, 4, 1, 55, 2)),
        ("-0700", utc(2020, 1, 4, 14, 25, 2)),
        ("-0930", utc(2020, 1, 4, 16, 55, 2)),
        ("+1400", utc(2020, 1, 3, 17, 25, 2)),
    ])
    func timezoneOffsets(zone: String, expected: Int64) throws {
        let (o, r) = parseOne(#"1.2.3.4 - - [04/Jan/2020:07:25:02 \#(zone)] "GET / HTTP/1.1" 200 1 "-" "-""#)
        #expect(o == .record)
        #expect(try #require(r).time == expected)
    }

    @Test func escapedQuotesInUserAgentAndPath() throws {
        let line =
            #"10.0.0.1 - - [01/Feb/2024:00:00:00 +0000] "GET /search?q=\"x\" HTTP/1.1" 200 5 "-" "Mozilla \"quoted\" agent\\""#
        let (o, r) = parseOne(line)
        #expect(o == .record)
        let p = try #require(r)
        #expect(p.path == "/search")
        #expect(p.query == #"q="x""#)
        #expect(p.userAgent == #"Mozilla "quoted" agent\"#)
        #expect(p.referer == nil)
    }

    @Test func nginxHexEscapes() throws {
        let line = #"10.0.0.1 - - [01/Feb/2024:00:00:00 +0000] "\x16\x03\x01\x00\xF1\x01" 400 157 "-" "-""#
        let (o, r) = parseOne(line)
        #expect(o == .record)
        let p = try #require(r)
        #expect(p.method == HTTPMethod.none)
        #expect(p.path == nil)
        #expect(p.status == 400)
        #expect(p.bytes == 157)
    }

    @Test func ipv6Client() throws {
        let (o, r) = parseOne(
            #"2001:DB8:0:0::1 - - [01/Feb/2024:00:00:00 +0100] "POST /api/v1/login HTTP/2.0" 401 12 "-" "curl/8.0""#)
        #expect(o == .record)
        let p = try #require(r)
        #expect(p.client == "2001:db8::1")
        #expect(p.method == .post)
        #expect(p.proto == "HTTP/2.0")
        #expect(p.status == 401)
        #expect(p.time == utc(2024, 1, 31, 23, 0, 0))
    }

    @Test func clientWithPortOrBrackets() throws {
        let a = parseOne(#"1.2.3.4:5678 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 1"#)
        #expect(a.1?.client == "1.2.3.4")
        let b = parseOne(#"[2001:db8::1] - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 1"#)
        #expect(b.1?.client == "2001:db8::1")
    }

    @Test func vhostPrefixAndTrailingExtras() throws {
        let (o, r) = parseOne(
            #"website.com:443 1.2.3.4 - - [25/Oct/2021:11:05:52 +0200] "GET /web/.well-known HTTP/1.1" 403 6963 "abc.com" "UA string" 0.123 0.120 "-""#
        )
        #expect(o == .record)
        let p = try #require(r)
        #expect(p.host == "website.com:443")
        #expect(p.client == "1.2.3.4")
        #expect(p.status == 403)
        #expect(p.referer == "abc.com")
        #expect(p.userAgent == "UA string")
    }

    @Test func trailingCarriageReturnAndSpaces() throws {
        let (o, r) = parseOne("1.1.1.1 - - [01/Jan/2024:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua x\" \r")
        #expect(o == .record)
        #expect(try #require(r).userAgent == "ua x")
        let (o2, r2) = parseOne("1.1.1.1 - - [01/Jan/2024:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1\r")
        #expect(o2 == .record)
        #expect(try #require(r2).bytes == 1)
    }

    @Test func syslogPrefix() throws {
        let (o, r) = parseOne(
            #"Sep 15 16:13:46 host.internal nginx[2869]: 81.150.104.130 - - [15/Sep/2021:16:13:46 +0000] "POST /wp-login.php HTTP/1.1" 200 5364 "-" "ua""#
        )
        #expect(o == .record)
        let p = try #require(r)
        #expect(p.client == "81.150.104.130")
        #expect(p.path == "/wp-login.php")
        #expect(p.host == nil)
    }

    @Test func missingIdentToken() throws {
        let (o, r) = parseOne(#"192.168.1.1 - [08/Jun/2020:08:04:43 +0000] "GET /api/test HTTP/1.1" 200 100 "-" "curl/7.68.0""#)
        #expect(o == .record)
        #expect(try #require(r).path == "/api/test")
    }

    @Test func requestLineShapes() throws {
        func req(_ s: String) -> Parsed? {
            parseOne(#"1.1.1.1 - - [01/Jan/2024:00:00:00 +0000] "\#(s)" 400 0 "-" "-""#).1
        }
        let abs = try #require(req("GET http://example.com:8080/a/b?c=d HTTP/1.1"))
        #expect(abs.host == "example.com:8080")
        #expect(abs.path == "/a/b")
        #expect(abs.query == "c=d")
        let bare = try #require(req("GET http://example.com HTTP/1.1"))
        #expect(bare.host == "example.com")
        #expect(bare.path == "/")
        let connect = try #require(req("CONNECT proxy.example:443 HTTP/1.1"))
        #expect(connect.method == .connect)
        #expect(connect.host == "proxy.example:443")
        #expect(connect.path == nil)
        let dash = try #require(req("-"))
        #expect(dash.method == HTTPMethod.none)
        #expect(dash.path == nil)
        let empty = try #require(req(""))
        #expect(empty.method == HTTPMethod.none)
        let other = try #require(req("SEARCH /x HTTP/1.1"))
        #expect(other.method == .other)
        #expect(other.methodText == "SEARCH")
        let spaces = try #require(req("GET /a b c HTTP/1.1"))
        #expect(spaces.path == "/a b c")
        #expect(spaces.proto == "HTTP/1.1")
        let noProto = try #require(req("GET /only"))
        #expect(noProto.path == "/only")
        #expect(noProto.proto == nil)
        let emptyQuery = try #require(req("GET /q? HTTP/1.1"))
        #expect(emptyQuery.query == "")
        let star = try #require(req("OPTIONS * HTTP/1.1"))
        #expect(star.path == "*")
        let garbage = try #require(req("Gh0st\\xAD\\x00\\x00"))
        #expect(garbage.method == HTTPMethod.none)
        let lower = try #require(req("get / HTTP/1.1"))
        #expect(lower.method == HTTPMethod.none)
    }

    @Test func unescapedQuoteInsideRequest() throws {
        let (o, r) = parseOne(#"1.1.1.1 - - [01/Jan/2024:00:00:00 +0000] "GET /a"b HTTP/1.1" 404 0 "-" "-""#)
        #expect(o == .record)
        #expect(try #require(r).path == #"/a"b"#)
    }

    @Test(arguments: [
        ("", ParseOutcome.skip),
        ("   ", .skip),
        ("# comment", .skip),
        ("garbage without date", .malformed(.missingField)),
        (#"host.example - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 1"#, .malformed(.badClientAddress)),
        (#"1.1.1.1 - - [01/Foo/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 1"#, .malformed(.badTimestamp)),
        (#"1.1.1.1 - - [31/Feb/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 1"#, .malformed(.badTimestamp)),
        (#"1.1.1.1 - - [01/Jan/2024:00:00:00 +0000 "GET / HTTP/1.1" 200 1"#, .malformed(.badTimestamp)),
        (#"1.1.1.1 - - [01/Jan/2024:00:00:00 +0000] GET / HTTP/1.1 200 1"#, .malformed(.badRequestLine)),
        (#"1.1.1.1 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 2000 1"#, .malformed(.badStatus)),
        (#"1.1.1.1 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" abc 1"#, .malformed(.badStatus)),
        (#"1.1.1.1 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 12x"#, .malformed(.badBytes)),
        (#"1.1.1.1 - - [01/Jan/2024:00:00:00 +0000]"#, .malformed(.badRequestLine)),
        (#"1.1.1.1 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200"#, .record),
    ])
    func outcomes(line: String, expected: ParseOutcome) {
        #expect(parseOne(line).0 == expected)
    }

    @Test func recordsShareOneArena() throws {
        var parser = CombinedLogParser()
        var batch = RecordBatch(origin: InputOrigin(path: "t"))
        let lines = [
            #"1.1.1.1 - alice [01/Jan/2024:00:00:00 +0000] "GET /one HTTP/1.1" 200 1 "-" "a""#,
            #"2.2.2.2 - bob [01/Jan/2024:00:00:01 +0000] "GET /two HTTP/1.1" 200 2 "-" "b""#,
        ]
        for line in lines {
            var record = RequestRecord()
            var bytes = Array(line.utf8)
            let o = bytes.withUnsafeMutableBufferPointer { p in parser.parse(UnsafeBufferPointer(p).span, into: &record, batch: &batch) }
            #expect(o == .record)
            batch.records.append(record)
        }
        #expect(batch.string(batch.records[0].path) == "/one")
        #expect(batch.string(batch.records[1].path) == "/two")
        #expect(batch.string(batch.records[1].user) == "bob")
        #expect(batch.arena.count == lines.map(\.utf8.count).reduce(0, +))
        // A malformed line leaves the arena as it was.
        var record = RequestRecord()
        let bad = Array("1.1.1.1 - - [garbage".utf8)
        let before = batch.arena.count
        let o = bad.withUnsafeBufferPointer { p in parser.parse(p.span, into: &record, batch: &batch) }
        #expect(o == .malformed(.missingField))
        #expect(batch.arena.count == before)
    }
}

@Suite struct ParseSupportTests {
    @Test func parseBatchHelper() {
        let (batch, malformed) = parseBatch([
            #"1.1.1.1 - - [01/Jan/2024:00:00:00 +0000] "GET /a HTTP/1.1" 200 1 "-" "x""#,
            "# comment",
            "junk",
            #"2.2.2.2 - - [01/Jan/2024:00:00:01 +0000] "GET /b HTTP/1.1" 404 1 "-" "y""#,
        ])
        #expect(batch.records.count == 2)
        #expect(malformed == [.missingField])
        #expect(batch.records[1].lineNumber == 4)
        #expect(batch.records[1].byteOffset == Int64(73 + 10 + 5))
        #expect(batch.string(batch.records[1].path) == "/b")
    }
}
