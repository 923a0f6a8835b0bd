#!/bin/sh
# Installs what the project needs and the machine may lack:
# - npm dependencies exactly as locked, when node_modules is missing or older than the lock
#   (they bring Node 24 as the `node` package);
# - Debian's Chromium for the console's browser tests (test tools cannot download browsers
#   here), when missing and we may install system packages.
set -eu
cd "$(dirname "$0")/.."
stamp=node_modules/.install-stamp
if [ ! -x node_modules/.bin/node ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "installing dependencies (npm ci)..."
  # onnxruntime-node carries its CPU libraries; its install step would fetch optional GPU ones.
  export ONNXRUNTIME_NODE_INSTALL=skip
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Chromium from Debian's packages..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends chromium >/dev/null; }
fi
