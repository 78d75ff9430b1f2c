"""Every method of :data:`lt_causal.METHODS` through :func:`lt_causal.train` on real digits: it
trains, saves and loads; the decoupling methods can start from a finished cross-entropy run."""
import json

import pytest
import torch

from lt_causal.cli import main
from lt_causal.training.config import recipe
from lt_causal.datasets.registry import load_dataset
from lt_causal.models.heads import CapsuleHead, CosineHead, LinearHead
from lt_causal.methods.oltr import OLTR_STAGES
from lt_causal.methods.registry import METHODS
from lt_causal.evaluation.loading import load_run
from lt_causal.training.stages import decouple
from lt_causal.training.trainer import train


@pytest.fixture(scope="module")
def mnist():
    return load_dataset("mnist-lt", imbalance=100, seed=0)


def cfg(method, **kw):
    return recipe("mnist-lt", method=method, epochs=2, **kw)


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_trains_saves_and_loads(method, mnist, tmp_path):
    out = tmp_path / method
    short = {"retrain_epochs": 1} if method in OLTR_STAGES else {}   # OLTR's stage 2 trains on images
    run = train(cfg(method, out=str(out), **short), data=mnist, progress=False)
    acc = run.evaluate(0.0)
    assert 10.0 < acc["overall"] <= 100.0, acc          # above chance on 10 digits
    assert torch.isfinite(run.test_features).all()
    loaded = load_run(out)
    assert loaded.config["method"] == method
    assert loaded.evaluate(0.0) == pytest.approx(acc)
    spec = METHODS[method]
    if spec.stage2 == "ncm":
        assert isinstance(loaded.head, CosineHead)
    elif spec.stage2 in OLTR_STAGES:
        assert isinstance(loaded.head, CapsuleHead)     # OLTR's cosine (norm) classifier
    elif spec.head == "linear":
        assert isinstance(loaded.head, LinearHead)
    assert len(run.history) == 2


@pytest.mark.parametrize("method", ["mixup", "bbn"])
def test_methods_with_their_own_step_are_refused_on_the_fast_path(method, mnist):
    with pytest.raises(ValueError, match=f"method '{method}' has its own training step"):
        train(cfg(method, fast=True), data=mnist, progress=False)


def test_a_stage_two_changes_the_ce_classifier(mnist):
    ce = train(cfg("ce"), data=mnist, progress=False)
    crt = train(cfg("crt"), data=mnist, progress=False)
    # same seed, same first stage: identical features, different classifier
    torch.testing.assert_close(crt.test_features, ce.test_features)
    assert not torch.equal(crt.head.fc.weight, ce.head.fc.weight)


@pytest.fixture(scope="module")
def ce_run(mnist, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "ce"
    train(cfg("ce", out=str(out)), data=mnist, progress=False)
    return out


@pytest.mark.parametrize("method", ["crt", "lws", "ncm", "tau-norm", "logit-adjust"])
def test_decouple_from_a_ce_run_equals_training_the_method(method, mnist, ce_run, tmp_path):
    direct = train(cfg(method), data=mnist, progress=False)
    out = tmp_path / method
    run = decouple(ce_run, method, out, data=mnist, progress=False)
    assert run.evaluate(0.0) == pytest.approx(direct.evaluate(0.0))
    torch.testing.assert_close(run.test_features, direct.test_features)
    saved = json.loads((out / "config.json").read_text())
    expected = json.loads(json.dumps(cfg(method, out=str(out)).to_dict()))
    expected["precision"] = json.loads((ce_run / "config.json").read_text())["precision"]   # "auto" resolved
    assert saved == expected
    assert load_run(out).evaluate(0.0) == pytest.approx(run.evaluate(0.0))
    again = decouple(ce_run, method, out, data=mnist, progress=False)   # finished: loaded
    assert again.evaluate(0.0) == pytest.approx(run.evaluate(0.0))


def test_decouple_errors(mnist, ce_run, tmp_path):
    with pytest.raises(ValueError, match="method 'focal' has no second stage"):
        decouple(ce_run, "focal", data=mnist)
    with pytest.raises(FileNotFoundError, match="is not a finished run"):
        decouple(tmp_path, "crt", data=mnist)
    cosine = tmp_path / "cosine"
    train(cfg("cosine", out=str(cosine)), data=mnist, progress=False)
    with pytest.raises(ValueError, match="starts from a cross-entropy run.*'cosine'"):
        decouple(cosine, "crt", data=mnist)


def test_cli_from_run(ce_run, tmp_path, capsys):
    out = tmp_path / "lws"
    assert main(["train", "--method", "lws", "--from-run", str(ce_run), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"run written to {out}" in printed and "few" in printed
    assert load_run(out).config["method"] == "lws"
    assert main(["train", "--method", "cb", "--from-run", str(ce_run), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "'cb' has no second stage" in err and len(err.splitlines()) == 1


def test_cli_lists_every_method(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--method", "nope"])
    err = capsys.readouterr().err
    for name in METHODS:
        assert name in err
