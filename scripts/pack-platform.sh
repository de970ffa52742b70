#!/usr/bin/env bash
# Packs the prebuilt platform package npm/<tag> (see npm/README.md) with the addon from
# build/Release, into <out-dir>; prints the tarball's path.
# usage: scripts/pack-platform.sh <tag> <out-dir>   (from anywhere in the checkout)
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 <tag> <out-dir>" >&2; exit 2; }
tag=$1
out=$(mkdir -p "$2" && cd "$2" && pwd)
cd "$(dirname "$0")/.."
dir=npm/$tag
[ -f "$dir/package.json" ] || { echo "$0: no platform package npm/$tag (one of: $(ls npm | grep -v README | tr '\n' ' '))" >&2; exit 2; }
file=seqcore.node
[[ $tag == *-cuda ]] && file=seqcore_cuda.node
[ -f "build/Release/$file" ] || { echo "$0: no build/Release/$file: build it first (npm install, or npx cmake-js compile)" >&2; exit 1; }
cp "build/Release/$file" "$dir/$file"
trap 'rm -f "$dir/$file"' EXIT
(cd "$dir" && npm pack --silent --pack-destination "$out" | sed "s|^|$out/|")
