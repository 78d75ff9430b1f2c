"""Training losses for long-tailed classification: cross-entropy (hard or, for mixup, soft
targets), focal (Lin et al. 2017), class-balanced cross-entropy with the effective number of
samples (Cui et al. 2019) and LDAM with deferred re-weighting (Cao et al. 2019).

A loss is called as ``loss(logits, target)``; a loss that changes during training (LDAM-DRW)
also has ``set_epoch(epoch)``, which the trainer calls at the start of every epoch."""
from __future__ import annotations

from typing import Callable, Sequence

import torch
import torch.nn.functional as F

from lt_causal.checks import check_choice
from lt_causal.datasets.profiles import class_counts

LDAM_SCALE = 30.0        # LDAM's logit scale s (Cao et al.'s value; the ldam-drw method's head τ)

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
    n = class_counts(train_counts)
    w = (1.0 - beta) / (1.0 - beta ** n)
    return (w / w.sum() * len(n)).float()


def ldam_margins(train_counts: Sequence[int], max_margin: float = 0.5) -> torch.Tensor:
    """Δ_j ∝ n_j^(−1/4), scaled so that the rarest class gets ``max_margin`` (Cao et al. 2019, Eq. 13)."""
    if max_margin <= 0:
        raise ValueError(f"LDAM max_margin must be > 0, got {max_margin!r}")
    n = class_counts(train_counts)
    m = n ** -0.25
    return (m * (max_margin / m.max())).float()


class LDAMDRWLoss:
    """LDAM with deferred re-weighting (Cao et al. 2019): cross-entropy of the logits with the
    target's logit lowered by s·Δ_y, where the logits are s·cos(x, w) of a normalised classifier
    (``scale`` = s = the head's τ). Until epoch ``drw_start_epoch`` every class weighs 1; from
    then on the class-balanced weights (1−β)/(1−β^n) (β = 0.9999) — DRW.

    The weights are a device tensor updated in place, so a compiled step or CUDA graph sees them.
    """

    def __init__(self, train_counts: Sequence[int], scale: float = LDAM_SCALE, max_margin: float = 0.5,
                 drw_start_epoch: int = 160, beta: float = 0.9999, device=None):
        self.shift = (scale * ldam_margins(train_counts, max_margin)).to(device)
        self.balanced = class_balanced_weights(train_counts, beta).to(device)
        self.weight = torch.ones_like(self.balanced)
        self.drw_start_epoch = int(drw_start_epoch)

    def set_epoch(self, epoch: int) -> None:
        """Switch the class weights for 0-based ``epoch`` (uniform before DRW starts, balanced after)."""
        self.weight.copy_(self.balanced if epoch >= self.drw_start_epoch else torch.ones_like(self.weight))

    def __call__(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        logits = logits.float()
        margin = torch.zeros_like(logits).scatter_(1, target[:, None], self.shift[target][:, None])
        return F.cross_entropy(logits - margin, target, weight=self.weight)


LOSSES = ("ce", "focal", "cb", "ldam-drw")


def build_loss(name: str, train_counts: Sequence[int], device=None, *, scale: float = LDAM_SCALE,
               max_margin: float = 0.5, drw_start_epoch: int = 160) -> Loss:
    """Loss function by name: ``ce`` (hard or soft targets), ``focal`` (γ=2), ``cb`` (class-balanced
    softmax CE, β=0.9999) or ``ldam-drw`` (:class:`LDAMDRWLoss` with the keyword options)."""
    if name == "ldam-drw":
        return LDAMDRWLoss(train_counts, scale, max_margin, drw_start_epoch, device=device)
    if name == "ce":
        return lambda logits, y: F.cross_entropy(logits.float(), y)
    if name == "focal":
        return lambda logits, y: focal_loss(logits, y)
    check_choice(name, LOSSES, "loss")
    w = class_balanced_weights(train_counts).to(device)       # cb
    return lambda logits, y: F.cross_entropy(logits.float(), y, weight=w)
