#!/usr/bin/env python3
"""Cost of the rules on an attack-heavy log: `scan` (every rule, incidents, alert output) against `scan --parse-only`
over the same file, best of N alternating runs, in one process tree so the ratio is fair on a shared machine.

The log (written to a temporary file, deleted after) is 40% attack traffic over a realistic background: a token in the
URL of a reset route from thousands of users, scanners from 2,000 addresses probing sensitive paths with a
scanner agent, 300 clients walking ids, 500 addresses failing logins, injection payloads; the rest is ordinary API
traffic (browsers and apps, many clients, documented routes).

Usage: Benchmarks/attack-heavy.py BINARY [--lines 1000000] [--runs 3]
"""
import os, random, subprocess, sys, tempfile, time

binary = sys.argv[1]
lines = int(sys.argv[sys.argv.index("--lines") + 1]) if "--lines" in sys.argv else 1_000_000
runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
rnd = random.Random(42)
agents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Safari/537.36",
          "okhttp/4.12.0", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"]
probes = ["/.env", "/.git/config", "/wp-login.php", "/phpinfo.php", "/backup.sql", "/actuator/env", "/server-status"]


def line(t, ip, method, path, status, ua, user="-"):
    s = t % 86400
    return (f'{ip} - {user} [0{1 + t // 86400}/May/2024:{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d} +0000] '
            f'"{method} {path} HTTP/1.1" {status} {rnd.randint(200, 9000)} "-" "{ua}"\n')


with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
    path = f.name
    for k in range(lines):
        t = k * 86400 * 3 // lines
        r = rnd.random()
        if r < 0.10:
            u = rnd.randint(1, 5000)
            f.write(line(t, f"198.51.{u % 250}.{u % 200 + 1}", "GET", f"/api/v1/reset-password?token={rnd.getrandbits(128):032x}", 200, agents[0]))
        elif r < 0.18:
            a = rnd.randint(1, 2000)
            f.write(line(t, f"45.{a % 200}.{a // 200}.{a % 250 + 1}", "GET", rnd.choice(probes), 404, "sqlmap/1.7.2#stable"))
        elif r < 0.28:
            c = rnd.randint(1, 300)
            f.write(line(t, f"203.0.{c // 250}.{c % 250 + 1}", "GET", f"/api/v1/customers/{rnd.randint(1, 100000)}", rnd.choice([200, 200, 404]), "python-requests/2.31"))
        elif r < 0.36:
            c = rnd.randint(1, 500)
            f.write(line(t, f"192.0.{c // 250}.{c % 250 + 1}", "POST", "/api/v1/login", 401, agents[1]))
        elif r < 0.40:
            f.write(line(t, f"100.64.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}", "GET", "/api/v1/search?q=1%27%20UNION%20SELECT%20password%20FROM%20users--", 200, agents[0]))
        else:
            u = rnd.randint(1, 60000)
            p = rnd.choice(["/api/v1/products", f"/api/v1/products/{rnd.randint(1, 900)}", "/api/v1/cart", f"/api/v1/orders/{u * 7}", "/"])
            f.write(line(t, f"10.{u % 250}.{u // 250 % 250}.{u % 200 + 1}", "GET", p, 200, rnd.choice(agents), f"user{u}"))


def best(args):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run([binary, "scan", "--no-progress", *args, path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
        alerts = out.stdout.count(b"\n")
    return min(times), alerts


try:
    parse, _ = best(["--parse-only"])
    full, alerts = best([])
    parse2, _ = best(["--parse-only"])
    parse = min(parse, parse2)
    print(f"attack-heavy log: {lines} lines ({os.path.getsize(path) / 1e6:.0f} MB), 40% attack traffic")
    print(f"parse-only {parse:.3f} s ({lines / parse / 1e6:.2f} M lines/s); all rules {full:.3f} s "
          f"({lines / full / 1e6:.2f} M lines/s), {alerts} alert lines; ratio {full / parse:.2f} (target <= 1.3)")
finally:
    os.unlink(path)
