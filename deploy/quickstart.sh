#!/usr/bin/env bash
# Quick start on a fresh Debian 12 machine: installs what is missing, builds,
# and runs ethrec on its built-in code lists over a small synthetic extract.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
deploy/build.sh -DETHREC_BUILD_TESTS=OFF -DETHREC_BUILD_BENCHMARKS=OFF
ethrec=build/tools/ethrec

echo
echo "== Loaded code systems (built in) =="
"$ethrec" systems
echo
echo "== A synthetic agency extract, normalised (deploy/examples/extract.csv) =="
# The last row names an unknown system on purpose: it gets its own error
# line and the other rows are still normalised (exit status 1 says so).
"$ethrec" normalize --batch deploy/examples/extract.csv || echo "(1 row failed, as intended)"
echo
echo "Try:  $ethrec normalize --system dfe --code BSOM"
echo "      $ethrec normalize --text 'black british - caribbean'"
echo "      $ethrec translate --from dfe --code BCRB --to police-sde"
echo "      $ethrec suggest --category WHITE_ROMA --to nhs-ethnic-category"
