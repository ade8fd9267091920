#!/usr/bin/env bash
# Checks deploy/container/runtime-packages.txt (what the image's runtime stage
# installs) against what the built binaries really link: every shared library
# ldd resolves is mapped to its Debian package with dpkg -S, and the two sets
# must be equal, apart from the listed non-library packages (tini).
# Usage: container_packages_test.sh RUNTIME_PACKAGES_TXT DOCKERFILE BINARY...
set -euo pipefail
list=$1 dockerfile=$2
shift 2
fail() { echo "FAIL: $*" >&2; exit 1; }
[ $# -gt 0 ] || fail "no binaries given"
non_library=(tini)

# The Dockerfile's runtime stage must install from the list, not its own.
grep -q '^COPY deploy/container/runtime-packages.txt' "$dockerfile" || fail "$dockerfile does not install runtime-packages.txt"
grep -q '^FROM debian:12-slim AS runtime' "$dockerfile" || fail "$dockerfile has no debian:12-slim runtime stage"
user=$(awk '$1 == "USER" {u = $2} END {print u}' "$dockerfile")
[ -n "$user" ] && [ "${user%%:*}" != 0 ] && [ "${user%%:*}" != root ] || fail "the image's last USER ($user) must not be root"
grep -q '^ENTRYPOINT \["/usr/bin/tini", "--"' "$dockerfile" || fail "the entrypoint is not tini"
grep -q '^VOLUME .*"/var/lib/ethrec".*"/etc/ethrec/tls"' "$dockerfile" || fail "the database and certificates are not volumes"

# dpkg -S knows a library by the path its package installed, which under
# Debian 12's merged /usr may be /lib/... or /usr/lib/...; try each.
package_of() {
  local f=$1 real candidate
  real=$(readlink -f "$f")
  for candidate in "$f" "$real" "/usr${f#/usr}" "${f#/usr}" "/usr${real#/usr}" "${real#/usr}"; do
    if out=$(dpkg -S "$candidate" 2>/dev/null); then
      echo "${out%%:*}"
      return 0
    fi
  done
  return 1
}

linked=()
for binary in "$@"; do
  [ -x "$binary" ] || fail "$binary is not an executable"
  while read -r lib; do
    pkg=$(package_of "$lib") || fail "$binary links $lib, which no Debian package owns"
    linked+=("$pkg")
  done < <(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
done
mapfile -t want < <(printf '%s\n' "${linked[@]}" "${non_library[@]}" | sed 's/:.*//' | sort -u)
mapfile -t have < <(grep -v -e '^#' -e '^[[:space:]]*$' "$list" | sort -u)
[ ${#want[@]} -gt ${#non_library[@]} ] || fail "ldd found no libraries"

missing=$(comm -23 <(printf '%s\n' "${want[@]}") <(printf '%s\n' "${have[@]}"))
extra=$(comm -13 <(printf '%s\n' "${want[@]}") <(printf '%s\n' "${have[@]}"))
[ -z "$missing" ] || fail "linked but not in $list: $(echo $missing)"
[ -z "$extra" ] || fail "in $list but not linked: $(echo $extra)"
echo "OK: ${#have[@]} runtime packages match the binaries' libraries: ${have[*]}"
