"""The two methods with a training step of their own (the trainer's step variants in
:mod:`lt_causal.training.steps` call the functions below).

**Mixup** (Zhang et al., "mixup: Beyond empirical risk minimization", ICLR 2018): train on convex
combinations of image pairs and of their one-hot labels,

    x̃ = λ x_i + (1 − λ) x_j,   ỹ = λ y_i + (1 − λ) y_j,   λ ~ Beta(a, a),

one λ per batch and j a random permutation of the batch, as in the authors' code. The loss is
the cross-entropy with the soft target ỹ, i.e. λ CE(f(x̃), y_i) + (1 − λ) CE(f(x̃), y_j).

**BBN** (Zhou et al., "BBN: Bilateral-Branch Network with Cumulative Learning for Long-Tailed Visual
Recognition", CVPR 2020), trained by the same trainer as every other method.

Each step draws two batches: (x_c, y_c) by the usual uniform sampler for the *conventional*
branch and (x_r, y_r) by the *reversed* sampler (class c with probability ∝ 1/n_c,
:mod:`lt_causal.methods.samplers`) for the *re-balancing* branch. The two branches share the backbone
up to its last stage; their features are mixed with the cumulative-learning weight

    l = 1 − (T / T_max)²          (T: the 0-based epoch; from 1 to ≈ 0 over training)

into z = W · 2[l f_c(x_c), (1 − l) f_r(x_r)] and the loss is l CE(z, y_c) + (1 − l) CE(z, y_r):
attention moves from the uniform branch to the re-balancing one. At test time both branches
see the same image with l = ½, so z = W [f_c(x), f_r(x)]: the plain forward of the bilateral
backbone (:class:`lt_causal.models.backbones.ResNet32` ``bbn`` variant, or ``SmallCNN(bilateral=True)``).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


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


def cumulative_weight(epoch: int, epochs: int) -> float:
    """l = 1 − (epoch / epochs)², ``epoch`` 0-based (BBN's (T − 1)/T_max with T 1-based)."""
    if not 0 <= epoch < epochs:
        raise ValueError(f"epoch must be in [0, {epochs}), got {epoch!r}")
    return 1.0 - (epoch / epochs) ** 2


def bilateral_forward(backbone: nn.Module, head: nn.Module, x_c: torch.Tensor, x_r: torch.Tensor,
                      l: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(mixed feature 2[l f_c, (1 − l) f_r], logits) of one BBN training step."""
    feats = 2 * torch.cat([l * backbone.branch_features(x_c, 0), (1 - l) * backbone.branch_features(x_r, 1)], 1)
    return feats, head(feats)


def bilateral_loss(loss_fn, logits: torch.Tensor, y_c: torch.Tensor, y_r: torch.Tensor, l: float) -> torch.Tensor:
    """l · loss(z, y_c) + (1 − l) · loss(z, y_r)."""
    return l * loss_fn(logits, y_c) + (1 - l) * loss_fn(logits, y_r)
