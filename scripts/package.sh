#!/usr/bin/env bash
# Every package OathDesk ships, from this Linux machine:
#
#   scripts/package.sh                  # release profile (what a helpdesk installs)
#   scripts/package.sh --profile dev    # the binaries `make build` made (what CI installs)
#   scripts/package.sh --only linux|windows
#
# Linux: the app and oathdesk-cli, then Tauri's bundler (`tauri bundle`,
#   from ui/'s devDependencies) makes the .deb, with oathdesk-cli as
#   /usr/bin/oathdesk-cli, the udev rule and the pcscd/libccid dependencies
#   (tauri.conf.json), and the AppImage when its tools can be had.
# Windows x64: the app and the CLI cross-built for x86_64-pc-windows-gnu
#   (mingw-w64), then our NSIS installer (src-tauri/packaging/windows),
#   built by makensis. WEBVIEW2_BOOTSTRAPPER=path embeds Microsoft's
#   WebView2 bootstrapper; without it the installer downloads it when the
#   PC lacks the runtime.
#
# The bundle is switched on here only (tauri.conf.json keeps "active":
# false, so cargo build and the tests are unaffected). At the end it lists
# what it made, with SHA-256 sums in $out/SHA256SUMS.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

profile=release
only=
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile=${2:?--profile needs dev or release}; shift 2 ;;
    --only) only=${2:?--only needs linux or windows}; shift 2 ;;
    *) echo "usage: $0 [--profile dev|release] [--only linux|windows]" >&2; exit 2 ;;
  esac
done
# dev packages the binaries the tests ran: `make build`'s command (its
# feature set), so nothing is built again; release builds just the two.
case "$profile" in
  release) dir=release; debug=(); linux_build=(-p oathdesk-app -p oathdesk-cli) ;;
  dev) dir=debug; debug=(--debug); linux_build=(--workspace --all-targets) ;;
  *) echo "--profile: dev or release, not '$profile'" >&2; exit 2 ;;
esac
case "$only" in ''|linux|windows) ;; *) echo "--only: linux or windows, not '$only'" >&2; exit 2 ;; esac

target=${CARGO_TARGET_DIR:-$root/target}
case "$target" in /*) ;; *) target=$root/$target ;; esac
export CARGO_TARGET_DIR=$target
windows=x86_64-pc-windows-gnu
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
out=$target/packages/$profile
mkdir -p "$out"
rm -f "$out"/*

step() { printf '== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
started=$(date +%s)
missing=()

[ -x ui/node_modules/.bin/tauri ] || scripts/install-tools.sh
# The UI the app embeds: built for release; for dev, the one the tests ran
# (building it again would make cargo rebuild the app).
if [ "$profile" = release ] || [ ! -f ui/dist/index.html ]; then
  step "UI (ui/dist, which the app embeds)"
  (cd ui && npm run --silent build >/dev/null)
fi
tauri() { (cd src-tauri && ../ui/node_modules/.bin/tauri "$@"); }

linux() {
  step "Linux: oathdesk and oathdesk-cli ($profile)"
  cargo build --locked --profile "$profile" "${linux_build[@]}"
  local cli=$target/$dir/oathdesk-cli
  local config
  config=$(printf '{"bundle":{"active":true,"linux":{"deb":{"files":{"/usr/bin/oathdesk-cli":"%s"}}}}}' "$cli")
  step "Linux: tauri bundle --bundles deb"
  rm -rf "$target/$dir/bundle/deb"
  tauri bundle "${debug[@]}" --ci --bundles deb --config "$config"
  cp "$target/$dir"/bundle/deb/*.deb "$out/"

  # Tauri's AppImage bundler downloads linuxdeploy, its GTK plugin and
  # AppRun from github.com at bundle time; no package registry has them.
  if curl -sS -o /dev/null --max-time 10 https://github.com 2>/dev/null; then
    step "Linux: tauri bundle --bundles appimage"
    tauri bundle "${debug[@]}" --ci --bundles appimage --config "$config"
    cp "$target/$dir"/bundle/appimage/*.AppImage "$out/"
  else
    missing+=("AppImage: not built, github.com (where Tauri's bundler gets linuxdeploy) is out of reach from here")
  fi
}

windows() {
  step "Windows x64: oathdesk.exe and oathdesk-cli.exe ($profile)"
  scripts/install-windows.sh
  cargo build --locked --profile "$profile" --target "$windows" -p oathdesk-app -p oathdesk-cli
  local bin=$target/$windows/$dir
  cp "$bin/oathdesk.exe" "$bin/oathdesk-cli.exe" "$out/"
  local setup=OathDesk_${version}_x64-setup.exe
  local embed=()
  if [ -n "${WEBVIEW2_BOOTSTRAPPER:-}" ]; then
    [ -f "$WEBVIEW2_BOOTSTRAPPER" ] || { echo "WEBVIEW2_BOOTSTRAPPER: no file $WEBVIEW2_BOOTSTRAPPER" >&2; exit 1; }
    embed=("-DWEBVIEW2_BOOTSTRAPPER=$(realpath "$WEBVIEW2_BOOTSTRAPPER")")
  fi
  step "Windows x64: makensis $setup"
  # dev: zlib, which packs the large unoptimised executables in seconds.
  local pack=()
  [ "$profile" = release ] || pack=(-DCOMPRESSOR=zlib)
  makensis -V2 -WX "${pack[@]}" -DVERSION="$version" -DAPP_EXE="$bin/oathdesk.exe" -DCLI_EXE="$bin/oathdesk-cli.exe" \
    -DICON="$root/src-tauri/icons/icon.ico" -DOUTFILE="$out/$setup" "${embed[@]}" \
    src-tauri/packaging/windows/oathdesk.nsi
}

[ "$only" = windows ] || linux
[ "$only" = linux ] || windows

step "done in $(( $(date +%s) - started )) s: $out"
(cd "$out" && sha256sum -- * | grep -v ' SHA256SUMS$' > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS && ls -l)
for m in "${missing[@]}"; do echo "NOT MADE: $m"; done
