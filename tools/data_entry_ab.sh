#!/usr/bin/env bash
# Data-entry write latency of two ethrecd builds, interleaved A, B, A, B:
# each server gets its own fresh database on loopback, and each round runs
# ethrec_load --mode=data-entry once against each (one call at a time, plain
# writes, then validate_only where the server has it). Prints each run and
# the median ratios: B/A plain-write p50, and B's validate_only/write p50.
#   tools/data_entry_ab.sh A/ethrecd B/ethrecd B/ethrec_load [rounds] [seconds]
# A may be a build from before feedback existed (its validate_only is not
# timed). With FEEDBACK_B=false, B is timed the same way (plain writes
# twice): run the pair both ways round to see the order's own effect.
set -euo pipefail
a="$1" b="$2" load="$3" rounds="${4:-5}" seconds="${5:-3}"
dir=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
# start NAME BINARY: starts a server in this shell (so that the trap knows
# its pid; a command substitution's subshell would not) and sets $addr.
start() {
  "$2" --listen=127.0.0.1:0 --db="$dir/$1.db" > "$dir/$1.out" 2>&1 &
  pids+=($!)
  addr=""
  for _ in $(seq 1 100); do
    addr=$(sed -n 's/^ethrecd: listening on \([^ ]*\).*/\1/p' "$dir/$1.out")
    [ -n "$addr" ] && return
    sleep 0.1
  done
  echo "$1 did not start" >&2; cat "$dir/$1.out" >&2; exit 1
}
start a "$a"; addr_a=$addr
start b "$b"; addr_b=$addr
p50() { awk -v name="$1" '$0 ~ "^"name" " {for (i = 1; i <= NF; i++) if ($i == "p50") print $(i + 1)}' | head -1; }
for i in $(seq 1 "$rounds"); do
  # Both servers' children accumulate records the same way: same seed, same calls.
  taskset -c 1 "$load" --server="$addr_a" --mode=data-entry --rounds=1 --concurrency=1 --seconds="$seconds" \
      --expect_feedback=false > "$dir/a.txt"
  taskset -c 1 "$load" --server="$addr_b" --mode=data-entry --rounds=1 --concurrency=1 --seconds="$seconds" \
      --expect_feedback="${FEEDBACK_B:-true}" > "$dir/b.txt"
  wa=$(p50 RecordObservation < "$dir/a.txt")
  wb=$(p50 RecordObservation < "$dir/b.txt")
  vb=$(awk '/^RecordObservation validate_only/ {for (i = 1; i <= NF; i++) if ($i == "p50") print $(i + 1)}' "$dir/b.txt")
  echo "$i A write p50 ${wa} us | B write p50 ${wb} us, validate_only p50 ${vb} us"
done | awk '
  { print; fflush() }
  function med(v, n,   k, j, t) {
    for (k = 1; k <= n; k++) for (j = k + 1; j <= n; j++) if (v[j] < v[k]) { t = v[k]; v[k] = v[j]; v[j] = t }
    return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  { q[++n] = $11 / $5; r[n] = $15 / $11; lo1 = (n == 1 || q[n] < lo1) ? q[n] : lo1; hi1 = (n == 1 || q[n] > hi1) ? q[n] : hi1
    lo2 = (n == 1 || r[n] < lo2) ? r[n] : lo2; hi2 = (n == 1 || r[n] > hi2) ? r[n] : hi2 }
  END {
    printf "B/A write p50: median %.2f (range %.2f..%.2f)\n", med(q, n), lo1, hi1
    printf "B validate_only/write p50: median %.2f (range %.2f..%.2f)\n", med(r, n), lo2, hi2
  }'
