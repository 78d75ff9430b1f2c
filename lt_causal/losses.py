"""Training losses for long-tailed classification: cross-entropy, focal (Lin et al. 2017) and
class-balanced cross-entropy with the effective number of samples (Cui et al. 2019)."""
from __future__ import annotations

from typing import Callable, Sequence

import torch
import torch.nn.functional as F

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def focal_loss(logits: torch.Tensor, target: torch.Tensor, gamma: float = 2.0,
               weight: torch.Tensor | None = None) -> torch.Tensor:
    """Mean of −(1−p_t)^γ log p_t (Lin et al. 2017, Eq. 5)."""
    logp = F.log_softmax(logits.float(), dim=1).gather(1, target[:, None]).squeeze(1)
    loss = -((1 - logp.exp()) ** gamma) * logp
    if weight is not None:
        loss = loss * weight[target]
    return loss.mean()


def class_balanced_weights(train_counts: Sequence[int], beta: float = 0.9999) -> torch.Tensor:
    """w_c ∝ (1−β)/(1−β^{n_c}), scaled to sum to the number of classes (Cui et al. 2019, Eq. 3)."""
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"class-balanced beta must be in [0, 1), got {beta!r}")
    n = torch.as_tensor(list(train_counts), dtype=torch.float64)
    if (n <= 0).any():
        raise ValueError(f"every class needs at least one training sample, got counts {list(train_counts)}")
    w = (1.0 - beta) / (1.0 - beta ** n)
    return (w / w.sum() * len(n)).float()


LOSSES = ("ce", "focal", "cb")


def build_loss(name: str, train_counts: Sequence[int], device=None) -> Loss:
    """Loss function by name: ``ce``, ``focal`` (γ=2) or ``cb`` (class-balanced softmax CE, β=0.9999)."""
    if name == "ce":
        return lambda logits, y: F.cross_entropy(logits.float(), y)
    if name == "focal":
        return lambda logits, y: focal_loss(logits, y)
    if name == "cb":
        w = class_balanced_weights(train_counts).to(device)
        return lambda logits, y: F.cross_entropy(logits.float(), y, weight=w)
    raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")
