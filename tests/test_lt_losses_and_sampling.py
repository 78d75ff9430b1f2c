"""The defining formulas of LDAM-DRW (Cao et al. 2019), mixup (Zhang et al. 2018), the
class-aware samplers and BBN's cumulative learning (Zhou et al. 2020), each against an
independent reference computation."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lt_causal.models.backbones import ResNet32, SmallCNN, build_backbone
from lt_causal.methods.method_steps import bilateral_forward, bilateral_loss, cumulative_weight
from lt_causal.models.heads import LinearHead
from lt_causal.methods.losses import LDAMDRWLoss, build_loss, class_balanced_weights, ldam_margins
from lt_causal.methods.method_steps import mixup_batch, sample_lambda
from lt_causal.methods.samplers import ClassAwareSampler, sampler_probs

COUNTS = [400, 100, 25, 4]


def test_ldam_margins_are_proportional_to_n_to_the_minus_quarter():
    m = ldam_margins(COUNTS, max_margin=0.5)
    assert m.max().item() == pytest.approx(0.5) and m.argmax().item() == 3
    for a, b, na, nb in [(0, 1, 400, 100), (1, 3, 100, 4)]:
        assert (m[a] / m[b]).item() == pytest.approx((nb / na) ** 0.25, rel=1e-6)
    with pytest.raises(ValueError, match="max_margin must be > 0, got -1"):
        ldam_margins(COUNTS, -1)


def test_ldam_loss_lowers_the_target_logit_by_s_times_its_margin():
    torch.manual_seed(0)
    cos = torch.rand(6, 4) * 2 - 1
    y = torch.tensor([0, 1, 2, 3, 3, 0])
    s = 30.0
    loss = LDAMDRWLoss(COUNTS, scale=s, max_margin=0.5, drw_start_epoch=5)
    m = [0.5 * (4 / n) ** 0.25 for n in COUNTS]
    ref = []
    for i in range(6):
        z = [s * (cos[i, j].item() - (m[j] if j == y[i] else 0.0)) for j in range(4)]
        ref.append(-(z[y[i]] - math.log(sum(math.exp(v) for v in z))))
    assert loss(s * cos, y).item() == pytest.approx(float(np.mean(ref)), rel=1e-5)


def test_deferred_reweighting_switches_to_class_balanced_weights():
    torch.manual_seed(1)
    logits, y = torch.randn(8, 4), torch.tensor([0, 0, 0, 1, 1, 2, 3, 3])
    loss = build_loss("ldam-drw", COUNTS, scale=16.0, max_margin=0.5, drw_start_epoch=3)
    loss.set_epoch(2)
    before = loss(logits, y)
    assert torch.equal(loss.weight, torch.ones(4))
    loss.set_epoch(3)
    w = class_balanced_weights(COUNTS)
    torch.testing.assert_close(loss.weight, w)
    shifted = logits - F.one_hot(y, 4) * 16.0 * ldam_margins(COUNTS)[y][:, None]
    torch.testing.assert_close(loss(logits, y), F.cross_entropy(shifted, y, weight=w))
    assert not torch.isclose(loss(logits, y), before)
    assert w[3] > w[0]   # the rarest class weighs most


def test_reweighting_starts_at_the_first_lr_milestone_unless_configured():
    from lt_causal.training.config import drw_start_epoch, recipe
    from lt_causal.schedule import lr_at

    c = recipe("cifar10-lt", quick=False, method="ldam-drw")
    assert c.drw_start is None and drw_start_epoch(c) == 120          # 0.6 × 200: the first decay
    assert lr_at(c, 119.99) == c.lr and lr_at(c, 120) < c.lr
    assert drw_start_epoch(recipe("cifar10-lt", quick=False, method="ldam-drw", drw_start=0.8)) == 160
    assert drw_start_epoch(recipe("mnist-lt", quick=False, method="ldam-drw", milestones=(0.5, 0.9))) == 15
    with pytest.raises(ValueError, match="drw_start"):
        recipe("cifar10-lt", method="ldam-drw", drw_start=1.5)


def test_mixup_mixes_images_and_one_hot_labels():
    x = torch.arange(24, dtype=torch.float32).view(3, 2, 2, 2)
    y = torch.tensor([0, 2, 1])
    perm = torch.tensor([2, 0, 1])
    xm, ym = mixup_batch(x, y, 3, 0.7, perm)
    torch.testing.assert_close(xm[0], 0.7 * x[0] + 0.3 * x[2])
    torch.testing.assert_close(ym[0], torch.tensor([0.7, 0.3, 0.0]))
    assert torch.allclose(ym.sum(1), torch.ones(3))
    x1, y1 = mixup_batch(x, y, 3, 1.0, perm)
    assert torch.equal(x1, x) and torch.equal(y1.argmax(1), y)
    # CE with the soft target = λ CE(y_i) + (1 − λ) CE(y_perm(i)), the form of the mixup paper
    logits = torch.randn(3, 3)
    soft = build_loss("ce", [1, 1, 1])(logits, ym)
    ref = 0.7 * F.cross_entropy(logits, y) + 0.3 * F.cross_entropy(logits, y[perm])
    torch.testing.assert_close(soft, ref)
    with pytest.raises(ValueError, match="λ must be in \\[0, 1\\], got 1.5"):
        mixup_batch(x, y, 3, 1.5, perm)


def test_mixup_lambda_is_reproducible_and_beta_distributed():
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    a = [sample_lambda(0.4, g1) for _ in range(2000)]
    assert a[:5] == [sample_lambda(0.4, g2) for _ in range(5)]
    assert all(0 <= v <= 1 for v in a)
    # Beta(0.4, 0.4): mean 1/2, variance 1/(4(2a+1)) = 1/7.2
    assert np.mean(a) == pytest.approx(0.5, abs=0.03)
    assert np.var(a) == pytest.approx(1 / 7.2, abs=0.02)
    with pytest.raises(ValueError, match="mixup alpha must be > 0, got 0"):
        sample_lambda(0, g1)


@pytest.mark.parametrize("kind,power", [("instance", 1), ("class_balanced", 0), ("reversed", -1)])
def test_sampler_probabilities(kind, power):
    p = sampler_probs(COUNTS, kind)
    ref = np.array(COUNTS, dtype=float) ** power
    np.testing.assert_allclose(p.numpy(), ref / ref.sum())


def test_class_aware_sampler_draws_classes_at_its_probabilities():
    labels = torch.tensor(sum(([c] * n for c, n in enumerate(COUNTS)), []))[torch.randperm(529)]
    for kind in ("class_balanced", "reversed"):
        s = ClassAwareSampler(labels, 4, kind)
        idx = s.draw(40000, torch.Generator().manual_seed(0))
        freq = torch.bincount(labels[idx], minlength=4).float() / len(idx)
        np.testing.assert_allclose(freq.numpy(), sampler_probs(COUNTS, kind).numpy(), atol=0.01)
        # within a class every image is drawn (uniformly): the 4 images of the rarest class all appear
        assert set(idx[labels[idx] == 3].tolist()) == set(torch.nonzero(labels == 3).flatten().tolist())
    with pytest.raises(ValueError, match="unknown sampler 'uniform'"):
        sampler_probs(COUNTS, "uniform")


def test_cumulative_learning_weight():
    assert cumulative_weight(0, 200) == 1.0
    assert cumulative_weight(100, 200) == pytest.approx(0.75)
    assert cumulative_weight(199, 200) == pytest.approx(1 - (199 / 200) ** 2)
    with pytest.raises(ValueError, match="epoch must be in \\[0, 200\\), got 200"):
        cumulative_weight(200, 200)


@pytest.mark.parametrize("net", [SmallCNN(1, bilateral=True), ResNet32("bbn", 1, blocks=2)])
def test_bilateral_backbone_branches_concatenate_to_the_test_feature(net):
    torch.manual_seed(0)
    net.eval()
    x = torch.randn(3, 1, 28, 28)
    with torch.no_grad():
        full = net(x)
        parts = torch.cat([net.branch_features(x, 0), net.branch_features(x, 1)], 1)
        assert full.shape == (3, net.feature_dim) and net.feature_dim == 2 * parts.shape[1] // 2
        torch.testing.assert_close(full, parts)
        # BBN's inference (both branches on the same image, l = 1/2) is the plain forward
        head = LinearHead(net.feature_dim, 5)
        feats, logits = bilateral_forward(net, head, x, x, 0.5)
        torch.testing.assert_close(feats, full)
        torch.testing.assert_close(logits, head(full))


def test_bilateral_forward_and_loss_weight_the_two_branches():
    torch.manual_seed(0)
    net, head = SmallCNN(1, bilateral=True).eval(), LinearHead(128, 3)
    xc, xr = torch.randn(2, 1, 28, 28), torch.randn(2, 1, 28, 28)
    with torch.no_grad():
        feats, logits = bilateral_forward(net, head, xc, xr, 0.8)
        torch.testing.assert_close(feats[:, :64], 1.6 * net.branch_features(xc, 0))
        torch.testing.assert_close(feats[:, 64:], 0.4 * net.branch_features(xr, 1))
    yc, yr = torch.tensor([0, 1]), torch.tensor([2, 2])
    ce = build_loss("ce", [1, 1, 1])
    torch.testing.assert_close(bilateral_loss(ce, logits, yc, yr, 0.8),
                               0.8 * F.cross_entropy(logits, yc) + 0.2 * F.cross_entropy(logits, yr))


def test_bbn_needs_two_branches():
    with pytest.raises(ValueError, match="two branches.*resnet32-plain"):
        build_backbone("resnet32-plain", 3, bilateral=True)
    with pytest.raises(ValueError, match="SmallCNN has one branch"):
        SmallCNN(1).branch_features(torch.zeros(1, 1, 28, 28), 0)
