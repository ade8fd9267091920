#!/usr/bin/env bash
# Builds everything (tests included) and runs the whole test suite: CTest,
# then the Node.js tests (tests/node): the independent client against the
# built ethrecd, and the npm fhir validator over every shipped FHIR resource;
# then the hardening stages (README "Hardening"): the CTest suite again built
# with clang, AddressSanitizer and UBSan (deploy/sanitize.sh), and each
# libFuzzer target for a bounded time (deploy/fuzz.sh). Prints how long each
# stage took. ETHREC_SKIP_HARDENING=1 runs the first stages only.
set -euo pipefail
cd "$(dirname "$0")/.."
stage_times=()
stage_start=$SECONDS
# end_stage NAME: records how long the stage that just ended took.
end_stage() {
  stage_times+=("$(printf '%-24s %4d s' "$1" $((SECONDS - stage_start)))")
  stage_start=$SECONDS
}
trap 'echo "test: stage times:"; printf "  %s\n" "${stage_times[@]}"' EXIT

deploy/install-deps.sh --tests
end_stage "install-deps"
deploy/build.sh -DETHREC_BUILD_TESTS=ON
end_stage "build"
build_dir="${ETHREC_BUILD_DIR:-build}"
ctest --test-dir "$build_dir" --output-on-failure -j "${ETHREC_JOBS:-2}"
end_stage "ctest"

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
end_stage "node"

if [ "${ETHREC_SKIP_HARDENING:-0}" != 1 ]; then
  deploy/sanitize.sh --build-only
  end_stage "sanitizer build"
  deploy/sanitize.sh
  end_stage "sanitizer ctest"
  # 30 s per target here, so that the whole run stays well inside CI's 45
  # minutes (a run took 42 with 60 s); fuzz.sh alone defaults to 60.
  ETHREC_FUZZ_SECONDS="${ETHREC_FUZZ_SECONDS:-30}" deploy/fuzz.sh --no-build
  end_stage "fuzz"
fi
