"""The two sliders of notebook 02, each a pure model (testable without a browser) and a thin
ipywidgets view:

- :class:`MomentumToyModel` / :func:`momentum_toy_view`: the SGD-momentum toy of
  :mod:`lt_causal.momentum_toy`; a μ move re-runs two 150-step simulations (well under 10 ms).
- :class:`MuGridModel` / :func:`mu_grid_view`: Fig. 3c over a cached grid of trained runs
  (:func:`lt_causal.momentum_analysis.momentum_grid`); a μ move only picks a precomputed row.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd

from lt_causal.momentum_analysis import head_to_tail, relative_accuracy_change
from lt_causal.momentum_toy import MomentumToy, figure_data, make_toy, simulate


class MomentumToyModel:
    """μ → the toy's paths (balanced and long-tailed, with and without momentum) and numbers."""

    def __init__(self, toy: MomentumToy | None = None, mu: float = 0.9, arrow_every: int = 10):
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

    def summary_html(self) -> str:
        """Drift towards the head and shared loss left, with stable CSS classes."""
        cells = []
        for p in self.data["profiles"]:
            s, s0 = self.data[p]["summary"], self.data[p]["summary_plain"]
            key = p.replace("-", "")
            cells.append(f'<td class="lt-toy-{key}" style="padding-right:2em" data-drift="{s["head_drift"]:.4f}" '
                         f'data-shared-loss="{s["shared_loss"]:.3e}"><b>{html.escape(p)}</b><br>'
                         f'drift to head (bad): {s["head_drift"]:+.2f} (μ = 0: {s0["head_drift"]:+.2f})<br>'
                         f'shared loss left (good if small): {s["shared_loss"]:.1e} '
                         f'(μ = 0: {s0["shared_loss"]:.1e})</td>')
        return (f'<div class="lt-toy-summary">after {self.toy.steps} steps, μ = {self.mu:.2f}'
                f'<table><tr>{"".join(cells)}</tr></table></div>')


def momentum_toy_view(model: MomentumToyModel | None = None, mu: float = 0.9):
    """μ slider (CSS class ``lt-mu-slider``) + numbers + the two toy panels, updated in place."""
    import ipywidgets as W

    from lt_causal.momentum_plots import toy_paths_plotly, update_toy_paths

    model = model if model is not None else MomentumToyModel(mu=mu)
    slider = W.FloatSlider(value=model.mu, min=0.0, max=0.99, step=0.01, description="μ:",
                           continuous_update=True, readout_format=".2f", layout=W.Layout(width="420px"))
    slider.add_class("lt-mu-slider")
    summary = W.HTML(model.summary_html())
    figure = toy_paths_plotly(model.toy, model.data, widget=True)

    def on_change(change):
        model.set_mu(change["new"])
        summary.value = model.summary_html()
        update_toy_paths(figure, model.data)

    slider.observe(on_change, names="value")
    box = W.VBox([slider, summary, figure])
    box.model, box.figure, box.slider = model, figure, slider
    return box


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
        from lt_causal.profiles import shot_groups
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

    def summary_html(self) -> str:
        g = self.group_row
        cells = "".join(f'<td class="lt-mu-grid-{k}" style="padding-right:2em" data-value="{100 * g[k]:.2f}">'
                        f'<b>{k}</b><br>'
                        f'{100 * g[k]:+.1f} %</td>' for k in ("many", "medium", "few", "overall")
                        if np.isfinite(g[k]))
        return (f'<div class="lt-mu-grid-summary">relative change of accuracy, μ = {self.mu:g} vs '
                f'μ = {self.reference:g}<table><tr>{cells}</tr></table></div>')


def mu_grid_view(runs_by_mu: dict | None = None, *, model: MuGridModel | None = None, alpha: float = 0.0):
    """SelectionSlider over μ (CSS class ``lt-mu-grid-slider``) + group summary + per-class bars."""
    import ipywidgets as W

    from lt_causal.momentum_plots import grid_note, relative_change_plotly, update_relative_change

    model = model if model is not None else MuGridModel(runs_by_mu, alpha)
    slider = W.SelectionSlider(options=[(f"{m:g}", m) for m in model.mus], value=model.mu,
                               description="μ:", continuous_update=True, layout=W.Layout(width="420px"))
    slider.add_class("lt-mu-grid-slider")
    summary = W.HTML(model.summary_html())
    figure = relative_change_plotly(model.row, model.groups, model.mu, model.reference, widget=True,
                                    span=model.span, note=grid_note(model.runs))

    def on_change(change):
        model.select(change["new"])
        summary.value = model.summary_html()
        update_relative_change(figure, model.row, model.mu, model.reference, model.span)

    slider.observe(on_change, names="value")
    box = W.VBox([slider, summary, figure])
    box.model, box.figure, box.slider = model, figure, slider
    return box
