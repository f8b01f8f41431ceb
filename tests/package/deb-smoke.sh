#!/usr/bin/env bash
# Installs the OathDesk .deb on this machine (root, Debian 12), runs the
# installed binaries and removes the package again. Exits non-zero on any
# failure.
#
#   tests/package/deb-smoke.sh [PATH.deb]   # default: the newest one scripts/package.sh made
#
# Checks: apt-get installs it with its dependencies (pcscd, libccid); it
# holds /usr/bin/oathdesk, /usr/bin/oathdesk-cli, the udev rule and the
# desktop entry; `oathdesk-cli --version`; `oathdesk --check-desk` without a
# display, once with no pcscd (exit 1 and the next step) and once beside a
# private pcscd with virtual readers and an unlocked keyring (exit 0, the
# readers listed); the installed app opens the training desk in a private X
# server; `apt-get remove` takes the binaries away.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

deb=${1:-}
if [ -z "$deb" ]; then
  target=${CARGO_TARGET_DIR:-$root/target}
  deb=$(ls -t "$target"/packages/*/*.deb 2>/dev/null | head -n 1 || true)
fi
[ -n "$deb" ] && [ -f "$deb" ] || { echo "no .deb: run scripts/package.sh first, or pass its path" >&2; exit 1; }
case "$deb" in /*) ;; *) deb=$PWD/$deb ;; esac
[ "$(id -u)" -eq 0 ] || { echo "needs root (apt-get install)" >&2; exit 1; }

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
installed=
cleanup() {
  if [ -n "$installed" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get remove -y "$pkg" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# Tauri names the package after productName in kebab case: "oath-desk".
pkg=$(dpkg-deb -f "$deb" Package)
[ "$pkg" = oath-desk ] || fail "package is named '$pkg', not oath-desk"
depends=$(dpkg-deb -f "$deb" Depends)
for d in pcscd libccid; do
  grep -qw "$d" <<<"$depends" || fail "Depends lacks $d: $depends"
done
pass "Depends: $depends"

DEBIAN_FRONTEND=noninteractive apt-get install -y "$deb" >/tmp/oathdesk-deb-smoke.apt.log 2>&1 \
  || { cat /tmp/oathdesk-deb-smoke.apt.log >&2; fail "apt-get install $deb"; }
installed=1
pass "apt-get install $(basename "$deb")"

files=$(dpkg -L "$pkg")
for f in /usr/bin/oathdesk /usr/bin/oathdesk-cli /usr/lib/udev/rules.d/70-oathdesk-token2.rules \
         /usr/share/applications/OathDesk.desktop; do
  grep -qx "$f" <<<"$files" || fail "the package does not install $f (it has: $(tr '\n' ' ' <<<"$files"))"
done
[ -x /usr/bin/oathdesk ] && [ -x /usr/bin/oathdesk-cli ] || fail "binaries not executable"
grep -q 'ATTRS{idVendor}=="349e", TAG+="uaccess"' /usr/lib/udev/rules.d/70-oathdesk-token2.rules \
  || fail "the udev rule does not tag Token2 keys uaccess"
dpkg -s pcscd libccid >/dev/null || fail "pcscd and libccid are not installed after the .deb"
pass "installed files, pcscd and libccid present"

version=$(/usr/bin/oathdesk-cli --version) || fail "oathdesk-cli --version"
grep -q "$(dpkg-deb -f "$deb" Version)" <<<"$version" || fail "oathdesk-cli --version says '$version'"
pass "oathdesk-cli --version: $version"

data=$(mktemp -d)/oathdesk
check() { env -u DISPLAY -u WAYLAND_DISPLAY OATHDESK_DATA_DIR="$data" /usr/bin/oathdesk --check-desk; }
export -f check
export data

# No pcscd: a private, empty /run/pcscd.
set +e
out=$(unshare --mount --fork bash -c 'mount -t tmpfs tmpfs /run/pcscd && check' 2>&1)
rc=$?
set -e
echo "$out" | sed 's/^/  | /'
[ "$rc" -eq 1 ] || fail "--check-desk without pcscd exited $rc, not 1"
grep -q 'PC/SC (pcscd): NOT reachable' <<<"$out" || fail "--check-desk without pcscd does not say so"
grep -q 'next step: .*pcscd' <<<"$out" || fail "--check-desk without pcscd gives no next step"
pass "--check-desk without pcscd: exit 1 with the next step"

# A private pcscd with sixteen virtual readers, and an unlocked keyring.
set +e
out=$(tests/harness/pcsc-ns.sh tests/harness/keyring-session.sh bash -c check 2>&1)
rc=$?
set -e
echo "$out" | sed 's/^/  | /'
[ "$rc" -eq 0 ] || fail "--check-desk beside pcscd exited $rc, not 0"
grep -q 'PC/SC (pcscd): reachable, 16 readers' <<<"$out" || fail "--check-desk does not list pcscd's readers"
grep -q '  - Virtual PCD 0' <<<"$out" || fail "--check-desk does not name the readers"
grep -q 'OS keyring: reachable' <<<"$out" || fail "--check-desk does not reach the keyring"
grep -q "Data directory: $data (not created yet" <<<"$out" || fail "--check-desk does not name the data directory, or made it"
[ ! -e "$data" ] || fail "--check-desk created $data"
pass "--check-desk beside pcscd: exit 0, readers and keyring"

# The installed app opens the training desk, in a private X server: the
# window reports the Desk interactive (its readers listed) and which desk.
coproc XVFB { exec Xvfb -displayfd 1 -screen 0 1280x860x24 -nolisten tcp 2>/dev/null; }
xvfb=$XVFB_PID
read -r -t 30 display <&"${XVFB[0]}" || fail "Xvfb did not start"
said_by=$(mktemp -u)
mkfifo "$said_by"
env -u WAYLAND_DISPLAY DISPLAY=":$display" OATHDESK_REPORT_STARTUP=1 OATHDESK_DATA_DIR="$data" \
  /usr/bin/oathdesk --demo >"$said_by" 2>&1 &
app=$!
exec 3<"$said_by"
rm -f "$said_by"
said=
while read -r -t 90 line <&3; do
  said+="$line"$'\n'
  [[ "$line" == *"startup: desk interactive at"* ]] && break
done
kill "$app" "$xvfb" 2>/dev/null || true
wait "$app" "$xvfb" 2>/dev/null || true
exec 3<&-
grep -q 'startup: desk interactive at' <<<"$said" || fail "the installed app never showed its Desk: $said"
grep -q 'startup: the training desk is shown' <<<"$said" || fail "the installed app did not open the training desk: $said"
pass "/usr/bin/oathdesk --demo opens the training desk"

DEBIAN_FRONTEND=noninteractive apt-get remove -y "$pkg" >/tmp/oathdesk-deb-smoke.apt.log 2>&1 \
  || { cat /tmp/oathdesk-deb-smoke.apt.log >&2; fail "apt-get remove $pkg"; }
installed=
[ ! -e /usr/bin/oathdesk ] && [ ! -e /usr/bin/oathdesk-cli ] && [ ! -e /usr/lib/udev/rules.d/70-oathdesk-token2.rules ] \
  || fail "files left after apt-get remove"
pass "apt-get remove $pkg"
echo "deb smoke: all passed"
