"""Pictures of what the causal-norm classifier does (Tang et al. 2020, Eq. 7): the weight
norm enters a linear logit as ‖w‖ but a causal-norm logit as ‖w‖/(‖w‖+γ), so head classes
cannot win by growing their weights; the feature norm is removed per head."""
from __future__ import annotations

import numpy as np

from lt_causal.datasets.profiles import FEW_BELOW, MANY_ABOVE, shot_groups
from lt_causal.language import display_name, term, text
from lt_causal.views.run_plots import GROUP_COLORS
from lt_causal.views.figures import subplots
from lt_causal.training.config import TrainConfig


def causal_norm_picture(gammas=None, tau: float | None = None):
    """Two panels: the weight-norm factor of each classifier, and how τ sharpens the softmax
    (default: the recipe's γ beside 0.25 and 1, and the recipe's τ)."""
    gammas = gammas if gammas is not None else (TrainConfig.gamma, 0.25, 1.0)
    tau = TrainConfig.tau if tau is None else tau
    fig, (ax1, ax2) = subplots(1, 2, figsize=(10, 3.8), constrained_layout=True)
    norm = np.linspace(0.0, 3.0, 200)
    ax1.plot(norm, norm, "k--", label=text("norm_linear"))
    for g in gammas:
        ax1.plot(norm, norm / (norm + g), label=text("norm_causal", gamma=g))
    ax1.set(xlabel=text("norm_x"), ylabel=text("norm_y"), title=text("norm_title"), ylim=(0, 1.6))
    ax1.legend(fontsize=8, loc="lower right")
    cos = np.linspace(-1, 1, 5)
    for t in (1.0, 4.0, tau):
        p = np.exp(t * cos) / np.exp(t * cos).sum()
        ax2.plot(cos, p, marker="o", label=f"τ = {t:g}")
    ax2.set(xlabel=text("tau_x"), ylabel=text("softmax_y"), title=text("tau_title"))
    ax2.legend(fontsize=8, loc="upper left")
    return fig


def _name(data) -> str:
    """What a figure calls ``data``: a run's cell ("CIFAR-10-LT r=100 · de-confound · seed 0"), a data set's name."""
    return getattr(data, "label", None) or getattr(data, "name", None) or data.dataset


def class_counts_figure(data, ax=None):
    """Training images per class, head → tail, coloured by shot group (a legend naming each group's
    thresholds, dotted lines at them), each bar labelled with its count (up to 20 classes) and the
    total in the title (``data``: an :class:`~lt_causal.datasets.registry.LTDataset` or a run,
    anything with ``classes`` and ``train_counts``)."""
    from matplotlib.patches import Patch

    if ax is None:
        fig, ax = subplots(figsize=(8, 3.4), constrained_layout=True)
    counts = [int(n) for n in data.train_counts]
    groups = shot_groups(counts)
    bars = ax.bar(range(len(data.classes)), counts, color=[GROUP_COLORS[g] for g in groups])
    if len(counts) <= 20:
        ax.bar_label(bars, labels=[f"{n:,}" for n in counts], fontsize=7, padding=1)
    for y in (FEW_BELOW, MANY_ABOVE):
        ax.axhline(y, color="gray", lw=0.8, ls=":")
    ax.set_yscale("log")
    ax.set_ylim(top=max(counts) * 2.2)                    # room for the top bar's label and the legend
    ax.set_xticks(range(len(data.classes)))
    ax.set_xticklabels([display_name(c) for c in data.classes], rotation=0 if len(data.classes) <= 10 else 90, fontsize=8)
    ax.legend(handles=[Patch(color=GROUP_COLORS[g], label=text(f"counts_{g}", group=term(g), below=FEW_BELOW,
                                                                  above=MANY_ABOVE)) for g in ("many", "medium", "few")],
              fontsize=8, loc="upper right", ncols=3)
    ax.set(xlabel=text("counts_x"), ylabel=text("counts_y"),
           title=text("counts_title", name=_name(data), total=sum(counts),
                      head=counts[0], tail=counts[-1]))
    return ax.figure
