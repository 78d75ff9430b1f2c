"""Mixup (Zhang et al., "mixup: Beyond empirical risk minimization", ICLR 2018): train on convex
combinations of image pairs and of their one-hot labels,

    x̃ = λ x_i + (1 − λ) x_j,   ỹ = λ y_i + (1 − λ) y_j,   λ ~ Beta(a, a),

one λ per batch and j a random permutation of the batch, as in the authors' code. The loss is
the cross-entropy with the soft target ỹ, i.e. λ CE(f(x̃), y_i) + (1 − λ) CE(f(x̃), y_j).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def sample_lambda(alpha: float, generator: torch.Generator) -> float:
    """λ ~ Beta(α, α), drawn reproducibly from a torch generator (whose state a checkpoint keeps)."""
    if not alpha > 0:
        raise ValueError(f"mixup alpha must be > 0, got {alpha!r}")
    seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator))
    return float(np.random.default_rng(seed).beta(alpha, alpha))


def mixup_batch(x: torch.Tensor, y: torch.Tensor, num_classes: int, lam: float,
                perm: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(x̃, ỹ): images and one-hot labels mixed with weight λ with the batch permuted by ``perm``."""
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"mixup weight λ must be in [0, 1], got {lam!r}")
    onehot = F.one_hot(y, num_classes).to(x.dtype if x.is_floating_point() else torch.float32)
    return lam * x + (1 - lam) * x[perm], lam * onehot + (1 - lam) * onehot[perm]
