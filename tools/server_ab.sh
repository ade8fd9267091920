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
# ETHREC_AB_STORE=postgresql: the servers use a fresh database on a throwaway
# PostgreSQL 15 (initdb under the temporary directory, Unix socket and a free
# loopback port, fsync and synchronous_commit on, pinned to CPU 0 with the
# server) instead of a fresh SQLite file; it is stopped and removed after.
set -euo pipefail
a="$1" b="$2" load="$3" rounds="${4:-5}" seconds="${5:-3}" modes="${6:-normalize normalize-batch record-batch}"
store="${ETHREC_AB_STORE:-sqlite}"
pgbin=/usr/lib/postgresql/15/bin
dir=$(mktemp -d /tmp/ethrec-server-ab.XXXXXX)
pid=""
stop() { [ -z "$pid" ] || kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; pid=""; }
# PostgreSQL refuses to run as root: as root it runs as the postgres user.
as_pg=()
[ "$(id -u)" -ne 0 ] || as_pg=(runuser -u postgres --)
pg_stop() { [ ! -f "$dir/pg/data/postmaster.pid" ] || "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null; }
trap 'stop; pg_stop; rm -rf "$dir"' EXIT
db="$dir/load.db"
if [ "$store" = postgresql ]; then
  mkdir "$dir/pg" && chmod 755 "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres "$dir/pg"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${as_pg[@]}" "$pgbin/initdb" -D "$dir/pg/data" -A trust -U ethrec > "$dir/pg/initdb.log"
  taskset -c 0 "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log" -w \
    -o "-k $dir/pg -p $port -c listen_addresses=127.0.0.1 -c max_connections=100" start > /dev/null
  db="postgresql:///load?host=$dir/pg&port=$port&user=ethrec"
fi
# fresh_db: an empty database for the next server.
fresh_db() {
  if [ "$store" = postgresql ]; then
    "$pgbin/psql" -h "$dir/pg" -p "$port" -U ethrec -d postgres -q \
      -c "DROP DATABASE IF EXISTS load" -c "CREATE DATABASE load" > /dev/null
  else
    rm -f "$dir/load.db"*
  fi
}
# run SIDE BINARY MODE: one pair of MODE's ratio against a fresh server.
run() {
  fresh_db
  taskset -c 0 "$2" --listen=127.0.0.1:0 --db="$db" > "$dir/out" 2>&1 &
  pid=$!
  local addr=""
  for _ in $(seq 1 100); do
    addr=$(sed -n 's/^ethrecd: listening on \([^ ]*\).*/\1/p' "$dir/out")
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { echo "ethrecd $2 did not start" >&2; cat "$dir/out" >&2; exit 1; }
  # The ratios, and beside them the absolute figures they come from: rows/s
  # of RecordObservations, and p50/p99 of single RecordObservation calls.
  taskset -c 1 "$load" --server="$addr" --mode="$3" --rounds=1 --seconds="$seconds" |
    awk -v side="$1" -v mode="$3" '
      /^RATIO / { r = $2; sub(/:$/, "", r); for (i = 3; i <= NF; i++) if ($i == "median") { v = $(i + 1); sub(/,$/, "", v) }
                  printf "%s\t%s\t%s\n", side, v, r }
      / items\/s / { name = substr($0, 1, 28); sub(/ +$/, "", name); gsub(/ /, "_", name)
                     for (i = 1; i <= NF; i++) if ($i == "items/s") { ips = $(i - 1); p50 = $(i + 2); p99 = $(i + 5) }
                     if (name ~ /^RecordObservations/) printf "%s\t%s\t%s:%s_items/s\n", side, ips, mode, name
                     else if (name ~ /^RecordObservation_/) {
                       printf "%s\t%s\t%s:%s_p50_us\n", side, p50, mode, name
                       printf "%s\t%s\t%s:%s_p99_us\n", side, p99, mode, name } }'
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
