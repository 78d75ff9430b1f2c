"""The head direction d̂: an exponential moving sum of training features (Assumption 1 of
Tang et al. 2020): x̄_t = μ·x̄_{t−1} + mean(batch features), with μ the SGD momentum."""
from __future__ import annotations

import torch
from torch import nn

from lt_causal.models.tde import unit_per_head


class HeadDirection(nn.Module):
    """Moving sum of batch-mean features, kept as a buffer so it is saved with the model."""

    def __init__(self, dim: int, mu: float = 0.9):
        super().__init__()
        if not 0.0 <= mu < 1.0:
            raise ValueError(f"head-direction decay mu must be in [0, 1), got {mu!r}")
        self.mu = float(mu)
        self.register_buffer("moving_sum", torch.zeros(dim))

    @torch.no_grad()
    def update(self, features: torch.Tensor) -> None:
        """x̄ ← μ x̄ + mean over the batch (call once per training step)."""
        self.moving_sum.mul_(self.mu).add_(features.detach().float().mean(0))

    def unit(self, num_heads: int = 1) -> torch.Tensor:
        """d̂, normalised separately in each of ``num_heads`` heads, flattened back to (D,)."""
        return unit_per_head(self.moving_sum, num_heads).reshape(-1)

    def extra_repr(self) -> str:
        return f"dim={self.moving_sum.numel()}, mu={self.mu}"
