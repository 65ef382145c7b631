# Usage: python3 Benchmarks/tail-latency.py .build/release/reqwatch [SECONDS]   (writes under /tmp/lat)
# Latency from a line being written to its alert on reqwatch tail's stdout, at ~10k lines/s of background.
import subprocess, time, os, threading, json, sys
d = "/tmp/lat"; os.makedirs(d, exist_ok=True); log = d + "/live.log"
# A fresh state each run: restored detector windows would hold the previous run's markers in their cooldown.
for f in ("state.json", "state.json.windows"):
    if os.path.exists(d + "/" + f): os.remove(d + "/" + f)
open(log, "w").close()
p = subprocess.Popen([sys.argv[1], "tail", "--state", d + "/state.json", log], stdout=subprocess.PIPE, stderr=open(d + "/err.txt", "w"))
time.sleep(1.0)
sent = {}; got = {}
def reader():
    for line in p.stdout:
        a = json.loads(line)
        ip = a.get("source", {}).get("ip")
        if ip and ip not in got: got[ip] = time.monotonic()
t = threading.Thread(target=reader, daemon=True); t.start()
f = open(log, "a", buffering=1)
bg = '198.51.100.%d - - [17/May/2015:10:%02d:%02d +0000] "GET /products?page=%d HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0"\n'
mk = '203.0.%d.%d - - [17/May/2015:10:%02d:%02d +0000] "GET /index.html HTTP/1.1" 200 12 "-" "sqlmap/1.7"\n'
start = time.monotonic(); n = 0; markers = 0; chunks = 0
duration = float(sys.argv[2]) if len(sys.argv) > 2 else 10
while time.monotonic() - start < duration:
    el = time.monotonic() - start
    sec = int(el)
    chunk = "".join(bg % (i % 250, sec // 60 % 60, sec % 60, i % 7) for i in range(100))
    f.write(chunk); n += 100; chunks += 1
    if chunks % 10 == 0:
        ip = "203.0.%d.%d" % (markers // 250, markers % 250 + 1); markers += 1
        sent[ip] = time.monotonic()
        f.write(mk % (markers // 250, markers % 250 + 1 - 1 + 0, sec // 60 % 60, sec % 60) if False else mk % ((markers-1) // 250, (markers-1) % 250 + 1, sec // 60 % 60, sec % 60))
        n += 1
    target = start + n / 10000.0
    delay = target - time.monotonic()
    if delay > 0: time.sleep(delay)
time.sleep(2)
p.terminate(); p.wait()
lat = sorted((got[ip] - sent[ip]) * 1000 for ip in sent if ip in got)
missing = [ip for ip in sent if ip not in got]
print("lines written %d in %.1f s (%.0f lines/s), markers %d, alerts matched %d, missing %d" % (n, duration, n / duration, len(sent), len(lat), len(missing)))
if lat:
    q = lambda x: lat[min(len(lat) - 1, int(x * len(lat)))]
    print("latency ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f" % (q(0.5), q(0.9), q(0.99), lat[-1]))
print(open(d + "/err.txt").read().strip())
