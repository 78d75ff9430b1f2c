"""The long-tailed classifier: backbone → feature x → head, plus the head direction x̄ that the
trainer updates every step (saved with the weights)."""
from __future__ import annotations

import torch
from torch import nn

from lt_causal.models.backbones import build_backbone
from lt_causal.models.head_direction import HeadDirection
from lt_causal.models.heads import build_head
from lt_causal.methods.registry import get_method


class LTModel(nn.Module):
    """backbone + head + head direction; ``forward(x, alpha)`` returns (TDE) logits."""

    def __init__(self, backbone: nn.Module, head: nn.Module, mu: float = 0.9):
        super().__init__()
        self.backbone, self.head = backbone, head
        self.direction = HeadDirection(backbone.feature_dim, mu)

    def forward(self, x: torch.Tensor, alpha: float = 0.0) -> torch.Tensor:
        return self.head(self.backbone(x), self.direction.moving_sum, alpha)


def head_hparams(method: str, num_heads: int, tau: float, gamma: float) -> dict:
    """Hyper-parameters of the head that ``method`` uses."""
    kind = get_method(method).head
    if kind == "causal_norm":
        return {"num_heads": num_heads, "tau": tau, "gamma": gamma}
    if kind in ("cosine", "capsule"):
        return {"tau": tau}
    return {}


def build_model(method: str, arch: str, in_channels: int, num_classes: int, *, mu: float = 0.9,
                num_heads: int = 2, tau: float = 16.0, gamma: float = 1 / 32) -> LTModel:
    """The model for a named method (see :mod:`lt_causal.methods.registry`)."""
    spec = get_method(method)
    backbone = build_backbone(arch, in_channels, bilateral=spec.step == "bbn")
    kind = spec.head
    head = build_head(kind, backbone.feature_dim, num_classes, **head_hparams(method, num_heads, tau, gamma))
    return LTModel(backbone, head, mu)
