"""Shipped results packs: finished runs that this package trained, as compact package data, so a
learner without a GPU slides α over the paper's real model (notebooks 02, 04, 05, 06).

    lc.list_pretrained()                                           # name, method, data, provenance
    run = lc.load_run("pretrained:cifar10-lt-r100-deconfound")     # a TrainedRun, offline
    run.sweep([0, 1, 2])                                           # Fig. 4 on the real model
    lc.classify("cifar10-lt-r100-deconfound", images, alpha=1.0)   # your own 32×32 images

A pack is one ``torch.save`` file ``lt_causal/data/pretrained/<name>.pt`` (loaded with
``weights_only=True``) holding the run's config, history and metrics, the fp16 test features and
labels, the head, the head direction, the class counts and names, the normalisation, the
backbone weights (fp16) and the provenance (command, data, epochs, machine, wall time).
``make_pack`` writes one from a finished run folder (``python -m lt_causal pretrained --pack``);
``metrics`` in a pack are evaluated on the pack's own fp16 features, ``run_metrics`` are the run
folder's (float32 features) — the two agree to a few hundredths of a point.
"""
from __future__ import annotations

import platform
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from lt_causal.checkpoint import load_checkpoint, save_checkpoint

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


def load_pretrained(name: str):
    """A shipped run as a :class:`~lt_causal.evaluation.runs.TrainedRun` (features in float32)."""
    from lt_causal.models.heads import build_head
    from lt_causal.evaluation.runs import TrainedRun

    blob = read_pack(name)
    feats = blob["test_features"].float()
    head = build_head(blob["head_kind"], feats.shape[1], len(blob["classes"]), **blob["head_hparams"])
    head.load_state_dict(blob["head"])
    return TrainedRun(dict(blob["config"]), list(blob["classes"]), list(blob["train_counts"]), feats,
                      blob["test_labels"].long(), head, blob["direction"].float(),
                      pd.DataFrame(blob["history"]), None, name=PREFIX + blob["name"])


def pretrained_model(name: str):
    """The shipped network (backbone + head + head direction), float32, in eval mode, on the CPU."""
    from lt_causal.training.config import TrainConfig
    from lt_causal.models.ltmodel import build_model

    blob = read_pack(name)
    c = TrainConfig.from_dict(blob["config"])
    model = build_model(c.method, c.arch, blob["in_channels"], len(blob["classes"]), mu=c.mu,
                        num_heads=c.num_heads, tau=c.tau, gamma=c.gamma)
    model.backbone.load_state_dict({k: v.float() for k, v in blob["backbone"].items()})
    model.head.load_state_dict(blob["head"])
    model.direction.moving_sum.copy_(blob["direction"].float())
    return model.eval()


def classify(name: str, images, alpha: float | None = None) -> list[str]:
    """Class names that shipped run ``name`` predicts for uint8 images (N, C, H, W) or (N, H, W, C)
    — e.g. ``np.asarray(PIL.Image.open(f).convert("RGB").resize((32, 32)))[None]`` — at TDE
    strength ``alpha`` (default: the run's own α)."""
    from lt_causal.datasets.augment import normalize
    from lt_causal.models.tde import check_alpha

    blob = read_pack(name)
    x = torch.as_tensor(np.asarray(images))
    c, h, w = blob["image_shape"]
    if x.dim() == 3:
        x = x[None]
    if x.dim() == 4 and x.shape[1] != c and x.shape[-1] == c:
        x = x.permute(0, 3, 1, 2)
    if x.dtype != torch.uint8 or tuple(x.shape[1:]) != (c, h, w):
        raise ValueError(f"classify expects uint8 images of shape (N, {c}, {h}, {w}) or (N, {h}, {w}, {c}), "
                         f"got {x.dtype} {tuple(x.shape)}")
    alpha = check_alpha(blob["config"].get("alpha", 1.0) if alpha is None else alpha)
    model = pretrained_model(name)
    with torch.no_grad():
        pred = model(normalize(x.contiguous(), blob["mean"], blob["std"]), alpha).argmax(1)
    return [blob["classes"][i] for i in pred.tolist()]


def pack_metrics(run, alphas=PACK_ALPHAS) -> dict:
    """Accuracy per α (the fixed grid and the suggested α) and per-class accuracy, as stored in a pack."""
    suggested = round(run.suggested_alpha(), 2) if run.head.kind != "linear" else None
    grid = list(alphas) + ([suggested] if suggested is not None else [])
    return {"alphas": {f"{a:g}": {**run.evaluate(a), "per_class": run.per_class_accuracy(a).tolist()}
                       for a in grid},
            "mean_cos": run.mean_cos() if suggested is not None else None,
            "suggested_alpha": suggested}


def make_pack(run_dir, name: str, provenance: dict | None = None, dest=None, data=None) -> Path:
    """Write the finished run folder ``run_dir`` as pack ``name`` into ``dest`` (default: the
    package's pretrained folder); ``provenance`` adds e.g. the command and the machine."""
    import json

    from lt_causal.training.config import TrainConfig
    from lt_causal.evaluation.runs import load_run
    from lt_causal.training.trainer import CHECKPOINT, CONFIG, dataset_for

    run_dir = Path(run_dir)
    run = load_run(run_dir)
    config = TrainConfig.from_dict(json.loads((run_dir / CONFIG).read_text()))
    data = data if data is not None else dataset_for(config)
    if not torch.equal(data.test_y, run.test_labels):
        raise ValueError(f"the data set of {run_dir}'s config does not give the run's test labels")
    state = load_checkpoint(run_dir / CHECKPOINT)["model"]
    backbone = {k[len("backbone."):]: (v.half() if v.is_floating_point() else v)
                for k, v in state.items() if k.startswith("backbone.")}
    feats16 = run.test_features.half()
    packed = type(run)(run.config, run.classes, run.train_counts, feats16.float(), run.test_labels,
                       run.head, run.direction, run.history)
    history = json.loads(run.history.to_json(orient="records"))   # plain floats, NaN → None
    seconds = float(run.history["seconds"].sum()) if "seconds" in run.history else None
    prov = {"epochs": config.epochs, "seed": config.seed, "train_seconds": seconds,
            "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
            "torch": str(torch.__version__), **(provenance or {})}
    blob = {"format": FORMAT, "name": name, "config": run.config, "history": history,
            "metrics": pack_metrics(packed), "run_metrics": json.loads((run_dir / "metrics.json").read_text()),
            "test_features": feats16, "test_labels": run.test_labels.to(torch.int16),
            "head": run.head.state_dict(), "head_kind": run.head.kind, "head_hparams": run.head.hparams(),
            "direction": run.direction.float(), "train_counts": list(run.train_counts),
            "classes": list(run.classes), "backbone": backbone, "in_channels": int(data.train_x.shape[1]),
            "image_shape": list(data.train_x.shape[1:]), "mean": list(data.mean), "std": list(data.std),
            "provenance": prov}
    dest = Path(dest) if dest is not None else pretrained_dir()
    path = dest / f"{name}.pt"
    save_checkpoint(blob, path)
    return path


def list_pretrained() -> pd.DataFrame:
    """One row per shipped pack: what it is, its accuracy at α = 0 and its α, and where it came from."""
    rows = []
    for name in pretrained_names():
        blob = read_pack(name)
        c, p, m = blob["config"], blob["provenance"], blob["metrics"]["alphas"]
        alpha = f"{float(c.get('alpha', 1.0)):g}"
        rows.append({"name": name, "method": c["method"], "data": p.get("data", c["dataset"]),
                     "epochs": c["epochs"], "overall α=0": m["0"]["overall"],
                     "overall at α": m.get(alpha, {}).get("overall"), "alpha": float(alpha),
                     "machine": p.get("machine"), "train hours": (p.get("train_seconds") or 0) / 3600,
                     "command": p.get("command")})
    return pd.DataFrame(rows)
