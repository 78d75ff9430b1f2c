"""The learner's screen, notebook 02: the toy's axes stay put while μ moves, and
Fig. 3c says what a quick-mode grid is and marks classes without a ratio instead of hiding them."""
import numpy as np
import pandas as pd
import torch

from lt_causal.models.heads import CausalNormHead
from lt_causal.views.momentum_toy_plots import SLIDER_MUS, toy_axis_ranges
from lt_causal.momentum.grid import grid_note
from lt_causal.views.momentum_plots import relative_change_figure
from lt_causal.momentum.toy import make_toy
from lt_causal.momentum.sliders import MomentumToyModel
from lt_causal.views.momentum_widgets import momentum_toy_view, mu_grid_view
from lt_causal.evaluation.runs import TrainedRun
from recipe_values import GAMMA, TAU


def _axis_ranges(fig) -> list:
    return [tuple(fig.layout[name].range) for name in ("xaxis", "xaxis2", "yaxis", "yaxis2")
            if fig.layout[name].range is not None]


def test_toy_axes_stay_fixed_and_hold_every_path():
    toy = make_toy()
    view = momentum_toy_view(MomentumToyModel(toy, mu=0.9))
    fig = view.figure
    before = _axis_ranges(fig)
    assert len(before) >= 2 and fig.layout.xaxis.autorange is False and fig.layout.yaxis.autorange is False
    (x0, x1), (y0, y1) = toy_axis_ranges(toy)
    for mu in (0.0, 0.3, 0.99, 0.5, 0.95):
        view.slider.value = mu
        assert _axis_ranges(fig) == before, f"the axes moved at μ = {mu}"
        for trace in fig.data:
            x = np.asarray([v for v in (() if trace.x is None else trace.x) if v is not None], dtype=float)
            y = np.asarray([v for v in (() if trace.y is None else trace.y) if v is not None], dtype=float)
            x, y = x[np.isfinite(x)], y[np.isfinite(y)]
            assert (x >= x0).all() and (x <= x1).all() and (y >= y0).all() and (y <= y1).all(), \
                f"{trace.name} leaves the fixed axes at μ = {mu}"
    assert SLIDER_MUS[0] == 0.0 and SLIDER_MUS[-1] == view.slider.max


def _run(acc_by_class, epochs):
    """A run whose per-class accuracy is ``acc_by_class`` (%, 10 test images per class)."""
    counts = [400, 120, 40, 15, 6]
    labels = torch.arange(5).repeat_interleave(10)
    right = torch.cat([torch.arange(10) < a // 10 for a in acc_by_class])
    feats = torch.eye(5)[torch.where(right, labels, (labels + 1) % 5)] + 0.01
    head = CausalNormHead(5, 5, num_heads=1, tau=TAU, gamma=GAMMA)
    with torch.no_grad():
        head.weight.copy_(torch.eye(5))
    return TrainedRun({"method": "deconfound", "dataset": "mnist-lt", "epochs": epochs}, list("abcde"), counts,
                      feats, labels, head, torch.ones(5))


def test_fig3c_marks_undefined_classes_and_names_a_short_training(close_figures):
    grid = {0.5: _run([90, 80, 50, 30, 20], 8), 0.9: _run([100, 80, 40, 0, 0], 8)}
    assert grid_note(grid) == "8 of the recipe's 30 epochs"
    assert grid_note({0.9: _run([100] * 5, 30)}) is None
    view = mu_grid_view(grid)
    fig = view.figure
    assert "8 of the recipe's 30 epochs" in fig.layout.title.text
    na = next(t for t in fig.data if t.meta == "n/a")
    assert list(na.x) == ["d", "e"] and list(na.text) == ["n/a", "n/a"]   # 0 % at μ = 0.9: no ratio
    view.slider.value = 0.9
    assert "8 of the recipe's 30 epochs" in fig.layout.title.text and list(na.x) == ["d", "e"]

    from lt_causal.momentum.analysis import relative_accuracy_change
    change = relative_accuracy_change(grid)
    every_mu = relative_change_figure(change, note=grid_note(grid))      # the static figure: every μ
    assert "8 of the recipe's 30 epochs" in every_mu.layout.title.text and "no ratio" in every_mu.layout.title.text
    na = next(t for t in every_mu.data if t.meta == "n/a")
    assert list(na.x) == ["d", "e"] and list(na.text) == ["n/a", "n/a"]


def _change(row: pd.Series) -> pd.DataFrame:
    """A two-μ relative-change table: ``row`` at μ = 0.5, the reference μ = 0.9 (zeros, NaN where row is)."""
    return pd.DataFrame([row, row.where(row.isna(), 0.0)], index=[0.5, 0.9])


def test_plotly_fig3c_without_note_keeps_its_title():
    row = pd.Series([0.1, -0.2, np.nan], index=["a", "b", "c"])
    fig = relative_change_figure(_change(row), ["many", "medium", "few"], mu=0.5)
    assert fig.layout.title.text == "Fig. 3c: relative change of accuracy, μ = 0.5 vs μ = 0.9"


def test_plotly_fig3c_keeps_the_class_order_with_na_labels():
    """The n/a labels are a second trace on the category axis: the classes must stay head → tail."""
    row = pd.Series([0.1, np.nan, -0.2, np.nan], index=["0", "1", "2", "3"])
    fig = relative_change_figure(_change(row), ["many", "many", "medium", "few"], mu=0.5,
                                 note="8 of the recipe's 30 epochs")
    assert list(fig.layout.xaxis.categoryarray) == ["0", "1", "2", "3"] and fig.layout.xaxis.categoryorder == "array"
    assert fig.layout.showlegend is False
    assert "<br>" in fig.layout.title.text          # the note on its own line: the title fits 640 px
