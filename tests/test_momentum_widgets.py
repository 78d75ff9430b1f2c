"""The μ sliders of notebook 02: set values on the pure models (and on the ipywidgets views)
and check the numbers and figure data against direct calls."""
import re

import numpy as np
import pytest
import torch

from lt_causal.models.heads import CausalNormHead
from lt_causal.momentum.analysis import relative_accuracy_change
from lt_causal.momentum.toy import head_drift, make_toy, momentum_arrows, simulate
from lt_causal.momentum.sliders import MomentumToyModel, MuGridModel
from lt_causal.views.momentum_widgets import grid_summary_html, momentum_toy_view, mu_grid_view, toy_summary_html
from lt_causal.evaluation.runs import TrainedRun
from recipe_values import CAUSAL_NORM

COUNTS = [400, 120, 40, 15, 6]


def synthetic_run(seed):
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(len(COUNTS)).repeat_interleave(20)
    centres = torch.eye(len(COUNTS), 6)
    feats = 0.6 * torch.rand(len(labels), 6, generator=g) + centres[labels]
    head = CausalNormHead(6, len(COUNTS), **CAUSAL_NORM)
    with torch.no_grad():   # a classifier that is right about half of the time
        head.weight.copy_(centres - centres.mean(0) + 0.4 * torch.randn(len(COUNTS), 6, generator=g))
    return TrainedRun({"method": "deconfound", "dataset": "synthetic"}, list("abcde"), COUNTS, feats,
                      labels, head, torch.rand(6, generator=g) + 0.1)


@pytest.fixture(scope="module")
def grid():
    return {0.5: synthetic_run(0), 0.7: synthetic_run(1), 0.9: synthetic_run(2)}


# ------------------------------------------------------------------ toy
def test_toy_model_follows_mu():
    toy = make_toy(steps=80)
    model = MomentumToyModel(toy, mu=0.9)
    plain_before = model.data["long-tailed"]["plain"].copy()
    for mu in (0.3, 0.75, 0.0):
        model.set_mu(mu)
        assert model.mu == mu
        for p in ("balanced", "long-tailed"):
            run = simulate(toy, mu, p)
            np.testing.assert_array_equal(model.data[p]["momentum"], run.theta)
            np.testing.assert_array_equal(model.data[p]["arrows"], momentum_arrows(run, model.arrow_every))
            assert model.summary.loc[(p, mu), "head_drift"] == pytest.approx(head_drift(toy, run))
        np.testing.assert_array_equal(model.data["long-tailed"]["plain"], plain_before)
    model.set_mu(0.6)
    drift = model.data["long-tailed"]["summary"]["head_drift"]
    assert f'data-drift="{drift:.4f}"' in toy_summary_html(model)
    assert "μ = 0.60" in toy_summary_html(model)
    with pytest.raises(ValueError, match="mu must be in"):
        model.set_mu(1.2)


def test_toy_view_updates_the_figure_in_place():
    view = momentum_toy_view(MomentumToyModel(make_toy(steps=60), mu=0.9))
    assert "lt-mu-slider" in view.slider._dom_classes
    view.slider.value = 0.4
    assert view.model.mu == pytest.approx(0.4)
    trace = next(t for t in view.figure.data if t.meta == "long-tailed:momentum")
    np.testing.assert_allclose(trace.x, view.model.data["long-tailed"]["momentum"][:, 0])
    np.testing.assert_allclose(trace.y, view.model.data["long-tailed"]["momentum"][:, 1])
    heads = next(t for t in view.figure.data if t.meta == "balanced:heads")
    arrows = view.model.data["balanced"]["arrows"]
    np.testing.assert_allclose(heads.x, arrows[:, 0] + arrows[:, 2])
    assert "μ = 0.40" in view.children[1].value


# ------------------------------------------------------------------ μ grid
def test_grid_model_selects_rows(grid):
    model = MuGridModel(grid)
    assert model.mus == [0.5, 0.7, 0.9] and model.reference == 0.9
    expected = relative_accuracy_change(grid)
    for mu in (0.7, 0.5, 0.9):
        model.select(mu)
        np.testing.assert_array_equal(model.row.to_numpy(), expected.loc[mu].to_numpy())
        assert list(model.row.index) == list("abcde")       # head → tail
    model.select(0.5)
    groups = relative_accuracy_change(grid, by="group").loc[0.5]
    for g in ("many", "few", "overall"):
        assert np.isfinite(groups[g])
        assert re.search(f'class="lt-mu-grid-{g}"[^>]*data-value="{100 * groups[g]:.2f}"', grid_summary_html(model))
    assert model.span >= 100 * np.nanmax(np.abs(expected.to_numpy()))
    assert model.groups == ["many", "many", "medium", "few", "few"]
    with pytest.raises(ValueError, match="0.8 is not in the grid"):
        model.select(0.8)
    with pytest.raises(ValueError, match="at least two runs"):
        MuGridModel({0.9: grid[0.9]})


def test_grid_view_updates_bars(grid):
    view = mu_grid_view(grid)
    assert "lt-mu-grid-slider" in view.slider._dom_classes
    assert [v for _, v in view.slider.options] == [0.5, 0.7, 0.9]
    view.slider.value = 0.7
    assert view.model.mu == 0.7
    np.testing.assert_allclose(np.asarray(view.figure.data[0].y, dtype=float),
                               100 * view.model.change.loc[0.7].to_numpy(dtype=float))
    assert "μ = 0.7" in view.figure.layout.title.text
