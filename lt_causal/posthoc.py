"""Post-hoc test-time knobs other than TDE, applied to a trained run's cached logits.

Logit adjustment (Menon et al., "Long-tail learning via logit adjustment", ICLR 2021, Eq. 10):
subtract τ · log π_y, with π the training label prior — beyond the paper, for comparison.
"""
from __future__ import annotations

from typing import Sequence

import torch

from lt_causal.tde import check_alpha


def log_prior(train_counts: Sequence[int]) -> torch.Tensor:
    """log π_y from per-class training counts."""
    n = torch.as_tensor(list(train_counts), dtype=torch.float32)
    if (n <= 0).any():
        raise ValueError(f"every class needs a positive training count, got {list(train_counts)}")
    return (n / n.sum()).log()


def logit_adjustment(logits: torch.Tensor, train_counts: Sequence[int], tau: float = 1.0) -> torch.Tensor:
    """logits − τ · log π (τ = 0: unchanged; τ = 1: the Bayes-optimal balanced-error correction)."""
    tau = check_alpha(tau, "tau")
    return logits - tau * log_prior(train_counts).to(logits.device, logits.dtype)
