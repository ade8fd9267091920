#!/usr/bin/env bash
# Builds everything (tests included) and runs the whole test suite: CTest,
# then the Node.js tests (tests/node): the independent client against the
# built ethrecd, and the npm fhir validator over every shipped FHIR resource.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh --tests
deploy/build.sh -DETHREC_BUILD_TESTS=ON
build_dir="${ETHREC_BUILD_DIR:-build}"
ctest --test-dir "$build_dir" --output-on-failure -j "${ETHREC_JOBS:-2}"

# Node.js: @grpc/grpc-js, @grpc/proto-loader and fhir from package-lock.json.
# npm ci runs again only when node_modules is missing or the lock file changed
# since the last successful install (a copy of it is kept in node_modules).
ethrecd="$(cd "$build_dir" && pwd)/service/ethrecd"
(
  cd tests/node
  stamp=node_modules/.ethrec-package-lock.json
  if ! cmp -s package-lock.json "$stamp"; then
    npm ci --no-audit --no-fund
    cp package-lock.json "$stamp"
  fi
  ETHRECD="$ethrecd" node --test
)
