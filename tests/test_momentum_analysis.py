"""Momentum analysis of a trained run, checked on synthetic runs against plain loops."""
import dataclasses
import math

import numpy as np
import pytest
import torch

from lt_causal.training.config import recipe
from lt_causal.models.heads import CausalNormHead, CosineHead
from lt_causal.momentum.analysis import (accuracy_by_mu, class_direction_cosines, decompose, decomposition_table,
                                         feature_magnitude_per_class, magnitude_reading, magnitude_table,
                                         rank_correlation, relative_accuracy_change)
from lt_causal.language import using_language
from lt_causal.momentum.grid import grid_run_dir, momentum_grid
from lt_causal.datasets.profiles import shot_groups
from lt_causal.evaluation.runs import TrainedRun
from recipe_values import CAUSAL_NORM, TAU

COUNTS = [30, 500, 12, 150, 5, 60]          # deliberately not sorted: head → tail is 1, 3, 5, 0, 2, 4
HEAD_TO_TAIL = [1, 3, 5, 0, 2, 4]


def synthetic_run(seed=0, dim=8, per_class=7, head="causal_norm", counts=COUNTS):
    g = torch.Generator().manual_seed(seed)
    num_classes = len(counts)
    labels = torch.arange(num_classes).repeat_interleave(per_class)
    feats = torch.rand(len(labels), dim, generator=g) + 0.3 * torch.rand(num_classes, dim, generator=g)[labels]
    if head == "causal_norm":
        head_module = CausalNormHead(dim, num_classes, **CAUSAL_NORM)
    else:
        head_module = CosineHead(dim, num_classes, tau=TAU)
    with torch.no_grad():
        head_module.weight.copy_(torch.randn(num_classes, dim, generator=g))
    direction = torch.rand(dim, generator=g) + 0.5
    return TrainedRun({"method": "deconfound", "dataset": "synthetic"}, [f"c{i}" for i in range(num_classes)],
                      list(counts), feats, labels, head_module, direction)


# ------------------------------------------------------------------ decompose
@pytest.mark.parametrize("num_heads", [1, 2, 4])
def test_decompose_reconstructs_and_is_orthogonal(num_heads):
    run = synthetic_run()
    x = run.test_features.double()
    x_ddot, d = decompose(x, run.direction, num_heads)
    torch.testing.assert_close(x_ddot + d, x)
    h = x.shape[1] // num_heads
    for i in range(len(x)):
        for k in range(num_heads):
            s = slice(k * h, (k + 1) * h)
            dk = run.direction[s].double()
            dk_hat = dk / dk.norm()
            xk = x[i, s]
            cos = float(xk @ dk) / (float(xk.norm()) * float(dk.norm()))
            # docs/method.md §2: d = ‖x‖ cos(x, d̂) d̂, per head
            torch.testing.assert_close(d[i, s], float(xk.norm()) * cos * dk_hat)
            assert abs(float(x_ddot[i, s] @ d[i, s])) < 1e-10


def test_decompose_single_vector_and_bad_input():
    x = torch.tensor([3.0, 4.0])
    x_ddot, d = decompose(x, torch.tensor([2.0, 0.0]))
    torch.testing.assert_close(d, torch.tensor([3.0, 0.0]))
    torch.testing.assert_close(x_ddot, torch.tensor([0.0, 4.0]))
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        decompose(torch.ones(5, 2), torch.ones(3))
    with pytest.raises(ValueError, match="zero"):
        decompose(torch.ones(5, 2), torch.zeros(2))
    with pytest.raises(ValueError, match="num_heads=3"):
        decompose(torch.ones(5, 4), torch.ones(4), num_heads=3)


# ------------------------------------------------------------------ per-class summaries
@pytest.mark.parametrize("num_heads", [1, 2])
def test_class_direction_cosines_against_a_loop(num_heads):
    run = synthetic_run(1)
    table = class_direction_cosines(run, num_heads)
    assert list(table.index) == [f"c{i}" for i in HEAD_TO_TAIL]
    assert list(table["train_count"]) == [COUNTS[i] for i in HEAD_TO_TAIL]
    assert list(table["group"]) == [shot_groups(COUNTS)[i] for i in HEAD_TO_TAIL]
    x, y, dvec = run.test_features.numpy().astype(float), run.test_labels.numpy(), run.direction.numpy().astype(float)
    h = x.shape[1] // num_heads

    def cos(a, b):
        return float(a @ b) / (math.sqrt(float(a @ a)) * math.sqrt(float(b @ b)))

    for c in range(len(COUNTS)):
        rows = [x[i] for i in range(len(y)) if y[i] == c]
        mean = sum(rows) / len(rows)
        expected = np.mean([cos(mean[k * h:(k + 1) * h], dvec[k * h:(k + 1) * h]) for k in range(num_heads)])
        per_image = np.mean([np.mean([cos(r[k * h:(k + 1) * h], dvec[k * h:(k + 1) * h]) for k in range(num_heads)])
                             for r in rows])
        assert table.loc[f"c{c}", "cos"] == pytest.approx(expected, rel=1e-9)
        assert table.loc[f"c{c}", "sample_cos"] == pytest.approx(per_image, rel=1e-9)


def test_sample_cosines_agree_with_the_runs_mean_cos():
    run = synthetic_run(2)
    table = class_direction_cosines(run, num_heads=run.num_heads)
    # equal class sizes: the mean of the per-class means is the mean over all test images
    assert table["sample_cos"].mean() == pytest.approx(float(np.mean(run.mean_cos())), rel=1e-6)


def test_feature_magnitude_against_a_loop():
    run = synthetic_run(3)
    table = feature_magnitude_per_class(run)
    assert list(table.index) == [f"c{i}" for i in HEAD_TO_TAIL]
    x, y = run.test_features.numpy().astype(float), run.test_labels.numpy()
    for c in range(len(COUNTS)):
        norms = [math.sqrt(sum(v * v for v in x[i])) for i in range(len(y)) if y[i] == c]
        assert table.loc[f"c{c}", "magnitude"] == pytest.approx(sum(norms) / len(norms), rel=1e-9)
        assert table.loc[f"c{c}", "std"] == pytest.approx(float(np.std(norms)), rel=1e-6, abs=1e-9)


def _scaled_by_size(run, power):
    """The same run with every class's features scaled so that the mean ‖x‖ follows count**power."""
    counts = torch.tensor(run.train_counts, dtype=torch.float64)
    norms = run.test_features.double().norm(dim=1)
    scale = (counts[run.test_labels] ** power) / norms
    return dataclasses.replace(run, test_features=(run.test_features.double() * scale[:, None]).float())


def test_rank_correlation_by_hand():
    assert rank_correlation([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert rank_correlation([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # ranks (1, 2, 3) and (2, 1, 3): 1 - 6 * (1 + 1) / (3 * 8) = 0.5
    assert rank_correlation([5, 7, 9], [0.2, 0.1, 0.3]) == pytest.approx(0.5)


def test_magnitude_table_and_reading_follow_the_features():
    runs = {"longer head": _scaled_by_size(synthetic_run(1), 0.5), "longer tail": _scaled_by_size(synthetic_run(1), -0.5)}
    table = magnitude_table(runs)
    assert table.loc["longer head", "rank corr. (size, ‖x‖)"] == pytest.approx(1.0)
    assert table.loc["longer tail", "rank corr. (size, ‖x‖)"] == pytest.approx(-1.0)
    assert table.loc["longer head", "longest ‖x‖"] == "c1" and table.loc["longer head", "shortest ‖x‖"] == "c4"
    cos = class_direction_cosines(runs["longer head"])
    assert table.loc["longer head", "highest cos"] == cos["cos"].idxmax()
    assert table.loc["longer head", "rank corr. (size, cos)"] == pytest.approx(rank_correlation(cos["train_count"], cos["cos"]))
    reading = magnitude_reading(table)
    assert "longer head: the mean ‖x‖ falls from head to tail (rank correlation with the class sizes +1.00" in reading
    assert "longer tail: the mean ‖x‖ rises from head to tail" in reading
    assert reading.endswith("shows only on: longer head.")
    assert magnitude_reading(table.loc[["longer head"]]).endswith("head classes have longer features.")
    assert "None of these runs" in magnitude_reading(table.loc[["longer tail"]])
    with using_language("zh"):
        assert "从头部类别到尾部类别递减" in magnitude_reading(table) and "只在以下运行中出现" in magnitude_reading(table)


def test_decomposition_table_lengths():
    run = synthetic_run(4, head="cosine")
    table = decomposition_table(run)
    assert len(table) == len(run.test_labels)
    np.testing.assert_allclose(table["parallel"] ** 2 + table["orthogonal"] ** 2, table["norm"] ** 2, rtol=1e-9)
    np.testing.assert_allclose(table["cos"], table["parallel"] / table["norm"], rtol=1e-12)
    assert table["cos"].mean() == pytest.approx(run.mean_cos()[0], rel=1e-6)   # one head: same quantity
    assert set(table["group"]) == set(shot_groups(COUNTS))


# ------------------------------------------------------------------ Fig. 3c
def loop_accuracy(run, c):
    pred = run.logits(0.0).argmax(1).tolist()
    labels = run.test_labels.tolist()
    hits = [p == y for p, y in zip(pred, labels) if y == c]
    return 100.0 * sum(hits) / len(hits)


def test_relative_accuracy_change_against_a_loop():
    runs = {0.5: synthetic_run(10), 0.9: synthetic_run(11), 0.7: synthetic_run(12)}
    change = relative_accuracy_change(runs)
    assert list(change.index) == [0.5, 0.7, 0.9]
    assert list(change.columns) == [f"c{i}" for i in HEAD_TO_TAIL]
    for mu, run in runs.items():
        for c in range(len(COUNTS)):
            ref = loop_accuracy(runs[0.9], c)
            value = change.loc[mu, f"c{c}"]
            if ref == 0:
                assert np.isnan(value)
            else:
                assert value == pytest.approx((loop_accuracy(run, c) - ref) / ref)
    assert np.nan_to_num(change.loc[0.9].to_numpy()).tolist() == [0.0] * len(COUNTS)
    other = relative_accuracy_change(runs, reference=0.5)
    assert np.nan_to_num(other.loc[0.5].to_numpy()).tolist() == [0.0] * len(COUNTS)


def test_relative_change_by_group_and_zero_reference():
    runs = {0.5: synthetic_run(20), 0.9: synthetic_run(21)}
    groups = relative_accuracy_change(runs, by="group")
    assert list(groups.columns) == ["many", "medium", "few", "overall"]
    acc = {mu: run.evaluate(0.0) for mu, run in runs.items()}
    for g in groups.columns:
        if acc[0.9][g] == 0:
            assert np.isnan(groups.loc[0.5, g])
        else:
            assert groups.loc[0.5, g] == pytest.approx((acc[0.5][g] - acc[0.9][g]) / acc[0.9][g])
    # a class the reference model never gets right has an undefined relative change
    broken = synthetic_run(21)
    with torch.no_grad():
        broken.head.weight[4] = -10 * broken.test_features.mean(0)
    broken = dataclasses.replace(broken)   # recompute the cached logits
    assert loop_accuracy(broken, 4) == 0
    assert np.isnan(relative_accuracy_change({0.5: runs[0.5], 0.9: broken}).loc[0.5, "c4"])
    by_class = accuracy_by_mu(runs)
    assert by_class.loc[0.9, "c4"] == pytest.approx(loop_accuracy(runs[0.9], 4))


@pytest.mark.parametrize("kwargs,match", [({"by": "shot"}, "by must be"), ({"reference": 0.3}, "reference mu 0.3")])
def test_relative_change_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        relative_accuracy_change({0.5: synthetic_run(), 0.9: synthetic_run(1)}, **kwargs)
    with pytest.raises(ValueError, match="empty"):
        relative_accuracy_change({})


# ------------------------------------------------------------------ the cached grid
def test_grid_dir_depends_on_what_is_learned(tmp_path):
    base = recipe("mnist-lt", quick=True)
    a = grid_run_dir(base, 0.9, tmp_path)
    assert a == grid_run_dir(dataclasses.replace(base, device="cpu", eval_every=3), 0.9, tmp_path)
    assert a != grid_run_dir(dataclasses.replace(base, epochs=base.epochs + 1), 0.9, tmp_path)
    assert a != grid_run_dir(base, 0.5, tmp_path)
    assert "mu0.9" in a.name
    with pytest.raises(ValueError, match="mu must be in"):
        momentum_grid([0.5, 1.0], base, tmp_path)


@pytest.mark.slow
def test_momentum_grid_trains_once_then_loads(tmp_path):
    datasets = pytest.importorskip("lt_causal.datasets.registry")
    data = datasets.load_dataset("mnist-lt")
    # a small slice keeps this test to a few seconds on a CPU
    keep = torch.cat([torch.nonzero(data.train_y == c).flatten()[:40] for c in range(len(data.classes))])
    small = dataclasses.replace(data, train_x=data.train_x[keep], train_y=data.train_y[keep],
                                train_counts=torch.bincount(data.train_y[keep], minlength=len(data.classes)).tolist(),
                                test_x=data.test_x[:300], test_y=data.test_y[:300])
    config = recipe("mnist-lt", epochs=1, batch_size=32, augment=False, device="cpu")
    events = []
    runs = momentum_grid([0.9, 0.5], config, tmp_path, data=small, progress=False, callback=events.append)
    assert list(runs) == [0.5, 0.9] and [e["cached"] for e in events] == [False, False]
    expected_dirs = sorted(grid_run_dir(config, m, tmp_path).name for m in (0.5, 0.9))
    assert sorted(p.name for p in tmp_path.iterdir()) == expected_dirs
    assert runs[0.5].config["momentum"] == 0.5 and runs[0.9].config["momentum"] == 0.9
    events.clear()
    again = momentum_grid([0.5, 0.9], config, tmp_path, data=small, progress=False, callback=events.append)
    assert [e["cached"] for e in events] == [True, True]
    for mu in (0.5, 0.9):
        torch.testing.assert_close(again[mu].test_features, runs[mu].test_features)
        torch.testing.assert_close(again[mu].direction, runs[mu].direction)
    table = relative_accuracy_change(again)
    assert table.shape == (2, len(data.classes))


# ------------------------------------------------------------------ figures draw the numbers
def test_figures_draw_the_tables_head_to_tail(close_figures):
    from lt_causal.views.momentum_plots import (class_cosine_figure, decomposition_figure, magnitude_figure,
                                          relative_change_figure)

    run = synthetic_run(5)
    cosines, magnitudes = class_direction_cosines(run), feature_magnitude_per_class(run)
    for fig, values in ((class_cosine_figure(cosines), cosines["cos"]),
                        (magnitude_figure(magnitudes), magnitudes["magnitude"])):
        ax = fig.axes[0]
        np.testing.assert_allclose([p.get_height() for p in ax.patches], values.to_numpy())
        assert "head → tail" in ax.get_xlabel()
        assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == list(values.index)
    change = relative_accuracy_change({0.5: synthetic_run(10), 0.7: synthetic_run(12), 0.9: synthetic_run(11)})
    fig = relative_change_figure(change, groups=list(cosines["group"]))
    heights = np.array([np.asarray(t.y, dtype=float) for t in fig.data if t.type == "bar"])   # μ = 0.9 left out
    np.testing.assert_allclose(heights, 100 * change.loc[[0.5, 0.7]].to_numpy(), equal_nan=True)
    one = relative_change_figure(change, groups=list(cosines["group"]), mu=0.7)   # what the μ slider shows
    np.testing.assert_allclose(np.asarray(one.data[0].y, dtype=float), 100 * change.loc[0.7].to_numpy(), equal_nan=True)
    assert "μ = 0.7 vs μ = 0.9" in one.layout.title.text
    table = decomposition_table(run)
    ax = decomposition_figure(table).axes[0]
    shown = np.concatenate([c.get_offsets() for c in ax.collections if hasattr(c, "get_offsets")
                            and len(c.get_offsets()) > 1])
    assert len(shown) == len(table)
