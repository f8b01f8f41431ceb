#!/usr/bin/env bash
# pcsc-tools see the virtual token through pcscd and get the documented
# answers to get-info and get-challenge. Run inside tests/harness/pcsc-ns.sh.
set -euo pipefail
[ -n "${OATHDESK_PCSC_HARNESS:-}" ] || exec "$(dirname "$0")/pcsc-ns.sh" "$0" "$@"

sim=${OATHDESK_SIM:-target/debug/oathdesk-sim}
port=35977 reader="Virtual PCD 7 00 00"
coproc SIM { exec "$sim" token --serial 8659610123456 --vpcd-port "$port" --clock-offset -60 --wait-for-reader "$reader"; }
trap 'kill -TERM "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID"' EXIT
line=
read -r line <&"${SIM[0]}" || true
[ "$line" = ready ] || { echo "sim did not start: $line" >&2; exit 1; }

# pcsc_scan: the reader and the card's ATR (it waits for the card itself).
scan=$(timeout 20 pcsc_scan -r 2>&1)
grep -q "$reader" <<<"$scan" || { echo "pcsc_scan does not list $reader" >&2; exit 1; }

# scriptor: get-info, then get-challenge.
out=$(printf '80 41 00 00 02 02 11\n80 4B 08 00 00\n' | timeout 20 scriptor -r "$reader" 2>&1)
echo "$out"
# scriptor wraps long answers; join them before matching.
flat=$(tr '\n' ' ' <<<"$out" | tr -s ' ')
serial_hex="38 36 35 39 36 31 30 31 32 33 34 35 36"   # "8659610123456"
grep -qE "< 00 00 00 0D $serial_hex 00 00 ([0-9A-F]{2} ){4}90 00 : Normal processing" <<<"$flat" \
  || { echo "get-info answer is not as documented" >&2; exit 1; }
grep -qE "< ([0-9A-F]{2} ){8}90 00 : Normal processing" <<<"$flat" \
  || { echo "get-challenge did not return 8 bytes" >&2; exit 1; }
echo "pcsc-tools check: ok"
