import ReqwatchCore

/// The curated lists the detectors match on, in one place. All entries are lowercase ASCII and are matched
/// case-insensitively on bytes. Extend them through the config (`unknown-endpoint.probe-paths`,
/// `suspicious-user-agent.agents`) rather than by editing this file for one deployment.
public enum DetectLists {
    /// Substrings of a path that only attackers and scanners request on an API: secrets and VCS files,
    /// WordPress/PHP admin pages, Spring actuator, Apache status pages, cloud credentials, CGI, traversal.
    public static let probePaths: [String] = [
        "/.env", "/.git/", "/.git", "/.svn/", "/.hg/", "/.ds_store", "/.htaccess", "/.htpasswd", "/.aws/",
        "/.ssh/", "/id_rsa", "/.docker", "/.vscode/", "/wp-login.php", "/wp-admin", "/wp-content/", "/wp-includes/", "/wp-json/wp/v2/users", "/xmlrpc.php", "/wallet.dat", "/sftp-config.json",
        "/wp-config", "/xmlrpc.php", "phpmyadmin", "/pma/", "/myadmin", "/phpinfo", "/config.php", "/setup.php",
        "/install.php", "/eval-stdin.php", "/vendor/phpunit", "/actuator", "/server-status", "/server-info",
        "/etc/passwd", "/etc/shadow", "/win.ini", "/cgi-bin/", "/boaform", "/hnap1", "/manager/html",
        "/jmx-console", "/solr/admin", "/_ignition", "/telescope/", "/backup.sql", "/dump.sql", "/db.sql",
        "/web.config", "/owa/auth", "/+cscoe+", "../", "..\\", "..%2f", "..%5c", "%2e%2e", "%252e%252e",
        // web shells dropped by earlier compromises
        "shell.php", "/c99.php", "/r57.php", "/wso.php", "/alfa.php", "/webshell", "/cmd.php", "/uploader.php",
    ]

    /// Known scanners and attack tools (matched as substrings of the user agent).
    public static let scannerAgents: [String] = [
        "sqlmap", "nikto", "nuclei", "zgrab", "masscan", "wpscan", "gobuster", "ffuf", "dirbuster", "dirb/",
        "nmap", "acunetix", "netsparker", "burpsuite", "burp collaborator", "hydra", "feroxbuster", "wfuzz",
        "openvas", "nessus", "zmeu", "jorgee", "whatweb", "arachni", "skipfish", "w3af", "commix", "xsser",
        "havij", "morfeus", "fimap", "owasp zap", "zaproxy", "paros", "webinspect", "appscan", "qualys",
        "struts-pwn", "log4shell", "fuzz faster u fool", "dirsearch", "gospider", "katana", "interactsh",
        "jaeles", "xray/", "httpx - open-source", "sslyze", "testssl", "metasploit", "brutus",
        // e-mail harvesters and trackback/comment spam bots (the well-known names of bad-bot lists)
        "trackback/", "emailcollector", "emailsiphon", "emailwolf", "email extractor", "extractorpro", "webemailextrac",
        "atomic_email_hunter", "cherrypicker", "webbandit", "web bandit", "contactbot", "mail.ru_bot/robots",
    ]

    /// Scripted HTTP clients: fine on an API, odd on routes the spec marks as browser pages.
    public static let scriptedAgents: [String] = [
        "curl/", "python-requests", "python-urllib", "python-httpx", "aiohttp", "go-http-client", "wget/",
        "libwww-perl", "java/", "apache-httpclient", "node-fetch", "axios/", "httpie/", "powershell", "scrapy",
        "ruby", "php/",
    ]

    /// Injection payloads that have no business in a user agent.
    public static let injectionPatterns: [String] = [
        "${jndi:", "${${", "${env:", "<script", "javascript:", "onerror=", "' or 1=1", "' or '1'='1", "\" or 1=1",
        "union select", "union all select", "() {", "sleep(", "benchmark(", "/etc/passwd", "<?php", "../..",
        "xp_cmdshell", "waitfor delay",
    ]

    /// Injection payloads in a URL (path or query), matched after decoding: SQL injection, cross-site scripting,
    /// template and expression injection, command injection, file inclusion. Strict phrases, not single words,
    /// so searches and ordinary parameters do not match.
    public static let urlInjectionPatterns: [String] = [
        "${jndi:", "${${", "${env:", "<script", "javascript:", "onerror=", "onload=", "<svg", "<iframe",
        "alert(", "prompt(", "document.cookie", "' or 1=1", "' or '1'='1", "\" or 1=1", "' or 'a'='a", "or 1=1--",
        "union select", "union all select", "information_schema", "sleep(", "benchmark(", "waitfor delay",
        "xp_cmdshell", "load_file(", "into outfile", "extractvalue(", "updatexml(", "concat(0x", "select @@",
        "/etc/passwd", "/etc/shadow", "/proc/self/", "<?php", "php://", "data://text", "expect://", "/bin/sh",
        "/bin/bash", "cmd.exe", ";wget ", "|wget ", ";curl ", "|curl ", "$(wget", "$(curl", "`wget", "`curl",
        "{{7*7}}", "${7*7}", "#{7*7}",
    ]

    /// Static assets: never ghost endpoints (extensions of the last segment).
    public static let staticExtensions: [String] = [
        ".css", ".js", ".mjs", ".map", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".svg", ".webp", ".avif", ".bmp",
        ".woff", ".woff2", ".ttf", ".eot", ".otf", ".webmanifest",
    ]
    /// Static well-known files.
    public static let staticFiles: [String] = ["/favicon.ico", "/robots.txt", "/sitemap.xml", "/humans.txt",
                                               "/ads.txt", "/security.txt", "/manifest.json"]
    /// Health check last segments.
    public static let healthSegments: [String] = [
        "health", "healthz", "healthcheck", "ready", "readyz", "readiness", "live", "livez", "liveness", "ping",
        "status",
    ]

    /// Lowercased UTF-8 bytes of each entry, for byte matching.
    static func bytes(_ list: [String]) -> [[UInt8]] { list.map { Array($0.lowercased().utf8) } }
}

/// Case-insensitive (ASCII) byte matching helpers.
enum ByteMatch {
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 {
        b >= 0x41 && b <= 0x5A ? b | 0x20 : b
    }

    /// Whether `hay` contains `needle` (lowercase) ignoring ASCII case.
    static func contains(_ hay: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        let m = needle.count
        let n = hay.count
        if m == 0 { return true }
        if m > n { return false }
        let first = needle[0]
        var i = 0
        while i <= n - m {
            if lower(hay[i]) == first {
                var k = 1
                while k < m && lower(hay[i + k]) == needle[k] { k += 1 }
                if k == m { return true }
            }
            i += 1
        }
        return false
    }

    /// Index of the first entry of `needles` found in `hay`, if any.
    static func firstMatch(_ hay: UnsafeBufferPointer<UInt8>, _ needles: [[UInt8]]) -> Int? {
        for (i, nd) in needles.enumerated() where contains(hay, nd) { return i }
        return nil
    }

    static func hasSuffix(_ hay: UnsafeBufferPointer<UInt8>, _ s: [UInt8]) -> Bool {
        let n = hay.count, m = s.count
        if m > n { return false }
        for k in 0..<m where lower(hay[n - m + k]) != s[k] { return false }
        return true
    }

    static func equals(_ hay: UnsafeBufferPointer<UInt8>, _ s: [UInt8]) -> Bool {
        hay.count == s.count && hasSuffix(hay, s)
    }
}

/// Classifies route templates once per route id (not per record) into `RouteFlags` bits.
struct PathClassifier {
    var probes = DetectLists.bytes(DetectLists.probePaths)
    let statics = DetectLists.bytes(DetectLists.staticExtensions)
    let staticFiles = DetectLists.bytes(DetectLists.staticFiles)
    let health = DetectLists.bytes(DetectLists.healthSegments)
    /// `.php` paths are probes (an inventory without PHP routes is loaded).
    var phpIsProbe = false

    func classify(_ name: String) -> UInt8 {
        var s = name
        return s.withUTF8 { classify(bytes: $0) }
    }

    func classify(bytes p: UnsafeBufferPointer<UInt8>) -> UInt8 {
        var f: UInt8 = 0
        // `/%2eenv`, `/.ENV`, `//.git/config`, `/.env%00`: a probe written other than in its canonical form
        // (`Normalize.path`) is an evasion attempt.
        var canonical: [UInt8] = []
        Normalize.path(p, into: &canonical)
        let plain = ByteMatch.firstMatch(p, probes) != nil
        if plain || canonical.withUnsafeBufferPointer({ ByteMatch.firstMatch($0, probes) }) != nil {
            f |= RouteFlags.probe
            if !plain || !canonical.elementsEqual(p) { f |= RouteFlags.evasion }
        }
        if phpIsProbe && (ByteMatch.hasSuffix(p, Array(".php".utf8)) || ByteMatch.contains(p, Array(".php/".utf8))) {
            f |= RouteFlags.probe
        }
        var lastStart = 0
        for (i, b) in p.enumerated() where b == UInt8(ascii: "/") { lastStart = i + 1 }
        let last = UnsafeBufferPointer(rebasing: p[lastStart...])
        if f & RouteFlags.probe == 0 {
            if staticFiles.contains(where: { ByteMatch.equals(p, $0) }) || ByteMatch.contains(p, Array("/.well-known/".utf8))
                || statics.contains(where: { ByteMatch.hasSuffix(last, $0) })
                || ByteMatch.contains(p, Array("/apple-touch-icon".utf8))
            {
                f |= RouteFlags.staticAsset
            }
            if health.contains(where: { ByteMatch.equals(last, $0) }) { f |= RouteFlags.health }
        }
        return f
    }
}
