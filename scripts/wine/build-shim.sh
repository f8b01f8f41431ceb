#!/usr/bin/env bash
# Builds the one-function bcryptprimitives.dll that lets OathDesk's Windows
# build run under wine 8 (see bcryptprimitives.c), into the directory given
# (default: target/wine). Needs x86_64-w64-mingw32-gcc (Debian:
# gcc-mingw-w64-x86-64, installed by scripts/install-deps.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../../target/wine}"
mkdir -p "$out"
dll="$out/bcryptprimitives.dll"
# Rebuilt only when the source or the export list is newer than the DLL.
if [ -f "$dll" ] && [ "$dll" -nt "$here/bcryptprimitives.c" ] && [ "$dll" -nt "$here/bcryptprimitives.def" ]; then
  echo "$dll"
  exit 0
fi
x86_64-w64-mingw32-gcc -O2 -Wall -Wextra -Werror -shared -s \
  -o "$dll" "$here/bcryptprimitives.c" "$here/bcryptprimitives.def" -ladvapi32
echo "$dll"
