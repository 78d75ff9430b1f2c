"""Second stages of decoupling (Kang et al. 2020) and post-hoc logit adjustment as heads: each
against its defining formula, and cRT/LWS/NCM against the CE backbone they share on real digits."""
import pytest
import torch
import torch.nn.functional as F

from lt_causal.training.config import recipe
from lt_causal.datasets.registry import load_dataset
from lt_causal.methods.decoupling import (class_means, learn_weight_scaling, logit_adjusted_head, ncm_head,
                                  retrain_classifier, second_stage, tau_norm_head)
from lt_causal.models.heads import CosineHead, LinearHead
from lt_causal.evaluation.metrics import shot_accuracy
from lt_causal.methods.posthoc import logit_adjustment, tau_norm_logits
from lt_causal.models.ltmodel import extract_features
from lt_causal.training.trainer import train
from recipe_values import TAU


def synthetic(counts=(300, 60, 12, 3), dim=8, seed=0):
    """Gaussian clusters with long-tailed counts, and a balanced test set of the same clusters."""
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(len(counts), dim, generator=g) * 2
    def sample(ns):
        y = torch.cat([torch.full((n,), c) for c, n in enumerate(ns)])
        return centres[y] + torch.randn(len(y), dim, generator=g) * 1.5, y
    return (*sample(counts), *sample([200] * len(counts)), list(counts))


def test_class_means_and_ncm_pick_the_nearest_mean_by_cosine():
    x, y, tx, ty, counts = synthetic()
    means = class_means(x, y, 4)
    ref = torch.stack([F.normalize(x[y == c], dim=1).mean(0) for c in range(4)])
    torch.testing.assert_close(means, ref)
    head = ncm_head(x, y, 4, tau=10.0)
    assert isinstance(head, CosineHead)
    cos = F.normalize(tx, dim=1) @ F.normalize(ref, dim=1).T
    assert torch.equal(head(tx).argmax(1), cos.argmax(1))
    torch.testing.assert_close(head(tx), 10.0 * cos)


def test_tau_norm_and_logit_adjustment_heads_equal_the_posthoc_knobs():
    torch.manual_seed(0)
    head, x = LinearHead(8, 4), torch.randn(5, 8)
    for tau in (0.0, 0.5, 1.0):
        want = tau_norm_logits(head(x), head.class_norms(), tau, head.bias())
        torch.testing.assert_close(tau_norm_head(head, tau)(x), want)
        torch.testing.assert_close(logit_adjusted_head(head, [400, 100, 25, 4], tau)(x),
                                   logit_adjustment(head(x), [400, 100, 25, 4], tau))


def test_lws_only_rescales_each_class_vector():
    x, y, tx, ty, counts = synthetic()
    torch.manual_seed(0)
    head = LinearHead(8, 4)
    opt = torch.optim.SGD(head.parameters(), lr=0.1)
    for _ in range(200):   # an instance-balanced classifier, biased to the head class
        opt.zero_grad()
        F.cross_entropy(head(x), y).backward()
        opt.step()
    lws = learn_weight_scaling(head, x, y, 4, epochs=20, lr=0.5, batch_size=64)
    scale = lws.fc.weight.norm(dim=1) / head.fc.weight.norm(dim=1)
    torch.testing.assert_close(lws.fc.weight, head.fc.weight * scale[:, None])
    torch.testing.assert_close(lws.fc.bias, head.fc.bias)
    def balanced_loss(h):   # the objective of class-balanced sampling: mean over classes
        with torch.no_grad():
            losses = F.cross_entropy(h(x), y, reduction="none")
        return torch.stack([losses[y == c].mean() for c in range(4)]).mean()
    assert balanced_loss(lws) < balanced_loss(head) - 0.05
    with pytest.raises(ValueError, match="LWS rescales a linear classifier, not a CosineHead"):
        learn_weight_scaling(CosineHead(8, 4, tau=TAU), x, y, 4)


def test_crt_balances_a_classifier_on_fixed_features():
    x, y, tx, ty, counts = synthetic()
    head = retrain_classifier(x, y, 4, epochs=20, lr=0.2, batch_size=64, seed=0)
    again = retrain_classifier(x, y, 4, epochs=20, lr=0.2, batch_size=64, seed=0)
    torch.testing.assert_close(head.fc.weight, again.fc.weight)   # seeded
    plain = LinearHead(8, 4)
    opt = torch.optim.SGD(plain.parameters(), lr=0.1)
    for _ in range(200):
        opt.zero_grad()
        F.cross_entropy(plain(x), y).backward()
        opt.step()
    acc = lambda h: shot_accuracy(h(tx).argmax(1), ty, [300, 60, 12, 3])["few"]   # noqa: E731
    assert acc(head) > acc(plain)
    with pytest.raises(ValueError, match="classes \\[3\\] have no training feature"):
        retrain_classifier(x[y < 3], y[y < 3], 4)


def test_unknown_second_stage():
    x, y, *_ = synthetic()
    with pytest.raises(ValueError, match="unknown second stage 'joint'"):
        second_stage("joint", LinearHead(8, 4), x, y, [1, 1, 1, 1], recipe("mnist-lt"))


@pytest.fixture(scope="module")
def ce_backbone():
    """A CE model on mnist-lt (15 epochs, seconds), its run and its training features."""
    data = load_dataset("mnist-lt", imbalance=100, seed=0)
    config = recipe("mnist-lt", method="ce", epochs=15)
    holder = {}
    run = train(config, data=data, progress=False, callback=lambda info: holder.update(model=info["model"]))
    train_feats = extract_features(holder["model"], data.train_x, data.mean, data.std)
    return data, config, run, train_feats


def test_second_stages_lift_few_shot_accuracy_of_the_ce_backbone(ce_backbone):
    """On real digits the decoupled classifiers beat the jointly trained CE classifier on the tail."""
    data, config, run, train_feats = ce_backbone
    few_ce = run.evaluate(0)["few"]
    results = {}
    for kind in ("crt", "lws", "ncm", "logit_adjustment"):
        head = second_stage(kind, run.head, train_feats, data.train_y, data.train_counts, config)
        with torch.no_grad():
            pred = head(run.test_features).argmax(1)
        results[kind] = shot_accuracy(pred, data.test_y, data.train_counts)
    print({k: round(v["few"], 1) for k, v in results.items()}, "CE few", few_ce)
    for kind, acc in results.items():
        assert acc["few"] > few_ce + 10, kind
