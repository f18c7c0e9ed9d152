#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang 14, -fsanitize=fuzzer,address,undefined) in build-fuzz
# and runs each for SECONDS (default 60), then prints per target: executions, executions per second,
# coverage (edges and features), peak memory and the findings (crash, leak, timeout, out of memory).
#
#   packaging/fuzz.sh [SECONDS] [TARGET...]      # all targets, or the ones named (only those are built)
#   AUTOMOE_FUZZ_BUILD=DIR  build directory (default build-fuzz)
#   AUTOMOE_FUZZ_JOBS=N     build jobs (default 2)
#   AUTOMOE_FUZZ_RUNS=N     stop a target after N executions (libFuzzer -runs=N) or SECONDS, whichever
#                           comes first: AUTOMOE_FUZZ_RUNS=1000000 packaging/fuzz.sh 600 is the issue's
#                           "each target 1 M executions or 10 minutes"
#   AUTOMOE_FUZZ_ARGS=...   more libFuzzer flags, e.g. "-max_len=65536"
#
# Inputs that raise coverage are kept in BUILD/corpus/<target>/ (seeded from tests/fuzz/corpus/<target>/,
# reused by the next run); findings are written to BUILD/findings/<target>/. Keep a finding as
# tests/fuzz/regressions/<target>/NAME once the bug is fixed: CTest's fuzz_replay_<target> replays it in every
# build. Exit status 1 when a target had a finding. Needs clang-14 and libclang-rt-14-dev
# (packaging/install-deps.sh). Runs one target at a time on one core; on a shared machine run it with nice.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_EACH=${1:-60}
shift || true
BUILD=${AUTOMOE_FUZZ_BUILD:-$ROOT/build-fuzz}
JOBS=${AUTOMOE_FUZZ_JOBS:-2}
CXX_FUZZ=${CXX_FUZZ:-clang++-14}
if ! [[ "$SECONDS_EACH" =~ ^[0-9]+$ ]] || [ "$SECONDS_EACH" -lt 1 ]; then
  echo "fuzz.sh: SECONDS must be a positive integer, got '$SECONDS_EACH'" >&2
  exit 2
fi
RUNS=${AUTOMOE_FUZZ_RUNS:-}
if [ -n "$RUNS" ] && { ! [[ "$RUNS" =~ ^[0-9]+$ ]] || [ "$RUNS" -lt 1 ]; }; then
  echo "fuzz.sh: AUTOMOE_FUZZ_RUNS must be a positive integer, got '$RUNS'" >&2
  exit 2
fi
RUNS_ARG=()
[ -n "$RUNS" ] && RUNS_ARG=(-runs="$RUNS")
if ! command -v "$CXX_FUZZ" >/dev/null; then
  echo "fuzz.sh: $CXX_FUZZ not found: install clang-14 and libclang-rt-14-dev (packaging/install-deps.sh)" >&2
  exit 2
fi

cmake -S "$ROOT/tests/fuzz/libfuzzer" -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER="$CXX_FUZZ" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if [ $# -gt 0 ]; then
  cmake --build "$BUILD" -j "$JOBS" --target "$@"
else
  cmake --build "$BUILD" -j "$JOBS"
fi

if [ $# -gt 0 ]; then
  TARGETS=("$@")
else
  mapfile -t TARGETS < <(sed -n '/^set(AUTOMOE_FUZZ_TARGETS/,/)/p' "$ROOT/tests/fuzz/FuzzTargets.cmake" |
    grep -o 'fuzz_[a-z_]*')
fi

status=0
rows=()
for t in "${TARGETS[@]}"; do
  bin="$BUILD/$t"
  [ -x "$bin" ] || { echo "fuzz.sh: no target $t" >&2; exit 2; }
  work="$BUILD/corpus/$t"
  findings="$BUILD/findings/$t"
  log="$BUILD/logs/$t.log"
  mkdir -p "$work" "$findings" "$(dirname "$log")"
  dirs=("$work" "$ROOT/tests/fuzz/corpus/$t")
  [ -d "$ROOT/tests/fuzz/regressions/$t" ] && dirs+=("$ROOT/tests/fuzz/regressions/$t")
  echo "== $t: ${SECONDS_EACH} s${RUNS:+ or $RUNS executions}"
  set +e
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: 2 GB is out of memory; leaks are
  # reported by LeakSanitizer (on by default).
  # shellcheck disable=SC2086
  "$bin" -max_total_time="$SECONDS_EACH" "${RUNS_ARG[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$findings/" ${AUTOMOE_FUZZ_ARGS:-} "${dirs[@]}" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 | awk '{print $2 " edges, " $4 " features"}')
  finding="none"
  if [ $rc -ne 0 ]; then
    status=1
    finding=$(grep -o -m1 -E 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer): [a-z-]+|runtime error|fuzzFail|deadly signal|timeout|out-of-memory' "$log" | head -1)
    finding="${finding:-exit $rc}: $(ls -t "$findings" | head -1) (log $log)"
    grep -m3 -E '^fuzz_|runtime error' "$log" >&2 || true
  fi
  rows+=("$(printf '%-24s %12s %9s  %-30s %6s MB  %s' "$t" "$execs" "$rate/s" "$cov" "$rss" "$finding")")
done

echo
printf '%-24s %12s %9s  %-30s %9s  %s\n' target executions rate coverage "peak rss" findings
printf '%s\n' "${rows[@]}"
exit $status
