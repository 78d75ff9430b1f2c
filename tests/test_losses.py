"""Loss formulas against direct computations."""
import pytest
import torch
import torch.nn.functional as F

from lt_causal.methods.losses import build_loss, class_balanced_weights, focal_loss
from lt_causal.methods.registry import get_method


def test_focal_loss_formula_and_gamma_zero_is_ce():
    torch.manual_seed(0)
    logits, y = torch.randn(7, 4), torch.randint(0, 4, (7,))
    p = logits.softmax(1)[torch.arange(7), y]
    torch.testing.assert_close(focal_loss(logits, y, gamma=2.0), (-(1 - p) ** 2 * p.log()).mean())
    torch.testing.assert_close(focal_loss(logits, y, gamma=0.0), F.cross_entropy(logits, y))


def test_class_balanced_weights_effective_number():
    w = class_balanced_weights([100, 10, 1], beta=0.9)
    raw = torch.tensor([(1 - 0.9) / (1 - 0.9 ** n) for n in (100, 10, 1)])
    torch.testing.assert_close(w, (raw / raw.sum() * 3).float())
    assert w[2] > w[1] > w[0]
    with pytest.raises(ValueError, match="beta must be in"):
        class_balanced_weights([1, 2], beta=1.0)
    with pytest.raises(ValueError, match=r"\[5, 0\]"):
        class_balanced_weights([5, 0])


def test_build_loss_and_methods():
    logits, y = torch.randn(5, 3), torch.tensor([0, 1, 2, 0, 1])
    torch.testing.assert_close(build_loss("ce", [3, 2, 1])(logits, y), F.cross_entropy(logits, y))
    w = class_balanced_weights([3, 2, 1])
    torch.testing.assert_close(build_loss("cb", [3, 2, 1])(logits, y), F.cross_entropy(logits, y, weight=w))
    with pytest.raises(ValueError, match="unknown loss 'l2'"):
        build_loss("l2", [1])
    with pytest.raises(ValueError, match="unknown method 'tde'; choose one of"):
        get_method("tde")
