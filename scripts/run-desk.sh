#!/usr/bin/env bash
# `make run`: opens OathDesk. With a reader and a signed-in tenant it opens
# the real desk; otherwise (a fresh machine) the training desk, marked DEMO:
# virtual tokens and the Graph sandbox. As root the tokens sit on a private
# pcscd (tests/harness/pcsc-ns.sh needs root for its namespaces), so the real
# PC/SC path runs; as a normal user they are connected in-process.
set -euo pipefail
cd "$(dirname "$0")/.."
app=target/debug/oathdesk

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "OathDesk opens a window, and there is no display here (DISPLAY is not set)." >&2
  echo "Run make run from a desktop session, or start one: Xvfb :50 & DISPLAY=:50 make run" >&2
  exit 1
fi

if reason=$("$app" --desk-ready 2>&1); then
  exec "$app"
fi
echo "$reason Starting the training desk (DEMO)." >&2
if [ "$(id -u)" -eq 0 ]; then
  exec tests/harness/pcsc-ns.sh "$app" --demo
fi
exec "$app" --demo
