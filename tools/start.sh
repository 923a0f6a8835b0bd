#!/bin/sh
# `npm start` on a machine that may have only an older Node: install the project's
# dependencies (which bring Node 24 as the `node` package) when missing or out of date, then
# run the real start script with the project's Node.
set -eu
cd "$(dirname "$0")/.."
sh tools/ensure-install.sh
exec node_modules/.bin/node tools/start.mjs
