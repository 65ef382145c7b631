/// Benign look-alikes ("traps"): each is labeled `"trap": true` and must produce no alert. See SampleLogs/README.md
/// for the reasoning behind each kind.
extension TrafficGenerator {
    func trapSelected(_ rule: String, _ kind: String) -> Bool {
        configuration.traps.includes(rule: rule, variant: kind)
    }

    mutating func setUpTraps() {
        var trng = rng.fork(10)
        if trapSelected("unknown-endpoint", "cors-preflight") {
            corsLabel = addLabel(
                rule: "unknown-endpoint", variant: "cors-preflight", trap: true, key: "method", method: "OPTIONS",
                note:
                    "Browsers on app.example.com send CORS preflights (OPTIONS, 204) before API calls; OPTIONS is not "
                    + "in the spec but preflights are not ghost endpoints.")
        }
        let span = Double(spanMicros) / 1_000_000
        let firstDay = (t0 / 1_000_000) / 86_400
        let lastDay = (t0 + spanMicros) / 1_000_000 / 86_400
        // NAT office: 300 staff, one public address, working hours 08:00-18:00 UTC.
        if trapSelected("id-enumeration", "nat-office") || trapSelected("auth-failure-cluster", "nat-office")
            || trapSelected("suspicious-user-agent", "nat-office")
        {
            let officeIP = "80.156.34.2"
            var staff: [Client] = []
            for i in 0..<300 {
                var c = Client.make(index: 90_000 + i, rng: &trng)
                c.kind = .browserUser
                c.ip = officeIP
                c.user = "\(Client.userName(&trng)).acme\(i % 10)"
                c.userAgent = trng.pick(TrafficCatalog.browsers)
                staff.append(c)
            }
            for day in firstDay...lastDay {
                let open = max(t0, (day * 86_400 + 8 * 3600) * 1_000_000)
                let close = min(t0 + spanMicros, (day * 86_400 + 18 * 3600) * 1_000_000)
                if close - open < 600_000_000 { continue }
                let dayLabels = [
                    addLabel(
                        rule: "id-enumeration", variant: "nat-office", trap: true, key: "ip", ip: officeIP,
                        route: "/api/v1/orders/{id}",
                        note:
                            "300 authenticated users behind one office NAT address, each reading only their own records."
                    ),
                    addLabel(
                        rule: "auth-failure-cluster", variant: "nat-office", trap: true, key: "ip", ip: officeIP,
                        note: "Occasional password typos of different users behind one NAT address."),
                    addLabel(
                        rule: "suspicious-user-agent", variant: "nat-office", trap: true, key: "ip", ip: officeIP,
                        note: "Many different browsers behind one NAT address, each with its own user: not UA rotation."
                    ),
                ]
                for c in staff {
                    for _ in 0..<(close - open > 4 * 3_600_000_000 ? trng.int(1...2) : 1) {
                        let start = open + Int64(trng.unit() * Double(close - open - 300_000_000))
                        var s = browserUserSession(
                            c, at: start, rng: &trng, typos: trng.chance(0.03) ? 1 : 0, light: true)
                        for k in s.indices { s[k].labels += dayLabels }
                        schedule(s)
                    }
                }
            }
        }
        // A user paging through their own 30 orders.
        if trapSelected("id-enumeration", "own-pagination") {
            for i in 0..<8 {
                let c = pickClient(.browserUser, &trng)
                let l = addLabel(
                    rule: "id-enumeration", variant: "own-pagination", trap: true, key: "user", ip: c.ip,
                    user: c.user, route: "/api/v1/orders/{id}", method: "GET",
                    note: "A user pages through the order list and opens each of their own 30 orders.")
                var b = SessionBuilder(at: slotStart(i, of: 8, lasting: 900), ip: c.ip, ua: c.userAgent)
                b.add(&trng, user: c.user, "GET", "/dashboard", 200, ref: Self.app + "/", labels: [l], gap: 1...3)
                for p in 1...2 {
                    b.add(
                        &trng, user: c.user, "GET", "/api/v1/orders?page=\(p)&per_page=20", 200,
                        ref: Self.app + "/orders",
                        labels: [l], gap: 2...8)
                    for o in c.orders[(p - 1) * 15..<p * 15] {
                        b.add(
                            &trng, user: c.user, "GET", "/api/v1/orders/\(o)", 200, ref: Self.app + "/orders",
                            labels: [l],
                            gap: 3...25)
                    }
                }
                schedule(b.out)
            }
        }
        // Mobile token expiry: a few 401s, then a refresh, then normal calls.
        if trapSelected("auth-failure-cluster", "token-expiry") {
            for i in 0..<8 {
                let c = pickClient(.mobileUser, &trng)
                let l = addLabel(
                    rule: "auth-failure-cluster", variant: "token-expiry", trap: true, ip: c.ip, user: c.user,
                    note: "The app retries with an expired access token 3-5 times, then refreshes it.")
                var b = SessionBuilder(at: slotStart(i, of: 8, lasting: 300), ip: c.ip, ua: c.userAgent)
                for _ in 0..<trng.int(3...5) {
                    b.add(
                        &trng, user: nil, "GET", trng.pick(["/api/v2/feed", "/api/v1/notifications", "/api/v1/cart"]),
                        401,
                        labels: [l], gap: 0.5...6)
                }
                b.add(&trng, user: nil, "POST", "/api/v1/token/refresh", 200, labels: [l], gap: 0.3...1)
                for _ in 0..<trng.int(2...5) {
                    b.add(
                        &trng, user: c.user, "GET",
                        trng.pick(["/api/v2/feed", "/api/v1/notifications", "/api/v1/cart"]), 200,
                        labels: [l], gap: 1...20)
                }
                schedule(b.out)
            }
        }
        // A person mistyping their password twice.
        if trapSelected("auth-failure-cluster", "password-typo") {
            for i in 0..<8 {
                let c = pickClient(.browserUser, &trng)
                let l = addLabel(
                    rule: "auth-failure-cluster", variant: "password-typo", trap: true, ip: c.ip, user: c.user,
                    note: "Two failed logins (401), then a successful one.")
                schedule(
                    browserUserSession(c, at: slotStart(i, of: 8, lasting: 600), rng: &trng, typos: 2, labels: [l]))
            }
        }
        // Verified search crawlers walking product pages slowly (sitemap order).
        if trapSelected("id-enumeration", "crawler-products") {
            let which = [TrafficCatalog.crawlers[0], TrafficCatalog.crawlers[2]]
            for (i, cr) in which.enumerated() {
                let ips = (0..<4).map { _ in trng.pick(cr.prefixes) + "\(trng.int(1...250))" }
                let l = addLabel(
                    rule: "id-enumeration", variant: "crawler-products", trap: true, ips: ips,
                    route: "/products/{id}", method: "GET",
                    note: "\(cr.name) from its published ranges crawls public product pages in sitemap "
                        + "order at ~1 request / 30-90 s. Decision: a verified search crawler on public "
                        + "page routes is not harvesting, so this must not fire.")
                let u = addLabel(
                    rule: "suspicious-user-agent", variant: "crawler-products", trap: true, ips: ips,
                    note: "Search crawler user agents are not odd.")
                let n = min(300, max(40, Int(span / 120)))
                let dur = Double(n) * 60
                var t = slotStart(i, of: 2, lasting: min(dur, span * 0.8))
                var pid = trng.int(1...(Self.maxProductID - 400))
                var out: [GeneratedRequest] = []
                var b = SessionBuilder(at: t, ip: ips[0], ua: cr.userAgent)
                b.add(&trng, user: nil, "GET", "/robots.txt", 200, labels: [u], gap: 2...5)
                out += b.out
                t = b.t
                for k in 0..<n {
                    pid += trng.chance(0.85) ? 1 : trng.int(2...6)
                    var s = SessionBuilder(at: t, ip: ips[k % ips.count], ua: cr.userAgent)
                    s.add(
                        &trng, user: nil, "GET", "/products/\(pid)", trng.chance(0.03) ? 404 : 200, labels: [l, u],
                        gap: 30...90)
                    out += s.out
                    t = s.t
                }
                schedule(out)
            }
        }
        // Nightly export job (service account, deprecated bulk route, 02:00 UTC).
        if trapSelected("id-enumeration", "nightly-export") {
            for day in firstDay...lastDay {
                let at = (day * 86_400 + 2 * 3600) * 1_000_000
                if at < t0 || at + 600_000_000 > t0 + spanMicros { continue }
                let l = addLabel(
                    rule: "id-enumeration", variant: "nightly-export", trap: true, key: "user", ip: "10.20.4.11",
                    user: "svc-export", route: "/api/v1/legacy/export", method: "GET",
                    note: "Nightly export job pages through the deprecated bulk export route; allowlist "
                        + "user svc-export (or its address) if a detector flags it.")
                var b = SessionBuilder(
                    at: at + Int64(trng.int(0...30)) * 1_000_000, ip: "10.20.4.11",
                    ua: "export-runner/2.3 python-requests/2.31.0")
                b.add(&trng, user: nil, "POST", "/api/v2/auth/token", 200, labels: [l], gap: 0.2...0.5)
                let pages = min(240, max(20, configuration.lines / 5_000))
                for p in 1...pages {
                    b.add(
                        &trng, user: "svc-export", "GET",
                        "/api/v1/legacy/export?since=\(isoSeconds(at - 86_400_000_000).prefix(10))&page=\(p)&per_page=500",
                        200, labels: [l], gap: 0.4...1.6)
                }
                schedule(b.out)
            }
        }
    }

    func pickClient(_ kind: Client.Kind, _ r: inout GeneratorRandom) -> Client {
        for _ in 0..<200 {
            let c = clients[r.int(0...(clients.count - 1))]
            if c.kind == kind { return c }
        }
        var c = clients[r.int(0...(clients.count - 1))]
        c.kind = kind
        if c.user == nil { c.user = Client.userName(&r) }
        return c
    }
}
