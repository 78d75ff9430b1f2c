"""Test-time knobs: TDE's α (Tang et al. 2020), the τ-normalised classifier's τ (Kang et al. 2020)
and logit adjustment's τ (Menon et al. 2021), each one row of :data:`KNOBS` (name, symbol,
labels, slider grid, default), and :class:`KnobExplorerModel`, the state behind one knob's slider.

Every knob only rescales or shifts a run's cached test logits, so a slider move never re-runs
the backbone. The second stages ``tau-norm`` and ``logit-adjust`` fold the same corrections into
a trained head (:data:`lt_causal.methods.registry.STAGE_KNOBS` maps the spellings).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import torch

from lt_causal.checks import check_choice, check_finite
from lt_causal.evaluation.metrics import TestPrior, best_value, per_class_accuracy, prior_name, shot_accuracy
from lt_causal.methods.posthoc import logit_adjustment, tau_norm_logits


@dataclass(frozen=True)
class Knob:
    """One test-time knob: how its value changes a run's logits and how it is named."""

    name: str                        # "tde", "tau_norm", "logit_adjustment"
    symbol: str                      # α or τ
    value_name: str                  # "alpha" or "tau": the column of a sweep, the name in messages
    label: str                       # in table rows: "TDE", "τ-norm", "logit adjustment"
    axis: str                        # its figure axis: a key of the UI catalogue (lt_causal.language.text)
    values: np.ndarray               # the slider's grid
    default: float | None            # the value compared at by default (None: the run's own α)
    logits: Callable                 # (run, value) -> test logits

    def check(self, value) -> float:
        """The knob's value as a finite float, else one ValueError naming it."""
        return check_finite(value, self.value_name)

    def default_for(self, run) -> float:
        """The default value on ``run``: TDE's configured α (``run.alpha``), τ = 1 otherwise."""
        return run.alpha if self.default is None else self.default

    def applies_to(self, run) -> bool:
        """TDE on the runs whose method reports it (normalised heads), the others on every run."""
        return self.name != "tde" or run.reports_tde


def _tau_norm(run, tau: float) -> torch.Tensor:
    """Logits of the run's classifier τ-normalised (Kang et al. 2020), see :mod:`lt_causal.methods.posthoc`."""
    with torch.no_grad():
        return tau_norm_logits(run.logits(0.0), run.head.class_norms(), tau, run.head.bias())


def value_grid(stop: float) -> np.ndarray:
    """0, 0.05, ..., ``stop``: a knob's slider values."""
    return np.round(np.arange(0.0, stop + 1e-4, 0.05), 2)


# τ = 1 is the default of both τ knobs: no weight norm left (τ-norm), and the Bayes-optimal
# correction for the balanced error (logit adjustment)
KNOBS = {k.name: k for k in (
    Knob("tde", "α", "alpha", "TDE", "axis_tde", value_grid(3.0), None, lambda run, a: run.logits(a)),
    Knob("tau_norm", "τ", "tau", "τ-norm", "axis_tau_norm", value_grid(2.0), 1.0, _tau_norm),
    Knob("logit_adjustment", "τ", "tau", "logit adjustment", "axis_logit_adjustment", value_grid(2.0), 1.0,
         lambda run, tau: logit_adjustment(run.logits(0.0), run.train_counts, tau)),
)}


def run_label(run) -> str:
    """Which run this is: ``pretrained:<name>``, the run folder's name, or "in memory"."""
    if run.name:
        return str(run.name)
    if run.path is not None:
        return run.path.name
    return "in memory (not saved)"


def get_knob(name: str) -> Knob:
    """The knob called ``name``; an unknown name is one ValueError listing the valid ones."""
    return KNOBS[check_choice(name, KNOBS, "test-time knob")]


class KnobExplorerModel:
    """State behind one test-time-knob slider for one run: knob value, test prior (see
    :func:`lt_causal.evaluation.metrics.test_prior`), the curves over the knob's grid, the accuracy
    at value 0, and the predictions at the current value (one argmax per move)."""

    def __init__(self, run, knob: str = "tde", values: Sequence[float] | None = None, prior="balanced"):
        self.run, self.knob, self.spec = run, knob, get_knob(knob)
        self.values = np.asarray(self.spec.values if values is None else values, dtype=float)
        # predictions at every value, computed once: a new test prior only re-weights them
        self._curve_preds = [(self.spec.check(v), run.predictions(float(v), knob)) for v in self.values]
        self.set_prior(prior)
        self.set_value(0.0)

    def __repr__(self) -> str:
        return (f"KnobExplorerModel({self.knob}={self.value:g}, test prior {prior_name(self.prior)}, "
                f"run={self.run!r})")

    @property
    def symbol(self) -> str:
        return self.spec.symbol

    @property
    def run_name(self) -> str:
        return run_label(self.run)

    def set_value(self, value: float) -> None:
        """Move the knob; later reads of metrics/per_class reflect the new value."""
        self.value = self.spec.check(value)
        # one argmax per move; metrics and per_class are both read from it
        self._pred = self.run.predictions(self.value, self.knob)

    def set_prior(self, prior) -> None:
        """Change the test prior: the overall curve, the baseline and the best value follow;
        per-class and group accuracies do not change."""
        parsed = TestPrior.parse(prior)                                  # validates, one ValueError
        self.weights = parsed.weights(self.run.train_counts)
        self.prior = parsed
        run, name = self.run, self.spec.value_name
        self.curve = pd.DataFrame([{name: v, **shot_accuracy(p, run.test_labels, run.train_counts, prior=self.prior)}
                                   for v, p in self._curve_preds]).set_index(name)   # = run.sweep(values, knob, prior)
        self.baseline = run.evaluate(0.0, self.knob, prior=self.prior)

    @property
    def prior_label(self) -> str:
        return prior_name(self.prior)

    @property
    def metrics(self) -> dict:
        return shot_accuracy(self._pred, self.run.test_labels, self.run.train_counts, prior=self.prior)

    @property
    def per_class(self) -> np.ndarray:
        return per_class_accuracy(self._pred, self.run.test_labels, len(self.run.classes))

    @property
    def best(self) -> float:
        """The knob value with the highest overall accuracy under the current test prior."""
        return best_value(self.curve)

    @property
    def suggested(self) -> float | None:
        """α with α · mean cos(x, d̂) = 1 for TDE on a normalised head; None otherwise."""
        if self.knob != "tde" or self.run.head.kind == "linear":
            return None
        return self.run.suggested_alpha()
