#!/usr/bin/env bash
# Scale on PostgreSQL (issue 12, item 6): loads CHILDREN synthetic children x 5
# observations through the API (ethrec_scale: findings on, 1000-row batches,
# 4 calls in flight) into a fresh database, once per CONFIG per round, the
# configs interleaved within each round (A, B, A, B, ...). A CONFIG is
# ETHRECD:REPLICAS: that server binary, that many replicas on the one
# database, the calls spread over them. Each run reports the import rate,
# then SummarizeFindings and first-page ListFindings latency (median of 5)
# and the database size per child; at the end, per config, the medians, and
# each config's import rate over the first's (median of the per-round
# ratios).
# One throwaway PostgreSQL 15 (initdb in a temporary directory, Unix socket
# and a free loopback port, fsync and synchronous_commit on), removed after.
# Nothing is pinned: the database, the replicas and the load share the
# machine's cores, as they would on one host.
#   tools/pg_scale.sh ETHREC_SCALE CHILDREN ROUNDS CONFIG...
#   tools/pg_scale.sh build/tools/ethrec_scale 1000000 1 build/service/ethrecd:1 build/service/ethrecd:2
set -euo pipefail
scale="$1" children="$2" rounds="$3"
shift 3
configs=("$@")
ETHREC_AB_STORE=postgresql
ab_pg_cpus=0-$(($(nproc) - 1))
source "$(dirname "$0")/ab_store.sh"
servers=()
stop_servers() { for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; servers=(); }
dir=$(mktemp -d /tmp/ethrec-pg-scale.XXXXXX)
trap 'stop_servers; ab_store_stop; rm -rf "$dir"' EXIT
ab_store_start
# start_replica BINARY N: replica N on $db, on a free loopback port; appends its address to $addrs.
start_replica() {
  "$1" --listen=127.0.0.1:0 --db="$db" > "$dir/out$2" 2>&1 &
  servers+=($!)
  for _ in $(seq 1 300); do
    a=$(sed -n 's/^ethrecd: listening on \([^ ]*\).*/\1/p' "$dir/out$2")
    if [ -n "$a" ]; then addrs="${addrs:+$addrs,}$a"; return 0; fi
    sleep 0.1
  done
  echo "ethrecd $1 did not start" >&2; cat "$dir/out$2" >&2; exit 1
}
for round in $(seq 1 "$rounds"); do
  for k in "${!configs[@]}"; do
    bin="${configs[$k]%:*}" n="${configs[$k]##*:}"
    ab_fresh_db
    addrs=""
    for r in $(seq 1 "$n"); do start_replica "$bin" "$r"; done
    "$scale" --server="$addrs" --children="$children" --batch=1000 --concurrency=4 --seconds=7200 > "$dir/scale.txt"
    stop_servers
    size=$("$ab_pgbin/psql" -h "$dir/pg" -p "$ab_pgport" -U ethrec -d load -At -c "SELECT pg_database_size('load')")
    # Printed as it comes (a run may take half an hour) and kept for the summary.
    echo "config=$k $(sed -n 's/^RESULT //p' "$dir/scale.txt") db_bytes=$size bytes_per_child=$((size / children)) round=$round" |
      tee -a "$dir/results.txt"
  done
done
awk -v names="${configs[*]}" '
  { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    c = v["config"]; k = ++count[c]; if (c + 1 > nconf) nconf = c + 1
    rate[c, k] = v["rows_per_s"]; sum[c, k] = v["summarize_ms"]; list[c, k] = v["list_first_page_ms"]
    bpc[c, k] = v["bytes_per_child"] }
  function med(a, c, n,   k, j, t, x) {
    for (k = 1; k <= n; k++) x[k] = a[c, k]
    for (k = 1; k <= n; k++) for (j = k + 1; j <= n; j++) if (x[j] < x[k]) { t = x[k]; x[k] = x[j]; x[j] = t }
    return (n % 2) ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
  }
  function lo(a, c, n,   k, m) { m = a[c, 1]; for (k = 2; k <= n; k++) if (a[c, k] < m) m = a[c, k]; return m }
  function hi(a, c, n,   k, m) { m = a[c, 1]; for (k = 2; k <= n; k++) if (a[c, k] > m) m = a[c, k]; return m }
  END {
    split(names, name, " ")
    for (c = 0; c < nconf; c++) {
      n = count[c]
      printf "%s, %d run(s): import %.0f rows/s (%.0f..%.0f), SummarizeFindings %.1f ms, first ListFindings page %.1f ms, %.0f bytes per child (medians)\n",
             name[c + 1], n, med(rate, c, n), lo(rate, c, n), hi(rate, c, n), med(sum, c, n), med(list, c, n), med(bpc, c, n)
      if (c > 0) {
        m = n < count[0] ? n : count[0]
        for (k = 1; k <= m; k++) r[c, k] = rate[c, k] / rate[0, k]
        printf "  import rate / %s: median %.2f (%.2f..%.2f) over %d round(s)\n", name[1], med(r, c, m), lo(r, c, m), hi(r, c, m), m
      }
    }
  }' "$dir/results.txt"
