"""How momentum shows up in a trained model (Tang et al. 2020, §3 and Fig. 3; docs/method.md §2).

- :func:`decompose` splits features into x = ẍ + d with d = ‖x‖ cos(x, d̂) d̂, the projection on
  the head direction d̂ (Assumption 1; per head when ``num_heads`` > 1).
- :func:`class_direction_cosines` and :func:`feature_magnitude_per_class` (Fig. 3b) summarise a
  run's cached test features per class, ordered head → tail; :func:`magnitude_table` and
  :func:`magnitude_reading` say, per run, whether ‖x‖ and cos(x, d̂) do fall from head to tail
  (rank correlation with the class sizes) — the sentence notebook 02 shows beside the figure.
- :func:`relative_accuracy_change` gives Fig. 3c over runs trained with several SGD momenta μ
  (:func:`lt_causal.momentum.grid.momentum_grid`): (acc_μ − acc_μmax) / acc_μmax per class.

    >>> run = load_run("runs/mnist-lt-deconfound")
    >>> class_direction_cosines(run)["cos"]          # cos(mean feature of each class, d̂)
    >>> runs = momentum_grid([0.5, 0.7, 0.9], recipe("mnist-lt", quick=True))
    >>> relative_accuracy_change(runs)
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from lt_causal.datasets.profiles import SHOT_GROUPS, head_to_tail, shot_groups
from lt_causal.evaluation.runs import TrainedRun
from lt_causal.language import Reading, display_name, listing, sentences, text
from lt_causal.models.tde import EPS, head_cosines, split_heads, unit


def decompose(features: torch.Tensor, direction: torch.Tensor, num_heads: int = 1):
    """(ẍ, d) with x = ẍ + d and d = ‖x‖ cos(x, d̂) d̂ = (x·d̂) d̂ (docs/method.md §2; Fig. 2b of Tang et al.).

    ``features`` is (N, D) or (D,), ``direction`` the (unnormalised) moving sum x̄ of shape (D,).
    With ``num_heads`` = K > 1 every head x^k is decomposed on its own d̂^k, as TDE does.
    """
    features = torch.as_tensor(features)
    direction = torch.as_tensor(direction, dtype=features.dtype)
    if direction.ndim != 1 or features.shape[-1] != direction.shape[0]:
        raise ValueError(f"direction of shape {tuple(direction.shape)} does not match features of "
                         f"shape {tuple(features.shape)}: it must be one vector of their last dimension")
    d_heads = split_heads(direction, num_heads)                             # K, h
    norms = d_heads.norm(dim=-1, keepdim=True)
    if (norms <= EPS).any():
        raise ValueError("direction is zero (in at least one head): the moving sum was never updated")
    d_hat = d_heads / norms
    x = split_heads(features, num_heads)                                    # ..., K, h
    d = (x * d_hat).sum(-1, keepdim=True) * d_hat
    d = d.reshape(features.shape)
    return features - d, d


def _class_frame(run: TrainedRun, values: dict) -> pd.DataFrame:
    """DataFrame indexed by class name (head → tail) with count, shot group and ``values``."""
    order = head_to_tail(run.train_counts)
    groups = shot_groups(run.train_counts)
    frame = pd.DataFrame({"train_count": np.asarray(run.train_counts)[order],
                          "group": np.asarray(groups)[order],
                          **{k: np.asarray(v)[order] for k, v in values.items()}},
                         index=pd.Index([str(run.classes[i]) for i in order], name="class"))
    return frame


def _class_means(run: TrainedRun, values: torch.Tensor) -> torch.Tensor:
    """Mean of ``values`` (N, ...) over the test samples of each class → (C, ...); NaN if absent."""
    labels = run.test_labels.long()
    num_classes = len(run.classes)
    flat = values.reshape(len(values), -1).double()
    sums = torch.zeros(num_classes, flat.shape[1], dtype=torch.float64).index_add_(0, labels, flat)
    counts = torch.bincount(labels, minlength=num_classes).double()[:, None]
    means = torch.where(counts > 0, sums / counts.clamp_min(1), torch.full_like(sums, float("nan")))
    return means.reshape(num_classes, *values.shape[1:])


def class_direction_cosines(run: TrainedRun, num_heads: int = 1) -> pd.DataFrame:
    """Per class (head → tail): ``cos`` = cos(mean test feature of the class, d̂) and
    ``sample_cos`` = mean over the class's test images of cos(x, d̂); with K heads, the mean of
    the K per-head cosines (the quantity TDE subtracts, docs/method.md §4)."""
    feats = run.test_features.double()
    direction = run.direction.double()

    def cosines(x):                                                         # (N, D) -> (N,)
        return head_cosines(x, direction, num_heads).mean(-1)

    mean_feature = _class_means(run, feats)
    return _class_frame(run, {"cos": cosines(mean_feature).numpy(),
                              "sample_cos": _class_means(run, cosines(feats)).numpy()})


def feature_magnitude_per_class(run: TrainedRun) -> pd.DataFrame:
    """Fig. 3b of Tang et al.: mean (and std) of ‖x‖ over each class's test images, head → tail."""
    norms = run.test_features.double().norm(dim=1)
    mean = _class_means(run, norms)
    sq = _class_means(run, norms ** 2)
    std = (sq - mean ** 2).clamp_min(0).sqrt()
    return _class_frame(run, {"magnitude": mean.numpy(), "std": std.numpy()})


# a rank correlation with the class sizes at least this large reads as "falls from head to tail"
TREND = 0.5
MAGNITUDE_COLUMNS = ("rank corr. (size, ‖x‖)", "rank corr. (size, cos)", "longest ‖x‖", "shortest ‖x‖",
                     "highest cos")


def rank_correlation(a, b) -> float:
    """Spearman's rank correlation of two sequences (average ranks for ties)."""
    ra, rb = pd.Series(np.asarray(a, dtype=float)).rank(), pd.Series(np.asarray(b, dtype=float)).rank()
    return float(np.corrcoef(ra, rb)[0, 1])


def magnitude_table(runs: dict) -> pd.DataFrame:
    """Fig. 3b read as numbers, one row per run of ``runs`` ({name: TrainedRun}): the rank
    correlation of the classes' training-image counts with their mean ‖x‖ (Fig. 3b's claim: close
    to +1) and with cos(mean feature, d̂), and the classes with the longest and shortest mean
    feature and the highest cosine."""
    rows = {}
    for name, run in runs.items():
        m, c = feature_magnitude_per_class(run), class_direction_cosines(run)
        rows[name] = [rank_correlation(m["train_count"], m["magnitude"]),
                      rank_correlation(c["train_count"], c["cos"]),
                      m["magnitude"].idxmax(), m["magnitude"].idxmin(), c["cos"].idxmax()]
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(MAGNITUDE_COLUMNS))


def _trend(rho: float) -> str:
    return "trend_falls" if rho >= TREND else ("trend_rises" if rho <= -TREND else "trend_none")


def magnitude_reading(table: pd.DataFrame) -> Reading:
    """What :func:`magnitude_table` says about Fig. 3b, run by run, in the active language: does the
    mean feature magnitude fall from head to tail (rank correlation ≥ :data:`TREND`), and which
    class is longest; then whether the paper's pattern shows on every run, on some or on none."""
    size_mag, _, longest, shortest, _ = MAGNITUDE_COLUMNS
    lines = [text("magnitude_run", name=name, trend=text(_trend(row[size_mag])), rho=row[size_mag],
                  longest=display_name(row[longest]), shortest=display_name(row[shortest]))
             for name, row in table.iterrows()]
    shown = [name for name, row in table.iterrows() if row[size_mag] >= TREND]
    verdict = ("magnitude_all" if len(shown) == len(table) else "magnitude_none" if not shown else "magnitude_some")
    lines.append(text(verdict, runs=listing(shown)))
    return Reading(sentences(lines))


def decomposition_table(run: TrainedRun) -> pd.DataFrame:
    """One row per test image: its class, shot group, ‖x‖, cos(x, d̂) and the two parts of
    x = ẍ + d as lengths: ``parallel`` = ‖x‖cos(x, d̂) (signed length of d) and
    ``orthogonal`` = ‖ẍ‖ = ‖x‖ sin(x, d̂)."""
    x_ddot, d = decompose(run.test_features.double(), run.direction.double())
    d_hat = unit(run.direction.double())
    norm = run.test_features.double().norm(dim=1)
    labels = run.test_labels.long().numpy()
    groups = np.asarray(shot_groups(run.train_counts))
    parallel = (d * d_hat).sum(1)
    return pd.DataFrame({"label": labels, "class": [str(run.classes[i]) for i in labels],
                         "train_count": np.asarray(run.train_counts)[labels],
                         "group": groups[labels], "norm": norm.numpy(),
                         "cos": (parallel / norm.clamp_min(EPS)).numpy(),
                         "parallel": parallel.numpy(), "orthogonal": x_ddot.norm(dim=1).numpy()})


def relative_accuracy_change(runs_by_mu: dict, alpha: float = 0.0, *, by: str = "class",
                             reference: float | None = None) -> pd.DataFrame:
    """Fig. 3c of Tang et al.: (acc_μ − acc_ref) / acc_ref, ref = the largest μ by default.

    Rows = μ (ascending), columns = classes head → tail (``by="class"``) or
    many/medium/few/overall (``by="group"``); accuracies at TDE strength ``alpha``. A class with
    zero accuracy at the reference μ gives NaN (the ratio is undefined).
    """
    if not runs_by_mu:
        raise ValueError("runs_by_mu is empty: give at least one {mu: TrainedRun}")
    if by not in ("class", "group"):
        raise ValueError(f"by must be 'class' or 'group', got {by!r}")
    mus = sorted(runs_by_mu)
    reference = mus[-1] if reference is None else reference
    if reference not in runs_by_mu:
        raise ValueError(f"reference mu {reference!r} is not in the grid {mus}")
    acc = accuracy_by_mu(runs_by_mu, alpha, by=by)
    ref = acc.loc[reference]
    change = (acc - ref) / ref.where(ref != 0)
    change.index.name = "mu"
    return change


def accuracy_by_mu(runs_by_mu: dict, alpha: float = 0.0, *, by: str = "class") -> pd.DataFrame:
    """Accuracy (%) per μ: rows = μ ascending, columns = classes head → tail or shot groups."""
    rows = {}
    for mu in sorted(runs_by_mu):
        run = runs_by_mu[mu]
        if by == "class":
            order = head_to_tail(run.train_counts)
            acc = run.per_class_accuracy(alpha)
            rows[mu] = pd.Series(acc[order], index=[str(run.classes[i]) for i in order])
        else:
            rows[mu] = pd.Series(run.evaluate(alpha), dtype=float)[[*SHOT_GROUPS, "overall"]]
    frame = pd.DataFrame(rows).T
    frame.index.name = "mu"
    return frame
