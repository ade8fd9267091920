#!/usr/bin/env bash
# Installs the Debian 12 packages ethrec builds with, if any are missing.
# With --tests, also what only the tests need: chromium, for the report's
# browser tests, clang with its sanitizer and libFuzzer runtimes, for the
# hardening stages, and postgresql-15, whose servers the PostgreSQL store's
# tests start (deploy/test.sh passes it; the quick start does not).
# Run as root, or as a user who may sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config openssl libssl-dev libcpp-httplib-dev
  libabsl-dev libicu-dev rapidjson-dev libsqlite3-dev libpq-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nghttp2-client  # h2load, the load generator of tools/http_grpc_bench.sh and tools/h2load_compare.sh
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev
)
if [ "${1:-}" = "--tests" ]; then
  packages+=(chromium)  # headless, for tests/tools/report_browser_test.cc and findings_scenario_test.cc
  packages+=(clang libclang-rt-dev)  # deploy/sanitize.sh and deploy/fuzz.sh: ASan, UBSan, libFuzzer
  # The PostgreSQL store's tests start throwaway servers (tests/testing/postgres_server.h).
  packages+=(postgresql-15)
  packages+=(prometheus systemd)  # promtool check metrics; systemd-analyze verify and security (tests/deploy)
fi
# The Node.js client test (tests/node) needs node and npm. They are checked by
# command, not by package: a machine may have them from another source (a
# Node.js build whose nodejs package bundles npm and conflicts with Debian's).
node_packages=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=("${node_packages[0]}")
command -v npm >/dev/null 2>&1 || missing+=("${node_packages[1]}")
packages+=("${node_packages[@]}")
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
