#!/usr/bin/env bash
# `make run`: opens OathDesk. With a reader and a signed-in tenant it opens
# the real desk; otherwise (a fresh machine) the training desk: virtual
# tokens on a private pcscd (tests/harness/pcsc-ns.sh, which needs root for
# its namespaces) and the Graph sandbox, marked DEMO.
set -euo pipefail
cd "$(dirname "$0")/.."
app=target/debug/oathdesk

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "OathDesk opens a window, and there is no display here (DISPLAY is not set)." >&2
  echo "Run make run from a desktop session, or start one: Xvfb :50 & DISPLAY=:50 make run" >&2
  exit 1
fi

if reason=$("$app" --check-desk 2>&1); then
  exec "$app"
fi
echo "$reason Starting the training desk (DEMO)." >&2
if [ "$(id -u)" -eq 0 ]; then
  exec tests/harness/pcsc-ns.sh "$app" --demo
fi
exec sudo --preserve-env=DISPLAY,XAUTHORITY,WAYLAND_DISPLAY,XDG_RUNTIME_DIR \
  tests/harness/pcsc-ns.sh "$app" --demo
