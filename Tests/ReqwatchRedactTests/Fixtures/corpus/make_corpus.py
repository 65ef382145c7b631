#!/usr/bin/env python3
"""Planted-secret corpus for the redaction checker (issue 13).

Writes combined.log, nginx.jsonl and caddy.jsonl (one request per line) and, per file, a manifest
<name>.secrets.tsv (line index, kind, context, value: value must not survive in any encoding; when context is set the
leak needle is context+encoded value, for short secrets such as a CVV) and <name>.lookalikes.tsv (kind,
class unambiguous|arguable, needle: text that must still be in the output exactly as planted).

Deterministic: python3 make_corpus.py [--lines N] [--seed S] (defaults 600 lines per format, seed 13).
"""
import base64, json, random, sys, urllib.parse, uuid

args = sys.argv[1:]
LINES = int(args[args.index("--lines") + 1]) if "--lines" in args else 600
SEED = int(args[args.index("--seed") + 1]) if "--seed" in args else 13
R = random.Random(SEED)
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
HEX = "0123456789abcdef"

def pick(chars, n): return "".join(R.choice(chars) for _ in range(n))
def luhn_ok(s):
    t, dbl = 0, False
    for c in reversed(s):
        d = int(c)
        if dbl:
            d *= 2
            if d > 9: d -= 9
        t += d; dbl = not dbl
    return t % 10 == 0
def card_digits():
    prefix = R.choice(["4", "51", "53", "55", "37", "6011", "6249", "2221", "35"])
    n = 15 if prefix == "37" else 16
    d = prefix + pick("0123456789", n - len(prefix) - 1)
    for c in "0123456789":
        if luhn_ok(d + c): return d + c
def card_formatted(d):
    sep = R.choice(["", " ", "-", "+", ".", " - ", "  "])
    return sep.join(d[i:i + 4] for i in range(0, len(d), 4)) if sep else d
def not_luhn16():
    while True:
        s = "4" + pick("0123456789", 15)
        if not luhn_ok(s): return s
def jwt(): return "eyJhbGciOiJIUzI1NiJ9." + "eyJ" + pick(ALNUM, 40) + "." + pick(ALNUM + "-_", 43)
def token(n=32): return pick(ALNUM, n)
def phone():
    a, b, c = R.randint(201, 989), R.randint(200, 999), R.randint(1000, 9999)
    return R.choice([f"({a}) {b}-{c}", f"+44 7700 {R.randint(900000, 900999)}", f"{a}-{b}-{c}", f"+1 {a} {b} {c}",
                     f"{a}.{b}.{c}", f"+49 30 {R.randint(1000000, 9999999)}", f"+1{a}{b}{c}"])
def email(): return pick("abcdefghijklmnop", 6) + "." + pick("qrstuvwxyz", 5) + "@" + R.choice(["example.net", "mail.example.org", "corp.example.com"])
def uid(): return str(uuid.UUID(int=R.getrandbits(128)))
def ts(): return f"2024-05-{R.randint(10, 28):02d}T{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}Z"
def pct(s): return urllib.parse.quote(s, safe="")
def plus(s): return urllib.parse.quote_plus(s)
def b64(s): return base64.b64encode(s.encode()).decode()

class Rec:
    def __init__(self):
        self.secrets = []     # (kind, context, value)
        self.looks = []       # (kind, class, needle)
    def s(self, kind, value, context=""):
        self.secrets.append((kind, context, value)); return value
    def l(self, kind, needle, cls="unambiguous"):
        self.looks.append((kind, cls, needle)); return needle
    def lk(self, kind, key, value, cls="unambiguous", compact=False):
        """A look-alike under a JSON key: the needle is `"key": value` as json.dumps writes it."""
        sep = (",", ":") if compact else (", ", ": ")
        self.looks.append((kind, cls, json.dumps({key: value}, separators=sep)[1:-1])); return value

SECRET_VALUES = {
    "aws-access-key": lambda: "AKIA" + pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
    "github-token": lambda: "ghp_" + token(36),
    "stripe-secret": lambda: "sk_live_" + token(24),
    "slack-token": lambda: f"xoxb-{R.randint(10**11, 10**12 - 1)}-" + token(24),
    "google-api-key": lambda: "AIza" + pick(ALNUM + "-_", 35),
    "jwt": jwt,
}

def query_parts(r):
    """Returns a list of raw query pairs (already encoded as a browser would)."""
    parts = []
    k = R.randint(0, 17)
    if k == 0:
        d = card_digits(); parts.append("q=refund+" + "+".join(d[i:i + 4] for i in range(0, len(d), 4))); r.s("card", d)
        r.s("card", " ".join(d[i:i + 4] for i in range(0, len(d), 4)))
        parts.append(r.l("query-tail", "sort=price+asc"))
    elif k == 1:
        t = token(40); parts.append("access_token=" + r.s("token", t))
    elif k == 2:
        t = jwt(); parts.append("id_token=" + pct(r.s("jwt", t)))
    elif k == 3:
        e = email(); parts.append("q=refund+order+for+" + plus(r.s("email", e)))
        r.l("email-neighbours", "q=refund+order+for+")
    elif k == 4:
        parts.append("key=" + r.l("publishable-key", "pk_live_" + token(24)))
    elif k == 5:
        parts.append(r.l("code-country", "code=US"))
        parts.append(r.l("state-region", "state=CA"))
    elif k == 6:
        c = "4/0A" + token(40); parts.append("code=" + pct(r.s("oauth-code", c)))
        parts.append("state=" + r.s("oauth-state", token(24)))
    elif k == 7:
        blob = b64(json.dumps({"return_to": "/account", "token": r.s("token", token(32))}))
        parts.append("state=" + pct(r.s("b64-blob", blob)))
    elif k == 8:
        parts.append("api_key=" + r.s("api-key", token(32)))
        parts.append(r.l("page", "page=" + str(R.randint(2, 40))))
    elif k == 9:
        pw = "Hunter" + pick(ALNUM, 6) + "!/+ "  # needs encoding
        parts.append("password=" + plus(r.s("password", pw)))
    elif k == 10:
        v = SECRET_VALUES[R.choice(list(SECRET_VALUES))](); parts.append("ref=" + pct(pct(r.s("double-encoded", v))))
    elif k == 11:
        parts.append("trace=" + r.l("trace-id", pick(HEX, 32)))
        parts.append("sku=" + r.l("sku", f"SKU-{R.randint(10000, 99999)}-XL"))
    elif k == 12:
        parts.append("order=" + r.l("order-id-not-luhn", not_luhn16()))
        parts.append("since=" + r.l("epoch-ms", str(R.randint(1_600_000_000_000, 1_799_999_999_999))))
    elif k == 13:
        parts.append("client_secret=" + r.s("client-secret", token(40)))
        parts.append("refresh_token=" + r.s("refresh-token", token(48)))
    elif k == 14:
        parts.append("phone=" + plus(r.s("phone", phone())))
    elif k == 15:
        parts.append(r.l("token-type", "token_type=Bearer"))
        parts.append(r.l("commit", "rev=" + pick(HEX, 40)))
    elif k == 16:
        parts.append("blob=" + pct(r.s("b64-secret", b64("sk_live_" + token(24)))))
    else:
        parts.append(r.l("utm", "utm_source=newsletter+may"))
    return parts

def path_for(r):
    k = R.randint(0, 8)
    if k == 0: return "/reset/" + r.s("path-token", token(32))
    if k == 1: return "/api/sessions/" + r.l("session-uuid", uid())
    if k == 2: return "/api/webhooks/" + r.l("webhook-uuid", uid()) + "/deliveries"
    if k == 3: return "/api/orders/" + r.l("order-id", f"ORD-2024-{R.randint(100000, 999999)}")
    if k == 4: return "/verify-email/" + r.s("path-token", token(40))
    if k == 5: return "/assets/app." + r.l("asset-hash", pick(HEX, 20)) + ".js"
    if k == 6: return "/api/users/" + str(R.randint(1, 99999)) + "/profile"
    if k == 7: return "/api/commits/" + r.l("commit-path", pick(HEX, 40))
    return "/search"

def user_agent(r):
    k = R.randint(0, 6)
    base = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
    if k == 0: return "deploy-bot/2.1 (token=" + r.s("ua-token", token(32)) + ")"
    if k == 1: return "ci-runner/1.0 " + r.s("github-token", SECRET_VALUES["github-token"]())
    if k == 2: return r.l("ua-version", "MyApp/" + f"{R.randint(1, 9)}.{R.randint(0, 30)}.{R.randint(0, 99)}" + " (iPhone; iOS 17.4)")
    if k == 3: return r.l("ua-build", "okhttp/4.12.0 build/" + pick(HEX, 12))
    return base

def referer(r):
    k = R.randint(0, 4)
    if k == 0: return "https://app.example.com/callback#access_token=" + r.s("token", token(40)) + "&token_type=Bearer"
    if k == 1: return "https://app.example.com/cart?" + r.l("ref-query", "coupon=SPRING&item=" + str(R.randint(100, 999)))
    if k == 2: return "https://partner.example.org/oauth?code=" + r.s("oauth-code", "4/0A" + token(30)) + "&" + r.l("ref-state", "state=CA")
    return "-"

def cookie(r):
    k = R.randint(0, 4)
    if k == 0: return r.l("cookie-prefs", "theme=dark; lang=en")
    if k == 1: return "theme=dark; session=" + r.s("session-cookie", token(32)) + "; " + r.l("cookie-lang", "lang=de")
    if k == 2: return "sid=" + r.s("session-cookie", token(26)) + "; " + r.l("cookie-ga", "_ga=GA1.2.%d.%d" % (R.randint(10**8, 10**9), R.randint(10**8, 10**9)), "arguable")
    if k == 3: return "jwt=" + r.s("jwt", jwt()) + "; " + r.l("cookie-consent-pair", "cookie_consent=accepted")
    return r.l("cookie-csrf-name", "csrftoken=") + r.s("csrf-token", token(32))

def headers_for(r):
    h = {}
    k = R.randint(0, 6)
    if k == 0: h["Authorization"] = "Bearer " + r.s("jwt", jwt())
    elif k == 1: h["Authorization"] = "Basic " + r.s("basic", b64("admin:" + token(12)))
    elif k == 2: h["X-Api-Key"] = r.s("api-key", token(40))
    elif k == 3: h["X-Amz-Security-Token"] = r.s("token", token(60))
    h["Cookie"] = cookie(r)
    h["X-Request-Id"] = r.l("request-id", uid())
    if R.random() < 0.5: h["Idempotency-Key"] = r.l("idempotency-key", uid())
    if R.random() < 0.5: h["If-None-Match"] = r.l("etag", 'W/"' + pick(HEX, 16) + '"')
    if R.random() < 0.3: h["Traceparent"] = r.l("traceparent", "00-" + pick(HEX, 32) + "-" + pick(HEX, 16) + "-01")
    return h

def body_obj(r):
    k = R.randint(0, 13)
    if k == 0:
        d = card_digits()
        return {"card_number": r.s("card", d), "card_cvv": r.s("cvv", str(R.randint(100, 999)), '"card_cvv": "'),
                "exp_month": r.lk("exp-month-number", "exp_month", 7), "amount": 1999}
    if k == 1:
        return {"username": "u" + str(R.randint(1, 999)), "password": r.s("password", "pw-" + token(12)),
                "password_changed_at": r.lk("password-changed-at", "password_changed_at", ts())}
    if k == 2:
        return {"token_type": r.lk("token-type-json", "token_type", "Bearer"), "access_token": r.s("token", token(40)),
                "refresh_token": r.s("refresh-token", token(48)), "token_expires_at": r.lk("token-expires-at", "token_expires_at", R.randint(1715900000, 1799999999)),
                "token_count": r.lk("token-count", "token_count", R.randint(1, 50))}
    if k == 3:
        return {"secret_name": r.lk("secret-name", "secret_name", "db-primary-" + str(R.randint(1, 9))), "client_secret": r.s("client-secret", token(40)),
                "cookie_consent": r.lk("cookie-consent", "cookie_consent", R.choice([True, "accepted"]))}
    if k == 4:
        return {"contact": {"phone": r.s("phone", phone()), "mobile_number": r.s("phone", phone()), "country": r.lk("country", "country", "US"),
                            "code": r.lk("code-json", "code", "US")}}
    if k == 5:
        return {"publishable_key": r.lk("publishable-key-json", "publishable_key", "pk_test_" + token(24)),
                "key": r.lk("ssh-public-key", "key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + token(43) + " deploy@ci")}
    if k == 6:
        return {"cert": r.lk("certificate", "cert", "-----BEGIN CERTIFICATE-----\nMIIB" + token(60) + "\n-----END CERTIFICATE-----"),
                "public_key": r.lk("public-key-pem", "public_key", "-----BEGIN PUBLIC KEY-----\nMFkw" + token(60) + "\n-----END PUBLIC KEY-----")}
    if k == 7:
        return {"private_key": r.s("private-key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE" + token(60) + "\n-----END RSA PRIVATE KEY-----")}
    if k == 8:
        return {"payment": {"card": {"number": int(r.s("card", card_digits())), "cvc": r.s("cvc", str(R.randint(100, 999)), '"cvc": "'),
                            "security_code": r.s("security-code", str(R.randint(1000, 9999)), '"security_code": "')}},
                "order_id": r.lk("order-id-json", "order_id", f"ORD-{R.randint(100000, 999999)}"), "total": r.lk("price-number", "total", 42.5)}
    if k == 9:
        return {"note": "call me at " + r.s("email", email()), "sku": r.lk("sku-json", "sku", f"SKU-{R.randint(10000, 99999)}-M"),
                "commit": r.lk("commit-json", "commit", pick(HEX, 40))}
    if k == 10:
        return {"state": r.s("b64-blob", b64(json.dumps({"nonce": token(8), "access_token": r.s("token", token(36))}))),
                "idempotency_key": r.lk("idempotency-key-json", "idempotency_key", uid())}
    if k == 11:
        return {"aws": {"access_key_id": r.s("aws-access-key", SECRET_VALUES["aws-access-key"]()),
                        "region": r.lk("region", "region", "eu-west-1")}, "api_key": r.s("api-key", SECRET_VALUES["stripe-secret"]())}
    if k == 12:
        return {"items": [{"sku": r.lk("sku-array", "sku", f"SKU-{R.randint(10000, 99999)}-S"), "qty": 2}], "key": r.lk("publishable-key-bare", "key", "pk_live_" + token(24)),
                "session_count": r.lk("session-count", "session_count", R.randint(1, 9))}
    return {"message": "ok", "request_id": r.lk("request-id-json", "request_id", uid()), "created_at": r.lk("created-at", "created_at", ts())}

def resp_for(r):
    k = R.randint(0, 3)
    if k == 0: return {"Set-Cookie": "session=" + r.s("session-cookie", token(32)) + "; Path=/; HttpOnly; Secure"}, json.dumps({"ok": True})
    if k == 1: return {"ETag": r.lk("etag-resp", "ETag", '"' + pick(HEX, 24) + '"')}, json.dumps({"id": r.lk("resp-uuid", "id", uid()), "status": "created"})
    if k == 2: return {"Content-Type": "application/json"}, json.dumps({"access_token": r.s("token", token(40)), "token_type": "Bearer", "expires_in": r.lk("expires-in", "expires_in", R.randint(600, 7200))})
    return {"Content-Type": "application/json"}, json.dumps({"card_last4": r.lk("card-last4", "card_last4", str(R.randint(1000, 9999))), "phone_verified": True})

def ip(): return f"{R.randint(11, 220)}.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}"
def clf_time(i): return f"17/May/2024:10:{(i // 60) % 60:02d}:{i % 60:02d} +0000"

def url(r):
    p = path_for(r); q = query_parts(r)
    return p + ("?" + "&".join(q) if q else "")

def combined(i):
    r = Rec()
    user = "-"
    if R.random() < 0.1: user = r.s("email", email())
    u = url(r)
    method = "POST" if R.random() < 0.3 else "GET"
    line = f'{ip()} - {user} [{clf_time(i)}] "{method} {u} HTTP/1.1" {R.choice([200, 201, 302, 401, 404])} {R.randint(0, 9999)} "{referer(r)}" "{user_agent(r)}"'
    return line, r

def form_body(r):
    pw = "S3cret-" + token(10)
    return "username=alice&password=" + plus(r.s("password", pw + " x")) + "&" + r.l("form-remember", "remember=1")

def nginx(i):
    r = Rec()
    u = url(r)
    method = "POST" if R.random() < 0.5 else "GET"
    body = form_body(r) if R.random() < 0.2 else json.dumps(body_obj(r))
    resp_h, resp_b = resp_for(r)
    rec = {
        "time_iso8601": f"2024-05-17T10:{(i // 60) % 60:02d}:{i % 60:02d}+00:00", "remote_addr": ip(), "remote_user": "",
        "request": f"{method} {u} HTTP/1.1", "status": R.choice([200, 201, 401]), "body_bytes_sent": R.randint(0, 9999),
        "request_time": round(R.random(), 3), "http_referer": referer(r), "http_user_agent": "",
        "ua": user_agent(r), "rt": round(R.random(), 3), "upstream_response_time": r.lk("upstream-rt", "upstream_response_time", str(round(R.random(), 3)), compact=True),
        "headers": headers_for(r), "request_body": body, "resp_headers": resp_h, "resp_body": resp_b,
        "trace_id": r.l("trace-id-json", pick(HEX, 32)), "request_id": r.l("request-id-top", pick(HEX, 32)),
    }
    rec["http_user_agent"] = rec["ua"]
    if R.random() < 0.2: rec["phone_number"] = r.s("phone", phone())
    return json.dumps(rec, separators=(",", ":")), r

def caddy(i):
    r = Rec()
    u = url(r)
    hs = {k: [v] for k, v in headers_for(r).items()}
    hs["User-Agent"] = [user_agent(r)]
    ref = referer(r)
    if ref != "-": hs["Referer"] = [ref]
    resp_h, _ = resp_for(r)
    rec = {"level": "info", "ts": 1715940000 + i + round(R.random(), 6), "logger": "http.log.access", "msg": "handled request",
           "request": {"remote_ip": ip(), "remote_port": str(R.randint(1024, 65535)), "client_ip": ip(), "proto": "HTTP/2.0",
                       "method": R.choice(["GET", "POST"]), "host": "api.example.com", "uri": u, "headers": hs,
                       "tls": {"resumed": False, "version": 772, "cipher_suite": 4865, "proto": "h2", "server_name": "api.example.com"}},
           "bytes_read": R.randint(0, 999), "user_id": "", "duration": round(R.random() / 10, 6), "size": R.randint(0, 9999),
           "status": R.choice([200, 204, 404]), "resp_headers": {k: [v] for k, v in resp_h.items()}}
    return json.dumps(rec, separators=(",", ":")), r

def write(name, fn):
    lines, sec, look = [], [], []
    for i in range(LINES):
        line, r = fn(i)
        lines.append(line); sec += [(i,) + x for x in r.secrets]; look += [(i,) + x for x in r.looks]
    with open(name, "w") as f: f.write("\n".join(lines) + "\n")
    base = name.rsplit(".", 1)[0]
    with open(base + ".secrets.tsv", "w") as f:
        for i, k, c, v in sec: f.write(f"{i}\t{k}\t{json.dumps(c)}\t{json.dumps(str(v))}\n")
    with open(base + ".lookalikes.tsv", "w") as f:
        for i, k, c, v in look:
            if isinstance(v, bool): v = "true" if v else "false"
            f.write(f"{i}\t{k}\t{c}\t{json.dumps(str(v))}\n")

write("combined.log", combined)
write("nginx.jsonl", nginx)
write("caddy.jsonl", caddy)
