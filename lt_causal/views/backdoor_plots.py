"""Figures of the backdoor adjustment (notebook 01): the two stratum weightings of one
adjustment, and Simpson's paradox across groups (matplotlib; every function takes axes or makes
them and returns the Figure)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from lt_causal.causal.backdoor import BackdoorResult
from lt_causal.causal.simpson import standardized_rates, stratum_rates
from lt_causal.language import display_name, text
from lt_causal.views.figures import subplots


def _new_axes(n: int, axes, figsize):
    if axes is None:
        fig, axes = subplots(1, n, figsize=figsize, squeeze=False)
        return fig, list(axes[0])
    axes = list(np.atleast_1d(axes))
    if len(axes) != n:
        raise ValueError(f"expected {n} axes, got {len(axes)}")
    return axes[0].figure, axes


def plot_backdoor(result: BackdoorResult, ax=None):
    """Bars of P(z|X) (mix among the treated) and P(z) (population mix) per stratum."""
    fig, (ax,) = _new_axes(1, ax, (6, 3.5))
    t = result.table
    x = np.arange(len(t))
    ax.bar(x - 0.2, t["p_z_given_x"], 0.4, label=text("among_treated"))
    ax.bar(x + 0.2, t["p_z"], 0.4, label=text("whole_population"))
    ax.set_xticks(x, [str(v) for v in t.index])
    ax.set_xlabel(str(t.index.name))
    ax.set_ylabel(text("probability"))
    ax.set_title(f"P(Y|X) = {result.observational:.4f}   P(Y|do(X)) = {result.adjusted:.4f}")
    ax.set_ylim(0, 1.3 * float(t[["p_z_given_x", "p_z"]].to_numpy().max()))
    ax.legend()
    fig.tight_layout()
    return fig


def plot_simpson(data: pd.DataFrame, *, group: str, adjustment: str, cases: str, deaths: str,
                 standard: str = "pooled", axes=None, percent: bool = True, rate_label: str | None = None):
    """Left: rate per stratum and group. Right: crude vs standardised rate per group.
    ``rate_label`` names the rate on the y axes (default: "<deaths> / <cases>")."""
    fig, (left, right) = _new_axes(2, axes, (11, 4))
    scale = 100.0 if percent else 1.0
    unit = " (%)" if percent else ""
    rates = stratum_rates(data, group=group, adjustment=adjustment, cases=cases, deaths=deaths)
    summary = standardized_rates(data, group=group, adjustment=adjustment, cases=cases,
                                 deaths=deaths, standard=standard)
    x = np.arange(len(rates))
    width = 0.8 / rates.shape[1]
    for i, col in enumerate(rates.columns):
        left.bar(x + (i - (rates.shape[1] - 1) / 2) * width, rates[col] * scale, width,
                 label=display_name(col))
    left.set_xticks(x, [str(v) for v in rates.index])
    rate_label = display_name(rate_label) if rate_label else f"{display_name(deaths)} / {display_name(cases)}"
    left.set(xlabel=display_name(adjustment), ylabel=f"{rate_label}{unit}", title=text("per_stratum"))
    left.legend()
    g = np.arange(len(summary))
    right.bar(g - 0.2, summary["crude"] * scale, 0.4, label=text("crude"))
    right.bar(g + 0.2, summary["standardized"] * scale, 0.4,
              label=text("standardised", standard=display_name(standard)))
    for xs, col in ((g - 0.2, "crude"), (g + 0.2, "standardized")):
        for xi, v in zip(xs, summary[col]):
            right.annotate(f"{v * scale:.2f}", (xi, v * scale), ha="center", va="bottom")
    right.set_xticks(g, [display_name(v) for v in summary.index])
    right.set(ylabel=f"{rate_label}{unit}", title=text("crude_vs_standardised"))
    right.set_ylim(0, 1.3 * scale * float(summary[["crude", "standardized"]].to_numpy().max()))
    right.legend(loc="upper left")
    fig.tight_layout()
    return fig
