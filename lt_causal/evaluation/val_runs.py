"""A run evaluated on its **val** split: the α sweep of Fig. 4 is a val-set sweep (the official
ImageNet-LT protocol, docs/method.md §9), while the reported numbers are on test.

    run = load_run("runs/imagenet-lt-deconfound-e90-s0")      # test features (the reported numbers)
    val = load_val_run(run)                                   # the same model on val
    val.sweep([0, 1, 2, 3, 4])                                # Fig. 4
    selected_epoch(run)                                       # which epoch val selected
    split_table(run, [0, 1, 3])                               # α = 0 / 1 / 3 on val and on test

A run trained on a data set with a val split (``train`` on ImageNet-LT or Places-LT) keeps the val
features of its selected epoch in ``val_features.pt`` and the choice in ``selection.json``.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd

from lt_causal.checkpoint import SELECTION, VAL_FEATURES, load_checkpoint
from lt_causal.checks import check_choice
from lt_causal.datasets.profiles import ACCURACY_KEYS
from lt_causal.evaluation.runs import TrainedRun
from lt_causal.evaluation.loading import load_run

SPLITS = ("test", "val")


def _run_dir(run) -> Path:
    path = run.path if isinstance(run, TrainedRun) else Path(run)
    if path is None:
        raise ValueError("this run has no run folder (train it with an out folder to keep its val features)")
    return Path(path)


def load_val_run(run) -> TrainedRun:
    """The run (a :class:`TrainedRun` or its folder) with its val features in place of the test
    features: :meth:`TrainedRun.evaluate` and :meth:`TrainedRun.sweep` then score val."""
    run = run if isinstance(run, TrainedRun) else load_run(run)
    path = _run_dir(run) / VAL_FEATURES
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: only runs on a data set with a val split "
                                "(imagenet-lt, places-lt) keep val features")
    blob = load_checkpoint(path, keys=("features", "labels"))
    return dataclasses.replace(run, test_features=blob["features"], test_labels=blob["labels"], split="val")


def load_split_run(run, split: str = "test") -> TrainedRun:
    """The run scored on ``split``: ``test`` (as trained) or ``val``."""
    if check_choice(split, SPLITS, "split") == "val":
        return load_val_run(run)
    return run if isinstance(run, TrainedRun) else load_run(run)


def selected_epoch(run) -> dict | None:
    """What ``selection.json`` records (the epoch best on val, its val accuracy and α), or None."""
    path = _run_dir(run) / SELECTION
    return json.loads(path.read_text()) if path.is_file() else None


def choose_alpha(run, alphas) -> float:
    """The α of ``alphas`` with the best overall accuracy on val (the smallest of ties): α is
    chosen on val, never on test."""
    val = load_val_run(run)
    scores = {float(a): val.evaluate(a)["overall"] for a in alphas}
    return max(scores, key=lambda a: (scores[a], -a))


def split_table(run, alphas=(0.0, 1.0, 3.0)) -> pd.DataFrame:
    """Overall / many / medium / few accuracy (%) at each α on val and on test: one row per
    (split, α)."""
    rows = {}
    for split in ("val", "test"):
        scored = load_split_run(run, split)
        for a in alphas:
            rows[(split, float(a))] = scored.evaluate(a)
    table = pd.DataFrame.from_dict(rows, orient="index")[list(ACCURACY_KEYS)]
    table.index = pd.MultiIndex.from_tuples(table.index, names=["split", "α"])
    return table
