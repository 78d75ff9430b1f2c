"""Classifier heads. Every head maps features (B, D) to logits (B, C) and accepts a head
direction and α so that TDE inference (Tang et al. 2020, Eq. 7) is one call for all heads.

- :class:`CausalNormHead` — the multi-head causal-norm classifier (Eq. 6): K heads, τ, γ.
- :class:`CosineHead` — the cosine classifier, i.e. causal norm with K = 1 and γ = 0.
- :class:`LinearHead` — the usual ``nn.Linear`` (cross-entropy baseline); its counterfactual
  removes α times the projection of x on d̂ (a generalisation beyond the paper).
"""
from __future__ import annotations

import math

import torch
from torch import nn

from lt_causal.tde import check_alpha, tde_components


class CausalNormHead(nn.Module):
    """logit_i = τ/K Σ_k w_i^k·x^k / ((‖w_i^k‖+γ)‖x^k‖); defaults K=2, τ=16, γ=1/32."""

    kind = "causal_norm"

    def __init__(self, in_dim: int, num_classes: int, num_heads: int = 2, tau: float = 16.0,
                 gamma: float = 1 / 32):
        super().__init__()
        if in_dim % num_heads:
            raise ValueError(f"feature dimension {in_dim} is not divisible by num_heads={num_heads}")
        self.num_heads, self.tau, self.gamma = int(num_heads), float(tau), float(gamma)
        self.weight = nn.Parameter(torch.empty(num_classes, in_dim))
        bound = 1.0 / math.sqrt(in_dim)
        nn.init.uniform_(self.weight, -bound, bound)

    def hparams(self) -> dict:
        return {"num_heads": self.num_heads, "tau": self.tau, "gamma": self.gamma}

    def components(self, x: torch.Tensor, direction: torch.Tensor | None = None):
        """(logits, TDE correction): TDE logits = logits − α · correction."""
        return tde_components(x, self.weight, direction, tau=self.tau, gamma=self.gamma,
                              num_heads=self.num_heads)

    def forward(self, x, direction=None, alpha: float = 0.0) -> torch.Tensor:
        alpha = check_alpha(alpha)
        logits, correction = self.components(x, direction if alpha else None)
        return logits - alpha * correction if alpha else logits


class CosineHead(CausalNormHead):
    """τ · cos(x, w_i): the single-head causal norm with γ = 0."""

    kind = "cosine"

    def __init__(self, in_dim: int, num_classes: int, tau: float = 16.0):
        super().__init__(in_dim, num_classes, num_heads=1, tau=tau, gamma=0.0)

    def hparams(self) -> dict:
        return {"tau": self.tau}


class LinearHead(nn.Module):
    """W x + b. Counterfactual for α ≠ 0: W (x − α (x·d̂) d̂) + b."""

    kind = "linear"

    def __init__(self, in_dim: int, num_classes: int):
        super().__init__()
        self.fc = nn.Linear(in_dim, num_classes)
        self.num_heads = 1

    def hparams(self) -> dict:
        return {}

    def components(self, x: torch.Tensor, direction: torch.Tensor | None = None):
        logits = self.fc(x)
        if direction is None:
            return logits, torch.zeros_like(logits)
        d_hat = direction / direction.norm().clamp_min(1e-12)
        return logits, (x @ d_hat)[:, None] * (self.fc.weight @ d_hat)[None, :]

    def forward(self, x, direction=None, alpha: float = 0.0) -> torch.Tensor:
        alpha = check_alpha(alpha)
        logits, correction = self.components(x, direction if alpha else None)
        return logits - alpha * correction if alpha else logits


HEADS = {"linear": LinearHead, "cosine": CosineHead, "causal_norm": CausalNormHead}


def build_head(kind: str, in_dim: int, num_classes: int, **hparams) -> nn.Module:
    """Head by kind name (``linear``, ``cosine``, ``causal_norm``) with its hyper-parameters."""
    if kind not in HEADS:
        raise ValueError(f"unknown head {kind!r}; choose one of {', '.join(HEADS)}")
    return HEADS[kind](in_dim, num_classes, **hparams)
