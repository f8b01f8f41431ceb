#!/usr/bin/env bash
# Runs standard clients, unchanged, against the Graph sandbox: Microsoft's
# Graph SDK for Python (msgraph-beta-sdk) on Graph's paths, then MSAL Python
# on the identity platform (msal-check.sh, over TLS). They live in
# the project's own Python environment (target/tools/python, made by
# scripts/install-tools.sh from tests/standard-clients/requirements.txt).
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${OATHDESK_PYTHON:-target/tools/python/bin/python}
sim=${OATHDESK_SIM:-target/debug/oathdesk-sim}
if [ ! -x "$python" ]; then
  echo "run.sh: no $python: run scripts/install-tools.sh (make deps) first." >&2
  exit 1
fi
if [ ! -x "$sim" ]; then
  echo "run.sh: no $sim: build it first (cargo build -p oathdesk-sim)." >&2
  exit 1
fi
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
cat > "$work/tenant.json" <<JSON
{"users": [{"id": "u-bob", "userPrincipalName": "bob@contoso.com", "displayName": "Bob"}],
 "tokens": {"$token": ["Policy.ReadWrite.AuthenticationMethod", "UserAuthenticationMethod.ReadWrite.All", "User.Read.All"]}}
JSON

for script in tests/standard-clients/graph_sdk.py; do
  mkfifo "$work/out"
  "$sim" graph --tenant "$work/tenant.json" > "$work/out" &
  pid=$!
  exec 3< "$work/out"
  read -r -u 3 listening
  read -r -u 3 control
  rm "$work/out"
  SANDBOX_URL=${listening#listening } SANDBOX_CONTROL=${control#control } SANDBOX_TOKEN=$token \
    "$python" "$script"
  exec 3<&-
  kill -TERM "$pid"
  wait "$pid"
  pid=
done

tests/standard-clients/msal-check.sh
