"""After the epochs: the method's second stage, if it has one (decoupling: a new classifier on
the frozen backbone's training features; OLTR: the network rebuilt and fine-tuned on the images),
the test features and the run folder's final files (:func:`finish_run`); the second stage alone
on a finished cross-entropy run (:func:`decouple`); the image sources of an OLTR stage
(:func:`stage2_images`)."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import torch

from lt_causal.checkpoint import CHECKPOINT, CONFIG, FEATURES, HISTORY, is_finished, load_checkpoint, save_json
from lt_causal.datasets.registry import LTDataset
from lt_causal.evaluation.runs import TrainedRun, run_from_model, save_history
from lt_causal.evaluation.loading import load_run
from lt_causal.datasets.split_list import make_loader
from lt_causal.methods.decoupling import second_stage
from lt_causal.methods.oltr import OLTR_STAGES, MemoryImages, oltr_stage
from lt_causal.methods.registry import METHODS, get_method
from lt_causal.methods.samplers import ClassAwareSampler
from lt_causal.models.ltmodel import LTModel, extract_features
from lt_causal.training.config import TrainConfig, check_run_config, dataset_for
from lt_causal.training.distributed import resolve_device
from lt_causal.training.run_lock import run_lock


def finish_run(model: LTModel, data: LTDataset, config: TrainConfig, history: list, run_dir=None,
               progress: bool = False) -> TrainedRun:
    """The method's second stage, if it has one, then the test features; the run is saved into
    ``run_dir`` (features.pt, metrics.json, and history.csv if training did not write it)."""
    model = run_second_stage(model, data, config, progress, lambda: (
        extract_features(model, data.train_x, data.mean, data.std, config.eval_batch_size, config.precision),
        data.train_y))
    feats = extract_features(model, data.test_x, data.mean, data.std, config.eval_batch_size, config.precision)
    run = run_from_model(model.cpu(), feats, data, config.to_dict(), pd.DataFrame(history),
                         Path(run_dir) if run_dir is not None else None)
    if run_dir is not None:
        run.save()
        if history and not (Path(run_dir) / HISTORY).is_file():
            save_history(history, run_dir)
    return run


def run_second_stage(model: LTModel, data, config: TrainConfig, progress: bool, train_features) -> LTModel:
    """The method's second stage, if it has one, on the trained ``model`` (returned; OLTR rebuilds
    it): OLTR fine-tunes the network on the images; the decoupling stages fit a new head on
    ``train_features()`` = (the frozen backbone's train features, their labels)."""
    spec = get_method(config.method)
    device = next(model.parameters()).device
    if spec.stage2 in OLTR_STAGES:
        return oltr_stage(model, data, config, spec.stage2, progress, stage2_images(data, config, device))
    if spec.stage2 is not None:
        feats, labels = train_features()
        model.head = second_stage(spec.stage2, model.head, feats.to(device), labels.to(device),
                                  data.train_counts, config, progress=progress)
    return model


class StreamedImages:
    """An OLTR second stage's images from a split-list data set (:mod:`lt_causal.datasets.split_list`):
    class-balanced batches decoded and augmented (random-resized crop, flip) by DataLoader workers,
    and the train split once with the test-time transform; the members of
    :class:`~lt_causal.methods.oltr.MemoryImages`. Every rank reads the whole train split."""

    def __init__(self, data, config, device):
        self.data, self.config, self.device = data, config, device
        labels = data.labels("train")
        self.sampler = ClassAwareSampler(labels, len(data.classes), "class_balanced")
        self.steps = max(1, len(labels) // config.batch_size)

    def _batches(self, loader):
        for xb, yb in loader:
            yield xb.to(self.device, non_blocking=True), yb.to(self.device, non_blocking=True)

    def train(self, epoch: int):
        c = self.config
        seed = (c.seed * 1_000_003 + 7919) * 1009 + epoch   # one per stage-2 epoch, repeatable
        order = self.sampler.draw(self.steps * c.batch_size, torch.Generator().manual_seed(seed)).tolist()
        return self._batches(make_loader(self.data, "train", c.batch_size, workers=c.workers, train=True,
                                         sampler=order, seed=seed, drop_last=True))

    def plain(self):
        return self._batches(make_loader(self.data, "train", self.config.eval_batch_size,
                                         workers=self.config.workers, train=False))


def stage2_images(data, config, device):
    """Where an OLTR second stage reads its training images: memory or the split lists' loaders."""
    if isinstance(data, LTDataset):
        return MemoryImages(data, config, device)
    return StreamedImages(data, config, device)


def decoupled_config(stage1, method: str, out=None) -> TrainConfig:
    """The configuration of ``method``'s second stage on the finished cross-entropy run
    ``stage1``: its recipe with ``method`` and the method's defaults (one ValueError /
    FileNotFoundError if it cannot be)."""
    stage1 = Path(stage1)
    if get_method(method).stage2 is None:
        raise ValueError(f"method {method!r} has no second stage; decouple one of "
                         + ", ".join(m for m, s in METHODS.items() if s.stage2))
    if not (stage1 / CHECKPOINT).is_file() or not is_finished(stage1):
        raise FileNotFoundError(f"{stage1} is not a finished run (it needs {CHECKPOINT} and {FEATURES})")
    first = TrainConfig.from_dict(json.loads((stage1 / CONFIG).read_text()))
    if first.method != "ce":
        raise ValueError(f"decoupling starts from a cross-entropy run; {stage1} was trained with "
                         f"method {first.method!r}")
    # the method's own defaults, as recipe() gives them (OLTR's stage-2 lr)
    return dataclasses.replace(first, **get_method(method).defaults, method=method,
                               out=str(out) if out is not None else None)


def decouple(stage1, method: str, out=None, data: LTDataset | None = None, progress: bool = True) -> TrainedRun:
    """Second stage of a decoupling ``method`` (``crt``, ``lws``, ``ncm``, ``tau-norm``,
    ``logit-adjust``, ``oltr``, ``decouple-oltr``) on the backbone of a finished cross-entropy run
    directory ``stage1`` —
    what :func:`~lt_causal.training.trainer.train` does after its own cross-entropy stage, without
    repeating that stage. The new run (``out``) holds the configuration ``train`` would have
    written for ``method``."""
    stage1 = Path(stage1)
    config = decoupled_config(stage1, method, out)
    first = dataclasses.replace(config, method="ce")
    if out is not None:
        check_run_config(out, config, finished=True)
        if is_finished(out):
            return load_run(out)
    data = data if data is not None else dataset_for(config)
    model = first.build_model(data.train_x.shape[1], len(data.classes))   # the CE network, before stage 2
    ckpt = load_checkpoint(stage1 / CHECKPOINT, keys=("model", "history"))
    model.load_state_dict(ckpt["model"])
    model.to(resolve_device(config.device))
    with run_lock(out):   # one writer per run folder
        if out is not None:
            save_json(config.to_dict(), Path(out) / CONFIG)
        return finish_run(model, data, config, list(ckpt["history"]), out, progress)
