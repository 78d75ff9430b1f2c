"""Which device will train the model and what the paper's recipe costs on it, said in a few
sentences (notebook 05, first cells).

    info = describe_device()              # e.g. DeviceInfo(cuda:0: NVIDIA H100 80GB HBM3, 79.1 GiB, bf16)
    info.message                          # what that means for the paper's 200-epoch CIFAR recipe
    cost = measure_epoch_seconds(config)  # seconds per epoch here, measured on a few real steps

Nothing here prints; the notebook shows ``info`` (it renders as Markdown).
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from types import SimpleNamespace

import torch

from lt_causal.datasets.registry import SPLIT_LIST_DATASETS, dataset_info
from lt_causal.evaluation.packs import pack_name
from lt_causal.language import text
from lt_causal.machine import cpu_name, machine_name
from lt_causal.precision import resolve_precision
from lt_causal.training.distributed import DistContext, resolve_device
from lt_causal.training.build import model_and_optimizer, training_step

@dataclass(frozen=True)
class DeviceInfo:
    """The device ``train`` will use for ``TrainConfig.device`` and what it can do."""

    device: str                   # "cuda:0" or "cpu"
    kind: str                     # "cuda" | "cpu"
    name: str                     # GPU model, or the CPU model and its cores
    memory_gib: float | None      # total GPU memory
    gpu_count: int                # CUDA devices visible to this process
    bf16: bool                    # the device computes bf16 natively (precision "auto" uses it)
    torch_version: str
    message: str

    @property
    def has_gpu(self) -> bool:
        return self.kind == "cuda"

    @property
    def precision(self) -> str:
        """What ``precision="auto"`` trains in here."""
        return "bf16" if self.bf16 else "fp32"

    def __repr__(self) -> str:
        extra = ", bf16" if self.bf16 else ""
        if not self.has_gpu:
            return f"DeviceInfo(cpu: {self.name}, torch {self.torch_version}, no CUDA GPU{extra})"
        return f"DeviceInfo({self.device}: {self.name}, {self.memory_gib:.1f} GiB{extra})"

    def _repr_markdown_(self) -> str:
        icon = "✓" if self.has_gpu else "⚠"          # text glyphs: every font has them, no emoji font needed
        return f"{icon} **{self.name}** (`{self.device}`, torch {self.torch_version}) — {self.message}"


def describe_device(device: str = "auto") -> DeviceInfo:
    """Resolve ``device`` as the trainer does (``auto`` → CUDA when present) and describe it;
    an unknown or unavailable device raises one ValueError."""
    dev = resolve_device(device)
    version = torch.__version__.split("+")[0]
    bf16 = resolve_precision("auto", dev) == "bf16"
    if dev.type != "cuda":
        cpu = cpu_name()
        message = text("device_cpu", cpu=cpu, precision=text("device_bf16_native") if bf16 else "fp32", pack=pack_name())
        return DeviceInfo(str(dev), dev.type, cpu, None, 0, bf16, version, message)
    index = dev.index if dev.index is not None else torch.cuda.current_device()
    props = torch.cuda.get_device_properties(index)
    memory = props.total_memory / 2**30
    message = text("device_gpu", name=torch.cuda.get_device_name(index), memory=memory,
                   precision="bf16 autocast" if bf16 else "fp32")
    return DeviceInfo(f"cuda:{index}", "cuda", torch.cuda.get_device_name(index), memory,
                      torch.cuda.device_count(), bf16, version, message)


@dataclass(frozen=True)
class TrainingCost:
    """What training a configuration costs on this machine, measured (renders as Markdown)."""

    seconds_per_step: float
    seconds_per_epoch: float
    epochs: int
    train_images: int
    precision: str
    device: str
    machine: str

    @property
    def hours_for_recipe(self) -> float:
        return self.seconds_per_epoch * self.epochs / 3600

    def _repr_markdown_(self) -> str:
        return text("measured_epoch", machine=self.machine, device=self.device, precision=self.precision,
                    seconds=self.seconds_per_epoch, images=self.train_images, hours=self.hours_for_recipe,
                    epochs=self.epochs)


def recipe_images(config) -> int:
    """Training images per epoch of ``config``'s data set at its imbalance, known without loading
    it (an image folder or a split list counts as CIFAR-10-LT at that imbalance)."""
    known = "cifar10-lt" if config.dataset in ("folder", *SPLIT_LIST_DATASETS) else config.dataset
    return sum(dataset_info(known, config.imbalance or 100, config.profile).train_counts)


def measure_epoch_seconds(config, train_images: int | None = None, steps: int = 3) -> TrainingCost:
    """Seconds per epoch of ``config`` on this machine, measured: ``steps`` real training steps
    (after one warm-up step) of its model and training step at its batch size and precision, on
    random images of the data set's shape, scaled to ``train_images`` (default: the training images
    of the configuration's data set and imbalance; CIFAR-10-LT's for an image folder)."""
    device = resolve_device(config.device)
    config = dataclasses.replace(config, precision=resolve_precision(config.precision, device), fast=False)
    channels, size = (1, 28) if config.arch == "small-cnn" else (3, 32)
    classes = 100 if config.dataset == "cifar100-lt" else 10
    n, B = train_images or recipe_images(config), config.batch_size
    model, opt = model_and_optimizer(config, channels, classes, device)
    x = torch.randint(0, 256, (B, channels, size, size), dtype=torch.uint8, device=device)
    y = torch.randint(0, classes, (B,), device=device)
    data = SimpleNamespace(classes=list(range(classes)), mean=(0.5,) * channels, std=(0.25,) * channels)
    step = training_step(config, model, opt, [B] * classes, x, y, data, DistContext(device=device))
    idx = torch.arange(B, device=device)
    times = []
    for _ in range(steps + 1):
        t0 = time.perf_counter()
        step(idx, None, config.lr)
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    per_step = sum(times[1:]) / steps
    return TrainingCost(per_step, per_step * n / B, config.epochs, n, config.precision, str(device),
                        machine_name(device))
