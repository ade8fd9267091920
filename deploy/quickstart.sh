#!/usr/bin/env bash
# Quick start on a fresh Debian 12 machine: installs what is missing, builds,
# and runs ethrecd on its embedded default (SQLite file ethrec.db, built-in
# code lists) on 127.0.0.1:50051 until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
deploy/build.sh -DETHREC_BUILD_TESTS=OFF -DETHREC_BUILD_BENCHMARKS=OFF

listen="${ETHREC_LISTEN:-127.0.0.1:50051}"
db="${ETHREC_DB:-ethrec.db}"
cat <<MSG

ethrecd is starting on ${listen} with database ${db} and the built-in code lists.
Try it from another terminal:

  build/tools/ethrec --server ${listen} systems
  build/tools/ethrec --server ${listen} normalize --system dfe --code BSOM
  build/tools/ethrec --server ${listen} normalize --text 'black british - caribbean'
  build/tools/ethrec --server ${listen} --agency demo-csc record --record-id r1 --version 1 \\
      --nhs-number 9990000018 --system dfe --code WROM --supplied-by SELF
  build/tools/ethrec --server ${listen} --agency demo-csc child --nhs-number 9990000018
  build/tools/ethrec --server ${listen} --agency demo-csc import deploy/examples/observations.csv
  build/tools/ethrec --server ${listen} --agency demo-gp record --record-id g1 --version 1 \\
      --nhs-number 9990000018 --system nhs-ethnic-category --code A --supplied-by PRACTITIONER
  build/tools/ethrec --server ${listen} --agency demo-dq --role data-quality-officer findings
  build/tools/ethrec --server ${listen} --agency demo-dq --role data-quality-officer report --out report

Stop it with Ctrl-C (in-flight calls finish first).
MSG
exec build/service/ethrecd --listen="${listen}" --db="${db}"
