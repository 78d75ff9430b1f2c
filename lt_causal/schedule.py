"""Learning-rate schedules in one place: :func:`lr_at`, the learning rate of a training
configuration at any fractional epoch (warm-up, then multistep or cosine decay), and the shape of a
cosine decay it shares with the decoupling second stages and OLTR's fine-tuning."""
from __future__ import annotations

import math


def cosine_lr(base: float, progress: float) -> float:
    """``base`` decayed along half a cosine: ``base`` at ``progress`` 0, 0 at 1 (clamped to [0, 1])."""
    return 0.5 * base * (1 + math.cos(math.pi * min(max(progress, 0.0), 1.0)))


def lr_at(config, epoch_float: float) -> float:
    """Learning rate of ``config`` (a :class:`~lt_causal.training.config.TrainConfig`) at a
    fractional epoch: linear warm-up from lr/3, then multistep decay (× ``lr_decay`` at each
    milestone) or cosine decay from lr after the warm-up to 0 at the end."""
    if config.warmup_epochs and epoch_float < config.warmup_epochs:
        return config.lr / 3 + (config.lr - config.lr / 3) * epoch_float / config.warmup_epochs
    if config.schedule == "cosine":
        warm = min(config.warmup_epochs, config.epochs)
        t = (epoch_float - warm) / max(config.epochs - warm, 1e-9)
        return cosine_lr(config.lr, t)
    drops = sum(epoch_float >= m * config.epochs for m in config.milestones)
    return config.lr * config.lr_decay ** drops
