#!/usr/bin/env bash
# Builds the Windows x64 CLI (x86_64-pc-windows-gnu, mingw) and the wine
# shim DLL, then runs the CLI's platform-independent checks under wine:
# RFC 6238 / RFC 4226 vectors through `code`, `generate`, `inspect`, and
# the exit codes of bad input. Asserts real outputs; exits non-zero on any
# failure. Needs what scripts/install-windows.sh installs
# (gcc-mingw-w64-x86-64, wine64, the rustup target); `make windows` runs it.
#
# Each run uses a fresh WINEPREFIX in a temp dir, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."

triple=x86_64-pc-windows-gnu
target_dir="${CARGO_TARGET_DIR:-target}"
wine=/usr/lib/wine/wine64
wineserver=/usr/lib/wine/wineserver
[ -x "$wine" ] || wine="$(command -v wine64 || true)"
if [ -z "$wine" ] || [ ! -x "$wine" ]; then
  echo "run-wine.sh: wine64 is missing (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
[ -x "$wineserver" ] || wineserver="$(command -v wineserver || true)"

cargo build --quiet --locked -p oathdesk-cli --target "$triple"
exe_dir="$target_dir/$triple/debug"
exe="$exe_dir/oathdesk-cli.exe"
# Rust's std imports ProcessPrng from bcryptprimitives.dll, which wine 8
# lacks; the shim sits beside the .exe, where Windows looks first.
scripts/wine/build-shim.sh "$exe_dir" >/dev/null

tmp="$(mktemp -d)"
export WINEPREFIX="$tmp/prefix" WINEDEBUG=-all
# No Mono or Gecko install prompts while the prefix is made.
export WINEDLLOVERRIDES="mscoree,mshtml="
cleanup() {
  # Stops this prefix's wineserver (started by this script) before its
  # prefix goes.
  [ -n "$wineserver" ] && "$wineserver" -k >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
unset OATHDESK_SECRET

failures=0
passes=0

# run STDIN ARGS...: runs the .exe under wine; sets $out, $err (CRs
# dropped) and $rc.
run() {
  local input="$1"
  shift
  set +e
  printf '%s' "$input" | "$wine" "$exe" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=${PIPESTATUS[1]}
  set -e
  out="$(tr -d '\r' <"$tmp/out")"
  err="$(tr -d '\r' <"$tmp/err")"
}

pass() {
  passes=$((passes + 1))
}

fail() {
  failures=$((failures + 1))
  echo "FAIL: $1" >&2
  echo "  exit $rc; stdout: $out" >&2
  echo "  stderr: $err" >&2
}

# expect NAME RC STDOUT STDIN ARGS...: exit code and whole stdout.
expect() {
  local name="$1" want_rc="$2" want_out="$3" input="$4"
  shift 4
  run "$input" "$@"
  if [ "$rc" -eq "$want_rc" ] && [ "$out" = "$want_out" ]; then
    pass
  else
    fail "$name: want exit $want_rc and stdout '$want_out'"
  fi
}

# expect_err NAME RC TEXT STDIN ARGS...: exit code, TEXT in stderr,
# nothing on stdout.
expect_err() {
  local name="$1" want_rc="$2" text="$3" input="$4"
  shift 4
  run "$input" "$@"
  if [ "$rc" -eq "$want_rc" ] && [ -z "$out" ] && [[ "$err" == *"$text"* ]]; then
    pass
  else
    fail "$name: want exit $want_rc, empty stdout and '$text' in stderr"
  fi
}

# The RFC 6238 appendix B seeds: ASCII "1234567890" repeated to 20, 32 and
# 64 bytes, in base32.
SHA1_SEED=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
SHA256_SEED=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA
SHA512_SEED=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA

version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
expect "--version" 0 "oathdesk-cli $version" "" --version

# RFC 6238 appendix B, 8 digits, period 30.
for v in 59:94287082 1111111109:07081804 1111111111:14050471 1234567890:89005924 \
  2000000000:69279037 20000000000:65353130; do
  expect "RFC 6238 SHA-1 T=${v%%:*}" 0 "${v#*:}" "$SHA1_SEED" code --at "${v%%:*}" --digits 8
done
for v in 59:46119246 1111111109:68084774 1234567890:91819424 20000000000:77737706; do
  expect "RFC 6238 SHA-256 T=${v%%:*}" 0 "${v#*:}" "$SHA256_SEED" \
    code --at "${v%%:*}" --digits 8 --algorithm sha256
done
for v in 59:90693936 1111111109:25091201 1234567890:93441116 20000000000:47863826; do
  expect "RFC 6238 SHA-512 T=${v%%:*} (from a URI)" 0 "${v#*:}" \
    "otpauth://totp/Example:alice?secret=$SHA512_SEED&algorithm=SHA512&digits=8&period=30" \
    code --at "${v%%:*}"
done
# The same vector with the seed given as hex (converted) and through the
# environment instead of stdin.
expect "RFC 6238 SHA-1, hex seed" 0 94287082 \
  3132333435363738393031323334353637383930 code --at 59 --digits 8 --encoding hex
set +e
OATHDESK_SECRET="$SHA1_SEED" "$wine" "$exe" code --at 59 --digits 8 </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
out="$(tr -d '\r' <"$tmp/out")"
err="$(tr -d '\r' <"$tmp/err")"
if [ "$rc" -eq 0 ] && [ "$out" = 94287082 ]; then pass; else fail "OATHDESK_SECRET: want 94287082"; fi

# RFC 4226 appendix D, HOTP counters 0-9.
counter=0
for want in 755224 287082 359152 969429 338314 254676 287922 162583 399871 520489; do
  expect "RFC 4226 counter $counter" 0 "$want" "$SHA1_SEED" code --counter "$counter"
  counter=$((counter + 1))
done

# generate: base32 of 160 (SHA-1) or 256 (SHA-256) random bits from the OS
# generator (through ProcessPrng, the shim under wine); two differ.
run "" generate
first="$out"
if [ "$rc" -eq 0 ] && [[ "$first" =~ ^[A-Z2-7]{32}$ ]]; then pass; else fail "generate: want 32 base32 characters"; fi
run "" generate
if [ "$rc" -eq 0 ] && [[ "$out" =~ ^[A-Z2-7]{32}$ ]] && [ "$out" != "$first" ]; then
  pass
else
  fail "generate twice: want two different secrets (first: $first)"
fi
run "" --json generate --algorithm sha256
if [ "$rc" -eq 0 ] && [[ "$out" == *'"secret_bits":256'* ]] && [[ "$out" == *'"algorithm":"sha256"'* ]]; then
  pass
else
  fail "generate --algorithm sha256: want 256 bits"
fi
# A generated secret gives a code: what `generate` prints reads back.
run "" generate
secret="$out"
run "$secret" code --at 59
if [ "$rc" -eq 0 ] && [[ "$out" =~ ^[0-9]{6}$ ]]; then pass; else fail "code from a generated secret"; fi

# inspect: what Entra's QR code holds; the secret never comes back out.
entra="otpauth://totp/Contoso%3Ajane%40contoso.com?secret=jbswy3dpehpk3pxp&issuer=Microsoft"
run "$entra" --json inspect
if [ "$rc" -eq 0 ] && [[ "$out" == *'"account":"jane@contoso.com"'* ]] \
  && [[ "$out" == *'"issuer":"Microsoft"'* ]] && [[ "$out" == *'"secret_bits":80'* ]] \
  && [[ "${out,,}" != *jbswy3dpehpk3pxp* ]]; then
  pass
else
  fail "inspect an Entra URI"
fi

# Bad input: exit 2, a reason on stderr, nothing on stdout.
expect_err "empty stdin" 2 "nothing on stdin" "" code
expect_err "Microsoft Authenticator's QR" 2 "I want to use a different authenticator app" \
  "phonefactor://activate_account?code=1" inspect
expect_err "Google export QR" 2 "" "otpauth-migration://offline?data=AAAA" code
expect_err "garbage" 2 "" "not a secret at all!" code
expect_err "digits out of range" 2 "" "$SHA1_SEED" code --digits 11
expect_err "drift code not digits" 2 "digits only" "$SHA1_SEED" drift --observed 12ab56
expect_err "unknown command" 2 "" "" no-such-command

total=$((passes + failures))
if [ "$failures" -ne 0 ]; then
  echo "run-wine.sh: $failures of $total checks failed" >&2
  exit 1
fi
echo "run-wine.sh: all $total checks passed under $("$wine" --version 2>/dev/null || echo wine)"
