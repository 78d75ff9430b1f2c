"""ImageNet-LT at the paper's scale (notebook 08): what changes against CIFAR-10-LT, a run to train
(on the user's ImageNet-LT, else on a miniature tree), and what training costs, from measured
numbers only.

    scale_comparison()                           # CIFAR-10-LT vs ImageNet-LT, side by side
    config = scale_config()                      # the miniature tree (made once), tiny recipe
    tp = measure_throughput("resnext50", 224)    # training images/s here, measured
    cost_table([tp])                             # epoch time; GPU rows say "not measured yet"

The ImageNet-LT column uses the split files when given (``scale_comparison(data)``), else the
published facts of the split (``IMAGENET_LT``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import torch

from lt_causal.datasets.image_pipeline import IMAGE_SIZE, IMAGENET_MEAN, IMAGENET_STD
from lt_causal.datasets.miniature import make_miniature_tree
from lt_causal.datasets.profiles import SHOT_GROUPS, shot_groups
from lt_causal.datasets.registry import dataset_info
from lt_causal.datasets.split_list import SPLIT_LISTS, split_file
from lt_causal.language import text
from lt_causal.machine import machine_name
from lt_causal.precision import resolve_precision
from lt_causal.settings import default_data_root
from lt_causal.training.config import TrainConfig, recipe
from lt_causal.training.distributed import DistContext, resolve_device
from lt_causal.training.build import model_and_optimizer, training_step

# The published ImageNet-LT split (Liu et al. 2019): images per split, per class, classes per shot group.
IMAGENET_LT = {"classes": 1000, "train": 115_846, "val": 20_000, "test": 50_000, "n_max": 1280, "n_min": 5,
               "many": 385, "medium": 479, "few": 136}
GPU_COUNTS = (1, 8, 16)          # the cost table's rows: one GPU, one 8-GPU machine, two machines
NOT_MEASURED = "not measured yet"


def _split_facts(data) -> dict:
    """The IMAGENET_LT keys for a loaded split-list data set."""
    groups = shot_groups(data.train_counts)
    return {"classes": data.num_classes, "train": len(data.train), "val": len(data.val), "test": len(data.test),
            "n_max": max(data.train_counts), "n_min": min(data.train_counts),
            **{g: groups.count(g) for g in SHOT_GROUPS}}


def scale_comparison(data=None) -> pd.DataFrame:
    """CIFAR-10-LT (r = 100) against ImageNet-LT: data, shot groups, recipe and protocol. ``data``: a
    loaded ImageNet-LT (its split files), else the published facts."""
    cifar_info = dataset_info("cifar10-lt", 100)
    groups = shot_groups(cifar_info.train_counts)
    cifar = {"classes": len(cifar_info.classes), "train": sum(cifar_info.train_counts),
             "val": 0, "test": sum(cifar_info.test_counts), "n_max": max(cifar_info.train_counts),
             "n_min": min(cifar_info.train_counts), **{g: groups.count(g) for g in SHOT_GROUPS}}
    imagenet = _split_facts(data) if data is not None else IMAGENET_LT
    columns = {"CIFAR-10-LT (r = 100)": (cifar, recipe("cifar10-lt", quick=False), "last epoch (no val split)"),
               "ImageNet-LT": (imagenet, recipe("imagenet-lt", quick=False), "best epoch on val, reported on test")}
    table = {}
    for name, (facts, config, selected) in columns.items():
        table[name] = {
            "classes": f"{facts['classes']:,}",
            "train / val / test images": f"{facts['train']:,} / {facts['val']:,} / {facts['test']:,}",
            "train images per class (head … tail)": f"{facts['n_max']:,} … {facts['n_min']:,}",
            "classes many / medium / few": " / ".join(str(facts[g]) for g in SHOT_GROUPS),
            "images": "in memory, 32 × 32" if config.dataset == "cifar10-lt" else
            f"on disk, decoded by DataLoader workers, {IMAGE_SIZE} × {IMAGE_SIZE}",
            "backbone": config.arch,
            "batch, lr, schedule": f"{config.batch_size}, {config.lr:g}, {_schedule(config)}",
            "epochs": config.epochs,
            "α (TDE)": f"{config.alpha:g}",
            "reported epoch": selected,
        }
    return pd.DataFrame(table)


def _schedule(config: TrainConfig) -> str:
    warm = f"{config.warmup_epochs:g}-epoch warm-up, " if config.warmup_epochs else ""
    if config.schedule == "cosine":
        return f"{warm}cosine to 0"
    steps = ", ".join(f"{round(m * config.epochs)}" for m in config.milestones)
    return f"{warm}× {config.lr_decay:g} at epochs {steps}"


def miniature_root(data_root=None) -> Path:
    """The miniature ImageNet-LT tree of notebook 08 under the data folder, made on first use."""
    root = Path(data_root) if data_root is not None else default_data_root()
    root = root / "miniature-imagenet-lt"
    prefix = SPLIT_LISTS["imagenet-lt"][0]
    if not (root / f"{prefix}_test.txt").is_file():
        make_miniature_tree(root, "imagenet-lt")
    return root


def scale_config(root=None, splits=None, prefix: str = "nb08", **overrides) -> TrainConfig:
    """The run notebook 08 trains: the official ImageNet-LT recipe on the images under ``root``
    (split files in ``splits``, default ``root``), or without ``root`` the tiny recipe on the
    miniature tree (``miniature_root``). ``overrides`` set any field (e.g. ``epochs``)."""
    if root is None:
        config = recipe("imagenet-lt", quick=True, folder_root=str(miniature_root()), **overrides)
        return config.named(prefix, quick=True)
    split_file("imagenet-lt", splits if splits is not None else root, "train")   # one clear error early
    config = recipe("imagenet-lt", folder_root=str(root), splits=str(splits) if splits else None, **overrides)
    return config.named(prefix)


@dataclass(frozen=True)
class Throughput:
    """Training images per second of one configuration on one device, measured."""

    arch: str
    image_size: int
    batch_size: int
    precision: str
    device: str
    machine: str
    images_per_second: float
    devices: int = 1
    compiled: bool = False

    def _repr_markdown_(self) -> str:
        return text("measured_throughput", machine=self.machine, device=self.device, precision=self.precision,
                    arch=self.arch, rate=self.images_per_second, size=self.image_size, batch=self.batch_size)


def measure_throughput(arch: str = "resnext50", image_size: int = IMAGE_SIZE, batch_size: int = 16,
                       steps: int = 2, precision: str = "auto", device: str = "auto",
                       classes: int = IMAGENET_LT["classes"], compile_mode: str = "none") -> Throughput:
    """Training images/s of ``arch`` here: ``steps`` real steps of the streamed training step
    (after one warm-up step, which also compiles) on random uint8 images, as the loader hands them
    over; ``compile_mode`` other than "none" measures the compiled network (``train --fast``)."""
    dev = resolve_device(device)
    config = recipe("imagenet-lt", quick=False, arch=arch, batch_size=batch_size, device=str(dev),
                    precision=resolve_precision(precision, dev), fast=compile_mode != "none",
                    compile_mode=compile_mode)
    model, opt = model_and_optimizer(config, 3, classes, dev)
    x = torch.randint(0, 256, (batch_size, 3, image_size, image_size), dtype=torch.uint8, device=dev)
    y = torch.randint(0, classes, (batch_size,), device=dev)
    data = SimpleNamespace(classes=list(range(classes)), mean=IMAGENET_MEAN, std=IMAGENET_STD)
    step = training_step(config, model, opt, [batch_size] * classes, None, y, data, DistContext(device=dev))
    times = []
    for _ in range(steps + 1):
        t0 = time.perf_counter()
        step((x, y), None, config.lr)
        if dev.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    seconds = sum(times[1:]) / steps
    return Throughput(arch, image_size, batch_size, config.precision, str(dev), machine_name(dev),
                      batch_size / seconds, compiled=config.fast)


def cost_table(measured=(), gpu_counts=GPU_COUNTS, train_images: int = IMAGENET_LT["train"],
               epochs: int | None = None) -> pd.DataFrame:
    """Epoch and recipe time (``epochs`` epochs) of ImageNet-LT training from measured throughputs only: one row per
    measurement, and one per GPU count with no CUDA measurement of that count ("not measured yet")."""
    epochs = epochs or recipe("imagenet-lt", quick=False).epochs
    rows = []
    for t in measured:
        seconds = train_images / t.images_per_second
        rows.append({"where": f"{t.machine} ({t.device})", "devices": t.devices, "arch": t.arch,
                     "image size": t.image_size, "precision": t.precision + (", compiled" if t.compiled else ""),
                     "images/s": round(t.images_per_second, 1), "epoch": _duration(seconds), "epochs": epochs,
                     "recipe time": _duration(seconds * epochs), "source": "measured"})
    cuda = {t.devices for t in measured if t.device.startswith("cuda")}
    for g in gpu_counts:
        if g not in cuda:
            rows.append({"where": f"{g} × GPU", "devices": g, "images/s": NOT_MEASURED, "epoch": NOT_MEASURED,
                         "epochs": epochs, "recipe time": NOT_MEASURED, "source": NOT_MEASURED})
    return pd.DataFrame(rows, dtype=object).fillna("").set_index("where")


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h" if seconds < 3 * 86400 else f"{seconds / 86400:.1f} days"

