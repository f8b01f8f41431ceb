#!/usr/bin/env bash
# Installs OathDesk's Windows installer under wine, checks what it put where,
# runs the installed CLI, and uninstalls it; then the WebView2 paths. Exits
# non-zero on any failure.
#
#   tests/windows/installer.sh [dev|release]   # default: dev, what CI packages
#
# Uses scripts/package.sh's output ($CARGO_TARGET_DIR/packages/PROFILE):
# the installer and the two .exe files, which it also builds into a second
# installer with a stand-in for Microsoft's WebView2 bootstrapper embedded
# (fake-webview2-setup.c; the real one cannot be downloaded here).
#
# Checks, on a prefix that has a WebView2 Runtime: a silent install (/S)
# exits 0 and leaves no bootstrapper run; Program Files\OathDesk holds
# oathdesk.exe, oathdesk-cli.exe and the uninstaller, byte for byte the
# built ones; the Start-menu entry, the App Paths entry and Settings > Apps
# (version, publisher, quiet uninstall); `oathdesk-cli.exe --version` as
# installed; the silent uninstall removes all of that and keeps the desk's
# data. On fresh prefixes without the runtime: the embedded bootstrapper
# runs with `/silent /install`; with none embedded and no way to download
# it, the install still succeeds (the CLI needs no WebView2).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

profile=${1:-dev}
target=${CARGO_TARGET_DIR:-$root/target}
case "$target" in /*) ;; *) target=$root/$target ;; esac
packages=$target/packages/$profile
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
setup=$packages/OathDesk_${version}_x64-setup.exe
for f in "$setup" "$packages/oathdesk.exe" "$packages/oathdesk-cli.exe"; do
  [ -f "$f" ] || { echo "installer.sh: no $f: run scripts/package.sh --profile $profile first" >&2; exit 1; }
done

. tests/windows/wine.sh

drive_c="$WINEPREFIX/drive_c"
dir="$drive_c/Program Files/OathDesk"
webview2='HKLM\SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}'
uninstall='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\OathDesk'
app_paths='HKLM\Software\Microsoft\Windows\CurrentVersion\App Paths\oathdesk-cli.exe'
menu="$drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/OathDesk.lnk"

# reg ARGS...: wine's reg.exe; prints what it printed without CRs.
reg() { "$wine" reg "$@" 2>/dev/null | tr -d '\r'; }
# absent KEY: the registry has no KEY.
absent() { ! "$wine" reg query "$1" >/dev/null 2>&1; }
# check WHAT COMMAND...: passes when COMMAND succeeds.
check() {
  local what=$1
  shift
  if "$@"; then pass; else fail "$what"; fi
}
# install SETUP: a silent install; sets $rc.
install() {
  set +e
  "$wine" "$1" /S
  rc=$?
  set -e
  wine_wait
}
# new_prefix: a fresh, empty prefix for the next case.
new_prefix() {
  wine_wait
  "$wineserver" -k >/dev/null 2>&1 || true
  rm -rf "$WINEPREFIX"
  "$wine" wineboot -i >/dev/null 2>&1
  wine_wait
}

# 1. A PC with the WebView2 Runtime (as every Windows 11 has).
new_prefix
reg add "$webview2" /v pv /t REG_SZ /d 131.0.2903.70 /f >/dev/null
install "$setup"
check "silent install exits 0 (exit $rc)" [ "$rc" -eq 0 ]
check "no bootstrapper runs when WebView2 is there" [ ! -e "$drive_c/webview2-setup.txt" ]
for f in oathdesk.exe oathdesk-cli.exe; do
  check "Program Files\\OathDesk\\$f is the built $f" cmp -s "$dir/$f" "$packages/$f"
done
check "the uninstaller is installed" [ -f "$dir/uninstall.exe" ]
check "the Start-menu entry" [ -f "$menu" ]
entry=$(reg query "$uninstall")
check "Settings > Apps: DisplayVersion $version" grep -q "DisplayVersion    REG_SZ    $version\$" <<<"$entry"
check "Settings > Apps: publisher" grep -q "Publisher    REG_SZ    OathDesk" <<<"$entry"
check "Settings > Apps: a quiet uninstall" grep -qF 'QuietUninstallString    REG_SZ    "C:\Program Files\OathDesk\uninstall.exe" /S' <<<"$entry"
check "App Paths: oathdesk-cli.exe" grep -qF 'C:\Program Files\OathDesk\oathdesk-cli.exe' <<<"$(reg query "$app_paths")"

# The installed CLI runs (wine 8 lacks the ProcessPrng that Rust's std
# imports; the shim goes where Windows keeps system DLLs, never beside the
# installed program, so the install itself is what a PC gets).
scripts/wine/build-shim.sh "$drive_c/windows/system32" >/dev/null
set +e
got=$("$wine" "C:\\Program Files\\OathDesk\\oathdesk-cli.exe" --version 2>&1 | tr -d '\r')
set -e
check "installed oathdesk-cli.exe --version says $version (got: $got)" [ "$got" = "oathdesk-cli $version" ]

# The desk's records stay on uninstall.
mkdir -p "$drive_c/users/Public/oathdesk-kept"
set +e
"$wine" "C:\\Program Files\\OathDesk\\uninstall.exe" /S
rc=$?
set -e
wine_wait
check "silent uninstall exits 0 (exit $rc)" [ "$rc" -eq 0 ]
check "the uninstall removes Program Files\\OathDesk" [ ! -e "$dir" ]
check "the uninstall removes the Start-menu entry" [ ! -e "$menu" ]
check "the uninstall removes Settings > Apps' entry" absent "$uninstall"
check "the uninstall removes App Paths' entry" absent "$app_paths"

# 2. No WebView2 Runtime, Microsoft's bootstrapper embedded (a stand-in).
fake="$tmp/MicrosoftEdgeWebview2Setup.exe"
x86_64-w64-mingw32-gcc -municode -O2 -Wall -Wextra -Werror -s -o "$fake" tests/windows/fake-webview2-setup.c
embedded="$tmp/OathDesk_embedded-setup.exe"
makensis -V1 -WX -DCOMPRESSOR=zlib -DVERSION="$version" -DAPP_EXE="$packages/oathdesk.exe" -DCLI_EXE="$packages/oathdesk-cli.exe" \
  -DICON="$root/src-tauri/icons/icon.ico" -DOUTFILE="$embedded" -DWEBVIEW2_BOOTSTRAPPER="$fake" \
  src-tauri/packaging/windows/oathdesk.nsi
new_prefix
install "$embedded"
check "install with the bootstrapper embedded exits 0 (exit $rc)" [ "$rc" -eq 0 ]
ran=$(tr -d '\r' <"$drive_c/webview2-setup.txt" 2>/dev/null || echo "(did not run)")
check "the embedded bootstrapper runs as /silent /install (it ran: $ran)" [ "$ran" = "/silent /install" ]
check "the app is installed beside it" [ -f "$dir/oathdesk.exe" ]

# 3. No WebView2 Runtime and no way to download it: installed all the same.
new_prefix
install "$setup"
check "install without WebView2 or a download exits 0 (exit $rc)" [ "$rc" -eq 0 ]
check "the CLI is installed without WebView2" [ -f "$dir/oathdesk-cli.exe" ]

finish installer.sh
