"""One trainer for every method: SGD with momentum μ, warm-up + multistep schedule, batched
augmentation on the data's device, the head direction updated every step, an atomic
checkpoint every epoch (a run resumes to the same result) and a run directory.

Usage (minGPT style: the notebook, not the library, decides how to show progress)::

    config = recipe("mnist-lt", method="deconfound", out="runs/mnist-deconfound")
    run = train(config, callback=lambda info: print(info["epoch"], info["test_acc"]))
    run.evaluate(alpha=1.0)
"""
from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Callable

import pandas as pd
import torch
from tqdm.auto import tqdm

from lt_causal.augment import augment_batch, normalize
from lt_causal.checkpoint import load_checkpoint, save_checkpoint, save_json
from lt_causal.config import TrainConfig, lr_at
from lt_causal.datasets import LTDataset, load_dataset
from lt_causal.losses import build_loss
from lt_causal.methods import get_method
from lt_causal.model import LTModel, build_model
from lt_causal.runs import TrainedRun, run_from_model

CHECKPOINT, CONFIG, HISTORY = "checkpoint.pt", "config.json", "history.csv"


def resolve_device(device: str = "auto") -> torch.device:
    """``auto`` → CUDA when available, else CPU; an unavailable CUDA request is a clear error."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise ValueError(f"unknown device {device!r}; use auto, cpu, cuda or cuda:N") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} requested but CUDA is not available on this machine")
    return dev


def dataset_for(config: TrainConfig) -> LTDataset:
    """Load the data set a configuration names."""
    return load_dataset(config.dataset, imbalance=config.imbalance, profile=config.profile,
                        seed=config.seed, data_root=config.data_root, root=config.folder_root)


def make_model(config: TrainConfig, data: LTDataset) -> LTModel:
    return build_model(config.method, config.arch, data.train_x.shape[1], len(data.classes),
                       mu=config.mu, num_heads=config.num_heads, tau=config.tau, gamma=config.gamma)


@torch.no_grad()
def extract_features(model: LTModel, x_uint8: torch.Tensor, mean, std, batch_size: int = 1024,
                     bf16: bool = True) -> torch.Tensor:
    """Backbone features (float32, on CPU) of uint8 images, in eval mode."""
    model.eval()
    device = next(model.parameters()).device
    out = []
    for i in range(0, len(x_uint8), batch_size):
        xb = normalize(x_uint8[i:i + batch_size].to(device, non_blocking=True), mean, std)
        with _autocast(device, bf16):
            out.append(model.backbone(xb).float().cpu())
    return torch.cat(out)


def _autocast(device: torch.device, bf16: bool):
    if device.type == "cuda" and bf16:
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _test_accuracy(model, data, config) -> float:
    feats = extract_features(model, data.test_x, data.mean, data.std, config.eval_batch_size, config.bf16)
    device = next(model.parameters()).device
    with torch.no_grad():
        pred = model.head(feats.to(device)).argmax(1).cpu()
    return 100.0 * (pred == data.test_y).float().mean().item()


def _check_resume(run_dir: Path, config: TrainConfig) -> None:
    saved = json.loads((run_dir / CONFIG).read_text())
    mine = config.to_dict()
    ignore = {"device", "out", "eval_every", "eval_batch_size", "data_root", "folder_root"}
    diff = {k: (saved.get(k), v) for k, v in mine.items() if k not in ignore and saved.get(k) != v}
    if diff:
        detail = ", ".join(f"{k}: saved {a!r} vs now {b!r}" for k, (a, b) in diff.items())
        raise ValueError(f"run directory {run_dir} holds a different configuration ({detail}); "
                         "use another --out or delete it")


def train(config: TrainConfig, data: LTDataset | None = None,
          callback: Callable[[dict], None] | None = None, progress: bool = True,
          resume: bool = True) -> TrainedRun:
    """Train ``config`` (resuming from ``config.out`` when a checkpoint is there) and return the run."""
    get_method(config.method)
    device = resolve_device(config.device)
    data = data if data is not None else dataset_for(config)
    run_dir = Path(config.out) if config.out else None

    torch.manual_seed(config.seed)
    model = make_model(config, data).to(device)
    if device.type == "cuda":
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                          weight_decay=config.weight_decay)
    loss_fn = build_loss(get_method(config.method).loss, data.train_counts, device)
    order_gen = torch.Generator().manual_seed(config.seed)
    aug_gen = torch.Generator(device=device).manual_seed(config.seed + 1)
    history: list[dict] = []
    start_epoch = 0

    if run_dir is not None:
        if resume and (run_dir / CHECKPOINT).is_file():
            _check_resume(run_dir, config)
            ckpt = load_checkpoint(run_dir / CHECKPOINT, map_location=device)
            model.load_state_dict(ckpt["model"])
            opt.load_state_dict(ckpt["optimizer"])
            order_gen.set_state(ckpt["order_rng"])
            aug_gen.set_state(ckpt["aug_rng"])
            history, start_epoch = list(ckpt["history"]), int(ckpt["epoch"])
        else:
            save_json(config.to_dict(), run_dir / CONFIG)

    x_train = data.train_x.to(device)
    y_train = data.train_y.to(device)
    n = len(x_train)
    steps_per_epoch = max(1, n // config.batch_size + (n % config.batch_size >= 2))
    bar = tqdm(range(start_epoch, config.epochs), desc=f"{config.method} on {config.dataset}",
               unit="epoch", disable=not progress, initial=start_epoch, total=config.epochs)
    for epoch in bar:
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=order_gen).to(device)
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device)
        seen = 0
        for step in range(steps_per_epoch):
            idx = perm[step * config.batch_size:(step + 1) * config.batch_size]
            for group in opt.param_groups:
                group["lr"] = lr_at(config, epoch + step / steps_per_epoch)
            xb = x_train[idx]
            if config.augment:
                xb = augment_batch(xb, data.mean, data.std, crop_padding=config.crop_padding,
                                   flip=config.flip, generator=aug_gen)
            else:
                xb = normalize(xb, data.mean, data.std)
            if device.type == "cuda":
                xb = xb.contiguous(memory_format=torch.channels_last)
            yb = y_train[idx]
            with _autocast(device, config.bf16):
                feats = model.backbone(xb)
                logits = model.head(feats)
            loss = loss_fn(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            model.direction.update(feats)
            loss_sum += loss.detach() * len(idx)
            correct += (logits.detach().argmax(1) == yb).sum()
            seen += len(idx)
        info = {"epoch": epoch + 1, "lr": lr_at(config, epoch + 1 - 1e-9),
                "loss": loss_sum.item() / seen, "train_acc": 100.0 * correct.item() / seen,
                "test_acc": None, "seconds": time.perf_counter() - t0}
        if (epoch + 1) % config.eval_every == 0 or epoch + 1 == config.epochs:
            info["test_acc"] = _test_accuracy(model, data, config)
        history.append(info)
        bar.set_postfix(loss=f"{info['loss']:.3f}", acc=f"{info['test_acc'] or float('nan'):.1f}")
        if run_dir is not None:
            save_checkpoint({"model": model.state_dict(), "optimizer": opt.state_dict(),
                             "order_rng": order_gen.get_state(), "aug_rng": aug_gen.get_state(),
                             "epoch": epoch + 1, "history": history}, run_dir / CHECKPOINT)
            pd.DataFrame(history).to_csv(run_dir / HISTORY, index=False)
        if callback is not None:
            callback(dict(info, model=model))
    bar.close()

    feats = extract_features(model, data.test_x, data.mean, data.std, config.eval_batch_size, config.bf16)
    run = run_from_model(model.cpu(), feats, data, config.to_dict(), pd.DataFrame(history), run_dir)
    if run_dir is not None:
        run.save()
    return run
