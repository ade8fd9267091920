#!/usr/bin/env bash
# Builds everything with clang, AddressSanitizer and UndefinedBehaviorSanitizer
# into build-san/ (or $ETHREC_SAN_BUILD_DIR), the libFuzzer targets of
# tests/fuzz included, and runs the CTest suite there: every unit and
# integration test (ethrecd itself runs sanitized), and each fuzz target over
# its seed corpus. Any sanitizer report fails the test that caused it.
# deploy/fuzz.sh fuzzes from the same build.
# Usage: deploy/sanitize.sh [--build-only] [extra ctest arguments, e.g. -R page_token]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${ETHREC_SAN_BUILD_DIR:-build-san}"
build_only=false
if [ "${1:-}" = "--build-only" ]; then
  build_only=true
  shift
fi

# One build serves both jobs: -fsanitize=fuzzer-no-link instruments
# everything for libFuzzer without linking it; only the fuzz targets link it.
# -O1 and line tables only: the usual sanitizer trade of build time against
# speed, with asserts on (no -DNDEBUG). Benchmarks are left out.
ETHREC_BUILD_DIR="$build_dir" CMAKE_BUILD_TYPE=RelWithDebInfo deploy/build.sh \
  -DCMAKE_CXX_COMPILER=clang++ \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
  -DETHREC_SANITIZE=ON -DETHREC_BUILD_FUZZERS=ON \
  -DETHREC_BUILD_TESTS=ON -DETHREC_BUILD_BENCHMARKS=OFF
$build_only && exit 0

# Leaks, use after return and initialisation order are checked too. UB
# aborts (the code is built with -fno-sanitize-recover=undefined).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --test-dir "$build_dir" --output-on-failure -j "${ETHREC_JOBS:-2}" "$@"
