import ReqwatchCore
import ReqwatchParse
import ReqwatchTestSupport
import Testing

@Suite struct FormatSnifferTests {
    @Test(.enabled(if: peersAvailable), arguments: [
        ("real/elastic-examples-apache_logs.log", SniffedFormat.combined),
        ("real/secrepo-2021_all.log", .combined),
        ("real/secrepo-access-2018-12-15.log", .combined),
        ("real/secrepo-access-2022-12-22.log", .combined),
        ("crowdsec/parser-nginx-logs/nginx_http-logs.log", .combined),
        ("crowdsec/parser-apache2-logs/apache2-logs.log", .combined),
        ("crowdsec/http-probing/nginx-http-malformed.log", .combined),
        ("crowdsec/http-probing/apache-http-probing.log", .common),  // 76 of 77 lines are common
        ("crowdsec/http-sensitive-files/apache2-http-sensitive-files.log", .common),
        ("crowdsec/parser-caddy-json/caddy-logs.log", .json(.caddy)),
        ("crowdsec/parser-traefik/traefik_json.log", .json(.traefik)),
        ("crowdsec/parser-traefik/traefik_clf.log", .combined),
    ])
    func sampleFiles(path: String, expected: SniffedFormat) throws {
        let lines = try fileLines(peersTestdata(path))
        #expect(FormatSniffer.sniff(Array(lines.prefix(40))) == expected)
    }

    @Test(arguments: [
        ("caddy-logs.log", SniffedFormat.json(.caddy)), ("traefik_json.log", .json(.traefik)),
        ("nginx_http-logs.log", .combined), ("apache2-logs.log", .combined),
    ])
    func fixtureFiles(name: String, expected: SniffedFormat) throws {
        #expect(FormatSniffer.sniff(try fileLines(fixture(name))) == expected)
    }

    @Test func commonLog() {
        let lines = (0..<5).map { i in
            Array(#"127.0.0.\#(i) - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#.utf8)
        }
        #expect(FormatSniffer.sniff(lines) == .common)
    }

    @Test func jsonPresets() {
        let nginx = [Array(#"{"time_local":"17/May/2015:10:05:03 +0000","remote_addr":"1.2.3.4","request":"GET / HTTP/1.1","status":"200","body_bytes_sent":"12","http_user_agent":"x"}"#.utf8)]
        #expect(FormatSniffer.sniff(nginx) == .json(.nginxJSON))
        let ecs = [Array(#"{"@timestamp":"2024-05-17T10:05:03.000Z","source":{"ip":"1.2.3.4"},"http":{"request":{"method":"GET"},"response":{"status_code":200}},"url":{"path":"/x"}}"#.utf8)]
        #expect(FormatSniffer.sniff(ecs) == .json(.ecs))
        let generic = [Array(#"{"timestamp":"2024-05-17T10:05:03Z","ip":"1.2.3.4","method":"GET","path":"/x","status":200}"#.utf8)]
        #expect(FormatSniffer.sniff(generic) == .json(.generic))
    }

    @Test func prefixBytes() throws {
        let data = try readFileBytes(fixture("caddy-logs.log"))
        #expect(FormatSniffer.sniff(prefix: Array(data.prefix(3000)), atEnd: false) == .json(.caddy))
        let common = Array("127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326\r\n".utf8)
        #expect(FormatSniffer.sniff(prefix: common, atEnd: false) == .common)
        // A cut-off last line is ignored unless the input ended.
        let cut = Array(#"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326"#.utf8)
        #expect(FormatSniffer.sniff(prefix: cut, atEnd: false) == nil)
        #expect(FormatSniffer.sniff(prefix: cut, atEnd: true) == .common)
    }

    @Test func undecidable() {
        #expect(FormatSniffer.sniff([]) == nil)
        #expect(FormatSniffer.sniff([Array("hello world".utf8), Array("foo".utf8)]) == nil)
        #expect(FormatSniffer.sniff([Array(#"{"a":1}"#.utf8)]) == nil)
    }

    @Test func restrictTo() {
        #expect(FormatSniffer.sniff([], restrictTo: .combined) == .combined)
        let generic = [Array(#"{"timestamp":"2024-05-17T10:05:03Z","method":"GET","path":"/x","status":200}"#.utf8)]
        #expect(FormatSniffer.sniff(generic, restrictTo: .json) == .json(.generic))
    }
}
