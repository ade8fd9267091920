#!/usr/bin/env bash
# The cost of the audit trail: GetChild and RecordObservation calls per
# second of two ethrecd builds side by side, A without the audit (a build of
# main before it) and B with it. Each server gets its own fresh database on
# loopback and the same 20,000 seeded children; ethrec_load then runs
# --rounds pairs interleaved (A, B, A, B, ...) of each mode and prints every
# run and the median B/A ratio with its range. Bounded: --seconds per run.
#   tools/audit_ab.sh A/ethrecd B/ethrecd B/ethrec_load [rounds] [seconds] [concurrency] [dbdir]
# dbdir: where the databases go (default a fresh directory under /tmp); put
# it on the disk whose fsync you want to measure.
set -euo pipefail
a="$1" b="$2" load="$3" rounds="${4:-5}" seconds="${5:-3}" concurrency="${6:-8}"
dir=$(mktemp -d "${7:-/tmp}/ethrec-audit-ab.XXXXXX")
pids=()
stop() { [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; pids=(); }
trap 'stop; rm -rf "$dir"' EXIT
# start NAME BINARY DB: starts a server (in this shell, so that stop() knows
# its pid) and sets $addr to the address it listens on.
start() {
  "$2" --listen=127.0.0.1:0 --db="$3" > "$dir/$1.out" 2>&1 &
  pids+=($!)
  addr=""
  for _ in $(seq 1 100); do
    addr=$(sed -n 's/^ethrecd: listening on \([^ ]*\).*/\1/p' "$dir/$1.out" 2>/dev/null)
    [ -n "$addr" ] && return
    sleep 0.1
  done
  echo "$1 did not start" >&2; cat "$dir/$1.out" >&2; exit 1
}
for mode in child-reads child-writes; do
  # Fresh servers and databases per mode: the writes do not grow the reads' data.
  start "a-$mode" "$a" "$dir/a-$mode.db"; addr_a=$addr
  start "b-$mode" "$b" "$dir/b-$mode.db"; addr_b=$addr
  echo "== $mode: A $a, B $b; $rounds rounds of ${seconds}s, concurrency $concurrency"
  "$load" --server="$addr_a" --server_b="$addr_b" --mode="$mode" --rounds="$rounds" --seconds="$seconds" \
      --concurrency="$concurrency"
  stop
done
