"""Post-hoc test-time knobs other than TDE, applied to a trained run's cached logits.

Logit adjustment (Menon et al., "Long-tail learning via logit adjustment", ICLR 2021, Eq. 10):
subtract τ · log π_y, with π the training label prior — beyond the paper, for comparison.

τ-normalised classifier (Kang et al., "Decoupling representation and classifier for long-tailed
recognition", ICLR 2020, Sec. 4): w̃_i = w_i / ‖w_i‖^τ. Head classes learn longer weight vectors;
τ = 1 removes the norm entirely, τ = 0 is the trained classifier. Because logits are linear in the
class vectors, w̃_i·x = (w_i·x) / ‖w_i‖^τ: a per-class rescaling of the cached logits. For a
normalised head (cosine, capsule, causal norm) w_i is the head's *effective* class vector
(``head.class_norms()``), whose norms are already (nearly) equal across classes, so τ-norm has little to undo.
Kang et al. use a bias-free classifier; a linear head's bias is kept here, so τ = 0 is the model.
"""
from __future__ import annotations

from typing import Sequence

import torch

from lt_causal.checks import check_finite
from lt_causal.datasets.profiles import class_counts
from lt_causal.models.tde import EPS


def check_tau(tau) -> float:
    """The τ of a post-hoc correction as a finite float, else one ValueError."""
    return check_finite(tau, "tau")


def log_prior(train_counts: Sequence[int]) -> torch.Tensor:
    """log π_y from per-class training counts."""
    n = class_counts(train_counts).float()
    return (n / n.sum()).log()


def logit_adjustment(logits: torch.Tensor, train_counts: Sequence[int], tau: float = 1.0) -> torch.Tensor:
    """logits − τ · log π (τ = 0: unchanged; τ = 1: the Bayes-optimal balanced-error correction)."""
    tau = check_tau(tau)
    return logits - tau * log_prior(train_counts).to(logits.device, logits.dtype)


def tau_normalize(weight: torch.Tensor, tau: float = 1.0) -> torch.Tensor:
    """w̃_i = w_i / ‖w_i‖^τ for every row of ``weight`` (C, D) (Kang et al. 2020)."""
    tau = check_tau(tau)
    return weight / weight.norm(dim=1, keepdim=True).clamp_min(EPS) ** tau


def tau_norm_logits(logits: torch.Tensor, class_norms: torch.Tensor, tau: float = 1.0,
                    bias: torch.Tensor | None = None) -> torch.Tensor:
    """Logits of the τ-normalised classifier from a head's logits: (logits − b) / ‖w‖^τ + b."""
    tau = check_tau(tau)
    norms = class_norms.to(logits.device, logits.dtype)
    if norms.shape != logits.shape[-1:]:
        raise ValueError(f"class_norms has shape {tuple(norms.shape)}, expected ({logits.shape[-1]},)")
    b = torch.zeros_like(norms) if bias is None else bias.to(logits.device, logits.dtype)
    return (logits - b) / norms.clamp_min(EPS) ** tau + b
