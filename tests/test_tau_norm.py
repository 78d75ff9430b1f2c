"""τ-normalised classifier (Kang et al. 2020) as a test-time knob, and the side-by-side comparison
of TDE α, τ-norm τ and logit adjustment τ (lt_causal.experiments.comparison) on the same trained heads."""
import math

import numpy as np
import pytest
import torch

from lt_causal.experiments.comparison import knob_comparison, knob_models
from lt_causal.models.heads import CapsuleHead, CausalNormHead, CosineHead, LinearHead
from lt_causal.evaluation.knobs import KnobExplorerModel
from lt_causal.methods.posthoc import log_prior, tau_norm_logits, tau_normalize
from lt_causal.evaluation.knobs import KNOBS
from lt_causal.evaluation.runs import TrainedRun
from recipe_values import CAUSAL_NORM, K, TAU


def test_tau_normalize_is_the_formula_row_by_row():
    w = torch.tensor([[3.0, 4.0], [0.6, 0.8], [1.0, 0.0]], dtype=torch.float64)
    for tau in (0.0, 0.5, 1.0, 2.0):
        got = tau_normalize(w, tau)
        for i in range(3):
            n = math.sqrt(sum(float(v) ** 2 for v in w[i]))
            torch.testing.assert_close(got[i], w[i] / n ** tau)
    torch.testing.assert_close(tau_normalize(w, 1.0).norm(dim=1), torch.ones(3, dtype=torch.float64))


@pytest.mark.parametrize("tau", [0.0, 0.3, 1.0, 1.7])
def test_linear_head_tau_norm_equals_a_rebuilt_tau_normalised_layer(tau):
    torch.manual_seed(0)
    head = LinearHead(6, 4).double()
    with torch.no_grad():
        head.fc.weight[0] *= 5          # a "head" class with a long weight vector
        x = torch.randn(7, 6, dtype=torch.float64)
        rebuilt = x @ tau_normalize(head.fc.weight, tau).T + head.fc.bias
        got = tau_norm_logits(head(x), head.class_norms(), tau, head.bias())
    torch.testing.assert_close(got, rebuilt)


def test_tau_zero_is_the_trained_model_and_normalised_heads_are_unchanged():
    torch.manual_seed(1)
    x = torch.randn(5, 8, dtype=torch.float64)
    lin = LinearHead(8, 3).double()
    with torch.no_grad():
        torch.testing.assert_close(tau_norm_logits(lin(x), lin.class_norms(), 0.0, lin.bias()), lin(x))
        for head in (CosineHead(8, 3, tau=TAU).double(), CapsuleHead(8, 3, tau=TAU).double()):
            torch.testing.assert_close(head.class_norms(), torch.ones(3, dtype=torch.float64))
            torch.testing.assert_close(tau_norm_logits(head(x), head.class_norms(), 1.0), head(x))


def test_causal_norm_class_norms_formula():
    torch.manual_seed(2)
    head = CausalNormHead(8, 3, num_heads=K, tau=TAU, gamma=0.25).double()
    w = head.weight.detach()
    for i in range(3):
        sq = 0.0
        for k in range(2):
            wk = [float(v) for v in w[i, 4 * k:4 * k + 4]]
            n = math.sqrt(sum(v * v for v in wk))
            sq += sum((v / (n + 0.25)) ** 2 for v in wk)
        assert float(head.class_norms().detach()[i]) == pytest.approx(math.sqrt(sq))


def test_bad_tau_and_shape_raise_one_value_error():
    logits, norms = torch.zeros(2, 3), torch.ones(3)
    with pytest.raises(ValueError, match="tau must be a finite number"):
        tau_norm_logits(logits, norms, float("nan"))
    with pytest.raises(ValueError, match="class_norms has shape"):
        tau_norm_logits(logits, torch.ones(4), 1.0)


def _run(head, C=4, n_test=40, seed=0, method="ce"):
    g = torch.Generator().manual_seed(seed)
    counts = [500, 120, 30, 8][:C]
    labels = torch.arange(C).repeat_interleave(n_test // C)
    feats = torch.randn(len(labels), head_in(head), generator=g) + 2 * torch.nn.functional.one_hot(
        labels, head_in(head)).float()
    return TrainedRun({"method": method, "dataset": "synthetic", "alpha": 1.0}, [f"c{i}" for i in range(C)],
                      counts, feats, labels, head, torch.rand(head_in(head), generator=g))


def head_in(head):
    return head.fc.in_features if isinstance(head, LinearHead) else head.weight.shape[1]


def test_tau_norm_is_a_run_knob():
    torch.manual_seed(3)
    head = LinearHead(8, 4)
    with torch.no_grad():
        head.fc.weight[0] *= 4
    run = _run(head)
    assert "tau_norm" in KNOBS
    with torch.no_grad():
        want = run.test_features @ tau_normalize(head.fc.weight, 1.0).T + head.fc.bias
    torch.testing.assert_close(run.knob_logits("tau_norm", 1.0), want)
    torch.testing.assert_close(run.knob_logits("tau_norm", 0.0), run.logits(0.0))
    assert run.evaluate(1.0, "tau_norm") == run.evaluate(1.0, "tau_norm")
    model = KnobExplorerModel(run, "tau_norm")
    assert model.symbol == "τ" and model.curve.index.name == "tau" and len(model.curve) == 41
    model.set_value(0.5)
    assert np.isfinite(model.per_class).all()


def test_comparison_table_and_curves_name_every_knob():
    torch.manual_seed(4)
    ce, dc = _run(LinearHead(8, 4)), _run(CausalNormHead(8, 4, **CAUSAL_NORM), method="deconfound")
    table = knob_comparison({"ce": ce, "deconfound": dc})
    assert list(table.index) == ["ce", "ce + τ-norm τ=1", "ce + logit adjustment τ=1", "deconfound",
                                 "deconfound + TDE α=1", "deconfound + τ-norm τ=1",
                                 "deconfound + logit adjustment τ=1"]
    row = table.loc["ce + logit adjustment τ=1"]
    pred = (ce.logits(0.0) - log_prior(ce.train_counts)).argmax(1)
    assert row["overall"] == pytest.approx(100.0 * float((pred == ce.test_labels).float().mean()))
    assert table.loc["deconfound + TDE α=1", "overall"] == pytest.approx(dc.evaluate(1.0)["overall"])
    custom = knob_comparison({"ce": ce}, knobs=["tau_norm"], values={"tau_norm": 0.5})
    assert list(custom.index) == ["ce", "ce + τ-norm τ=0.5"]
    models = knob_models({"ce": ce, "deconfound": dc})
    assert set(models) == {"ce · τ-norm τ", "ce · logit adjustment τ", "deconfound · TDE α",
                           "deconfound · τ-norm τ", "deconfound · logit adjustment τ"}
    with pytest.raises(ValueError, match="unknown test-time knob 'mixup'"):
        knob_comparison({"ce": ce}, knobs=["mixup"])


def test_tradeoff_figure_has_one_curve_per_knob():
    from lt_causal.views.run_plots import knob_curve_figure, tradeoff_figure

    ce = _run(LinearHead(8, 4))
    models = knob_models({"ce": ce})
    fig = tradeoff_figure(models)
    assert [t.name for t in fig.data] == list(models)
    assert knob_curve_figure(models["ce · τ-norm τ"]).layout.xaxis.title.text == "τ-norm τ"


def test_weight_norms_table():
    from lt_causal.experiments.comparison import weight_norms

    lin, cos = LinearHead(8, 4), CosineHead(8, 4, tau=TAU)
    table = weight_norms({"ce": _run(lin), "cosine": _run(cos)})
    assert list(table.index) == ["c0 (n=500)", "c1 (n=120)", "c2 (n=30)", "c3 (n=8)"]
    np.testing.assert_allclose(table["ce"], lin.fc.weight.detach().norm(dim=1).numpy(), rtol=1e-6)
    np.testing.assert_allclose(table["cosine"], 1.0, rtol=1e-6)


def test_the_tradeoff_figure_has_data_on_a_run_without_few_shot_classes():
    """The shipped CIFAR-10-LT run has no class below 20 images: the figure plots many- against
    medium-shot accuracy and says so, instead of empty axes."""
    import math

    import lt_causal as lc
    from lt_causal.views.run_plots import tradeoff_figure

    run = lc.load_run("pretrained:cifar10-lt-r100-deconfound-s0")
    assert lc.datasets.profiles.rarest_group(run.train_counts) == "medium"
    fig = tradeoff_figure(knob_models({"de-confound": run}))
    for trace in fig.data:
        assert len(trace.x) and all(not math.isnan(x) for x in trace.x), trace.name
    assert fig.layout.xaxis.title.text == "medium-shot accuracy (%)"
    assert "no few-shot class" in fig.layout.title.text
    with lc.using_language("zh"):
        zh = tradeoff_figure(knob_models({"de-confound": run}))
    assert zh.layout.xaxis.title.text == "中样本准确率 (%)"
    assert [t.name for t in zh.data] == ["去混杂 · TDE α", "去混杂 · τ-norm 的 τ", "去混杂 · logit 调整 τ"]
    few = tradeoff_figure(knob_models({"ce": _run(LinearHead(8, 4))}))
    assert few.layout.xaxis.title.text == "few-shot accuracy (%)"
