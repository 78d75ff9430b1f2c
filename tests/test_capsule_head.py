"""The capsule head (capsule normalisation + cosine classifier) and TDE on every head, each
against a per-sample loop written straight from its formula (lt_causal.models.heads docstrings)."""
import math

import pandas as pd
import pytest
import torch

from lt_causal.models.heads import CapsuleHead, CausalNormHead, CosineHead, LinearHead, build_head, capsule_norm, head_hparams
from lt_causal.methods.registry import get_method
from lt_causal.methods.registry import build_model
from lt_causal.experiments.paper_tables import method_label
from recipe_values import CAUSAL_NORM, MODEL, TAU


def _vec(t):
    return [float(v) for v in t]


def _dot(a, b):
    return sum(p * q for p, q in zip(a, b))


def _norm(a):
    return math.sqrt(_dot(a, a))


def loop_squash(x):
    """‖x‖/(1+‖x‖) · x/‖x‖, one sample at a time (0 ↦ 0)."""
    out = torch.zeros_like(x, dtype=torch.float64)
    for b in range(x.shape[0]):
        v = _vec(x[b])
        n = _norm(v)
        if n:
            out[b] = torch.tensor([n / (1 + n) * c / n for c in v], dtype=torch.float64)
    return out


def loop_capsule_tde(x, w, d, alpha, tau):
    """τ [s − α (s·d̂) d̂]·w_i/‖w_i‖ with s = squash(x), per sample and class."""
    s_all = loop_squash(x)
    dd = _vec(d)
    d_hat = [c / _norm(dd) for c in dd]
    out = torch.zeros(x.shape[0], w.shape[0], dtype=torch.float64)
    for b in range(x.shape[0]):
        s = _vec(s_all[b])
        proj = _dot(s, d_hat)
        cf = [sv - alpha * proj * dv for sv, dv in zip(s, d_hat)]
        for i in range(w.shape[0]):
            wi = _vec(w[i])
            out[b, i] = tau * _dot(cf, wi) / _norm(wi)
    return out


def loop_linear_tde(x, w, bias, d, alpha):
    """W (x − α (x·d̂) d̂) + b per sample and class."""
    dd = _vec(d)
    d_hat = [c / _norm(dd) for c in dd]
    out = torch.zeros(x.shape[0], w.shape[0], dtype=torch.float64)
    for b in range(x.shape[0]):
        xb = _vec(x[b])
        proj = _dot(xb, d_hat)
        cf = [xv - alpha * proj * dv for xv, dv in zip(xb, d_hat)]
        for i in range(w.shape[0]):
            out[b, i] = _dot(_vec(w[i]), cf) + float(bias[i])
    return out


def loop_causal_norm_tde(x, w, d, alpha, tau, gamma, K):
    """τ/K Σ_k [w_i^k·x^k/‖x^k‖ − α cos(x^k, d^k) w_i^k·d^k/‖d^k‖] / (‖w_i^k‖+γ) (docs/method.md §4)."""
    h = x.shape[1] // K
    out = torch.zeros(x.shape[0], w.shape[0], dtype=torch.float64)
    for b in range(x.shape[0]):
        for i in range(w.shape[0]):
            total = 0.0
            for k in range(K):
                xk, wk, dk = (_vec(t[k * h:(k + 1) * h]) for t in (x[b], w[i], d))
                cos = _dot(xk, dk) / (_norm(xk) * _norm(dk))
                total += (_dot(wk, xk) / _norm(xk) - alpha * cos * _dot(wk, dk) / _norm(dk)) / (_norm(wk) + gamma)
            out[b, i] = tau / K * total
    return out


def _data(seed, B=5, D=8):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(B, D, generator=g, dtype=torch.float64) * 3
    d = torch.rand(D, generator=g, dtype=torch.float64)
    return x, d


def test_capsule_norm_is_the_squash_formula():
    x, _ = _data(0)
    x[0] = 0.0                       # the zero feature maps to zero, no NaN
    torch.testing.assert_close(capsule_norm(x), loop_squash(x))
    lengths = capsule_norm(x).norm(dim=1)
    assert (lengths < 1).all() and lengths[0] == 0
    # direction kept, length ‖x‖/(1+‖x‖): long features saturate near 1, short ones stay short
    torch.testing.assert_close(lengths[1:], x[1:].norm(dim=1) / (1 + x[1:].norm(dim=1)))


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.5])
def test_capsule_head_and_capsule_tde_equal_loop(alpha):
    torch.manual_seed(0)
    head = CapsuleHead(8, 4, tau=16.0).double()
    x, d = _data(1)
    w = head.weight.detach()
    torch.testing.assert_close(head(x, d, alpha), loop_capsule_tde(x, w, d, alpha, 16.0))
    logits, correction = head.components(x, d)
    torch.testing.assert_close(logits - alpha * correction, loop_capsule_tde(x, w, d, alpha, 16.0))
    torch.testing.assert_close(head(x), loop_capsule_tde(x, w, d, 0.0, 16.0))


def test_capsule_differs_from_cosine_only_by_feature_length():
    torch.manual_seed(2)
    cap, cos = CapsuleHead(8, 3, tau=16.0).double(), CosineHead(8, 3, tau=16.0).double()
    cos.weight.data.copy_(cap.weight.data)
    x, d = _data(2)
    n = x.norm(dim=1, keepdim=True)
    torch.testing.assert_close(cap(x, d, 0.7), cos(x, d, 0.7) * n / (1 + n))


@pytest.mark.parametrize("alpha", [0.0, 1.0, 2.5])
def test_cosine_tde_equals_loop(alpha):
    torch.manual_seed(3)
    head = CosineHead(8, 4, tau=16.0).double()
    x, d = _data(3)
    torch.testing.assert_close(head(x, d, alpha), loop_causal_norm_tde(x, head.weight.detach(), d, alpha, 16.0, 0.0, 1))


@pytest.mark.parametrize("alpha", [0.0, 1.0, 2.5])
def test_deconfound_tde_equals_loop(alpha):
    torch.manual_seed(4)
    head = CausalNormHead(8, 4, num_heads=2, tau=16.0, gamma=1 / 32).double()
    x, d = _data(4)
    want = loop_causal_norm_tde(x, head.weight.detach(), d, alpha, 16.0, 1 / 32, 2)
    torch.testing.assert_close(head(x, d, alpha), want)


@pytest.mark.parametrize("alpha", [0.0, 1.0, 2.5])
def test_linear_tde_equals_loop(alpha):
    torch.manual_seed(5)
    head = LinearHead(8, 4).double()
    x, d = _data(5)
    want = loop_linear_tde(x, head.fc.weight.detach(), head.fc.bias.detach(), d, alpha)
    torch.testing.assert_close(head(x, d, alpha), want)


@pytest.mark.parametrize("kind", ["linear", "cosine", "causal_norm", "capsule"])
def test_every_head_tde_is_linear_in_alpha_and_zero_alpha_ignores_direction(kind):
    torch.manual_seed(6)
    head = build_head(kind, 8, 3, **head_hparams(kind, **CAUSAL_NORM)).double()
    x, d = _data(6)
    logits, correction = head.components(x, d)
    torch.testing.assert_close(head(x, d, 0.0), head(x))
    torch.testing.assert_close(head(x, d, 2.0) - head(x, d, 1.0), -correction)
    torch.testing.assert_close(logits, head(x))


def test_capsule_method_builds_capsule_head_and_trains_a_step():
    assert get_method("capsule").head == "capsule"
    model = build_model("capsule", "small-cnn", 1, 10, **{**MODEL, "tau": 12.0})
    assert isinstance(model.head, CapsuleHead) and model.head.hparams() == {"tau": 12.0}
    assert method_label("capsule", tde=True) == "Capsule-TDE" and method_label("cosine", True) == "Cosine-TDE"
    x = torch.rand(4, 1, 28, 28)
    loss = torch.nn.functional.cross_entropy(model(x), torch.tensor([0, 1, 2, 3]))
    loss.backward()
    assert model.head.weight.grad is not None and torch.isfinite(model.head.weight.grad).all()


def test_capsule_head_round_trips_through_build_head():
    head = build_head("capsule", 8, 3, tau=10.0)
    again = build_head(head.kind, 8, 3, **head.hparams())
    again.load_state_dict(head.state_dict())
    x, d = _data(7)
    torch.testing.assert_close(again(x.float(), d.float(), 1.0), head(x.float(), d.float(), 1.0))


def test_reproduce_accepts_capsule_and_reports_tde_rows_without_inventing_paper_numbers(tmp_path):
    from lt_causal.experiments.paper_tables import paper_accuracy
    from lt_causal.experiments.reproduce import reproduction_configs, run_rows
    from lt_causal.experiments.results_table import summarize
    from lt_causal.evaluation.runs import TrainedRun

    configs = reproduction_configs(["mnist-lt"], [100], ["capsule", "cosine"], seeds=[0], root=tmp_path, quick=True)
    assert [c.method for c in configs] == ["capsule", "cosine"]
    labels = torch.arange(4).repeat_interleave(5)
    rows = []
    for config, head in zip(configs, (CapsuleHead(8, 4, tau=TAU), CosineHead(8, 4, tau=TAU))):
        run = TrainedRun(config.to_dict(), ["a", "b", "c", "d"], [500, 100, 30, 5], torch.randn(20, 8), labels,
                         head, torch.rand(8))
        rows += run_rows(run, config)
    summary = summarize(pd.DataFrame(rows))
    assert list(summary["row"]) == ["Capsule", "Capsule-TDE", "Cosine", "Cosine-TDE"]
    assert summary["paper"].isna().all()
    for method in ("capsule", "cosine"):
        for tde in (False, True):
            assert paper_accuracy("cifar10-lt", 100, method, tde) is None
