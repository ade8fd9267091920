#!/usr/bin/env bash
# Translate over gRPC against FHIR $translate (and POST /v1/translate) over
# HTTP, side by side on one ethrecd, with one load generator for all three
# (h2load, Debian package nghttp2-client: gRPC unary calls are HTTP/2 POSTs
# of a length-prefixed message, so h2load sends them as it sends the HTTP
# requests). Rounds are interleaved (gRPC, FHIR, JSON, gRPC, ...); each run
# sends REQUESTS requests after an untimed warm-up of a tenth as many, and
# prints requests/s, its wall time, and the CPU the server used per 1000
# requests (utime + stime from /proc/PID/stat, read just before and after
# the timed run) and the load generator's; then medians and ranges.
# Every request must succeed: for gRPC, /metrics must count every call OK.
#
#   tools/http_grpc_bench.sh [ETHRECD] [ROUNDS=5] [REQUESTS=40000] [CLIENTS=4]
#
# Plaintext on loopback (identity from headers), SQLite in a temporary
# directory. The server and h2load share this machine's cores.
#
# Fixed request counts (-n), never a duration (-D): with --h1, h2load 1.52
# (Debian 12) races when a server closes a connection near the end of a
# timed run (nghttp2 issue 2250, fixed upstream by PR 2249 in October
# 2024) and spins for ever reconnecting, and cpp-httplib closes each
# keep-alive connection after 5 requests, so the JSON and FHIR runs (and
# --warm-up-time, which is a timed phase too) hung or ran far past their
# duration. gRPC (h2) was unaffected.
set -euo pipefail
ethrecd="${1:-build/service/ethrecd}" rounds="${2:-5}" requests="${3:-40000}" clients="${4:-4}"
command -v h2load >/dev/null || { echo "h2load is missing: apt-get install nghttp2-client" >&2; exit 2; }
tmp=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$ethrecd" --listen=127.0.0.1:0 --http_listen=127.0.0.1:0 --db="$tmp/bench.db" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 1 100); do grep -q 'http on' "$tmp/out" && break; sleep 0.1; done
grpc_port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/out")
http_port=$(sed -n 's/.*http on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/out")
[ -n "$grpc_port" ] && [ -n "$http_port" ] || { cat "$tmp/out" "$tmp/err" >&2; exit 1; }

# TranslateRequest{from_system: "dfe", code: "BSOM", to_system: "nhs-ethnic-category"},
# serialised by hand (three length-delimited strings), in a gRPC frame.
python3 - "$tmp/translate.grpc" <<'PY'
import struct, sys
def field(number, value):
    data = value.encode()
    return bytes([number << 3 | 2, len(data)]) + data
message = field(1, "dfe") + field(2, "BSOM") + field(3, "nhs-ethnic-category")
open(sys.argv[1], "wb").write(b"\0" + struct.pack(">I", len(message)) + message)
PY
printf '%s' '{"fromSystem":"dfe","code":"BSOM","toSystem":"nhs-ethnic-category"}' >"$tmp/translate.json"
fhir_path='/fhir/ConceptMap/$translate?system=urn:ethrec:codesystem:dfe&code=BSOM&targetsystem=urn:ethrec:codesystem:nhs-ethnic-category'
who=(-H 'x-ethrec-agency: camden-csc' -H 'x-ethrec-role: record-system')

# Server CPU ticks so far (user + system).
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)

# run MODE: a warm-up, then one measured h2load run; prints "MODE req_per_s
# server_cpu_ms_per_1000 h2load_cpu_ms_per_1000 wall_seconds".
run() {
  local mode=$1 args
  case $mode in
    grpc) args=(-d "$tmp/translate.grpc" -H 'content-type: application/grpc' -H 'te: trailers' "${who[@]}"
                "http://127.0.0.1:$grpc_port/ethrec.v1.TaxonomyService/Translate") ;;
    fhir) args=(--h1 "${who[@]}" "http://127.0.0.1:$http_port$fhir_path") ;;
    json) args=(--h1 -d "$tmp/translate.json" -H 'content-type: application/json' "${who[@]}"
                "http://127.0.0.1:$http_port/v1/translate") ;;
  esac
  timeout 120 h2load -c "$clients" -m 1 -n "$(( requests / 10 ))" "${args[@]}" >"$tmp/h2load" 2>&1 ||
    { cat "$tmp/h2load" >&2; echo "$mode: the warm-up failed" >&2; exit 1; }
  local before after start end
  before=$(ticks)
  start=$(date +%s.%N)
  timeout 300 /usr/bin/time -f '%U %S' -o "$tmp/time" h2load -c "$clients" -m 1 -n "$requests" "${args[@]}" >"$tmp/h2load" 2>&1 ||
    { cat "$tmp/h2load" >&2; echo "$mode: h2load failed or took over 300 s" >&2; exit 1; }
  end=$(date +%s.%N)
  after=$(ticks)
  local done_ok failed rps client
  done_ok=$(sed -n 's/^requests: .* \([0-9]*\) succeeded, \([0-9]*\) failed.*/\1/p' "$tmp/h2load")
  failed=$(sed -n 's/^requests: .* succeeded, \([0-9]*\) failed, \([0-9]*\) errored.*/\1+\2/p' "$tmp/h2load")
  rps=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' "$tmp/h2load")
  [ "$((failed))" -eq 0 ] && [ "${done_ok:-0}" -eq "$requests" ] || { cat "$tmp/h2load" >&2; echo "$mode: failures" >&2; exit 1; }
  client=$(awk '{print $1 + $2}' "$tmp/time")
  awk -v m="$mode" -v r="$rps" -v s="$(( after - before ))" -v hz="$hz" -v n="$done_ok" -v c="$client" \
      -v w="$(echo "$end $start" | awk '{print $1 - $2}')" \
    'BEGIN { printf "%s %.0f %.3f %.3f %.2f\n", m, r, s / hz * 1e6 / n, c * 1e6 / n, w }'
}

echo "round mode req/s server_cpu_ms_per_1000 h2load_cpu_ms_per_1000 wall_s   (c=$clients, $requests requests each)"
for i in $(seq 1 "$rounds"); do
  for mode in grpc fhir json; do echo "$i $(run "$mode")"; done
done | tee "$tmp/results" >&2
grpc_ok=$(curl -s "http://127.0.0.1:$http_port/metrics" |
  sed -n 's/^ethrec_calls_total{transport="grpc",method="\/ethrec.v1.TaxonomyService\/Translate",code="OK"} \([0-9]*\)$/\1/p')
grpc_bad=$(curl -s "http://127.0.0.1:$http_port/metrics" |
  grep -c '^ethrec_calls_total{transport="grpc",method="/ethrec.v1.TaxonomyService/Translate",code="[^O]' || true)
echo "gRPC Translate calls answered OK (server's count): ${grpc_ok:-0}; other codes: $grpc_bad"
[ "$grpc_bad" -eq 0 ] && [ "${grpc_ok:-0}" -gt 0 ] || { echo "gRPC calls failed" >&2; exit 1; }
awk '
  function med(v, n,   k, j, t) {
    for (k = 1; k <= n; k++) for (j = k + 1; j <= n; j++) if (v[j] < v[k]) { t = v[k]; v[k] = v[j]; v[j] = t }
    return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  { m = $2; n[m]++; r[m, n[m]] = $3; s[m, n[m]] = $4; c[m, n[m]] = $5; rr_round[$1, m] = $3; sr_round[$1, m] = $4; last = $1 }
  # The median and range of one ratio over the rounds (each round pairs
  # runs made seconds apart, so slow drift in the machine cancels).
  function paired(label, num, den, what, arr,   i, k, v, lo, hi) {
    k = 0; lo = 1e18; hi = 0
    for (i = 1; i <= last; i++) {
      v = arr[i, num] / arr[i, den]; k++; vals[k] = v; if (v < lo) lo = v; if (v > hi) hi = v
    }
    printf "%s %s, per round: median %.2f, range %.2f-%.2f\n", label, what, med(vals, k), lo, hi
  }
  END {
    printf "%-5s %10s %18s %30s %22s\n", "mode", "req/s med", "req/s range", "server CPU ms/1000 med (range)", "h2load CPU ms/1000 med"
    for (m in n) {
      lo = 1e18; hi = 0
      slo = 1e18; shi = 0
      for (i = 1; i <= n[m]; i++) {
        rr[i] = r[m, i]; ss[i] = s[m, i]; cc[i] = c[m, i]
        if (rr[i] < lo) lo = rr[i]; if (rr[i] > hi) hi = rr[i]; if (ss[i] < slo) slo = ss[i]; if (ss[i] > shi) shi = ss[i]
      }
      med_r[m] = med(rr, n[m]); med_s[m] = med(ss, n[m])
      printf "%-5s %10.0f %9.0f-%-8.0f %14.1f (%.1f-%.1f) %22.1f\n", m, med_r[m], lo, hi, med_s[m], slo, shi, med(cc, n[m])
    }
    printf "FHIR $translate / gRPC Translate req/s: %.2f; JSON /v1/translate / gRPC: %.2f\n", med_r["fhir"] / med_r["grpc"], med_r["json"] / med_r["grpc"]
    printf "server CPU per request, FHIR / gRPC: %.2f; JSON / gRPC: %.2f\n", med_s["fhir"] / med_s["grpc"], med_s["json"] / med_s["grpc"]
    paired("FHIR/gRPC", "fhir", "grpc", "req/s", rr_round); paired("FHIR/gRPC", "fhir", "grpc", "server CPU per request", sr_round)
    paired("JSON/gRPC", "json", "grpc", "req/s", rr_round); paired("JSON/gRPC", "json", "grpc", "server CPU per request", sr_round)
  }' "$tmp/results"
