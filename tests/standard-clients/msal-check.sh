#!/usr/bin/env bash
# A standard public client, MSAL Python, unchanged, against the Graph
# sandbox's identity platform: authorization code with PKCE and the device
# code flow, an account found in its cache, and a silent refresh. MSAL
# insists on an https authority, so the sandbox serves TLS with a CA made
# for the run. MSAL is pinned in requirements.txt here, installed into target/tools/python
# by scripts/install-tools.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

target=${CARGO_TARGET_DIR:-target}
python=${OATHDESK_PYTHON:-target/tools/python/bin/python}
if [ ! -x "$python" ]; then
  echo "msal-check.sh: no $python: run scripts/install-tools.sh (make deps) first." >&2
  exit 1
fi

sim=${OATHDESK_SIM:-$target/debug/oathdesk-sim}
tmp=$(mktemp -d)
cat >"$tmp/seed.json" <<'JSON'
{"users": [{"id": "7d2f3a10-5b6c-4d8e-9f01-23456789abcd",
            "userPrincipalName": "helpdesk@contoso.com", "displayName": "Helpdesk"}],
 "operator": "helpdesk@contoso.com"}
JSON
coproc SIM { exec "$sim" graph --tenant "$tmp/seed.json" --tls-ca "$tmp/ca.pem"; }
trap 'kill -TERM "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" || true; rm -rf "$tmp"' EXIT
read -r _ base <&"${SIM[0]}"
read -r _ control <&"${SIM[0]}"
[[ "$base" == https://* ]] || { echo "sandbox did not start over https: $base" >&2; exit 1; }
# requests lets these override the CA MSAL is told to trust (`verify=`).
env -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE \
  "$python" tests/standard-clients/msal_check.py "$base" "$control" "$tmp/ca.pem"
