"""The shape of a cosine learning-rate decay, shared by every stage that uses one: the main
training schedule (``training/config.py`` :func:`lr_at`, ``schedule="cosine"``), the decoupling
second stages and OLTR's fine-tuning."""
from __future__ import annotations

import math


def cosine_lr(base: float, progress: float) -> float:
    """``base`` decayed along half a cosine: ``base`` at ``progress`` 0, 0 at 1 (clamped to [0, 1])."""
    return 0.5 * base * (1 + math.cos(math.pi * min(max(progress, 0.0), 1.0)))
