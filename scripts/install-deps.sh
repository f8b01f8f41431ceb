#!/usr/bin/env bash
# Installs the Debian packages OathDesk needs to build and test, if missing.
# Runs apt-get as root, through sudo otherwise; prints the command if neither.
set -euo pipefail

PACKAGES=(
  # build
  build-essential pkgconf libssl-dev libdbus-1-dev
  # USB HID (Token2 PIN+ keys): hidapi's hidraw backend links libudev
  libudev-dev
  # PC/SC: real pcscd with the vpcd virtual reader, and pcsc-tools for checks
  pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools iproute2 util-linux
  # OS keyring (Secret Service) for tests, headless
  gnome-keyring dbus dbus-x11 libsecret-tools
  # OpenPGP-encrypted seed files: the import tests encrypt with the real gpg
  gnupg
  # screen capture (xcap: X11 via xcb, Wayland via PipeWire) and clipboard
  libxcb1-dev libxcb-shm0-dev libpipewire-0.3-dev libclang-dev libwayland-dev libegl-dev libgbm-dev
  # QR-from-screen test: a real X server to capture
  xvfb xauth imagemagick x11-utils xdotool
  # the window suite puts a QR picture on the real X clipboard
  xclip
  # the desktop app (Tauri v2 on WebKitGTK) and its WebDriver for the e2e suite
  libwebkit2gtk-4.1-dev libxdo-dev librsvg2-dev webkit2gtk-driver
)
# `--windows`: also the Windows x64 cross-build's (scripts/install-windows.sh):
# the mingw-w64 linker, wine to run the .exe, NSIS for the installer.
if [ "${1:-}" = "--windows" ]; then
  PACKAGES+=(gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine64 nsis)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd=(apt-get install -y -q --no-install-recommends "${missing[@]}")
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO=(sudo)
else
  echo "OathDesk needs these packages; run as root:" >&2
  echo "  apt-get update && ${cmd[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}" >&2
"${SUDO[@]}" apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" "${cmd[@]}" >&2
