"""The head direction d̂ and the Total Direct Effect (TDE) of the multi-head causal-norm
classifier (docs/method.md §2-4; Tang et al. 2020, Assumption 1 and Eq. 6-7).

The head direction is a moving sum of training features, x̄_t = μ·x̄_{t−1} + mean(batch features),
with μ the SGD momentum (:class:`HeadDirection`). With K heads, per head k

    logit_i = τ/K Σ_k  w_i^k·x̂^k / (‖w_i^k‖ + γ)
    TDE_i   = τ/K Σ_k [w_i^k·x̂^k − α cos(x^k, d̂^k) w_i^k·d̂^k] / (‖w_i^k‖ + γ)

i.e. the unit feature x̂ is replaced by x̂ − α cos(x, d̂) d̂. TDE is linear in α, so
:func:`tde_components` returns the two terms once and :func:`combine` makes any α one
multiply-add: every head, run and slider in the package goes through :func:`combine`.
"""
from __future__ import annotations

import torch
from torch import nn

from lt_causal.checks import check_finite

EPS = 1e-12


def check_alpha(alpha) -> float:
    """The TDE strength α as a finite float, else one ValueError."""
    return check_finite(alpha, "alpha")


def check_mu(mu, name: str = "momentum mu") -> float:
    """A momentum / moving-sum decay μ in [0, 1), else one ValueError naming ``name``."""
    value = check_finite(mu, name)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {mu!r}")
    return value


def combine(logits: torch.Tensor, correction: torch.Tensor, alpha) -> torch.Tensor:
    """TDE logits = logits − α · correction (α = 0: the logits themselves, untouched)."""
    alpha = check_alpha(alpha)
    return logits - alpha * correction if alpha else logits


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


def unit(direction: torch.Tensor) -> torch.Tensor:
    """d / ‖d‖ of one vector (a zero vector stays zero)."""
    return direction / direction.norm().clamp_min(EPS)


def head_cosines(features: torch.Tensor, direction: torch.Tensor, num_heads: int) -> torch.Tensor:
    """cos(x^k, d̂^k) for every sample and head: (B, K)."""
    return (unit_per_head(features, num_heads) * unit_per_head(direction, num_heads)).sum(-1)


def tde_components(features, weight, direction=None, *, tau: float, gamma: float,
                   num_heads: int) -> tuple[torch.Tensor, torch.Tensor]:
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


def tde_logits(features, weight, direction=None, alpha: float = 0.0, *, tau: float, gamma: float,
               num_heads: int) -> torch.Tensor:
    """TDE logits for one α (α = 0: the plain de-confounded logits)."""
    alpha = check_alpha(alpha)
    logits, correction = tde_components(features, weight, direction if alpha else None,
                                        tau=tau, gamma=gamma, num_heads=num_heads)
    return combine(logits, correction, alpha)


class HeadDirection(nn.Module):
    """Moving sum x̄ of batch-mean features, kept as a buffer so it is saved with the model.

    Every training path updates it through :meth:`accumulate` (the plain and the fast step, with
    the batch mean averaged over the ranks of data-parallel training) or :meth:`update`."""

    def __init__(self, dim: int, mu: float):
        super().__init__()
        self.mu = check_mu(mu, "head-direction decay mu")
        self.register_buffer("moving_sum", torch.zeros(dim))

    @staticmethod
    def batch_mean(features: torch.Tensor) -> torch.Tensor:
        """mean(batch features) in float32, without gradient: the term added at each step."""
        return features.detach().float().mean(0)

    @torch.no_grad()
    def accumulate(self, batch_mean: torch.Tensor) -> None:
        """x̄ ← μ x̄ + ``batch_mean`` (once per training step)."""
        self.moving_sum.mul_(self.mu).add_(batch_mean)

    def update(self, features: torch.Tensor) -> None:
        """x̄ ← μ x̄ + mean over the batch (call once per training step)."""
        self.accumulate(self.batch_mean(features))

    def unit(self, num_heads: int = 1) -> torch.Tensor:
        """d̂, normalised separately in each of ``num_heads`` heads, flattened back to (D,)."""
        return unit_per_head(self.moving_sum, num_heads).reshape(-1)

    def extra_repr(self) -> str:
        return f"dim={self.moving_sum.numel()}, mu={self.mu}"
