#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked GNOME
# keyring (Secret Service), so code that uses the real OS keyring can be
# tested headless.
#
#   tests/harness/keyring-session.sh CMD [ARGS...]
set -euo pipefail

if [ -z "${OATHDESK_IN_KEYRING_SESSION:-}" ]; then
  exec env OATHDESK_IN_KEYRING_SESSION=1 dbus-run-session -- "$0" "$@"
fi

# A throwaway keyring directory, so tests never touch a real one, and a
# private runtime directory: the daemon's control socket lives there, and two
# sessions sharing one (two suites at once) would talk to each other's daemon.
export XDG_DATA_HOME XDG_RUNTIME_DIR
XDG_DATA_HOME=$(mktemp -d)
XDG_RUNTIME_DIR=$(mktemp -d)
chmod 700 "$XDG_RUNTIME_DIR"
printf 'oathdesk-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
status=0
"$@" || status=$?
rm -rf "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
exit "$status"
