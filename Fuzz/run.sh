#!/usr/bin/env bash
# Fuzz/run.sh HARNESS SECONDS [extra libFuzzer flags]    run one harness for SECONDS (built with -c release --sanitize=fuzzer)
# Fuzz/run.sh --smoke [SECONDS]                            every harness for SECONDS each (default 20): the CI smoke run
# Fuzz/run.sh --list                                       harness names
# New inputs libFuzzer finds go to .build/fuzz-corpus/HARNESS (the seeds in corpus/HARNESS are never modified);
# a crash leaves crash-* in .build/fuzz-artifacts/ and a non-zero status. Turn it into a regression test.
set -euo pipefail
cd "$(dirname "$0")"
export SWIFT_BACKTRACE=enable=no   # let crashes reach libFuzzer instead of Swift's backtracer
HARNESSES=(FuzzCombined FuzzJSON FuzzGzipFramer FuzzRedactor FuzzRouteTemplater FuzzConfig FuzzSpec)
build() { swift build -c release --sanitize=fuzzer >&2; }
run_one() {
    local name=$1 secs=$2; shift 2
    local bin; bin="$(swift build -c release --sanitize=fuzzer --show-bin-path)/$name"
    mkdir -p ".build/fuzz-corpus/$name" .build/fuzz-artifacts
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
        -artifact_prefix=".build/fuzz-artifacts/$name-" "$@" ".build/fuzz-corpus/$name" "corpus/$name" 2>&1 \
        | grep -E "^(#[0-9]+.*(DONE|pulse|INITED)|stat::|==[0-9]+==|SUMMARY|Done |.*(ERROR|crash|timeout|leak))" || true
    return "${PIPESTATUS[0]}"
}
case "${1:-}" in
    --list) printf '%s\n' "${HARNESSES[@]}" ;;
    --smoke)
        build
        status=0
        for h in "${HARNESSES[@]}"; do echo "== $h"; run_one "$h" "${2:-20}" || status=$?; done
        exit "$status" ;;
    "" | -h | --help) sed -n 2,6p "$0"; exit 64 ;;
    *) build; run_one "$1" "${2:-60}" "${@:3}" ;;
esac
