#!/usr/bin/env bash
# Writes test/fixtures/organisers/baseline/ (the fixture of test/organisers_baseline.test.ts):
# seqcore's generator makes the dataset, the organisers' own code computes its baseline
# features (scripts/organisers/baseline_fixture.py). The dataset is the test's:
#   seqcore data generate --clients 3000 --seed 11
# then their data_utils.split_data (--split: the baseline sees the input chunk only) and
# baseline.aggregated_features_baseline.create_embeddings with its defaults
# (--num-days 1 7 30 --top-n 10); the first 200 relevant clients' rows are kept.
# usage: scripts/organisers/baseline-fixture.sh RECSYS2025_REPO [PYTHON] [OUT_DIR]
#   RECSYS2025_REPO: a work tree of github.com/Synerise/recsys2025
#   PYTHON: a Python with their requirements (pandas, numpy, tqdm; the fixture was made with
#     Python 3.11, numpy 1.24.2, pandas 2.2.3: top-value ties follow their sort); default python3
#   OUT_DIR: default test/fixtures/organisers/baseline
#   ORGANISERS_COMMIT (environment): their commit, recorded in meta.json when RECSYS2025_REPO
#     is an archive rather than a git checkout (the fixture: e91c1a62f84611151a399ce157e6031a4a73618f)
# From anywhere in the checkout; needs the checkout's node_modules (tsx, DuckDB).
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,17p' "$0" >&2; exit 2; }
repo=$(cd "$1" && pwd)
python=${2:-python3}
cd "$(dirname "$0")/../.."
out=${3:-test/fixtures/organisers/baseline}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node --import tsx ts/cli/main.ts data generate --clients 3000 --seed 11 --out "$work/data"
"$python" scripts/organisers/baseline_fixture.py "$repo" "$work/data" "$out" --split --rows 200 ${ORGANISERS_COMMIT:+--commit "$ORGANISERS_COMMIT"}
ls -l "$out"
