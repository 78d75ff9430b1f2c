"""Results packs written and used (the reading side is :mod:`lt_causal.evaluation.packs`):
:func:`make_pack` turns a finished run folder into a pack (``python -m lt_causal pretrained
--pack``), :func:`pretrained_model` rebuilds a shipped network and :func:`classify` labels your
own images with it.

    lc.classify("cifar10-lt-r100-deconfound", images, alpha=1.0)   # your own 32×32 images
"""
from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np
import torch

from lt_causal.checkpoint import CHECKPOINT, CONFIG, METRICS, load_checkpoint, save_checkpoint
from lt_causal.datasets.augment import normalize
from lt_causal.datasets.registry import fingerprint
from lt_causal.evaluation.packs import (FORMAT, PACK_ALPHAS, decode_features, encode_features, pack_name,
                                     pack_summary, pretrained_dir, pretrained_names, read_pack)
from lt_causal.evaluation.loading import load_run
from lt_causal.machine import machines_record
from lt_causal.methods.oltr import OLTR_STAGES
from lt_causal.training.config import TrainConfig, dataset_for


def networked_packs() -> list[str]:
    """The shipped packs that carry their backbone (what :func:`classify` can use)."""
    return [n for n in pretrained_names() if pack_summary(n)["backbone"]]


def pretrained_model(name: str):
    """The shipped network (backbone + head + head direction), float32, in eval mode, on the CPU."""
    return _model_from_pack(read_pack(name))


def _model_from_pack(blob: dict):
    if "backbone" not in blob:
        raise ValueError(f"shipped run {blob['name']!r} carries no network (features, head and direction "
                         f"only); shipped runs with one: {', '.join(networked_packs()) or 'none'}")
    model = TrainConfig.from_dict(blob["config"]).build_model(blob["in_channels"], len(blob["classes"]))
    model.backbone.load_state_dict({k: v.float() for k, v in blob["backbone"].items()})
    model.head.load_state_dict(blob["head"])
    model.direction.moving_sum.copy_(blob["direction"].float())
    return model.eval()


def classify(name: str, images, alpha: float | None = None) -> list[str]:
    """Class names that shipped run ``name`` predicts for uint8 images (N, C, H, W) or (N, H, W, C)
    — e.g. ``np.asarray(PIL.Image.open(f).convert("RGB").resize((32, 32)))[None]`` — at TDE
    strength ``alpha`` (default: the run's own α)."""
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
    model = _model_from_pack(blob)   # the pack is read once
    alpha = TrainConfig.from_dict(blob["config"]).alpha if alpha is None else alpha
    with torch.no_grad():
        pred = model(normalize(x.contiguous(), blob["mean"], blob["std"]), alpha).argmax(1)
    return [blob["classes"][i] for i in pred.tolist()]


def pack_metrics(run, alphas=PACK_ALPHAS) -> dict:
    """Accuracy per α (the fixed grid and the suggested α) and per-class accuracy, as stored in a pack."""
    suggested = round(run.suggested_alpha(), 2) if run.reports_tde else None
    grid = list(alphas) + ([suggested] if suggested is not None else [])
    return {"alphas": {f"{a:g}": {**run.evaluate(a), "per_class": run.per_class_accuracy(a).tolist()}
                       for a in grid},
            "mean_cos": run.mean_cos() if suggested is not None else None,
            "suggested_alpha": suggested}


# config fields that hold a path of the machine that trained the run
MACHINE_PATHS = ("out", "data_root", "folder_root")


def portable_config(config: dict) -> dict:
    """``config`` without the machine's paths: the run folder and the data cache dropped, an image
    folder kept by its own name (``cifar10-jpeg``), which the pack's data fingerprint pins down."""
    out = {**config, **{key: None for key in MACHINE_PATHS}}
    if config.get("folder_root"):
        out["folder_root"] = Path(config["folder_root"]).name
    return out


def data_record(config: dict, data) -> dict:
    """What a pack records of the data a run trained on: its name and SHA-256 fingerprints of the
    training and test images and labels (:func:`~lt_causal.datasets.registry.fingerprint`)."""
    return {"name": portable_config(config)["folder_root"] or config["dataset"],
            "train_sha256": fingerprint(data.train_x, data.train_y),
            "test_sha256": fingerprint(data.test_x, data.test_y)}


def make_pack(run_dir, name: str | None = None, provenance: dict | None = None, dest=None, data=None,
              features: str = "fp16", backbone: bool = True) -> Path:
    """Write the finished run folder ``run_dir`` as pack ``name`` (default: its cell,
    :func:`~lt_causal.evaluation.packs.pack_name`) into ``dest`` (default: the package's pretrained
    folder); ``provenance`` adds e.g. the command and the machine. ``features``: ``fp16`` or ``uint8``
    (:func:`~lt_causal.evaluation.packs.encode_features`); ``backbone=False`` leaves the network out
    (the α explorer and the tables need only features, head and direction; :func:`classify` needs it)."""
    run_dir = Path(run_dir)
    run = load_run(run_dir)
    config = TrainConfig.from_dict(json.loads((run_dir / CONFIG).read_text()))
    if config.method in OLTR_STAGES:   # its checkpoint holds the stage-1 network only
        raise ValueError(f"{run_dir} was trained with {config.method!r}, whose second stage rebuilds the "
                         f"backbone; {CHECKPOINT} holds the first stage only, so it cannot be packed")
    data = data if data is not None else dataset_for(config)
    if not torch.equal(data.test_y, run.test_labels):
        raise ValueError(f"the data set of {run_dir}'s config does not give the run's test labels")
    name = name or pack_name(**run.cell)
    stored = encode_features(run.test_features, features)
    packed = type(run)(run.config, run.classes, run.train_counts, decode_features(stored), run.test_labels,
                       run.head, run.direction, run.history)
    history = json.loads(run.history.to_json(orient="records"))   # plain floats, NaN → None
    seconds = float(run.history["seconds"].sum()) if "seconds" in run.history else None
    prov = {"epochs": config.epochs, "seed": config.seed, "train_seconds": seconds,
            "machine": machines_record(run.history.get("machine", [])) or f"{platform.machine()} {platform.processor() or ''}".strip(),
            "torch": str(torch.__version__), **(provenance or {})}
    blob = {"format": FORMAT, "name": name, "cell": run.cell, "config": portable_config(run.config),
            "data": data_record(run.config, data), "history": history,
            "metrics": pack_metrics(packed), "run_metrics": json.loads((run_dir / METRICS).read_text()),
            "test_features": stored, "test_labels": run.test_labels.to(torch.int16),
            "head": run.head.state_dict(), "head_kind": run.head.kind, "head_hparams": run.head.hparams(),
            "direction": run.direction.float(), "train_counts": list(run.train_counts),
            "classes": list(run.classes), "in_channels": int(data.train_x.shape[1]),
            "image_shape": list(data.train_x.shape[1:]), "mean": list(data.mean), "std": list(data.std),
            "provenance": prov}
    if backbone:
        state = load_checkpoint(run_dir / CHECKPOINT)["model"]
        blob["backbone"] = {k[len("backbone."):]: (v.half() if v.is_floating_point() else v)
                            for k, v in state.items() if k.startswith("backbone.")}
    dest = Path(dest) if dest is not None else pretrained_dir()
    path = dest / f"{name}.pt"
    save_checkpoint(blob, path)
    return path
