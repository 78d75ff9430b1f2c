"""The knob sliders of notebooks 04-06: a thin ipywidgets view (:func:`knob_explorer`) of a
:class:`~lt_causal.evaluation.knobs.KnobExplorerModel`, and a run picker that swaps the run
behind it.

Everything a slider move needs comes from a run's cached test logits (TDE is linear in α), so
one move costs a few milliseconds: accuracy by shot group, per-class accuracy, and a marker on
the precomputed accuracy-vs-knob curves (Fig. 4 of Tang et al. 2020).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from lt_causal.datasets.profiles import ACCURACY_KEYS
from lt_causal.evaluation.knobs import KnobExplorerModel
from lt_causal.evaluation.packs import PREFIX, pretrained_names
from lt_causal.evaluation.runs import TrainedRun, find_runs, load_run


def summary_html(model: KnobExplorerModel) -> str:
    """Accuracy by group at the current value vs value 0, with stable CSS classes."""
    m, b = model.metrics, model.baseline
    groups = [g for g in ACCURACY_KEYS if m[g] is not None]
    cell = 'style="padding:2px 14px; text-align:right"'
    head = "".join(f"<th {cell}>{g}</th>" for g in groups)
    acc = "".join(f'<td class="lt-knob-{g}" data-value="{m[g]:.2f}" {cell}><b>{m[g]:.2f} %</b></td>'
                  for g in groups)
    delta = "".join(f"<td {cell}>{m[g] - b[g]:+.2f}</td>" for g in groups)
    title = f"{model.run.method} on {model.run.dataset}, {model.symbol} = {model.value:.2f}"
    return (f'<div class="lt-knob-summary"><div>{title}</div><table>'
            f"<tr><th></th>{head}</tr><tr><td>accuracy</td>{acc}</tr>"
            f"<tr><td>change vs {model.symbol} = 0</td>{delta}</tr></table></div>")


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
    summary = W.HTML(summary_html(model))
    bars = per_class_figure(model, widget=True)
    curve = knob_curve_figure(model, widget=True)

    def on_change(change):
        model.set_value(change["new"])
        summary.value = summary_html(model)
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
