#!/usr/bin/env bash
# The WebGPU device check (issue 22, item 5), run in the repository root of a machine with an
# NVIDIA GPU that has the repository's files but no Node and no npm registry: Node, the compiled
# JS, Dawn (the `webgpu` package's linux-x64 binding) and the kernels come in .device/
# (bench/device/pack.sh, run on the development machine). Dawn reaches the GPU through Vulkan.
#   (1) the GPU and seqcore doctor; stops here, saying why, where Dawn finds no adapter on the GPU
#       (none, or only a software renderer)
#   (2) the conformance suite on the webgpu backend, once with the GRU's recurrence in
#       whole-sequence kernels and once by steps (SEQCORE_WEBGPU_GRU)
#   (3) the GEMM's tile shapes tuned for this adapter at M, N, K of 1024 and 4096 (seqcore doctor
#       --tune; the cache in .device/cache, which the benchmarks after it read)
#   (4) GEMM at 1024, 2048 and 4096 and the embedding gradient; then W1–W4 (W2: the UBP
#       autoencoder step), both ways; then SASRec training; each beside the cpu backend on all
#       of the machine's cores (bench/device/webgpu_bench.ts)
# Everything goes to stdout: JSON lines (those starting with '{') and '#' lines saying what runs;
# keep the JSON lines under bench/results/. Each step has its own time limit, and all together
# stay under BUDGET seconds (8 minutes less a margin). Exit status: 0 when every step passed, 3
# when there is no GPU adapter, else 1.
# usage: bash bench/device/webgpu-check.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
exec 2>&1
BUDGET=${SEQCORE_CHECK_BUDGET:-450}
REQUIRE=webgpu
source bench/device/setup.sh webgpu_bench

failed=()
say "step 2: the conformance suite on the webgpu backend"
SEQCORE_WEBGPU_GRU=sequence run 60 node "$JS/bench/device/conformance.js" --backend webgpu || failed+=(conformance-sequence)
SEQCORE_WEBGPU_GRU=steps run 60 node "$JS/bench/device/conformance.js" --backend webgpu || failed+=(conformance-steps)

say "step 3: the GEMM's tile shapes tuned for this adapter"
export SEQCORE_CACHE=$PWD/.device/cache
run 45 node "$JS/ts/cli/main.js" doctor --tune --tune-sizes 1024,4096 || failed+=(tune) # the cache keeps each size measured
tr -d '\n' < "$SEQCORE_CACHE/webgpu-gemm-tiles.json" 2>/dev/null && echo

say "step 4: GEMM, the embedding gradient, GRU W1–W4 and SASRec training on webgpu beside the cpu backend ($(nproc) threads)"
run 60 node "$JS/bench/device/webgpu_bench.js" --suite gemm || failed+=(bench-gemm)
run 165 node "$JS/bench/device/webgpu_bench.js" --suite gru || failed+=(bench-gru)
run 45 node "$JS/bench/device/webgpu_bench.js" --suite rec || failed+=(bench-rec)

say "done in ${SECONDS} s; ${failed[*]:-no} step failed"
((${#failed[@]} == 0)) || exit 1
