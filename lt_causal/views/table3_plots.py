"""Table 3's trend as a picture: TDE's gain over α = 0 against the imbalance ratio, the paper's
beside the package's (each seed a dot, the mean a line, ± one std as a bar)."""
from __future__ import annotations

import numpy as np

from lt_causal.experiments.table3 import MEAN, STD, gains, paper_gains
from lt_causal.language import text
from lt_causal.views.figures import subplots


def table3_gain_figure(table, ax=None):
    """The gain rows of :func:`~lt_causal.experiments.table3.measured_table3` (top-1 points)
    against the imbalance ratio (log axis), beside the paper's gain at every ratio of its Table 3."""
    g = gains(table)
    if ax is None:
        fig, ax = subplots(figsize=(6.4, 3.8), constrained_layout=True)
    else:
        fig = ax.figure
    r = g.index.to_numpy(dtype=float)
    paper = paper_gains(table.attrs.get("dataset", "cifar10-lt"))
    ax.plot(paper.index, paper, "s--", color="0.35", label=text("gain_paper"))
    seeds = [c for c in g.columns if c.startswith("seed ")]
    for i, col in enumerate(seeds):
        ax.plot(r, g[col], "o", color="C0", alpha=0.45, ms=6, label=text("gain_seeds") if i == 0 else None)
    std = np.nan_to_num(g[STD].to_numpy(dtype=float))
    ax.errorbar(r, g[MEAN], yerr=std, fmt="-", color="C0", lw=2, capsize=4,
                label=text("gain_mean"))
    ax.set_xscale("log")
    ticks = sorted(set(r) | set(paper.index))
    ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
    ax.minorticks_off()
    ax.axhline(0, color="0.8", lw=0.8)
    ax.set(xlabel=text("gain_x"), ylabel=text("gain_y"), title=text("gain_title"))
    ax.legend(fontsize=8, loc="upper left")
    return fig
