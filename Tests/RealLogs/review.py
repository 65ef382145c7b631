#!/usr/bin/env python3
"""Runs reqwatch on the real public logs in ../shared/peers-testdata/real/ and checks every incident against
reviewed.tsv (incident id, rule, subject, why a person on call wants it). Exits 1 when an incident is not listed.

Usage: Tests/RealLogs/review.py BINARY [--write]   (--write prints the table rows of unlisted incidents to add)
"""
import gzip, json, os, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
real = os.path.join(root, "..", "shared", "peers-testdata", "real")


def opendap_as_jsonl(path, out):
    """The OPeNDAP log is `|&|`-separated with hashed client ids and minute times: JSON Lines with the id as user."""
    with gzip.open(path, "rt", errors="replace") as f, open(out, "w") as o:
        for line in f:
            p = line.rstrip("\n").split("|&|")
            if len(p) < 9:
                continue
            day, hm = p[0].split(" ")
            h, m = int(hm[:2]) % 12, int(hm[3:5])
            if hm.endswith("PM"):
                h += 12
            path, _, query = p[6].partition("?")
            o.write(json.dumps({"time": f"{day}T{h:02d}:{m:02d}:00Z", "ip": "192.0.2.1", "user": p[1], "method": "GET",
                                "path": path, "query": query, "status": int(p[7]), "bytes": int(p[8] or 0)}) + "\n")


def incidents(binary):
    logs = sorted(f for f in os.listdir(real) if not f.startswith("."))
    total_lines, found = 0, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in logs:
            src = os.path.join(real, name)
            args = [binary, "scan", "--no-progress"]
            if name.startswith("opendap"):
                conv = os.path.join(tmp, "opendap.jsonl")
                opendap_as_jsonl(src, conv)
                args += ["--log-format", "json", "--field-map", "time=time,ip=ip,user=user,method=method,path=path,"
                         "query=query,status=status,bytes=bytes", conv]
                lines = sum(1 for _ in open(conv))
            else:
                args.append(src)
                lines = sum(1 for _ in open(src, "rb"))
            total_lines += lines
            out = subprocess.run(args, capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"{name}: reqwatch exited {out.returncode}: {out.stderr[-500:]}")
            for l in out.stdout.splitlines():
                a = json.loads(l)
                inc = a["reqwatch"].get("incident", {}).get("id") or a["event"]["id"]
                subject = a["reqwatch"].get("client") or a.get("source", {}).get("ip") or a["reqwatch"].get("route", "")
                found[inc] = (name, a["rule"]["id"], subject, a["message"])
    return total_lines, found


def main():
    binary = sys.argv[1]
    reviewed = {}
    with open(os.path.join(here, "reviewed.tsv")) as f:
        for row in f:
            if row.startswith("#") or not row.strip():
                continue
            parts = row.rstrip("\n").split("\t")
            reviewed[parts[0]] = parts
    total, found = incidents(binary)
    unlisted = {k: v for k, v in found.items() if k not in reviewed}
    by_rule = {}
    for _, rule, _, _ in found.values():
        by_rule[rule] = by_rule.get(rule, 0) + 1
    print(f"real logs: {total} lines, {len(found)} incidents ({', '.join(f'{r} {n}' for r, n in sorted(by_rule.items()))}); "
          f"{len(unlisted)} not in reviewed.tsv; {len(found) * 100000 / max(1, total):.1f} incidents per 100k lines")
    for k, (name, rule, subject, msg) in sorted(unlisted.items(), key=lambda x: x[1]):
        print(f"{k}\t{rule}\t{name}\t{subject}\t{msg[:160]}\tREASON?", file=sys.stdout if "--write" in sys.argv else sys.stderr)
    sys.exit(1 if unlisted and "--write" not in sys.argv else 0)


main()
