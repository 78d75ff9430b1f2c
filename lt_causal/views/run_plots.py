"""Figures of trained runs, in plotly (``widget=True`` returns a ``go.FigureWidget`` that a
slider updates in place): per-class accuracy head → tail, accuracy-vs-knob curves (Fig. 4 of
Tang et al. 2020) and their best value under several test priors, the many- vs few-shot
trade-off of the knobs, training curves, accuracy bars by shot group, and every system of a
benchmark side by side (notebook 07)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lt_causal.datasets.profiles import ACCURACY_KEYS, SHOT_GROUPS, head_to_tail, rarest_group, shot_groups
from lt_causal.evaluation.knobs import get_knob
from lt_causal.evaluation.metrics import best_value
from lt_causal.experiments.comparison import prior_curves
from lt_causal.language import display_name, plotly_font, term, text

if TYPE_CHECKING:
    import plotly.graph_objects as go

# one colour per shot group in every figure of the package
GROUP_COLORS = {"many": "#1f77b4", "medium": "#ff7f0e", "few": "#d62728", "overall": "#222222"}


def _fig(widget: bool, **layout) -> "go.Figure":
    import plotly.graph_objects as go  # imported on first use: `import lt_causal` stays light

    fig = go.FigureWidget() if widget else go.Figure()
    layout.setdefault("margin", dict(l=60, r=20, t=50, b=60))
    layout.setdefault("font", plotly_font())
    fig.update_layout(template="plotly_white", **layout)
    return fig


# Sizes inside the knob explorer: bars and curves side by side in ~1200 px (a 1366 px laptop
# screen with JupyterLab's side bars) and, with the controls row above, ~420 px tall (768 px).
EXPLORER_BARS = dict(width=560, height=300)
EXPLORER_CURVE = dict(width=620, height=300)
COMPACT_MARGIN = dict(l=50, r=10, t=40, b=50)


def per_class_figure(model, widget: bool = False, compact: bool = False) -> go.Figure:
    """Bar per class (head → tail, coloured by shot group) of accuracy at the model's knob value.
    ``compact``: the size used inside :func:`lt_causal.views.knob_explorer.knob_explorer`."""
    run = model.run
    order = head_to_tail(run.train_counts)
    groups = [shot_groups(run.train_counts)[i] for i in order]
    labels = [f"{display_name(run.classes[i])}<br>n={run.train_counts[i]}" for i in order]
    size = dict(EXPLORER_BARS, margin=COMPACT_MARGIN) if compact else dict(height=380, width=500)
    fig = _fig(widget, title=dict(text=text("per_class_title", split=term(run.split)), font=dict(size=14)), **size,
               yaxis=dict(title=text("accuracy_axis"), range=[0, 100]),
               xaxis=dict(title=text("per_class_axis") if not compact else None,
                          tickangle=0 if len(labels) <= 10 else -60, tickfont=dict(size=10 if compact else 12)))
    fig.add_bar(x=labels, y=bar_values(model), marker_color=[GROUP_COLORS[g] for g in groups],
                hovertemplate="%{x}<br>%{y:.1f} %<extra></extra>")
    if len(labels) > 20:
        fig.update_xaxes(showticklabels=False)
    return fig


def bar_values(model) -> np.ndarray:
    """The model's per-class accuracy in the bars' order: head → tail by training count."""
    return np.asarray(model.per_class)[head_to_tail(model.run.train_counts)]


def _padded_range(values) -> list:
    """[min, max] of the knob values with 4 % of the span on each side, so that a marker at the
    first or last value is not drawn on the axis."""
    lo, hi = float(min(values)), float(max(values))
    pad = 0.04 * (hi - lo) if hi > lo else 0.05
    return [lo - pad, hi + pad]


def knob_curve_figure(model, widget: bool = False, compact: bool = False) -> go.Figure:
    """Accuracy of each shot group against the knob, with a marker at the current value, the
    best value of overall accuracy under the model's test prior (a star) and, for TDE on a
    normalised head, the suggested α (dashed). :func:`update_knob_curve_figure` moves it."""
    curve, sym = model.curve, model.symbol
    name = text(get_knob(model.knob).axis)
    size = dict(EXPLORER_CURVE, margin=dict(COMPACT_MARGIN, t=60)) if compact else dict(height=380, width=500)
    fig = _fig(widget, title=dict(text=_curve_title(model), font=dict(size=14)), **size,
               xaxis=dict(title=name, range=_padded_range(curve.index)),
               yaxis=dict(title=text("accuracy_axis"), range=[0, 100]),
               legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0, font=dict(size=11))
               if compact else dict(orientation="h", y=-0.25))
    for g in ACCURACY_KEYS:
        if curve[g].notna().any():
            fig.add_scatter(x=curve.index, y=curve[g], name=term(g), mode="lines", meta=f"curve:{g}",
                            line=dict(color=GROUP_COLORS[g], width=3 if g == "overall" else 2))
    best = model.best if hasattr(model, "best") else None
    if best is not None:
        fig.add_scatter(x=[best], y=[curve.loc[best, "overall"]], mode="markers", meta="best",
                        name=text("best_sym", sym=sym, split=term(model.run.split)), marker=dict(symbol="star", size=13, color="gold",
                                                       line=dict(color="black", width=1)),
                        hovertemplate=f"best {sym} = %{{x:.2f}}<br>overall %{{y:.2f}} %<extra></extra>")
    fig.add_shape(type="line", x0=model.value, x1=model.value, y0=0, y1=100, name="value",
                  line=dict(color="black", width=2))
    if model.suggested is not None:
        fig.add_vline(x=model.suggested, line_dash="dash", line_color="gray", name="suggested",
                      annotation_text=f"{sym}·cos≈1 ({model.suggested:.2f})", annotation_position="top right")
    return fig


def _curve_title(model) -> str:
    name = text(get_knob(model.knob).axis)
    label = getattr(model, "prior_label", "balanced")
    return text("curve_title", name=name) + ("" if label == "balanced" else text("curve_prior", prior=display_name(label)))


def update_knob_curve_figure(fig, model) -> None:
    """Show the model's current value, test prior and best value in a :func:`knob_curve_figure`
    (only the marker, the overall curve, the star and the title change)."""
    by_meta = {t.meta: t for t in fig.data if t.meta}
    with fig.batch_update():
        for shape in fig.layout.shapes:
            if shape.name == "value":
                shape.x0 = shape.x1 = model.value
        if "curve:overall" in by_meta:
            by_meta["curve:overall"].y = model.curve["overall"].to_numpy(dtype=float)
        if "best" in by_meta:
            by_meta["best"].x, by_meta["best"].y = [model.best], [float(model.curve.loc[model.best, "overall"])]
        fig.layout.title.text = _curve_title(model)


PRIOR_COLORS = {"balanced": "#222222", "train": "#1f77b4", "inverse": "#d62728"}


def prior_curves_figure(run, priors=("balanced", "train", "inverse"), knob: str = "tde", values=None) -> go.Figure:
    """Overall accuracy against a knob (TDE's α by default), one curve per test prior, with a
    star at each curve's best value: the best α moves with the class distribution of the test set."""
    spec = get_knob(knob)
    values = spec.values if values is None else np.asarray(values, dtype=float)
    name, sym = text(spec.axis), spec.symbol
    fig = _fig(False, title=dict(text=text("prior_curves_title", name=name), font=dict(size=14)),
               height=340, width=620, margin=dict(l=55, r=10, t=50, b=50),
               xaxis=dict(title=name, range=_padded_range(values)), yaxis=dict(title=text("overall_axis")),
               legend=dict(font=dict(size=11)))
    for label, curve in prior_curves(run, priors, knob, values).items():
        best = best_value(curve)
        color = PRIOR_COLORS.get(label)
        fig.add_scatter(x=curve.index, y=curve["overall"], mode="lines", name=text("test_prior_legend", prior=display_name(label)),
                        line=dict(color=color, width=2), legendgroup=label)
        fig.add_scatter(x=[best], y=[curve.loc[best, "overall"]], mode="markers", legendgroup=label,
                        name=text("best_sym_value", sym=sym, value=best), marker=dict(symbol="star", size=13, color=color,
                                                                     line=dict(color="black", width=1)))
    return fig


def legend_label(label: str) -> str:
    """A ``"<run> · <knob> <symbol>"`` label of :func:`~lt_causal.experiments.comparison.knob_models`
    in the active language: each part that the catalogue knows (run names such as ``de-confound``,
    knob names) translated, symbols kept."""
    parts = []
    for part in label.split(" · "):
        head, _, symbol = part.rpartition(" ")
        translated = display_name(part)
        if translated == part and head and display_name(head) != head:
            translated = f"{display_name(head)} {symbol}"
        parts.append(translated)
    return " · ".join(parts)


def tradeoff_figure(models: dict) -> go.Figure:
    """Many-shot accuracy against the rarest shot group the runs have (one curve per knob/run):
    few-shot, or medium-shot for runs without few-shot classes, which the titles then say."""
    groups = [rarest_group(model.run.train_counts) for model in models.values()]
    tail = min(groups, key=SHOT_GROUPS.index) if groups else "few"   # the rarest group all runs have
    title = text("tradeoff_title") if tail == "few" else text("tradeoff_title_no_few", group=term(tail))
    fig = _fig(False, title=title, height=420, width=620,
               xaxis=dict(title=text("group_axis", group=term(tail))), yaxis=dict(title=text("many_axis")))
    for label, model in models.items():
        c = model.curve
        fig.add_scatter(x=c[tail], y=c["many"], mode="lines+markers", name=legend_label(label), marker=dict(size=4),
                        text=[f"{model.symbol}={v:.2f}" for v in c.index],
                        hovertemplate="%{text}<br>" + term(tail) + " %{x:.1f}, " + term("many") + " %{y:.1f}")
    return fig


def history_figure(history, widget: bool = False, title: str | None = None) -> go.Figure:
    """Loss and accuracy (train, and test or val: :func:`eval_column`) per epoch from a history
    DataFrame (or a list of dicts)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    h = pd.DataFrame(history)
    fig = make_subplots(rows=1, cols=2, subplot_titles=(text("training_loss"), text("accuracy_axis")))
    fig = go.FigureWidget(fig) if widget else fig
    fig.update_layout(template="plotly_white", height=320, width=760, title=title or text("training"), font=plotly_font(),
                      margin=dict(l=50, r=20, t=60, b=40))
    x = h["epoch"] if len(h) else []
    fig.add_scatter(x=x, y=h["loss"] if len(h) else [], name=term("loss"), row=1, col=1)
    fig.add_scatter(x=x, y=h["train_acc"] if len(h) else [], name=term("train_acc"), row=1, col=2)
    col = eval_column(h)
    fig.add_scatter(x=x, y=h[col] if len(h) else [], name=term(col), row=1, col=2)
    fig.update_xaxes(title_text=term("epoch"))
    return fig


def eval_column(history: pd.DataFrame) -> str:
    """The accuracy a run measures while it trains: ``val_acc`` for a run with a val split (the
    split-list data sets: test is looked at once, at the selected epoch), else ``test_acc``."""
    return "val_acc" if "val_acc" in history and history["val_acc"].notna().any() else "test_acc"


def update_history_figure(fig, history) -> None:
    """Refresh a :func:`history_figure` widget in place with a longer history."""
    h = pd.DataFrame(history)
    with fig.batch_update():
        for trace, col in zip(fig.data, ("loss", "train_acc", eval_column(h))):
            trace.x, trace.y = h["epoch"].to_numpy(), h[col].to_numpy(dtype=float)
        fig.data[2].name = term(eval_column(h))


def accuracy_bars_figure(table, title: str | None = None) -> go.Figure:
    """Grouped bars from a DataFrame with rows = runs and columns overall/many/medium/few."""
    fig = _fig(False, title=title or text("bars_title"), height=380, width=640, barmode="group",
               yaxis=dict(title=text("accuracy_axis"), range=[0, 100]))
    for g in (*SHOT_GROUPS, "overall"):
        if g in table:
            fig.add_bar(x=list(table.index), y=table[g].to_numpy(dtype=float), name=term(g),
                        marker_color=GROUP_COLORS[g])
    return fig


def benchmark_figure(table: pd.DataFrame, title: str | None = None):
    """Horizontal bars per system (best overall on top): overall, many-, medium- and few-shot
    (a plotly Figure)."""
    import plotly.graph_objects as go

    missing = set(ACCURACY_KEYS) - set(table.columns)
    if missing:
        raise ValueError(f"benchmark_figure needs the columns of benchmark_table(); missing {sorted(missing)}")
    t = table.iloc[::-1]
    fig = go.Figure(layout=dict(title=title or text("benchmark_title"), barmode="group", height=120 + 46 * len(t),
                                width=720, xaxis=dict(title=text("accuracy_axis"), range=[0, 100]), font=plotly_font(),
                                legend=dict(traceorder="reversed"), margin=dict(l=160)))
    for g in reversed(ACCURACY_KEYS):
        fig.add_bar(y=[display_name(r) for r in t.index], x=t[g].to_numpy(dtype=float), name=term(g), orientation="h",
                    marker_color=GROUP_COLORS[g])
    return fig
