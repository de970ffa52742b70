#!/usr/bin/env bash
# Packs, on the development machine, what bench/device/cuda-check.sh needs on a GPU machine that
# has no Node and no npm registry, into .device/ (ignored by git), carried there by the device
# run's `carry: [".device"]`:
#   .device/node.xz          this machine's node binary
#   .device/js/              ts/ and bench/device/*.ts (with the conformance suite they import)
#                            compiled by tsc: plain ES modules, no tsx, vitest or benny
#   .device/extra.tar.xz     paths relative to the repository root, untarred in place there:
#                            build/Release/*.node (but a seqcore_cuda.node older than the native
#                            sources, which the GPU machine then builds: the benchmarks would
#                            measure stale kernels), and of node_modules only what the compiled code
#                            imports at load time (@petamoriken/float16) and the headers the CUDA
#                            addon's fallback build needs (node-addon-api, node-api-headers);
#                            of Dawn (the webgpu package, 130 MB) only its entry and the linux-x64
#                            binding (21 MB, for webgpu-check.sh). DuckDB (70 MB) stays here: it is
#                            imported only when asked for, which the checks never do.
#   .device/js/kernels/      the WGSL kernels, where the compiled webgpu backend reads them
#   .device/unpack.sh        sourced there: puts node on PATH and untars extra.tar.xz in place
# usage: bench/device/pack.sh   (from anywhere in the checkout)
set -euo pipefail
cd "$(dirname "$0")/../.."

MODULES=(node_modules/@petamoriken/float16 node_modules/node-addon-api node_modules/node-api-headers)
# Dawn is an optional dependency: packed where it is installed (webgpu-check.sh needs it, cuda-check.sh not)
[ -f node_modules/webgpu/dist/linux-x64/dawn.node ] && MODULES+=(node_modules/webgpu/package.json node_modules/webgpu/index.js node_modules/webgpu/dist/linux-x64)
LIMIT_MB=60

# the cpu addon: the reference of the check's validation and of the conformance suite's parity
[ -f build/Release/seqcore.node ] || { echo "pack.sh: no build/Release/seqcore.node: run npm run build:native first" >&2; exit 1; }
mkdir -p .device
rm -rf .device/js
npx tsc -p bench/device/tsconfig.json
# .device/js has no package.json of its own: say its .js files are ES modules wherever it lands
echo '{ "type": "module" }' > .device/js/package.json
# test/conformance/golden.ts reads torch's GRU fixture beside its compiled copy
mkdir -p .device/js/test/fixtures && cp test/fixtures/gru_golden.json .device/js/test/fixtures/
# ts/backend/webgpu/shaders.ts reads the kernels three folders above its compiled copy
cp -r kernels .device/js/

node=$(readlink -f "$(command -v node)")
[ .device/node.xz -nt "$node" ] || xz -T0 -6 -c "$node" > .device/node.xz # a minute or more: only when Node changed
addons=(build/Release/seqcore.node)
cuda=build/Release/seqcore_cuda.node
if [ -f $cuda ]; then
  newer=$(find native CMakeLists.txt -newer $cuda -type f -print -quit)
  if [ -n "$newer" ]; then echo "pack.sh: leaving out $cuda, older than $newer (the GPU machine builds it)" >&2; else addons+=($cuda); fi
fi
tar -cf - "${addons[@]}" "${MODULES[@]}" | xz -T0 -6 > .device/extra.tar.xz
cat > .device/unpack.sh <<'EOS'
# Sourced at the start of a device run, in the repository root: puts node on PATH and unpacks
# the extra paths in place.
mkdir -p /tmp/devnode && xz -dc .device/node.xz > /tmp/devnode/node && chmod +x /tmp/devnode/node
export PATH=/tmp/devnode:$PATH
[ -f .device/extra.tar.xz ] && xz -dc .device/extra.tar.xz | tar -xf -
node --version
EOS

mb=$(du -sm .device | cut -f1)
echo "packed .device: ${mb} MB (${addons[*]##*/}); carry [\".device\"]"
if [ "$mb" -gt "$LIMIT_MB" ]; then echo "pack.sh: .device is over ${LIMIT_MB} MB: the device run carries at most 64 MiB with the working tree" >&2; exit 1; fi
