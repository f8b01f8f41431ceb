#!/usr/bin/env bash
# The app's cold start and idle memory (`make bench`; not part of `make test`).
# Targets: Desk interactive within 1 s of launch; idle RSS within 150 MB for
# the app and the WebKit processes it starts. Runs the release build of the
# training desk in a private X server; must run inside tests/harness/pcsc-ns.sh.
#
# Cold start = from just before exec to the moment the window reports the
# Desk interactive (its readers listed). Idle memory is read 5 s later: the
# app process's RSS, and RSS and PSS summed over the app and its WebKit
# processes (PSS, which counts shared pages once, is held to the target).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
profile=${PROFILE:-release} # PROFILE=debug measures the debug build
if [ "$profile" = release ]; then cargo build --release -q -p oathdesk-app; fi
app=target/$profile/oathdesk

# Xvfb writes its display number once it accepts clients.
coproc XVFB { exec Xvfb -displayfd 1 -screen 0 1280x860x24 -nolisten tcp 2>/dev/null; }
xvfb=$XVFB_PID
trap 'kill $xvfb 2>/dev/null; wait $xvfb 2>/dev/null || true' EXIT
read -r display <&"${XVFB[0]}"
export DISPLAY=:$display OATHDESK_REPORT_STARTUP=1 WEBKIT_DISABLE_COMPOSITING_MODE=1

family() { # the app and the WebKit processes it started
  local c
  echo "$1"
  for c in $(pgrep -P "$1"); do family "$c"; done
}
# Sums a /proc field (kB) over the family: VmRSS counts shared pages in every
# process; Pss shares them out, so the sum is what the app really costs.
sum_kb() { # FIELD FILE PIDS...
  local field=$1 file=$2 total=0 p; shift 2
  for p in "$@"; do
    total=$((total + $(awk -v f="$field" '$1 == f {print $2}' "/proc/$p/$file" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

worst_ms=0; worst_rss=0
for i in $(seq 1 "$runs"); do
  log=$(mktemp)
  start=$(date +%s%3N)
  "$app" --demo 2>"$log" &
  pid=$!
  # The app prints one line when the Desk is interactive; wait for it.
  ready=$(timeout 30 tail -f "$log" | grep -m1 'startup: desk interactive at' | awk '{print $NF}') || true
  [ -n "$ready" ] || { echo "the app never reported the Desk interactive:" >&2; cat "$log" >&2; exit 1; }
  ms=$((ready - start))
  sleep 5 # idle: nothing on the desk changes
  pids=$(family "$pid")
  kb=$(sum_kb Pss: smaps_rollup $pids)
  app_kb=$(sum_kb VmRSS: status "$pid")
  rss_all=$(sum_kb VmRSS: status $pids)
  anon=$(sum_kb RssAnon: status $pids)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$log"
  echo "run $i: desk interactive after ${ms} ms; idle: app process RSS $((app_kb / 1024)) MB, app + WebKit RSS $((rss_all / 1024)) MB, PSS $((kb / 1024)) MB, of it anonymous (not library pages) $((anon / 1024)) MB"
  [ "$ms" -gt "$worst_ms" ] && worst_ms=$ms
  [ "$kb" -gt "$worst_rss" ] && worst_rss=$kb
done
echo "worst of $runs: cold start ${worst_ms} ms (target <= 1000), idle PSS of app + WebKit $((worst_rss / 1024)) MB (target <= 150)"
[ "$worst_ms" -le 1000 ] && [ "$worst_rss" -le $((150 * 1024)) ]
