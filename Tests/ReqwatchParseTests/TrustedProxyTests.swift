import ReqwatchCore
import ReqwatchParse
import Testing

@Suite struct TrustedProxyTests {
    static func line(peer: String, xff: String) -> String {
        #"{"time_iso8601":"2024-01-01T00:00:00Z","remote_addr":"\#(peer)","request":"GET / HTTP/1.1","status":200,"http_x_forwarded_for":"\#(xff)"}"#
    }

    static let proxies = ParseOptions(trustedProxies: [CIDR("10.0.0.0/8")!, CIDR("2001:db8:ffff::/48")!])

    func client(_ peer: String, _ xff: String, _ options: ParseOptions = proxies) throws -> Parsed {
        let (o, r) = parseOne(Self.line(peer: peer, xff: xff), .json(.nginxJSON), options: options)
        #expect(o == .record)
        return try #require(r)
    }

    @Test func untrustedPeerXFFIgnored() throws {
        let p = try client("203.0.113.9", "1.2.3.4")
        #expect(p.client == "203.0.113.9")
        #expect(p.peer == "203.0.113.9")
        #expect(p.forwardedFor == "1.2.3.4")
    }

    @Test func noTrustedProxiesMeansNoXFF() throws {
        #expect(try client("10.0.0.1", "1.2.3.4", ParseOptions()).client == "10.0.0.1")
    }

    @Test func trustedPeerUsesXFF() throws {
        let p = try client("10.0.0.1", "1.2.3.4")
        #expect(p.client == "1.2.3.4")
        #expect(p.peer == "10.0.0.1")
    }

    @Test func chainOfProxiesRightmostUntrusted() throws {
        // Spoofed left-most entry; 5.6.7.8 reached our first proxy (10.1.1.1).
        #expect(try client("10.0.0.1", "6.6.6.6, 5.6.7.8, 10.1.1.1").client == "5.6.7.8")
        #expect(try client("10.0.0.1", "6.6.6.6,5.6.7.8,10.1.1.1,10.2.2.2").client == "5.6.7.8")
        #expect(try client("2001:db8:ffff::1", "2001:db8::5, 2001:db8:ffff::9").client == "2001:db8::5")
    }

    @Test func allTrustedGivesLeftmost() throws {
        #expect(try client("10.0.0.1", "10.9.9.9, 10.1.1.1").client == "10.9.9.9")
    }

    @Test func garbageEntryStopsTheWalk() throws {
        #expect(try client("10.0.0.1", "1.2.3.4, unknown, 10.1.1.1").client == "10.1.1.1")
        #expect(try client("10.0.0.1", "garbage").client == "10.0.0.1")
    }

    @Test func portsAndBrackets() throws {
        #expect(try client("10.0.0.1", "1.2.3.4:5555").client == "1.2.3.4")
        #expect(try client("10.0.0.1", "[2001:db8::7]:443").client == "2001:db8::7")
    }

    @Test func caddyXFFArrayWithTrustedPeer() throws {
        let line =
            #"{"ts":1700000000,"request":{"remote_ip":"10.0.0.2","method":"GET","uri":"/","headers":{"X-Forwarded-For":["9.9.9.9, 10.0.0.3"]}},"status":200}"#
        let p = try #require(parseOne(line, .json(.caddy), options: Self.proxies).1)
        #expect(p.client == "9.9.9.9")
        let q = try #require(parseOne(line, .json(.caddy)).1)
        #expect(q.client == "10.0.0.2")
    }

    @Test func caddyClientIP() throws {
        // Caddy resolved the client itself (its own trusted_proxies): believed as logged.
        let resolved =
            #"{"ts":1700000000,"request":{"remote_ip":"172.17.0.1","client_ip":"127.0.0.1","method":"GET","uri":"/","headers":{"X-Forwarded-For":["6.6.6.6"]}},"status":200}"#
        #expect(try #require(parseOne(resolved, .json(.caddy)).1).client == "127.0.0.1")
        // client_ip equal to the peer: our own trusted-proxy rule decides.
        let same =
            #"{"ts":1700000000,"request":{"remote_ip":"10.0.0.2","client_ip":"10.0.0.2","method":"GET","uri":"/","headers":{"X-Forwarded-For":["9.9.9.9"]}},"status":200}"#
        #expect(try #require(parseOne(same, .json(.caddy), options: Self.proxies).1).client == "9.9.9.9")
        #expect(try #require(parseOne(same, .json(.caddy)).1).client == "10.0.0.2")
    }
}

/// nginx's stock `main` format: combined plus `"$http_x_forwarded_for"`.
@Suite struct NginxMainFormatTests {
    static func line(_ peer: String, _ xff: String) -> String {
        #"\#(peer) - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "curl/8" "\#(xff)""#
    }

    @Test func trustedPeer() throws {
        let p = try #require(parseOne(Self.line("10.0.0.1", "5.6.7.8, 10.0.0.9"), options: TrustedProxyTests.proxies).1)
        #expect(p.client == "5.6.7.8")
        #expect(p.peer == "10.0.0.1")
        #expect(p.forwardedFor == "5.6.7.8, 10.0.0.9")
    }

    @Test func untrustedPeer() throws {
        let p = try #require(parseOne(Self.line("8.8.8.8", "5.6.7.8"), options: TrustedProxyTests.proxies).1)
        #expect(p.client == "8.8.8.8")
        #expect(p.forwardedFor == "5.6.7.8")
    }

    @Test func dashAndNonAddressExtrasAreNotXFF() throws {
        let dash = try #require(parseOne(Self.line("10.0.0.1", "-"), options: TrustedProxyTests.proxies).1)
        #expect(dash.forwardedFor == nil)
        #expect(dash.client == "10.0.0.1")
        let traefik = try #require(parseOne(
            #"10.0.0.1 - - [08/Dec/2021:09:16:05 +0000] "GET /x HTTP/1.1" 200 414 "-" "-" 500 "test@docker" "http://172.17.0.3:80" 0ms"#,
            options: TrustedProxyTests.proxies).1)
        #expect(traefik.forwardedFor == nil)
        #expect(traefik.client == "10.0.0.1")
    }
}
