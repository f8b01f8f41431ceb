#!/usr/bin/env bash
# The app's cold start and idle memory (`make bench`; not part of `make test`).
# Targets: Desk interactive within 1 s of launch; idle RSS within 150 MB for
# the app and the WebKit processes it starts. Runs the release build of the
# training desk in a private X server; must run inside tests/harness/pcsc-ns.sh.
#
# Cold start = from just before exec to the moment the window reports the
# Desk interactive (its readers listed). Idle RSS is read 5 s later.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
cargo build --release -q -p oathdesk-app
app=target/release/oathdesk

Xvfb :57 -screen 0 1280x860x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; wait $xvfb 2>/dev/null || true' EXIT
export DISPLAY=:57 OATHDESK_REPORT_STARTUP=1 WEBKIT_DISABLE_COMPOSITING_MODE=1

rss_kb() { # the process and all its descendants
  local total=0 p
  for p in $1 $(pgrep -P "$1") $(for c in $(pgrep -P "$1"); do pgrep -P "$c"; done); do
    total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
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
  ready=$(timeout 30 tail -f "$log" | grep -m1 'startup: desk interactive at' | awk '{print $NF}')
  ms=$((ready - start))
  sleep 5 # idle: nothing on the desk changes
  kb=$(rss_kb "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$log"
  echo "run $i: desk interactive after ${ms} ms; idle RSS $((kb / 1024)) MB (app + WebKit)"
  [ "$ms" -gt "$worst_ms" ] && worst_ms=$ms
  [ "$kb" -gt "$worst_rss" ] && worst_rss=$kb
done
echo "worst of $runs: cold start ${worst_ms} ms (target <= 1000), idle RSS $((worst_rss / 1024)) MB (target <= 150)"
[ "$worst_ms" -le 1000 ] && [ "$worst_rss" -le $((150 * 1024)) ]
