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

from dataclasses import dataclass
from functools import lru_cache
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


@dataclass(frozen=True, eq=False)
class TestPrior:
    """A test distribution over the classes, parsed once (:meth:`parse`) from what a learner or a
    command line gives: ``"balanced"`` (or None; q uniform), ``"train"`` (q ∝ training counts),
    ``"inverse"`` (q ∝ 1 / training counts), an imbalance ratio r ≥ 1 (a number or a numeric string
    such as ``"10"``: q_c ∝ r^(−k_c/(C−1)) where k_c is class c's rank from head to tail in the
    training counts, so the first head class is r times as frequent as the last tail class), or C
    non-negative weights. It knows its :attr:`name` (``balanced``, ``train``, ``r=10``, ``custom``),
    its :meth:`weights` for a run's class counts (computed once per counts) and equals any value
    that parses to it (``TestPrior.parse("10") == 10``)."""

    __test__ = False          # a library class, not a test (for pytest when a test imports it)
    kind: str                 # balanced | train | inverse | ratio | weights
    ratio: float | None = None
    given: tuple | None = None

    @classmethod
    def parse(cls, value) -> "TestPrior":
        if isinstance(value, TestPrior):
            return value
        if value is None:
            return cls("balanced")
        if isinstance(value, str) and value.strip().lower() in PRIORS:
            return cls(value.strip().lower())
        r = _ratio(value)
        if r is not None:
            try:
                return cls("ratio", ratio=check_imbalance(r))
            except ValueError:
                raise ValueError(f"a test-prior imbalance ratio must be a finite number >= 1, got {value!r}") from None
        if isinstance(value, (str, bool)):
            raise ValueError(f"unknown test prior {value!r}; choose {', '.join(PRIORS)} or an imbalance ratio >= 1")
        try:
            weights = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"a test prior must be {', '.join(PRIORS)}, a ratio or one weight per class, "
                             f"got {value!r}") from None
        if weights.ndim != 1 or not len(weights) or not np.all(np.isfinite(weights)) or (weights < 0).any() \
                or weights.sum() <= 0:
            raise ValueError(f"test-prior weights must be finite non-negative numbers with a positive sum, "
                             f"got {value!r}")
        return cls("weights", given=tuple(float(w) for w in weights))

    @property
    def name(self) -> str:
        """A short label for titles and tables: ``balanced``, ``train``, ``inverse``, ``r=10``, ``custom``."""
        if self.kind == "ratio":
            return f"r={self.ratio:g}"
        return "custom" if self.kind == "weights" else self.kind

    def weights(self, train_counts: Sequence[int]) -> np.ndarray:
        """Class weights q (summing to 1, index = label) for a split with ``train_counts``
        (read-only; computed once per counts)."""
        return _weights(self, tuple(float(c) for c in train_counts))

    def __eq__(self, other) -> bool:
        if not isinstance(other, TestPrior):
            try:
                other = TestPrior.parse(other)
            except ValueError:
                return False
        return (self.kind, self.ratio, self.given) == (other.kind, other.ratio, other.given)

    def __hash__(self) -> int:
        return hash((self.kind, self.ratio, self.given))

    def __str__(self) -> str:
        return self.name


@lru_cache(maxsize=256)
def _weights(prior: TestPrior, counts: tuple) -> np.ndarray:
    c = np.asarray(counts, dtype=float)
    if c.ndim != 1 or len(c) == 0 or not np.all(np.isfinite(c)) or (c <= 0).any():
        raise ValueError(f"train_counts must be positive numbers, one per class, got {list(counts)!r}")
    n = len(c)
    if prior.kind == "balanced":
        weights = np.ones(n)
    elif prior.kind == "train":
        weights = c.copy()
    elif prior.kind == "inverse":
        weights = 1.0 / c
    elif prior.kind == "ratio":
        rank = np.empty(n)
        rank[head_to_tail(c)] = np.arange(n)
        weights = prior.ratio ** (-rank / max(n - 1, 1))
    else:
        weights = np.asarray(prior.given, dtype=float)
        if weights.shape != (n,):
            raise ValueError(f"test-prior weights must be {n} finite non-negative numbers, one per class, got {len(weights)}")
    weights = weights / weights.sum()
    weights.flags.writeable = False
    return weights


def test_prior(prior, train_counts: Sequence[int]) -> np.ndarray:
    """Class weights q (summing to 1, index = label) of the test distribution ``prior`` (anything
    :meth:`TestPrior.parse` takes; anything else is one ValueError) for ``train_counts``."""
    return TestPrior.parse(prior).weights(train_counts).copy()


test_prior.__test__ = False    # a library function, not a test (for pytest when a test imports it)


def prior_name(prior) -> str:
    """A short label of a test prior for titles and tables: ``balanced``, ``train``, ``r=10``."""
    return TestPrior.parse(prior).name


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
        weights = TestPrior.parse(prior).weights(train_counts)
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
