#!/usr/bin/env bash
# Rewrites SampleLogs/cases/*/expected-alerts.jsonl from the current build (review the diff before committing:
# the end-to-end tests compare the binary's output with these files byte for byte).
# Usage: SampleLogs/update-expected.sh [path/to/reqwatch]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(realpath "${1:-$root/.build/debug/reqwatch}")"
for dir in "$root"/SampleLogs/cases/*/; do
  (cd "$dir" && "$bin" scan --no-progress $(cat args 2>/dev/null || true) $(ls input* | sort) > expected-alerts.jsonl 2>/dev/null)
  printf '%-32s %s alert(s)\n' "$(basename "$dir")" "$(wc -l < "$dir/expected-alerts.jsonl")"
done
