#!/bin/sh
# `npm test`: install what is missing, then run every tier with the project's Node 24.
set -eu
cd "$(dirname "$0")/.."
sh tools/ensure-install.sh
exec node_modules/.bin/node tools/run-tests.mjs all "$@"
