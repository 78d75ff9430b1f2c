"""Shipped results packs: finished runs that this package trained, as compact package data, so a
learner without a GPU slides α over the paper's real model (notebooks 02, 04, 05, 06) and reads the
CIFAR-10 half of Table 3 as measured (:mod:`lt_causal.experiments.table3`).

    lc.list_pretrained()                                           # name, cell, data, provenance
    run = lc.load_run("pretrained:cifar10-lt-r100-deconfound-s0")  # a TrainedRun, offline
    run.sweep([0, 1, 2])                                           # Fig. 4 on the real model
    lc.classify("cifar10-lt-r100-deconfound", images, alpha=1.0)   # lt_causal.experiments.packs

A pack is one ``torch.save`` file ``data/pretrained/<name>.pt`` of the package (loaded with
``weights_only=True``). Its name is its cell of Table 3, :func:`pack_name`
(``cifar10-lt-r50-deconfound-s1``); a name without ``-s<seed>`` means seed 0, so
``cifar10-lt-r100-deconfound`` still opens the first shipped run. It holds the run's config
(machine paths removed), its cell, the data set's name and fingerprint, history and metrics, the
test features (fp16, or 8 bits with a scale per image: :func:`encode_features`) and labels, the head,
the head direction, the class counts and names, the normalisation, the provenance (command,
epochs, machine, wall time) and, for the runs whose network a notebook uses, the backbone (fp16).
This module reads packs; :mod:`lt_causal.experiments.packs` writes one from a finished run folder
(``python -m lt_causal pretrained --pack``). ``metrics`` in a pack are evaluated on the pack's own
features, ``run_metrics`` are the run folder's (float32 features) — the two agree to a few
hundredths of a point.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd
import torch

from lt_causal.checkpoint import CheckpointError, load_checkpoint, require_keys
from lt_causal.evaluation.runs import TrainedRun, cell_label, configured_alpha
from lt_causal.evaluation.stored import RUN_KEYS, read_stored

PREFIX = "pretrained:"
FORMAT = "lt_causal-pack-2"
PACK_ALPHAS = (0.0, 0.5, 1.0, 1.5, 2.0)
PACKS_BUDGET = 20 * 2**20             # bytes: all the shipped packs together
FEATURE_CODES = ("fp16", "uint8")     # how a pack stores its test features (encode_features)
_SEED = re.compile(r"-s\d+$")


def pack_name(dataset: str = "cifar10-lt", imbalance: float = 100, method: str = "deconfound",
              seed: int = 0) -> str:
    """The name a pack of this cell of Table 3 ships under, e.g. ``cifar10-lt-r100-deconfound-s0``."""
    return f"{dataset}-r{imbalance:g}-{method}-s{int(seed)}"


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
    """The file of pack ``name`` (with or without the ``pretrained:`` prefix; without ``-s<seed>``:
    seed 0); one clear error if absent."""
    name = name[len(PREFIX):] if is_pretrained(name) else name
    folder = pretrained_dir()
    for candidate in (name, name + "-s0") if not _SEED.search(name) else (name,):
        if (folder / f"{candidate}.pt").is_file():
            return folder / f"{candidate}.pt"
    known = ", ".join(pretrained_names()) or "none"
    raise FileNotFoundError(f"no shipped run named {name!r} (shipped: {known})")


def is_shipped(name: str) -> bool:
    """Whether ``name`` opens a shipped pack (:func:`pack_path` finds it)."""
    try:
        pack_path(name)
    except FileNotFoundError:
        return False
    return True


def read_pack(name_or_path) -> dict:
    """The raw contents of a pack (a dict of tensors, numbers and strings)."""
    path = Path(name_or_path) if str(name_or_path).endswith(".pt") else pack_path(str(name_or_path))
    blob = load_checkpoint(path)
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        found = blob.get("format") if isinstance(blob, dict) else type(blob).__name__
        raise ValueError(f"{path} is not a results pack of this lt_causal (format {found!r}, "
                         f"expected {FORMAT!r})")
    require_keys(blob, (*RUN_KEYS, "name", "config", "history"), path)
    return blob


def encode_features(features: torch.Tensor, code: str = "fp16"):
    """Test features as a pack stores them: ``fp16``, or ``uint8`` — 8 bits per value with one
    float32 scale per image (the feature's maximum / 255; features are ≥ 0 after the ReLU and pooling),
    half the size of fp16."""
    if code == "fp16":
        return features.half()
    if code != "uint8":
        raise ValueError(f"feature code {code!r}: expected one of {FEATURE_CODES}")
    if (features < 0).any():
        raise ValueError("uint8 features need non-negative features (a ReLU before pooling)")
    scale = features.amax(1, keepdim=True).clamp_min(1e-12) / 255
    return {"uint8": torch.round(features / scale).clamp(0, 255).to(torch.uint8), "scale": scale.float()}


def decode_features(stored) -> torch.Tensor:
    """The float32 test features of :func:`encode_features`' output."""
    if isinstance(stored, dict):
        return stored["uint8"].float() * stored["scale"]
    return stored.float()


def load_pretrained(name: str) -> TrainedRun:
    """A shipped run as a :class:`~lt_causal.evaluation.runs.TrainedRun` (features in float32)."""
    return run_from_pack(read_pack(name), pack_path(str(name)))


def run_from_pack(blob: dict, source=None) -> TrainedRun:
    """The :class:`~lt_causal.evaluation.runs.TrainedRun` of a pack already read (:func:`read_pack`),
    its stored form checked (:func:`~lt_causal.evaluation.stored.read_stored`; ``source``: the file,
    for the messages)."""
    source = source or f"pack {blob.get('name')!r}"
    try:
        coded = blob["test_features"]
        features = decode_features(coded) if isinstance(coded, dict) else None
    except (KeyError, TypeError, RuntimeError) as exc:
        raise CheckpointError(f"{source}: test_features cannot be decoded ({exc})") from None
    parts = read_stored(blob, source, features)
    return TrainedRun(dict(blob["config"]), parts["classes"], parts["train_counts"], parts["features"],
                      parts["labels"], parts["head"], parts["direction"], pd.DataFrame(blob["history"]), None,
                      name=PREFIX + blob["name"])


SUMMARY_KEYS = ("name", "cell", "config", "provenance", "metrics", "data")


@lru_cache(maxsize=None)
def _summary(path: str, mtime_ns: int, size: int) -> dict:
    blob = read_pack(path)
    return {**{k: blob[k] for k in SUMMARY_KEYS}, "backbone": "backbone" in blob}


def pack_summary(name: str) -> dict:
    """What a pack says about itself without its tensors (its cell, config, provenance, metrics, data
    record, and whether it holds the network), read once per file and process: the run picker and
    :func:`list_pretrained` name every shipped run without keeping their features."""
    path = pack_path(name)
    stat = path.stat()
    return _summary(str(path), stat.st_mtime_ns, stat.st_size)


def list_pretrained() -> pd.DataFrame:
    """One row per shipped pack: its cell, its accuracy at α = 0 and its α, and where it came from."""
    rows = []
    for name in pretrained_names():
        blob = pack_summary(name)
        c, p, m, cell = blob["config"], blob["provenance"], blob["metrics"]["alphas"], blob["cell"]
        alpha = f"{configured_alpha(c):g}"
        rows.append({"name": name, "label": cell_label(cell), **cell, "data": p.get("data", c["dataset"]),
                     "data name": blob["data"]["name"], "fingerprint": blob["data"]["train_sha256"][:12],
                     "epochs": c["epochs"], "overall α=0": m["0"]["overall"],
                     "overall at α": m.get(alpha, {}).get("overall"), "alpha": float(alpha),
                     "backbone": blob["backbone"], "machine": p.get("machine"),
                     "train hours": (p.get("train_seconds") or 0) / 3600, "command": p.get("command")})
    return pd.DataFrame(rows)
