"""The vectorised causal-norm / TDE code against plain per-sample, per-head loops written
straight from Eq. 6-7 of Tang et al. 2020 (docs/method.md §3-4)."""
import math

import pytest
import torch

from lt_causal.models.tde import HeadDirection
from lt_causal.models.heads import CausalNormHead, CosineHead, LinearHead
from lt_causal.models.tde import check_alpha, head_cosines, tde_logits
from recipe_values import GAMMA, TAU


def loop_tde(x, w, d, alpha, tau, gamma, K):
    """Reference: one sample, one class, one head at a time, in float64 Python arithmetic."""
    B, D = x.shape
    C, h = w.shape[0], D // K
    out = torch.zeros(B, C, dtype=torch.float64)
    for b in range(B):
        for i in range(C):
            total = 0.0
            for k in range(K):
                xk = [float(v) for v in x[b, k * h:(k + 1) * h]]
                wk = [float(v) for v in w[i, k * h:(k + 1) * h]]
                dk = [float(v) for v in d[k * h:(k + 1) * h]]
                nx = math.sqrt(sum(v * v for v in xk))
                nw = math.sqrt(sum(v * v for v in wk))
                nd = math.sqrt(sum(v * v for v in dk))
                wx = sum(a * c for a, c in zip(wk, xk))
                wd = sum(a * c for a, c in zip(wk, dk)) / nd
                cos = sum(a * c for a, c in zip(xk, dk)) / (nx * nd)
                total += (wx / nx - alpha * cos * wd) / (nw + gamma)
            out[b, i] = tau / K * total
    return out


@pytest.mark.parametrize("K,tau,gamma", [(2, 16.0, 1 / 32), (1, 16.0, 0.0), (4, 10.0, 0.1)])
@pytest.mark.parametrize("alpha", [0.0, 0.7, 1.5])
def test_vectorised_tde_equals_loop(K, tau, gamma, alpha):
    g = torch.Generator().manual_seed(K)
    x = torch.rand(5, 8, generator=g, dtype=torch.float64)
    w = torch.randn(3, 8, generator=g, dtype=torch.float64)
    d = torch.rand(8, generator=g, dtype=torch.float64)
    got = tde_logits(x, w, d, alpha, tau=tau, gamma=gamma, num_heads=K)
    torch.testing.assert_close(got, loop_tde(x, w, d, alpha, tau, gamma, K))


def test_causal_norm_head_is_formula_and_alpha_zero_is_deconfound():
    torch.manual_seed(0)
    head = CausalNormHead(8, 4, num_heads=2, tau=16, gamma=1 / 32).double()
    x = torch.rand(6, 8, dtype=torch.float64)
    d = torch.rand(8, dtype=torch.float64)
    plain = head(x)
    torch.testing.assert_close(plain, loop_tde(x, head.weight.detach(), d, 0.0, 16, 1 / 32, 2))
    torch.testing.assert_close(head(x, d, 0.0), plain)
    torch.testing.assert_close(head(x, d, 1.0), loop_tde(x, head.weight.detach(), d, 1.0, 16, 1 / 32, 2))
    assert not torch.allclose(head(x, d, 1.0), plain)


def test_cosine_head_is_scaled_cosine():
    torch.manual_seed(1)
    head = CosineHead(6, 3, tau=16).double()
    x = torch.rand(4, 6, dtype=torch.float64)
    expected = 16 * torch.nn.functional.normalize(x, dim=1) @ torch.nn.functional.normalize(head.weight, dim=1).T
    torch.testing.assert_close(head(x), expected)


def test_linear_head_counterfactual_removes_projection():
    torch.manual_seed(2)
    head = LinearHead(6, 3).double()
    x, d = torch.rand(4, 6, dtype=torch.float64), torch.rand(6, dtype=torch.float64)
    d_hat = d / d.norm()
    x_cf = x - 0.5 * (x @ d_hat)[:, None] * d_hat
    torch.testing.assert_close(head(x, d, 0.5), head.fc(x_cf))


def test_head_cosines_and_direction_update():
    hd = HeadDirection(4, mu=0.5)
    hd.update(torch.tensor([[1.0, 0, 0, 0], [3.0, 0, 0, 4]]))   # x̄ = (2, 0, 0, 2)
    hd.update(torch.tensor([[0.0, 2, 0, 0]]))                   # x̄ = 0.5 x̄ + (0, 2, 0, 0)
    torch.testing.assert_close(hd.moving_sum, torch.tensor([1.0, 2.0, 0.0, 1.0]))
    torch.testing.assert_close(hd.unit(2), torch.tensor([1 / math.sqrt(5), 2 / math.sqrt(5), 0.0, 1.0]))
    cos = head_cosines(torch.tensor([[1.0, 1.0, 1.0, 1.0]]), hd.moving_sum, 2)
    torch.testing.assert_close(cos, torch.tensor([[3 / math.sqrt(10), 1 / math.sqrt(2)]]))


@pytest.mark.parametrize("bad", ["abc", None, float("nan"), float("inf"), [1, 2]])
def test_alpha_must_be_a_number(bad):
    with pytest.raises(ValueError, match="alpha must be a"):
        check_alpha(bad)


def test_bad_head_split_and_mu():
    with pytest.raises(ValueError, match="num_heads=3"):
        CausalNormHead(8, 2, num_heads=3, tau=TAU, gamma=GAMMA)
    with pytest.raises(ValueError, match="1.5"):
        HeadDirection(4, mu=1.5)
