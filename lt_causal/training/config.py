"""Training configuration: one dataclass with the paper's CIFAR recipe as defaults
(docs/method.md §5), each field with its meaning (:func:`field_help`, which the command line's
options are generated from), :func:`recipe` giving the defaults for each data set (quick mode
included; ImageNet-LT and Places-LT get the official ResNeXt-50 recipe) and the run folder a
configuration is written to (:func:`run_name`, :func:`check_run_config`); the learning rate at any
epoch is :func:`lt_causal.schedule.lr_at`.

Every default lives here: callers override only what they mean to change, and the layers below
(heads, TDE, the head direction) take these values as required arguments.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import numbers
from dataclasses import dataclass
from pathlib import Path

from lt_causal.checkpoint import CONFIG
from lt_causal.datasets.profiles import check_imbalance
from lt_causal.datasets.registry import SPLIT_LIST_DATASETS, LTDataset, load_dataset
from lt_causal.methods.registry import build_model, get_method
from lt_causal.models.tde import check_mu
from lt_causal.precision import PRECISIONS, resolve_precision
from lt_causal.settings import default_runs_dir, is_quick
from lt_causal.training.distributed import resolve_device

# Annotations (strings: postponed evaluation) of the fields that hold numbers.
_NUMERIC = ("float", "int", "float | None", "int | None")
COMPILE_MODES = ("none", "default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")
SCHEDULES = ("multistep", "cosine")


def _f(default, help: str):
    """A field of :class:`TrainConfig` with its meaning (``metadata["help"]``: what ``--help`` of the
    command line shows, :func:`field_help`)."""
    return dataclasses.field(default=default, metadata={"help": help})


def field_help(name: str) -> str:
    """What TrainConfig field ``name`` means, as written beside it."""
    return {f.name: f.metadata["help"] for f in dataclasses.fields(TrainConfig)}[name]


@dataclass
class TrainConfig:
    # data
    dataset: str = _f("cifar10-lt", "the long-tailed data set (lt_causal.datasets.registry.DATASETS)")
    imbalance: float = _f(100.0, "n_max / n_min")
    profile: str = _f("exp", "long-tail profile of the class sizes (lt_causal.datasets.profiles.PROFILES)")
    data_root: str | None = _f(None, "cache folder for downloads (None: data/ or $LT_CAUSAL_DATA_ROOT)")
    folder_root: str | None = _f(None, "image tree for dataset='folder', image root for imagenet-lt / places-lt")
    splits: str | None = _f(None, "imagenet-lt / places-lt: folder of the split files (*_train.txt, ...)")
    image_size: int | None = _f(None, "imagenet-lt / places-lt: crop side (None: the data set's, 224)")
    workers: int = _f(8, "imagenet-lt / places-lt: DataLoader decoding processes per rank")
    # method and model
    method: str = _f("deconfound", "training method (lt_causal.methods.registry.METHODS)")
    arch: str = _f("resnet32", "backbone (lt_causal.models.backbones.ARCHS; resnet32: the BBN ResNet-32, 128-d features)")
    num_heads: int = _f(2, "K of the causal-norm head")
    tau: float = _f(16.0, "τ: logit scale")
    gamma: float = _f(1 / 32, "γ: weight-norm damping")
    alpha: float = _f(1.0, "TDE strength reported next to α = 0")
    # method-specific (lt_causal.methods.registry): used only by the methods named
    mixup_alpha: float = _f(1.0, "mixup: λ ~ Beta(a, a)")
    ldam_max_margin: float = _f(0.5, "ldam-drw: largest margin (of the rarest class), in cosine units")
    drw_start: float | None = _f(None, "ldam-drw: fraction of the epochs from which the loss is re-weighted (None: the first lr milestone)")
    retrain_epochs: int = _f(10, "crt, lws: epochs of the second (classifier) stage")
    retrain_lr: float = _f(0.2, "crt, lws: initial lr of the second stage (cosine decay)")
    posthoc_tau: float = _f(1.0, "tau-norm, logit-adjust: τ of the post-hoc correction")
    # optimisation (Tang et al. / BBN CIFAR recipe)
    epochs: int = _f(200, "training epochs")
    batch_size: int = _f(256, "images per SGD step (over all GPUs)")
    lr: float = _f(0.2, "peak learning rate (after the warm-up)")
    momentum: float = _f(0.9, "SGD momentum μ, also the head-direction decay")
    direction_mu: float | None = _f(None, "decay of the head-direction moving sum, decoupled from μ (None: = momentum)")
    weight_decay: float = _f(5e-4, "SGD weight decay")
    warmup_epochs: float = _f(5.0, "linear warm-up from lr/3")
    schedule: str = _f("multistep", "lr decay after the warm-up: multistep (lr *= lr_decay at the milestones) or cosine (to 0 at the end)")
    milestones: tuple = _f((0.6, 0.8), "fractions of `epochs` where lr *= lr_decay (120, 160 of 200)")
    lr_decay: float = _f(0.01, "factor the lr is multiplied by at each milestone")
    # augmentation
    augment: bool = _f(True, "random crop and flip while training")
    crop_padding: int = _f(4, "zero padding (pixels) before the random crop")
    flip: bool = _f(True, "random horizontal flip")
    # bookkeeping
    seed: int = _f(0, "seed of the long-tailed subset, the initialisation and the batch order")
    device: str = _f("auto", "auto, cpu, cuda or cuda:N")
    precision: str = _f("auto", "auto: bf16 autocast + channels_last where the GPU or CPU has native bf16, else fp32 (lt_causal.precision)")
    # fast path (lt_causal.training.fast_step): one fused step, fixed batch shape (the ragged last batch of
    # each epoch is dropped, as DataLoader(drop_last=True)), tensor lr
    fast: bool = _f(False, "fast path: fused step, torch.compile, whole-step CUDA graph (lt_causal.training.fast_step)")
    compile_mode: str = _f("default", "torch.compile mode of the fast step, or 'none'")
    cuda_graph: bool = _f(True, "fast on one CUDA device: replay the whole step as a CUDA graph")
    checkpoint_every: int = _f(1, "write checkpoint.pt every N epochs (and at the end)")
    eval_every: int = _f(1, "test (or, with a val split, val) accuracy every N epochs (and at the end)")
    eval_batch_size: int = _f(1024, "images per batch when extracting test features")
    out: str | None = _f(None, "run directory (None: nothing written)")

    def __post_init__(self):
        for f in dataclasses.fields(self):   # every number finite, before any range check or work
            value = getattr(self, f.name)
            if f.type in _NUMERIC and value is not None and (
                    isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value)):
                raise ValueError(f"invalid TrainConfig.{f.name} = {value!r} (must be a finite number)")
        try:
            self.milestones = tuple(float(m) for m in self.milestones)
        except (TypeError, ValueError):
            raise ValueError(f"invalid TrainConfig.milestones = {self.milestones!r} "
                             "(fractions of the epochs, e.g. (0.6, 0.8))") from None
        checks = {
            "imbalance": _passes(check_imbalance, self.imbalance),
            "epochs": isinstance(self.epochs, int) and self.epochs >= 1,
            "batch_size": isinstance(self.batch_size, int) and self.batch_size >= 2,
            "lr": self.lr > 0,
            "lr_decay": self.lr_decay > 0,
            "tau": self.tau > 0,
            "gamma": self.gamma >= 0,
            "momentum": _passes(check_mu, self.momentum),
            "weight_decay": self.weight_decay >= 0,
            "warmup_epochs": self.warmup_epochs >= 0,
            "milestones": all(math.isfinite(m) and 0 < m <= 1 for m in self.milestones),
            "eval_every": isinstance(self.eval_every, int) and self.eval_every >= 1,
            "num_heads": isinstance(self.num_heads, int) and self.num_heads >= 1,
            "compile_mode": self.compile_mode in COMPILE_MODES,
            "schedule": self.schedule in SCHEDULES,
            "image_size": self.image_size is None or (_whole(self.image_size) and self.image_size >= 8),
            "workers": _whole(self.workers) and self.workers >= 0,
            "precision": self.precision in PRECISIONS,
            "crop_padding": isinstance(self.crop_padding, int) and not isinstance(self.crop_padding, bool)
            and self.crop_padding >= 0,
            "checkpoint_every": isinstance(self.checkpoint_every, int) and self.checkpoint_every >= 1,
            "mixup_alpha": self.mixup_alpha > 0,
            "ldam_max_margin": self.ldam_max_margin > 0,
            "drw_start": self.drw_start is None or 0 <= self.drw_start <= 1,
            "retrain_epochs": isinstance(self.retrain_epochs, int) and self.retrain_epochs >= 1,
            "retrain_lr": self.retrain_lr > 0,
            "posthoc_tau": math.isfinite(self.posthoc_tau) and self.posthoc_tau >= 0,
        }
        if self.direction_mu is not None:
            checks["direction_mu"] = _passes(check_mu, self.direction_mu)
        for name, ok in checks.items():
            if not ok:
                choices = {"compile_mode": COMPILE_MODES, "precision": PRECISIONS, "schedule": SCHEDULES}.get(name)
                hint = f" (choose one of {', '.join(choices)})" if choices else ""
                raise ValueError(f"invalid TrainConfig.{name} = {getattr(self, name)!r}{hint}")
        if self.fast and self.compile_mode == "reduce-overhead" and self.cuda_graph:
            raise ValueError("compile_mode 'reduce-overhead' captures CUDA graphs itself: "
                             "set cuda_graph=False (--no-cuda-graph) to use it")

    @property
    def mu(self) -> float:
        """Decay of the head-direction moving sum: the SGD momentum unless decoupled."""
        return self.momentum if self.direction_mu is None else self.direction_mu

    def build_model(self, in_channels: int, num_classes: int):
        """The network this configuration trains (:func:`lt_causal.methods.registry.build_model`)."""
        return build_model(self.method, self.arch, in_channels, num_classes, mu=self.mu,
                           num_heads=self.num_heads, tau=self.tau, gamma=self.gamma)

    def named(self, prefix: str | None = None, root=None, *, quick: bool | None = None,
              digest: bool = False) -> "TrainConfig":
        """A copy whose ``out`` is ``<root>/<run_name(...)>`` (root: the runs folder)."""
        root = Path(root) if root is not None else default_runs_dir()
        return dataclasses.replace(self, out=str(root / run_name(self, prefix, quick=quick, digest=digest)))

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["milestones"] = list(self.milestones)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _passes(check, value) -> bool:
    try:
        check(value)
    except ValueError:
        return False
    return True


def recipe(dataset: str = "cifar10-lt", quick: bool | None = None, **overrides) -> TrainConfig:
    """Default configuration for a data set (and the method's own defaults, e.g. LDAM's scale
    s = 30 as ``tau``); quick mode (``quick``, default: ``LT_CAUSAL_QUICK``) shrinks it to
    seconds on a CPU. ``overrides`` set any other field."""
    quick = is_quick(quick)
    base: dict = {"dataset": dataset, **get_method(overrides.get("method", TrainConfig.method)).defaults}
    if dataset == "mnist-lt":
        base.update(arch="small-cnn", epochs=4 if quick else 30, batch_size=64, lr=0.05, warmup_epochs=1,
                    flip=False, crop_padding=2, alpha=1.0)
    elif dataset == "cifar100-lt":
        base.update(alpha=1.5)
    elif dataset in SPLIT_LIST_DATASETS:   # the official config of both (ResNeXt-50 from scratch, docs/method.md §9)
        base.update(arch="resnext50", epochs=90, batch_size=512, lr=0.2, schedule="cosine", warmup_epochs=0,
                    weight_decay=5e-4, alpha=3.0, eval_batch_size=512)
    if quick and dataset in SPLIT_LIST_DATASETS:   # the miniature tree of notebook 08 and the tests
        base.update(arch="resnet10", epochs=2, batch_size=16, image_size=32, workers=0, eval_batch_size=64)
    elif quick and dataset != "mnist-lt":
        base.update(epochs=2, warmup_epochs=0.5, batch_size=128)
    base.update(overrides)
    return TrainConfig(**base)


def dataset_for(config: TrainConfig) -> LTDataset:
    """Load the data set a configuration names (a split-list data set: its lists, images stay on disk)."""
    if config.dataset in SPLIT_LIST_DATASETS:
        return load_dataset(config.dataset, root=config.folder_root, splits=config.splits)
    return load_dataset(config.dataset, imbalance=config.imbalance, profile=config.profile,
                        seed=config.seed, data_root=config.data_root, root=config.folder_root)


def drw_start_epoch(config: TrainConfig) -> int:
    """The epoch from which LDAM-DRW re-weights: ``drw_start`` × epochs, by default the first lr
    milestone (Cao et al. 2019 re-weight from their first decay, epoch 160 of 200, at lr 0.01)."""
    start = config.drw_start if config.drw_start is not None else min(config.milestones, default=0.8)
    return round(start * config.epochs)


# Fields that never change what a run computes (``alpha`` only picks the reported TDE strength);
# ``fast`` and ``precision`` change the numerics of the remaining epochs, so they matter until a run ends.
RUNTIME_ONLY = {"device", "out", "eval_every", "eval_batch_size", "data_root", "folder_root", "splits",
                "workers", "compile_mode", "cuda_graph", "checkpoint_every", "alpha"}


def run_name(config: TrainConfig, prefix: str | None = None, *, quick: bool | None = None,
             digest: bool = False) -> str:
    """The one naming scheme of run folders:
    ``[<prefix>-]<data>-r<imbalance>-<method>-e<epochs>-s<seed>[-<digest>][-quick]``.

    ``<data>`` is the data set, or ``folder-<name of the image tree>``; a split-list data set
    (ImageNet-LT, Places-LT) has no ``r<imbalance>``: its split files fix the tail; ``digest`` (8 hex digits)
    covers every field that changes what a run learns, so a cache of runs (the μ grid of
    notebook 02) never mixes two recipes; ``-quick`` marks quick-mode runs (``quick``, default:
    ``LT_CAUSAL_QUICK``) so that they never resume a full run or the reverse."""
    data = f"folder-{Path(config.folder_root).name}" if config.dataset == "folder" and config.folder_root \
        else config.dataset
    parts = [prefix] if prefix else []
    parts += [data] + ([] if config.dataset in SPLIT_LIST_DATASETS else [f"r{config.imbalance:g}"])
    parts += [config.method, f"e{config.epochs}", f"s{config.seed}"]
    if digest:
        learned = {k: v for k, v in config.to_dict().items() if k not in RUNTIME_ONLY}
        parts.append(hashlib.sha1(json.dumps(learned, sort_keys=True, default=str).encode()).hexdigest()[:8])
    if is_quick(quick):
        parts.append("quick")
    return "-".join(parts)


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
