#!/usr/bin/env bash
# The persistent GRU benchmark (issue 17, part 4), run like cuda-check.sh in the repository root
# of a GPU machine that has the repository's files, PyTorch, nvcc and CMake, but no Node and no
# npm registry (Node and the compiled JS come in .device/: bench/device/pack.sh):
#   (1) the CUDA addon (bench/device/setup.sh): stops here, saying why, without an NVIDIA GPU or
#       a usable CUDA addon
#   (2) torch.nn.GRU on cuDNN, fp32 and under bf16 autocast, on W1–W4, S1, S1c and S1i
#   (3) seqcore cuda with SEQCORE_GRU=per-step, then =persistent: validated, then timed; one
#       process per workload, so a hang or a device fault costs that workload only; then
#       S1, S1c and S1i again with bf16 GEMMs (--precision bf16)
#   (4) the summary: persistent ÷ torch and persistent ÷ per-step, as JSON lines and a table
# (2)–(4) are bench/device/gru_persistent.ts. Everything goes to stdout: JSON lines (those
# starting with '{'), '#' lines saying what runs, and the table; save it as
# bench/results/<date>-<gpu>-gru-persistent.jsonl. Each step has its own time limit, and all
# together stay under BUDGET seconds (8 minutes less a margin). Exit status: 0 when every step
# passed, 3 when there is no GPU or CUDA addon, else 1.
# usage: bash bench/device/gru-persistent.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
exec 2>&1
BUDGET=${SEQCORE_CHECK_BUDGET:-450}
source bench/device/setup.sh gru_persistent

RUNNER=$JS/bench/device/gru_persistent.js
lines=$(mktemp) # the lines of steps 2 and 3, which the summary reads back
failed=()
say "step 2: torch.nn.GRU (cuDNN), fp32 and bf16 autocast"
run 170 node "$RUNNER" --sides torch --torch-timeout 150 | tee -a "$lines" || failed+=(torch)

for w in W1 W2 W3 W4 S1 S1c S1i; do
  say "step 3: $w on seqcore cuda, SEQCORE_GRU=per-step then persistent"
  run 90 node "$RUNNER" --sides seqcore --workloads "$w" | tee -a "$lines" || failed+=("$w")
done

for w in S1 S1c S1i; do
  say "step 3: $w on seqcore cuda with bf16 GEMMs (--precision bf16), per-step then persistent"
  run 90 node "$RUNNER" --sides seqcore --workloads "$w" --precision bf16 | tee -a "$lines" || failed+=("$w-bf16")
done

say "step 4: summary"
node "$RUNNER" --summary "$lines"
rm -f "$lines"
say "done in ${SECONDS} s; ${failed[*]:-no} step failed"
((${#failed[@]} == 0)) || exit 1
