#!/usr/bin/env bash
# The cost of mutual TLS: one ethrecd build served twice on loopback, once
# in plaintext and once with mutual TLS (development certificates from
# deploy/dev-certs.sh), each with a fresh database. ethrec_load --mode=tls
# then measures Normalize and GetChild calls per second against both,
# interleaved pair by pair (plaintext, TLS, plaintext, TLS ...), and prints
# the median TLS/plaintext ratio and its range. The servers run on CPU 0
# and the load on CPU 1, so that the two do not take turns on one core.
#   tools/tls_ab.sh BUILD_DIR [rounds] [seconds]
set -euo pipefail
build="$1" rounds="${2:-7}" seconds="${3:-3}"
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
deploy/dev-certs.sh "$dir/certs" >/dev/null
# start NAME FLAGS...: sets $addr to the address it listens on. Not called in
# a command substitution, whose subshell would lose the server's pid.
start() {
  local name=$1
  shift
  taskset -c 0 "$build/service/ethrecd" --listen=127.0.0.1:0 --db="$dir/$name.db" "$@" > "$dir/$name.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    addr=$(sed -n 's/^ethrecd: listening on \([^ ]*\).*/\1/p' "$dir/$name.out")
    [ -n "$addr" ] && return
    sleep 0.1
  done
  echo "$name did not start" >&2; cat "$dir/$name.out" >&2; exit 1
}
start plain
plain=$addr
start tls --tls_cert="$dir/certs/server.pem" --tls_key="$dir/certs/server.key" --tls_client_ca="$dir/certs/ca.pem"
tls=$addr
taskset -c 1 "$build/tools/ethrec_load" --server="$plain" --tls_server="$tls" --mode=tls \
    --tls_ca="$dir/certs/ca.pem" --tls_cert="$dir/certs/camden-csc.record-system.pem" \
    --tls_key="$dir/certs/camden-csc.record-system.key" --rounds="$rounds" --seconds="$seconds"
