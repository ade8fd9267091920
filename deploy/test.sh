#!/usr/bin/env bash
# Builds everything (tests included) and runs the whole test suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
deploy/build.sh -DETHREC_BUILD_TESTS=ON
ctest --test-dir "${ETHREC_BUILD_DIR:-build}" --output-on-failure -j "${ETHREC_JOBS:-2}"
