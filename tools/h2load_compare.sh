#!/usr/bin/env bash
# Second opinion on ethrec_load's Normalize/Echo ratio with h2load (Debian's
# nghttp2-client): the same gRPC calls sent as raw HTTP/2 requests to an
# ethrecd on loopback, a fixed number of requests each.
# Usage: tools/h2load_compare.sh 127.0.0.1:PORT [requests]
set -euo pipefail
address="${1:?usage: tools/h2load_compare.sh 127.0.0.1:PORT [requests]}"
requests="${2:-50000}"
case "$address" in 127.*|localhost:*|\[::1\]:*) ;; *) echo "loopback addresses only" >&2; exit 2 ;; esac
command -v h2load >/dev/null || { echo "h2load missing: apt-get install nghttp2-client" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# A gRPC message: flag byte 0, 4-byte big-endian length, then the protobuf.
frame() { python3 -c 'import sys; b=bytes.fromhex(sys.argv[1]); sys.stdout.buffer.write(b"\0"+len(b).to_bytes(4,"big")+b)' "$1"; }
frame 0a03646665120442534f4d > "$dir/normalize.bin"   # NormalizeRequest{system:"dfe", code:"BSOM"}
frame 0a0457425249 > "$dir/echo.bin"                   # EchoRequest{message:"WBRI"}
run() {
  h2load -n "$requests" -c 4 -m 32 -t 1 \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    -H 'x-ethrec-agency: load-test' -H 'x-ethrec-role: record-system' \
    -d "$1" "http://$address/$2" | awk '/^finished in/ {print $4}' | tr -d ','
}
echo_rps=$(run "$dir/echo.bin" ethrec.v1.DiagnosticsService/Echo)
norm_rps=$(run "$dir/normalize.bin" ethrec.v1.TaxonomyService/Normalize)
echo "h2load Echo:      $echo_rps req/s"
echo "h2load Normalize: $norm_rps req/s"
python3 -c "import sys; print('RATIO Normalize/Echo (h2load): %.2f (target >= 0.85)' % (float(sys.argv[2])/float(sys.argv[1])))" "$echo_rps" "$norm_rps"
