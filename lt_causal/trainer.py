"""One trainer for every method: SGD with momentum μ, warm-up + multistep schedule, batched
augmentation on the data's device, the head direction updated every step, an atomic
checkpoint every epoch (a run resumes to the same result) and a run directory. ``fast=True``
swaps in the fused, compiled, CUDA-graph step of :mod:`lt_causal.fast_step`; under ``torchrun``
training is data-parallel (:mod:`lt_causal.distributed`).

Usage (minGPT style: the notebook, not the library, decides how to show progress)::

    config = recipe("mnist-lt", method="deconfound", out="runs/mnist-deconfound")
    run = train(config, callback=lambda info: print(info["epoch"], info["test_acc"]))
    run.evaluate(alpha=1.0)
"""
from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Callable

import pandas as pd
import torch
from tqdm.auto import tqdm

from lt_causal.augment import normalize
from lt_causal.bbn import bilateral_forward, bilateral_loss, cumulative_weight
from lt_causal.checkpoint import load_checkpoint, save_checkpoint, save_json
from lt_causal.config import TrainConfig, drw_start_epoch, lr_at
from lt_causal.datasets import LTDataset, load_dataset
from lt_causal.decoupling import second_stage
from lt_causal.distributed import DistContext, resolve_device, setup  # noqa: F401 (re-exported)
from lt_causal.fast_step import FastStep, TrainNet, apply_crop_flip, check_fast_setup, draw_crop_flip
from lt_causal.losses import build_loss
from lt_causal.methods import METHODS, get_method
from lt_causal.mixup import mixup_batch, sample_lambda
from lt_causal.precision import autocast, memory_format, resolve_precision
from lt_causal.run_lock import run_lock
from lt_causal.model import LTModel, build_model
from lt_causal.runs import FEATURES, TrainedRun, load_run, run_from_model
from lt_causal.samplers import ClassAwareSampler

CHECKPOINT, CONFIG, HISTORY = "checkpoint.pt", "config.json", "history.csv"


def dataset_for(config: TrainConfig) -> LTDataset:
    """Load the data set a configuration names."""
    return load_dataset(config.dataset, imbalance=config.imbalance, profile=config.profile,
                        seed=config.seed, data_root=config.data_root, root=config.folder_root)


def make_model(config: TrainConfig, data: LTDataset) -> LTModel:
    return build_model(config.method, config.arch, data.train_x.shape[1], len(data.classes),
                       mu=config.mu, num_heads=config.num_heads, tau=config.tau, gamma=config.gamma)


@torch.no_grad()
def extract_features(model: LTModel, x_uint8: torch.Tensor, mean, std, batch_size: int = 1024,
                     precision: str = "auto") -> torch.Tensor:
    """Backbone features (float32, on CPU) of uint8 images, in eval mode, at ``precision``
    (:mod:`lt_causal.precision`)."""
    model.eval()
    device = next(model.parameters()).device
    precision = resolve_precision(precision, device)
    layout = memory_format(device, precision)
    model.to(memory_format=layout)   # the weights' layout picks the kernels: same as in training
    out = []
    for i in range(0, len(x_uint8), batch_size):
        xb = normalize(x_uint8[i:i + batch_size].to(device, non_blocking=True), mean, std)
        with autocast(device, precision):
            out.append(model.backbone(xb.contiguous(memory_format=layout)).float().cpu())
    return torch.cat(out)


def evaluate_accuracy(model, test_x, data, config) -> float:
    """Top-1 test accuracy (%) at α = 0 of a model in training."""
    feats = extract_features(model, test_x, data.mean, data.std, config.eval_batch_size, config.precision)
    device = next(model.parameters()).device
    with torch.no_grad():
        pred = model.head(feats.to(device)).argmax(1).cpu()
    return 100.0 * (pred == data.test_y).float().mean().item()


# Fields that never change what a run computes (``alpha`` only picks the reported TDE strength);
# ``fast`` and ``precision`` change the numerics of the remaining epochs, so they matter until a run ends.
RUNTIME_ONLY = {"device", "out", "eval_every", "eval_batch_size", "data_root", "folder_root",
                "compile_mode", "cuda_graph", "checkpoint_every", "alpha"}


def check_run_config(run_dir, config: TrainConfig, finished: bool = False) -> None:
    """A run directory must hold the same recipe as ``config`` (else one ValueError naming the fields)."""
    run_dir = Path(run_dir)
    if not (run_dir / CONFIG).is_file():
        return
    ignore = RUNTIME_ONLY | ({"fast", "precision"} if finished else set())
    saved = TrainConfig.from_dict(json.loads((run_dir / CONFIG).read_text())).to_dict()
    mine = config.to_dict()   # a run folder records the precision that "auto" resolved to
    mine["precision"] = resolve_precision(config.precision, resolve_device(config.device))
    diff = {k: (saved.get(k), v) for k, v in mine.items() if k not in ignore and saved.get(k) != v}
    if diff:
        detail = ", ".join(f"{k}: saved {a!r} vs now {b!r}" for k, (a, b) in diff.items())
        raise ValueError(f"run directory {run_dir} holds a different configuration ({detail}); "
                         "use another --out or delete it")


def _batch(x_train, idx, config, aug_gen, data) -> torch.Tensor:
    """Normalised, augmented images ``x_train[idx]`` (augmentation drawn from ``aug_gen``)."""
    xb = x_train[idx]
    if config.augment:
        aug = draw_crop_flip(len(idx), config.crop_padding, config.flip, aug_gen, xb.device)
        if aug is not None:
            xb = apply_crop_flip(xb, *aug, config.crop_padding)
    return normalize(xb, data.mean, data.std)


def train_or_load(config: TrainConfig, data=None, callback=None, progress: bool = True) -> tuple:
    """(run, status): the finished run in ``config.out`` ("loaded"), else :func:`train` it, resuming
    a checkpoint ("resumed") or from scratch ("trained"). Another recipe there is a ValueError."""
    out = Path(config.out)
    finished = (out / FEATURES).is_file()
    check_run_config(out, config, finished)
    if finished:
        return load_run(out), "loaded"
    status = "resumed" if (out / CHECKPOINT).is_file() else "trained"
    return train(config, data=data, callback=callback, progress=progress), status


def _forward_batch(net, model, loss_fn, xb, yb, config, spec, num_classes, gen, extra=None):
    """(loss, features, number of correct predictions) of one batch under the method's step:
    ``standard``, ``mixup`` (soft targets, accuracy against the dominant label) or ``bbn``
    (``extra`` = the reversed-sampler batch and the cumulative weight l)."""
    layout = memory_format(xb.device, config.precision)
    xb = xb.contiguous(memory_format=layout)
    if spec.step == "bbn":
        xr, yr, l = extra
        xr = xr.contiguous(memory_format=layout)
        with autocast(xb.device, config.precision):
            feats, logits = bilateral_forward(model.backbone, model.head, xb, xr, l)
        pred = logits.detach().argmax(1)
        correct = l * (pred == yb).sum() + (1 - l) * (pred == yr).sum()
        return bilateral_loss(loss_fn, logits, yb, yr, l), feats, correct
    target = yb
    if spec.step == "mixup":
        lam = sample_lambda(config.mixup_alpha, gen)
        perm = torch.randperm(len(yb), generator=gen).to(yb.device)
        xb, target = mixup_batch(xb, yb, num_classes, lam, perm)
        yb = yb if lam >= 0.5 else yb[perm]
    with autocast(xb.device, config.precision):
        feats, logits = net(xb)
    return loss_fn(logits, target), feats, (logits.detach().argmax(1) == yb).sum()


def _optimize(model, opt, loss, feats, n: int, correct, ctx: DistContext, sums) -> None:
    """Backward, torch's SGD, head direction (global batch mean), running loss/accuracy sums."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    direction = model.direction   # = direction.update(feats), with the mean taken over all ranks
    direction.moving_sum.mul_(direction.mu).add_(ctx.mean_(feats.detach().float().mean(0)))
    sums[0] += loss.detach() * n
    sums[1] += correct


def check_method_setup(config: TrainConfig, distributed: bool) -> None:
    """One ValueError for a method the chosen path cannot train."""
    spec = get_method(config.method)
    if spec.step != "standard" and config.fast:
        raise ValueError(f"method {config.method!r} has its own training step ({spec.step}); the fast path "
                         "fuses the standard step only: train it without fast (--fast)")
    if spec.step == "bbn" and distributed:
        raise ValueError("method 'bbn' trains on one device (two forward passes per step); run it without torchrun")


def train(config: TrainConfig, data: LTDataset | None = None,
          callback: Callable[[dict], None] | None = None, progress: bool = True,
          resume: bool = True) -> TrainedRun:
    """Train ``config`` (resuming from ``config.out`` when a checkpoint is there) and return the run.

    Under ``torchrun`` this is data-parallel (see :mod:`lt_causal.distributed`); with
    ``config.fast`` the step is the fused/compiled one of :mod:`lt_causal.fast_step`.
    """
    from lt_causal.distributed import launched_world_size

    check_method_setup(config, launched_world_size() > 1)
    ctx = setup(config.device)
    config = dataclasses.replace(config, precision=resolve_precision(config.precision, ctx.device))
    try:
        with run_lock(config.out if ctx.is_main else None):   # one writer per run folder
            return _train(config, data, callback, progress, resume, ctx)
    finally:
        ctx.close()


def _train(config, data, callback, progress, resume, ctx: DistContext) -> TrainedRun:
    device = ctx.device
    if config.fast:
        check_fast_setup(config, device)
    B = config.batch_size
    ctx.local_batch(B)
    data = data if data is not None else dataset_for(config)
    run_dir = Path(config.out) if config.out else None
    write = run_dir is not None and ctx.is_main

    torch.manual_seed(config.seed)
    model = make_model(config, data).to(device).to(memory_format=memory_format(device, config.precision))
    opt = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                          weight_decay=config.weight_decay)
    spec = get_method(config.method)
    num_classes = len(data.classes)
    loss_fn = build_loss(spec.loss, data.train_counts, device, scale=config.tau,
                         max_margin=config.ldam_max_margin, drw_start_epoch=drw_start_epoch(config))
    reversed_sampler = ClassAwareSampler(data.train_y, num_classes, "reversed") if spec.step == "bbn" else None
    order_gen = torch.Generator().manual_seed(config.seed)
    aug_gen = torch.Generator(device=device).manual_seed(config.seed + 1)
    history: list[dict] = []
    start_epoch = 0

    if run_dir is not None:
        if resume and (run_dir / CHECKPOINT).is_file():
            check_run_config(run_dir, config)
            ckpt = load_checkpoint(run_dir / CHECKPOINT, map_location=device,
                                   keys=("model", "optimizer", "order_rng", "aug_rng", "history", "epoch"))
            model.load_state_dict(ckpt["model"])
            opt.load_state_dict(ckpt["optimizer"])
            order_gen.set_state(ckpt["order_rng"].cpu())   # RNG states are CPU byte tensors, also
            aug_gen.set_state(ckpt["aug_rng"].cpu())       # for a CUDA generator (map_location!)
            history, start_epoch = list(ckpt["history"]), int(ckpt["epoch"])
        elif write:
            save_json(config.to_dict(), run_dir / CONFIG)
        ctx.barrier()

    x_train, y_train, test_x = data.train_x.to(device), data.train_y.to(device), data.test_x.to(device)
    n = len(x_train)
    if config.fast or ctx.enabled:   # fixed batch shape: the ragged last batch is dropped
        steps_per_epoch = n // B
        if steps_per_epoch == 0:
            raise ValueError(f"batch_size {B} is larger than the {n} training images; fast and "
                             "distributed training need at least one full batch")
    else:
        steps_per_epoch = max(1, n // B + (n % B >= 2))
    net = ctx.wrap(TrainNet(model.backbone, model.head))
    fast = FastStep(model, net, opt, loss_fn, x_train, y_train, data.mean, data.std, config, ctx) \
        if config.fast else None
    bar = tqdm(range(start_epoch, config.epochs), desc=f"{config.method} on {config.dataset}",
               unit="epoch", disable=not progress or not ctx.is_main, initial=start_epoch,
               total=config.epochs)
    for epoch in bar:
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=order_gen).to(device)
        if hasattr(loss_fn, "set_epoch"):
            loss_fn.set_epoch(epoch)
        if reversed_sampler is not None:   # BBN: the re-balancing branch's batches and weight l
            rev = reversed_sampler.draw(steps_per_epoch * B, order_gen).to(device)
            l_bbn = cumulative_weight(epoch, config.epochs)
        if fast is not None:
            fast.reset()
            sums = [fast.loss_sum, fast.correct]
        else:
            sums = [torch.zeros((), device=device), torch.zeros((), device=device)]
        seen = 0
        for step in range(steps_per_epoch):
            idx = perm[step * B:(step + 1) * B]
            aug = draw_crop_flip(len(idx), config.crop_padding, config.flip, aug_gen, device) \
                if config.augment else None
            if ctx.enabled:   # this rank's slice of the global batch and of its augmentation draws
                part = ctx.shard(len(idx))
                idx, aug = idx[part], (tuple(t[part] for t in aug) if aug is not None else None)
            lr = lr_at(config, epoch + step / steps_per_epoch)
            seen += len(idx)
            if fast is not None:
                fast(idx, aug, lr)
                continue
            for group in opt.param_groups:
                group["lr"] = lr
            extra = None
            if reversed_sampler is not None:
                ridx = rev[step * B:step * B + len(idx)]
                extra = (_batch(x_train, ridx, config, aug_gen, data), y_train[ridx], l_bbn)
            xb = x_train[idx]
            if aug is not None:
                xb = apply_crop_flip(xb, *aug, config.crop_padding)
            loss, feats, correct = _forward_batch(net, model, loss_fn, normalize(xb, data.mean, data.std),
                                                  y_train[idx], config, spec, num_classes, order_gen, extra)
            _optimize(model, opt, loss, feats, len(idx), correct, ctx, sums)
        if ctx.enabled:
            for t in sums:
                ctx.sum_(t)
            seen *= ctx.world
            ctx.average_batchnorm_(model)
        info = {"epoch": epoch + 1, "lr": lr_at(config, epoch + 1 - 1e-9),
                "loss": sums[0].item() / seen, "train_acc": 100.0 * sums[1].item() / seen,
                "test_acc": None, "seconds": time.perf_counter() - t0}
        if not abs(info["loss"]) < float("inf"):   # NaN or ±inf: stop before it is checkpointed
            raise FloatingPointError(
                f"training diverged: the loss is {info['loss']} in epoch {epoch + 1}; lower the learning rate "
                f"(--lr, now {config.lr:g}) or the weight decay (--weight-decay, now {config.weight_decay:g}) "
                "and train into a new --out")
        last = epoch + 1 == config.epochs
        if (epoch + 1) % config.eval_every == 0 or last:
            info["test_acc"] = evaluate_accuracy(model, test_x, data, config)
        history.append(info)
        bar.set_postfix(loss=f"{info['loss']:.3f}", acc=f"{info['test_acc'] or float('nan'):.1f}")
        if write and ((epoch + 1) % config.checkpoint_every == 0 or last):
            save_checkpoint({"model": model.state_dict(), "optimizer": opt.state_dict(),
                             "order_rng": order_gen.get_state(), "aug_rng": aug_gen.get_state(),
                             "epoch": epoch + 1, "history": history}, run_dir / CHECKPOINT)
            pd.DataFrame(history).to_csv(run_dir / HISTORY, index=False)
        if callback is not None:
            callback(dict(info, model=model))
    bar.close()
    run = finish_run(model, data, config, history, run_dir if write else None, progress and ctx.is_main)
    ctx.barrier()
    return run


def finish_run(model: LTModel, data: LTDataset, config: TrainConfig, history: list, run_dir=None,
               progress: bool = False) -> TrainedRun:
    """The method's second stage, if it has one (decoupling: a new classifier on the frozen
    backbone's training features), then the test features; the run is saved into ``run_dir``."""
    spec = get_method(config.method)
    device = next(model.parameters()).device
    if spec.stage2 is not None:
        train_feats = extract_features(model, data.train_x, data.mean, data.std, config.eval_batch_size, config.precision)
        model.head = second_stage(spec.stage2, model.head, train_feats.to(device), data.train_y.to(device),
                                  data.train_counts, config, progress=progress)
    feats = extract_features(model, data.test_x, data.mean, data.std, config.eval_batch_size, config.precision)
    run = run_from_model(model.cpu(), feats, data, config.to_dict(), pd.DataFrame(history),
                         Path(run_dir) if run_dir is not None else None)
    if run_dir is not None:
        run.save()
        if history and not (Path(run_dir) / HISTORY).is_file():
            pd.DataFrame(history).to_csv(Path(run_dir) / HISTORY, index=False)
    return run


def decouple(stage1, method: str, out=None, data: LTDataset | None = None, progress: bool = True) -> TrainedRun:
    """Second stage of a decoupling ``method`` (``crt``, ``lws``, ``ncm``, ``tau-norm``,
    ``logit-adjust``) on the backbone of a finished cross-entropy run directory ``stage1`` —
    what :func:`train` does after its own cross-entropy stage, without repeating that stage.
    The new run (``out``) holds the configuration ``train`` would have written for ``method``."""
    stage1 = Path(stage1)
    spec = get_method(method)
    if spec.stage2 is None:
        raise ValueError(f"method {method!r} has no second stage; decouple one of "
                         + ", ".join(m for m, s in METHODS.items() if s.stage2))
    if not (stage1 / CHECKPOINT).is_file() or not (stage1 / FEATURES).is_file():
        raise FileNotFoundError(f"{stage1} is not a finished run (it needs {CHECKPOINT} and {FEATURES})")
    first = TrainConfig.from_dict(json.loads((stage1 / CONFIG).read_text()))
    if first.method != "ce":
        raise ValueError(f"decoupling starts from a cross-entropy run; {stage1} was trained with "
                         f"method {first.method!r}")
    config = dataclasses.replace(first, method=method, out=str(out) if out is not None else None)
    if out is not None:
        check_run_config(out, config, finished=True)
        if (Path(out) / FEATURES).is_file():
            return load_run(out)
    data = data if data is not None else dataset_for(config)
    model = make_model(first, data)
    ckpt = load_checkpoint(stage1 / CHECKPOINT, keys=("model", "history"))
    model.load_state_dict(ckpt["model"])
    model.to(resolve_device(config.device))
    with run_lock(out):   # one writer per run folder
        if out is not None:
            save_json(config.to_dict(), Path(out) / CONFIG)
        return finish_run(model, data, config, list(ckpt["history"]), out, progress)
