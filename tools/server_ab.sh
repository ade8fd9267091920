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
source "$(dirname "$0")/ab_store.sh"
ab_begin ethrec-server-ab
# run SIDE BINARY MODE: one pair of MODE's ratio against a fresh server.
run() {
  ab_fresh_db
  ab_start_server "$2"
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
done | awk -F'\t' -f "$(dirname "$0")/ab_summary.awk"
