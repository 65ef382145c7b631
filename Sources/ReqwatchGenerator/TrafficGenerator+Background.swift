/// A background client: who it is, where it connects from, what it owns.
struct Client {
    enum Kind { case browserUser, anonymous, mobileUser, integration }
    var kind: Kind
    var ip: String
    var userAgent: String
    var user: String?
    var userID: Int
    var accountID: Int
    /// The ~30 orders and invoices this user owns (ascending, scattered ids).
    var orders: [Int]
    var invoices: [Int]

    static func randomIPv4(_ rng: inout GeneratorRandom) -> String {
        rng.pick(TrafficCatalog.residentialPrefixes) + "\(rng.int(0...255)).\(rng.int(1...254))"
    }

    static func randomIPv6(_ rng: inout GeneratorRandom) -> String {
        let p = rng.pick(TrafficCatalog.residentialV6Prefixes)
        return p + String(rng.int(0...0xffff), radix: 16) + ":" + String(rng.int(0...0xffff), radix: 16) + ":"
            + String(rng.int(1...0xffff), radix: 16) + "::" + String(rng.int(1...0xffff), radix: 16)
    }

    static func userName(_ rng: inout GeneratorRandom) -> String {
        let f = rng.pick(TrafficCatalog.firstNames)
        let l = rng.pick(TrafficCatalog.lastNames)
        switch rng.int(0...3) {
        case 0: return "\(f).\(l)"
        case 1: return "\(f).\(l)\(rng.int(1...99))"
        case 2: return "\(f.prefix(1))\(l)"
        default: return "\(f)_\(l)\(rng.int(70...99))"
        }
    }

    static func make(index: Int, rng: inout GeneratorRandom) -> Client {
        let kind = rng.weighted([(Kind.browserUser, 40), (.anonymous, 25), (.mobileUser, 31), (.integration, 4)])
        var ip = rng.chance(0.1) ? randomIPv6(&rng) : randomIPv4(&rng)
        var ua = rng.pick(TrafficCatalog.browsers)
        if kind == .mobileUser {
            ua = rng.pick(TrafficCatalog.mobileApps)
            // Carrier-grade NAT: a third of app users share a few carrier egress addresses.
            if rng.chance(0.33) {
                ip = ["172.56.", "174.205.", "107.77."][rng.int(0...2)] + "\(rng.int(10...13)).\(rng.int(1...40))"
            }
        }
        if kind == .integration { ua = rng.pick(["python-requests/2.31.0", "Go-http-client/2.0", "axios/1.6.8"]) }
        var user: String? = kind == .anonymous ? nil : userName(&rng)
        if kind == .integration {
            user = "svc-" + rng.pick(["erp-sync", "crm-bridge", "stock-feed", "bi-loader"]) + "-\(index % 97)"
        }
        let userID = 1 + (index * 11 + rng.int(0...10)) % TrafficGenerator.maxUserID
        var orders: [Int] = []
        var o = TrafficGenerator.orderBase + rng.int(0...300_000)
        for _ in 0..<30 {
            o += rng.int(40...2_000)
            orders.append(o)
        }
        let invoices = orders.map { $0 / 3 }
        return Client(
            kind: kind, ip: ip, userAgent: ua, user: user, userID: userID, accountID: userID + 7_000,
            orders: orders, invoices: invoices)
    }
}

/// Builds one session's requests at increasing times.
struct SessionBuilder {
    var t: Int64
    var ip: String
    var ua: String?
    var out: [GeneratedRequest] = []

    init(at t: Int64, ip: String, ua: String?) {
        self.t = t
        self.ip = ip
        self.ua = ua
    }

    /// Adds a request at the current time, then advances by a think time drawn from `gap` (seconds).
    mutating func add(
        _ rng: inout GeneratorRandom, user: String?, _ method: String, _ target: String, _ status: Int,
        ref: String? = nil, labels: [Int32] = [], gap: ClosedRange<Double> = 1...20
    ) {
        out.append(
            GeneratedRequest(
                time: t, ip: ip, user: user, method: method, target: target, status: status,
                bytes: Self.bytes(target, status, &rng), referer: ref, userAgent: ua,
                duration: Self.duration(target, status, &rng), labels: labels))
        t += Int64(rng.double(gap) * 1_000_000)
    }

    /// Advances the clock without a request.
    mutating func wait(_ seconds: Double) { t += Int64(seconds * 1_000_000) }

    static func bytes(_ target: String, _ status: Int, _ rng: inout GeneratorRandom) -> Int {
        switch status {
        case 204, 304: return 0
        case 301, 302: return rng.int(150...170)
        case 401, 403: return rng.int(58...96)
        case 404: return target.hasPrefix("/api") ? rng.int(80...120) : rng.int(146...162)
        case 500...599: return rng.int(120...400)
        default: break
        }
        if target.hasPrefix("/static") { return rng.int(18_000...420_000) }
        if target.hasPrefix("/healthz") || target.hasPrefix("/readyz") { return 2 }
        if target.hasSuffix("/pdf") { return rng.int(40_000...180_000) }
        if !target.hasPrefix("/api") { return rng.int(6_000...58_000) }
        return rng.int(180...6_500)
    }

    static func duration(_ target: String, _ status: Int, _ rng: inout GeneratorRandom) -> Double {
        if status == 404 || status == 401 || status == 403 || status == 204 { return rng.double(0.0005...0.004) }
        if target.hasPrefix("/static") || target.hasPrefix("/healthz") || target.hasPrefix("/readyz") {
            return rng.double(0.0002...0.003)
        }
        return rng.double(0.004...0.3)
    }
}

extension TrafficGenerator {
    static let app = "https://app.example.com"
    static let staticAssets = [
        "/static/js/app.8c1f2e.js", "/static/js/vendor.51b0aa.js", "/static/css/app.41d9c0.css", "/favicon.ico",
        "/static/img/logo.svg", "/static/fonts/inter-var.woff2",
    ]

    /// One background session for `client` starting at `start` (µs).
    func sessionFor(client c: Client, at start: Int64, rng: inout GeneratorRandom) -> [GeneratedRequest] {
        switch c.kind {
        case .browserUser: return browserUserSession(c, at: start, rng: &rng)
        case .anonymous:
            if rng.chance(0.06) { return crawlerSession(at: start, rng: &rng) }
            return anonymousSession(c, at: start, rng: &rng)
        case .mobileUser: return mobileSession(c, at: start, rng: &rng)
        case .integration: return integrationSession(c, at: start, rng: &rng)
        }
    }

    func assets(_ b: inout SessionBuilder, _ rng: inout GeneratorRandom, ref: String) {
        let cached = rng.chance(0.6)
        for a in Self.staticAssets.prefix(rng.int(2...6)) {
            b.add(&rng, user: nil, "GET", a, cached ? 304 : 200, ref: ref, gap: 0.01...0.3)
        }
    }

    func browserUserSession(
        _ c: Client, at start: Int64, rng: inout GeneratorRandom, typos: Int = 0,
        labels: [Int32] = [], forceLogin: Bool = false, light: Bool = false
    ) -> [GeneratedRequest] {
        var b = SessionBuilder(at: start, ip: c.ip, ua: c.userAgent)
        let u = c.user
        let cors: [Int32] = corsLabel >= 0 ? [corsLabel] : []
        func api(
            _ b: inout SessionBuilder, _ rng: inout GeneratorRandom, _ m: String, _ target: String, _ status: Int,
            user: String?, preflight: Double = 0.25
        ) {
            if rng.chance(preflight) {
                b.add(
                    &rng, user: nil, "OPTIONS", target, 204, ref: Self.app + "/dashboard", labels: cors, gap: 0.02...0.2
                )
            }
            b.add(&rng, user: user, m, target, status, ref: Self.app + "/dashboard", gap: 0.5...25)
        }
        if forceLogin || typos > 0 || (!light && rng.chance(0.45)) {
            b.add(
                &rng, user: nil, "GET", "/login", 200, ref: rng.chance(0.5) ? "https://www.google.com/" : nil,
                gap: 0.1...0.8)
            assets(&b, &rng, ref: Self.app + "/login")
            b.wait(rng.double(3...12))
            b.add(
                &rng, user: nil, "OPTIONS", "/api/v1/login", 204, ref: Self.app + "/login", labels: cors,
                gap: 0.02...0.1)
            var failures = typos
            if typos == 0 && rng.chance(0.012) { failures = 1 }
            for _ in 0..<failures {
                b.add(
                    &rng, user: nil, "POST", "/api/v1/login", 401, ref: Self.app + "/login", labels: labels, gap: 4...15
                )
            }
            b.add(&rng, user: nil, "POST", "/api/v1/login", 200, ref: Self.app + "/login", labels: labels, gap: 0.2...1)
        }
        if !light {
            b.add(&rng, user: u, "GET", "/dashboard", 200, ref: Self.app + "/login", gap: 0.1...0.5)
            assets(&b, &rng, ref: Self.app + "/dashboard")
            api(&b, &rng, "GET", "/api/v1/users/me", 200, user: u)
        }
        for _ in 0..<(light ? rng.int(1...3) : rng.int(1...11)) {
            let own = rng.pick(c.orders)
            switch rng.int(0...15) {
            case 0: api(&b, &rng, "GET", "/api/v1/notifications", 200, user: u)
            case 1: api(&b, &rng, "GET", "/api/v1/orders?page=1&per_page=20", 200, user: u)
            case 2: api(&b, &rng, "GET", "/api/v1/orders/\(own)", 200, user: u)
            case 3: api(&b, &rng, "GET", "/api/v1/invoices/\(own / 3)", 200, user: u)
            case 4: api(&b, &rng, "GET", "/api/v1/invoices/\(own / 3)/pdf", 200, user: u)
            case 5: api(&b, &rng, "GET", "/api/v1/accounts/\(c.accountID)/settings", 200, user: u)
            case 6: api(&b, &rng, "PUT", "/api/v1/accounts/\(c.accountID)/settings", 200, user: u, preflight: 0.9)
            case 7:
                api(
                    &b, &rng, "GET",
                    "/api/v1/products?q=\(rng.pick(["shoes", "usb-c", "lamp", "desk", "coffee"]))&page=1", 200, user: u)
            case 8:
                api(
                    &b, &rng, "GET", "/api/v1/products/\(rng.int(1...Self.maxProductID))", rng.chance(0.02) ? 404 : 200,
                    user: u)
            case 9:
                b.add(
                    &rng, user: u, "GET", "/products/\(rng.int(1...Self.maxProductID))", 200,
                    ref: Self.app + "/products", gap: 2...30)
            case 10: api(&b, &rng, "GET", "/api/v1/cart", 200, user: u)
            case 11: api(&b, &rng, "POST", "/api/v1/cart/items", 201, user: u, preflight: 0.9)
            case 12: api(&b, &rng, "POST", "/api/v1/orders", 201, user: u, preflight: 0.9)
            case 13: api(&b, &rng, "POST", "/api/v1/token/refresh", 200, user: u)
            case 14: api(&b, &rng, "GET", "/api/v1/users/\(c.userID)", 200, user: u)
            default: api(&b, &rng, "GET", "/api/v2/orders/\(own)/tracking", 200, user: u)
            }
        }
        if light { return b.out }
        if rng.chance(0.2) { b.add(&rng, user: u, "GET", "/account/settings", 200, ref: Self.app + "/dashboard") }
        if rng.chance(0.25) { api(&b, &rng, "POST", "/api/v1/logout", 204, user: u) }
        return b.out
    }

    func anonymousSession(_ c: Client, at start: Int64, rng: inout GeneratorRandom) -> [GeneratedRequest] {
        var b = SessionBuilder(at: start, ip: c.ip, ua: c.userAgent)
        let entry = rng.pick([
            "/", "/", "/products", "/pricing", "/docs", "/products/\(rng.int(1...Self.maxProductID))",
        ])
        b.add(
            &rng, user: nil, "GET", entry, 200, ref: rng.chance(0.5) ? "https://www.google.com/" : nil, gap: 0.1...0.6)
        assets(&b, &rng, ref: "https://www.example.com" + entry)
        for _ in 0..<rng.int(0...6) {
            switch rng.int(0...6) {
            case 0: b.add(&rng, user: nil, "GET", "/products", 200, ref: "https://www.example.com/", gap: 2...40)
            case 1, 2:
                b.add(
                    &rng, user: nil, "GET", "/products/\(rng.int(1...Self.maxProductID))", rng.chance(0.01) ? 404 : 200,
                    ref: "https://www.example.com/products", gap: 3...60)
            case 3:
                b.add(
                    &rng, user: nil, "GET", "/api/v1/products/\(rng.int(1...Self.maxProductID))/reviews", 200,
                    ref: "https://www.example.com/products", gap: 1...10)
            case 4: b.add(&rng, user: nil, "GET", "/pricing", 200, ref: "https://www.example.com/", gap: 5...40)
            case 5:
                b.add(
                    &rng, user: nil, "GET", "/api/v1/search?q=\(rng.pick(["lamp", "gift", "sale", "bike", "mug"]))",
                    200,
                    ref: "https://www.example.com/", gap: 1...15)
            default: b.add(&rng, user: nil, "GET", "/docs", 200, ref: "https://www.example.com/", gap: 10...90)
            }
        }
        return b.out
    }

    func mobileSession(_ c: Client, at start: Int64, rng: inout GeneratorRandom) -> [GeneratedRequest] {
        var b = SessionBuilder(at: start, ip: c.ip, ua: c.userAgent)
        let u = c.user
        if rng.chance(0.3) {
            b.add(&rng, user: nil, "POST", "/api/v2/auth/token", 200, gap: 0.3...2)
        } else if rng.chance(0.015) {
            b.add(&rng, user: nil, "GET", "/api/v2/feed", 401, gap: 0.2...1)
            b.add(&rng, user: nil, "POST", "/api/v1/token/refresh", 200, gap: 0.2...1)
        }
        b.add(&rng, user: u, "GET", "/api/v2/feed", 200, gap: 1...20)
        for _ in 0..<rng.int(1...9) {
            let own = rng.pick(c.orders)
            switch rng.int(0...7) {
            case 0, 1:
                b.add(&rng, user: u, "GET", "/api/v2/products/\(rng.int(1...Self.maxProductID))", 200, gap: 2...30)
            case 2: b.add(&rng, user: u, "GET", "/api/v1/orders?page=1&per_page=20", 200, gap: 1...20)
            case 3: b.add(&rng, user: u, "GET", "/api/v1/orders/\(own)", 200, gap: 1...20)
            case 4: b.add(&rng, user: u, "GET", "/api/v2/orders/\(own)/tracking", 200, gap: 1...20)
            case 5: b.add(&rng, user: u, "GET", "/api/v1/notifications", 200, gap: 1...20)
            case 6: b.add(&rng, user: u, "GET", "/api/v1/cart", 200, gap: 1...20)
            default: b.add(&rng, user: u, "POST", "/api/v1/cart/items", 201, gap: 1...20)
            }
        }
        return b.out
    }

    func integrationSession(_ c: Client, at start: Int64, rng: inout GeneratorRandom) -> [GeneratedRequest] {
        var b = SessionBuilder(at: start, ip: c.ip, ua: c.userAgent)
        b.add(&rng, user: nil, "POST", "/api/v2/auth/token", 200, gap: 0.1...0.5)
        for p in 1...rng.int(1...8) {
            b.add(
                &rng, user: c.user, "GET", "/api/v1/products?page=\(p)&per_page=100&updated_since=2024-04-30", 200,
                gap: 0.2...1.5)
        }
        if rng.chance(0.4) { b.add(&rng, user: c.user, "POST", "/api/v1/orders", 201, gap: 0.2...1) }
        return b.out
    }

    func crawlerSession(at start: Int64, rng: inout GeneratorRandom) -> [GeneratedRequest] {
        let cr = rng.pick(TrafficCatalog.crawlers)
        var b = SessionBuilder(at: start, ip: rng.pick(cr.prefixes) + "\(rng.int(1...250))", ua: cr.userAgent)
        b.add(&rng, user: nil, "GET", "/robots.txt", 200, gap: 1...10)
        for _ in 0..<rng.int(1...12) {
            let p = rng.pick([
                "/", "/products", "/docs", "/pricing", "/sitemap.xml", "/products/\(rng.int(1...Self.maxProductID))",
            ])
            b.add(&rng, user: nil, "GET", p, rng.chance(0.02) ? 404 : 200, gap: 5...120)
        }
        return b.out
    }

    // MARK: - Periodic sources (health checks, uptime monitors)

    struct Periodic {
        var ip: String
        var ua: String
        var target: String
        var interval: Double
    }

    static let periodicSources: [Periodic] = [
        Periodic(ip: "10.0.1.15", ua: "ELB-HealthChecker/2.0", target: "/healthz", interval: 10),
        Periodic(ip: "10.0.2.27", ua: "ELB-HealthChecker/2.0", target: "/healthz", interval: 10),
        Periodic(ip: "10.244.1.1", ua: "kube-probe/1.29", target: "/healthz", interval: 10),
        Periodic(ip: "10.244.1.1", ua: "kube-probe/1.29", target: "/readyz", interval: 15),
        Periodic(
            ip: "216.144.250.150", ua: "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
            target: "/", interval: 300),
        Periodic(
            ip: "178.255.152.2", ua: "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", target: "/healthz",
            interval: 60),
    ]

    /// Health-check intervals stretched so periodic sources stay below ~8% of the lines of short runs.
    var periodicScale: Double {
        let span = Double(spanMicros) / 1_000_000
        let natural = Self.periodicSources.reduce(0.0) { $0 + span / $1.interval }
        return max(1, natural / (Double(configuration.lines) * configuration.periodicShare))
    }

    func estimatedPeriodic() -> Double {
        guard configuration.traps.includes(rule: "unknown-endpoint", variant: "health-checks") else { return 0 }
        let span = Double(spanMicros) / 1_000_000
        return Self.periodicSources.reduce(0.0) { $0 + span / ($1.interval * periodicScale) }
    }

    mutating func setUpPeriodic() {
        guard configuration.traps.includes(rule: "unknown-endpoint", variant: "health-checks") else { return }
        let note =
            "Load-balancer, kubelet and uptime-monitor checks: /healthz and /readyz are not in the spec but are "
            + "health checks, not ghost endpoints; their user agents are benign."
        let h = addLabel(
            rule: "unknown-endpoint", variant: "health-checks", trap: true, key: "route", route: "/healthz",
            method: "GET", note: note)
        let r = addLabel(
            rule: "unknown-endpoint", variant: "health-checks", trap: true, key: "route", route: "/readyz",
            method: "GET", note: note)
        let ips = Array(Set(Self.periodicSources.map(\.ip))).sorted()
        let ua = addLabel(rule: "suspicious-user-agent", variant: "health-checks", trap: true, ips: ips, note: note)
        let scale = periodicScale
        for (i, p) in Self.periodicSources.enumerated() {
            var l: [Int32] = [ua]
            if p.target == "/healthz" { l.append(h) }
            if p.target == "/readyz" { l.append(r) }
            var e = GeneratedRequest(
                time: t0 + Int64(i) * 1_300_000, ip: p.ip, user: nil, method: "GET", target: p.target,
                status: 200, bytes: p.target == "/" ? 31_245 : 2, referer: nil, userAgent: p.ua,
                duration: 0.001, labels: l)
            e.repeatEvery = p.interval * scale
            heap.push(e)
        }
    }
}
