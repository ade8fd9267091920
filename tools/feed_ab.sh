#!/usr/bin/env bash
# The cost of the change feed (issue 13), measured side by side: A is an
# ethrecd build without the feed (or any build to compare with), B one with
# it. Each round starts, each on a fresh database (server pinned to CPU 0,
# ethrec_feed_bench to CPU 1, plaintext on loopback):
#   A with no watcher;
#   B with no watcher, then B with 1 and with 50 officer watchers
#   (B runs with --max_watchers_per_agency=64, as the 50 watch as one agency).
# Each run makes WRITES RecordObservation calls from CONCURRENCY writers, each
# a new record about a child of its own. A has no feed, so its one run is the
# "feed off" figure every B run is divided by. Prints each run, then medians,
# ranges and the B/A ratios over the rounds, and B's delivery latencies
# (commit-to-delivery, bounded above by the call's own time; see
# ethrec_feed_bench). Bounded: WRITES per run, and 120 s per run.
#   tools/feed_ab.sh A/service/ethrecd B/service/ethrecd B/tools/ethrec_feed_bench [rounds] [writes] [concurrency]
# ETHREC_AB_STORE=postgresql: on a throwaway PostgreSQL 15 (see ab_store.sh).
set -euo pipefail
a="$1" b="$2" bench="$3" rounds="${4:-5}" writes="${5:-3000}" concurrency="${6:-8}"
source "$(dirname "$0")/ab_store.sh"
ab_begin ethrec-feed-ab
# run SIDE BINARY WATCHERS [ethrecd flags...]: one bench run on a fresh server;
# prints SIDE<TAB>VALUE<TAB>NAME lines.
run() {
  local side=$1 bin=$2 watchers=$3
  shift 3
  ab_fresh_db
  ab_start_server "$bin" "$@"
  local result
  result=$(taskset -c 1 "$bench" --server="$addr" --watchers="$watchers" --writes="$writes" \
             --concurrency="$concurrency" --seconds=120 | sed -n 's/^RESULT //p')
  stop
  [ -n "$result" ] || { echo "ethrec_feed_bench gave no RESULT against $bin" >&2; exit 1; }
  echo "$result" | awk -v side="$side" -v w="$watchers" '{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    if (v["failed"] != 0 || v["missing"] != 0) { print "run failed: " $0 > "/dev/stderr"; exit 1 }
    if (side == "A") {  # no feed: the "off" figure for each B run
      printf "A\t%s\twrites/s, B with 0 watchers\nA\t%s\twrites/s, B with 1 watcher\nA\t%s\twrites/s, B with 50 watchers\n",
             v["writes_per_s"], v["writes_per_s"], v["writes_per_s"]
      printf "A\t%s\twrite p99 ms, B with 0 watchers\n", v["write_p99_ms"]
    } else {
      printf "B\t%s\twrites/s, B with %s watcher%s\n", v["writes_per_s"], w, (w == 1 ? "" : "s")
      if (w == 0) printf "B\t%s\twrite p99 ms, B with 0 watchers\n", v["write_p99_ms"]
      else {
        printf "B\t%s\tdelivery p50 ms, %s watcher%s\n", v["delivery_p50_ms"], w, (w == 1 ? "" : "s")
        printf "B\t%s\tdelivery p99 ms, %s watcher%s\n", v["delivery_p99_ms"], w, (w == 1 ? "" : "s")
      }
    }
  }'
}
for i in $(seq 1 "$rounds"); do
  run A "$a" 0
  run B "$b" 0
  run B "$b" 1 --max_watchers_per_agency=64
  run B "$b" 50 --max_watchers_per_agency=64
done | awk -F'\t' -f "$(dirname "$0")/ab_summary.awk"
