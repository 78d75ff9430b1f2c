"""Accuracy by shot group: many (> 100 training images), medium (20–100), few (< 20), overall
and per class, in percent (the split used by Tang et al. 2020 and Liu et al. 2019).

**Test priors.** The paper's test sets are balanced. When the test data a model will meet is
long-tailed too (often the case in practice), "overall" accuracy is the per-class accuracy
weighted by the test distribution q: overall_q = Σ_c q_c · acc_c. :func:`test_prior` builds q
from a name — ``balanced`` (the paper's), ``train`` (the training distribution), ``inverse``
(tail classes most frequent) — or from an imbalance ratio r (a long-tailed test set with the
training order, n_max/n_min = r); :func:`prior_accuracy` applies it. A prior only re-weights
*overall*: many/medium/few stay the mean over their own test images, because a group accuracy
answers "how good is the model on these classes", not "how often will these classes come up".
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import torch

from lt_causal.datasets.profiles import SHOT_GROUPS, check_imbalance, head_to_tail, shot_groups

PRIORS = ("balanced", "train", "inverse")


def per_class_accuracy(pred, labels, num_classes: int) -> np.ndarray:
    """Top-1 accuracy (%) of each class; NaN for a class absent from ``labels``."""
    pred, labels = torch.as_tensor(pred), torch.as_tensor(labels)
    hits = torch.bincount(labels[pred == labels], minlength=num_classes).double()
    total = torch.bincount(labels, minlength=num_classes).double()
    acc = torch.where(total > 0, 100.0 * hits / total.clamp_min(1), torch.full_like(total, float("nan")))
    return acc.numpy()


def _ratio(prior) -> float | None:
    """``prior`` as an imbalance ratio (a number or a numeric string), or None if it is not one."""
    if isinstance(prior, bool):
        return None
    if isinstance(prior, (int, float, np.integer, np.floating)):
        return float(prior)
    if isinstance(prior, str):
        try:
            return float(prior.strip())
        except ValueError:
            return None
    return None


def test_prior(prior, train_counts: Sequence[int]) -> np.ndarray:
    """Class weights q (summing to 1, index = label) of a test distribution.

    ``prior`` is ``"balanced"`` (or None; q uniform), ``"train"`` (q ∝ training counts),
    ``"inverse"`` (q ∝ 1 / training counts), an imbalance ratio r ≥ 1 (a number or a numeric
    string such as ``"10"``: q_c ∝ r^(−k_c/(C−1)) where k_c is class c's rank from head to tail in
    the training counts, so the first head class is r times as frequent as the last tail class;
    r = 1 is balanced), or a sequence of C non-negative weights.  Anything else is a ValueError.
    """
    counts = np.asarray(train_counts, dtype=float)
    if counts.ndim != 1 or len(counts) == 0 or not np.all(np.isfinite(counts)) or (counts <= 0).any():
        raise ValueError(f"train_counts must be positive numbers, one per class, got {list(train_counts)!r}")
    n = len(counts)
    if prior is None or (isinstance(prior, str) and prior.strip().lower() == "balanced"):
        weights = np.ones(n)
    elif isinstance(prior, str) and prior.strip().lower() == "train":
        weights = counts.copy()
    elif isinstance(prior, str) and prior.strip().lower() == "inverse":
        weights = 1.0 / counts
    elif _ratio(prior) is not None:
        try:
            r = check_imbalance(_ratio(prior))
        except ValueError:
            raise ValueError(f"a test-prior imbalance ratio must be a finite number >= 1, got {prior!r}") from None
        rank = np.empty(n)
        rank[head_to_tail(counts)] = np.arange(n)
        weights = r ** (-rank / max(n - 1, 1))
    elif isinstance(prior, str):
        raise ValueError(f"unknown test prior {prior!r}; choose {', '.join(PRIORS)} or an imbalance ratio >= 1")
    else:
        try:
            weights = np.asarray(prior, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"a test prior must be {', '.join(PRIORS)}, a ratio or {n} weights, "
                             f"got {prior!r}") from None
        if weights.shape != (n,) or not np.all(np.isfinite(weights)) or (weights < 0).any() \
                or weights.sum() <= 0:
            raise ValueError(f"test-prior weights must be {n} finite non-negative numbers with a positive "
                             f"sum, got {prior!r}")
    return weights / weights.sum()


test_prior.__test__ = False    # a library function, not a test (for pytest when a test imports it)


def prior_name(prior) -> str:
    """A short label of a test prior for titles and tables: ``balanced``, ``train``, ``r=10``."""
    if prior is None:
        return "balanced"
    if isinstance(prior, str) and prior.strip().lower() in PRIORS:
        return prior.strip().lower()
    r = _ratio(prior)
    if r is not None:
        return f"r={r:g}"
    return "custom"


def prior_accuracy(per_class, weights) -> float:
    """Σ_c q_c · acc_c: the accuracy (%) expected on a test set drawn from the class weights q.

    ``per_class`` is per-class accuracy in % (NaN for a class without test images: its weight is
    dropped and the others renormalised); ``weights`` is :func:`test_prior`'s output."""
    acc = np.asarray(per_class, dtype=float)
    q = np.asarray(weights, dtype=float)
    if acc.shape != q.shape:
        raise ValueError(f"{len(acc)} per-class accuracies but {len(q)} prior weights")
    present = np.isfinite(acc) & (q > 0)
    if not present.any():
        raise ValueError("the test prior puts no weight on any class present in the test set")
    return float((acc[present] * q[present]).sum() / q[present].sum())


def shot_accuracy(pred, labels, train_counts: Sequence[int], prior=None) -> dict:
    """{"overall", "many", "medium", "few"} accuracy (%); a group with no class is None.

    ``prior=None``: overall is the mean over the test images as they are (for the shipped data
    sets, whose test sets are balanced, the same as ``"balanced"``). Any other ``prior``
    (see :func:`test_prior`) re-weights the per-class accuracies of ``overall`` only; the shot
    groups stay the mean over their own test images."""
    pred, labels = torch.as_tensor(pred), torch.as_tensor(labels)
    groups = np.asarray(shot_groups(train_counts))
    correct = (pred == labels).numpy()
    label_group = groups[labels.numpy()]
    out = {"overall": 100.0 * float(correct.mean())}
    if prior is not None:
        weights = test_prior(prior, train_counts)
        test_counts = np.bincount(labels.numpy(), minlength=len(weights))
        present = test_counts > 0
        w, n = weights[present], test_counts[present]
        uniform = (w.max() - w.min()) <= 1e-12 * w.max() and n.min() == n.max()
        if not (uniform and present.all()):   # a balanced prior on a balanced test set: the plain mean
            out["overall"] = prior_accuracy(per_class_accuracy(pred, labels, len(weights)), weights)
    for g in SHOT_GROUPS:
        mask = label_group == g
        out[g] = 100.0 * float(correct[mask].mean()) if mask.any() else None
    return out


def best_value(curve: pd.DataFrame, column: str = "overall") -> float:
    """The knob value (index of a :meth:`TrainedRun.sweep` table) where ``column`` peaks; the
    smallest such value on ties."""
    if curve.empty or column not in curve:
        raise ValueError(f"the curve has no {column!r} values")
    values = curve[column].astype(float)
    return float(values[values == values.max()].index.min())
