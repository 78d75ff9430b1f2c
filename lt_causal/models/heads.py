"""Classifier heads. Every head maps features (B, D) to logits (B, C) and accepts a head
direction and α so that TDE inference (Tang et al. 2020, Eq. 7) is one call for all heads.

- :class:`CausalNormHead` — the multi-head causal-norm classifier (Eq. 7 of the paper and the deck): K heads, τ, γ.
- :class:`CosineHead` — the cosine classifier, i.e. causal norm with K = 1 and γ = 0.
- :class:`CapsuleHead` — capsule normalisation of the feature, squash(x) = ‖x‖/(1+‖x‖) · x/‖x‖
  (Sabour et al. 2017), then a cosine classifier: the "Capsule" row of the paper's ablation of
  normalisations on ImageNet-LT (next to "Cosine" and De-confound; with TDE: "Capsule-TDE").
- :class:`LinearHead` — the usual ``nn.Linear`` (cross-entropy baseline); its counterfactual
  removes α times the projection of x on d̂ (a generalisation beyond the paper).

Every head has ``components(x, direction) -> (logits, correction)`` with TDE logits = logits − α ·
correction: the correction is the classifier applied to the projection of the head's normalised
feature on d̂ (per head k for the causal norm). ``class_norms()`` gives the norm of each class's
effective weight vector, the quantity the τ-normalised classifier rescales (:mod:`lt_causal.methods.posthoc`).
``hparams()`` are the constructor arguments the head is saved with (:data:`HPARAMS`).
"""
from __future__ import annotations

import math

import torch
from torch import nn

from lt_causal.checks import check_choice
from lt_causal.models.tde import EPS, check_alpha, combine, split_heads, tde_components, unit

# kind -> the hyper-parameters a head of that kind is built and saved with
HPARAMS = {"linear": (), "cosine": ("tau",), "causal_norm": ("num_heads", "tau", "gamma"), "capsule": ("tau",)}


def head_hparams(kind: str, **available) -> dict:
    """The entries of ``available`` (num_heads, tau, gamma, ...) that a ``kind`` head takes."""
    return {k: available[k] for k in HPARAMS[check_choice(kind, HPARAMS, "head")]}


def _class_weights(num_classes: int, in_dim: int) -> nn.Parameter:
    """(C, D) class vectors initialised uniformly in ±1/√D, as ``nn.Linear`` initialises."""
    weight = nn.Parameter(torch.empty(num_classes, in_dim))
    bound = 1.0 / math.sqrt(in_dim)
    nn.init.uniform_(weight, -bound, bound)
    return weight


class _TDEHead(nn.Module):
    """Shared forward: logits, or TDE logits = logits − α · correction when α ≠ 0."""

    def forward(self, x, direction=None, alpha: float = 0.0) -> torch.Tensor:
        alpha = check_alpha(alpha)
        return combine(*self.components(x, direction if alpha else None), alpha)

    def hparams(self) -> dict:
        return {k: getattr(self, k) for k in HPARAMS[self.kind]}

    def bias(self) -> torch.Tensor | None:
        """The additive per-class bias of the logits (None: the head has none)."""
        return None


def capsule_norm(x: torch.Tensor) -> torch.Tensor:
    """squash(x) = ‖x‖/(1+‖x‖) · x/‖x‖ = x/(1+‖x‖) per row: direction kept, length in [0, 1)."""
    return x / (1.0 + x.norm(dim=-1, keepdim=True))


class CausalNormHead(_TDEHead):
    """logit_i = τ/K Σ_k w_i^k·x^k / ((‖w_i^k‖+γ)‖x^k‖); K, τ and γ come from the training
    configuration (:class:`~lt_causal.training.config.TrainConfig`: the paper's K=2, τ=16, γ=1/32)."""

    kind = "causal_norm"

    def __init__(self, in_dim: int, num_classes: int, *, num_heads: int, tau: float, gamma: float):
        super().__init__()
        if in_dim % num_heads:
            raise ValueError(f"feature dimension {in_dim} is not divisible by num_heads={num_heads}")
        self.num_heads, self.tau, self.gamma = int(num_heads), float(tau), float(gamma)
        self.weight = _class_weights(num_classes, in_dim)

    def components(self, x: torch.Tensor, direction: torch.Tensor | None = None):
        """(logits, TDE correction): TDE logits = logits − α · correction."""
        return tde_components(x, self.weight, direction, tau=self.tau, gamma=self.gamma,
                              num_heads=self.num_heads)

    def class_norms(self) -> torch.Tensor:
        """‖v_i‖ of the effective class vectors v_i^k = w_i^k/(‖w_i^k‖+γ), heads concatenated: (C,)."""
        w = split_heads(self.weight, self.num_heads)
        v = w / (w.norm(dim=-1, keepdim=True) + self.gamma)
        return v.flatten(1).norm(dim=1)


class CosineHead(CausalNormHead):
    """τ · cos(x, w_i): the single-head causal norm with γ = 0."""

    kind = "cosine"

    def __init__(self, in_dim: int, num_classes: int, *, tau: float):
        super().__init__(in_dim, num_classes, num_heads=1, tau=tau, gamma=0.0)


class CapsuleHead(_TDEHead):
    """τ · squash(x)·ŵ_i, squash = :func:`capsule_norm`, ŵ_i = w_i/‖w_i‖. TDE (Capsule-TDE):
    τ · [squash(x) − α (squash(x)·d̂) d̂]·ŵ_i — the projection of the normalised feature on d̂
    removed, as for the causal norm (where the normalised feature is x̂ and x̂·d̂ = cos(x, d̂))."""

    kind = "capsule"

    def __init__(self, in_dim: int, num_classes: int, *, tau: float):
        super().__init__()
        self.num_heads, self.tau = 1, float(tau)
        self.weight = _class_weights(num_classes, in_dim)

    def components(self, x: torch.Tensor, direction: torch.Tensor | None = None):
        """(logits, TDE correction): TDE logits = logits − α · correction."""
        s = capsule_norm(x)
        w_hat = self.weight / self.weight.norm(dim=1, keepdim=True).clamp_min(EPS)
        logits = self.tau * s @ w_hat.T
        if direction is None:
            return logits, torch.zeros_like(logits)
        d_hat = unit(direction)
        return logits, self.tau * (s @ d_hat)[:, None] * (w_hat @ d_hat)[None, :]

    def class_norms(self) -> torch.Tensor:
        """‖ŵ_i‖ = 1 for every class: the classifier is already weight-normalised."""
        return torch.ones(self.weight.shape[0], dtype=self.weight.dtype, device=self.weight.device)


class LinearHead(_TDEHead):
    """W x + b. Counterfactual for α ≠ 0: W (x − α (x·d̂) d̂) + b."""

    kind = "linear"

    def __init__(self, in_dim: int, num_classes: int):
        super().__init__()
        self.fc = nn.Linear(in_dim, num_classes)
        self.num_heads = 1

    def components(self, x: torch.Tensor, direction: torch.Tensor | None = None):
        logits = self.fc(x)
        if direction is None:
            return logits, torch.zeros_like(logits)
        d_hat = unit(direction)
        return logits, (x @ d_hat)[:, None] * (self.fc.weight @ d_hat)[None, :]

    def class_norms(self) -> torch.Tensor:
        """‖w_i‖ of the rows of W: (C,)."""
        return self.fc.weight.norm(dim=1)

    def bias(self) -> torch.Tensor:
        return self.fc.bias


HEADS = {"linear": LinearHead, "cosine": CosineHead, "causal_norm": CausalNormHead, "capsule": CapsuleHead}


def build_head(kind: str, in_dim: int, num_classes: int, **hparams) -> nn.Module:
    """Head by kind name (``linear``, ``cosine``, ``causal_norm``, ``capsule``) with its hyper-parameters."""
    return HEADS[check_choice(kind, HEADS, "head")](in_dim, num_classes, **hparams)
