#!/usr/bin/env bash
# What the Windows x64 cross-build needs, beside scripts/install-deps.sh's
# packages: Debian's mingw-w64 linker for x86_64-pc-windows-gnu, wine to run
# the .exe (tests/windows/run-wine.sh), NSIS for the installer, and the
# target's standard library through rustup. Skips what is already there.
# `make windows` runs it; `make test` does not yet.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine64 nsis)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  cmd=(apt-get install -y -q --no-install-recommends "${missing[@]}")
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=(sudo)
  else
    echo "The Windows cross-build needs these packages; run as root:" >&2
    echo "  apt-get update && ${cmd[*]}" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}" >&2
  "${SUDO[@]}" apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" "${cmd[@]}" >&2
fi

if ! rustup target list --installed | grep -qx x86_64-pc-windows-gnu; then
  rustup target add x86_64-pc-windows-gnu
fi
