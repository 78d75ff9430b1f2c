"""Shipped results packs: finished runs that this package trained, as compact package data, so a
learner without a GPU slides α over the paper's real model (notebooks 02, 04, 05, 06).

    lc.list_pretrained()                                           # name, method, data, provenance
    run = lc.load_run("pretrained:cifar10-lt-r100-deconfound")     # a TrainedRun, offline
    run.sweep([0, 1, 2])                                           # Fig. 4 on the real model
    lc.classify("cifar10-lt-r100-deconfound", images, alpha=1.0)   # lt_causal.experiments.packs

A pack is one ``torch.save`` file ``data/pretrained/<name>.pt`` of the package (loaded with
``weights_only=True``) holding the run's config, history and metrics, the fp16 test features and
labels, the head, the head direction, the class counts and names, the normalisation, the
backbone weights (fp16) and the provenance (command, data, epochs, machine, wall time).
This module reads packs; :mod:`lt_causal.experiments.packs` writes one from a finished run folder
(``python -m lt_causal pretrained --pack``) and classifies images with a shipped network. ``metrics`` in a pack are evaluated on the pack's own fp16 features, ``run_metrics`` are the run
folder's (float32 features) — the two agree to a few hundredths of a point.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from lt_causal.checkpoint import load_checkpoint
from lt_causal.evaluation.runs import TrainedRun, configured_alpha
from lt_causal.models.heads import build_head

PREFIX = "pretrained:"
FORMAT = "lt_causal-pack-1"
PACK_ALPHAS = (0.0, 0.5, 1.0, 1.5, 2.0)


def pack_name(dataset: str = "cifar10-lt", imbalance: float = 100, method: str = "deconfound") -> str:
    """The name a pack of this setting ships under, e.g. ``cifar10-lt-r100-deconfound``."""
    return f"{dataset}-r{imbalance:g}-{method}"


def pretrained_dir() -> Path:
    """The folder of the shipped packs inside the installed package."""
    return Path(str(resources.files("lt_causal") / "data" / "pretrained"))


def pretrained_names() -> list[str]:
    """Names of the shipped packs (``pretrained:<name>`` loads one)."""
    folder = pretrained_dir()
    return sorted(p.stem for p in folder.glob("*.pt")) if folder.is_dir() else []


def is_pretrained(ref) -> bool:
    """True for a ``"pretrained:<name>"`` reference."""
    return isinstance(ref, str) and ref.startswith(PREFIX)


def pack_path(name: str) -> Path:
    """The file of pack ``name`` (with or without the ``pretrained:`` prefix); one clear error if absent."""
    name = name[len(PREFIX):] if is_pretrained(name) else name
    path = pretrained_dir() / f"{name}.pt"
    if not path.is_file():
        known = ", ".join(pretrained_names()) or "none"
        raise FileNotFoundError(f"no shipped run named {name!r} (shipped: {known})")
    return path


def read_pack(name_or_path) -> dict:
    """The raw contents of a pack (a dict of tensors, numbers and strings)."""
    path = Path(name_or_path) if str(name_or_path).endswith(".pt") else pack_path(str(name_or_path))
    blob = load_checkpoint(path)
    if blob.get("format") != FORMAT:
        raise ValueError(f"{path} is not a results pack of this lt_causal (format {blob.get('format')!r}, "
                         f"expected {FORMAT!r})")
    return blob


def load_pretrained(name: str) -> TrainedRun:
    """A shipped run as a :class:`~lt_causal.evaluation.runs.TrainedRun` (features in float32)."""
    blob = read_pack(name)
    feats = blob["test_features"].float()
    head = build_head(blob["head_kind"], feats.shape[1], len(blob["classes"]), **blob["head_hparams"])
    head.load_state_dict(blob["head"])
    return TrainedRun(dict(blob["config"]), list(blob["classes"]), list(blob["train_counts"]), feats,
                      blob["test_labels"].long(), head, blob["direction"].float(),
                      pd.DataFrame(blob["history"]), None, name=PREFIX + blob["name"])


def list_pretrained() -> pd.DataFrame:
    """One row per shipped pack: what it is, its accuracy at α = 0 and its α, and where it came from."""
    rows = []
    for name in pretrained_names():
        blob = read_pack(name)
        c, p, m = blob["config"], blob["provenance"], blob["metrics"]["alphas"]
        alpha = f"{configured_alpha(c):g}"
        rows.append({"name": name, "method": c["method"], "data": p.get("data", c["dataset"]),
                     "epochs": c["epochs"], "overall α=0": m["0"]["overall"],
                     "overall at α": m.get(alpha, {}).get("overall"), "alpha": float(alpha),
                     "machine": p.get("machine"), "train hours": (p.get("train_seconds") or 0) / 3600,
                     "command": p.get("command")})
    return pd.DataFrame(rows)
