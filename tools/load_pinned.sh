#!/usr/bin/env bash
# ethrec_load against a fresh ethrecd of BUILD_DIR, the server pinned to
# CPU 0 and the load to CPU 1, so that client and server never take turns
# on one core (the main source of spread in the interleaved ratios on a
# two-core machine). Every further argument goes to ethrec_load, e.g.
#   tools/load_pinned.sh build-release --mode=normalize --rounds=9 --seconds=3
set -euo pipefail
build="$1"
shift
dir=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
taskset -c 0 "$build/service/ethrecd" --listen=127.0.0.1:0 --db="$dir/load.db" > "$dir/out" 2>&1 &
pid=$!
addr=""
for _ in $(seq 1 100); do
  addr=$(sed -n 's/^ethrecd: listening on \([^ ]*\).*/\1/p' "$dir/out")
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { echo "ethrecd did not start" >&2; cat "$dir/out" >&2; exit 1; }
taskset -c 1 "$build/tools/ethrec_load" --server="$addr" "$@"
