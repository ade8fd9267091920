# The summary of an A/B script's rounds. Input lines: SIDE<TAB>VALUE<TAB>NAME,
# SIDE being A or B, in round order (each B after the A of its round). Echoes
# each line as it comes, then per NAME the medians and ranges of A and B and
# the median and range of B/A, each B divided by the last A before it. A NAME
# with only B lines (a figure that only B has) gets B's median and range alone.
#   ... | awk -F'\t' -f tools/ab_summary.awk
  { print; fflush() }
  function med(v, n,   k, j, tmp) {
    for (k = 1; k <= n; k++) for (j = k + 1; j <= n; j++) if (v[j] < v[k]) { tmp = v[k]; v[k] = v[j]; v[j] = tmp }
    return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  function lo(v, n,   k, m) { m = v[1]; for (k = 2; k <= n; k++) if (v[k] < m) m = v[k]; return m }
  function hi(v, n,   k, m) { m = v[1]; for (k = 2; k <= n; k++) if (v[k] > m) m = v[k]; return m }
  $1 == "A" { na[$3]++; av[$3, na[$3]] = $2; last[$3] = $2; names[$3] = 1 }
  $1 == "B" { nb[$3]++; names[$3] = 1; bv[$3, nb[$3]] = $2; if (last[$3] > 0) { nq[$3]++; qv[$3, nq[$3]] = $2 / last[$3] } }
  END {
    for (r in names) {
      split("", x); split("", y); split("", z)
      for (k = 1; k <= na[r]; k++) x[k] = av[r, k]
      for (k = 1; k <= nb[r]; k++) y[k] = bv[r, k]
      for (k = 1; k <= nq[r]; k++) z[k] = qv[r, k]
      if (na[r] == 0) {
        printf "%s: B median %.2f (%.2f..%.2f) over %d rounds\n", r, med(y, nb[r]), lo(y, nb[r]), hi(y, nb[r]), nb[r]
        continue
      }
      printf "%s: A median %.2f (%.2f..%.2f), B median %.2f (%.2f..%.2f); B/A median %.2f (%.2f..%.2f) over %d rounds\n",
             r, med(x, na[r]), lo(x, na[r]), hi(x, na[r]), med(y, nb[r]), lo(y, nb[r]), hi(y, nb[r]),
             med(z, nq[r]), lo(z, nq[r]), hi(z, nq[r]), nq[r]
    }
  }
