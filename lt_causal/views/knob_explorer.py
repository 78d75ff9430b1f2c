"""The α slider of notebook 04: a pure model (:class:`KnobExplorerModel`, testable without a
browser) and a thin ipywidgets view (:func:`knob_explorer`).

Everything a slider move needs comes from a run's cached test logits (TDE is linear in α), so
one move costs a few milliseconds: accuracy by shot group, per-class accuracy, and a marker on
the precomputed accuracy-vs-knob curves (Fig. 4 of Tang et al. 2020).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from lt_causal.evaluation.metrics import per_class_accuracy, shot_accuracy
from lt_causal.evaluation.runs import TrainedRun, knob_label
from lt_causal.models.tde import check_alpha

GROUPS = ("overall", "many", "medium", "few")
DEFAULT_VALUES = {"tde": np.round(np.arange(0.0, 3.0001, 0.05), 2),
                  "logit_adjustment": np.round(np.arange(0.0, 2.0001, 0.05), 2),
                  "tau_norm": np.round(np.arange(0.0, 2.0001, 0.05), 2)}


class KnobExplorerModel:
    """State behind one test-time-knob slider for one run."""

    def __init__(self, run: TrainedRun, knob: str = "tde", values: Sequence[float] | None = None):
        self.run, self.knob = run, knob
        self.values = np.asarray(DEFAULT_VALUES[knob] if values is None else values, dtype=float)
        self.curve = run.sweep(self.values, knob)
        self.baseline = run.evaluate(0.0, knob)
        self.set_value(0.0)

    def __repr__(self) -> str:
        return f"KnobExplorerModel({self.knob}={self.value:g}, run={self.run!r})"

    @property
    def symbol(self) -> str:
        return "α" if self.knob == "tde" else "τ"

    def set_value(self, value: float) -> None:
        """Move the knob; later reads of metrics/per_class reflect the new value."""
        self.value = check_alpha(value, knob_label(self.knob))
        # one argmax per move; metrics and per_class are both read from it
        self._pred = self.run.predictions(self.value, self.knob)

    @property
    def metrics(self) -> dict:
        return shot_accuracy(self._pred, self.run.test_labels, self.run.train_counts)

    @property
    def per_class(self) -> np.ndarray:
        return per_class_accuracy(self._pred, self.run.test_labels, len(self.run.classes))

    @property
    def suggested(self) -> float | None:
        """α with α · mean cos(x, d̂) = 1 for TDE on a normalised head; None otherwise."""
        if self.knob != "tde" or self.run.head.kind == "linear":
            return None
        return self.run.suggested_alpha()

    def summary_html(self) -> str:
        """Accuracy by group at the current value vs value 0, with stable CSS classes."""
        m, b = self.metrics, self.baseline
        groups = [g for g in GROUPS if m[g] is not None]
        cell = 'style="padding:2px 14px; text-align:right"'
        head = "".join(f"<th {cell}>{g}</th>" for g in groups)
        acc = "".join(f'<td class="lt-knob-{g}" data-value="{m[g]:.2f}" {cell}><b>{m[g]:.2f} %</b></td>'
                      for g in groups)
        delta = "".join(f"<td {cell}>{m[g] - b[g]:+.2f}</td>" for g in groups)
        title = f"{self.run.method} on {self.run.dataset}, {self.symbol} = {self.value:.2f}"
        return (f'<div class="lt-knob-summary"><div>{title}</div><table>'
                f"<tr><th></th>{head}</tr><tr><td>accuracy</td>{acc}</tr>"
                f"<tr><td>change vs {self.symbol} = 0</td>{delta}</tr></table></div>")


def knob_explorer(run: TrainedRun, knob: str = "tde", values: Sequence[float] | None = None):
    """ipywidgets view: slider + accuracy table + per-class bars + curves with a marker."""
    import ipywidgets as W

    from lt_causal.views.run_plots import knob_curve_figure, per_class_figure

    model = KnobExplorerModel(run, knob, values)
    step = float(np.diff(model.values).min()) if len(model.values) > 1 else 0.05
    slider = W.FloatSlider(value=0.0, min=float(model.values.min()), max=float(model.values.max()),
                           step=step, description=f"{model.symbol}:", continuous_update=True,
                           readout_format=".2f", layout=W.Layout(width="420px"))
    slider.add_class(f"lt-knob-slider-{knob}")
    summary = W.HTML(model.summary_html())
    bars = per_class_figure(model, widget=True)
    curve = knob_curve_figure(model, widget=True)

    def on_change(change):
        model.set_value(change["new"])
        summary.value = model.summary_html()
        with bars.batch_update():
            bars.data[0].y = model.per_class
        with curve.batch_update():
            for shape in curve.layout.shapes:
                shape.x0 = shape.x1 = model.value

    slider.observe(on_change, names="value")
    box = W.VBox([slider, summary, W.HBox([bars, curve], layout=W.Layout(flex_flow="row wrap"))])
    box.model = model  # for tests and curious learners
    return box


def run_picker(default: TrainedRun | None = None, root=None, knob: str = "tde"):
    """A dropdown over the run directories under ``root`` (default: the runs folder) and the
    shipped runs (``pretrained:<name>``) that swaps the run behind a :func:`knob_explorer`."""
    import ipywidgets as W

    from lt_causal.evaluation.packs import PREFIX, pretrained_names
    from lt_causal.evaluation.runs import find_runs, load_run

    options = []
    if default is not None:
        where = default.path.name if default.path else default.name
        options.append((f"this notebook: {default.method} on {default.dataset}" + (f" ({where})" if where else ""),
                        default))
    options += [(str(p.name), p) for p in find_runs(root) if default is None or p != default.path]
    options += [(f"shipped: {n}", PREFIX + n) for n in pretrained_names()
                if default is None or default.name != PREFIX + n]
    if not options:
        return W.HTML("No finished runs found: train one in notebook 03/05 or with `python -m lt_causal train`.")
    dropdown = W.Dropdown(options=options, description="run:", layout=W.Layout(width="640px"))
    holder = W.VBox([])

    def show(value):
        run = value if isinstance(value, TrainedRun) else load_run(value)
        holder.children = [knob_explorer(run, knob)]

    dropdown.observe(lambda change: show(change["new"]), names="value")
    show(dropdown.value)
    return W.VBox([dropdown, holder])
