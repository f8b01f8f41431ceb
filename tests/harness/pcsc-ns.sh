#!/usr/bin/env bash
# Runs a command beside a private pcscd with sixteen vpcd virtual readers.
#
#   tests/harness/pcsc-ns.sh CMD [ARGS...]
#
# The command runs in its own mount and network namespace (unshare): pcscd's
# socket path is fixed (/run/pcscd), so a tmpfs there keeps suites apart, and
# vpcd listens on all interfaces, so only this namespace's loopback can reach
# it. Readers "Virtual PCD N 00 0S" on ports 35963-35978. Exports OATHDESK_PCSC_HARNESS=1 and
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
# Eight vpcd entries of two slots each (pcscd's limit is 16 readers), so a
# test that cuts a card's link mid-command — which leaves vpcd's slot unable
# to take another card — does not starve the others. Two entries of one
# driver break each other, so each entry loads its own copy of the driver.
: >"$conf/vpcd"
for i in 0 1 2 3 4 5 6 7; do
  cp "$driver" "/run/pcscd/libifdvpcd-$i.so"
  cat >>"$conf/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD $i"
DEVICENAME /dev/null:$((35963 + 2 * i))
LIBPATH /run/pcscd/libifdvpcd-$i.so

CONF
done

log=${OATHDESK_PCSCD_LOG:-/run/pcscd/pcscd.log}
pcscd -f ${OATHDESK_PCSCD_DEBUG:+-d} -c "$conf" >"$log" 2>&1 &
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
export OATHDESK_VPCD_PORTS=$(seq -s, 35963 35978)
status=0
"$@" || status=$?
exit "$status"
