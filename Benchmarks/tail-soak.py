# Usage: python3 Benchmarks/tail-soak.py BINARY [--minutes M] [--rate LINES_PER_S] [--rotate-every SECONDS]
#          [--clients N] [--restart-every SECONDS] [--kill9] [--seed N] [--dir /tmp/soak]
# Long-run soak of `reqwatch tail`: memory and open descriptors over time, and exactly-once delivery across
# rotations and restarts (clean SIGTERM, or SIGKILL every other restart with --kill9).
#
# Writer thread: appends nginx combined lines to DIR/live.log at --rate, in whole-line chunks written unbuffered.
# Every line is exactly 256 bytes (the user agent is padded) and line number `seq` has event time
# 17/May/2015:10:05:03 + seq*60/rate s, i.e. 1 wall second = 60 event seconds at full rate. Clients: half the
# lines come from a brand-new client (counter over 10.0.0.0/8, then 2001:db8::/64), so distinct clients grow far
# past the detectors' 50,000 capacity; the rest from the last --clients clients. Recurring attack bursts (404
# probes, 401 brute force, /users/<id> enumeration, scanner user agents) make alerts fire.
# Rotation every --rotate-every s, seeded mix: 60% rename-and-create, 20% copy-truncate, 20% rename then gzip at
# once; live.log.1..3[.gz] kept. It runs in the writer thread between writes, so the rotation loses no line.
# Gzip is replaced by a plain rename while reqwatch is down, in its first second up and 2.5 s before a restart:
# reqwatch documents that a rotated file compressed while it was down cannot be finished.
# reqwatch: `tail --state DIR/state.json DIR/live.log` (--from-start on the first start only), alerts appended
# to DIR/alerts.jsonl, stderr per run in DIR/stderr-N.txt. A restart leaves it down 1 s while the writer goes on;
# every other pair of restarts also rotates while it is down. Every 10 s: elapsed, lines written, RSS, fds.
#
# Exactly-once: the writer knows which lines each file generation holds (inode, first line; copy-truncate starts a
# new generation of the same inode), so a state file position (inode, offset, event time) maps to "lines
# 0..c-1 committed". A run stopped by SIGTERM must report "tail stopped: N lines" with N == c_after - c_before.
# A killed run prints nothing: it is credited with c_after - c_before; what it read past its last checkpoint is
# read again by the next run, estimated as (lines written at the kill - c_after), an upper bound.
# Exit 0 when: processed (clean runs' N + killed runs' credit) == written, every clean run is exact, the final
# position is the end, re-reads <= kills * rate * 1.5, max - min open fds <= 4 and no line is malformed.
import argparse, datetime, gzip, json, os, random, re, shutil, signal, subprocess, threading, time

ap = argparse.ArgumentParser(description="long-run soak of reqwatch tail")
ap.add_argument("binary")
ap.add_argument("--minutes", type=float, default=10)
ap.add_argument("--rate", type=int, default=5000, help="lines per second (default 5000)")
ap.add_argument("--rotate-every", type=float, default=3, help="seconds between rotations, 0 = never (default 3)")
ap.add_argument("--clients", type=int, default=2000, help="returning clients drawn from the most recent N")
ap.add_argument("--restart-every", type=float, default=0, help="seconds between restarts, 0 = never")
ap.add_argument("--kill9", action="store_true", help="every other restart uses SIGKILL instead of SIGTERM")
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--dir", default="/tmp/soak")
a = ap.parse_args()

D = a.dir; LIVE = D + "/live.log"; STATE = D + "/state.json"; L = 256; SCALE = 60
BASE = datetime.datetime(2015, 5, 17, 10, 5, 3, tzinfo=datetime.timezone.utc)
BASE_EPOCH = int(BASE.timestamp())
os.makedirs(D, exist_ok=True)
for n in os.listdir(D):
    if n.startswith(("live.log", "state.json", "alerts.jsonl", "stderr-")): os.unlink(os.path.join(D, n))
open(LIVE, "w").close()

UAS = ["Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
       "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
       "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/125.0 Safari/537.36",
       "curl/8.5.0", "python-requests/2.31.0", "okhttp/4.12.0", "Go-http-client/1.1",
       "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"]
BAD_UAS = ["sqlmap/1.7.2#stable", "Nikto/2.5.0", "Mozilla/5.0 (compatible; Nmap Scripting Engine)", UAS[0]]
PROBES = ["/.env", "/wp-login.php", "/phpmyadmin/", "/.git/config", "/admin/config.php", "/cgi-bin/test.cgi",
          "/backup.zip", "/server-status", "/actuator/env", "/vendor/phpunit/eval-stdin.php"]

class Lines:
    """Deterministic (seeded) line generator; line(seq) must be called with seq = 0, 1, 2, ..."""
    def __init__(s, seed):
        s.r = random.Random(seed); s.clients = 0; s.burst = 0; s.attackers = 0; s.tsec = None
    def stamp(s, seq):
        sec = seq * SCALE // a.rate
        if sec != s.tsec:
            s.tsec, s.tstr = sec, (BASE + datetime.timedelta(seconds=sec)).strftime("%d/%b/%Y:%H:%M:%S +0000")
        return s.tstr
    def line(s, seq):
        r = s.r
        if s.burst == 0 and r.random() < 1 / 3000:
            s.attackers += 1
            s.burst, s.kind = r.randint(30, 80), r.choice(("probe", "brute", "enum"))
            s.aip, s.aua = "198.18.%d.%d" % (s.attackers >> 8 & 255, s.attackers & 255), r.choice(BAD_UAS)
        if s.burst:
            s.burst -= 1; ip, ua = s.aip, s.aua
            if s.kind == "probe": m, p, st = "GET", r.choice(PROBES), 404
            elif s.kind == "brute": m, p, st = "POST", "/login", 401
            else: m, p, st = "GET", "/users/%d" % r.randrange(1, 100000), r.choice((200, 404))
        else:
            if s.clients == 0 or r.random() < 0.5: c = s.clients; s.clients += 1
            else: c = s.clients - 1 - r.randrange(min(s.clients, a.clients))
            ip = ("10.%d.%d.%d" % (c >> 16, c >> 8 & 255, c & 255) if c < 1 << 24
                  else "2001:db8::%x:%x" % (c >> 16, c & 0xffff))
            ua, k = r.choice(UAS), r.random()
            if k < .30: m, p, st = "GET", "/users/%d" % r.randrange(1, 100000), 404 if r.random() < .05 else 200
            elif k < .55: m, p, st = "GET", "/products?page=%d" % r.randrange(1, 50), 200
            elif k < .70: m, p, st = "GET", "/api/v1/orders/%d" % r.randrange(10**6), r.choice((200, 200, 404))
            elif k < .80: m, p, st = "POST", "/login", 401 if r.random() < .1 else 200
            elif k < .95: m, p, st = "GET", "/static/app.%06x.js" % r.randrange(16**6), r.choice((200, 304))
            else: m, p, st = "GET", r.choice(("/", "/health", "/old-page")), r.choice((200, 404, 500))
        t = '%s - - [%s] "%s %s HTTP/1.1" %d %d "-" "%s' % (ip, s.stamp(seq), m, p, st, r.randrange(100, 50000), ua)
        assert len(t) <= L - 2, t
        return (t + " " * (L - 2 - len(t)) + '"\n').encode()

class St: pass
st = St(); st.written = 0; st.rotations = 0; st.clients = 0; st.nogzip_until = 0.0; st.next_restart = float("inf")
st.rot = dict.fromkeys(("rename", "copytruncate", "gzip", "gzip->rename", "while down"), 0)
lock = threading.Lock(); gens = []   # file generations: [inode, first line, end line (None while current)]
stop_writer = threading.Event(); force_rot = threading.Event()

def rotate(f, rr):
    kind = rr.choices(("rename", "copytruncate", "gzip"), (6, 2, 2))[0]
    now = time.monotonic()
    if kind == "gzip" and (now < st.nogzip_until or now > st.next_restart - 2.5):
        kind = "rename"; st.rot["gzip->rename"] += 1
    for k in (3, 2, 1):
        for sfx in ("", ".gz"):
            src = "%s.%d%s" % (LIVE, k, sfx)
            if os.path.exists(src):
                if k == 3: os.unlink(src)
                else: os.rename(src, "%s.%d%s" % (LIVE, k + 1, sfx))
    with lock:
        gens[-1][2] = st.written
        if kind == "copytruncate":
            shutil.copyfile(LIVE, LIVE + ".1"); os.truncate(LIVE, 0)   # f is O_APPEND: goes on at offset 0
        else:
            os.rename(LIVE, LIVE + ".1"); f.close(); f = open(LIVE, "ab", buffering=0)
        gens.append([os.fstat(f.fileno()).st_ino, st.written, None])
    if kind == "gzip":
        with open(LIVE + ".1", "rb") as src, gzip.open(LIVE + ".1.gz", "wb", compresslevel=1) as dst:
            shutil.copyfileobj(src, dst)
        os.unlink(LIVE + ".1")
    st.rot[kind] += 1; st.rotations += 1
    return f

def writer():
    f = open(LIVE, "ab", buffering=0); gens.append([os.fstat(f.fileno()).st_ino, 0, None])
    lines, rr = Lines(a.seed), random.Random(a.seed + 1)
    t0 = time.monotonic(); next_rot = t0 + a.rotate_every
    while not stop_writer.is_set():
        now = time.monotonic(); forced = force_rot.is_set()
        if forced or (a.rotate_every > 0 and now >= next_rot):
            f = rotate(f, rr); next_rot = now + a.rotate_every
            if forced: st.rot["while down"] += 1; force_rot.clear()
        due = min(int((now - t0) * a.rate) - st.written, max(1, a.rate // 20))
        if due <= 0: time.sleep(0.005); continue
        view = memoryview(b"".join(lines.line(st.written + i) for i in range(due)))
        while view: view = view[f.write(view):]
        with lock: st.written += due
        st.clients = lines.clients
    f.close()

def committed():
    """Lines committed according to the state file (0 without one), None if the position maps to no line."""
    if not os.path.exists(STATE): return 0
    try: s = json.load(open(STATE))["files"][0]
    except (OSError, ValueError, KeyError, IndexError): return None
    off, us, found = s["offset"], s.get("event_time_us"), set()
    with lock:
        for ino, first, end in gens:
            c = first + off // L
            if ino != s["inode"] or off % L or off // L > (st.written if end is None else end) - first: continue
            if c > 0 and us is not None and us // 10**6 != BASE_EPOCH + (c - 1) * SCALE // a.rate: continue
            found.add(c)
    if len(found) != 1: print("  state position %s maps to %s" % (s, sorted(found) or "no line"))
    return found.pop() if len(found) == 1 else None

runs = []; alerts = open(D + "/alerts.jsonl", "ab")
def start():
    i = len(runs); before = committed(); err = "%s/stderr-%d.txt" % (D, i)
    args = [a.binary, "tail", "--state", STATE] + ([] if i else ["--from-start"]) + [LIVE]
    runs.append(dict(p=subprocess.Popen(args, stdout=alerts, stderr=open(err, "wb")), err=err, before=before))

def stop(sig):
    r = runs[-1]; r["how"] = "SIGKILL" if sig == signal.SIGKILL else "SIGTERM"; r["written"] = st.written
    r["p"].send_signal(sig); r["p"].wait(); r["after"] = committed()
    m = re.search(r"tail stopped: (\d+) lines, \d+ records, (\d+) malformed, (\d+) alert", open(r["err"]).read())
    r["lines"], r["malformed"], r["alerts"] = (int(m[1]), int(m[2]), int(m[3])) if m else (None, 0, 0)

samples = []
def sample(now):
    p = runs[-1]["p"]
    try:
        rss = int(re.search(r"VmRSS:\s+(\d+)", open("/proc/%d/status" % p.pid).read())[1]) / 1024
        fds = len(os.listdir("/proc/%d/fd" % p.pid))
    except (OSError, TypeError): return
    samples.append((now - t0, rss, fds))
    print("%6.0f s  written %9d  rss %7.1f MB  fds %3d  rotations %4d  restarts %d"
          % (now - t0, st.written, rss, fds, st.rotations, len(runs) - 1), flush=True)

t0 = time.monotonic(); end = t0 + a.minutes * 60; next_sample = t0 + 10; crashed = None
if a.restart_every > 0: st.next_restart = t0 + a.restart_every
start(); wt = threading.Thread(target=writer); wt.start()
while time.monotonic() < end:
    time.sleep(0.2); now = time.monotonic()
    if runs[-1]["p"].poll() is not None:
        r = runs[-1]
        crashed = "reqwatch exited on its own (status %s): %s" % (r["p"].returncode, open(r["err"]).read()[-500:])
        break
    if now >= next_sample: sample(now); next_sample += 10
    if now >= st.next_restart and now < end - 5:
        n = len(runs) - 1
        st.nogzip_until = float("inf")
        stop(signal.SIGKILL if a.kill9 and n % 2 == 0 else signal.SIGTERM)
        if n // 2 % 2 == 1: force_rot.set()
        time.sleep(1.0); start()
        st.nogzip_until = time.monotonic() + 1.0; st.next_restart += a.restart_every
stop_writer.set(); wt.join(); write_secs = time.monotonic() - t0
if not crashed:
    deadline = time.monotonic() + 15; time.sleep(2)
    while committed() != st.written and time.monotonic() < deadline: time.sleep(0.5)
    stop(signal.SIGTERM)

W, bad = st.written, [crashed] if crashed else []
print("\n== reqwatch tail soak: %.1f min, rate %d/s, rotate every %gs, restart every %gs%s, seed %d"
      % (a.minutes, a.rate, a.rotate_every, a.restart_every, " (--kill9)" if a.kill9 else "", a.seed))
processed = reread = 0
for i, r in enumerate(runs):
    if "after" not in r: continue
    adv = None if r["before"] is None or r["after"] is None else r["after"] - r["before"]
    note = ""
    if adv is None: bad.append("run %d: state position not mapped to a line" % i)
    elif r["how"] == "SIGKILL":
        processed += adv; reread += r["written"] - r["after"]
        note = "(killed: credited %d, re-read <= %d)" % (adv, r["written"] - r["after"])
    elif r["lines"] is None: bad.append("run %d: no 'tail stopped' line" % i)
    else:
        processed += r["lines"]
        if r["lines"] != adv:
            note = "MISMATCH %+d" % (r["lines"] - adv)
            bad.append("run %d: reported %d lines, state advanced %d" % (i, r["lines"], adv))
    print("run %2d  %-7s  committed %s -> %s  reported %s lines  %s" % (i, r["how"], r["before"], r["after"], r["lines"], note))
print("lines written        %d (%.0f/s), distinct clients %d" % (W, W / write_secs, st.clients))
print("lines processed      %d   difference %+d" % (processed, processed - W))
kills = sum(r.get("how") == "SIGKILL" for r in runs)
print("re-read after kill   <= %d (allowed %d for %d kill(s))" % (reread, kills * a.rate * 1.5, kills))
print("rotations            %d %s" % (st.rotations, st.rot))
print("restarts             %d (SIGKILL %d)" % (len(runs) - 1, kills))
if samples:
    warm = next((s for s in samples if s[0] >= min(60, a.minutes * 30)), samples[0])
    print("RSS MB               %.1f at %.0f s, max %.1f, last %.1f"
          % (warm[1], warm[0], max(s[1] for s in samples), samples[-1][1]))
    fmin, fmax = min(s[2] for s in samples), max(s[2] for s in samples)
    print("open fds             min %d, max %d" % (fmin, fmax))
    if fmax - fmin > 4: bad.append("open fds grew from %d to %d" % (fmin, fmax))
alerts.close()
malformed = sum(r.get("malformed", 0) for r in runs)
print("alerts               %d on stdout (%d reported by clean stops), malformed %d"
      % (sum(1 for _ in open(D + "/alerts.jsonl", "rb")), sum(r.get("alerts", 0) for r in runs), malformed))
if runs[-1].get("after") != W and not crashed: bad.append("final position %s != %d written" % (runs[-1].get("after"), W))
if processed != W: bad.append("processed %d != written %d" % (processed, W))
if reread > kills * a.rate * 1.5: bad.append("re-read %d after %d kill(s)" % (reread, kills))
if malformed: bad.append("%d malformed lines" % malformed)
print("PASS" if not bad else "FAIL: " + "; ".join(bad))
raise SystemExit(1 if bad else 0)
