#!/usr/bin/env bash
# Linux packages from the Tauri bundler, release profile:
#
#   scripts/package-linux.sh             # the .deb
#   scripts/package-linux.sh --appimage  # the .deb, then try the AppImage too
#
# Builds the UI (ui/dist, embedded by the app), oathdesk-cli, then runs the
# Tauri CLI from ui/'s devDependencies (`tauri build`), which builds the app
# and makes the bundles under $CARGO_TARGET_DIR/release/bundle/. The bundle
# is switched on here only (tauri.conf.json keeps "active": false, so cargo
# build and the tests are unaffected), and the .deb gets oathdesk-cli as
# /usr/bin/oathdesk-cli from this build's target directory.
#
# The AppImage: Tauri's bundler downloads linuxdeploy, its plugins and
# AppRun from GitHub at bundle time; on a machine that reaches only the
# package registries it fails, so it is not tried unless asked for.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bundles=deb
for arg in "$@"; do
  case "$arg" in
    --appimage) bundles=deb,appimage ;;
    *) echo "usage: $0 [--appimage]" >&2; exit 2 ;;
  esac
done

target=${CARGO_TARGET_DIR:-$root/target}
case "$target" in /*) ;; *) target=$root/$target ;; esac
export CARGO_TARGET_DIR=$target

step() { printf '== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
started=$(date +%s)

step "UI: npm ci (when needed) and npm run build"
if [ ! -x ui/node_modules/.bin/tauri ]; then (cd ui && npm ci --no-audit --no-fund); fi
(cd ui && npm run build)

step "oathdesk-cli, release"
cargo build --release --locked -p oathdesk-cli
cli=$target/release/oathdesk-cli
[ -x "$cli" ] || { echo "no $cli after the build" >&2; exit 1; }

step "tauri build --bundles $bundles"
config=$(printf '{"bundle":{"active":true,"linux":{"deb":{"files":{"/usr/bin/oathdesk-cli":"%s"}}}}}' "$cli")
(cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles "$bundles" --config "$config" -- --locked)

step "done in $(( $(date +%s) - started )) s"
ls -l "$target"/release/bundle/deb/*.deb
if [ "$bundles" != deb ]; then ls -l "$target"/release/bundle/appimage/*.AppImage; fi
