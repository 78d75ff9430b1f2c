"""A trained run as the notebooks and ``evaluate`` use it: cached test features, the head,
the head direction and the history. TDE logits for any α cost one multiply-add because TDE is
linear in α (see :mod:`lt_causal.tde`), so an α slider never re-runs the backbone."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
import torch
from torch import nn

from lt_causal.checkpoint import load_checkpoint, save_checkpoint, save_json
from lt_causal.heads import build_head
from lt_causal.metrics import per_class_accuracy, shot_accuracy
from lt_causal.posthoc import logit_adjustment, tau_norm_logits
from lt_causal.tde import check_alpha, head_cosines

FEATURES, METRICS = "features.pt", "metrics.json"


@dataclass
class TrainedRun:
    """Test features + head + direction of one trained model; evaluates any α instantly."""

    config: dict
    classes: list
    train_counts: list
    test_features: torch.Tensor
    test_labels: torch.Tensor
    head: nn.Module
    direction: torch.Tensor
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    path: Path | None = None
    name: str | None = None        # "pretrained:<name>" for a shipped run (lt_causal.pretrained)

    def __post_init__(self):
        self.head.eval()
        with torch.no_grad():
            self._logits, self._correction = self.head.components(self.test_features, self.direction)

    def __repr__(self) -> str:
        where = f" at {self.path}" if self.path else (f" ({self.name})" if self.name else "")
        return (f"TrainedRun({self.method} on {self.dataset}, {len(self.classes)} classes, "
                f"{len(self.test_labels)} test images{where})")

    @property
    def method(self) -> str:
        return self.config.get("method", "?")

    @property
    def dataset(self) -> str:
        return self.config.get("dataset", "?")

    @property
    def num_heads(self) -> int:
        return getattr(self.head, "num_heads", 1)

    def logits(self, alpha: float = 0.0) -> torch.Tensor:
        """Test logits with TDE strength α (α = 0: the trained model as it is)."""
        alpha = check_alpha(alpha)
        return self._logits - alpha * self._correction if alpha else self._logits

    def knob_logits(self, knob: str, value: float) -> torch.Tensor:
        """Test logits under a test-time knob: ``tde`` (α), ``logit_adjustment`` or ``tau_norm`` (τ)."""
        if knob not in KNOBS:
            raise ValueError(f"unknown test-time knob {knob!r}; choose one of {', '.join(KNOBS)}")
        return KNOBS[knob](self, value)

    def predictions(self, alpha: float = 0.0, knob: str = "tde") -> torch.Tensor:
        return self.knob_logits(knob, alpha).argmax(1)

    def evaluate(self, alpha: float = 0.0, knob: str = "tde", prior=None) -> dict:
        """Overall / many / medium / few accuracy (%) at α (or at the value of another knob).
        ``prior`` (``balanced``, ``train``, ``inverse``, an imbalance ratio; see
        :func:`lt_causal.metrics.test_prior`) re-weights *overall* for a test set with that class
        distribution; None: the test set as it is (balanced for the shipped data sets)."""
        return shot_accuracy(self.predictions(alpha, knob), self.test_labels, self.train_counts, prior=prior)

    def per_class_accuracy(self, alpha: float = 0.0, knob: str = "tde") -> np.ndarray:
        return per_class_accuracy(self.predictions(alpha, knob), self.test_labels, len(self.classes))

    def sweep(self, alphas: Iterable[float], knob: str = "tde", prior=None) -> pd.DataFrame:
        """Accuracy for each knob value: for TDE, the curves of Fig. 4 of the paper (``prior``:
        as in :meth:`evaluate`)."""
        rows = [{knob_label(knob): check_alpha(a, knob_label(knob)), **self.evaluate(a, knob, prior)}
                for a in alphas]
        return pd.DataFrame(rows).set_index(knob_label(knob))

    def mean_cos(self) -> list[float]:
        """Mean cos(x^k, d̂^k) over the test set, one value per head."""
        return head_cosines(self.test_features, self.direction, self.num_heads).mean(0).tolist()

    def suggested_alpha(self) -> float:
        """The authors' heuristic without a validation set: α such that α · mean cos ≈ 1."""
        return 1.0 / float(np.mean(self.mean_cos()))

    def save(self, path=None) -> None:
        """Write features.pt and metrics.json into the run directory."""
        path = Path(path or self.path)
        save_checkpoint({"test_features": self.test_features, "test_labels": self.test_labels,
                         "head": self.head.state_dict(), "head_kind": self.head.kind,
                         "head_hparams": self.head.hparams(), "direction": self.direction,
                         "train_counts": list(self.train_counts), "classes": list(self.classes)},
                        path / FEATURES)
        alpha = float(self.config.get("alpha", 1.0))
        save_json({"0.0": self.evaluate(0.0), str(alpha): self.evaluate(alpha),
                   "mean_cos": self.mean_cos(), "suggested_alpha": self.suggested_alpha()},
                  path / METRICS)


KNOBS = {
    "tde": lambda run, alpha: run.logits(alpha),
    "logit_adjustment": lambda run, tau: logit_adjustment(run.logits(0.0), run.train_counts, tau),
    "tau_norm": lambda run, tau: _tau_norm(run, tau),
}


def _tau_norm(run: TrainedRun, tau: float) -> torch.Tensor:
    """Logits of the run's classifier τ-normalised (Kang et al. 2020), see :mod:`lt_causal.posthoc`."""
    with torch.no_grad():
        return tau_norm_logits(run.logits(0.0), run.head.class_norms(), tau, run.head.bias())


def knob_label(knob: str) -> str:
    """The symbol of a knob's value: α for TDE, τ otherwise."""
    return "alpha" if knob == "tde" else "tau"


def run_from_model(model, test_features, data, config: dict, history: pd.DataFrame,
                   path: Path | None = None) -> TrainedRun:
    """Wrap a trained :class:`~lt_causal.model.LTModel` and its test features as a run."""
    return TrainedRun(config, list(data.classes), list(data.train_counts), test_features,
                      data.test_y.clone(), model.head, model.direction.moving_sum.detach().clone(),
                      history, path)


def load_run(path) -> TrainedRun:
    """Load a run directory written by :func:`lt_causal.train` or ``python -m lt_causal train``,
    or a shipped run ``"pretrained:<name>"`` (:mod:`lt_causal.pretrained`)."""
    from lt_causal.pretrained import is_pretrained, load_pretrained

    if is_pretrained(path):
        return load_pretrained(path)
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"run directory not found: {path}")
    if not (path / FEATURES).is_file():
        raise FileNotFoundError(f"{path} has no {FEATURES}: the run has not finished training "
                                "(run the same train command again to resume it)")
    blob = load_checkpoint(path / FEATURES, keys=("test_features", "test_labels", "head", "head_kind",
                                                  "head_hparams", "direction", "train_counts", "classes"))
    config = json.loads((path / "config.json").read_text()) if (path / "config.json").is_file() else {}
    feats = blob["test_features"]
    head = build_head(blob["head_kind"], feats.shape[1], len(blob["classes"]), **blob["head_hparams"])
    head.load_state_dict(blob["head"])
    history = pd.read_csv(path / "history.csv") if (path / "history.csv").is_file() else pd.DataFrame()
    return TrainedRun(config, list(blob["classes"]), list(blob["train_counts"]), feats,
                      blob["test_labels"], head, blob["direction"], history, path)


def find_runs(root=None) -> list[Path]:
    """Run directories (with features.pt) under ``root`` (default: the runs folder), newest first."""
    from lt_causal.settings import default_runs_dir
    root = Path(root) if root else default_runs_dir()
    if not root.is_dir():
        return []
    runs = [p.parent for p in root.glob("**/" + FEATURES)]
    return sorted(runs, key=lambda p: (p / FEATURES).stat().st_mtime, reverse=True)


def compare_runs(runs: dict, alphas: dict | None = None) -> pd.DataFrame:
    """Accuracy table of several runs: one row per run at α = 0, plus a row per extra α given
    in ``alphas`` ({run name: α}), e.g. ``{"deconfound": 1.0}`` adds "deconfound + TDE α=1"."""
    rows = {}
    for name, run in runs.items():
        rows[name] = run.evaluate(0.0)
        if alphas and name in alphas:
            a = check_alpha(alphas[name])
            rows[f"{name} + TDE α={a:g}"] = run.evaluate(a)
    return pd.DataFrame.from_dict(rows, orient="index")[["overall", "many", "medium", "few"]]
