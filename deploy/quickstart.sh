#!/usr/bin/env bash
# Quick start on a fresh Debian 12 machine: installs what is missing, builds,
# makes development certificates (dev-certs/, once), and runs ethrecd on its
# embedded default (SQLite file ethrec.db, built-in code lists) on
# 127.0.0.1:50051 with mutual TLS, and HTTP (FHIR terminology, JSON,
# metrics) on 127.0.0.1:8080 with the same certificates, until Ctrl-C.
# ETHREC_TLS=0 serves plaintext on loopback instead, with identity from
# call metadata (HTTP headers).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
deploy/build.sh -DETHREC_BUILD_TESTS=OFF -DETHREC_BUILD_BENCHMARKS=OFF

listen="${ETHREC_LISTEN:-127.0.0.1:50051}"
http_listen="${ETHREC_HTTP_LISTEN:-127.0.0.1:8080}"
db="${ETHREC_DB:-ethrec.db}"
certs=dev-certs
tls_flags=()
if [ "${ETHREC_TLS:-1}" != 0 ]; then
  [ -f "$certs/ca.pem" ] || deploy/dev-certs.sh "$certs" >/dev/null
  tls_flags=(--tls_cert="$certs/server.pem" --tls_key="$certs/server.key" --tls_client_ca="$certs/ca.pem"
             --tls_crl_dir="$certs/crl")
  cat <<MSG

ethrecd is starting on ${listen} (gRPC) and ${http_listen} (HTTP) with mutual TLS (development certificates in
${certs}/), database ${db} and the built-in code lists. Try it from another
terminal, as one agency and role or another (each certificate names its own):

  as() { who=\$1; shift; build/tools/ethrec --server ${listen} --tls_ca ${certs}/ca.pem \\
           --tls_cert ${certs}/\$who.pem --tls_key ${certs}/\$who.key "\$@"; }
  as camden-csc.record-system systems
  as camden-csc.record-system normalize --system dfe --code BSOM
  as camden-csc.record-system normalize --text 'black british - caribbean'
  as camden-csc.record-system record --record-id r1 --version 1 \\
      --nhs-number 9990000018 --system dfe --code WROM --supplied-by SELF
  as camden-csc.record-system child --nhs-number 9990000018
  as camden-csc.record-system import deploy/examples/observations.csv
  as north-gp.record-system record --record-id g1 --version 1 \\
      --nhs-number 9990000018 --system nhs-ethnic-category --code A --supplied-by PRACTITIONER
  as partnership-dq.data-quality-officer findings
  as partnership-dq.data-quality-officer report --out report

and over HTTP (FHIR \$translate, then the JSON API):

  curl -s --cacert ${certs}/ca.pem --cert ${certs}/camden-csc.record-system.pem \\
       --key ${certs}/camden-csc.record-system.key \\
       'https://localhost:${http_listen##*:}/fhir/ConceptMap/\$translate?system=urn:ethrec:codesystem:dfe&code=BSOM&targetsystem=urn:ethrec:codesystem:nhs-ethnic-category'
  curl -s --cacert ${certs}/ca.pem --cert ${certs}/camden-csc.record-system.pem \\
       --key ${certs}/camden-csc.record-system.key -H 'Content-Type: application/json' \\
       -d '{"system":"dfe","code":"BSOM"}' https://localhost:${http_listen##*:}/v1/normalize

Stop it with Ctrl-C (in-flight calls finish first).
MSG
else
  cat <<MSG

ethrecd is starting on ${listen} (gRPC) and ${http_listen} (HTTP) in plaintext (loopback only; the caller is
named by --agency and --role), database ${db} and the built-in code lists.
Try it from another terminal:

  build/tools/ethrec --server ${listen} --agency camden-csc record --record-id r1 --version 1 \\
      --nhs-number 9990000018 --system dfe --code WROM --supplied-by SELF
  build/tools/ethrec --server ${listen} --agency camden-csc child --nhs-number 9990000018
  build/tools/ethrec --server ${listen} --agency partnership-dq --role data-quality-officer findings
  curl -s -H 'x-ethrec-agency: camden-csc' -H 'x-ethrec-role: record-system' \\
       'http://${http_listen}/fhir/ConceptMap/\$translate?system=urn:ethrec:codesystem:dfe&code=BSOM&targetsystem=urn:ethrec:codesystem:nhs-ethnic-category'

Stop it with Ctrl-C (in-flight calls finish first).
MSG
fi
exec build/service/ethrecd --listen="${listen}" --http_listen="${http_listen}" --db="${db}" "${tls_flags[@]}"
