#!/usr/bin/env bash
# The project's style, checked: ESLint (typescript-eslint) and Prettier for the TypeScript,
# clang-format for the C++ (native/; native/cuda/ is not formatted yet: its kernels were last
# measured on a GPU as they are). usage: scripts/lint.sh   (npm run lint; needs clang-format)
set -euo pipefail
cd "$(dirname "$0")/.."
npx eslint ts test bench
npx prettier --check --log-level warn "ts/**/*.ts" "test/**/*.ts" "bench/**/*.ts" "scripts/**/*.{ts,mjs,cjs}" eslint.config.js
command -v clang-format >/dev/null || { echo "$0: clang-format not found (apt-get install clang-format)" >&2; exit 1; }
git ls-files 'native/*.cc' 'native/*.h' 'native/*.inc' 'native/*.cu' 'native/*.cuh' | grep -v '^native/cuda/' | xargs clang-format --dry-run --Werror
echo "lint: eslint, prettier and clang-format are clean"
