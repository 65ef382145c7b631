/// Fixed vocabularies of the synthetic traffic: real current user-agent strings, crawler and monitor identities,
/// probe paths and scanner tools. Data only; the generator picks from these with its seeded PRNG.
public enum TrafficCatalog {
    /// Desktop and mobile browsers, 2024 versions.
    public static let browsers: [String] = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/109.0.0.0",
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    ]

    /// Mobile app HTTP stacks (the apps talk to the JSON API only).
    public static let mobileApps: [String] = [
        "okhttp/4.12.0",
        "okhttp/4.11.0",
        "okhttp/4.9.3",
        "ShopApp/5.12.0 (com.example.shop; build:5120; iOS 17.4.1) Alamofire/5.9.1",
        "ShopApp/5.11.2 (com.example.shop; build:5112; iOS 16.7.7) Alamofire/5.8.1",
        "ShopApp/5120 CFNetwork/1494.0.7 Darwin/23.4.0",
        "ShopApp/5112 CFNetwork/1410.1 Darwin/22.6.0",
        "Dart/3.3 (dart:io)",
        "Dart/3.2 (dart:io)",
        "ShopApp/5.12.0 (Android 14; Pixel 8) okhttp/4.12.0",
    ]

    /// A search crawler: user agent, the /24 prefixes it really crawls from, and the share of background crawler
    /// sessions it gets.
    public struct Crawler: Sendable {
        public var name: String
        public var userAgent: String
        public var prefixes: [String]
    }

    /// Crawlers with their published address ranges (so they pass reverse-DNS / range verification).
    public static let crawlers: [Crawler] = [
        Crawler(
            name: "Googlebot", userAgent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            prefixes: ["66.249.66.", "66.249.68.", "66.249.72."]),
        Crawler(
            name: "Googlebot-smartphone",
            userAgent:
                "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.118 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            prefixes: ["66.249.66.", "66.249.79."]),
        Crawler(
            name: "bingbot", userAgent: "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            prefixes: ["40.77.167.", "157.55.39.", "207.46.13."]),
        Crawler(
            name: "YandexBot", userAgent: "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
            prefixes: ["5.255.253.", "213.180.203.", "87.250.224."]),
        Crawler(
            name: "DuckDuckBot", userAgent: "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
            prefixes: ["20.191.45.", "40.88.21."]),
    ]

    /// Scripted clients that are legitimate on API routes but odd on browser pages.
    public static let scripted: [String] = [
        "curl/8.5.0", "curl/7.88.1", "python-requests/2.31.0", "python-requests/2.28.1", "Go-http-client/1.1",
        "Go-http-client/2.0", "axios/1.6.8", "PostmanRuntime/7.37.3",
    ]

    /// Scanner and attack-tool user agents, by tool.
    public static let scanners: [(tool: String, userAgent: String)] = [
        ("sqlmap", "sqlmap/1.8.4#stable (https://sqlmap.org)"),
        ("nikto", "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000003)"),
        (
            "nuclei",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36 Nuclei - Open-source project (github.com/projectdiscovery/nuclei)"
        ),
        ("zgrab", "Mozilla/5.0 zgrab/0.x"),
        ("masscan", "masscan/1.3 (https://github.com/robertdavidgraham/masscan)"),
        ("wpscan", "WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)"),
        ("gobuster", "gobuster/3.6"),
        ("ffuf", "Fuzz Faster U Fool v2.1.0-dev"),
    ]

    /// Sensitive files and admin consoles probing clients ask for (none exists on this API).
    public static let probePaths: [String] = [
        "/.env", "/.env.bak", "/.env.production", "/api/.env", "/.git/config", "/.git/HEAD", "/.svn/entries",
        "/.aws/credentials", "/.DS_Store", "/config.json", "/config.php.bak", "/backup.zip", "/backup.sql",
        "/db.sql", "/dump.sql", "/wp-login.php", "/wp-admin/", "/wp-config.php.bak", "/xmlrpc.php",
        "/wp-content/plugins/", "/phpmyadmin/", "/phpMyAdmin/index.php", "/pma/", "/adminer.php", "/actuator/env",
        "/actuator/health", "/actuator/heapdump", "/server-status", "/.well-known/security.txt.bak", "/admin/",
        "/administrator/", "/manager/html", "/console/", "/solr/admin/", "/jenkins/script",
        "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
        "/cgi-bin/luci", "/boaform/admin/formLogin", "/HNAP1/", "/owa/auth/logon.aspx", "/remote/login",
        "/.vscode/sftp.json", "/debug/default/view", "/telescope/requests", "/_profiler/phpinfo", "/info.php",
        "/phpinfo.php", "/test.php", "/static/../../../../etc/passwd", "/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/api/v1/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/shadow", "/cgi-bin/.%2e/.%2e/.%2e/bin/sh",
        "/swagger.json", "/api/swagger.json", "/v2/api-docs", "/graphql", "/api/graphql", "/.htpasswd",
        "/web.config", "/id_rsa", "/.ssh/id_rsa", "/storage/logs/laravel.log", "/elmah.axd", "/trace.axd",
    ]

    /// WordPress paths WPScan walks.
    public static let wordpressPaths: [String] = [
        "/wp-login.php", "/wp-admin/", "/wp-json/wp/v2/users", "/readme.html", "/wp-content/debug.log",
        "/wp-includes/version.php", "/wp-content/plugins/akismet/readme.txt",
        "/wp-content/plugins/contact-form-7/readme.txt",
        "/wp-content/themes/twentytwentyfour/style.css", "/xmlrpc.php", "/wp-cron.php", "/?author=1", "/?author=2",
        "/wp-content/uploads/", "/wp-config.php~",
    ]

    /// Directory brute-force words (gobuster, ffuf).
    public static let dirWords: [String] = [
        "admin", "backup", "backups", "old", "new", "test", "tmp", "temp", "dev", "staging", "api/v3", "api/internal",
        "api/private", "api/v1/admin/export", "uploads", "files", "private", "secret", "config", "conf", "logs", "log",
        "debug", "internal", "console", "dashboard2", "panel", "cpanel", "server", "status", "metrics", "prometheus",
        "grafana", "kibana", "jenkins", "gitlab", "git", "svn", "db", "database", "sql", "mysql", "data", "export",
        "import", "download", "downloads", "assets2", "include", "includes", "lib", "src", "bin", "cgi-bin", "scripts",
        "install", "setup", "portal", "user", "users2", "account2", "auth2", "oauth", "sso", "saml", "login2",
    ]

    /// First names and surnames for user names such as `anna.keller`.
    public static let firstNames: [String] = [
        "anna", "ben", "carla", "david", "elena", "felix", "greta", "hugo", "ines", "jonas", "katja", "lukas", "maria",
        "nils", "olga", "paul", "quinn", "rosa", "sam", "tina", "uwe", "vera", "wim", "xenia", "yusuf", "zoe", "amir",
        "bea", "chen", "dana", "emil", "fatima", "gabe", "hana", "ivan", "jana", "kofi", "lena", "milan", "nora",
        "omar", "priya", "raj", "sara", "tom", "ursula", "vik", "wendy", "yara", "zeno",
    ]
    public static let lastNames: [String] = [
        "keller", "meyer", "schmidt", "novak", "rossi", "garcia", "smith", "jones", "kim", "nguyen", "silva",
        "kowalski",
        "horvat", "jensen", "larsen", "dubois", "moreau", "bauer", "wagner", "becker", "tanaka", "sato", "patel",
        "shah", "oconnor", "murphy", "fischer", "weber", "young", "lopez", "costa", "ali", "ivanova", "popescu",
    ]

    /// Public-looking IPv4 /16 prefixes of residential and mobile ISPs (no private or reserved space).
    public static let residentialPrefixes: [String] = [
        "24.48.", "73.162.", "76.102.", "81.2.", "82.132.", "84.17.", "86.12.", "88.65.", "91.64.", "92.184.",
        "93.104.",
        "95.90.", "109.40.", "118.237.", "121.45.", "134.19.", "151.95.", "176.24.", "178.19.", "185.46.", "188.106.",
        "189.6.", "201.17.", "212.95.", "217.230.", "49.205.", "101.115.", "112.134.", "37.120.", "46.114.", "62.216.",
        "78.46.", "79.140.", "85.214.", "87.123.", "94.134.", "99.227.", "104.28.", "142.114.", "174.52.", "187.10.",
    ]

    /// Public-looking IPv6 /32 prefixes of ISPs (residential clients are ~10% IPv6).
    public static let residentialV6Prefixes: [String] = [
        "2a02:8109:", "2a01:cb00:", "2600:1700:", "2601:646:", "2003:e4:", "2a00:23c7:", "2406:3003:", "2804:14c:",
    ]
}
