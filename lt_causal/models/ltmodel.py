"""The long-tailed classifier: backbone → feature x → head, plus the head direction x̄ that the
training step updates (saved with the weights), and its features of uint8 images in eval mode."""
from __future__ import annotations

import torch
from torch import nn

from lt_causal.datasets.augment import normalize
from lt_causal.models.tde import HeadDirection
from lt_causal.precision import autocast, memory_format, resolve_precision


class LTModel(nn.Module):
    """backbone + head + head direction; ``forward(x, alpha)`` returns (TDE) logits."""

    def __init__(self, backbone: nn.Module, head: nn.Module, mu: float):
        super().__init__()
        self.backbone, self.head = backbone, head
        self.direction = HeadDirection(backbone.feature_dim, mu)

    def forward(self, x: torch.Tensor, alpha: float = 0.0) -> torch.Tensor:
        return self.head(self.backbone(x), self.direction.moving_sum, alpha)


def place_model(model: nn.Module, device, precision: str) -> nn.Module:
    """``model`` on ``device`` in the memory layout of ``precision`` (channels_last under bf16 or
    on CUDA): training and every later feature extraction see the same kernels."""
    return model.to(device).to(memory_format=memory_format(device, resolve_precision(precision, device)))


@torch.no_grad()
def extract_features(model: LTModel, x_uint8: torch.Tensor, mean, std, batch_size: int = 1024,
                     precision: str = "auto") -> torch.Tensor:
    """Backbone features (float32, on CPU) of uint8 images, in eval mode, at ``precision``
    (:mod:`lt_causal.precision`)."""
    model.eval()
    device = next(model.parameters()).device
    precision = resolve_precision(precision, device)
    layout = memory_format(device, precision)
    model.to(memory_format=layout)   # the weights' layout picks the kernels: same as in training
    out = []
    for i in range(0, len(x_uint8), batch_size):
        xb = normalize(x_uint8[i:i + batch_size].to(device, non_blocking=True), mean, std)
        with autocast(device, precision):
            out.append(model.backbone(xb.contiguous(memory_format=layout)).float().cpu())
    return torch.cat(out)
