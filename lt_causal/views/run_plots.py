"""Figures of trained runs, in plotly (``widget=True`` returns a ``go.FigureWidget`` that a
slider updates in place): per-class accuracy head → tail, accuracy-vs-knob curves (Fig. 4 of
Tang et al. 2020), the many- vs few-shot trade-off of the knobs, training curves, accuracy bars
by shot group, and every system of a benchmark side by side (notebook 07)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from lt_causal.datasets.profiles import ACCURACY_KEYS, SHOT_GROUPS, shot_groups
from lt_causal.evaluation.knobs import get_knob

if TYPE_CHECKING:
    import plotly.graph_objects as go

# one colour per shot group in every figure of the package
GROUP_COLORS = {"many": "#1f77b4", "medium": "#ff7f0e", "few": "#d62728", "overall": "#222222"}


def _fig(widget: bool, **layout) -> "go.Figure":
    import plotly.graph_objects as go  # imported on first use: `import lt_causal` stays light

    fig = go.FigureWidget() if widget else go.Figure()
    fig.update_layout(template="plotly_white", margin=dict(l=60, r=20, t=50, b=60), **layout)
    return fig


def per_class_figure(model, widget: bool = False) -> go.Figure:
    """Bar per class (head → tail, coloured by shot group) of accuracy at the model's knob value."""
    run = model.run
    groups = shot_groups(run.train_counts)
    labels = [f"{c}<br>n={n}" for c, n in zip(run.classes, run.train_counts)]
    fig = _fig(widget, title="Per-class test accuracy (head → tail)", height=380, width=500,
               yaxis=dict(title="accuracy (%)", range=[0, 100]),
               xaxis=dict(title="class (training images, head → tail)", tickangle=0 if len(labels) <= 10 else -60))
    fig.add_bar(x=labels, y=model.per_class, marker_color=[GROUP_COLORS[g] for g in groups],
                hovertemplate="%{x}<br>%{y:.1f} %<extra></extra>")
    if len(labels) > 20:
        fig.update_xaxes(showticklabels=False)
    return fig


def knob_curve_figure(model, widget: bool = False) -> go.Figure:
    """Accuracy of each shot group against the knob, with a marker at the current value."""
    curve, sym = model.curve, model.symbol
    name = get_knob(model.knob).axis
    fig = _fig(widget, title=f"Accuracy vs {name}", height=380, width=500,
               xaxis=dict(title=name), yaxis=dict(title="accuracy (%)", range=[0, 100]),
               legend=dict(orientation="h", y=-0.25))
    for g in ACCURACY_KEYS:
        if curve[g].notna().any():
            fig.add_scatter(x=curve.index, y=curve[g], name=g, mode="lines",
                            line=dict(color=GROUP_COLORS[g], width=3 if g == "overall" else 2))
    fig.add_shape(type="line", x0=model.value, x1=model.value, y0=0, y1=100, line=dict(color="black", width=2))
    if model.suggested is not None:
        fig.add_vline(x=model.suggested, line_dash="dash", line_color="gray",
                      annotation_text=f"{sym}·cos≈1 ({model.suggested:.2f})", annotation_position="top right")
    return fig


def tradeoff_figure(models: dict) -> go.Figure:
    """Many-shot vs few-shot accuracy traced by several knobs (one curve per knob/run)."""
    fig = _fig(False, title="Many-shot vs few-shot trade-off of test-time knobs", height=420, width=620,
               xaxis=dict(title="few-shot accuracy (%)"), yaxis=dict(title="many-shot accuracy (%)"))
    for label, model in models.items():
        c = model.curve
        fig.add_scatter(x=c["few"], y=c["many"], mode="lines+markers", name=label, marker=dict(size=4),
                        text=[f"{model.symbol}={v:.2f}" for v in c.index], hovertemplate="%{text}<br>few %{x:.1f}, many %{y:.1f}")
    return fig


def history_figure(history, widget: bool = False, title: str = "Training") -> go.Figure:
    """Loss and test accuracy per epoch from a history DataFrame (or a list of dicts)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    h = pd.DataFrame(history)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("training loss", "accuracy (%)"))
    fig = go.FigureWidget(fig) if widget else fig
    fig.update_layout(template="plotly_white", height=320, width=760, title=title,
                      margin=dict(l=50, r=20, t=60, b=40))
    x = h["epoch"] if len(h) else []
    fig.add_scatter(x=x, y=h["loss"] if len(h) else [], name="loss", row=1, col=1)
    fig.add_scatter(x=x, y=h["train_acc"] if len(h) else [], name="train acc", row=1, col=2)
    fig.add_scatter(x=x, y=h["test_acc"] if len(h) else [], name="test acc", row=1, col=2)
    fig.update_xaxes(title_text="epoch")
    return fig


def update_history_figure(fig, history) -> None:
    """Refresh a :func:`history_figure` widget in place with a longer history."""
    h = pd.DataFrame(history)
    with fig.batch_update():
        for trace, col in zip(fig.data, ("loss", "train_acc", "test_acc")):
            trace.x, trace.y = h["epoch"].to_numpy(), h[col].to_numpy(dtype=float)


def accuracy_bars_figure(table, title: str = "Accuracy by shot group") -> go.Figure:
    """Grouped bars from a DataFrame with rows = runs and columns overall/many/medium/few."""
    fig = _fig(False, title=title, height=380, width=640, barmode="group",
               yaxis=dict(title="accuracy (%)", range=[0, 100]))
    for g in (*SHOT_GROUPS, "overall"):
        if g in table:
            fig.add_bar(x=list(table.index), y=table[g].to_numpy(dtype=float), name=g,
                        marker_color=GROUP_COLORS[g])
    return fig


def benchmark_figure(table: pd.DataFrame, title: str = "Every system on one long-tailed data set"):
    """Horizontal bars per system (best overall on top): overall, many-, medium- and few-shot
    (a plotly Figure)."""
    import plotly.graph_objects as go

    missing = set(ACCURACY_KEYS) - set(table.columns)
    if missing:
        raise ValueError(f"benchmark_figure needs the columns of benchmark_table(); missing {sorted(missing)}")
    t = table.iloc[::-1]
    fig = go.Figure(layout=dict(title=title, barmode="group", height=120 + 46 * len(t), width=720,
                                xaxis=dict(title="accuracy (%)", range=[0, 100]),
                                legend=dict(traceorder="reversed"), margin=dict(l=160)))
    for g in reversed(ACCURACY_KEYS):
        fig.add_bar(y=list(t.index), x=t[g].to_numpy(dtype=float), name=g, orientation="h",
                    marker_color=GROUP_COLORS[g])
    return fig
