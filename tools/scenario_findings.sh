#!/usr/bin/env bash
# Findings on the repository scenario (tests/testdata/scenario) for one
# ethrecd build: starts it on loopback with a fresh database, imports each
# agency's CSV through `ethrec import` as that agency, and prints the
# findings per child and per kind, so two builds can be compared.
#   tools/scenario_findings.sh [ETHRECD] [ETHREC]   (default: build/service/ethrecd build/tools/ethrec)
set -euo pipefail
cd "$(dirname "$0")/.."
ethrecd="${1:-build/service/ethrecd}"
ethrec="${2:-build/tools/ethrec}"
dir=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
"$ethrecd" --listen=127.0.0.1:0 --db="$dir/scenario.db" >"$dir/out" 2>&1 &
pid=$!
address=""
for _ in $(seq 1 100); do
  address=$(sed -n 's/^ethrecd: listening on \([^ ]*\).*/\1/p' "$dir/out")
  [ -n "$address" ] && break
  sleep 0.1
done
[ -n "$address" ] || { echo "ethrecd did not start" >&2; cat "$dir/out" >&2; exit 1; }
for csv in tests/testdata/scenario/*.csv; do
  agency=$(basename "$csv" .csv)
  case "$agency" in expected_*) continue ;; esac
  "$ethrec" --server "$address" --agency "$agency" import "$csv" >/dev/null
done
children=$(cat tests/testdata/scenario/*.csv | grep -oE ',9[0-9]{9},' | sort -u | wc -l)
"$ethrec" --server "$address" --agency scenario --role data-quality-officer findings --json >"$dir/findings.json"
python3 - "$dir/findings.json" "$children" <<'PY'
import collections, json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
children = int(sys.argv[2])
print("%d findings on %d children: %.2f per child" % (len(rows), children, len(rows) / children))
for kind, n in sorted(collections.Counter(r["kind"] for r in rows).items()):
    print("  %-22s %d" % (kind, n))
PY
