# Sourced by the Windows checks under wine (run-wine.sh, installer.sh): finds
# wine64 and its wineserver, and gives each run a fresh WINEPREFIX in a temp
# dir ($tmp), removed with its wineserver at exit. Needs what
# scripts/install-windows.sh installs.
wine=/usr/lib/wine/wine64
wineserver=/usr/lib/wine/wineserver
[ -x "$wine" ] || wine="$(command -v wine64 || true)"
if [ -z "$wine" ] || [ ! -x "$wine" ]; then
  echo "$(basename "$0"): wine64 is missing (scripts/install-windows.sh installs it)" >&2
  exit 1
fi
[ -x "$wineserver" ] || wineserver="$(command -v wineserver || true)"

tmp="$(mktemp -d)"
export WINEPREFIX="$tmp/prefix" WINEDEBUG=-all
# No Mono or Gecko install prompts while the prefix is made.
export WINEDLLOVERRIDES="mscoree,mshtml="
wine_cleanup() {
  # Stops this prefix's wineserver (started by this run) before its
  # prefix goes.
  [ -n "$wineserver" ] && "$wineserver" -k >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap wine_cleanup EXIT

# Waits until every program of this prefix has exited (an NSIS uninstaller
# runs on from a copy of itself after the first process returns).
wine_wait() {
  [ -n "$wineserver" ] && "$wineserver" -w || true
}

failures=0
passes=0
pass() {
  passes=$((passes + 1))
}
# fail WHAT [DETAIL]: counts a failed check and says what was wanted.
fail() {
  failures=$((failures + 1))
  echo "FAIL: $1" >&2
  [ -z "${2:-}" ] || echo "  $2" >&2
}
# finish NAME: the summary line; exits 1 when a check failed.
finish() {
  local total=$((passes + failures))
  if [ "$failures" -ne 0 ]; then
    echo "$1: $failures of $total checks failed" >&2
    exit 1
  fi
  echo "$1: all $total checks passed under $("$wine" --version 2>/dev/null || echo wine)"
}
