#!/usr/bin/env bash
# Checks deploy/systemd/ethrecd.service with systemd's own tools, offline:
# `systemd-analyze verify` must print nothing (it exits 0 even on unknown or
# unparsable keys, so any output fails), and `systemd-analyze security
# --offline=true` must rate its exposure at most 2.0. Both run in a scratch
# root holding the unit, the built ethrecd at the unit's ExecStart path (verify
# checks it is executable) and a copy of the host's unit directory (for the
# targets the unit names). A deliberately broken copy of the unit must fail
# the same checks, so that a check that passes everything cannot go unseen.
# Usage: systemd_test.sh UNIT ETHRECD
set -euo pipefail
unit=$1 ethrecd=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v systemd-analyze >/dev/null || fail "systemd-analyze is not installed (Debian package systemd)"
[ -x "$ethrecd" ] || fail "$ethrecd is not executable"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/local/bin" "$root/etc/systemd/system" "$root/usr/lib/systemd"
cp -r /usr/lib/systemd/system "$root/usr/lib/systemd/"
cp "$ethrecd" "$root/usr/local/bin/ethrecd"
name=$(basename "$unit")
cp "$unit" "$root/etc/systemd/system/$name"

# verify: prints every problem; prints nothing when clean.
verify() { systemd-analyze verify --root="$root" "$1" 2>&1 || echo "(exit status $?)"; }
# exposure: the overall exposure level, e.g. 1.2.
exposure() {
  systemd-analyze security --offline=true --root="$root" "$1" 2>&1 |
    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}

out=$(verify "$name")
[ -z "$out" ] || fail "systemd-analyze verify $name:"$'\n'"$out"
level=$(exposure "$name")
[ -n "$level" ] || fail "systemd-analyze security printed no exposure level"
awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }' || fail "exposure $level is above 2.0"

# The checks must catch a broken unit: an unknown key, and hardening removed.
sed -e 's/^NoNewPrivileges=yes$/NoNewPrivileges=yes\nNoSuchKey=1/' \
    -e '/^\(DynamicUser\|CapabilityBoundingSet\|ProtectSystem\|SystemCallFilter\|PrivateUsers\|PrivateDevices\)=/d' \
    "$unit" >"$root/etc/systemd/system/broken.service"
out=$(verify broken.service)
grep -q "Unknown key 'NoSuchKey'" <<<"$out" || fail "verify did not report the broken unit's unknown key: $out"
broken_level=$(exposure broken.service)
awk -v l="$broken_level" 'BEGIN { exit !(l > 2.0) }' || fail "the broken unit's exposure $broken_level is not above 2.0"
echo "OK: verify clean; exposure $level (a unit without its hardening: $broken_level)"
