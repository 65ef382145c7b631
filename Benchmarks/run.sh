#!/usr/bin/env bash
# Builds reqwatch and the benchmark in release mode, generates a 1M-line log (plain and gzip) with
# reqwatch-gen, and prints the stage timings and ratios (see Sources/reqwatch-bench/main.swift).
# Usage: Benchmarks/run.sh [LINES] [REPS]     (defaults: 1000000 lines, 3 repetitions)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
lines="${1:-1000000}"
reps="${2:-3}"
work="${TMPDIR:-/tmp}/reqwatch-bench"
mkdir -p "$work"
(cd "$root" && swift build -c release --product reqwatch-gen >/dev/null && swift build -c release --product reqwatch >/dev/null)
(cd "$here" && swift build -c release >/dev/null)
log="$work/gen-$lines.log"
if [ ! -s "$log" ]; then
  "$root/.build/release/reqwatch-gen" --lines "$lines" --seed 42 --format combined --output "$log" \
    --labels "$work/gen-$lines.labels.jsonl" --spec-out "$work/openapi.yaml"
  gzip -6 -c "$log" > "$log.gz"
fi
"$here/.build/release/reqwatch-bench" "$log" "$log.gz" --reps "$reps" --spec "$work/openapi.yaml" \
  --threads 1,2,3 --reqwatch "$root/.build/release/reqwatch" --memory 1000000
