#!/usr/bin/env python3
"""Score reqwatch against the labeled scenarios in SampleLogs/scenarios/.

usage: score.py BINARY [--set tuning|holdout|all] [--json] [--json-out FILE]
                [--scenario NAME ...] [--save-alerts DIR] [--alerts-dir DIR] [--quiet]

For each scenario it runs   BINARY scan --spec SampleLogs/scenarios/openapi.yaml <input.log>
(stdout = alerts, one JSON object per line), attributes every alert to a labeled actor and counts
incidents. With --alerts-dir DIR the binary is not run: alerts are read from DIR/<set>/<name>.jsonl
(or DIR/<name>.jsonl); BINARY may then be "-". --save-alerts DIR keeps the alerts in that layout.

Attribution of one alert line (first that applies):
  1. addresses: `source.ip` and every string in `reqwatch.addresses`; an actor whose `ips` contain one of
     them is a candidate (the actor with the most shared addresses first). `user.name` / `user.id` against
     the actor's `users` too.
  2. if no address or user matched any actor: the network in `reqwatch.client` ("ip:203.0.113.0/24",
     "ip:2a0b:…::/64") against the actors' addresses.
  3. route findings: an actor whose `paths` regexes match `url.path`, `http.route`, `reqwatch.route` or
     "METHOD path" is a candidate, but only for rules listed in that actor's `expected_rules`.
  Among candidates, actors expecting the alert's rule win, then malicious actors, then more shared
  addresses. No candidate: the background (benign).
Incidents: alert lines sharing `reqwatch.incident.id` (or a string `reqwatch.incident`) are one incident;
without it each line is its own incident. An incident belongs to the actor most of its lines were
attributed to. True positive = incident attributed to a malicious actor; false positive = benign actor or
background. Recall for rule R: malicious actors that list R and got at least one incident of one of
their expected rules, over all malicious actors listing R ("strict" counts only incidents of R itself).
"""
import argparse
import collections
import glob
import ipaddress
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.join(HERE, "openapi.yaml")


def get(d, dotted):
    """nested lookup that also accepts flat dotted keys ({"source.ip": ...})"""
    if not isinstance(d, dict):
        return None
    if dotted in d:
        return d[dotted]
    head, _, rest = dotted.partition(".")
    if rest and head in d:
        return get(d[head], rest)
    # flat prefix like {"reqwatch.incident": {"id": ..}}
    parts = dotted.split(".")
    for i in range(len(parts) - 1, 0, -1):
        k = ".".join(parts[:i])
        if k in d:
            return get(d[k], ".".join(parts[i:]))
    return None


def norm_ip(s):
    try:
        return str(ipaddress.ip_address(str(s).strip().strip("[]")))
    except ValueError:
        return str(s)


class Actor:
    def __init__(self, d):
        self.id = d["id"]
        self.malicious = bool(d.get("malicious"))
        self.behaviour = d.get("behaviour", "")
        self.expected = list(d.get("expected_rules") or [])
        ips = d.get("ips")
        self.background = ips == "*other*" or self.id == "background"
        self.ips = set(norm_ip(i) for i in ips) if isinstance(ips, list) else set()
        self.ip_objs = []
        for i in self.ips:
            try:
                self.ip_objs.append(ipaddress.ip_address(i))
            except ValueError:
                pass
        self.users = set(d.get("users") or [])
        self.paths = [re.compile(p) for p in (d.get("paths") or [])]
        self.requests = d.get("requests")


def load_labels(path):
    d = json.load(open(path))
    actors = [Actor(a) for a in d["actors"]]
    return [a for a in actors if not a.background]


def alert_addresses(al):
    out = []
    ip = get(al, "source.ip")
    if ip:
        out.append(norm_ip(ip))
    addrs = get(al, "reqwatch.addresses")
    if isinstance(addrs, list):
        out.extend(norm_ip(a) for a in addrs if isinstance(a, str))
    return out


def alert_network(al):
    c = get(al, "reqwatch.client")
    if not isinstance(c, str):
        return None
    m = re.match(r"^(?:ip:)?([0-9a-fA-F:.]+/\d+)$", c.strip())
    if not m:
        return None
    try:
        return ipaddress.ip_network(m.group(1), strict=False)
    except ValueError:
        return None


def alert_paths(al):
    method = get(al, "http.request.method")
    out = []
    for k in ("url.path", "http.route", "reqwatch.route", "url.original"):
        v = get(al, k)
        if isinstance(v, str) and v:
            out.append(v)
            if method:
                out.append(f"{method} {v}")
    return out


def attribute(al, actors):
    rule = get(al, "rule.id") or "?"
    addrs = alert_addresses(al)
    users = set(u for u in (get(al, "user.name"), get(al, "user.id")) if isinstance(u, str) and u)
    cands = {}
    for a in actors:
        n = sum(1 for x in addrs if x in a.ips) + (len(users & a.users) if a.users else 0)
        if n:
            cands[a.id] = (a, n)
    if not cands:
        net = alert_network(al)
        if net is not None:
            for a in actors:
                n = sum(1 for ip in a.ip_objs if ip.version == net.version and ip in net)
                if n:
                    cands[a.id] = (a, n)
    paths = alert_paths(al)
    for a in actors:
        if a.paths and rule in a.expected and a.id not in cands:
            if any(r.search(p) for r in a.paths for p in paths):
                cands[a.id] = (a, 0)
    if not cands:
        return None
    best = sorted(cands.values(), key=lambda x: (rule not in x[0].expected, not x[0].malicious, -x[1]))[0]
    return best[0]


def incident_key(al, lineno):
    inc = get(al, "reqwatch.incident.id")
    if inc is None:
        v = get(al, "reqwatch.incident")
        if isinstance(v, (str, int)):
            inc = v
    if inc is None:
        return ("line", lineno)
    return ("inc", str(get(al, "rule.id")), str(inc))


def run_binary(binary, log):
    t = time.time()
    p = subprocess.run([binary, "scan", "--spec", SPEC, log], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=1800)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"), time.time() - t


def score_scenario(set_, name, d, args):
    actors = load_labels(os.path.join(d, "labels.json"))
    log = os.path.join(d, "input.log")
    with open(log, "rb") as f:
        nlines = sum(1 for _ in f)
    rc, err, secs = 0, "", 0.0
    if args.alerts_dir:
        cand = [os.path.join(args.alerts_dir, set_, name + ".jsonl"), os.path.join(args.alerts_dir, name + ".jsonl")]
        src = next((c for c in cand if os.path.exists(c)), None)
        out = open(src, encoding="utf-8", errors="replace").read() if src else ""
        if not src:
            err = "no alerts file (treated as no alerts)"
    else:
        rc, out, err, secs = run_binary(args.binary, log)
    if args.save_alerts:
        os.makedirs(os.path.join(args.save_alerts, set_), exist_ok=True)
        with open(os.path.join(args.save_alerts, set_, name + ".jsonl"), "w") as f:
            f.write(out)
    alerts, bad = [], 0
    for i, line in enumerate(out.splitlines()):
        line = line.strip()
        if not line:
            continue
        try:
            al = json.loads(line)
            if not isinstance(al, dict):
                raise ValueError
            alerts.append((i, al))
        except ValueError:
            bad += 1
    incidents = collections.OrderedDict()
    for i, al in alerts:
        a = attribute(al, actors)
        k = incident_key(al, i)
        incidents.setdefault(k, []).append((al, a))
    incs = []
    for k, members in incidents.items():
        votes = collections.Counter(m[1].id if m[1] else "background" for m in members)
        winner = votes.most_common(1)[0][0]
        actor = next((a for a in actors if a.id == winner), None)
        first = members[0][0]
        rule = get(first, "rule.id") or "?"
        incs.append({"rule": rule, "actor": winner, "malicious": bool(actor and actor.malicious),
                     "lines": len(members), "ip": get(first, "source.ip") or get(first, "reqwatch.client") or "",
                     "message": str(get(first, "message") or "")[:220],
                     "expected": bool(actor and rule in actor.expected)})
    res_actors = []
    for a in actors:
        mine = [x for x in incs if x["actor"] == a.id]
        res_actors.append({"id": a.id, "malicious": a.malicious, "behaviour": a.behaviour, "expected": a.expected,
                           "incidents": len(mine),
                           "rules": sorted(collections.Counter(x["rule"] for x in mine).items()),
                           "detected": any(x["rule"] in a.expected for x in mine)})
    return {"set": set_, "scenario": name, "input_lines": nlines, "exit": rc, "stderr": err.strip()[-600:],
            "seconds": round(secs, 2), "alert_lines": len(alerts), "unparsed_lines": bad, "incidents": incs,
            "actors": res_actors}


def summarize(results):
    rules = collections.OrderedDict()

    def R(r):
        return rules.setdefault(r, {"tp": 0, "fp": 0, "lines": [], "mal_expecting": 0, "detected_any": 0,
                                    "detected_strict": 0})
    for res in results:
        for x in res["incidents"]:
            r = R(x["rule"])
            r["tp" if x["malicious"] else "fp"] += 1
            r["lines"].append(x["lines"])
        for a in res["actors"]:
            if not a["malicious"]:
                continue
            for rule in a["expected"]:
                r = R(rule)
                r["mal_expecting"] += 1
                r["detected_any"] += a["detected"]
                r["detected_strict"] += any(k == rule for k, _ in a["rules"])
    out = {}
    allines = []
    for rule, r in rules.items():
        allines += r["lines"]
        out[rule] = {"tp_incidents": r["tp"], "fp_incidents": r["fp"],
                     "precision": (r["tp"] / (r["tp"] + r["fp"])) if r["tp"] + r["fp"] else None,
                     "malicious_actors_expecting": r["mal_expecting"], "recall": (r["detected_any"] / r["mal_expecting"])
                     if r["mal_expecting"] else None,
                     "recall_strict": (r["detected_strict"] / r["mal_expecting"]) if r["mal_expecting"] else None,
                     "lines_per_incident_max": max(r["lines"]) if r["lines"] else 0,
                     "lines_per_incident_mean": (sum(r["lines"]) / len(r["lines"])) if r["lines"] else 0}
    tp = sum(v["tp_incidents"] for v in out.values())
    fp = sum(v["fp_incidents"] for v in out.values())
    mal = [a for res in results for a in res["actors"] if a["malicious"]]
    ben = [a for res in results for a in res["actors"] if not a["malicious"]]
    overall = {"tp_incidents": tp, "fp_incidents": fp, "precision": tp / (tp + fp) if tp + fp else None,
               "malicious_actors": len(mal), "detected": sum(a["detected"] for a in mal),
               "recall": sum(a["detected"] for a in mal) / len(mal) if mal else None,
               "detected_by_unexpected_rule_only": sum(1 for a in mal if not a["detected"] and a["incidents"]),
               "benign_actors": len(ben), "benign_actors_alerted": sum(1 for a in ben if a["incidents"]),
               "background_fp_incidents": sum(1 for res in results for x in res["incidents"]
                                              if x["actor"] == "background"),
               "lines_per_incident_max": max(allines) if allines else 0,
               "lines_per_incident_mean": sum(allines) / len(allines) if allines else 0,
               "max_incidents_one_malicious_actor": max((a["incidents"] for a in mal), default=0),
               "alert_lines": sum(r["alert_lines"] for r in results),
               "input_lines": sum(r["input_lines"] for r in results)}
    return {"rules": out, "overall": overall}


def pct(x):
    return "  -  " if x is None else f"{100 * x:5.1f}%"


def print_report(results, summ, f=sys.stdout):
    w = f.write
    w(f"{'set':8} {'scenario':36} {'lines':>7} {'alerts':>6} {'incid':>5} {'TP':>4} {'FP':>4} {'secs':>6}  "
      f"malicious actors detected\n")
    for r in results:
        tp = sum(1 for x in r["incidents"] if x["malicious"])
        fp = len(r["incidents"]) - tp
        mal = [a for a in r["actors"] if a["malicious"]]
        det = f"{sum(a['detected'] for a in mal)}/{len(mal)}" if mal else "(benign)"
        flag = "" if r["exit"] in (0, 3) else f"  EXIT {r['exit']}"
        if r["unparsed_lines"]:
            flag += f"  {r['unparsed_lines']} unparsable lines"
        w(f"{r['set']:8} {r['scenario']:36} {r['input_lines']:7d} {r['alert_lines']:6d} {len(r['incidents']):5d} "
          f"{tp:4d} {fp:4d} {r['seconds']:6.1f}  {det}{flag}\n")
    w("\n")
    w(f"{'rule':24} {'TP':>4} {'FP':>4} {'precision':>9} {'recall':>7} {'strict':>7} {'mal.actors':>10} "
      f"{'lines/inc max':>13} {'mean':>6}\n")
    for rule, v in summ["rules"].items():
        w(f"{rule:24} {v['tp_incidents']:4d} {v['fp_incidents']:4d} {pct(v['precision']):>9} {pct(v['recall']):>7} "
          f"{pct(v['recall_strict']):>7} {v['malicious_actors_expecting']:10d} {v['lines_per_incident_max']:13d} "
          f"{v['lines_per_incident_mean']:6.2f}\n")
    o = summ["overall"]
    w(f"{'OVERALL':24} {o['tp_incidents']:4d} {o['fp_incidents']:4d} {pct(o['precision']):>9} {pct(o['recall']):>7} "
      f"{'':>7} {o['malicious_actors']:10d} {o['lines_per_incident_max']:13d} {o['lines_per_incident_mean']:6.2f}\n")
    w(f"\nmalicious actors detected: {o['detected']}/{o['malicious_actors']} "
      f"(+{o['detected_by_unexpected_rule_only']} alerted only by a rule they do not list); "
      f"benign actors alerted: {o['benign_actors_alerted']}/{o['benign_actors']}; "
      f"background FP incidents: {o['background_fp_incidents']}; "
      f"most incidents for one malicious actor: {o['max_incidents_one_malicious_actor']}\n")
    fps = [(r, x) for r in results for x in r["incidents"] if not x["malicious"]]
    if fps:
        w(f"\nFALSE POSITIVES ({len(fps)} incidents)\n")
        for r, x in fps:
            w(f"  [{r['set']}/{r['scenario']}] {x['rule']} actor={x['actor']} ip={x['ip']} lines={x['lines']}\n"
              f"      {x['message']}\n")
    missed = [(r, a) for r in results for a in r["actors"] if a["malicious"] and not a["detected"]]
    if missed:
        w(f"\nMISSED MALICIOUS ACTORS ({len(missed)})\n")
        for r, a in missed:
            other = ", ".join(f"{k}x{n}" for k, n in a["rules"]) or "no alerts"
            w(f"  [{r['set']}/{r['scenario']}] {a['id']}: {a['behaviour']}\n"
              f"      expected {', '.join(a['expected'])}; got {other}\n")
    noisy = [(r, a) for r in results for a in r["actors"] if a["malicious"] and a["incidents"] > 3]
    if noisy:
        w("\nMALICIOUS ACTORS WITH MORE THAN 3 INCIDENTS (one behaviour should be one incident)\n")
        for r, a in noisy:
            w(f"  [{r['set']}/{r['scenario']}] {a['id']}: {a['incidents']} incidents "
              f"({', '.join(f'{k}x{n}' for k, n in a['rules'])})\n")
    errs = [r for r in results if r["exit"] not in (0, 3) or (r["stderr"] and r["exit"] not in (0, 3))]
    for r in errs:
        w(f"\n[{r['set']}/{r['scenario']}] exit {r['exit']}: {r['stderr']}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary", help="path to the reqwatch binary ('-' with --alerts-dir)")
    ap.add_argument("--set", choices=["tuning", "holdout", "all"], default="all")
    ap.add_argument("--json", action="store_true", help="print JSON only (results and summary) to stdout")
    ap.add_argument("--json-out", help="also write the JSON to this file")
    ap.add_argument("--scenario", nargs="*", help="only these scenario names")
    ap.add_argument("--save-alerts", help="keep alerts as DIR/<set>/<name>.jsonl")
    ap.add_argument("--alerts-dir", help="read alerts from DIR instead of running the binary")
    args = ap.parse_args()
    if not args.alerts_dir and not os.access(args.binary, os.X_OK):
        sys.exit(f"not executable: {args.binary}")
    sets = ["tuning", "holdout"] if args.set == "all" else [args.set]
    results = []
    for s in sets:
        for d in sorted(glob.glob(os.path.join(HERE, s, "*", ""))):
            name = os.path.basename(os.path.dirname(d))
            if args.scenario and name not in args.scenario:
                continue
            if not os.path.exists(os.path.join(d, "labels.json")):
                continue
            results.append(score_scenario(s, name, d, args))
    summ = summarize(results)
    doc = {"results": results, "summary": summ}
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(doc, f, indent=1)
    if args.json:
        json.dump(doc, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print_report(results, summ)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.stderr.close()
