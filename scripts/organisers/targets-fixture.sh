#!/usr/bin/env bash
# Makes test/fixtures/organisers/targets.json with the organisers' own code: their split,
# target calculators and metrics on the dataset `seqcore data generate --clients 20000 --seed 11`
# writes (test/organisers.test.ts generates the same one and compares).
# usage: scripts/organisers/targets-fixture.sh RECSYS2025_CHECKOUT [PYTHON]
#   RECSYS2025_CHECKOUT  a checkout of github.com/Synerise/recsys2025
#   PYTHON               a Python with numpy, pandas, pyarrow, torch and torchmetrics (default: python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(realpath "$1")
python=${2:-python3}
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
node --import tsx ts/cli/main.ts data generate --clients 20000 --seed 11 --out "$data/generated"
"$python" scripts/organisers/targets_fixture.py "$repo" "$data/generated" test/fixtures/organisers/targets.json
