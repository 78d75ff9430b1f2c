"""Class-aware sampling of training indices, shared by the decoupling second stage (class-balanced,
Kang et al. 2020) and BBN's re-balancing branch (reversed, Zhou et al. 2020).

A class-aware sampler first draws a class c with probability p_c, then an image of class c
uniformly. p_c ∝ n_c^q covers the usual ones: q = 1 is instance-balanced (plain shuffling
in expectation), q = 0 class-balanced, q = −1 BBN's reversed sampler (p_c ∝ n_max / n_c).
"""
from __future__ import annotations

import torch

from lt_causal.checks import check_choice
from lt_causal.datasets.profiles import class_counts

SAMPLERS = {"instance": 1.0, "class_balanced": 0.0, "reversed": -1.0}


def sampler_probs(train_counts, kind: str = "class_balanced") -> torch.Tensor:
    """p_c of the sampler ``kind`` (``instance``, ``class_balanced`` or ``reversed``), summing to 1."""
    w = class_counts(train_counts) ** SAMPLERS[check_choice(kind, SAMPLERS, "sampler")]
    return w / w.sum()


class ClassAwareSampler:
    """Draws training indices class first, then instance: ``sampler.draw(n, generator)``."""

    def __init__(self, labels: torch.Tensor, num_classes: int, kind: str = "class_balanced"):
        labels = torch.as_tensor(labels).cpu().long()
        counts = torch.bincount(labels, minlength=num_classes)
        self.probs = sampler_probs(counts.tolist(), kind)
        self.order = torch.argsort(labels, stable=True)           # indices grouped by class
        self.counts = counts
        self.starts = torch.cumsum(counts, 0) - counts

    def draw(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` training indices (CPU int64)."""
        cls = torch.multinomial(self.probs.float(), n, replacement=True, generator=generator)
        u = torch.rand(n, generator=generator, dtype=torch.float64)
        within = (u * self.counts[cls]).long().clamp_max(self.counts[cls] - 1)
        return self.order[self.starts[cls] + within]
