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
# Debian 12's merged /usr may be /lib/... or /usr/lib/...; try each, in order.
candidates() {
  local f=$1 real
  real=$(readlink -f "$f")
  printf '%s\n' "$f" "$real" "/usr${f#/usr}" "${f#/usr}" "/usr${real#/usr}" "${real#/usr}"
}

# The image ships every binary named here, in one directory: `ethrec
# migrate-db` runs the ethrec_migrate_db beside it.
for binary in "$@"; do
  name=$(basename "$binary")
  grep -Eq "install .* /out/usr/local/bin/$name( |$)" "$dockerfile" || fail "$dockerfile does not install $name in /usr/local/bin"
  grep -Eq "strip .*/out/usr/local/bin/$name( |$)" "$dockerfile" || fail "$dockerfile does not strip $name"
done

libs=()  # "binary<TAB>library" for each library each binary links
for binary in "$@"; do
  [ -x "$binary" ] || fail "$binary is not an executable"
  while read -r lib; do
    libs+=("$binary"$'\t'"$lib")
  done < <(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
done
# One dpkg -S for every candidate path of every library: a call per path
# (about 0.3 s each) made this test take over a minute.
declare -A owner
mapfile -t paths < <(for entry in "${libs[@]}"; do candidates "${entry#*$'\t'}"; done | sort -u)
while IFS= read -r line; do
  pkgs=${line%: *}
  owner[${line##*: }]=${pkgs%%[,:]*}  # the first package, without its architecture
done < <(dpkg -S "${paths[@]}" 2>/dev/null | grep -v '^diversion' || true)

linked=()
for entry in "${libs[@]}"; do
  binary=${entry%%$'\t'*} lib=${entry#*$'\t'} pkg=""
  while read -r candidate; do
    if [ -n "${owner[$candidate]:-}" ]; then
      pkg=${owner[$candidate]}
      break
    fi
  done < <(candidates "$lib")
  [ -n "$pkg" ] || fail "$binary links $lib, which no Debian package owns"
  linked+=("$pkg")
done
mapfile -t want < <(printf '%s\n' "${linked[@]}" "${non_library[@]}" | sed 's/:.*//' | sort -u)
mapfile -t have < <(grep -v -e '^#' -e '^[[:space:]]*$' "$list" | sort -u)
[ ${#want[@]} -gt ${#non_library[@]} ] || fail "ldd found no libraries"

missing=$(comm -23 <(printf '%s\n' "${want[@]}") <(printf '%s\n' "${have[@]}"))
extra=$(comm -13 <(printf '%s\n' "${want[@]}") <(printf '%s\n' "${have[@]}"))
[ -z "$missing" ] || fail "linked but not in $list: $(echo $missing)"
[ -z "$extra" ] || fail "in $list but not linked: $(echo $extra)"
echo "OK: ${#have[@]} runtime packages match the binaries' libraries: ${have[*]}"
