#!/usr/bin/env bash
# Scale benchmark for findings (issue 4): loads N synthetic children x 5
# observations through the API into a fresh ethrecd, with findings off
# (--findings=false) and on, RUNS times each, interleaved (off, on, off,
# on, ...) so that drift on the machine hits both alike. Reports each pair,
# the ratio of the median import times, then (on the last database with
# findings) the SummarizeFindings and first ListFindings page latencies and
# the time `ethrec report` takes. Loopback only; temporary databases,
# removed after.
# Usage: tools/scale_bench.sh [BUILD_DIR] [CHILDREN] [RUNS]   (default: build 100000 3)
# Build in Release first for figures worth quoting:
#   cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build-release -j2
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
children="${2:-100000}"
runs="${3:-3}"
work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Starts ethrecd on a free loopback port with database $1 and flags $2...;
# sets $pid and $address.
start() {
  local db="$1"; shift
  rm -f "$db" "$db-wal" "$db-shm"
  "$build/service/ethrecd" --listen=127.0.0.1:0 --db="$db" "$@" >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 1 200); do
    address=$(sed -n 's/^ethrecd: listening on \([^ ]*\).*/\1/p' "$work/out")
    [ -n "$address" ] && return 0
    sleep 0.1
  done
  echo "ethrecd did not start" >&2; cat "$work/err" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" || true; pid=""; }
load_s() { sed -n 's/.* load_s=\([^ ]*\).*/\1/p' <<<"$1"; }

offs=(); ons=()
for run in $(seq 1 "$runs"); do
  start "$work/off.db" --findings=false
  off=$("$build/tools/ethrec_scale" --server="$address" --children="$children" --queries=false | grep '^RESULT')
  stop
  last=$([ "$run" -eq "$runs" ] && echo true || echo false)
  start "$work/on.db"
  on=$("$build/tools/ethrec_scale" --server="$address" --children="$children" --queries="$last" \
         | tee "$work/on.txt" | grep '^RESULT')
  if [ "$last" = true ]; then
    grep -E '^(SummarizeFindings|ListFindings)' "$work/on.txt"
    report_start=$(date +%s.%N)
    "$build/tools/ethrec" --server "$address" --agency partnership --role data-quality-officer \
      report --out "$work/report"
    report_end=$(date +%s.%N)
    ls -l "$work/report"
    python3 -c "import sys; print('ethrec report: %.1f s' % (float(sys.argv[2]) - float(sys.argv[1])))" \
      "$report_start" "$report_end"
  fi
  stop
  offs+=("$(load_s "$off")"); ons+=("$(load_s "$on")")
  echo "run $run: $children children x 5 observations: findings off $(load_s "$off") s, on $(load_s "$on") s"
done

python3 - "${offs[*]}" "${ons[*]}" <<'PY'
import statistics, sys
off = [float(x) for x in sys.argv[1].split()]
on = [float(x) for x in sys.argv[2].split()]
print("RATIO import time findings on/off (medians of %d): %.2f (target <= 1.5): %.1f s / %.1f s; per run: %s"
      % (len(off), statistics.median(on) / statistics.median(off), statistics.median(on), statistics.median(off),
         ", ".join("%.2f" % (b / a) for a, b in zip(off, on))))
PY
