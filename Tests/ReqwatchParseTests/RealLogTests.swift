import ReqwatchCore
import ReqwatchParse
import Testing

/// Counts outcomes of the combined parser over a file.
func outcomeCounts(_ path: String, _ format: SniffedFormat = .combined) throws -> (
    records: Int, skipped: Int, malformed: [MalformedReason: Int], sample: [String]
) {
    let lines = try fileLines(path)
    var parser = makeParser(format, options: ParseOptions())
    var batch = RecordBatch(origin: InputOrigin(path: path))
    var records = 0
    var skipped = 0
    var malformed: [MalformedReason: Int] = [:]
    var sample: [String] = []
    for line in lines {
        var record = RequestRecord()
        let o = line.withUnsafeBufferPointer { p in parser.parse(p.span, into: &record, batch: &batch) }
        switch o {
        case .record: records += 1
        case .skip: skipped += 1
        case .malformed(let r):
            malformed[r, default: 0] += 1
            if sample.count < 3 { sample.append(String(decoding: line.prefix(160), as: UTF8.self)) }
        }
        if batch.arena.count > 1 << 20 { batch.removeAll() }
    }
    return (records, skipped, malformed, sample)
}

@Suite(.enabled(if: peersAvailable)) struct RealLogTests {
    @Test(arguments: [
        ("real/elastic-examples-apache_logs.log", 10_000, 0),
        ("real/secrepo-2021_all.log", 5_854, 0),
        ("real/secrepo-access-2018-12-15.log", 4_961, 0),
        ("real/secrepo-access-2022-12-22.log", 1_262, 0),
    ])
    func realLogsParse(path: String, lines: Int, malformed: Int) throws {
        let c = try outcomeCounts(peersTestdata(path))
        let bad = c.malformed.values.reduce(0, +)
        #expect(c.records + c.skipped + bad == lines)
        #expect(bad == malformed)
    }
}

/// Other tools' test logs: every access-log line is a record; the malformed ones are error-log lines or a
/// custom format, as noted. Counts were observed and checked by reading the files.
@Suite(.enabled(if: peersAvailable)) struct PeerLogTests {
    @Test(arguments: [
        ("crowdsec/http-probing/apache-http-probing.log", 77, 0, 0),
        ("crowdsec/http-probing/apache2-malformed.log", 11, 0, 0),  // garbage request lines: records, method none
        ("crowdsec/http-probing/nginx-http-malformed.log", 12, 0, 0),
        ("crowdsec/http-bad-user-agent/nginx-bad-user-agent.log", 3, 0, 0),
        ("crowdsec/http-sensitive-files/nginx-http-sensitive-files.log", 9, 0, 0),
        ("crowdsec/http-sensitive-files/apache2-http-sensitive-files.log", 13, 0, 0),
        ("crowdsec/http-backdoors-attempts/nginx-http-backdoor.log", 2, 0, 0),
        ("crowdsec/http-bf-wordpress_bf/http-bf-wordpress-bf.log", 9, 1, 0),  // syslog prefix
        ("crowdsec/http-path-traversal-probing/nginx-http-path-traversal.log", 9, 0, 0),
        ("crowdsec/parser-nginx-logs/nginx_http-logs.log", 8, 0, 1),  // 1 nginx error-log line
        ("crowdsec/parser-apache2-logs/apache2-logs.log", 7, 0, 2),  // 2 Apache error-log lines
        ("crowdsec/http-dos-random-uri/http-dos-random-uri.log", 66, 0, 0),
        ("crowdsec/http-admin-interface-probing/http-admin-interface-probing.log", 3, 0, 0),
        ("crowdsec/http-sqli-probing/nginx-http-sqli-probing.log", 16, 0, 0),
        ("fail2ban/apache-badbots", 4, 7, 0),  // skipped: fail2ban's `#` annotation lines
        ("fail2ban/nginx-bad-request", 8, 15, 0),
        ("fail2ban/apache-fakegooglebot", 1, 4, 2),  // 2 lines of a custom format with `-` as client
        ("fail2ban/php-url-fopen", 1, 1, 0),
        ("fail2ban/traefik-auth", 6, 17, 0),
        ("fail2ban/apache-pass", 1, 1, 0),
    ])
    func combinedSamples(path: String, records: Int, skipped: Int, malformed: Int) throws {
        let c = try outcomeCounts(peersTestdata(path))
        #expect(c.records == records)
        #expect(c.skipped == skipped)
        #expect(c.malformed.values.reduce(0, +) == malformed)
    }

    @Test func traefikScenarioJSON() throws {
        let path = peersTestdata("crowdsec/http-mixed-traefik/traefik_base-http-scenario.log")
        let sniffed = FormatSniffer.sniff(Array(try fileLines(path).prefix(20)))
        #expect(sniffed == .json(.traefik))
        let c = try outcomeCounts(path, .json(.traefik))
        #expect(c.records == 80)
        #expect(c.malformed.isEmpty)
    }
}
