#!/usr/bin/env bash
# Interleaved A/B of two mapping_benchmark builds (A, B, A, B, ...), pinned
# to one core: prints, per pair, the free-text normalisation time and the
# free-text / ICU NFKC_Casefold ratio each build measures in its own run
# (nine repetitions of each, in random order, so that both sides of the
# ratio see the same spells of a noisy machine), then the medians. This
# machine is noisy: compare only figures taken this way.
#   tools/bench_ab.sh BASE/tools/mapping_benchmark NEW/tools/mapping_benchmark [pairs]
set -euo pipefail
a="$1" b="$2" pairs="${3:-6}"
run() {
  taskset -c 1 "$1" --benchmark_filter='BM_NormalizeFreeText$|BM_IcuNfkc' --benchmark_min_time=0.3 \
      --benchmark_repetitions=9 --benchmark_enable_random_interleaving=true \
      --benchmark_report_aggregates_only=true 2>/dev/null |
    sed 's/\x1b\[[0-9;]*m//g' | awk '/NormalizeFreeText_median/ {t=$2} /IcuNfkcCasefoldOnly_median/ {i=$2}
                                     END {printf "%s %.3f\n", t, t/i}'
}
for i in $(seq 1 "$pairs"); do
  echo "$i A $(run "$a")"
  echo "$i B $(run "$b")"
done | tee /dev/stderr | awk '
  function med(v, n,   k, j, tmp) {
    for (k = 1; k <= n; k++) for (j = k + 1; j <= n; j++) if (v[j] < v[k]) { tmp = v[k]; v[k] = v[j]; v[j] = tmp }
    return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  $2 == "A" { ta[$1] = $3; ra[++na] = $4 }
  $2 == "B" { q[++nq] = $3 / ta[$1]; rb[++nb] = $4 }
  END {
    printf "B/A free-text time: median %.3f\n", med(q, nq)
    printf "free-text / ICU: A median %.2f, B median %.2f (target <= 3)\n", med(ra, na), med(rb, nb)
  }'
