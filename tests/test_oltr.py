"""OLTR and Decouple-OLTR (lt_causal.methods.oltr): the pieces, one step, and a short run."""
from types import SimpleNamespace

import pandas as pd
import pytest
import torch

import lt_causal as lc
from lt_causal.evaluation.loading import load_run
from lt_causal.experiments.paper_tables import data_label, paper_accuracy, paper_table2, table2_with_runs
from lt_causal.methods.oltr import (CENTROID_WEIGHT, REACHABILITY_SCALE, REPEL_MARGIN, REPEL_WEIGHT, MetaEmbedding,
                                    ModulatedAttention, OLTRBackbone, _optimizer, build_oltr, centroid_loss,
                                    class_centroids, oltr_loss, oltr_stage)
from lt_causal.methods.registry import METHODS, get_method
from lt_causal.models.backbones import SmallCNN, build_backbone
from lt_causal.models.heads import CapsuleHead, LinearHead
from lt_causal.models.ltmodel import LTModel
from lt_causal.training.config import recipe
from recipe_values import MU, TAU


def toy_data(n=24, classes=4, size=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % classes
    x = torch.randint(0, 256, (n, 1, size, size), generator=g, dtype=torch.uint8)
    x[:, :, :4] = (y * 60).to(torch.uint8).view(-1, 1, 1, 1)    # a learnable class cue
    return SimpleNamespace(train_x=x, train_y=y, classes=[str(c) for c in range(classes)],
                           mean=(0.5,), std=(0.25,))


def toy_model(classes=4):
    torch.manual_seed(0)
    backbone = SmallCNN(1)
    return LTModel(backbone, LinearHead(backbone.feature_dim, classes), MU)


def test_registry_lists_both_methods():
    for name, stage in (("oltr", "oltr"), ("decouple-oltr", "decouple-oltr")):
        assert name in METHODS and get_method(name).stage2 == stage
        assert not get_method(name).reports_tde
    assert recipe("mnist-lt", method="oltr").retrain_lr == 0.1


def test_class_centroids_match_a_per_sample_loop():
    g = torch.Generator().manual_seed(1)
    feats, labels = torch.randn(50, 6, generator=g), torch.randint(0, 5, (50,), generator=g)
    labels[:5] = torch.arange(5)
    sums, counts = torch.zeros(5, 6), torch.zeros(5)
    for f, y in zip(feats, labels):
        sums[y] += f
        counts[y] += 1
    torch.testing.assert_close(class_centroids(feats, labels, 5), sums / counts[:, None])
    with pytest.raises(ValueError, match=r"classes \[5\] have no training feature"):
        class_centroids(feats, labels, 6)


def test_meta_embedding_shapes_and_reachability():
    torch.manual_seed(0)
    meta = MetaEmbedding(8, 5)
    direct, centroids = torch.randn(3, 8), torch.randn(5, 8)
    v_meta, memory = meta(direct, centroids)
    assert v_meta.shape == (3, 8) and memory.shape == (3, 8)
    weights = torch.softmax(meta.hallucinator(direct), dim=1)
    torch.testing.assert_close(memory, weights @ centroids)      # a convex mix of the centroids
    torch.nn.init.zeros_(meta.selector.weight)
    torch.nn.init.zeros_(meta.selector.bias)                      # e = tanh(0) = 0: v_meta = γ v_direct
    v_meta, _ = meta(direct, centroids)
    for v, out in zip(direct, v_meta):
        nearest = min(float((v - c).norm()) for c in centroids)
        torch.testing.assert_close(out, REACHABILITY_SCALE / nearest * v)


def test_modulated_attention_starts_as_identity_and_checks_its_size():
    torch.manual_seed(0)
    att = ModulatedAttention(16, (4, 4))
    f = torch.randn(2, 16, 4, 4)
    torch.testing.assert_close(att(f), f)                         # output conv starts at zero
    torch.nn.init.normal_(att.out.weight)
    assert not torch.allclose(att(f), f)
    with pytest.raises(ValueError, match="built for 4×4 feature maps, got 2×2"):
        att(torch.randn(1, 16, 2, 2))


def test_oltr_backbone_on_resnet10_at_64px():
    torch.manual_seed(0)
    net = OLTRBackbone(build_backbone("resnet10", 3), 7, (2, 2))
    x = torch.randn(2, 3, 64, 64)
    assert net.direct(x).shape == (2, 512) and net(x).shape == (2, 512)


def _dc_by_loop(feats, labels, cents):
    c = cents.detach()
    attract = sum(float((f - c[y]).pow(2).sum()) for f, y in zip(feats, labels)) / (2 * len(labels))
    others = sum(float((f - c[j]).pow(2).sum()) for f, y in zip(feats, labels) for j in range(len(c)) if j != y)
    return attract, REPEL_MARGIN - others / (len(labels) * len(c))


@pytest.mark.parametrize("spread", [1.0, 5.0])     # repelling hinge active (1) and inactive (5)
def test_centroid_loss_value_and_damped_centroid_gradient(spread):
    g = torch.Generator().manual_seed(2)
    feats, labels = spread * torch.randn(6, 3, generator=g), torch.tensor([0, 0, 0, 1, 2, 2])
    cents = torch.randn(3, 3, generator=g, requires_grad=True)
    loss = centroid_loss(feats, labels, cents)
    attract, hinge = _dc_by_loop(feats, labels, cents)
    assert (hinge > 0) == (spread == 1.0)
    assert float(loss.detach()) == pytest.approx(attract + REPEL_WEIGHT * max(0.0, hinge), rel=1e-5)
    if hinge <= 0:                                   # attract only: OLTR's per-class averaged gradient
        loss.backward()
        n = torch.tensor([4.0, 2.0, 3.0])            # 1 + images of each class in the batch
        grad = torch.stack([sum((cents[k] - f) for f, y in zip(feats, labels) if y == k) / 6 / n[k]
                            for k in range(3)])
        torch.testing.assert_close(cents.grad, grad.detach())


def test_one_stage2_step_reduces_the_loss():
    data, model = toy_data(), toy_model()
    config = recipe("mnist-lt", method="oltr", retrain_lr=0.01, precision="fp32", device="cpu")
    backbone = build_oltr(model, data, config)
    head = CapsuleHead(backbone.feature_dim, 4, tau=TAU)
    opt = _optimizer(backbone, head, config, freeze_trunk=False)
    for group in opt.param_groups:
        group["lr"] = config.retrain_lr * group["lr_scale"]
    xb, yb = (data.train_x.float() / 255 - 0.5) / 0.25, data.train_y
    backbone.train()
    losses = []
    for _ in range(2):
        loss, logits = oltr_loss(backbone, head, xb, yb)
        assert logits.shape == (24, 4)
        losses.append(float(loss))
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert losses[1] < losses[0]
    assert CENTROID_WEIGHT > 0 and backbone.centroids.grad is not None


def test_build_oltr_centroids_and_hallucinator_from_stage1():
    data, model = toy_data(), toy_model()
    config = recipe("mnist-lt", method="oltr", precision="fp32", device="cpu")
    backbone = build_oltr(model, data, config)
    assert backbone.attention.spatial == (4, 4)                  # 16 px → two max-pools → 4
    torch.testing.assert_close(backbone.meta.hallucinator.weight, model.head.fc.weight)
    backbone.eval()
    with torch.no_grad():
        direct = backbone.direct((data.train_x.float() / 255 - 0.5) / 0.25)
    torch.testing.assert_close(backbone.centroids.detach(), class_centroids(direct, data.train_y, 4),
                               rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="unknown OLTR stage 'crt'"):
        oltr_stage(model, data, config, "crt")


@pytest.fixture(scope="module")
def mnist_runs(tmp_path_factory):
    """oltr and decouple-oltr through lc.train on mnist-lt (quick, 2 + 1 epochs): {method: (run,
    stage-1 backbone state, final model, run folder)}."""
    root, out = tmp_path_factory.mktemp("oltr"), {}
    for method in ("oltr", "decouple-oltr"):
        snapshot, holder = {}, {}

        def keep(info):
            snapshot.update({k: v.detach().clone() for k, v in info["model"].backbone.state_dict().items()})
            holder["model"] = info["model"]

        config = recipe("mnist-lt", quick=True, method=method, epochs=2, retrain_epochs=1, device="cpu",
                        out=str(root / method))
        run = lc.train(config, progress=False, callback=keep)
        out[method] = (run, snapshot, holder["model"], root / method)
    return out


@pytest.mark.parametrize("method", ["oltr", "decouple-oltr"])
def test_end_to_end_on_mnist_lt(method, mnist_runs):
    run, stage1, model, folder = mnist_runs[method]
    assert isinstance(run.head, CapsuleHead) and run.test_features.shape[1] == 64
    acc = run.evaluate(0)
    assert acc["overall"] > 20                                   # 10 classes: chance is 10 %
    base = model.backbone.base.state_dict()
    same = all(torch.equal(base[k], v) for k, v in stage1.items())
    assert same == (method == "decouple-oltr")                   # the trunk is frozen only there
    again = load_run(folder)
    assert again.evaluate(0)["overall"] == pytest.approx(acc["overall"])
    assert again.report_alphas() == [0.0]                        # no TDE row


def test_table2_has_the_oltr_rows_with_their_methods():
    t2 = paper_table2()
    assert tuple(t2.loc["OLTR†", ["many", "medium", "few", "overall"]]) == (51.0, 40.8, 20.8, 41.9)
    assert tuple(t2.loc["Decouple-OLTR†", ["many", "medium", "few", "overall"]]) == (59.9, 45.8, 27.6, 48.7)
    assert t2.loc["OLTR†", "lt_causal method"] == "oltr"
    assert t2.loc["Decouple-OLTR†", "lt_causal method"] == "decouple-oltr"
    assert len(t2) == 15 and t2.loc["De-confound-TDE", "overall"] == 51.8
    assert paper_accuracy("imagenet-lt", 100, "decouple-oltr") == 48.7
    assert paper_accuracy("imagenet-lt", 256, "deconfound", tde=True) == 51.8
    assert paper_accuracy("imagenet-lt", 100, "logit-adjust") is None
    assert data_label("imagenet-lt") == ("ImageNet-LT", "imagenet-lt")


def test_runs_beside_table2(mnist_runs):
    run = mnist_runs["oltr"][0]
    other = SimpleNamespace(method="logit-adjust", path=None, report_alphas=lambda a=None: [0.0],
                            evaluate=lambda a: {"many": 1.0, "medium": 2.0, "few": 3.0, "overall": 4.0})
    t = table2_with_runs([run, other])
    assert t.loc["OLTR†", "lt_causal overall"] == pytest.approx(run.evaluate(0)["overall"])
    assert t.loc["OLTR†", "lt_causal run"] == "oltr" and t.loc["OLTR†", "overall"] == 41.9
    assert t.loc["Logit adjustment", "lt_causal few"] == 3.0 and pd.isna(t.loc["Logit adjustment", "overall"])
    assert pd.isna(t.loc["Baseline", "lt_causal overall"]) and t.loc["Baseline", "lt_causal run"] == "–"


def test_streamed_stage2_on_a_miniature_imagenet_lt(tmp_path):
    """The OLTR stage reads a split-list data set through its DataLoaders (StreamedImages)."""
    import dataclasses

    from lt_causal.datasets.miniature import make_miniature_tree
    from lt_causal.datasets.split_list import load_split_lists
    from lt_causal.methods.oltr import OLTRBackbone
    from lt_causal.training.stages import StreamedImages, stage2_images

    data = load_split_lists("imagenet-lt", make_miniature_tree(tmp_path / "mini", classes=4, n_max=12))
    data = dataclasses.replace(data, image_size=32, resize=37)
    base = recipe("mnist-lt", method="decouple-oltr", retrain_epochs=1, batch_size=8, device="cpu", precision="fp32")
    config = SimpleNamespace(**{**dataclasses.asdict(base), "workers": 0})   # the fields the stage reads
    torch.manual_seed(0)
    backbone = build_backbone("resnet10", 3)
    model = LTModel(backbone, LinearHead(512, 4), MU)
    images = stage2_images(data, config, torch.device("cpu"))
    assert isinstance(images, StreamedImages) and images.steps == len(data.train) // 8
    xb, yb = next(iter(images.train(0)))
    assert xb.dtype == torch.uint8 and xb.shape == (8, 3, 32, 32) and yb.shape == (8,)
    model = oltr_stage(model, data, config, "decouple-oltr", images=images)
    assert isinstance(model.backbone, OLTRBackbone) and model.backbone.attention.spatial == (1, 1)
    assert model.backbone(torch.randn(2, 3, 32, 32)).shape == (2, 512)


def test_an_oltr_run_is_not_packed_from_its_stage1_checkpoint(mnist_runs, tmp_path):
    from lt_causal.experiments.packs import make_pack

    with pytest.raises(ValueError, match="'oltr', whose second stage rebuilds the backbone"):
        make_pack(mnist_runs["oltr"][3], "oltr-mnist", dest=tmp_path)


def test_decouple_from_a_ce_run_equals_training_oltr(mnist_runs, tmp_path):
    """lc.decouple(ce_run, "oltr") is train(method="oltr") without repeating the first stage
    (OLTR's own default, retrain_lr 0.1, applies to the decoupled configuration too)."""
    direct, folder = mnist_runs["oltr"][0], mnist_runs["oltr"][3]
    ce = recipe("mnist-lt", quick=True, method="ce", epochs=2, retrain_epochs=1, device="cpu", out=str(tmp_path / "ce"))
    lc.train(ce, progress=False)
    run = lc.decouple(tmp_path / "ce", "oltr", tmp_path / "oltr", progress=False)
    assert run.config["retrain_lr"] == 0.1 == load_run(folder).config["retrain_lr"]
    torch.testing.assert_close(run.test_features, direct.test_features)
    assert run.evaluate(0) == pytest.approx(direct.evaluate(0))
