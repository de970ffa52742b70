"""The organisers' split, targets and metrics on a seqcore-generated dataset, written as the
fixture test/organisers.test.ts compares seqcore with (test/fixtures/organisers/targets.json).

Runs the organisers' own code (github.com/Synerise/recsys2025): data_utils.split_data's
DataSplitter, training_pipeline.target_calculators and metric_calculators (torchmetrics AUROC,
their Novelty and Diversity). What their code leaves to the shipped files is built here by the
definitions in their README: propensity_sku/category = the 100 skus/categories most often
purchased in the train target window (ties by smaller id), their popularity = purchases in that
window / all purchases in it, active clients = relevant clients with a purchase in the input.

usage: python targets_fixture.py RECSYS2025_REPO DATA_DIR OUT.json
"""
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import torch

repo, data, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
sys.path.insert(0, str(repo))
from data_utils.constants import DAYS_IN_TARGET, EventTypes  # noqa: E402
from data_utils.data_dir import DataDir  # noqa: E402
from data_utils.split_data import DataSplitter  # noqa: E402
from training_pipeline.metric_calculators import ChurnMetricCalculator, PropensityMetricCalculator  # noqa: E402
from training_pipeline.target_calculators import ChurnTargetCalculator, PropensityTargetCalculator  # noqa: E402
from training_pipeline.tasks import PropensityTasks  # noqa: E402

TOP = 100


def predictions(rows: int, cols: int) -> torch.Tensor:
    """Logits both sides can make exactly: an integer hash of (row, column) scaled to [-4, 4)."""
    i = np.arange(rows, dtype=np.uint64)[:, None]
    j = np.arange(cols, dtype=np.uint64)[None, :]
    h = (i * np.uint64(2654435761) + j * np.uint64(40503) + np.uint64(12345)) % np.uint64(2**32)
    return torch.tensor(((h.astype(np.float64) / 2**32) * 8 - 4).astype(np.float32))


with tempfile.TemporaryDirectory() as tmp:
    # The organisers' layout: event files at the top, relevant_clients.npy in input/.
    root = Path(tmp)
    for f in data.glob("*.parquet"):
        shutil.copy(f, root / f.name)
    (root / "input").mkdir()
    (root / "target").mkdir()
    relevant = np.load(data / "relevant_clients.npy")
    np.save(root / "input" / "relevant_clients.npy", relevant)
    data_dir = DataDir(data_dir=root)

    buys = pd.read_parquet(root / "product_buy.parquet")
    end_date = pd.to_datetime(buys["timestamp"].max())  # as split_data.main does
    splitter = DataSplitter(challenge_data_dir=data_dir, days_in_target=DAYS_IN_TARGET, end_date=end_date)
    splitter.split()
    splitter.save_splits()
    train_start, valid_start = splitter._compute_target_start_dates()

    train_df = pd.read_parquet(root / "target" / "train_target.parquet")
    valid_df = pd.read_parquet(root / "target" / "validation_target.parquet")
    input_buys = pd.read_parquet(root / "input" / "product_buy.parquet")
    active = relevant[np.isin(relevant, input_buys["client_id"].unique())]

    result = {
        "clients": int(len(relevant)),
        "end": str(end_date),
        "train_target_start": str(train_start),
        "validation_target_start": str(valid_start),
        "input_events": {t.value: int(len(pd.read_parquet(root / "input" / f"{t.value}.parquet"))) for t in EventTypes},
        "train_target_rows": int(len(train_df)),
        "validation_target_rows": int(len(valid_df)),
        "active_clients": [int(c) for c in active],
        "tasks": {},
    }

    # churn over the active clients, in relevant_clients order
    churn = ChurnTargetCalculator()
    labels = np.stack([churn.compute_target(c, valid_df) for c in active])
    metric = ChurnMetricCalculator()
    metric.update(predictions(len(active), 1)[:, 0], torch.tensor(labels[:, 0]).long())
    result["tasks"]["churn"] = {"positives": [int(i) for i in np.nonzero(labels[:, 0])[0]], "auroc": metric.compute().val_auroc}

    for task in (PropensityTasks.PROPENSITY_CATEGORY, PropensityTasks.PROPENSITY_SKU):
        col = task.value.split("_")[-1]
        counts = train_df.groupby(col).size().reset_index(name="n").sort_values(["n", col], ascending=[False, True])
        ids = counts[col].to_numpy()[:TOP]
        popularity = (counts["n"].to_numpy()[:TOP] / len(train_df)).astype(np.float32)
        calc = PropensityTargetCalculator(task=task, propensity_targets=ids)
        labels = np.stack([calc.compute_target(c, valid_df) for c in relevant])
        metric = PropensityMetricCalculator(output_dim=len(ids), popularity_data=popularity)
        metric.update(predictions(len(relevant), len(ids)), torch.tensor(labels).long())
        m = metric.compute()
        rows, cols = np.nonzero(labels)
        result["tasks"][task.value] = {
            "targets": [int(x) for x in ids],
            "popularity": [float(x) for x in popularity],
            "positives": [[int(r), int(c)] for r, c in zip(rows, cols)],
            "empty_columns": int((labels.sum(axis=0) == 0).sum()),
            "auroc": m.val_auroc,
            "novelty": m.val_novelty,
            "diversity": m.val_diversity,
        }

out.write_text(json.dumps(result, indent=1) + "\n")
print(f"wrote {out}: {len(relevant)} relevant, {len(active)} active clients")
