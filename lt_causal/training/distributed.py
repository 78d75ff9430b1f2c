"""Devices and data-parallel training under ``torchrun`` (DistributedDataParallel, NCCL on GPUs,
gloo on CPUs); with a single process every method below is a no-op.

    torchrun --nproc_per_node 4 -m lt_causal train --dataset cifar10-lt --fast

``batch_size`` stays the *global* batch: at every step each of the W ranks takes its 1/W slice of
the same global batch (the same permutation and the same augmentation draws on every rank, from
the shared seed), so the recipe (lr 0.2 for batch 256) does not change with W. DDP averages the
gradients; the head direction is updated with the batch-mean feature averaged over the ranks,
x̄ ← μ x̄ + mean_r(mean of rank r's features), i.e. the mean over the global batch. BatchNorm uses
per-rank batch statistics (as plain DDP does); its running statistics are averaged over the ranks
after every epoch, so all ranks hold the same model at every epoch end. Rank 0 alone writes the
run directory; every rank evaluates (the models are identical).
"""
from __future__ import annotations

import inspect
import os
from dataclasses import dataclass, field

import torch
import torch.distributed as dist
from torch import nn


def resolve_device(device: str = "auto") -> torch.device:
    """``auto`` → CUDA when available, else CPU; an unknown or unavailable device is a clear error."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"unknown device {device!r}; use auto, cpu, cuda or cuda:N") from None
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device {device!r} is not supported; use auto, cpu, cuda or cuda:N")
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"device {device!r} requested but CUDA is not available on this machine")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(f"device {device!r} does not exist: this machine has "
                             f"{torch.cuda.device_count()} CUDA device(s)")
    return dev


def launched_world_size() -> int:
    """Number of processes ``torchrun`` started (1 without torchrun)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


@dataclass
class DistContext:
    """Rank, world size and device of this process, with the few collectives the trainer needs."""

    rank: int = 0
    world: int = 1
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    owns_group: bool = False

    @property
    def enabled(self) -> bool:
        return self.world > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def local_batch(self, batch_size: int) -> int:
        """Images per rank and step: the global batch split evenly (one ValueError otherwise)."""
        if batch_size % self.world or batch_size // self.world < 2:
            raise ValueError(f"batch_size {batch_size} cannot be split into {self.world} equal "
                             "per-process batches of at least 2 images")
        return batch_size // self.world

    def shard(self, n: int) -> slice:
        """This rank's slice of a global batch of ``n`` items (n divisible by the world size)."""
        per = n // self.world
        return slice(self.rank * per, (self.rank + 1) * per)

    def shard_batch(self, idx, aug):
        """This rank's part of a global batch's indices and of its augmentation draws."""
        if not self.enabled:
            return idx, aug
        part = self.shard(len(idx))
        return idx[part], (tuple(t[part] for t in aug) if aug is not None else None)

    def wrap(self, net: nn.Module) -> nn.Module:
        """``net`` in DistributedDataParallel when distributed (buffers are synced per epoch)."""
        if not self.enabled:
            return net
        from torch.nn.parallel import DistributedDataParallel as DDP

        ids = [self.device.index] if self.device.type == "cuda" else None
        # no buffer broadcast at every forward (BatchNorm statistics are averaged per epoch);
        # torch >= 2.13 spells broadcast_buffers=False as forward_sync_buffers=False
        newer = "forward_sync_buffers" in inspect.signature(DDP.__init__).parameters
        no_sync = {"forward_sync_buffers": False} if newer else {"broadcast_buffers": False}
        return DDP(net, device_ids=ids, gradient_as_bucket_view=True, **no_sync)

    def sum_(self, t: torch.Tensor) -> torch.Tensor:
        """In-place sum over the ranks."""
        if self.enabled:
            dist.all_reduce(t)
        return t

    def mean_(self, t: torch.Tensor) -> torch.Tensor:
        """In-place mean over the ranks."""
        if self.enabled:
            dist.all_reduce(t)
            t.div_(self.world)
        return t

    def average_batchnorm_(self, module: nn.Module) -> None:
        """Average the BatchNorm running mean and variance over the ranks."""
        if not self.enabled:
            return
        for m in module.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.running_mean is not None:
                self.mean_(m.running_mean)
                self.mean_(m.running_var)

    def barrier(self) -> None:
        if self.enabled:
            dist.barrier()

    def close(self) -> None:
        """Destroy the process group if :func:`setup` created it."""
        if self.owns_group and dist.is_initialized():
            dist.destroy_process_group()
            self.owns_group = False


def setup(device: str = "auto") -> DistContext:
    """The context of this process: under ``torchrun`` (WORLD_SIZE > 1) the process group is
    initialised here (unless the caller already did) and rank r uses ``cuda:LOCAL_RANK``."""
    world = launched_world_size()
    if world <= 1:
        return DistContext(device=resolve_device(device))
    dev = resolve_device(device)
    if dev.type == "cuda":
        if device not in ("auto", "cuda"):
            raise ValueError(f"under torchrun every process picks its GPU from LOCAL_RANK: use "
                             f"--device auto or cuda, not {device!r}")
        local = int(os.environ.get("LOCAL_RANK", "0"))
        if local >= torch.cuda.device_count():
            raise ValueError(f"LOCAL_RANK {local} but this machine has {torch.cuda.device_count()} GPU(s)")
        dev = torch.device("cuda", local)
        torch.cuda.set_device(dev)
    owns = not dist.is_initialized()
    if owns:
        dist.init_process_group("nccl" if dev.type == "cuda" else "gloo")
    if dist.get_world_size() != world:
        raise ValueError(f"process group has {dist.get_world_size()} ranks but WORLD_SIZE is {world}")
    return DistContext(dist.get_rank(), world, dev, owns)
