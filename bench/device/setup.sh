# Sourced by the device scripts (cuda-check.sh, gru-persistent.sh, webgpu-check.sh), in the
# repository root of a GPU machine that has the repository's files, PyTorch, nvcc and CMake, but
# no Node and no npm registry, after they set BUDGET (seconds for the whole script): defines say
# and run (a step under `timeout`, within the budget), puts node on PATH (from .device/, packed
# by bench/device/pack.sh), then step 1: finds the NVIDIA GPU and the CUDA addon
# (build/Release/seqcore_cuda.node), building it with CMake when it is missing, and prints
# seqcore doctor. Without a GPU or a usable addon it stops the script, saying why, with exit
# status 3. With REQUIRE=webgpu (webgpu-check.sh) the part that must be usable is the WebGPU
# adapter, on the GPU rather than a software renderer, and the CUDA addon is not built.
# usage: source bench/device/setup.sh RUNNER   (RUNNER: the script's compiled runner, e.g.
#        cuda_bench for .device/js/bench/device/cuda_bench.js, which must be there)
JS=.device/js

say() { echo "# $*"; }
# run CAP CMD…: CMD under `timeout`, given CAP seconds or what is left of the budget if less.
run() {
  local cap=$1 left=$((BUDGET - SECONDS)); shift
  local limit=$((cap < left ? cap : left))
  if ((limit < 10)); then say "skipped, the time budget is spent: $*"; return 124; fi
  timeout -k 10 "$limit" "$@"
  local rc=$?
  ((rc == 124 || rc == 137)) && say "stopped after ${limit} s: $*"
  return "$rc"
}
# seqcore doctor's report, for people and as one JSON line; fails, saying why, when CUDA is not
# usable.
# Also points the JS at the CUDA addon once there is one (the runners after it need it too).
doctor() {
  [ -f "$addon" ] && export SEQCORE_CUDA_ADDON=$addon
  run 60 node "$JS/ts/cli/main.js" doctor
  local report
  report=$(run 60 node "$JS/ts/cli/main.js" doctor --json 2>/dev/null)
  node -e '
    let r = null;
    try { r = JSON.parse(process.argv[1]); } catch {}
    if (r === null) { console.log("# seqcore doctor gave no report"); process.exit(1); }
    console.log(JSON.stringify({ suite: "doctor", ...r }));
    if (process.argv[2] === "webgpu") {
      if (!r.webgpu.ok) { console.log(`# webgpu: ${r.webgpu.error}`); process.exit(1); }
      if (r.webgpu.software) { console.log(`# webgpu: a software renderer (${r.webgpu.software}), not the GPU`); process.exit(1); }
    } else if (!r.cuda.ok) { console.log(`# cuda: ${r.cuda.error}`); process.exit(1); }' "$report" "${REQUIRE:-cuda}"
}

if ! command -v node >/dev/null; then
  if [ ! -f .device/unpack.sh ]; then say "no node on PATH and no .device/unpack.sh: run bench/device/pack.sh on the development machine and carry .device"; exit 1; fi
  source .device/unpack.sh >/dev/null
fi
if [ ! -f "$JS/bench/device/$1.js" ]; then say "no compiled JS in $JS: run bench/device/pack.sh on the development machine"; exit 1; fi
say "node $(node --version), $(uname -m), $(date -u +%FT%TZ)"
# The compiled JS looks for the addons beside itself; they are in build/Release.
export SEQCORE_NATIVE_ADDON=$PWD/build/Release/seqcore.node
addon=$PWD/build/Release/seqcore_cuda.node

say "step 1: NVIDIA GPU and the CUDA addon"
# cuBLASLt: the CUDA toolkit's, else the one in PyTorch's nvidia-cublas wheel, wherever python3's
# site-packages are (a virtual environment that is not activated sets no VIRTUAL_ENV to find it by).
if [ -z "${SEQCORE_CUBLAS_PATH:-}" ] && ! ls /usr/local/cuda/lib64/libcublasLt.so* >/dev/null 2>&1; then
  SEQCORE_CUBLAS_PATH=$(python3 -c '
import glob, site
hits = [h for p in site.getsitepackages() for h in sorted(glob.glob(p + "/nvidia/*/lib/libcublasLt.so*"))]
print(hits[0] if hits else "")' 2>/dev/null)
  [ -n "$SEQCORE_CUBLAS_PATH" ] && export SEQCORE_CUBLAS_PATH && say "cuBLASLt: $SEQCORE_CUBLAS_PATH"
fi
gpus=$(nvidia-smi -L 2>/dev/null || ls /proc/driver/nvidia/gpus 2>/dev/null)
if [ -z "$gpus" ]; then
  say "stopping at step 1: no NVIDIA GPU / CUDA addon here: no NVIDIA GPU (nvidia-smi lists none, /proc/driver/nvidia/gpus is empty)"
  doctor
  exit 3
fi
echo "$gpus" | sed 's/^/# /'
if [ ! -f "$addon" ] && [ "${REQUIRE:-cuda}" = cuda ]; then
  export PATH=$PATH:/usr/local/cuda/bin
  if command -v nvcc >/dev/null && command -v cmake >/dev/null && [ -d node_modules/node-addon-api ]; then
    say "no $addon: building it with CMake and $(command -v nvcc) (log: /tmp/seqcore-cmake.log)"
    # What cmake-js passes (npm run build:native), without cmake-js: the N-API headers from
    # node_modules (in .device/extra.tar.xz), the addons written to build/Release; code for
    # this GPU only (compute capability 9.0 → 90), which compiles in a fraction of the time.
    arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d '. ')
    { run 60 cmake -S . -B /tmp/seqcore-cuda-build -DCMAKE_BUILD_TYPE=Release -DSEQCORE_CUDA=ON ${arch:+-DSEQCORE_CUDA_ARCHS=$arch} \
        -DCMAKE_JS_VERSION=cuda-check "-DCMAKE_JS_INC=$PWD/node_modules/node-api-headers/include;$PWD/node_modules/node-addon-api" \
        -DCMAKE_LIBRARY_OUTPUT_DIRECTORY="$PWD/build/Release" -DCMAKE_CXX_FLAGS=-DBUILDING_NODE_EXTENSION \
      && run 240 cmake --build /tmp/seqcore-cuda-build --target seqcore_cuda -j "$(nproc)"; } >/tmp/seqcore-cmake.log 2>&1 \
      || tail -30 /tmp/seqcore-cmake.log | sed 's/^/# cmake: /'
  else
    say "no $addon, and it cannot be built here (needs nvcc, cmake and node_modules/node-addon-api from .device/extra.tar.xz)"
  fi
fi
doctor || { say "stopping at step 1: no NVIDIA GPU / ${REQUIRE:-cuda} backend usable here (above: why)"; exit 3; }
