"""Figures of notebook 02 (how momentum biases a long-tailed classifier, Tang et al. 2020 §3):
the causal graph, the SGD-momentum toy, cosines with the head direction d̂, the decomposition
x = ẍ + d, Fig. 3b (feature magnitude per class) and Fig. 3c (relative accuracy change per μ).

Matplotlib for static figures (every function takes ``ax=None`` and returns the Figure), plotly
for the ones a slider updates in place (``widget=True`` returns a ``go.FigureWidget``).
"""
from __future__ import annotations

import numpy as np

from lt_causal.run_plots import GROUP_COLORS

PROFILE_TITLES = {"balanced": "balanced data", "long-tailed": "long-tailed data"}
PLAIN_COLOR, MOMENTUM_COLOR, ARROW_COLOR = "#555555", "#9467bd", "#222222"

# ---------------------------------------------------------------- causal graph (PAPER.md §2)
GRAPH_NODES = {"M": (0.0, 1.0), "X": (0.0, 0.0), "D": (1.3, 1.0), "Y": (1.3, 0.0)}
GRAPH_LABELS = {"M": "M\nmomentum", "X": "X\nfeature", "D": "D\nhead proj.", "Y": "Y\nprediction"}
GRAPH_EDGES = [("M", "X", "1"), ("M", "D", "2"), ("X", "D", "3"), ("D", "Y", "4"), ("X", "Y", "5")]
HIGHLIGHTS = {
    None: ({}, "the causal graph, edges (1)-(5)"),
    "backdoor": ({("M", "X"): "tab:red", ("M", "D"): "tab:red", ("D", "Y"): "tab:red"},
                 "backdoor path X ← M → D → Y"),
    "mediator": ({("X", "D"): "tab:orange", ("D", "Y"): "tab:orange", ("X", "Y"): "tab:green"},
                 "mediator D: indirect X → D → Y (orange)\nvs direct X → Y (green)"),
}


def momentum_causal_graph(ax=None, highlight: str | None = None):
    """M → X, (M, X) → D, X → D → Y, X → Y with numbered edges; ``highlight`` = "backdoor"
    colours the path X ← M → D → Y, "mediator" the indirect vs the direct effect of X."""
    from lt_causal.causal_graph_plot import draw_causal_graph

    if highlight not in HIGHLIGHTS:
        raise ValueError(f"unknown highlight {highlight!r}; choose None, 'backdoor' or 'mediator'")
    colors, title = HIGHLIGHTS[highlight]
    edges = []
    for a, b, number in GRAPH_EDGES:
        color = colors.get((a, b), "black" if highlight is None else "#b0b0b0")
        edges.append((a, b, {"color": color, "label": f"({number})",
                             "linewidth": 2.4 if (a, b) in colors else 1.4}))
    node_colors = {"D": "#fde2c8"} if highlight == "mediator" else (
        {"M": "#f6c9c9"} if highlight == "backdoor" else None)
    fig = draw_causal_graph(GRAPH_NODES, edges, ax, labels=GRAPH_LABELS, node_size=0.27,
                            node_colors=node_colors, fontsize=8)
    (ax or fig.axes[0]).set_title(title, fontsize=10)
    return fig


def causal_graph_figure():
    """Three panels: the graph with numbered edges, the backdoor path, the mediator D."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(12, 4.2))
    for ax, highlight in zip(axes, (None, "backdoor", "mediator")):
        momentum_causal_graph(ax, highlight)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- the SGD-momentum toy
def _class_labels(num_classes: int) -> list[str]:
    return ["head" if c == 0 else "tail" if c == num_classes - 1 else str(c) for c in range(num_classes)]


def toy_paths_figure(toy, data: dict, axes=None):
    """Balanced vs long-tailed panels: class optima (area ∝ sampling frequency), the two
    optima of the expected loss, the path without momentum and with momentum μ, and arrows −lr·v_t
    (the direction momentum moves θ). ``data`` is :func:`lt_causal.momentum_toy.figure_data`."""
    import matplotlib.pyplot as plt

    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    fig = axes[0].figure
    points = np.concatenate([toy.optima, toy.start[None]] + [data[p][k] for p in data["profiles"]
                                                              for k in ("plain", "momentum")])
    lo, hi = points.min(0) - 0.4, points.max(0) + 0.4
    names = _class_labels(toy.num_classes)
    for ax, profile in zip(axes, data["profiles"]):
        d = data[profile]
        probs = toy.class_probs[profile]
        ax.scatter(*toy.optima.T, s=40 + 600 * probs / probs.max(), color="#c7dcef", edgecolor="#1f77b4",
                   zorder=1, label="class optima (area ∝ frequency)")
        for (x, y), name in zip(toy.optima, names):
            ax.annotate(name, (x, y), xytext=(0, -18), textcoords="offset points", ha="center", fontsize=8)
        ax.plot(*d["plain"].T, color=PLAIN_COLOR, lw=1.2, ls="--", label="SGD, μ = 0")
        ax.plot(*d["momentum"].T, color=MOMENTUM_COLOR, lw=1.6, label=f"SGD, μ = {data['mu']:g}")
        arrows = d["arrows"]
        if len(arrows):
            ax.quiver(arrows[:, 0], arrows[:, 1], arrows[:, 2], arrows[:, 3], angles="xy",
                      scale_units="xy", scale=1.0, color=ARROW_COLOR, width=0.005, headwidth=4,
                      zorder=3, label="momentum direction −v_t")
        ax.scatter(*toy.optimum("balanced"), marker="*", s=260, color="gold", edgecolor="black", zorder=4,
                   label="global optimum (all classes equal)")
        if profile != "balanced":
            ax.scatter(*toy.optimum(profile), marker="D", s=70, color="tab:red", edgecolor="black", zorder=4,
                       label="optimum of the long-tailed loss")
        ax.plot(*toy.start, "ko", ms=5)
        ax.set_title(f"{PROFILE_TITLES.get(profile, profile)}: drift to head = {d['summary']['head_drift']:+.2f}")
        ax.set_xlabel("θ₁  (tail ← classes conflict → head)")
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_aspect("equal", adjustable="box")
    axes[0].set_ylabel("θ₂  (shared by all classes)")
    axes[-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


SLIDER_MUS = np.round(np.arange(0.0, 0.9901, 0.01), 2)     # the values the μ slider of notebook 02 offers


def toy_axis_ranges(toy, mus=SLIDER_MUS, arrow_every: int = 10, pad: float = 0.3) -> tuple:
    """(x range, y range) that hold the class optima and every path and arrow of the toy for all
    ``mus``: fixed axes, so that the panels do not jump while the μ slider moves."""
    from lt_causal.momentum_toy import figure_data, simulate

    points = [toy.optima, toy.start[None]]
    plain = {p: simulate(toy, 0.0, p) for p in toy.batch_labels}
    for mu in mus:
        data = figure_data(toy, float(mu), arrow_every=arrow_every, plain=plain)
        for p in data["profiles"]:
            a = data[p]["arrows"]
            points += [data[p]["momentum"], data[p]["plain"], a[:, :2] + a[:, 2:]]
    points = np.concatenate(points)
    lo, hi = points.min(0) - pad, points.max(0) + pad
    return [float(lo[0]), float(hi[0])], [float(lo[1]), float(hi[1])]


def toy_paths_plotly(toy, data: dict, widget: bool = False, ranges: tuple | None = None):
    """Plotly version of :func:`toy_paths_figure`; :func:`update_toy_paths` moves it to a new μ.
    The axes stay fixed at ``ranges`` (default :func:`toy_axis_ranges`: every μ of the slider)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.05,
                        subplot_titles=[PROFILE_TITLES.get(p, p) for p in data["profiles"]])
    fig = go.FigureWidget(fig) if widget else fig
    names = _class_labels(toy.num_classes)
    for col, profile in enumerate(data["profiles"], start=1):
        probs = toy.class_probs[profile]
        first = col == 1
        fig.add_scatter(x=toy.optima[:, 0], y=toy.optima[:, 1], mode="markers+text", text=names,
                        textposition="bottom center", name="class optima (area ∝ frequency)",
                        marker=dict(size=6 + 20 * np.sqrt(probs / probs.max()), color="#c7dcef",
                                    line=dict(color="#1f77b4", width=1)),
                        legendgroup="optima", showlegend=first, row=1, col=col)
        opt = toy.optimum("balanced")
        fig.add_scatter(x=[opt[0]], y=[opt[1]], mode="markers", name="global optimum (all classes)",
                        marker=dict(symbol="star", size=16, color="gold", line=dict(color="black", width=1)),
                        legendgroup="global", showlegend=first, row=1, col=col)
        if profile != "balanced":
            opt = toy.optimum(profile)
            fig.add_scatter(x=[opt[0]], y=[opt[1]], mode="markers", name="optimum of the long-tailed loss",
                            marker=dict(symbol="diamond", size=10, color="#d62728", line=dict(color="black", width=1)),
                            row=1, col=col)
        for key, name, style in (("plain", "SGD, μ = 0", dict(color=PLAIN_COLOR, dash="dash", width=1.5)),
                                 ("momentum", "SGD with momentum μ", dict(color=MOMENTUM_COLOR, width=2))):
            # names stay fixed: renaming one trace inside batch_update blanks the others' names
            fig.add_scatter(x=[], y=[], mode="lines", name=name, line=style, legendgroup=key,
                            showlegend=first, meta=f"{profile}:{key}", row=1, col=col)
        fig.add_scatter(x=[], y=[], mode="lines", name="momentum direction −v_t", legendgroup="arrows",
                        line=dict(color=ARROW_COLOR, width=1.5), showlegend=first,
                        meta=f"{profile}:arrows", row=1, col=col)
        fig.add_scatter(x=[], y=[], mode="markers", marker=dict(symbol="arrow", size=8, color=ARROW_COLOR),
                        showlegend=False, hoverinfo="skip", meta=f"{profile}:heads", row=1, col=col)
        fig.update_xaxes(title_text="θ₁  (tail ← classes conflict → head)", constrain="domain", row=1, col=col)
    fig.update_yaxes(title_text="θ₂  (shared by all classes)", row=1, col=1)
    fig.update_yaxes(scaleanchor="x", scaleratio=1, row=1, col=1)
    fig.update_xaxes(matches="x", row=1, col=2)
    fig.update_layout(template="plotly_white", height=450, width=860, margin=dict(l=60, r=20, t=60, b=60),
                      legend=dict(orientation="h", y=-0.2))
    x_range, y_range = ranges if ranges is not None else toy_axis_ranges(toy)
    fig.update_xaxes(range=x_range, autorange=False)
    fig.update_yaxes(range=y_range, autorange=False)
    update_toy_paths(fig, data)
    return fig


def update_toy_paths(fig, data: dict) -> None:
    """Write the paths and arrows of ``data`` (one μ) into a :func:`toy_paths_plotly` figure."""
    by_meta = {t.meta: t for t in fig.data if t.meta}
    with fig.batch_update():
        for profile in data["profiles"]:
            d = data[profile]
            for key in ("plain", "momentum"):
                trace = by_meta[f"{profile}:{key}"]
                trace.x, trace.y = d[key][:, 0], d[key][:, 1]
            a = d["arrows"]
            seg_x = np.column_stack([a[:, 0], a[:, 0] + a[:, 2], np.full(len(a), np.nan)]).ravel()
            seg_y = np.column_stack([a[:, 1], a[:, 1] + a[:, 3], np.full(len(a), np.nan)]).ravel()
            by_meta[f"{profile}:arrows"].x, by_meta[f"{profile}:arrows"].y = seg_x, seg_y
            heads = by_meta[f"{profile}:heads"]
            heads.x, heads.y = a[:, 0] + a[:, 2], a[:, 1] + a[:, 3]
            # plotly measures marker angles clockwise from "up"
            heads.marker.angle = np.degrees(np.arctan2(a[:, 2], a[:, 3]))


def toy_mu_sweep_figure(sweep, axes=None):
    """Against μ (from :func:`lt_causal.momentum_toy.mu_sweep`), one line per profile: the drift
    towards the head after T steps (bad) and the shared loss left (good when small)."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    fig = axes[0].figure
    for profile, frame in sweep.groupby("profile", sort=False):
        label = PROFILE_TITLES.get(profile, profile)
        axes[0].plot(frame["mu"], frame["head_drift"], "o-", label=label)
        axes[1].plot(frame["mu"], frame["shared_loss"], "o-", label=label)
    lt = sweep[sweep["profile"] != "balanced"]
    if "optimum_drift" in sweep and len(lt):
        axes[0].axhline(float(lt["optimum_drift"].iloc[0]), color="tab:red", ls=":",
                        label="optimum of the long-tailed loss")
    axes[0].axhline(0.0, color="gold", lw=2, label="global optimum (all classes)")
    axes[0].set_ylabel("drift towards the head")
    axes[0].set_title("bad: momentum carries the run to the head")
    axes[1].set_yscale("log")
    axes[1].set_ylabel("shared loss left  ½ h₂ θ₂²")
    axes[1].set_title("good: momentum learns the shared direction")
    for ax in axes:
        ax.set_xlabel("SGD momentum μ")
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- a trained run
def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def _class_ticks(ax, frame) -> None:
    labels = [f"{c}\n{n}" for c, n in zip(frame.index, frame["train_count"])]
    ax.set_xticks(range(len(frame)))
    ax.set_xticklabels(labels if len(frame) <= 20 else [], fontsize=8)
    ax.set_xlabel("class, with its number of training images (head → tail)")


def _group_legend(ax, groups) -> None:
    from matplotlib.patches import Patch

    seen = [g for g in ("many", "medium", "few") if g in set(groups)]
    ax.legend(handles=[Patch(color=GROUP_COLORS[g], label=f"{g}-shot") for g in seen], fontsize=8,
              loc="best")


def class_cosine_figure(cosines, ax=None):
    """Bars: cos(mean feature of class, d̂) per class head → tail (dots: mean per-image cos)."""
    fig, ax = _axes(ax, (7, 3.6))
    x = np.arange(len(cosines))
    ax.bar(x, cosines["cos"], color=[GROUP_COLORS[g] for g in cosines["group"]])
    if "sample_cos" in cosines:
        ax.plot(x, cosines["sample_cos"], "k.", ms=8, label="mean over images of cos(x, d̂)")
    _class_ticks(ax, cosines)
    _group_legend(ax, cosines["group"])
    ax.set_ylabel("cos(mean feature, d̂)")
    ax.set_ylim(min(0.0, float(np.nanmin(cosines["cos"])) - 0.05), 1.0)
    ax.set_title("How much each class's features point along the head direction d̂")
    return fig


def magnitude_figure(magnitudes, ax=None):
    """Fig. 3b of Tang et al.: mean ‖x‖ of each class's test images (± std), head → tail."""
    fig, ax = _axes(ax, (7, 3.6))
    x = np.arange(len(magnitudes))
    ax.bar(x, magnitudes["magnitude"], yerr=magnitudes.get("std"), capsize=3,
           color=[GROUP_COLORS[g] for g in magnitudes["group"]])
    _class_ticks(ax, magnitudes)
    _group_legend(ax, magnitudes["group"])
    ax.set_ylabel("mean feature magnitude ‖x‖")
    ax.set_title("Fig. 3b: feature magnitude per class, head → tail")
    return fig


def magnitude_figures(named: dict):
    """Fig. 3b for several models side by side: ``{title: feature_magnitude_per_class(run)}``."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(named), figsize=(6.2 * len(named), 3.6), constrained_layout=True,
                             squeeze=False)
    for ax, (title, magnitudes) in zip(axes[0], named.items()):
        magnitude_figure(magnitudes, ax=ax)
        ax.set_title(f"Fig. 3b: {title}")
    return fig


def decomposition_figure(table, ax=None, max_points: int = 3000, seed: int = 0):
    """x = ẍ + d for real test images: each image at (‖x‖cos(x, d̂), ‖x‖sin(x, d̂)) coloured by
    shot group, and the two parts drawn as arrows for the median-norm image of the head and of
    the tail class. ``table`` is :func:`lt_causal.momentum_analysis.decomposition_table`."""
    fig, ax = _axes(ax, (6.2, 5))
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(table))[:max_points]
    sample = table.iloc[idx]
    for g in ("many", "medium", "few"):
        part = sample[sample["group"] == g]
        if len(part):
            ax.scatter(part["parallel"], part["orthogonal"], s=6, alpha=0.35, color=GROUP_COLORS[g],
                       label=f"{g}-shot images")
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
        ax.annotate(f"x ({name} class {r['class']})", (r["parallel"], r["orthogonal"]),
                    xytext=(4, 4), textcoords="offset points", fontsize=8)
    ax.plot([], [], color="tab:red", label="d = ‖x‖cos(x, d̂) d̂  (indirect, via D)")
    ax.plot([], [], color="tab:green", label="ẍ = x − d  (direct)")
    ax.set_xlabel("‖x‖ cos(x, d̂): length of d, along the head direction")
    ax.set_ylabel("‖x‖ sin(x, d̂) = ‖ẍ‖")
    right = max(float(table["parallel"].max()), float(table["orthogonal"].max())) * 1.08
    ax.set_xlim(min(0.0, float(table["parallel"].min())) - 0.02 * right, right)
    ax.set_ylim(0.0, right)
    ax.set_aspect("equal", adjustable="box")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("x = ẍ + d for every test image")
    return fig


# ---------------------------------------------------------------- Fig. 3c
def relative_change_figure(change, groups=None, ax=None, note: str | None = None):
    """Fig. 3c: grouped bars per class (head → tail) of (acc_μ − acc_μmax)/acc_μmax in %, one
    colour per μ (the reference μ, all zeros, is left out). ``groups`` labels the shot group.
    A class never classified right at the reference μ has no ratio: it is marked "n/a" instead of
    being left blank. ``note`` (e.g. "quick mode: 8 epochs") is added to the title."""
    import matplotlib.pyplot as plt

    fig, ax = _axes(ax, (8, 3.8))
    rows = [mu for mu in change.index if not np.allclose(change.loc[mu].fillna(0).to_numpy(), 0.0)]
    rows = rows or list(change.index)
    width = 0.8 / len(rows)
    x = np.arange(change.shape[1])
    colors = plt.cm.viridis(np.linspace(0.15, 0.85, len(rows)))
    for i, mu in enumerate(rows):
        ax.bar(x - 0.4 + width * (i + 0.5), 100 * change.loc[mu].to_numpy(dtype=float), width,
               color=colors[i], label=f"μ = {mu:g}")
    reference = max(change.index)
    undefined = np.flatnonzero(change.isna().all(axis=0).to_numpy())
    for j in undefined:
        ax.annotate("n/a", (j, 0), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=7,
                    color="#777777")
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xlim(-0.5, len(x) - 0.5)
    ax.set_xticks(x)
    labels = [str(c) if groups is None else f"{c}\n{g}" for c, g in zip(change.columns, groups or change.columns)]
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_xlabel("class (head → tail)" + ("" if change.shape[1] <= 4 else ", with its shot group")
                  + (f"; n/a: 0 % right at μ = {reference:g}, no ratio" if len(undefined) else ""))
    ax.set_ylabel(f"accuracy change vs μ = {reference:g} (%)")
    ax.set_title(f"Fig. 3c: relative change of accuracy from μ = {reference:g}" + (f" ({note})" if note else ""))
    ax.legend(fontsize=8)
    return fig


def grid_note(runs_by_mu: dict) -> str | None:
    """"N of the recipe's M epochs" when the runs of a μ grid were trained for fewer epochs than
    the data set's full recipe (quick mode; the figures say so in their titles), else None."""
    from lt_causal.config import recipe

    run = next(iter(runs_by_mu.values()))
    epochs, dataset = run.config.get("epochs"), run.config.get("dataset")
    try:
        full = recipe(dataset).epochs
    except (TypeError, ValueError):
        return None
    return f"{epochs} of the recipe's {full} epochs" if epochs is not None and epochs < full else None


def relative_change_plotly(row, groups, mu: float, reference: float, widget: bool = False,
                           span: float | None = None, note: str | None = None):
    """One μ of Fig. 3c as plotly bars per class (head → tail); update with ``update_relative_change``.
    Classes without a ratio (0 % right at the reference μ) are labelled "n/a"."""
    import plotly.graph_objects as go

    fig = go.FigureWidget() if widget else go.Figure()
    fig.add_bar(x=[str(c) for c in row.index], y=100 * row.to_numpy(dtype=float),
                marker_color=[GROUP_COLORS[g] for g in groups],
                hovertemplate="class %{x}<br>%{y:+.1f} %<extra></extra>")
    fig.add_scatter(x=[], y=[], mode="text", text=[], textposition="top center", meta="n/a",
                    textfont=dict(color="#777777", size=11), hoverinfo="skip", showlegend=False)
    fig.update_layout(template="plotly_white", height=360, width=640, margin=dict(l=60, r=20, t=60, b=60),
                      xaxis=dict(title="class (head → tail; blue many, orange medium, red few-shot)", type="category",
                                 categoryorder="array", categoryarray=[str(c) for c in row.index]),
                      yaxis=dict(title=f"accuracy change vs μ = {reference:g} (%)"), meta=note or "",
                      showlegend=False)
    update_relative_change(fig, row, mu, reference, span)
    return fig


def update_relative_change(fig, row, mu: float, reference: float, span: float | None = None) -> None:
    """Show the relative change ``row`` of μ in a :func:`relative_change_plotly` figure; the y
    axis spans ±``span`` % (default: fitted to this row)."""
    values = 100 * row.to_numpy(dtype=float)
    if span is None:
        finite = values[np.isfinite(values)]
        span = max(5.0, float(np.abs(finite).max()) * 1.15) if len(finite) else 5.0
    missing = [str(c) for c, v in zip(row.index, values) if not np.isfinite(v)]
    note = fig.layout.meta or ""
    with fig.batch_update():
        fig.data[0].y = values
        if len(fig.data) > 1:
            fig.data[1].x, fig.data[1].y, fig.data[1].text = missing, [0.0] * len(missing), ["n/a"] * len(missing)
        fig.layout.title = (f"Fig. 3c: relative change of accuracy, μ = {mu:g} vs μ = {reference:g}"
                            + (f"<br><sup>{note}; n/a: never right at μ = {reference:g}, no ratio</sup>"
                               if note else ""))
        fig.layout.yaxis.range = [-span, span]
