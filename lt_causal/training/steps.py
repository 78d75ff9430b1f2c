"""Training steps: one object per training run that the trainer's epoch loop calls once per batch,

    step.start_epoch(epoch)        # zero the epoch's sums; what changes per epoch (LDAM-DRW, BBN)
    aug = step.draw(len(idx))      # crop/flip draws of a batch (None without augmentation)
    step(idx, aug, lr)             # one SGD step on the images x[idx] with crop/flip draws ``aug``
    step((x, y), None, lr)         # ... or on a streamed batch: uint8 images and labels on the device
    step.steps                     # steps per epoch
    step.loss_sum, step.correct    # the epoch's running sums (tensors on the device)

:class:`PlainStep` is the eager step of every method (gather → crop/flip → normalise → forward
→ loss → backward → torch's SGD → head direction); :class:`MixupStep` and :class:`BBNStep` change
its forward pass as the two methods with their own step need (:mod:`lt_causal.methods.method_steps`),
and :class:`~lt_causal.training.fast_step.FastStep` (``fast=True``) fuses the standard step.
:func:`lt_causal.training.build.make_step` picks one for a configuration. The batches come from
:mod:`lt_causal.training.batches`: indices into the images in memory (``x_train``), or, for a
split-list data set (``x_train=None``), the streamed images themselves, already augmented by the
loader's workers; :meth:`PlainStep.inputs` turns either into normalised images and labels.
"""
from __future__ import annotations

import torch
from torch import nn

from lt_causal.datasets.augment import apply_crop_flip, channel_tensors, draw_crop_flip, normalize_with
from lt_causal.methods.losses import build_loss
from lt_causal.methods.method_steps import (bilateral_forward, bilateral_loss, cumulative_weight, mixup_batch,
                                            sample_lambda)
from lt_causal.methods.registry import get_method
from lt_causal.methods.samplers import ClassAwareSampler
from lt_causal.precision import autocast, full_precision, memory_format
from lt_causal.training.config import drw_start_epoch


class TrainNet(nn.Module):
    """backbone + head → (features, logits): the module that DDP wraps and the step calls.
    The head (a few hundred multiply-adds per image, with norms and cosines) always computes in
    float32, also under bf16 autocast: its normalised logits are the paper's formula exactly."""

    def __init__(self, backbone: nn.Module, head: nn.Module):
        super().__init__()
        self.backbone, self.head = backbone, head

    def forward(self, x: torch.Tensor):
        feats = self.backbone(x)
        with full_precision(feats.device):
            return feats, self.head(feats.float())


class PlainStep:
    """The eager training step (torch.optim.SGD); call it once per step with this rank's batch."""

    def __init__(self, model, net: nn.Module, opt: torch.optim.SGD, loss_fn, x_train, y_train, data,
                 config, ctx, order_gen: torch.Generator | None = None, aug_gen: torch.Generator | None = None):
        self.model, self.net, self.opt, self.loss_fn, self.config, self.ctx = model, net, opt, loss_fn, config, ctx
        self.x, self.y, self.num_classes = x_train, y_train, len(data.classes)
        like = x_train if x_train is not None else torch.zeros(   # streamed: the data set's channels
            1, len(data.mean), 1, 1, dtype=torch.uint8, device=ctx.device)
        self.mean, self.std = channel_tensors(like, data.mean, data.std)
        self.order_gen, self.aug_gen = order_gen, aug_gen
        self.steps = steps_per_epoch(len(y_train), config.batch_size, fixed_shape=config.fast or ctx.enabled)
        self.layout = memory_format(ctx.device, config.precision)
        self.loss_sum = torch.zeros((), device=ctx.device)
        self.correct = torch.zeros((), device=ctx.device)

    def start_epoch(self, epoch: int) -> None:
        """Zero the epoch's sums (in place: a CUDA graph may hold them) and set the loss's epoch."""
        self.loss_sum.zero_()
        self.correct.zero_()
        if hasattr(self.loss_fn, "set_epoch"):
            self.loss_fn.set_epoch(epoch)

    def images(self, idx: torch.Tensor, aug: tuple | None) -> torch.Tensor:
        """x[idx] cropped/flipped by the draws ``aug``, normalised, in the precision's layout."""
        xb = self.x[idx]
        if aug is not None:
            xb = apply_crop_flip(xb, *aug, self.config.crop_padding)
        return normalize_with(xb, self.mean, self.std).contiguous(memory_format=self.layout)

    def inputs(self, batch, aug: tuple | None):
        """(normalised images, labels) of a batch: indices into the images in memory with their
        crop/flip draws ``aug``, or a streamed (uint8 images, labels) pair already on the device."""
        if self.x is None:
            xb, yb = batch
            return normalize_with(xb, self.mean, self.std).contiguous(memory_format=self.layout), yb
        return self.images(batch, aug), self.y[batch]

    def draw(self, n: int) -> tuple | None:
        """Crop/flip draws for ``n`` images from the augmentation generator (None: no augmentation,
        or streamed batches, which the loader's workers augmented)."""
        if not self.config.augment or self.x is None:
            return None
        return draw_crop_flip(n, self.config.crop_padding, self.config.flip, self.aug_gen, self.ctx.device)

    def forward(self, idx: torch.Tensor, aug: tuple | None):
        """(loss, features, number of correct predictions) of the batch."""
        xb, yb = self.inputs(idx, aug)
        with autocast(self.ctx.device, self.config.precision):
            feats, logits = self.net(xb)
        return self.loss_fn(logits, yb), feats, (logits.detach().argmax(1) == yb).sum()

    def __call__(self, idx: torch.Tensor, aug: tuple | None, lr: float) -> None:
        for group in self.opt.param_groups:
            group["lr"] = lr
        loss, feats, correct = self.forward(idx, aug)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        direction = self.model.direction   # the batch mean taken over all ranks
        direction.accumulate(self.ctx.mean_(direction.batch_mean(feats)))
        self.loss_sum += loss.detach() * len(feats)
        self.correct += correct


class MixupStep(PlainStep):
    """Mixup: the batch mixed with a permutation of itself, soft targets; accuracy is counted
    against the label that dominates the mix. λ and the permutation come from the order generator."""

    def forward(self, idx, aug):
        xb, yb = self.inputs(idx, aug)
        lam = sample_lambda(self.config.mixup_alpha, self.order_gen)
        perm = torch.randperm(len(yb), generator=self.order_gen).to(yb.device)
        xb, target = mixup_batch(xb, yb, self.num_classes, lam, perm)
        yb = yb if lam >= 0.5 else yb[perm]
        with autocast(self.ctx.device, self.config.precision):
            feats, logits = self.net(xb)
        return self.loss_fn(logits, target), feats, (logits.detach().argmax(1) == yb).sum()


class BBNStep(PlainStep):
    """BBN: each batch paired with a batch of the reversed sampler (drawn for the whole epoch at
    its start), the two branches mixed with the cumulative-learning weight l of the epoch."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sampler = ClassAwareSampler(self.y, self.num_classes, "reversed")

    def start_epoch(self, epoch: int) -> None:
        super().start_epoch(epoch)
        self.reversed = self.sampler.draw(self.steps * self.config.batch_size, self.order_gen).to(self.ctx.device)
        self.weight = cumulative_weight(epoch, self.config.epochs)
        self.offset = 0

    def forward(self, idx, aug):
        ridx = self.reversed[self.offset:self.offset + len(idx)]
        self.offset += self.config.batch_size
        xr, yr = self.images(ridx, self.draw(len(ridx))), self.y[ridx]
        xb, yb, l = self.images(idx, aug), self.y[idx], self.weight
        with autocast(self.ctx.device, self.config.precision):
            feats, logits = bilateral_forward(self.model.backbone, self.model.head, xb, xr, l)
        pred = logits.detach().argmax(1)
        correct = l * (pred == yb).sum() + (1 - l) * (pred == yr).sum()
        return bilateral_loss(self.loss_fn, logits, yb, yr, l), feats, correct


STEPS = {"standard": PlainStep, "mixup": MixupStep, "bbn": BBNStep}


def steps_per_epoch(n: int, batch_size: int, fixed_shape: bool) -> int:
    """Steps of one epoch over ``n`` images: every full batch, plus the ragged last one of at least
    two images unless the batch shape is fixed (fast and data-parallel training drop it, as
    ``DataLoader(drop_last=True)``)."""
    if fixed_shape:
        if n < batch_size:
            raise ValueError(f"batch_size {batch_size} is larger than the {n} training images; fast and "
                             "distributed training need at least one full batch")
        return n // batch_size
    return max(1, n // batch_size + (n % batch_size >= 2))


def check_method_setup(config, distributed: bool) -> None:
    """One ValueError for a method the chosen path cannot train."""
    spec = get_method(config.method)
    if spec.step != "standard" and config.fast:
        raise ValueError(f"method {config.method!r} has its own training step ({spec.step}); the fast path "
                         "fuses the standard step only: train it without fast (--fast)")
    if spec.step == "bbn" and distributed:
        raise ValueError("method 'bbn' trains on one device (two forward passes per step); run it without torchrun")


def make_loss(config, train_counts, device=None):
    """The loss of ``config.method`` with its options (LDAM: scale s = τ, margins, DRW start)."""
    return build_loss(get_method(config.method).loss, train_counts, device, scale=config.tau,
                      max_margin=config.ldam_max_margin, drw_start_epoch=drw_start_epoch(config))


def compile_net(net: nn.Module, mode: str) -> nn.Module:
    """``net`` compiled by ``torch.compile`` for fixed-shape batches (``mode`` "none": as it is)."""
    if mode == "none":
        return net
    return torch.compile(net, mode=None if mode == "default" else mode, dynamic=False)
