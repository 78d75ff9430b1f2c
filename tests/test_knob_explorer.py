"""The α-slider model (pure), its thin view, post-hoc logit adjustment and run comparisons,
on a TrainedRun built from synthetic features (no training needed)."""
import numpy as np
import pytest
import torch

from lt_causal.models.heads import CausalNormHead, LinearHead
from lt_causal.evaluation.knobs import KnobExplorerModel
from lt_causal.views.knob_explorer import knob_explorer, summary_html
from lt_causal.evaluation.metrics import shot_accuracy
from lt_causal.methods.posthoc import logit_adjustment
from lt_causal.evaluation.runs import TrainedRun, compare_runs
from recipe_values import CAUSAL_NORM


def synthetic_run(head=None, seed=0):
    """Features = class prototype + a shared 'head direction' component + noise."""
    g = torch.Generator().manual_seed(seed)
    C, D, per = 6, 8, 30
    counts = [500, 200, 80, 30, 10, 5]
    protos = torch.rand(C, D, generator=g)
    direction = torch.ones(D)
    labels = torch.arange(C).repeat_interleave(per)
    feats = protos[labels] + 0.8 * direction + 0.3 * torch.rand(len(labels), D, generator=g)
    if head is None:
        head = CausalNormHead(D, C, **CAUSAL_NORM)
        with torch.no_grad():  # weights biased towards the head classes along the direction
            head.weight.copy_(protos - protos.mean(0) + torch.tensor(counts).float().log()[:, None] / 10 * direction)
    return TrainedRun({"method": "deconfound", "dataset": "synthetic"}, [f"c{i}" for i in range(C)], counts,
                      feats, labels, head, direction * 3.0)


def test_run_logits_equal_head_for_every_alpha():
    run = synthetic_run()
    for a in (0.0, 0.3, 1.0, 2.5):
        torch.testing.assert_close(run.logits(a), run.head(run.test_features, run.direction, a))


def test_model_numbers_follow_the_slider():
    run = synthetic_run()
    model = KnobExplorerModel(run, "tde", values=[0, 0.5, 1.0, 1.5])
    assert model.metrics == run.evaluate(0.0)
    model.set_value(1.0)
    assert model.metrics == shot_accuracy(run.head(run.test_features, run.direction, 1.0).argmax(1),
                                          run.test_labels, run.train_counts)
    np.testing.assert_allclose(model.per_class, run.per_class_accuracy(1.0))
    assert model.curve.loc[1.0, "few"] == run.evaluate(1.0)["few"]
    assert model.suggested == pytest.approx(1 / np.mean(run.mean_cos()))
    html = summary_html(model)
    assert f'data-value="{run.evaluate(1.0)["few"]:.2f}"' in html and "α = 1.00" in html
    with pytest.raises(ValueError, match="alpha must be a number"):
        model.set_value("x")


def test_view_updates_figures_in_place():
    run = synthetic_run()
    box = knob_explorer(run, "tde", values=[0, 0.5, 1.0])
    top, figs = box.children
    controls, summary = top.children
    slider, menu = controls.children
    bars, curve = figs.children
    assert (slider, summary, bars, curve) == (box.slider, box.summary, box.bars, box.curve)
    before = (summary.value, tuple(bars.data[0].y))
    slider.value = 1.0
    assert box.model.value == 1.0
    assert summary.value == summary_html(box.model) != before[0]
    np.testing.assert_allclose(bars.data[0].y, run.per_class_accuracy(1.0))
    shapes = {s.name: s for s in curve.layout.shapes}
    assert shapes["value"].x0 == shapes["value"].x1 == 1.0
    # the dashed suggested-α line stays where it is (it used to move with the marker)
    assert shapes["suggested"].x0 == pytest.approx(box.model.suggested)


def test_logit_adjustment_knob():
    run = synthetic_run()
    prior = torch.tensor(run.train_counts, dtype=torch.float32)
    expected = run.logits(0) - 0.7 * (prior / prior.sum()).log()
    torch.testing.assert_close(run.knob_logits("logit_adjustment", 0.7), expected)
    torch.testing.assert_close(logit_adjustment(run.logits(0), run.train_counts, 0.0), run.logits(0))
    model = KnobExplorerModel(run, "logit_adjustment", values=[0, 1])
    assert model.suggested is None and model.symbol == "τ"
    with pytest.raises(ValueError, match="unknown test-time knob 'nope'"):
        run.knob_logits("nope", 1)
    with pytest.raises(ValueError, match="tau must be a number"):
        logit_adjustment(run.logits(0), run.train_counts, "big")


def test_compare_runs_table():
    dc, ce = synthetic_run(), synthetic_run(head=LinearHead(8, 6))
    table = compare_runs({"ce": ce, "deconfound": dc}, alphas={"deconfound": 1.0})
    assert list(table.index) == ["ce", "deconfound", "deconfound + TDE α=1"]
    assert table.loc["deconfound + TDE α=1", "few"] == dc.evaluate(1.0)["few"]
    assert table.loc["ce", "overall"] == ce.evaluate(0)["overall"]


def test_tde_moves_accuracy_from_head_to_tail_on_biased_features():
    run = synthetic_run()
    base, tde = run.evaluate(0.0), run.evaluate(run.suggested_alpha())
    assert tde["few"] > base["few"]


def test_per_class_bars_run_head_to_tail_by_training_count():
    """Class ids need not follow the training counts (ImageNet-LT's do not): the bars labelled
    head → tail are sorted by count, and stay sorted when the slider moves."""
    from lt_causal.views.run_plots import per_class_figure

    base = synthetic_run()
    perm = [3, 0, 5, 1, 4, 2]                      # class i of the new run is class perm[i] of the old
    inverse = torch.tensor(perm).argsort()
    run = TrainedRun(base.config, [base.classes[i] for i in perm], [base.train_counts[i] for i in perm],
                     base.test_features, inverse[base.test_labels], base.head, base.direction)
    model = KnobExplorerModel(run, "tde", values=[0, 1.0])
    fig = per_class_figure(model)
    assert [x.split("<br>")[0] for x in fig.data[0].x] == ["c0", "c1", "c2", "c3", "c4", "c5"]   # 500 … 5 images
    order = np.argsort(-np.asarray(run.train_counts), kind="stable")
    np.testing.assert_allclose(fig.data[0].y, model.per_class[order])


def test_a_val_run_is_named_val_in_the_explorer_and_its_figures():
    """Notebook 08 opens the explorer on the val split: its per-class title, its oracle line and the
    curve's star name the split the numbers come from, not "test"; a test run keeps "test"."""
    import dataclasses

    import lt_causal as lc
    from lt_causal.language import term
    from lt_causal.views.run_plots import knob_curve_figure, per_class_figure

    for split in ("test", "val"):
        run = dataclasses.replace(synthetic_run(), split=split)
        model = KnobExplorerModel(run, "tde", values=[0, 0.5, 1.0])
        other = "val" if split == "test" else "test"
        title = per_class_figure(model).layout.title.text
        star = next(t.name for t in knob_curve_figure(model).data if t.meta == "best")
        line = summary_html(model)
        assert f"{split} accuracy" in title and f"on {split} (oracle)" in star and f"uses the {split} labels" in line
        assert other not in title and f"on {other}" not in star and f"the {other} labels" not in line
        assert f"{split} images" in repr(run)
        with lc.using_language("zh"):
            assert term(split) in per_class_figure(model).layout.title.text
