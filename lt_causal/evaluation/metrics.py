"""Accuracy by shot group: many (> 100 training images), medium (20–100), few (< 20), overall
and per class, in percent (the split used by Tang et al. 2020 and Liu et al. 2019)."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from lt_causal.datasets.profiles import SHOT_GROUPS, shot_groups


def per_class_accuracy(pred, labels, num_classes: int) -> np.ndarray:
    """Top-1 accuracy (%) of each class; NaN for a class absent from ``labels``."""
    pred, labels = torch.as_tensor(pred), torch.as_tensor(labels)
    hits = torch.bincount(labels[pred == labels], minlength=num_classes).double()
    total = torch.bincount(labels, minlength=num_classes).double()
    acc = torch.where(total > 0, 100.0 * hits / total.clamp_min(1), torch.full_like(total, float("nan")))
    return acc.numpy()


def shot_accuracy(pred, labels, train_counts: Sequence[int]) -> dict:
    """{"overall", "many", "medium", "few"} accuracy (%); a group with no class is None."""
    pred, labels = torch.as_tensor(pred), torch.as_tensor(labels)
    groups = np.asarray(shot_groups(train_counts))
    correct = (pred == labels).numpy()
    label_group = groups[labels.numpy()]
    out = {"overall": 100.0 * float(correct.mean())}
    for g in SHOT_GROUPS:
        mask = label_group == g
        out[g] = 100.0 * float(correct[mask].mean()) if mask.any() else None
    return out
