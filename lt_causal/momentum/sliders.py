"""The state behind the two sliders of notebook 02 (the widgets that show it are in
:mod:`lt_causal.views.momentum_widgets`); state only, testable without a browser:

- :class:`MomentumToyModel`: μ → the SGD-momentum toy of :mod:`lt_causal.momentum.toy`; a μ move
  re-runs two 150-step simulations (well under 10 ms).
- :class:`MuGridModel`: Fig. 3c over a cached grid of trained runs
  (:func:`lt_causal.momentum.grid.momentum_grid`); a μ move only picks a precomputed row.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lt_causal.datasets.profiles import head_to_tail, shot_groups
from lt_causal.momentum.analysis import relative_accuracy_change
from lt_causal.momentum.toy import MomentumToy, figure_data, make_toy, simulate
from lt_causal.training.config import TrainConfig


class MomentumToyModel:
    """μ → the toy's paths (balanced and long-tailed, with and without momentum) and numbers."""

    def __init__(self, toy: MomentumToy | None = None, mu: float | None = None, arrow_every: int = 10):
        mu = TrainConfig.momentum if mu is None else mu          # the recipe's μ
        self.toy = toy if toy is not None else make_toy()
        self.arrow_every = arrow_every
        self.plain = {p: simulate(self.toy, 0.0, p) for p in self.toy.batch_labels}
        self.set_mu(mu)

    def __repr__(self) -> str:
        drift = ", ".join(f"{p} {self.data[p]['summary']['head_drift']:+.2f}" for p in self.data["profiles"])
        return f"MomentumToyModel(mu={self.mu:g}; drift to head: {drift})"

    def set_mu(self, mu: float) -> None:
        """Move the slider: recompute the momentum paths (the μ = 0 paths are cached)."""
        self.data = figure_data(self.toy, mu, arrow_every=self.arrow_every, plain=self.plain)
        self.mu = self.data["mu"]

    @property
    def summary(self) -> pd.DataFrame:
        """Rows (profile, μ) for μ = 0 and the current μ: drift to head, shared loss left, ..."""
        rows = []
        for p in self.data["profiles"]:
            rows.append(self.data[p]["summary_plain"])
            if self.mu != 0.0:
                rows.append(self.data[p]["summary"])
        return pd.DataFrame(rows).set_index(["profile", "mu"])


class MuGridModel:
    """Selection over a grid of runs {μ: TrainedRun} → Fig. 3c row (relative accuracy change)."""

    def __init__(self, runs_by_mu: dict, alpha: float = 0.0):
        if len(runs_by_mu) < 2:
            raise ValueError(f"a μ grid needs at least two runs, got {len(runs_by_mu)}")
        self.runs = dict(sorted(runs_by_mu.items()))
        self.mus = list(self.runs)
        self.reference = self.mus[-1]
        self.alpha = alpha
        self.change = relative_accuracy_change(self.runs, alpha)                  # rows μ, cols classes
        self.group_change = relative_accuracy_change(self.runs, alpha, by="group")
        counts = self.runs[self.reference].train_counts
        self.groups = list(np.asarray(shot_groups(counts))[head_to_tail(counts)])
        self.mu = self.mus[0]

    def __repr__(self) -> str:
        return f"MuGridModel(mu={self.mu:g} vs {self.reference:g}, grid={self.mus})"

    def select(self, mu: float) -> None:
        """Pick one μ of the grid (a value not in the grid is a ValueError)."""
        matches = [m for m in self.mus if np.isclose(m, float(mu))]
        if not matches:
            raise ValueError(f"mu {mu!r} is not in the grid {self.mus}")
        self.mu = matches[0]

    @property
    def row(self) -> pd.Series:
        """(acc_μ − acc_ref)/acc_ref per class, head → tail, for the selected μ."""
        return self.change.loc[self.mu]

    @property
    def group_row(self) -> pd.Series:
        return self.group_change.loc[self.mu]

    @property
    def span(self) -> float:
        """A y range (in %) that holds every row, so the axis stays put while the slider moves."""
        values = 100 * self.change.to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        return max(5.0, float(np.abs(finite).max()) * 1.15) if len(finite) else 5.0
