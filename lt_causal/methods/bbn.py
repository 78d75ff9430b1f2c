"""BBN (Zhou et al., "BBN: Bilateral-Branch Network with Cumulative Learning for Long-Tailed Visual
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

import torch
from torch import nn


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
