"""Figures of a trained run in notebook 02 (how momentum biases a long-tailed classifier, Tang
et al. 2020 §3): cosines with the head direction d̂, the decomposition x = ẍ + d, Fig. 3b (feature
magnitude per class) in matplotlib (every function takes ``ax=None`` and returns the Figure), and
Fig. 3c (relative accuracy change per μ) in plotly, which the μ slider updates in place.
"""
from __future__ import annotations

import numpy as np

from lt_causal.datasets.profiles import SHOT_GROUPS
from lt_causal.language import display_name, plotly_font, term, text
from lt_causal.views.run_plots import GROUP_COLORS
from lt_causal.views.figures import subplots


def _axes(ax, figsize):
    if ax is None:
        fig, ax = subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def _class_ticks(ax, frame) -> None:
    labels = [f"{display_name(c)}\n{n}" for c, n in zip(frame.index, frame["train_count"])]
    ax.set_xticks(range(len(frame)))
    ax.set_xticklabels(labels if len(frame) <= 20 else [], fontsize=8)
    ax.set_xlabel(text("class_ticks"))


def _group_legend(ax, groups) -> None:
    from matplotlib.patches import Patch

    seen = [g for g in SHOT_GROUPS if g in set(groups)]
    ax.legend(handles=[Patch(color=GROUP_COLORS[g], label=text("group_shot", group=term(g))) for g in seen], fontsize=8,
              loc="best")


def class_cosine_figure(cosines, ax=None):
    """Bars: cos(mean feature of class, d̂) per class head → tail (dots: mean per-image cos)."""
    fig, ax = _axes(ax, (7, 3.6))
    x = np.arange(len(cosines))
    ax.bar(x, cosines["cos"], color=[GROUP_COLORS[g] for g in cosines["group"]])
    if "sample_cos" in cosines:
        ax.plot(x, cosines["sample_cos"], "k.", ms=8, label=text("cos_images"))
    _class_ticks(ax, cosines)
    _group_legend(ax, cosines["group"])
    ax.set_ylabel(text("cos_y"))
    ax.set_ylim(min(0.0, float(np.nanmin(cosines["cos"])) - 0.05), 1.0)
    ax.set_title(text("cos_title"))
    return fig


def magnitude_figure(magnitudes, ax=None):
    """Fig. 3b of Tang et al.: mean ‖x‖ of each class's test images (± std), head → tail."""
    fig, ax = _axes(ax, (7, 3.6))
    x = np.arange(len(magnitudes))
    ax.bar(x, magnitudes["magnitude"], yerr=magnitudes.get("std"), capsize=3,
           color=[GROUP_COLORS[g] for g in magnitudes["group"]])
    _class_ticks(ax, magnitudes)
    _group_legend(ax, magnitudes["group"])
    ax.set_ylabel(text("magnitude_y"))
    ax.set_title(text("magnitude_title"))
    return fig


def magnitude_figures(named: dict):
    """Fig. 3b for several models side by side: ``{title: feature_magnitude_per_class(run)}``."""
    fig, axes = subplots(1, len(named), figsize=(6.2 * len(named), 3.6), constrained_layout=True,
                             squeeze=False)
    for ax, (title, magnitudes) in zip(axes[0], named.items()):
        magnitude_figure(magnitudes, ax=ax)
        ax.set_title(text("magnitude_named", name=title))
    return fig


def decomposition_figure(table, ax=None, max_points: int = 3000, seed: int = 0):
    """x = ẍ + d for real test images: each image at (‖x‖cos(x, d̂), ‖x‖sin(x, d̂)) coloured by
    shot group, and the two parts drawn as arrows for the median-norm image of the head and of
    the tail class. ``table`` is :func:`lt_causal.momentum.analysis.decomposition_table`."""
    fig, ax = _axes(ax, (6.2, 5))
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(table))[:max_points]
    sample = table.iloc[idx]
    for g in SHOT_GROUPS:
        part = sample[sample["group"] == g]
        if len(part):
            ax.scatter(part["parallel"], part["orthogonal"], s=6, alpha=0.35, color=GROUP_COLORS[g],
                       label=text("group_shot_images", group=term(g)))
    by_count = table.drop_duplicates("label").sort_values("train_count", kind="stable", ascending=False)
    head, tail = by_count["label"].iloc[0], by_count["label"].iloc[-1]
    for label, name in ((head, "head"), (tail, "tail")):
        rows = table[table["label"] == label]
        if not len(rows):
            continue
        r = rows.iloc[int(np.argsort(rows["norm"].to_numpy())[len(rows) // 2])]
        kw = dict(angles="xy", scale_units="xy", scale=1.0, width=0.006)
        ax.quiver(0, 0, r["parallel"], 0, color="tab:red", **kw)
        ax.quiver(r["parallel"], 0, 0, r["orthogonal"], color="tab:green", **kw)
        ax.quiver(0, 0, r["parallel"], r["orthogonal"], color="black", **kw)
        ax.annotate(text("decomp_x_label", name=term(name), cls=r["class"]), (r["parallel"], r["orthogonal"]),
                    xytext=(4, 4), textcoords="offset points", fontsize=8)
    ax.plot([], [], color="tab:red", label=text("decomp_d"))
    ax.plot([], [], color="tab:green", label=text("decomp_direct"))
    ax.set_xlabel(text("decomp_x"))
    ax.set_ylabel("‖x‖ sin(x, d̂) = ‖ẍ‖")
    right = max(float(table["parallel"].max()), float(table["orthogonal"].max())) * 1.08
    ax.set_xlim(min(0.0, float(table["parallel"].min())) - 0.02 * right, right)
    ax.set_ylim(0.0, right)
    ax.set_aspect("equal", adjustable="box")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(text("decomp_title"))
    return fig


# ---------------------------------------------------------------- Fig. 3c
def _fig3c_title(head: str, reference: float, note: str | None) -> str:
    return head + (f"<br><sup>{text('fig3c_note', note=note, reference=reference)}</sup>" if note else "")


def relative_change_figure(change, groups=None, mu: float | None = None, widget: bool = False,
                           span: float | None = None, note: str | None = None):
    """Fig. 3c as plotly bars per class (head → tail): (acc_μ − acc_ref)/acc_ref in %, ref = the
    largest μ of ``change`` (:func:`lt_causal.momentum.analysis.relative_accuracy_change`).
    Without ``mu``: one bar group per μ (the reference, all zeros, left out); with ``mu``: the
    bars of that μ coloured by shot group (``groups``), as the μ slider of
    :func:`lt_causal.views.momentum_widgets.mu_grid_view` shows them (:func:`update_relative_change`).
    A class never classified right at the reference μ has no ratio: it is labelled "n/a".
    ``note`` (e.g. "8 of the recipe's 30 epochs", :func:`lt_causal.momentum.grid.grid_note`) goes
    under the title."""
    import plotly.graph_objects as go

    reference, classes = max(change.index), [str(c) for c in change.columns]
    fig = go.FigureWidget() if widget else go.Figure()
    rows = [mu] if mu is not None else \
        [m for m in change.index if not np.allclose(change.loc[m].fillna(0).to_numpy(), 0.0)] or list(change.index)
    colors = [GROUP_COLORS[g] for g in groups] if mu is not None and groups is not None else None
    for m in rows:
        fig.add_bar(x=classes, y=100 * change.loc[m].to_numpy(dtype=float), name=f"μ = {m:g}", marker_color=colors,
                    hovertemplate=text("fig3c_class") + " %{x}<br>%{y:+.1f} %<extra></extra>")
    undefined = [c for c, na in zip(classes, change.loc[rows].isna().all(axis=0)) if na]
    fig.add_scatter(x=undefined, y=[0.0] * len(undefined), text=["n/a"] * len(undefined), mode="text",
                    textposition="top center", meta="n/a", textfont=dict(color="#777777", size=11),
                    hoverinfo="skip", showlegend=False)
    fig.update_layout(template="plotly_white", height=360, width=640, margin=dict(l=60, r=20, t=60, b=60),
                      font=plotly_font(), xaxis=dict(title=text("fig3c_x"), type="category",
                                 categoryorder="array", categoryarray=classes),
                      yaxis=dict(title=text("fig3c_y", reference=reference)), meta=note or "",
                      barmode="group", showlegend=mu is None)
    if mu is not None:
        update_relative_change(fig, change, mu, span)
    else:
        fig.layout.title = _fig3c_title(text("fig3c_from", reference=reference), reference, note)
    return fig


def update_relative_change(fig, change, mu: float, span: float | None = None) -> None:
    """Show the relative change of μ in a one-μ :func:`relative_change_figure`; the y axis spans
    ±``span`` % (default: fitted to this μ)."""
    reference, values = max(change.index), 100 * change.loc[mu].to_numpy(dtype=float)
    if span is None:
        finite = values[np.isfinite(values)]
        span = max(5.0, float(np.abs(finite).max()) * 1.15) if len(finite) else 5.0
    missing = [str(c) for c, v in zip(change.columns, values) if not np.isfinite(v)]
    with fig.batch_update():
        fig.data[0].y = values
        fig.data[1].x, fig.data[1].y, fig.data[1].text = missing, [0.0] * len(missing), ["n/a"] * len(missing)
        fig.layout.title = _fig3c_title(text("fig3c_vs", mu=mu, reference=reference),
                                        reference, fig.layout.meta or None)
        fig.layout.yaxis.range = [-span, span]
