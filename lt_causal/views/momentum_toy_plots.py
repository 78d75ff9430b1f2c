"""Figures of the first half of notebook 02: the causal graph of SGD momentum (matplotlib) and
the SGD-momentum toy (plotly: the μ slider updates the paths in place; the μ sweep in matplotlib).
"""
from __future__ import annotations

import numpy as np

from lt_causal.causal.graph import PAPER_GRAPH, backdoor_paths, causal_paths
from lt_causal.language import plotly_font, text
from lt_causal.momentum.toy import figure_data, simulate
from lt_causal.views.figures import subplots

PROFILE_TITLES = {"balanced": "profile_balanced", "long-tailed": "profile_long_tailed"}   # catalogue keys
PLAIN_COLOR, MOMENTUM_COLOR, ARROW_COLOR = "#555555", "#9467bd", "#222222"

# ---------------------------------------------------------------- causal graph (docs/method.md §2)
GRAPH_NODES = {"M": (0.0, 1.0), "X": (0.0, 0.0), "D": (1.3, 1.0), "Y": (1.3, 0.0)}
GRAPH_LABELS = {"M": "node_momentum", "X": "node_feature", "D": "node_head", "Y": "node_prediction"}   # catalogue keys
# the edges live once, in lt_causal/causal/graph.py; the figure numbers them (1)-(5) in that order
GRAPH_EDGES = [(a, b, str(number)) for number, (a, b) in enumerate(PAPER_GRAPH, start=1)]
HIGHLIGHTS = {None: "graph_plain", "backdoor": "graph_backdoor", "mediator": "graph_mediator"}   # titles


def _highlight_colors(highlight: str | None) -> dict:
    """Edge -> colour, queried on the graph: the backdoor path X ← M → D → Y in red, or the
    indirect paths through the mediator in orange and the direct edge X → Y in green."""
    if highlight == "backdoor":
        return {edge: "tab:red" for path in backdoor_paths(PAPER_GRAPH, "X", "Y") for edge in path.edges}
    if highlight == "mediator":
        return {edge: "tab:green" if len(path.edges) == 1 else "tab:orange"
                for path in causal_paths(PAPER_GRAPH, "X", "Y") for edge in path.edges}
    return {}


def momentum_causal_graph(ax=None, highlight: str | None = None):
    """M → X, (M, X) → D, X → D → Y, X → Y with numbered edges; ``highlight`` = "backdoor"
    colours the path X ← M → D → Y, "mediator" the indirect vs the direct effect of X."""
    from lt_causal.views.causal_graph import draw_causal_graph

    if highlight not in HIGHLIGHTS:
        raise ValueError(f"unknown highlight {highlight!r}; choose None, 'backdoor' or 'mediator'")
    colors, title = _highlight_colors(highlight), HIGHLIGHTS[highlight]
    edges = []
    for a, b, number in GRAPH_EDGES:
        color = colors.get((a, b), "black" if highlight is None else "#b0b0b0")
        edges.append((a, b, {"color": color, "label": f"({number})",
                             "linewidth": 2.4 if (a, b) in colors else 1.4}))
    node_colors = {"D": "#fde2c8"} if highlight == "mediator" else (
        {"M": "#f6c9c9"} if highlight == "backdoor" else None)
    fig = draw_causal_graph(GRAPH_NODES, edges, ax, labels={n: text(k) for n, k in GRAPH_LABELS.items()}, node_size=0.27,
                            node_colors=node_colors, fontsize=8)
    (ax or fig.axes[0]).set_title(text(title), fontsize=10)
    return fig


def causal_graph_figure():
    """Three panels: the graph with numbered edges, the backdoor path, the mediator D."""
    fig, axes = subplots(1, 3, figsize=(12, 4.2))
    for ax, highlight in zip(axes, (None, "backdoor", "mediator")):
        momentum_causal_graph(ax, highlight)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- the SGD-momentum toy
def _profile_title(profile: str) -> str:
    return text(PROFILE_TITLES[profile]) if profile in PROFILE_TITLES else profile


def _class_labels(num_classes: int) -> list[str]:
    return [text("toy_head") if c == 0 else text("toy_tail") if c == num_classes - 1 else str(c)
            for c in range(num_classes)]


SLIDER_MUS = np.round(np.arange(0.0, 0.9901, 0.01), 2)     # the values the μ slider of notebook 02 offers


def toy_axis_ranges(toy, mus=SLIDER_MUS, arrow_every: int = 10, pad: float = 0.3) -> tuple:
    """(x range, y range) that hold the class optima and every path and arrow of the toy for all
    ``mus``: fixed axes, so that the panels do not jump while the μ slider moves."""
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


def toy_paths_figure(toy, data: dict, widget: bool = False, ranges: tuple | None = None):
    """Balanced vs long-tailed panels: class optima (area ∝ sampling frequency), the optimum of
    the balanced and of the long-tailed loss, the path without momentum and with momentum μ, and
    arrows along −v_t (the direction momentum moves θ). ``data`` is
    :func:`lt_causal.momentum.toy.figure_data`; :func:`update_toy_paths` moves it to a new μ
    (``widget=True``: a FigureWidget that a slider updates in place). The axes stay fixed at
    ``ranges`` (default :func:`toy_axis_ranges`: every μ of the slider)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.05,
                        subplot_titles=[_profile_title(p) for p in data["profiles"]])
    fig = go.FigureWidget(fig) if widget else fig
    names = _class_labels(toy.num_classes)
    for col, profile in enumerate(data["profiles"], start=1):
        probs = toy.class_probs[profile]
        first = col == 1
        fig.add_scatter(x=toy.optima[:, 0], y=toy.optima[:, 1], mode="markers+text", text=names,
                        textposition="bottom center", name=text("toy_optima"),
                        marker=dict(size=6 + 20 * np.sqrt(probs / probs.max()), color="#c7dcef",
                                    line=dict(color="#1f77b4", width=1)),
                        legendgroup="optima", showlegend=first, row=1, col=col)
        opt = toy.optimum("balanced")
        fig.add_scatter(x=[opt[0]], y=[opt[1]], mode="markers", name=text("toy_global"),
                        marker=dict(symbol="star", size=16, color="gold", line=dict(color="black", width=1)),
                        legendgroup="global", showlegend=first, row=1, col=col)
        if profile != "balanced":
            opt = toy.optimum(profile)
            fig.add_scatter(x=[opt[0]], y=[opt[1]], mode="markers", name=text("toy_lt_optimum"),
                            marker=dict(symbol="diamond", size=10, color="#d62728", line=dict(color="black", width=1)),
                            row=1, col=col)
        for key, name, style in (("plain", text("toy_plain"), dict(color=PLAIN_COLOR, dash="dash", width=1.5)),
                                 ("momentum", text("toy_momentum"), dict(color=MOMENTUM_COLOR, width=2))):
            # names stay fixed: renaming one trace inside batch_update blanks the others' names
            fig.add_scatter(x=[], y=[], mode="lines", name=name, line=style, legendgroup=key,
                            showlegend=first, meta=f"{profile}:{key}", row=1, col=col)
        fig.add_scatter(x=[], y=[], mode="lines", name=text("toy_arrows"), legendgroup="arrows",
                        line=dict(color=ARROW_COLOR, width=1.5), showlegend=first,
                        meta=f"{profile}:arrows", row=1, col=col)
        fig.add_scatter(x=[], y=[], mode="markers", marker=dict(symbol="arrow", size=8, color=ARROW_COLOR),
                        showlegend=False, hoverinfo="skip", meta=f"{profile}:heads", row=1, col=col)
        fig.update_xaxes(title_text=text("toy_theta1"), constrain="domain", row=1, col=col)
    fig.update_yaxes(title_text=text("toy_theta2"), row=1, col=1)
    fig.update_yaxes(scaleanchor="x", scaleratio=1, row=1, col=1)
    fig.update_xaxes(matches="x", row=1, col=2)
    fig.update_layout(template="plotly_white", height=450, width=860, margin=dict(l=60, r=20, t=60, b=60),
                      legend=dict(orientation="h", y=-0.2), font=plotly_font())
    x_range, y_range = ranges if ranges is not None else toy_axis_ranges(toy)
    fig.update_xaxes(range=x_range, autorange=False)
    fig.update_yaxes(range=y_range, autorange=False)
    update_toy_paths(fig, data)
    return fig


def update_toy_paths(fig, data: dict) -> None:
    """Write the paths and arrows of ``data`` (one μ) into a :func:`toy_paths_figure`."""
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
    """Against μ (from :func:`lt_causal.momentum.toy.mu_sweep`), one line per profile: the drift
    towards the head after T steps (bad) and the shared loss left (good when small)."""
    if axes is None:
        _, axes = subplots(1, 2, figsize=(10, 3.6))
    fig = axes[0].figure
    for profile, frame in sweep.groupby("profile", sort=False):
        label = _profile_title(profile)
        axes[0].plot(frame["mu"], frame["head_drift"], "o-", label=label)
        axes[1].plot(frame["mu"], frame["shared_loss"], "o-", label=label)
    lt = sweep[sweep["profile"] != "balanced"]
    if "optimum_drift" in sweep and len(lt):
        axes[0].axhline(float(lt["optimum_drift"].iloc[0]), color="tab:red", ls=":",
                        label=text("toy_lt_optimum"))
    axes[0].axhline(0.0, color="gold", lw=2, label=text("toy_global"))
    axes[0].set_ylabel(text("toy_drift"))
    axes[0].set_title(text("toy_bad"))
    axes[1].set_yscale("log")
    axes[1].set_ylabel(text("toy_shared"))
    axes[1].set_title(text("toy_good"))
    for ax in axes:
        ax.set_xlabel(text("toy_mu"))
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
