#!/usr/bin/env bash
# Installs what the front end and the window tests need, inside the project:
# the UI's npm packages (ui/node_modules, from package-lock.json) and
# tauri-driver (target/tools/bin). Skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null; then
  echo "OathDesk's UI needs Node.js 20.19+ and npm: install them, then run make again." >&2
  exit 1
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)' || {
  echo "OathDesk's UI needs Node.js 20.19 or newer (found $(node --version))." >&2
  exit 1
}
# Reinstall when the lock file changed since the last install.
stamp=ui/node_modules/.oathdesk-lock
if ! cmp -s ui/package-lock.json "$stamp" 2>/dev/null; then
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  cp ui/package-lock.json "$stamp"
fi

if [ ! -x target/tools/bin/tauri-driver ]; then
  cargo install --locked --quiet --root target/tools tauri-driver --version '^2.0'
fi

# The standard clients the sandbox is checked against (Microsoft's Graph SDK
# for Python, MSAL), in a project-local virtual environment; reinstalled when
# the pinned list changes.
py=target/tools/python
reqs=tests/standard-clients/requirements.txt
if ! cmp -s "$reqs" "$py/.oathdesk-reqs" 2>/dev/null; then
  if ! python3 -m venv --help >/dev/null 2>&1; then
    echo "The sandbox's client checks need Python 3 with venv (Debian: python3-venv)." >&2
    exit 1
  fi
  rm -rf "$py"
  python3 -m venv "$py"
  "$py/bin/pip" install --quiet --disable-pip-version-check -r "$reqs"
  cp "$reqs" "$py/.oathdesk-reqs"
fi
