"""One trainer for every method: SGD with momentum μ, warm-up + multistep schedule, batched
augmentation on the data's device, the head direction updated every step, an atomic
checkpoint every epoch (a run resumes to the same result) and a run directory. The epoch loop
calls a step object (:mod:`lt_causal.training.steps`): the eager step of the method, or with
``fast=True`` the fused, compiled, CUDA-graph step of :mod:`lt_causal.training.fast_step`; under
``torchrun`` training is data-parallel (:mod:`lt_causal.training.distributed`). The batches come
from the data in memory or, for ImageNet-LT / Places-LT, streamed from disk by DataLoaders
(:mod:`lt_causal.training.batches`); a data set with a val split follows the official protocol:
the epoch best on val is the one reported on test (:mod:`lt_causal.training.selection`).

Usage (minGPT style: the notebook, not the library, decides how to show progress)::

    config = recipe("mnist-lt", method="deconfound", out="runs/mnist-deconfound")
    run = train(config, callback=lambda info: print(info["epoch"], info["test_acc"]))
    run.evaluate(1.0)
"""
from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable

import torch
from tqdm.auto import tqdm

from lt_causal.checkpoint import (CHECKPOINT, CONFIG, CheckpointError, is_finished, load_checkpoint, remedy,
                                  save_checkpoint, save_json)
from lt_causal.datasets.registry import LTDataset
from lt_causal.evaluation.runs import TrainedRun, save_history
from lt_causal.evaluation.loading import load_run
from lt_causal.machine import machine_name
from lt_causal.models.ltmodel import extract_features
from lt_causal.precision import resolve_precision
from lt_causal.training.batches import check_streamed_setup, is_streamed, make_batches, sized
from lt_causal.training.config import TrainConfig, check_run_config, dataset_for
from lt_causal.schedule import lr_at
from lt_causal.training.distributed import DistContext, launched_world_size, setup
from lt_causal.training.fast_step import check_fast_setup
from lt_causal.training.run_lock import run_lock
from lt_causal.training.selection import Selection, finish_streamed, val_accuracy
from lt_causal.training.stages import finish_run
from lt_causal.training.build import model_and_optimizer, training_step
from lt_causal.training.steps import check_method_setup

# what checkpoint.pt holds: resuming restores every one of them
CHECKPOINT_KEYS = ("model", "optimizer", "order_rng", "aug_rng", "epoch", "history")


def evaluate_accuracy(model, test_x, data, config) -> float:
    """Top-1 test accuracy (%) at α = 0 of a model in training."""
    feats = extract_features(model, test_x, data.mean, data.std, config.eval_batch_size, config.precision)
    device = next(model.parameters()).device
    with torch.no_grad():
        pred = model.head(feats.to(device)).argmax(1).cpu()
    return 100.0 * (pred == data.test_y).float().mean().item()


def train_or_load(config: TrainConfig, data=None, callback=None, progress: bool = True) -> tuple:
    """(run, status): the finished run in ``config.out`` ("loaded"), else :func:`train` it, resuming
    a checkpoint ("resumed") or from scratch ("trained"). Another recipe there is a ValueError."""
    out = Path(config.out)
    finished = is_finished(out)
    check_run_config(out, config, finished)
    if finished:
        return load_run(out), "loaded"
    status = "resumed" if (out / CHECKPOINT).is_file() else "trained"
    return train(config, data=data, callback=callback, progress=progress), status


def train(config: TrainConfig, data: LTDataset | None = None,
          callback: Callable[[dict], None] | None = None, progress: bool = True,
          resume: bool = True) -> TrainedRun:
    """Train ``config`` (resuming from ``config.out`` when a checkpoint is there) and return the run.

    ``callback`` gets each epoch's record (epoch, lr, loss, train_acc, test_acc, seconds) and
    the model. Under ``torchrun`` this is data-parallel; with ``config.fast`` the step is the
    fused/compiled one.
    """
    check_method_setup(config, launched_world_size() > 1)
    ctx = setup(config.device)
    config = dataclasses.replace(config, precision=resolve_precision(config.precision, ctx.device))
    try:
        with run_lock(config.out if ctx.is_main else None):   # one writer per run folder
            return _train(config, data, callback, progress, resume, ctx)
    finally:
        ctx.close()


@dataclasses.dataclass
class _Session:
    """What one training holds between epochs."""

    config: TrainConfig
    ctx: DistContext
    data: LTDataset
    model: torch.nn.Module
    opt: torch.optim.SGD
    order_gen: torch.Generator      # shuffling, and the draws of methods with their own step
    aug_gen: torch.Generator        # crop/flip draws, on the data's device
    run_dir: Path | None            # where this process writes (None: nowhere)
    history: list
    start_epoch: int = 0
    step: object = None
    batches: object = None          # lt_causal.training.batches: in memory or streamed
    selection: Selection | None = None   # the epoch best on val (data sets with a val split)
    machine: str = ""               # what each epoch's history row records it ran on (lt_causal.machine)


def _start(config: TrainConfig, data, resume: bool, ctx: DistContext) -> _Session:
    """Model, optimizer, generators and step, resumed from the run folder's checkpoint if any."""
    device = ctx.device
    data = data if data is not None else dataset_for(config)
    streamed = is_streamed(data)
    if streamed:
        check_streamed_setup(config)
        data = sized(data, config.image_size)
    if config.fast:
        check_fast_setup(config, device)
    ctx.local_batch(config.batch_size)
    torch.manual_seed(config.seed)
    channels = len(data.mean) if streamed else data.train_x.shape[1]
    model, opt = model_and_optimizer(config, channels, len(data.classes), device)
    run_dir = Path(config.out) if config.out and ctx.is_main else None
    s = _Session(config, ctx, data, model, opt, torch.Generator().manual_seed(config.seed),
                 torch.Generator(device=device).manual_seed(config.seed + 1), run_dir, [], machine=machine_name(device))
    if config.out:
        _resume_or_begin(s, Path(config.out), resume)
    x, y = (None, data.labels("train")) if streamed else (data.train_x, data.train_y)
    s.step = training_step(config, model, opt, data.train_counts, x if x is None else x.to(device), y.to(device),
                           data, ctx, s.order_gen, s.aug_gen)
    s.batches = make_batches(data, config, ctx, s.step, s.order_gen)
    if streamed:
        s.selection = Selection.resume(config.out if resume and s.start_epoch else None)
    return s


def _resume_or_begin(s: _Session, out: Path, resume: bool) -> None:
    """Restore the checkpoint in ``out`` (same recipe only), or write the new run's config.json."""
    if resume and (out / CHECKPOINT).is_file():
        check_run_config(out, s.config)
        ckpt = load_checkpoint(out / CHECKPOINT, map_location=s.ctx.device, keys=CHECKPOINT_KEYS)
        _restore(s, ckpt, out / CHECKPOINT)
    elif s.run_dir is not None:
        save_json(s.config.to_dict(), s.run_dir / CONFIG)
    s.ctx.barrier()


def _restore(s: _Session, ckpt: dict, path: Path) -> None:
    """Model, optimiser, generators and history from checkpoint ``ckpt`` (file ``path``), each checked
    first: one CheckpointError naming the file and the entry that does not fit this recipe."""
    epoch, history = ckpt["epoch"], ckpt["history"]
    if isinstance(epoch, bool) or not isinstance(epoch, int) or not 0 <= epoch <= s.config.epochs:
        raise CheckpointError(f"{path}: epoch {epoch!r} is not within the schedule of {s.config.epochs} epochs; "
                              f"{remedy(path)}")
    if not isinstance(history, list) or len(history) != epoch:
        n = len(history) if isinstance(history, list) else type(history).__name__
        raise CheckpointError(f"{path}: history has {n} rows for {epoch} epochs; {remedy(path)}")
    for key, target in (("model", s.model), ("optimizer", s.opt)):
        try:
            target.load_state_dict(ckpt[key])
        except (RuntimeError, ValueError, KeyError, TypeError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CheckpointError(f"{path}: {key} does not fit this recipe's {key} ({first}); {remedy(path)}") from None
    for key, gen in (("order_rng", s.order_gen), ("aug_rng", s.aug_gen)):
        try:
            gen.set_state(ckpt[key].cpu())   # RNG states are CPU byte tensors, also for a CUDA generator
        except (RuntimeError, TypeError, AttributeError):
            raise CheckpointError(f"{path}: {key} is not a state of a torch random generator; {remedy(path)}") from None
    s.history, s.start_epoch = list(history), epoch


def _save(s: _Session, epoch: int) -> None:
    """checkpoint.pt and history.csv after ``epoch`` epochs."""
    save_checkpoint({"model": s.model.state_dict(), "optimizer": s.opt.state_dict(),
                     "order_rng": s.order_gen.get_state(), "aug_rng": s.aug_gen.get_state(),
                     "epoch": epoch, "history": s.history}, s.run_dir / CHECKPOINT)
    save_history(s.history, s.run_dir)


def _epoch(s: _Session, epoch: int) -> dict:
    """One pass over the shuffled training set; the epoch's record (without test accuracy)."""
    config, ctx, step = s.config, s.ctx, s.step
    s.model.train()
    t0 = time.perf_counter()
    batches = s.batches.epoch(epoch)   # an in-memory permutation is drawn before the step's epoch start
    step.start_epoch(epoch)
    seen = 0
    for i, (batch, aug, n) in enumerate(batches):   # this rank's part of each global batch
        step(batch, aug, lr_at(config, epoch + i / step.steps))
        seen += n
    sums = [step.loss_sum, step.correct]
    if ctx.enabled:
        for t in sums:
            ctx.sum_(t)
        seen *= ctx.world
        ctx.average_batchnorm_(s.model)
    info = {"epoch": epoch + 1, "lr": lr_at(config, epoch + 1 - 1e-9), "loss": sums[0].item() / seen,
            "train_acc": 100.0 * sums[1].item() / seen, "test_acc": None, "seconds": time.perf_counter() - t0,
            "machine": s.machine}
    if not abs(info["loss"]) < float("inf"):   # NaN or ±inf: stop before it is checkpointed
        raise FloatingPointError(
            f"training diverged: the loss is {info['loss']} in epoch {epoch + 1}; lower the learning rate "
            f"(--lr, now {config.lr:g}) or the weight decay (--weight-decay, now {config.weight_decay:g}) "
            "and train into a new --out")
    return info


def _evaluate(s: _Session, info: dict, test_x) -> None:
    """The epoch's held-out accuracy: test (in memory), or val with the best epoch kept (streamed)."""
    if s.selection is None:
        info["test_acc"] = evaluate_accuracy(s.model, test_x, s.data, s.config)
        return
    info["val_acc"] = val_accuracy(s.model, s.data, s.config, s.ctx)
    s.selection.update(s.model, info["epoch"], info["val_acc"], s.run_dir)


def _finish(s: _Session, progress: bool) -> TrainedRun:
    if s.selection is None:
        return finish_run(s.model, s.data, s.config, s.history, s.run_dir, progress)
    return finish_streamed(s.model, s.data, s.config, s.history, s.run_dir, s.selection, progress)


def _train(config, data, callback, progress, resume, ctx: DistContext) -> TrainedRun:
    s = _start(config, data, resume, ctx)
    test_x = None if s.selection is not None else s.data.test_x.to(ctx.device)
    bar = tqdm(range(s.start_epoch, config.epochs), desc=f"{config.method} on {config.dataset}",
               unit="epoch", disable=not progress or not ctx.is_main, initial=s.start_epoch,
               total=config.epochs)
    for epoch in bar:
        info = _epoch(s, epoch)
        last = epoch + 1 == config.epochs
        if (epoch + 1) % config.eval_every == 0 or last:
            _evaluate(s, info, test_x)
        s.history.append(info)
        acc = info.get("val_acc", info["test_acc"])
        bar.set_postfix(loss=f"{info['loss']:.3f}", acc=f"{acc if acc is not None else float('nan'):.1f}")
        if s.run_dir is not None and ((epoch + 1) % config.checkpoint_every == 0 or last):
            _save(s, epoch + 1)
        if callback is not None:
            callback(dict(info, model=s.model))
    bar.close()
    run = _finish(s, progress and ctx.is_main)
    ctx.barrier()
    return run
