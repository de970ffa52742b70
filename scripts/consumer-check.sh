#!/usr/bin/env bash
# Installs seqcore the way a user does, and uses it: packs seqcore (dist/ as built by
# npm install) and its linux-x64-gnu platform package, installs both tarballs into a fresh
# project with --ignore-scripts (what npm 12 does with dependency install scripts), then, with
# no compiler involved:
#   an ES-module and a CommonJS script each train a GRU for a few steps (scripts/consumer/);
#   tsc --noEmit type-checks a TypeScript consumer, skipLibCheck off and no @types installed;
#   npx seqcore --version and npx seqcore doctor run.
# usage: scripts/consumer-check.sh   (after npm install; from anywhere in the checkout)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
[ -f dist/index.js ] || { echo "$0: no dist/: run npm install first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

main=$work/$(npm pack --ignore-scripts --silent --pack-destination "$work")
platform=$(bash scripts/pack-platform.sh linux-x64-gnu "$work")
mkdir "$work/consumer"
cd "$work/consumer"
npm init -y >/dev/null
# --omit=optional: seqcore's other platform packages and Dawn are not needed here (the
# platform package is installed as a direct dependency).
npm install --ignore-scripts --omit=optional --no-audit --no-fund --loglevel=error "$main" "$platform"
if [ -e node_modules/seqcore/build ]; then echo "$0: something compiled seqcore on install" >&2; exit 1; fi
cp "$root"/scripts/consumer/* .
node train.mjs
node train.cjs
node "$root/node_modules/typescript/bin/tsc" -p tsconfig.json
echo "ts: the consumer type-checks"
version=$(npx --no-install seqcore --version) # its own line: a failure in $(…) inside echo would pass
echo "seqcore --version: $version"
npx --no-install seqcore doctor
