# Sourced by the A/B scripts (server_ab.sh, feed_ab.sh): a fresh database for
# each server run, on SQLite or, with ETHREC_AB_STORE=postgresql, on a
# throwaway PostgreSQL 15 (initdb under the caller's $dir, Unix socket and a
# free loopback port, fsync and synchronous_commit on, pinned to CPU 0 with
# the server; $ab_pg_cpus, if set, names other CPUs; ETHREC_AB_PG_OPTS adds
# server options, e.g. "-c wal_compression=on"), stopped and removed by
# ab_store_stop.
# ab_begin NAME: a temporary directory $dir, the store started in it, and an
# EXIT trap that stops the server (stop), the store and removes $dir. Sets:
# $db, the --db value for ethrecd. Functions: ab_fresh_db, ab_start_server,
# stop.
ab_store="${ETHREC_AB_STORE:-sqlite}"
ab_pgbin=/usr/lib/postgresql/15/bin
# PostgreSQL refuses to run as root: as root it runs as the postgres user.
ab_as_pg=()
[ "$(id -u)" -ne 0 ] || ab_as_pg=(runuser -u postgres --)
ab_store_start() {
  db="$dir/load.db"
  [ "$ab_store" = postgresql ] || return 0
  mkdir "$dir/pg" && chmod 755 "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres "$dir/pg"
  ab_pgport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${ab_as_pg[@]}" "$ab_pgbin/initdb" -D "$dir/pg/data" -A trust -U ethrec > "$dir/pg/initdb.log"
  taskset -c "${ab_pg_cpus:-0}" "${ab_as_pg[@]}" "$ab_pgbin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log" -w \
    -o "-k $dir/pg -p $ab_pgport -c listen_addresses=127.0.0.1 -c max_connections=100 ${ETHREC_AB_PG_OPTS:-}" start > /dev/null
  db="postgresql:///load?host=$dir/pg&port=$ab_pgport&user=ethrec"
}
ab_store_stop() {
  [ ! -f "$dir/pg/data/postmaster.pid" ] || "${ab_as_pg[@]}" "$ab_pgbin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null
}
# ab_fresh_db: an empty database for the next server.
ab_fresh_db() {
  if [ "$ab_store" = postgresql ]; then
    "$ab_pgbin/psql" -h "$dir/pg" -p "$ab_pgport" -U ethrec -d postgres -q \
      -c "DROP DATABASE IF EXISTS load" -c "CREATE DATABASE load" > /dev/null
  else
    rm -f "$dir/load.db"*
  fi
}
# ab_start_server BINARY FLAGS...: starts ethrecd pinned to CPU 0 on a free
# loopback port; sets $pid and $addr.
ab_start_server() {
  local bin=$1
  shift
  taskset -c 0 "$bin" --listen=127.0.0.1:0 --db="$db" "$@" > "$dir/out" 2>&1 &
  pid=$!
  addr=""
  for _ in $(seq 1 100); do
    addr=$(sed -n 's/^ethrecd: listening on \([^ ]*\).*/\1/p' "$dir/out")
    [ -n "$addr" ] && return 0
    sleep 0.1
  done
  echo "ethrecd $bin did not start" >&2
  cat "$dir/out" >&2
  exit 1
}
# stop: the server ab_start_server started, if it runs.
pid=""
stop() { [ -z "$pid" ] || kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; pid=""; }
ab_begin() {
  dir=$(mktemp -d "/tmp/$1.XXXXXX")
  trap 'stop; ab_store_stop; rm -rf "$dir"' EXIT
  ab_store_start
}
