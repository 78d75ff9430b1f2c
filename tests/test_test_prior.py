"""Accuracy when the test set is long-tailed too. The re-weighting against a
per-sample loop and a re-sampled test set, `balanced` = today's numbers, the explorer's prior
menu, the knob comparison, the CLI, and the best α moving towards 0 under the training prior."""
import json

import numpy as np
import pandas as pd
import pytest
import torch

from lt_causal.evaluation import metrics
from lt_causal.cli import main
from lt_causal.experiments.comparison import knob_comparison, knob_models, prior_table, prior_tau
from lt_causal.models.heads import CausalNormHead
from lt_causal.evaluation.knobs import KnobExplorerModel
from lt_causal.views.knob_explorer import knob_explorer, summary_html
from lt_causal.evaluation.runs import TrainedRun
from lt_causal.evaluation.loading import load_run
from recipe_values import CAUSAL_NORM

COUNTS = [500, 200, 80, 30, 10, 5]


def synthetic_run(per_class=(30,) * 6, seed=0):
    """Features = class prototype + a shared head direction + noise; TDE helps the tail."""
    g = torch.Generator().manual_seed(seed)
    C, D = len(COUNTS), 8
    protos = torch.rand(C, D, generator=g)
    direction = torch.ones(D)
    labels = torch.cat([torch.full((n,), c) for c, n in enumerate(per_class)])
    feats = protos[labels] + 0.8 * direction + 0.3 * torch.rand(len(labels), D, generator=g)
    head = CausalNormHead(D, C, **CAUSAL_NORM)
    with torch.no_grad():
        head.weight.copy_(protos - protos.mean(0) + torch.tensor(COUNTS).float().log()[:, None] / 10 * direction)
    return TrainedRun({"method": "deconfound", "dataset": "synthetic"}, [f"c{i}" for i in range(C)], COUNTS,
                      feats, labels, head, direction * 3.0)


# ------------------------------------------------------------------ the weights
def test_prior_weights():
    q = metrics.test_prior
    np.testing.assert_allclose(q("balanced", COUNTS), np.full(6, 1 / 6))
    np.testing.assert_allclose(q(None, COUNTS), np.full(6, 1 / 6))
    np.testing.assert_allclose(q("train", COUNTS), np.array(COUNTS) / sum(COUNTS))
    inv = 1 / np.array(COUNTS, dtype=float)
    np.testing.assert_allclose(q("inverse", COUNTS), inv / inv.sum())
    r10 = q(10, COUNTS)
    assert r10.sum() == pytest.approx(1) and r10[0] / r10[-1] == pytest.approx(10)
    assert (np.diff(r10) < 0).all()                             # the training order: head first
    np.testing.assert_allclose(q("10", COUNTS), r10)
    np.testing.assert_allclose(q(1, COUNTS), q("balanced", COUNTS))
    shuffled = [30, 500, 5, 200]                                # order follows the counts, not the labels
    w = q(8, shuffled)
    assert w[1] / w[2] == pytest.approx(8) and list(np.argsort(-w)) == [1, 3, 0, 2]
    np.testing.assert_allclose(q([1, 0, 0, 0, 0, 1], COUNTS), [0.5, 0, 0, 0, 0, 0.5])
    for bad, message in (("uniform", "unknown test prior 'uniform'"), (0.5, "ratio must be a finite number >= 1"),
                         (float("nan"), "ratio"), ([1, 2], "6 finite non-negative"), ([0] * 6, "positive sum")):
        with pytest.raises(ValueError, match=message):
            q(bad, COUNTS)
    assert [metrics.prior_name(p) for p in (None, "train", 10, "2.5", [1] * 6)] == \
        ["balanced", "train", "r=10", "r=2.5", "custom"]


# ------------------------------------------------------------------ against a per-sample loop
@pytest.mark.parametrize("prior", ["balanced", "train", "inverse", 10, 3.5, [3, 1, 0, 2, 5, 1]])
def test_reweighting_equals_a_per_sample_loop(prior):
    rng = np.random.default_rng(1)
    test_counts = [40, 25, 60, 9, 17, 33]                       # a test set that is not balanced
    labels = np.repeat(np.arange(6), test_counts)
    pred = np.where(rng.random(len(labels)) < np.linspace(0.9, 0.2, 6)[labels], labels, (labels + 1) % 6)
    q = metrics.test_prior(prior, COUNTS)
    num = den = 0.0
    for y, p in zip(labels, pred):                              # weight each image by q[y] / n_test[y]
        w = q[y] / test_counts[y]
        num += w * (p == y)
        den += w
    got = metrics.shot_accuracy(torch.tensor(pred), torch.tensor(labels), COUNTS, prior=prior)
    assert got["overall"] == pytest.approx(100 * num / den, abs=1e-9)
    plain = metrics.shot_accuracy(torch.tensor(pred), torch.tensor(labels), COUNTS)
    assert {g: got[g] for g in ("many", "medium", "few")} == {g: plain[g] for g in ("many", "medium", "few")}


def test_reweighting_equals_a_resampled_test_set():
    """A test set re-sampled with integer class multiplicities m: its plain accuracy is the
    prior-weighted accuracy of the balanced one with q ∝ m."""
    run = synthetic_run()
    m = np.array([4, 3, 2, 2, 1, 1])
    pred = run.predictions(0.7)
    idx = np.concatenate([np.tile(np.flatnonzero(run.test_labels.numpy() == c), k) for c, k in enumerate(m)])
    resampled = 100 * float((pred[idx] == run.test_labels[idx]).double().mean())
    assert run.evaluate(0.7, prior=list(m))["overall"] == pytest.approx(resampled, abs=1e-9)


# ------------------------------------------------------------------ balanced = today's numbers
def test_balanced_prior_gives_todays_numbers():
    run = synthetic_run()
    for knob, values in (("tde", (0.0, 0.5, 1.3)), ("logit_adjustment", (0.0, 1.0)), ("tau_norm", (0.5,))):
        for v in values:
            assert run.evaluate(v, knob, prior="balanced") == run.evaluate(v, knob)    # exactly
    pd.testing.assert_frame_equal(run.sweep([0, 1, 2], prior="balanced"), run.sweep([0, 1, 2]))
    # on a test set that is not balanced, "balanced" is the mean of the per-class accuracies
    skewed = synthetic_run(per_class=(50, 40, 30, 20, 10, 5))
    per_class = skewed.per_class_accuracy(1.0)
    assert skewed.evaluate(1.0, prior="balanced")["overall"] == pytest.approx(per_class.mean())


def test_train_prior_favours_the_head_and_inverse_the_tail():
    run = synthetic_run()
    at0 = {p: run.evaluate(0.0, prior=p)["overall"] for p in ("balanced", "train", "inverse")}
    per_class = run.per_class_accuracy(0.0)
    assert per_class[0] > per_class[-1]                         # the model favours the head ...
    assert at0["train"] > at0["balanced"] > at0["inverse"]      # ... which a head-heavy test set rewards


# ------------------------------------------------------------------ the explorer, comparison, CLI
def test_explorer_model_and_view_follow_the_prior():
    run = synthetic_run()
    model = KnobExplorerModel(run, "tde", values=[0, 0.5, 1.0, 1.5])
    assert model.prior == "balanced" and model.metrics == run.evaluate(0.0)
    balanced_curve = model.curve.copy()
    model.set_value(1.0)
    model.set_prior("train")
    assert model.metrics == run.evaluate(1.0, prior="train") and model.value == 1.0
    pd.testing.assert_frame_equal(model.curve, run.sweep([0, 0.5, 1.0, 1.5], prior="train"))
    pd.testing.assert_frame_equal(model.curve[["many", "medium", "few"]], balanced_curve[["many", "medium", "few"]])
    assert model.best == metrics.best_value(model.curve)
    assert "train test prior" in summary_html(model) and f'data-value="{model.best:.2f}"' in summary_html(model)
    with pytest.raises(ValueError, match="unknown test prior 'flat'"):
        model.set_prior("flat")
    assert model.prior == "train"                               # a bad prior changes nothing

    box = knob_explorer(run, "tde", values=[0, 0.5, 1.0, 1.5])
    assert "lt-knob-prior" in box.prior_menu._dom_classes
    assert [v for _, v in box.prior_menu.options][:3] == ["balanced", "train", "inverse"]
    box.prior_menu.value = "inverse"
    assert box.model.prior == "inverse" and box.summary.value == summary_html(box.model)
    overall = next(t for t in box.curve.data if t.meta == "curve:overall")
    np.testing.assert_allclose(overall.y, run.sweep([0, 0.5, 1.0, 1.5], prior="inverse")["overall"])
    star = next(t for t in box.curve.data if t.meta == "best")
    assert star.x[0] == box.model.best and "inverse test prior" in box.curve.layout.title.text
    given = knob_explorer(run, "tde", values=[0, 1], prior=20)    # a ratio not in the menu is added
    assert given.prior_menu.value == 20 and given.model.prior == 20.0
    weights = knob_explorer(run, "tde", values=[0, 1], prior=np.array([1, 1, 1, 1, 2, 2]))
    assert weights.model.metrics == run.evaluate(0.0, prior=[1, 1, 1, 1, 2, 2])
    assert "custom test prior" in weights.summary.value


def test_comparison_and_prior_table():
    run = synthetic_run()
    table = knob_comparison({"dc": run}, prior="train")
    assert table.loc["dc", "overall"] == run.evaluate(0.0, prior="train")["overall"]
    assert table.loc["dc + TDE α=1", "overall"] == run.evaluate(1.0, prior="train")["overall"]
    assert table.loc["dc + TDE α=1", "few"] == run.evaluate(1.0)["few"]
    models = knob_models({"dc": run}, prior="inverse")
    assert all(m.prior == "inverse" for m in models.values())
    with pytest.raises(ValueError, match="unknown test prior"):
        knob_comparison({"dc": run}, prior="nope")
    assert [prior_tau(p, COUNTS) for p in ("balanced", "train", "inverse")] == pytest.approx([1, 0, 2])
    assert 0 < prior_tau(10, COUNTS) < 1 and prior_tau(1, COUNTS) == pytest.approx(1)
    t = prior_table(run, priors=("balanced", "train", "inverse", 10))
    assert list(t.index) == ["balanced", "train", "inverse", "r=10"]
    for p, name in (("train", "train"), (10, "r=10")):
        curve = run.sweep(np.round(np.arange(0, 3.0001, 0.05), 2), prior=p)
        assert t.loc[name, "TDE: best α"] == metrics.best_value(curve)
        assert t.loc[name, "TDE: overall at best"] == curve["overall"].max()
    assert t.loc["inverse", "logit adjustment: τ the prior asks for"] == pytest.approx(2)


def test_cli_test_prior(tmp_path, capsys):
    run = synthetic_run()
    run.save(tmp_path / "r")
    assert main(["evaluate", str(tmp_path / "r"), "--alpha", "0", "1", "--test-prior", "train", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["1.0"] == pytest.approx(run.evaluate(1.0, prior="train"))
    assert main(["evaluate", str(tmp_path / "r"), "--alpha", "0", "1", "--test-prior", "10"]) == 0
    out = capsys.readouterr().out
    assert "r=10 test prior" in out and "best of these alphas" in out
    assert f"{run.evaluate(1.0, prior=10.0)['overall']:8.2f}" in out
    assert main(["evaluate", str(tmp_path / "r"), "--alpha", "0", "--test-prior", "balanced", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["0.0"] == pytest.approx(run.evaluate(0.0))
    for bad in ("uniform", "0.5"):
        assert main(["evaluate", str(tmp_path / "r"), "--test-prior", bad]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: --test-prior must be balanced, train, inverse") and repr(bad) in err
        assert len(err.splitlines()) == 1


# ------------------------------------------------------------------ a real (quick) model
@pytest.mark.slow
def test_best_alpha_moves_towards_zero_under_the_training_prior(tmp_path):
    import lt_causal

    run = lt_causal.train(lt_causal.recipe("mnist-lt", quick=True, method="deconfound", out=str(tmp_path / "dc")),
                          progress=False)
    t = prior_table(load_run(tmp_path / "dc"), priors=("balanced", "train", "inverse"))
    best = t["TDE: best α"]
    assert best["train"] < best["balanced"] < best["inverse"], t
    tau = t["logit adjustment: best τ"]
    assert tau["train"] < tau["balanced"] < tau["inverse"], t        # the τ the prior asks for: 0 < 1 < 2
    assert run.evaluate(0.0, prior="train")["overall"] > run.evaluate(0.0)["overall"]


def test_prior_curves_figure_stars_the_best_alpha_of_each_prior():
    from lt_causal.views.run_plots import prior_curves_figure

    run = synthetic_run()
    fig = prior_curves_figure(run, values=[0, 0.5, 1.0, 1.5])
    assert [t.name for t in fig.data[::2]] == ["balanced test prior", "train test prior", "inverse test prior"]
    for line, star, prior in zip(fig.data[::2], fig.data[1::2], ("balanced", "train", "inverse")):
        curve = run.sweep([0, 0.5, 1.0, 1.5], prior=prior)
        np.testing.assert_allclose(line.y, curve["overall"])
        assert star.x[0] == metrics.best_value(curve) and star.y[0] == curve["overall"].max()
    assert fig.layout.xaxis.range[0] < 0


def test_prior_curves_are_the_sweeps():
    from lt_causal.experiments.comparison import prior_curves

    run = synthetic_run()
    curves = prior_curves(run, ("balanced", "train", 10), "tde", [0, 0.5, 1.0])
    assert list(curves) == ["balanced", "train", "r=10"]
    for prior, name in (("balanced", "balanced"), ("train", "train"), (10, "r=10")):
        pd.testing.assert_frame_equal(curves[name], run.sweep([0, 0.5, 1.0], prior=prior))
    with pytest.raises(ValueError, match="unknown test prior 'x'"):
        prior_curves(run, ("balanced", "x"))


def test_a_test_prior_is_one_value_parsed_once():
    from lt_causal.evaluation.knobs import KnobExplorerModel
    from lt_causal.evaluation.metrics import TestPrior, _weights

    assert TestPrior.parse("10") == TestPrior.parse(10.0) == 10 == TestPrior("ratio", ratio=10.0)
    assert TestPrior.parse(None) == "balanced" and TestPrior.parse("Train") == "train" != "inverse"
    assert TestPrior.parse([1, 2, 3]).name == "custom" and str(TestPrior.parse(2.5)) == "r=2.5"
    assert TestPrior.parse("train") != "nonsense" and len({TestPrior.parse("10"), TestPrior.parse(10)}) == 1
    prior = TestPrior.parse("inverse")
    assert prior.weights(COUNTS) is prior.weights(list(COUNTS))           # computed once per counts
    with pytest.raises(ValueError):
        prior.weights(COUNTS)[0] = 1.0                                      # and read-only
    run = synthetic_run()
    _weights.cache_clear()
    model = KnobExplorerModel(run, "tde", prior="train")                    # a curve over the whole α grid
    assert len(model.values) > 50 and _weights.cache_info().misses == 1
