"""Where the trainer's batches come from: one interface, two sources.

    batches = make_batches(data, config, ctx, step, order_gen)
    for batch, aug, n in batches.epoch(epoch):    # this rank's part of each global batch
        step(batch, aug, lr)

:class:`MemoryBatches` (an :class:`~lt_causal.datasets.registry.LTDataset` held on the device, the
CIFAR path): a permutation of the train split per epoch from the order generator, every rank
slicing the same global batch; ``batch`` is a tensor of indices and ``aug`` the crop/flip draws.
:class:`StreamedBatches` (a split-list data set, ImageNet-LT / Places-LT, images on disk): a
``DistributedSampler`` over the split list gives each of the W ranks a 1/W shard of a per-epoch
permutation (``set_epoch``; the permutation depends on the seed and the epoch only, so a run
resumes on any world size), DataLoader workers decode and augment
(:mod:`lt_causal.datasets.image_pipeline`); ``batch`` is the pair (uint8 images, labels) moved
to the device with non-blocking copies and ``aug`` is None. Both yield ``step.steps`` batches
per epoch (:func:`~lt_causal.training.steps.steps_per_epoch`: data-parallel and fast training drop the
ragged last batch), so the learning-rate rule sees the same fractional epochs.
"""
from __future__ import annotations

import dataclasses

import torch

from lt_causal.datasets.registry import LTDataset
from lt_causal.methods.registry import get_method


def is_streamed(data) -> bool:
    """Whether ``data`` is streamed from disk (a split-list data set) rather than held in memory."""
    return not isinstance(data, LTDataset)


def sized(data, image_size: int | None):
    """A split-list data set at crop side ``image_size`` (None: as it is), its test-time resize
    scaled in the same proportion (224 → 256)."""
    if image_size is None or image_size == data.image_size:
        return data
    return dataclasses.replace(data, image_size=image_size,
                               resize=max(image_size, round(image_size * data.resize / data.image_size)))


def check_streamed_setup(config) -> None:
    """One ValueError for what the streamed path cannot train (``fast`` streams fixed-shape batches
    through the compiled network: :func:`~lt_causal.training.build.make_step`)."""
    step = get_method(config.method).step
    if step == "bbn":
        raise ValueError(f"method 'bbn' draws a reversed-sampler batch from the data in memory; it cannot "
                         f"train on {config.dataset}")


def loader_seed(seed: int, epoch: int, rank: int) -> int:
    """The seed of one epoch's decoding workers on one rank: augmentations differ between epochs
    and ranks and repeat after a resume."""
    return (seed * 1_000_003 + epoch) * 1009 + rank


class MemoryBatches:
    """Batches of an in-memory data set: index slices of one permutation per epoch."""

    def __init__(self, n: int, config, ctx, step, order_gen: torch.Generator):
        self.n, self.config, self.ctx, self.step, self.order_gen = n, config, ctx, step, order_gen

    def epoch(self, epoch: int):
        """This epoch's batches (the permutation is drawn now, before the step's epoch start)."""
        perm = torch.randperm(self.n, generator=self.order_gen).to(self.ctx.device)
        return self._batches(perm)

    def _batches(self, perm):
        B, step = self.config.batch_size, self.step
        for i in range(step.steps):
            idx = perm[i * B:(i + 1) * B]
            idx, aug = self.ctx.shard_batch(idx, step.draw(len(idx)))   # this rank's part of the global batch
            yield idx, aug, len(idx)


class StreamedBatches:
    """Batches of a split-list data set: this rank's shard, decoded by DataLoader workers."""

    def __init__(self, data, config, ctx, steps: int):
        from torch.utils.data import DistributedSampler

        self.data, self.config, self.ctx, self.steps = data, config, ctx, steps
        self.local = ctx.local_batch(config.batch_size)
        self.sampler = DistributedSampler(range(len(data.train)), num_replicas=ctx.world, rank=ctx.rank,
                                          shuffle=True, seed=config.seed, drop_last=True)

    def epoch(self, epoch: int):
        from lt_causal.datasets.split_list import make_loader

        self.sampler.set_epoch(epoch)
        loader = make_loader(self.data, "train", self.local, workers=self.config.workers, train=True,
                             sampler=self.sampler, seed=loader_seed(self.config.seed, epoch, self.ctx.rank),
                             pin_memory=self.ctx.device.type == "cuda")   # pinned: copies overlap compute
        return self._batches(loader)

    def _batches(self, loader):
        device = self.ctx.device
        for _, (x, y) in zip(range(self.steps), loader):
            yield (x.to(device, non_blocking=True), y.to(device, non_blocking=True)), None, len(y)


def make_batches(data, config, ctx, step, order_gen: torch.Generator):
    """The batch source of ``data``: streamed for a split-list data set, else in memory."""
    if is_streamed(data):
        return StreamedBatches(data, config, ctx, step.steps)
    return MemoryBatches(len(data.train_y), config, ctx, step, order_gen)
