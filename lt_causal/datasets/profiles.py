"""Long-tailed class counts, seeded subsampling and the many/medium/few shot groups
(docs/method.md §5-6; Cao et al. 2019, LDAM, and Zhou et al. 2020, BBN, whose CIFAR-LT splits
Tang et al. 2020 use).

    >>> long_tail_counts(10, 5000, 100)
    [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]
    >>> shot_groups([5000, 50, 5])
    ['many', 'medium', 'few']
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from lt_causal.checks import check_choice, check_finite

PROFILES = ("exp", "step")
SHOT_GROUPS = ("many", "medium", "few")          # docs/method.md §6
ACCURACY_KEYS = ("overall", *SHOT_GROUPS)        # what every accuracy table reports, in this order
FEW_BELOW, MANY_ABOVE = 20, 100                  # few: < 20 training images, many: > 100


def check_imbalance(imbalance) -> float:
    """``imbalance`` = n_max / n_min as a float ≥ 1; anything else is a ValueError naming it."""
    value = check_finite(imbalance, "imbalance")
    if value < 1:
        raise ValueError(f"imbalance must be a finite number >= 1, got {imbalance!r}")
    return value


def check_profile(profile: str) -> str:
    """``profile`` if it is a long-tail profile (``exp`` or ``step``), else one ValueError."""
    return check_choice(profile, PROFILES, "long-tail profile")


def long_tail_counts(num_classes: int, n_max: int, imbalance: float = 100.0,
                     profile: str = "exp") -> list[int]:
    """Training images kept per class, head (label 0) first; the CIFAR-LT rule of LDAM/BBN.

    ``exp``: n_i = int(n_max · r^(i/(C−1))) with r = 1/imbalance (docs/method.md §5), so class 0 keeps
    n_max and the last class n_max/imbalance.  ``step``: the first ⌊C/2⌋ classes keep n_max and
    the others int(n_max/imbalance) (the step profile of Cao et al. 2019).  ``imbalance=1`` gives
    a balanced split of n_max per class.
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    if isinstance(n_max, bool) or not isinstance(n_max, (int, np.integer)) or n_max < 1:
        raise ValueError(f"n_max must be a positive integer, got {n_max!r}")
    imbalance = check_imbalance(imbalance)
    check_profile(profile)
    num_classes, n_max = int(num_classes), int(n_max)
    r = 1.0 / imbalance
    if num_classes == 1:
        counts = [n_max]
    elif profile == "exp":
        # Same float expression as the reference code (img_max * imb_factor ** (i / (C - 1.0))),
        # so the published counts come out exactly, e.g. int(5000 * 0.01 ** (1 / 9)) == 2997.
        counts = [int(n_max * r ** (i / (num_classes - 1.0))) for i in range(num_classes)]
    else:
        counts = [n_max if i < num_classes // 2 else int(n_max * r) for i in range(num_classes)]
    if min(counts) < 1:
        raise ValueError(f"imbalance {imbalance:g} leaves the tail class with 0 images "
                         f"(n_max={n_max}); use an imbalance <= {n_max}")
    return counts


def subsample_long_tail(labels, counts: Sequence[int], seed: int = 0) -> torch.Tensor:
    """Sorted indices keeping ``counts[c]`` random samples of each class c (seeded, reproducible)."""
    y = torch.as_tensor(np.asarray(labels)).long().flatten()
    counts = [int(c) for c in counts]
    if any(c < 0 for c in counts):
        raise ValueError(f"counts must be non-negative, got {counts!r}")
    if len(y) and (int(y.min()) < 0 or int(y.max()) >= len(counts)):
        bad = int(y.max()) if int(y.max()) >= len(counts) else int(y.min())
        raise ValueError(f"label {bad} is outside the {len(counts)} classes that counts describes")
    have = torch.bincount(y, minlength=len(counts)).tolist()
    short = [c for c, (n, h) in enumerate(zip(counts, have)) if n > h]
    if short:
        c = short[0]
        raise ValueError(f"class {c} has {have[c]} samples but {counts[c]} were asked for")
    gen = torch.Generator().manual_seed(int(seed))
    keep = []
    for c, n in enumerate(counts):
        members = torch.nonzero(y == c).flatten()
        keep.append(members[torch.randperm(len(members), generator=gen)[:n]])
    return torch.sort(torch.cat(keep)).values if keep else torch.zeros(0, dtype=torch.long)


def class_counts(train_counts: Sequence[int]) -> torch.Tensor:
    """Per-class training counts as a float64 tensor; one ValueError if a class has none."""
    n = torch.as_tensor(list(train_counts), dtype=torch.float64)
    if (n <= 0).any():
        raise ValueError(f"every class needs at least one training sample, got counts {list(train_counts)}")
    return n


def shot_group(count: int) -> str:
    """"many" (> 100 training images), "medium" (20–100) or "few" (< 20): Liu et al. 2019."""
    return "many" if count > MANY_ABOVE else ("medium" if count >= FEW_BELOW else "few")


def shot_groups(train_counts: Sequence[int]) -> list[str]:
    """The shot group of each class from its training count (docs/method.md §6)."""
    return [shot_group(int(n)) for n in train_counts]


def rarest_group(train_counts: Sequence[int]) -> str:
    """The rarest shot group that has classes: "few", or "medium" for a split without few-shot
    classes (CIFAR-10-LT at every ratio of Table 3), else "many"."""
    present = set(shot_groups(train_counts))
    return next(g for g in reversed(SHOT_GROUPS) if g in present)


def head_to_tail(train_counts: Sequence[int]) -> np.ndarray:
    """Class indices sorted by training count, largest first (ties keep label order)."""
    return np.argsort(-np.asarray(train_counts), kind="stable")


class ClassCounts:
    """What a data set with ``classes`` and per-class ``train_counts`` knows of its shape: the
    number of classes and the imbalance (shared by in-memory and split-list data sets)."""

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def imbalance(self) -> float:
        """n_max / n_min of the train split."""
        return max(self.train_counts) / max(1, min(self.train_counts))
