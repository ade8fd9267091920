#!/usr/bin/env bash
# Scale benchmark for findings (issue 4): loads N synthetic children x 5
# observations through the API into a fresh ethrecd twice, with findings
# off (--findings=false) and on, and reports the import-time ratio, the
# SummarizeFindings and first ListFindings page latencies, and the time
# `ethrec report` takes. Loopback only; temporary databases, removed after.
# Usage: tools/scale_bench.sh [BUILD_DIR] [CHILDREN]   (default: build 100000)
# Build in Release first for figures worth quoting:
#   cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build-release -j2
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
children="${2:-100000}"
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
value() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

echo "== findings off: $children children"
start "$work/off.db" --findings=false
off=$("$build/tools/ethrec_scale" --server="$address" --children="$children" --queries=false | tee /dev/stderr | grep '^RESULT')
stop

echo "== findings on: $children children"
start "$work/on.db"
on=$("$build/tools/ethrec_scale" --server="$address" --children="$children" | tee /dev/stderr | grep '^RESULT')
report_start=$(date +%s.%N)
"$build/tools/ethrec" --server "$address" --agency partnership --role data-quality-officer \
  report --out "$work/report" >"$work/report.out"
report_end=$(date +%s.%N)
cat "$work/report.out"
ls -l "$work/report"
stop

python3 - "$off" "$on" "$report_start" "$report_end" <<'PY'
import sys
def parse(line): return dict(kv.split("=") for kv in line.split()[1:])
off, on = parse(sys.argv[1]), parse(sys.argv[2])
print("RATIO import time findings on/off: %.2f (target <= 1.5): %.1f s / %.1f s"
      % (float(on["load_s"]) / float(off["load_s"]), float(on["load_s"]), float(off["load_s"])))
print("SummarizeFindings %.1f ms, ListFindings first page %.1f ms (filtered %.1f ms), %s findings"
      % (float(on["summarize_ms"]), float(on["list_first_page_ms"]), float(on["list_filtered_ms"]), on["findings"]))
print("ethrec report: %.1f s" % (float(sys.argv[4]) - float(sys.argv[3])))
PY
