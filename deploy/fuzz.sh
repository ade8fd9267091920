#!/usr/bin/env bash
# Runs each libFuzzer target of tests/fuzz for a bounded time, built with
# clang, AddressSanitizer and UBSan by deploy/sanitize.sh (build-san/, or
# $ETHREC_SAN_BUILD_DIR). Prints each target's executions (libFuzzer's final
# stats) and fails when any target finds a crash, a leak, a timeout or runs
# out of memory, naming the file that holds the input.
#
# Each target starts from its committed seed corpus (tests/fuzz/corpus/NAME/,
# read only) and its working corpus (BUILD/fuzz/corpus/NAME/, kept between
# runs, where new inputs go). Findings are written to BUILD/fuzz/artifacts/.
# Reproduce one with: BUILD/tests/fuzz/NAME_fuzz BUILD/fuzz/artifacts/NAME_fuzz-crash-...
#
# Usage: deploy/fuzz.sh [--no-build] [NAME...]   (NAME: free_text, csv, ...; default all)
# Environment: ETHREC_FUZZ_SECONDS per target (60), ETHREC_FUZZ_RSS_MB (2048),
# ETHREC_FUZZ_TIMEOUT seconds for one input (10).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${ETHREC_SAN_BUILD_DIR:-build-san}"
seconds="${ETHREC_FUZZ_SECONDS:-60}"
rss_mb="${ETHREC_FUZZ_RSS_MB:-2048}"
timeout="${ETHREC_FUZZ_TIMEOUT:-10}"

if [ "${1:-}" = "--no-build" ]; then
  shift
else
  deploy/sanitize.sh --build-only
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for dir in tests/fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p "$build_dir/fuzz/artifacts"
summary=()
failed=0
for name in "${targets[@]}"; do
  fuzzer="$build_dir/tests/fuzz/${name}_fuzz"
  seeds="tests/fuzz/corpus/$name"
  corpus="$build_dir/fuzz/corpus/$name"
  log="$build_dir/fuzz/$name.log"
  [ -x "$fuzzer" ] || { echo "fuzz: no target $fuzzer (build it with deploy/sanitize.sh --build-only)" >&2; exit 2; }
  mkdir -p "$corpus"
  dict=()
  [ -f "tests/fuzz/$name.dict" ] && dict=("-dict=tests/fuzz/$name.dict")
  echo "fuzz: $name for ${seconds}s (log: $log)"
  status=0
  "$fuzzer" -max_total_time="$seconds" -rss_limit_mb="$rss_mb" -timeout="$timeout" \
    -print_final_stats=1 -artifact_prefix="$build_dir/fuzz/artifacts/${name}_fuzz-" "${dict[@]}" \
    "$corpus" "$seeds" >"$log" 2>&1 || status=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  line="$(printf '%-26s %10s executions (%s/s), seeds %d, corpus now %d' "$name" "${runs:-?}" "${rate:-?}" \
    "$(find "$seeds" -type f | wc -l)" "$(find "$corpus" -type f | wc -l)")"
  if [ "$status" -ne 0 ]; then
    failed=1
    line="$line: FAILED (exit $status)"
    echo "---- $name: last lines of $log" >&2
    tail -n 60 "$log" >&2
    # libFuzzer names the file it saved the input to.
    grep -E 'Test unit written to|^artifact_prefix' "$log" >&2 || true
  fi
  summary+=("$line")
done
echo "fuzz: summary (${seconds}s per target)"
printf '  %s\n' "${summary[@]}"
exit "$failed"
