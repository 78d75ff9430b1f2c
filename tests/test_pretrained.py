"""Results packs (lt_causal.evaluation.packs, lt_causal.experiments.packs): the shipped run re-evaluates to its own stored metrics,
a pack made from a fresh run round-trips, and the CLI, load_run and the notebook helpers use it."""
import json

import pytest
import torch

import lt_causal as lc
from lt_causal.evaluation import packs as pretrained
from lt_causal.experiments.packs import make_pack, portable_config
from lt_causal.cli import main
from lt_causal.training.config import recipe
from lt_causal.datasets.registry import load_dataset

SHIPPED = "cifar10-lt-r100-deconfound-s0"


def test_the_paper_run_is_shipped_and_reevaluates_to_its_own_metrics():
    assert SHIPPED in pretrained.pretrained_names()
    for name in pretrained.pretrained_names():
        blob = pretrained.read_pack(name)
        run = lc.load_run(pretrained.PREFIX + name)
        stored = blob["metrics"]["alphas"]
        assert set(stored) >= {"0", "0.5", "1", "1.5", "2"}
        for alpha, metrics in stored.items():
            got = run.evaluate(float(alpha))
            for group in ("overall", "many", "medium", "few"):
                assert got[group] == pytest.approx(metrics[group], abs=1e-9) if metrics[group] is not None \
                    else got[group] is None
            assert run.per_class_accuracy(float(alpha)).tolist() == pytest.approx(metrics["per_class"])
        assert blob["metrics"]["suggested_alpha"] == (round(run.suggested_alpha(), 2) if run.reports_tde else None)
        # the fp16 features of the pack agree with the run folder's float32 metrics
        for alpha in ("0.0", "1.0"):
            assert blob["run_metrics"][alpha]["overall"] == pytest.approx(stored[f"{float(alpha):g}"]["overall"], abs=0.2)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def test_no_pack_records_a_path_of_the_machine_that_built_it():
    for name in pretrained.pretrained_names():
        blob = pretrained.read_pack(name)
        paths = [s for s in _strings(blob) if s.startswith(("/", "~")) or "/root/" in s or "/home/" in s
                 or "/work/" in s or ":\\" in s]
        assert paths == [], f"{name} records machine paths {paths}"
        assert len(blob["data"]["train_sha256"]) == 64 and blob["data"]["name"]
        assert blob["name"] == name == pretrained.pack_name(**blob["cell"])


def test_a_name_without_a_seed_opens_seed_0_and_cells_read_as_words():
    assert pretrained.pack_path("cifar10-lt-r100-deconfound") == pretrained.pack_path(SHIPPED)
    assert lc.load_run("pretrained:cifar10-lt-r100-deconfound").name == "pretrained:" + SHIPPED
    assert not pretrained.is_shipped("cifar10-lt-r100-deconfound-s9")
    run = lc.load_run(pretrained.PREFIX + SHIPPED)
    assert run.label == "CIFAR-10-LT r=100 · de-confound · seed 0"
    with lc.using_language("zh"):
        assert run.label == "CIFAR-10-LT r=100 · 去混杂 · 种子 0"
    assert lc.cell_label({"dataset": "imagenet-lt", "imbalance": None, "method": "ce", "seed": 1}) \
        == "ImageNet-LT · cross-entropy · seed 1"


def test_shipped_run_provenance_and_size():
    path = pretrained.pack_path(SHIPPED)
    assert path.stat().st_size < 8 * 2**20
    total = sum(pretrained.pack_path(n).stat().st_size for n in pretrained.pretrained_names())
    assert total <= pretrained.PACKS_BUDGET, (f"the shipped packs take {total / 2**20:.1f} MB, more than the "
                                              f"{pretrained.PACKS_BUDGET / 2**20:g} MB allowed")
    prov = pretrained.read_pack(SHIPPED)["provenance"]
    assert prov["epochs"] == 200 and prov["command"].startswith("python -m lt_causal train")
    assert prov["train_seconds"] > 0 and prov["machine"] and prov["data"]


@pytest.fixture(scope="module")
def mnist_pack(tmp_path_factory):
    root = tmp_path_factory.mktemp("pack")
    data = load_dataset("mnist-lt")
    config = recipe("mnist-lt", quick=True, epochs=2, device="cpu", out=str(root / "run"))
    run = lc.train(config, data=data, progress=False)
    path = make_pack(root / "run", "mnist-test", {"command": "test", "data": "MNIST-LT"},
                                dest=root / "packs", data=data)
    return root, run, data, path


@pytest.fixture
def packs_in(monkeypatch, mnist_pack):
    monkeypatch.setattr(pretrained, "pretrained_dir", lambda: mnist_pack[0] / "packs")
    return mnist_pack


def test_a_pack_is_named_by_its_cell_and_can_leave_the_network_out(mnist_pack, tmp_path):
    root, run, data, _ = mnist_pack
    path = make_pack(root / "run", dest=tmp_path, data=data, features="uint8", backbone=False)
    assert path.name == f"mnist-lt-r{run.config['imbalance']:g}-deconfound-s0.pt"
    blob = pretrained.read_pack(path)
    assert "backbone" not in blob and blob["test_features"]["uint8"].dtype == torch.uint8
    assert blob["data"]["train_sha256"] == lc.fingerprint(data.train_x, data.train_y)
    assert blob["config"]["out"] is None
    features = pretrained.decode_features(blob["test_features"])
    err = (features - run.test_features).abs().max(1).values / run.test_features.amax(1).clamp_min(1e-12)
    assert err.max() <= 0.5 / 255 + 1e-6          # 8 bits per value, one scale per image
    assert path.stat().st_size < mnist_pack[3].stat().st_size
    with pytest.raises(ValueError, match="uint8 features need non-negative"):
        pretrained.encode_features(-run.test_features - 1, "uint8")
    with pytest.raises(ValueError, match="feature code 'int4'"):
        pretrained.encode_features(run.test_features, "int4")


def test_classify_names_the_packs_with_a_network(packs_in, tmp_path, monkeypatch):
    root, run, data, _ = packs_in
    make_pack(root / "run", "mnist-headless", dest=root / "packs", data=data, backbone=False)
    try:
        with pytest.raises(ValueError, match="'mnist-headless' carries no network.*with one: mnist-test"):
            lc.classify("mnist-headless", data.test_x[:2])
    finally:
        (root / "packs" / "mnist-headless.pt").unlink()


def test_made_pack_round_trips(packs_in):
    _, run, data, path = packs_in
    loaded = lc.load_run("pretrained:mnist-test")
    assert loaded.name == "pretrained:mnist-test" and "pretrained:mnist-test" in repr(loaded)
    assert loaded.classes == run.classes and loaded.train_counts == run.train_counts
    torch.testing.assert_close(loaded.test_features, run.test_features.half().float())
    assert loaded.config == portable_config(run.config) and len(loaded.history) == 2
    for a in (0.0, 1.0):
        assert loaded.evaluate(a)["overall"] == pytest.approx(run.evaluate(a)["overall"], abs=0.5)


def test_classify_uses_the_shipped_backbone(packs_in):
    _, run, data, _ = packs_in
    images = data.test_x[:200]
    names = lc.classify("mnist-test", images, alpha=1.0)
    agree = sum(n == run.classes[p] for n, p in zip(names, run.predictions(1.0)[:200].tolist()))
    assert agree >= 190   # fp16 weights and features: a handful of borderline images may flip
    assert lc.classify("mnist-test", images[0].permute(1, 2, 0))[0] in run.classes   # one HWC image
    with pytest.raises(ValueError, match=r"uint8 images of shape \(N, 1, 28, 28\)"):
        lc.classify("mnist-test", images.float())


def test_cli_lists_and_evaluates_packs(packs_in, capsys):
    assert main(["pretrained"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[0]
    assert line.startswith("mnist-test  MNIST-LT r=100 · de-confound · seed 0: deconfound on MNIST-LT, 2 epochs") and "command: test" in line
    assert main(["evaluate", "pretrained:mnist-test", "--alpha", "0", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    stored = pretrained.read_pack("mnist-test")["metrics"]["alphas"]
    assert out["0.0"]["overall"] == stored["0"]["overall"] and out["1.0"]["few"] == stored["1"]["few"]


def test_unknown_pack_and_foreign_file_are_one_line(packs_in, tmp_path, capsys):
    assert main(["evaluate", "pretrained:nope"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: no shipped run named 'nope' (shipped: mnist-test)"
    torch.save({"a": 1}, tmp_path / "x.pt")
    with pytest.raises(ValueError, match="is not a results pack"):
        pretrained.read_pack(tmp_path / "x.pt")


def test_notebooks_default_to_the_pack_on_a_cpu_without_a_full_run(packs_in, monkeypatch, tmp_path):
    from lt_causal.views import live_training

    monkeypatch.setenv("LT_CAUSAL_RUNS", str(tmp_path / "runs"))
    monkeypatch.setattr(pretrained, "pack_name", lambda *a, **k: "mnist-test")
    assert lc.explore_run("deconfound").name == "pretrained:mnist-test"
    config = recipe("mnist-lt", epochs=2, out=str(tmp_path / "runs" / "x"))
    monkeypatch.setattr(live_training, "train_live", lambda config, data=None: "trained")
    monkeypatch.delenv("LT_CAUSAL_QUICK", raising=False)
    assert lc.train_or_shipped(config).name == "pretrained:mnist-test"
    assert lc.train_or_shipped(config, train_here=True) == "trained"
    monkeypatch.setenv("LT_CAUSAL_QUICK", "1")
    assert lc.train_or_shipped(config) == "trained"


def test_a_cell_without_a_shipped_run_says_its_cost_and_trains_only_when_asked(packs_in, monkeypatch, tmp_path,
                                                                             capsys):
    from lt_causal.views import live_training

    monkeypatch.setenv("LT_CAUSAL_RUNS", str(tmp_path / "runs"))
    monkeypatch.delenv("LT_CAUSAL_QUICK", raising=False)
    monkeypatch.setattr(live_training, "train_live", lambda config, data=None: "trained")
    shipped = pretrained.pack_name  # the fallback: the first cell, seed 0 (the mnist-test pack here)
    monkeypatch.setattr(pretrained, "pack_name", lambda *a, **k: shipped(*a, **k) if a else "mnist-test")
    config = recipe("mnist-lt", epochs=2, seed=5, out=str(tmp_path / "runs" / "x"))
    run = lc.train_or_shipped(config)
    line = capsys.readouterr().out.strip()
    assert run.name == "pretrained:mnist-test"
    assert line.startswith("No shipped run of mnist-lt-r100-deconfound-s5: training it here takes about ")
    assert "s per epoch × 2, measured now); set TRAIN_HERE = True" in line and line.count("\n") == 0
    assert lc.train_or_shipped(config, train_here=True) == "trained"


def test_measured_cost_counts_the_cells_images():
    from lt_causal.experiments.device_info import recipe_images

    assert recipe_images(recipe("cifar10-lt", imbalance=50)) == 13996
    assert recipe_images(recipe("cifar10-lt", imbalance=10)) == sum(lc.long_tail_counts(10, 5000, 10))


def test_a_local_full_run_wins_over_the_pack(packs_in, monkeypatch, tmp_path):
    import shutil

    monkeypatch.setenv("LT_CAUSAL_RUNS", str(tmp_path / "runs"))
    shutil.copytree(packs_in[0] / "run", tmp_path / "runs" / "mine")
    cfg = json.loads((tmp_path / "runs" / "mine" / "config.json").read_text())
    (tmp_path / "runs" / "mine" / "config.json").write_text(json.dumps({**cfg, "dataset": "folder", "epochs": 200}))
    assert lc.full_runs("deconfound") == [tmp_path / "runs" / "mine"]
    assert lc.explore_run("deconfound").path == tmp_path / "runs" / "mine"


def test_a_folder_run_is_named_by_its_folder():
    run = lc.load_run(pretrained.PREFIX + SHIPPED)
    assert run.dataset == "folder" and run.data_name == run.config["folder_root"].rstrip("/").rsplit("/", 1)[-1]
    assert f"on {run.data_name}" in repr(run) and "on folder" not in repr(run)
