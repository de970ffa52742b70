#!/usr/bin/env bash
# The project's style, checked: ESLint (typescript-eslint) and Prettier for the TypeScript,
# clang-format for the C++ and CUDA (native/). With --fix, Prettier and clang-format rewrite the
# files instead.
# usage: scripts/lint.sh [--fix]   (npm run lint, npm run format; needs clang-format)
set -euo pipefail
cd "$(dirname "$0")/.."
fix=false
[ "${1:-}" = --fix ] && fix=true
command -v clang-format >/dev/null || { echo "$0: clang-format not found (apt-get install clang-format)" >&2; exit 1; }
ts=("ts/**/*.ts" "test/**/*.ts" "bench/**/*.ts" "scripts/**/*.{ts,mjs,cjs}" eslint.config.js)
cpp() { git ls-files 'native/*.cc' 'native/*.h' 'native/*.inc' 'native/*.cu' 'native/*.cuh'; }
if $fix; then
  npx prettier --write --log-level warn "${ts[@]}"
  cpp | xargs clang-format -i
  echo "format: prettier and clang-format rewrote what differed"
else
  npx eslint ts test bench
  npx prettier --check --log-level warn "${ts[@]}"
  cpp | xargs clang-format --dry-run --Werror
  echo "lint: eslint, prettier and clang-format are clean"
fi
