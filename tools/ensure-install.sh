#!/bin/sh
# Installs dependencies exactly as locked when node_modules is missing or older than the lock.
set -eu
cd "$(dirname "$0")/.."
stamp=node_modules/.install-stamp
if [ ! -x node_modules/.bin/node ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "installing dependencies (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
