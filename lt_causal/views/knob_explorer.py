"""The knob sliders of notebooks 04-06: a thin ipywidgets view (:func:`knob_explorer`, with
:func:`summary_html` rendering the numbers) of a :class:`~lt_causal.evaluation.knobs.KnobExplorerModel`,
and a run picker that swaps the run behind it.

Everything a slider move needs comes from a run's cached test logits (TDE is linear in α), so
one move costs a few milliseconds: accuracy by shot group, per-class accuracy, and a marker on
the precomputed accuracy-vs-knob curves (Fig. 4 of Tang et al. 2020). A **test prior** (balanced,
the training distribution, its inverse or an imbalance ratio;
:func:`lt_causal.evaluation.metrics.test_prior`) re-weights the overall accuracy for a test set
with that class distribution.

The view fits a 1366×768 laptop screen: slider, test-prior menu and numbers in one row, the
per-class bars and the curves side by side below (about 1200 × 420 px).
"""
from __future__ import annotations

import html
from typing import Sequence

import numpy as np

from lt_causal.datasets.profiles import ACCURACY_KEYS
from lt_causal.evaluation import loading as run_loading, runs as runs_module
from lt_causal.evaluation.knobs import KnobExplorerModel, run_label
from lt_causal.evaluation.metrics import TestPrior, prior_name
from lt_causal.evaluation.packs import PREFIX, pack_summary, pretrained_names
from lt_causal.evaluation.runs import TrainedRun, cell_label
from lt_causal.language import display_name, term, text
from lt_causal.views.run_plots import bar_values, knob_curve_figure, per_class_figure, update_knob_curve_figure

# the test priors the view's menu offers (catalogue key of the label, value); a prior passed to
# knob_explorer is added
PRIOR_OPTIONS = (("prior_balanced", "balanced"), ("prior_train", "train"), ("prior_inverse", "inverse"),
                 ("prior_ratio", 10.0), ("prior_ratio", 50.0))


def summary_html(model: KnobExplorerModel) -> str:
    """The explorer's numbers as HTML: which run, the accuracy by group at the current value vs
    value 0, the best value for the test prior. Stable CSS classes: ``lt-knob-summary``,
    ``lt-knob-title``, ``lt-knob-<group>`` (with ``data-value``), ``lt-knob-best``."""
    m, b, sym = model.metrics, model.baseline, model.symbol
    groups = [g for g in ACCURACY_KEYS if m[g] is not None]
    cell = 'style="padding:1px 12px; text-align:right"'
    prior = html.escape(display_name(model.prior_label))
    label = {g: term(g) for g in groups}
    if model.prior_label != "balanced":
        label["overall"] = text("prior_overall", prior=prior)
    head = "".join(f"<th {cell}>{label[g]}</th>" for g in groups)
    acc = "".join(f'<td class="lt-knob-{g}" data-value="{m[g]:.2f}" {cell}><b>{m[g]:.2f} %</b></td>'
                  for g in groups)
    delta = "".join(f"<td {cell}>{m[g] - b[g]:+.2f}</td>" for g in groups)
    run = model.run
    title = (f"<b>{html.escape(run.label)}</b> · {text('explorer_run')} "
             f"<code>{html.escape(model.run_name)}</code> · {sym} = {model.value:.2f}")
    best = model.best
    best_line = text("explorer_best", sym=sym, prior=prior, best=best, overall=model.curve.loc[best, "overall"],
                     split=term(run.split))
    return (f'<div class="lt-knob-summary" style="font-size:13px; line-height:1.35">'
            f'<div class="lt-knob-title">{title}</div><table style="margin:2px 0">'
            f"<tr><th></th>{head}</tr><tr><td>{text('explorer_accuracy')}</td>{acc}</tr>"
            f"<tr><td>{text('explorer_change', sym=sym)}</td>{delta}</tr></table>"
            f'<div class="lt-knob-best" data-value="{best:.2f}">{best_line}</div></div>')


def _prior_options(prior) -> list:
    options = [(text(key, ratio=value) if key == "prior_ratio" else text(key), value) for key, value in PRIOR_OPTIONS]
    if not any(_same_prior(value, prior) for _, value in options):
        options.append((text("prior_given", name=display_name(prior_name(prior))), prior))
    return options


def _same_prior(a, b) -> bool:
    try:
        return TestPrior.parse(a) == b
    except ValueError:
        return False


def knob_explorer(run: TrainedRun, knob: str = "tde", values: Sequence[float] | None = None,
                  prior="balanced"):
    """ipywidgets view: [slider + test-prior menu | numbers] on top, [per-class bars | curves
    with a marker] below; sized for a 1366×768 screen."""
    import ipywidgets as W

    if not isinstance(prior, str) and prior is not None and np.ndim(prior) == 1:
        prior = tuple(float(w) for w in prior)     # class weights: hashable for the menu
    model = KnobExplorerModel(run, knob, values, prior)
    step = float(np.diff(model.values).min()) if len(model.values) > 1 else 0.05
    slider = W.FloatSlider(value=0.0, min=float(model.values.min()), max=float(model.values.max()),
                           step=step, description=f"{model.symbol}:", continuous_update=True,
                           readout_format=".2f", layout=W.Layout(width="360px"))
    slider.add_class(f"lt-knob-slider-{knob}")
    options = _prior_options(prior)
    menu = W.Dropdown(options=options, value=next(v for _, v in options if _same_prior(v, prior)),
                      description=text("prior_menu"), layout=W.Layout(width="360px"),
                      style={"description_width": "70px"})
    menu.add_class("lt-knob-prior")
    summary = W.HTML(summary_html(model))
    bars = per_class_figure(model, widget=True, compact=True)
    curve = knob_curve_figure(model, widget=True, compact=True)

    def on_value(change):
        model.set_value(change["new"])
        summary.value = summary_html(model)
        with bars.batch_update():
            bars.data[0].y = bar_values(model)
        update_knob_curve_figure(curve, model)

    def on_prior(change):
        model.set_prior(change["new"])
        summary.value = summary_html(model)
        update_knob_curve_figure(curve, model)

    slider.observe(on_value, names="value")
    menu.observe(on_prior, names="value")
    controls = W.VBox([slider, menu], layout=W.Layout(width="370px", justify_content="center"))
    top = W.HBox([controls, summary], layout=W.Layout(align_items="center", flex_flow="row wrap"))
    figures = W.HBox([bars, curve], layout=W.Layout(flex_flow="row wrap"))
    box = W.VBox([top, figures])
    box.add_class("lt-knob-explorer")
    # for tests and curious learners
    box.model, box.slider, box.prior_menu, box.summary, box.bars, box.curve = model, slider, menu, summary, bars, curve
    return box


def run_picker(default: TrainedRun | None = None, root=None, knob: str = "tde"):
    """A dropdown over the run directories under ``root`` (default: the runs folder) and the
    shipped runs (``pretrained:<name>``) that swaps the run behind a :func:`knob_explorer`;
    while a run loads (a few seconds for a large one) a "loading …" line says so."""
    import ipywidgets as W

    options = []
    if default is not None:
        options.append((text("picker_this", cell=default.label, label=run_label(default)), default))
    options += [(str(p.name), p) for p in runs_module.find_runs(root) if default is None or p != default.path]
    options += [(text("picker_shipped", cell=cell_label(pack_summary(n)["cell"])), PREFIX + n)
                for n in pretrained_names() if default is None or default.name != PREFIX + n]
    if not options:
        return W.HTML(text("picker_none"))
    dropdown = W.Dropdown(options=options, description=text("picker_run"), layout=W.Layout(width="640px"))
    holder = W.VBox([])

    def show(value):
        if not isinstance(value, TrainedRun):
            label = next((lab for lab, v in options if v is value or v == value), str(value))
            loading = W.HTML(f'<div class="lt-run-loading">{text("picker_loading", label=html.escape(label))}</div>')
            holder.children = [loading]       # sent to the browser now, before the load blocks
            try:
                value = run_loading.load_run(value)
            except (OSError, ValueError) as exc:
                holder.children = [W.HTML(f'<div class="lt-run-error">{text("picker_error", label=html.escape(label))}'
                                          f"{html.escape(str(exc))}</div>")]
                return
        holder.children = [knob_explorer(value, knob)]

    dropdown.observe(lambda change: show(change["new"]), names="value")
    show(dropdown.value)
    box = W.VBox([dropdown, holder])
    box.dropdown, box.holder = dropdown, holder
    return box
