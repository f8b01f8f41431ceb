#!/usr/bin/env bash
# What the Windows x64 cross-build needs: the Debian packages
# (scripts/install-deps.sh --windows: mingw-w64, wine64, NSIS) and the
# x86_64-pc-windows-gnu standard library through rustup. Skips what is
# already there. `make windows` runs it; `make test` does not yet.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --windows
if ! rustup target list --installed | grep -qx x86_64-pc-windows-gnu; then
  rustup target add x86_64-pc-windows-gnu
fi
