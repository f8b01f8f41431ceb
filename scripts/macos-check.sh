#!/usr/bin/env bash
# macOS, as far as a Linux machine can check it without Apple's SDK:
#
# 1. `cargo check --target x86_64-apple-darwin` of the crates that need no
#    C compiler for macOS: oathdesk-otp (codes, URIs, secrets),
#    oathdesk-seedfile (vendors' seed files) and oathdesk-sysclock (the
#    kernel's clock state, `ntp_adjtime`). The others compile C for the
#    target in their build scripts (hidapi's IOKit backend, SQLite, ring)
#    and need a Mac, or Apple's SDK, to build.
# 2. The keyring store each OS build selects, from cargo's feature
#    resolution for that target: Keychain (`apple-native`) on macOS,
#    Credential Manager (`windows-native`) on Windows, the Secret Service on
#    Linux. keyring 3 silently falls back to an in-memory store when its
#    platform feature is missing, which would lose the desk's key.
set -euo pipefail
cd "$(dirname "$0")/.."

mac=x86_64-apple-darwin
if ! rustup target list --installed | grep -qx "$mac"; then
  rustup target add "$mac"
fi
cargo check --locked --quiet --target "$mac" -p oathdesk-otp -p oathdesk-seedfile -p oathdesk-sysclock
echo "macos-check: oathdesk-otp, oathdesk-seedfile and oathdesk-sysclock check for $mac"

# want TARGET FEATURE: every crate of ours that keeps keys has keyring with
# FEATURE on TARGET.
want() {
  local target=$1 feature=$2 crate tree
  for crate in oathdesk-station oathdesk-entra; do
    tree=$(cargo tree --locked -q --target "$target" -p "$crate" -e features -i keyring 2>/dev/null || true)
    if ! grep -q "keyring feature \"$feature\"" <<<"$tree"; then
      echo "macos-check: $crate on $target does not build keyring with \"$feature\":" >&2
      echo "$tree" | head -20 >&2
      exit 1
    fi
  done
  echo "macos-check: keyring on $target: \"$feature\""
}
want "$mac" apple-native
want aarch64-apple-darwin apple-native
want x86_64-pc-windows-gnu windows-native
want x86_64-unknown-linux-gnu sync-secret-service
