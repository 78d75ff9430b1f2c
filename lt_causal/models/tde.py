"""Total Direct Effect (TDE) logits of the multi-head causal-norm classifier.

Tang et al. 2020, Eq. 6-7 (PAPER.md §3-4). With K heads, per head k

    logit_i = τ/K Σ_k  w_i^k·x̂^k / (‖w_i^k‖ + γ)
    TDE_i   = τ/K Σ_k [w_i^k·x̂^k − α cos(x^k, d̂^k) w_i^k·d̂^k] / (‖w_i^k‖ + γ)

i.e. the unit feature x̂ is replaced by x̂ − α cos(x, d̂) d̂. TDE is linear in α, so
:func:`tde_components` returns the two terms once and any α costs one multiply-add.
"""
from __future__ import annotations

import torch

EPS = 1e-12


def split_heads(t: torch.Tensor, num_heads: int) -> torch.Tensor:
    """Reshape (..., D) into (..., K, D/K); D must be divisible by K."""
    dim = t.shape[-1]
    if num_heads < 1 or dim % num_heads:
        raise ValueError(f"feature dimension {dim} cannot be split into num_heads={num_heads} equal heads")
    return t.reshape(*t.shape[:-1], num_heads, dim // num_heads)


def unit_per_head(t: torch.Tensor, num_heads: int) -> torch.Tensor:
    """L2-normalise each head of (..., D) separately; returns (..., K, D/K)."""
    h = split_heads(t, num_heads)
    return h / h.norm(dim=-1, keepdim=True).clamp_min(EPS)


def head_cosines(features: torch.Tensor, direction: torch.Tensor, num_heads: int) -> torch.Tensor:
    """cos(x^k, d̂^k) for every sample and head: (B, K)."""
    return (unit_per_head(features, num_heads) * unit_per_head(direction, num_heads)).sum(-1)


def tde_components(features, weight, direction=None, *, tau: float = 16.0, gamma: float = 1 / 32,
                   num_heads: int = 2) -> tuple[torch.Tensor, torch.Tensor]:
    """(causal-norm logits, TDE correction), both (B, C); TDE logits = first − α · second."""
    x_hat = unit_per_head(features, num_heads)                      # B,K,h
    w = split_heads(weight, num_heads)                              # C,K,h
    w_scaled = w / (w.norm(dim=-1, keepdim=True) + gamma)           # C,K,h
    scale = tau / num_heads
    logits = scale * torch.einsum("bkh,ckh->bc", x_hat, w_scaled)
    if direction is None:
        return logits, torch.zeros_like(logits)
    d_hat = unit_per_head(direction, num_heads)                     # K,h
    cos = (x_hat * d_hat).sum(-1)                                   # B,K
    w_dot_d = (w_scaled * d_hat).sum(-1)                            # C,K
    correction = scale * torch.einsum("bk,ck->bc", cos, w_dot_d)
    return logits, correction


def tde_logits(features, weight, direction=None, alpha: float = 0.0, *, tau: float = 16.0,
               gamma: float = 1 / 32, num_heads: int = 2) -> torch.Tensor:
    """TDE logits for one α (α = 0: the plain de-confounded logits)."""
    alpha = check_alpha(alpha)
    logits, correction = tde_components(features, weight, direction if alpha else None,
                                        tau=tau, gamma=gamma, num_heads=num_heads)
    return logits - alpha * correction if alpha else logits


def check_alpha(alpha, name: str = "alpha") -> float:
    """``alpha`` (or another test-time knob called ``name``) as a finite float, else one ValueError."""
    try:
        value = float(alpha)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {alpha!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be a finite number, got {alpha!r}")
    return value
