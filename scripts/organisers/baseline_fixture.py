"""The organisers' aggregated-features baseline on a seqcore-generated dataset, written as the
fixture test/organisers_baseline.test.ts compares ts/ubp/aggregated_baseline.ts with
(test/fixtures/organisers/baseline/).

Runs the organisers' own code (github.com/Synerise/recsys2025), nothing re-implemented:
baseline/aggregated_features_baseline/create_embeddings.py's main() with its default
--num-days 1 7 30 --top-n 10 (or the values given), on the organisers' layout built in a
temporary folder (event files and relevant_clients.npy in input/, product_properties.parquet at
the top, an empty target/). With --split their data_utils/split_data.py main() runs first, as
their README says for internal experiments: the baseline then sees only the events before
its train-target start (the input cut, written to the JSON as "before").

Their script writes rows only for relevant clients with at least one event; here the rows are
put in relevant_clients.npy order and a client without a row gets zeros (listed in the JSON as
"missing"), as seqcore's submission must have every relevant client. The parameters their code
used are recorded (not recomputed) by wrapping FeaturesAggregator.get_calculator: each event
type's end date (max_date), top values and block size.

Writes OUT/features.npy (float32: their float16 values, exactly, for the first ROWS relevant
clients), OUT/client_ids.npy (int64) and OUT/meta.json.

usage: python baseline_fixture.py RECSYS2025_REPO DATA_DIR OUT_DIR [--split] [--rows 200]
       [--num-days 1 7 30] [--top-n 10] [--commit SHA]
DATA_DIR: seqcore's flat layout (relevant_clients.npy beside the event files) or the
organisers' (DATA_DIR/input/relevant_clients.npy).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

EVENTS = ["product_buy", "add_to_cart", "remove_from_cart", "page_visit", "search_query"]

parser = argparse.ArgumentParser()
parser.add_argument("repo", type=Path, help="a work tree of github.com/Synerise/recsys2025")
parser.add_argument("data", type=Path, help="challenge-format data folder")
parser.add_argument("out", type=Path, help="fixture folder to write")
parser.add_argument("--split", action="store_true", help="run their data_utils.split_data first (baseline on the input chunk)")
parser.add_argument("--rows", type=int, default=200, help="relevant clients (first, in relevant_clients.npy order) to keep")
parser.add_argument("--num-days", nargs="*", type=int, default=[1, 7, 30])
parser.add_argument("--top-n", type=int, default=10)
parser.add_argument("--commit", help="their commit, recorded when RECSYS2025_REPO is not a git checkout (an archive)")
args = parser.parse_args()

sys.path.insert(0, str(args.repo.resolve()))
from baseline.aggregated_features_baseline import create_embeddings  # noqa: E402
from baseline.aggregated_features_baseline.constants import EVENT_TYPE_TO_COLUMNS  # noqa: E402
from baseline.aggregated_features_baseline.features_aggregator import FeaturesAggregator  # noqa: E402
from data_utils import split_data  # noqa: E402

# Record what their code computes for each event type, then let it run unchanged.
used = {}
get_calculator = FeaturesAggregator.get_calculator


def recording_get_calculator(self, event_type, df, columns):
    calc = get_calculator(self, event_type=event_type, df=df, columns=columns)
    entry = {"rows": int(len(df)), "size": int(calc.features_size)}
    if hasattr(calc, "_max_date"):
        entry["max_date"] = None if pd.isna(calc._max_date) else str(calc._max_date)
        entry["top_values"] = {c: [int(v) for v in calc._unique_values[c]] for c in columns}
    used[event_type.value] = entry
    return calc


FeaturesAggregator.get_calculator = recording_get_calculator


def place(src: Path, dst: Path) -> None:
    """A symlink to src (the organisers' code only reads it), a copy where links fail."""
    try:
        os.symlink(src.resolve(), dst)
    except OSError:
        shutil.copy(src, dst)


data = args.data
relevant_file = data / "input" / "relevant_clients.npy"
if not relevant_file.exists():
    relevant_file = data / "relevant_clients.npy"
events_dir = data / "input" if (data / "input" / "product_buy.parquet").exists() else data
relevant = np.load(relevant_file)

with tempfile.TemporaryDirectory() as tmp:
    root = Path(tmp)
    (root / "input").mkdir()
    (root / "target").mkdir()
    place(data / "product_properties.parquet", root / "product_properties.parquet")
    np.save(root / "input" / "relevant_clients.npy", relevant)
    before = None
    if args.split:
        for t in EVENTS:
            place(events_dir / f"{t}.parquet", root / f"{t}.parquet")
        argv, sys.argv = sys.argv, ["split_data", "--challenge-data-dir", str(root)]
        try:
            split_data.main()
        finally:
            sys.argv = argv
        # what main() computed, recomputed from the same file for the record
        end = pd.to_datetime(pd.read_parquet(root / "product_buy.parquet")["timestamp"].max())
        splitter = split_data.DataSplitter(split_data.DataDir(root), split_data.DAYS_IN_TARGET, end)
        before = str(splitter._compute_target_start_dates()[0])
    else:
        for t in EVENTS:
            place(events_dir / f"{t}.parquet", root / "input" / f"{t}.parquet")
    emb_dir = root / "embeddings"
    params = create_embeddings.get_parser().parse_args(
        ["--data-dir", str(root), "--embeddings-dir", str(emb_dir), "--num-days", *map(str, args.num_days), "--top-n", str(args.top_n)]
    )
    create_embeddings.main(params=params)
    ids = np.load(emb_dir / "client_ids.npy")
    emb = np.load(emb_dir / "embeddings.npy")

row = {int(c): i for i, c in enumerate(ids)}
keep = relevant[: args.rows].astype(np.int64)
features = np.zeros((len(keep), emb.shape[1]), dtype=np.float32)
missing = []
for i, c in enumerate(keep):
    if int(c) in row:
        features[i] = emb[row[int(c)]].astype(np.float32)
    else:
        missing.append(int(c))

try:
    commit = subprocess.run(["git", "-C", str(args.repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
except (OSError, subprocess.CalledProcessError):
    commit = args.commit

args.out.mkdir(parents=True, exist_ok=True)
np.save(args.out / "features.npy", features)
np.save(args.out / "client_ids.npy", keep)
meta = {
    "about": "organisers' baseline/aggregated_features_baseline/create_embeddings.py on the data named in scripts/organisers/baseline-fixture.sh",
    "organisers_commit": commit,
    "split": args.split,
    "before": before,
    "num_days": args.num_days,
    "top_n": args.top_n,
    "relevant_clients": int(len(relevant)),
    "their_shape": [int(x) for x in emb.shape],
    "their_dtype": str(emb.dtype),
    "columns": int(emb.shape[1]),
    "rows": int(len(keep)),
    "missing": missing,
    "event_order": [t.value for t in EVENT_TYPE_TO_COLUMNS],
    "columns_of": {t.value: cols for t, cols in EVENT_TYPE_TO_COLUMNS.items()},
    "used": used,
    "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "pandas": pd.__version__},
}
(args.out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
print(f"wrote {args.out}: their embeddings {emb.shape} {emb.dtype}; kept {len(keep)} rows, {len(missing)} without events")
