#!/usr/bin/env bash
# Two ethrecd builds, A and B, judged by the same in-server ratios: each
# round starts A, then B (fresh database each, the server pinned to CPU 0
# and the load to CPU 1, plaintext on loopback), and runs one interleaved
# pair of each ratio of ethrec_load against it: Normalize/Echo,
# NormalizeBatch/in-process and RecordObservations/bare SQLite. Rounds
# alternate A, B, A, B, ... so that drift hits both builds alike. Prints each
# round, then per ratio the medians and ranges of A and of B, and the median
# of B/A over the rounds. Bounded: every run is --seconds per side.
#   tools/server_ab.sh A/service/ethrecd B/service/ethrecd B/tools/ethrec_load [rounds] [seconds] [modes]
# modes: ethrec_load modes, space-separated (default "normalize normalize-batch record-batch").
set -euo pipefail
a="$1" b="$2" load="$3" rounds="${4:-5}" seconds="${5:-3}" modes="${6:-normalize normalize-batch record-batch}"
dir=$(mktemp -d /tmp/ethrec-server-ab.XXXXXX)
pid=""
stop() { [ -z "$pid" ] || kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; pid=""; }
trap 'stop; rm -rf "$dir"' EXIT
# run SIDE BINARY MODE: one pair of MODE's ratio against a fresh server.
run() {
  rm -f "$dir/load.db"*
  taskset -c 0 "$2" --listen=127.0.0.1:0 --db="$dir/load.db" > "$dir/out" 2>&1 &
  pid=$!
  local addr=""
  for _ in $(seq 1 100); do
    addr=$(sed -n 's/^ethrecd: listening on \([^ ]*\).*/\1/p' "$dir/out")
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { echo "ethrecd $2 did not start" >&2; cat "$dir/out" >&2; exit 1; }
  taskset -c 1 "$load" --server="$addr" --mode="$3" --rounds=1 --seconds="$seconds" |
    sed -n "s/^RATIO \([^ :]*\)[^:]*: median \([0-9.]*\).*/$1\t\2\t\1/p"
  stop
}
for i in $(seq 1 "$rounds"); do
  for mode in $modes; do
    run A "$a" "$mode"
    run B "$b" "$mode"
  done
done | awk -F'\t' '
  { print; fflush() }
  function med(v, n,   k, j, tmp) {
    for (k = 1; k <= n; k++) for (j = k + 1; j <= n; j++) if (v[j] < v[k]) { tmp = v[k]; v[k] = v[j]; v[j] = tmp }
    return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  function lo(v, n,   k, m) { m = v[1]; for (k = 2; k <= n; k++) if (v[k] < m) m = v[k]; return m }
  function hi(v, n,   k, m) { m = v[1]; for (k = 2; k <= n; k++) if (v[k] > m) m = v[k]; return m }
  $1 == "A" { na[$3]++; av[$3, na[$3]] = $2; last[$3] = $2; names[$3] = 1 }
  $1 == "B" { nb[$3]++; bv[$3, nb[$3]] = $2; if (last[$3] > 0) { nq[$3]++; qv[$3, nq[$3]] = $2 / last[$3] } }
  END {
    for (r in names) {
      split("", x); split("", y); split("", z)
      for (k = 1; k <= na[r]; k++) x[k] = av[r, k]
      for (k = 1; k <= nb[r]; k++) y[k] = bv[r, k]
      for (k = 1; k <= nq[r]; k++) z[k] = qv[r, k]
      printf "%s: A median %.2f (%.2f..%.2f), B median %.2f (%.2f..%.2f); B/A median %.2f (%.2f..%.2f) over %d rounds\n",
             r, med(x, na[r]), lo(x, na[r]), hi(x, na[r]), med(y, nb[r]), lo(y, nb[r]), hi(y, nb[r]),
             med(z, nq[r]), lo(z, nq[r]), hi(z, nq[r]), nq[r]
    }
  }'
