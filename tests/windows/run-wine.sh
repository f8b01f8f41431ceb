#!/usr/bin/env bash
# Builds the Windows x64 CLI (x86_64-pc-windows-gnu, mingw) and the wine
# shim DLL, then runs the CLI's platform-independent checks under wine:
# RFC 6238 / RFC 4226 vectors through `code`, `generate`, `inspect`, the
# exit codes of bad input, and the journal and audit log round trip through
# Windows Credential Manager (an edit and a wipe detected). Asserts real outputs; exits non-zero on any
# failure. Needs what scripts/install-windows.sh installs
# (gcc-mingw-w64-x86-64, wine64, the rustup target); `make windows` runs it.
#
# Each run uses a fresh WINEPREFIX in a temp dir, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."

triple=x86_64-pc-windows-gnu
target_dir="${CARGO_TARGET_DIR:-target}"
. tests/windows/wine.sh

# The app too, in the same build as scripts/package.sh's (one feature set:
# the packaged oathdesk-cli.exe is the one checked here, built once).
cargo build --quiet --locked -p oathdesk-app -p oathdesk-cli --target "$triple"
exe_dir="$target_dir/$triple/debug"
exe="$exe_dir/oathdesk-cli.exe"
# Rust's std imports ProcessPrng from bcryptprimitives.dll, which wine 8
# lacks; the shim sits beside the .exe, where Windows looks first.
scripts/wine/build-shim.sh "$exe_dir" >/dev/null
unset OATHDESK_SECRET

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

# failed WHAT: a failed check of the last run, with what it printed.
failed() {
  fail "$1" "exit $rc; stdout: $out; stderr: $err"
}

# expect NAME RC STDOUT STDIN ARGS...: exit code and whole stdout.
expect() {
  local name="$1" want_rc="$2" want_out="$3" input="$4"
  shift 4
  run "$input" "$@"
  if [ "$rc" -eq "$want_rc" ] && [ "$out" = "$want_out" ]; then
    pass
  else
    failed "$name: want exit $want_rc and stdout '$want_out'"
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
    failed "$name: want exit $want_rc, empty stdout and '$text' in stderr"
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
if [ "$rc" -eq 0 ] && [ "$out" = 94287082 ]; then pass; else failed "OATHDESK_SECRET: want 94287082"; fi

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
if [ "$rc" -eq 0 ] && [[ "$first" =~ ^[A-Z2-7]{32}$ ]]; then pass; else failed "generate: want 32 base32 characters"; fi
run "" generate
if [ "$rc" -eq 0 ] && [[ "$out" =~ ^[A-Z2-7]{32}$ ]] && [ "$out" != "$first" ]; then
  pass
else
  failed "generate twice: want two different secrets (first: $first)"
fi
run "" --json generate --algorithm sha256
if [ "$rc" -eq 0 ] && [[ "$out" == *'"secret_bits":256'* ]] && [[ "$out" == *'"algorithm":"sha256"'* ]]; then
  pass
else
  failed "generate --algorithm sha256: want 256 bits"
fi
# A generated secret gives a code: what `generate` prints reads back.
run "" generate
secret="$out"
run "$secret" code --at 59
if [ "$rc" -eq 0 ] && [[ "$out" =~ ^[0-9]{6}$ ]]; then pass; else failed "code from a generated secret"; fi

# inspect: what Entra's QR code holds; the secret never comes back out.
entra="otpauth://totp/Contoso%3Ajane%40contoso.com?secret=jbswy3dpehpk3pxp&issuer=Microsoft"
run "$entra" --json inspect
if [ "$rc" -eq 0 ] && [[ "$out" == *'"account":"jane@contoso.com"'* ]] \
  && [[ "$out" == *'"issuer":"Microsoft"'* ]] && [[ "$out" == *'"secret_bits":80'* ]] \
  && [[ "${out,,}" != *jbswy3dpehpk3pxp* ]]; then
  pass
else
  failed "inspect an Entra URI"
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

# The journal and the audit log through Windows Credential Manager (wine's
# advapi32 Cred* functions): the desk's key and the audit chain's head are
# kept there, the records in SQLite under OATHDESK_DATA_DIR. Signing out is
# audited and needs neither a token nor a tenant.
data_win='C:\oathdesk-data'
data_unix="$WINEPREFIX/drive_c/oathdesk-data"
export OATHDESK_DATA_DIR="$data_win"
run "" logout
if [ "$rc" -eq 0 ] && [ "$out" = "signed out" ]; then pass; else failed "logout (audited)"; fi
run "" logout
run "" --json audit list
if [ "$rc" -eq 0 ] && [ "$(grep -o '"action":"sign-out"' <<<"$out" | wc -l)" -eq 2 ]; then
  pass
else
  failed "audit list: want the two sign-outs"
fi
expect "audit verify" 0 "intact: 2 records" "" audit verify
expect "journal list" 0 "no enrolments" "" journal list
creds="$("$wine" reg query 'HKCU\Software\Wine\Credential Manager' /s 2>/dev/null | tr -d '\r')"
if grep -q 'OathDesk' <<<"$creds"; then pass; else fail "Credential Manager holds no OathDesk entry" "$creds"; fi
db="$(ls "$data_unix"/*.sqlite 2>/dev/null | head -n 1)"
if [ -n "$db" ]; then pass; else fail "no database under $data_unix" "$(ls -la "$data_unix" 2>&1)"; fi
# An edited record fails the chain's MAC (the key is in Credential Manager).
cp "$db" "$tmp/kept.sqlite"
python3 - "$db" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
# The log's own triggers refuse updates; whoever edits the file drops them.
for (name,) in con.execute("select name from sqlite_master where type='trigger'").fetchall():
    con.execute(f'drop trigger "{name}"')
con.execute("update audit set body = replace(body, 'sign-out', 'sign-in') where seq = 1")
con.commit()
PY
run "" audit verify
if [ "$rc" -ne 0 ] && [[ "$err" == *"the audit log was altered"* ]]; then pass; else failed "audit verify after an edit"; fi
# A wiped log: the chain's head in Credential Manager still says two.
rm -f "$db" "$db"-wal "$db"-shm
run "" audit verify
if [ "$rc" -ne 0 ] && [[ "$err" == *"it was wiped"* ]]; then pass; else failed "audit verify after a wipe"; fi
unset OATHDESK_DATA_DIR

finish run-wine.sh
