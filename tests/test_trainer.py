"""Trainer, checkpoints and runs on the embedded mnist-lt data (seconds on a CPU)."""
import json

import pytest
import torch

import lt_causal as lc
from lt_causal.checkpoint import load_checkpoint, save_checkpoint
from lt_causal.training.config import TrainConfig, recipe
from lt_causal.schedule import lr_at
from lt_causal.datasets.registry import load_dataset
from lt_causal.evaluation.loading import load_run
from lt_causal.training.trainer import train


@pytest.fixture(scope="module")
def mnist():
    return load_dataset("mnist-lt", imbalance=100, seed=0)


def tiny(tmp_path=None, **kw):
    kw.setdefault("epochs", 3)
    return recipe("mnist-lt", out=str(tmp_path) if tmp_path else None, **kw)


def test_checkpoint_round_trip_weights_only(tmp_path):
    obj = {"w": torch.randn(3, 2), "epoch": 4, "history": [{"loss": 1.5, "test_acc": None}]}
    save_checkpoint(obj, tmp_path / "c.pt")
    back = load_checkpoint(tmp_path / "c.pt")
    torch.testing.assert_close(back["w"], obj["w"])
    assert back["epoch"] == 4 and back["history"] == obj["history"]
    assert [p.name for p in tmp_path.iterdir()] == ["c.pt"]  # no temporary file left behind


def test_interrupted_save_keeps_previous_checkpoint(tmp_path):
    save_checkpoint({"epoch": 1}, tmp_path / "c.pt")

    class Boom:
        def __reduce__(self):
            raise RuntimeError("disk full")

    with pytest.raises(Exception):
        save_checkpoint({"epoch": 2, "bad": Boom()}, tmp_path / "c.pt")
    assert load_checkpoint(tmp_path / "c.pt")["epoch"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["c.pt"]


def test_schedule_is_paper_recipe():
    c = TrainConfig()
    assert lr_at(c, 0) == pytest.approx(0.2 / 3)
    assert lr_at(c, 5) == pytest.approx(0.2)
    assert lr_at(c, 119.9) == pytest.approx(0.2)
    assert lr_at(c, 120) == pytest.approx(0.2 * 0.01)
    assert lr_at(c, 160) == pytest.approx(0.2 * 1e-4)


@pytest.mark.parametrize("field,value", [("imbalance", 0.5), ("epochs", 0), ("momentum", 1.0), ("lr", -1.0)])
def test_bad_config_names_the_value(field, value):
    with pytest.raises(ValueError, match=f"{field} = {value!r}"):
        TrainConfig(**{field: value})


def test_run_directory_and_resume_gives_same_result(tmp_path, mnist):
    straight = train(tiny(tmp_path / "a"), data=mnist, progress=False)

    def crash(info):
        if info["epoch"] == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(tiny(tmp_path / "b"), data=mnist, callback=crash, progress=False)
    assert load_checkpoint(tmp_path / "b" / "checkpoint.pt")["epoch"] == 2
    resumed = train(tiny(tmp_path / "b"), data=mnist, progress=False)
    torch.testing.assert_close(resumed.test_features, straight.test_features)
    assert len(resumed.history) == 3
    for name in ("config.json", "history.csv", "checkpoint.pt", "features.pt", "metrics.json"):
        assert (tmp_path / "a" / name).is_file(), name
    loaded = load_run(tmp_path / "a")
    torch.testing.assert_close(loaded.logits(1.0), straight.logits(1.0))
    assert json.loads((tmp_path / "a" / "metrics.json").read_text())["0.0"] == straight.evaluate(0.0)


def test_resume_refuses_a_different_configuration(tmp_path, mnist):
    train(tiny(tmp_path, epochs=1), data=mnist, progress=False)
    with pytest.raises(ValueError, match="lr: saved 0.05 vs now 0.1"):
        train(tiny(tmp_path, epochs=1, lr=0.1), data=mnist, progress=False)


def test_callback_sees_every_epoch(mnist):
    seen = []
    train(tiny(epochs=2), data=mnist, callback=lambda info: seen.append(info["epoch"]), progress=False)
    assert seen == [1, 2]


@pytest.mark.slow
def test_deconfound_tde_raises_few_shot_accuracy_on_mnist_lt(mnist):
    """The paper's effect on real digits: TDE lifts few-shot accuracy over α = 0 and over CE."""
    ce = train(recipe("mnist-lt", method="ce", epochs=20), data=mnist, progress=False)
    dc = train(recipe("mnist-lt", method="deconfound", epochs=20), data=mnist, progress=False)
    alpha = dc.suggested_alpha()
    few_ce, few_0, few_tde = ce.evaluate(0)["few"], dc.evaluate(0)["few"], dc.evaluate(alpha)["few"]
    print(f"few-shot: CE {few_ce:.1f}  de-confound α=0 {few_0:.1f}  TDE α={alpha:.2f} {few_tde:.1f}")
    assert few_tde > few_0
    assert few_tde > few_ce
    assert dc.evaluate(alpha)["many"] <= dc.evaluate(0)["many"]


@pytest.mark.parametrize("fast", [False, True], ids=["plain", "fast"])
def test_every_step_updates_the_head_direction_through_head_direction_update(mnist, monkeypatch, fast):
    """The plain and the fast step add each batch's mean feature through
    HeadDirection.accumulate; replaying those means through a fresh HeadDirection.update gives
    the trained run's direction bit for bit (docs/method.md §2)."""
    from lt_causal.models.tde import HeadDirection

    means, accumulate = [], HeadDirection.accumulate

    def spy(self, batch_mean):
        means.append(batch_mean.detach().clone())
        accumulate(self, batch_mean)

    monkeypatch.setattr(HeadDirection, "accumulate", spy)
    config = tiny(epochs=1, fast=fast, compile_mode="none")
    run = train(config, data=mnist, progress=False)
    n, B = len(mnist.train_y), config.batch_size
    assert len(means) == (n // B if fast else n // B + (n % B >= 2))
    replay = HeadDirection(len(run.direction), config.mu)
    recorded = list(means)
    for m in recorded:
        replay.update(m[None])      # a "batch" of one feature: its mean is the recorded mean
    assert torch.equal(replay.moving_sum, run.direction)


def test_every_epoch_records_the_machine_it_ran_on_and_a_pack_says_which_epochs_ran_where():
    """A run resumed on another machine keeps the truth: each history row names its machine
    (lt_causal.machine), and machines_record turns the history into the pack's provenance."""
    from lt_causal.machine import machine_name, machines_record

    assert machines_record(["A", "A", None, "B", "B"]) == "A (epochs 1–2); not recorded (epoch 3); B (epochs 4–5)"
    assert machines_record([None, float("nan")]) is None and machines_record([]) is None
    run = lc.train(lc.recipe("mnist-lt", quick=True, epochs=2, device="cpu"), progress=False)
    assert list(run.history["machine"]) == [machine_name("cpu")] * 2
    assert machines_record(run.history["machine"]) == f"{machine_name('cpu')} (epochs 1–2)"
