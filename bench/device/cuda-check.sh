#!/usr/bin/env bash
# The CUDA device check (issue 16, part 7), run in the repository root of a GPU machine that has
# the repository's files, PyTorch, nvcc and CMake, but no Node and no npm registry: Node and the
# compiled JS come in .device/ (bench/device/pack.sh, run on the development machine).
#   (1) the CUDA addon: build/Release/seqcore_cuda.node, else built here with CMake; stops here,
#       saying why, without an NVIDIA GPU or a CUDA addon
#   (2) the conformance suite on the cuda backend (bench/device/conformance.ts)
#   (3) GEMM 4096³ and GRU W1–W4, fp32, TF32 and bf16, seqcore beside PyTorch (bench/device/cuda_bench.ts)
# Everything goes to stdout: JSON lines (those starting with '{') and '#' lines saying what runs.
# Each step has its own time limit, and all together stay under BUDGET seconds (8 minutes less
# a margin). Exit status: 0 when every step passed, 3 when there is no GPU or CUDA addon, else 1.
# usage: bash bench/device/cuda-check.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
exec 2>&1
BUDGET=${SEQCORE_CHECK_BUDGET:-450}
source bench/device/setup.sh cuda_bench

failed=()
say "step 2: the conformance suite on the cuda backend"
# Once with each GRU recurrence forced (the automatic choice picks by shape, so it would leave
# one of them untested on the suite's small batches).
SEQCORE_GRU=persistent run 150 node "$JS/bench/device/conformance.js" --backend cuda || failed+=(conformance-persistent)
SEQCORE_GRU=per-step run 150 node "$JS/bench/device/conformance.js" --backend cuda || failed+=(conformance-per-step)

say "step 3: GEMM and GRU W1–W4, fp32, TF32 and bf16, seqcore cuda beside PyTorch"
run 300 node "$JS/bench/device/cuda_bench.js" --torch-timeout 120 || failed+=(bench)

say "done in ${SECONDS} s; ${failed[*]:-no} step failed"
((${#failed[@]} == 0)) || exit 1
