#!/usr/bin/env bash
# Runs a command beside a private pcscd with four vpcd virtual readers.
#
#   tests/harness/pcsc-ns.sh CMD [ARGS...]
#
# The command runs in its own mount and network namespace (unshare): pcscd's
# socket path is fixed (/run/pcscd), so a tmpfs there keeps suites apart, and
# vpcd listens on all interfaces, so only this namespace's loopback can reach
# it. Readers: ports 35963-35966. Exports OATHDESK_PCSC_HARNESS=1 and
# OATHDESK_VPCD_PORTS. pcscd is a child of this script and is reaped on exit.
set -euo pipefail

if [ -z "${OATHDESK_IN_PCSC_NS:-}" ]; then
  exec unshare --mount --net --fork --kill-child env OATHDESK_IN_PCSC_NS=1 "$0" "$@"
fi

ip link set lo up
mkdir -p /run/pcscd
mount -t tmpfs tmpfs /run/pcscd
mount --make-private /run/pcscd

driver=$(find /usr/lib/pcsc/drivers -name 'libifdvpcd.so*' -type f | head -n 1)
[ -n "$driver" ] || { echo "vpcd driver not found: install vsmartcard-vpcd (make test does)" >&2; exit 1; }
conf=/run/pcscd/reader.conf.d
mkdir -p "$conf"
# Two entries of one driver break each other: the second uses a copy.
cp "$driver" /run/pcscd/libifdvpcd-b.so
cat > "$conf/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME /dev/null:35963
LIBPATH $driver
CHANNELID 0x8C7B

FRIENDLYNAME "Virtual PCD B"
DEVICENAME /dev/null:35965
LIBPATH /run/pcscd/libifdvpcd-b.so
CHANNELID 0x8C7D
CONF

log=${OATHDESK_PCSCD_LOG:-/run/pcscd/pcscd.log}
pcscd -f -c "$conf" >"$log" 2>&1 &
pcscd_pid=$!
cleanup() { kill "$pcscd_pid" 2>/dev/null || true; wait "$pcscd_pid" 2>/dev/null || true; }
trap cleanup EXIT

# pcscd creates its socket within ~60 ms; give up after 10 s.
for _ in $(seq 1 1000); do
  [ -S /run/pcscd/pcscd.comm ] && break
  kill -0 "$pcscd_pid" 2>/dev/null || { echo "pcscd exited:" >&2; cat "$log" >&2; exit 1; }
  read -rt 0.01 <> <(:) || true
done
[ -S /run/pcscd/pcscd.comm ] || { echo "pcscd did not start" >&2; cat "$log" >&2; exit 1; }

export OATHDESK_PCSC_HARNESS=1
export OATHDESK_VPCD_PORTS=35963,35964,35965,35966
status=0
"$@" || status=$?
exit "$status"
