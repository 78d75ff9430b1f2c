"""A trained run as the notebooks and ``evaluate`` use it: cached test features, the head,
the head direction and the history. TDE logits for any α cost one multiply-add because TDE is
linear in α (see :mod:`lt_causal.models.tde`), so an α slider never re-runs the backbone; the
other test-time knobs (:mod:`lt_causal.evaluation.knobs`) are as cheap. Also the run folder's
evaluation files: features.pt, metrics.json and history.csv (:mod:`lt_causal.checkpoint` names them)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
import torch
from torch import nn

from lt_causal.checkpoint import CONFIG, FEATURES, HISTORY, METRICS, is_finished, load_checkpoint, save_checkpoint, save_json
from lt_causal.datasets.profiles import ACCURACY_KEYS
from lt_causal.datasets.registry import DATA_LABELS, SPLIT_LIST_DATASETS, dataset_of
from lt_causal.evaluation.knobs import get_knob
from lt_causal.evaluation.metrics import per_class_accuracy, shot_accuracy
from lt_causal.evaluation.stored import RUN_KEYS, read_stored, stored_form
from lt_causal.language import term, text
from lt_causal.methods.registry import METHODS, method_label
from lt_causal.models.tde import check_alpha, combine, head_cosines


def cell_label(cell: dict) -> str:
    """A cell of Table 3 as a learner reads it, in the active language:
    ``CIFAR-10-LT r=50 · de-confound · seed 1`` (no ``r=`` for a data set with a fixed split)."""
    fields = {"data": DATA_LABELS.get(cell["dataset"], cell["dataset"]), "seed": cell["seed"],
              "method": term(method_label(cell["method"]).lower())}
    if cell.get("imbalance") is None:
        return text("cell_label_fixed", **fields)
    return text("cell_label", r=cell["imbalance"], **fields)


def configured_alpha(config: dict) -> float:
    """The TDE strength a run's configuration (a dict) reports beside α = 0 (default 1, as TrainConfig)."""
    return check_alpha(config.get("alpha", 1.0))


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
    name: str | None = None        # "pretrained:<name>" for a shipped run (lt_causal.evaluation.packs)
    split: str = "test"            # the split the features score: "test", or "val" (lt_causal.evaluation.val_runs)

    def __post_init__(self):
        self.head.eval()
        with torch.no_grad():
            self._logits, self._correction = self.head.components(self.test_features, self.direction)

    def __repr__(self) -> str:
        where = f" at {self.path}" if self.path else (f" ({self.name})" if self.name else "")
        return (f"TrainedRun({self.method} on {self.data_name}, {len(self.classes)} classes, "
                f"{len(self.test_labels)} {self.split} images{where})")

    @property
    def method(self) -> str:
        return self.config.get("method", "?")

    @property
    def dataset(self) -> str:
        return self.config.get("dataset", "?")

    @property
    def data_name(self) -> str:
        """The data set as a learner reads it: its name, or an image folder's own name
        (``cifar10-jpeg`` rather than ``folder``)."""
        folder = self.config.get("folder_root")
        return Path(folder).name if self.dataset == "folder" and folder else self.dataset

    @property
    def cell(self) -> dict:
        """The run's cell of Table 3: data set (a folder of CIFAR-10's classes is CIFAR-10,
        :func:`~lt_causal.datasets.registry.dataset_of`), imbalance (None for a fixed split), method, seed."""
        imbalance = None if self.dataset in SPLIT_LIST_DATASETS else self.config.get("imbalance")
        return {"dataset": dataset_of(self.dataset, self.classes), "method": self.method,
                "imbalance": None if imbalance is None else float(imbalance), "seed": int(self.config.get("seed", 0))}

    @property
    def label(self) -> str:
        """:func:`cell_label` of the run: what titles and the run picker call it."""
        return cell_label(self.cell)

    @property
    def num_heads(self) -> int:
        return getattr(self.head, "num_heads", 1)

    @property
    def alpha(self) -> float:
        """The TDE strength the run was configured to report beside α = 0."""
        return configured_alpha(self.config)

    @property
    def reports_tde(self) -> bool:
        """Whether TDE is reported for this run: for the methods whose
        :class:`~lt_causal.methods.registry.Method` says so (the normalised heads of the paper's
        setting, not LDAM's margin classifier or NCM's class means), else for a normalised head."""
        if self.method in METHODS:
            return METHODS[self.method].reports_tde
        return getattr(self.head, "kind", "linear") != "linear"

    def report_alphas(self, alpha: float | None = None) -> list[float]:
        """α = 0 and the configured α (or ``alpha``) for a run that reports TDE, else [0]."""
        alpha = self.alpha if alpha is None else check_alpha(alpha)
        return [0.0, alpha] if self.reports_tde and alpha != 0 else [0.0]

    def logits(self, alpha: float = 0.0) -> torch.Tensor:
        """Test logits with TDE strength α (α = 0: the trained model as it is)."""
        return combine(self._logits, self._correction, alpha)

    def knob_logits(self, knob: str, value: float) -> torch.Tensor:
        """Test logits under a test-time knob: ``tde`` (α), ``logit_adjustment`` or ``tau_norm`` (τ)."""
        return get_knob(knob).logits(self, value)

    def predictions(self, value: float = 0.0, knob: str = "tde") -> torch.Tensor:
        """Predicted classes with ``knob`` at ``value`` (TDE's α by default; τ for the other two knobs)."""
        return self.knob_logits(knob, value).argmax(1)

    def evaluate(self, value: float = 0.0, knob: str = "tde", prior=None) -> dict:
        """Overall / many / medium / few accuracy (%) with ``knob`` at ``value`` (TDE's α by default,
        τ for τ-norm and logit adjustment). ``prior`` (``balanced``, ``train``, ``inverse``, an
        imbalance ratio; see :func:`lt_causal.evaluation.metrics.test_prior`) re-weights *overall* for
        a test set with that class distribution; None: the test set as it is (balanced for the
        shipped data sets)."""
        return shot_accuracy(self.predictions(value, knob), self.test_labels, self.train_counts, prior=prior)

    def per_class_accuracy(self, value: float = 0.0, knob: str = "tde") -> np.ndarray:
        return per_class_accuracy(self.predictions(value, knob), self.test_labels, len(self.classes))

    def sweep(self, values: Iterable[float], knob: str = "tde", prior=None) -> pd.DataFrame:
        """Accuracy for each value of ``knob``: for TDE, the curves of Fig. 4 of the paper (``prior``:
        as in :meth:`evaluate`)."""
        spec = get_knob(knob)
        rows = [{spec.value_name: spec.check(v), **self.evaluate(v, knob, prior)} for v in values]
        return pd.DataFrame(rows).set_index(spec.value_name)

    def mean_cos(self) -> list[float]:
        """Mean cos(x^k, d̂^k) over the test set, one value per head."""
        return head_cosines(self.test_features, self.direction, self.num_heads).mean(0).tolist()

    def suggested_alpha(self) -> float:
        """The authors' heuristic without a validation set: α such that α · mean cos ≈ 1."""
        return 1.0 / float(np.mean(self.mean_cos()))

    def save(self, path=None) -> None:
        """Write features.pt (the stored form, :func:`~lt_causal.evaluation.stored.stored_form`) and
        metrics.json into the run directory."""
        path = Path(path or self.path)
        save_checkpoint(stored_form(self), path / FEATURES)
        alpha = self.alpha
        save_json({"0.0": self.evaluate(0.0), str(alpha): self.evaluate(alpha),
                   "mean_cos": self.mean_cos(), "suggested_alpha": self.suggested_alpha()},
                  path / METRICS)


def save_history(history, run_dir) -> None:
    """history.csv of a run folder: one row per epoch."""
    pd.DataFrame(history).to_csv(Path(run_dir) / HISTORY, index=False)


def run_from_model(model, test_features, data, config: dict, history: pd.DataFrame,
                   path: Path | None = None) -> TrainedRun:
    """Wrap a trained :class:`~lt_causal.models.ltmodel.LTModel` and its test features as a run."""
    return TrainedRun(config, list(data.classes), list(data.train_counts), test_features,
                      data.test_y.clone(), model.head, model.direction.moving_sum.detach().clone(),
                      history, path)


def load_run_dir(path) -> TrainedRun:
    """Load a run folder written by :func:`lt_causal.train` or ``python -m lt_causal train``, its
    stored form checked (:func:`~lt_causal.evaluation.stored.read_stored`)."""
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"run directory not found: {path}")
    if not is_finished(path):
        raise FileNotFoundError(f"{path} has no {FEATURES}: the run has not finished training "
                                "(run the same train command again to resume it)")
    parts = read_stored(load_checkpoint(path / FEATURES, keys=RUN_KEYS), path / FEATURES)
    config = json.loads((path / CONFIG).read_text()) if (path / CONFIG).is_file() else {}
    history = pd.read_csv(path / HISTORY) if (path / HISTORY).is_file() else pd.DataFrame()
    return TrainedRun(config, parts["classes"], parts["train_counts"], parts["features"], parts["labels"],
                      parts["head"], parts["direction"], history, path)


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
    return pd.DataFrame.from_dict(rows, orient="index")[list(ACCURACY_KEYS)]
