"""Table 3 reproduction: a tiny grid on mnist-lt (CPU, seconds), resume/caching, the paper's
numbers against PAPER.md, the folder route and argument errors."""
import dataclasses
import os
import re
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from lt_causal.cli import main
from lt_causal.training.config import TrainConfig
from lt_causal.experiments.paper_tables import (PAPER_TABLE2, PAPER_TABLE3, TABLE3_OTHER_SYSTEMS, data_label, paper_table2,
                                   paper_table3, run_vs_paper)
from lt_causal.experiments.reproduce import paper_config, reproduce, reproduction_configs, table_from_runs
from lt_causal.experiments.results_table import results_markdown, summarize
from lt_causal.evaluation.runs import find_runs
from lt_causal.evaluation.loading import load_run

TINY = {"epochs": 1, "batch_size": 128}
# Optional data (default: the shared/ folder beside this checkout): the paper as Markdown
# ($LT_CAUSAL_PAPER_MD) and a folder with the paper's text (*.txt) as the seed deck ($LT_CAUSAL_SEED_DECK).
SHARED = Path(__file__).resolve().parents[2] / "shared"
PAPER_MD = Path(os.environ.get("LT_CAUSAL_PAPER_MD") or SHARED / "PAPER.md")
SEED_DIR = Path(os.environ.get("LT_CAUSAL_SEED_DECK") or SHARED / "seed")
SEED_DECK = next(SEED_DIR.glob("*.txt"), None) if SEED_DIR.is_dir() else None


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    """2 methods x 2 seeds on mnist-lt, one epoch each, and the summary it returned."""
    root = tmp_path_factory.mktemp("reproduce")
    events = []
    summary = reproduce(["mnist-lt"], [100], ["ce", "deconfound"], [0, 1], base=TINY, root=root,
                        quick=False, progress=False, callback=events.append)
    return root, summary, events


def test_grid_writes_one_run_per_combination(grid):
    root, summary, events = grid
    names = sorted(p.name for p in find_runs(root))
    assert names == sorted(f"mnist-lt-r100-{m}-e1-s{s}" for m in ("ce", "deconfound") for s in (0, 1))
    assert [e["status"] for e in events if e["status"] != "starting"] == ["trained"] * 4
    for name in ("results.md", "results.csv", "runs.csv"):
        assert (root / name).is_file(), name


def test_mean_and_std_come_from_the_runs(grid):
    root, summary, _ = grid
    # independently: load every run directory and evaluate it at α = 0 and its configured α
    per = {}
    for path in find_runs(root):
        run = load_run(path)
        alphas = [0.0] if run.method == "ce" else [0.0, float(run.config["alpha"])]
        for a in alphas:
            per.setdefault((run.method, a), []).append(run.evaluate(a))
    assert sorted(per) == [("ce", 0.0), ("deconfound", 0.0), ("deconfound", 1.0)]
    assert len(summary) == 3
    for _, row in summary.iterrows():
        values = per[(row["method"], row["alpha"])]
        assert row["seeds"] == len(values) == 2
        for g in ("overall", "many", "medium", "few"):
            xs = [v[g] for v in values]
            assert row[f"{g}_mean"] == pytest.approx(sum(xs) / len(xs))
            assert row[f"{g}_std"] == pytest.approx(statistics.stdev(xs), abs=1e-9)
    # the CSV holds the same numbers; the markdown shows them rounded as mean ± std
    csv = pd.read_csv(root / "results.csv")
    np.testing.assert_allclose(csv["overall_mean"], summary["overall_mean"])
    md = (root / "results.md").read_text()
    r = summary.iloc[-1]
    assert f"{r['overall_mean']:.1f} ± {r['overall_std']:.1f}" in md
    assert "| MNIST-LT | 100 | De-confound-TDE | 1 | 1 | 2 |" in md


def test_table_from_run_directories_equals_the_grid_summary(grid):
    root, summary, _ = grid
    table = table_from_runs(find_runs(root))
    key = ["row", "alpha"]
    pd.testing.assert_frame_equal(table.sort_values(key).reset_index(drop=True),
                                  summary.sort_values(key).reset_index(drop=True))
    with pytest.raises(ValueError, match="no run directories"):
        table_from_runs([])


def test_second_call_loads_instead_of_training(grid, monkeypatch):
    root, summary, _ = grid
    import lt_causal.experiments.reproduce as rp
    import lt_causal.training.trainer as trainer

    def no_training(*args, **kwargs):
        raise AssertionError("a finished run was retrained")

    monkeypatch.setattr(trainer, "train", no_training)
    monkeypatch.setattr(rp, "dataset_for", no_training)
    events = []
    again = reproduce(["mnist-lt"], [100], ["ce", "deconfound"], [0, 1], base=TINY, root=root,
                      quick=False, progress=False, callback=events.append)
    assert [e["status"] for e in events if e["status"] != "starting"] == ["loaded"] * 4
    pd.testing.assert_frame_equal(again, summary)


def test_a_finished_run_with_another_recipe_is_an_error_before_any_training(grid, monkeypatch):
    root, _, _ = grid
    import lt_causal.training.trainer as trainer

    monkeypatch.setattr(trainer, "train", lambda *a, **k: pytest.fail("trained before checking the runs"))
    with pytest.raises(ValueError, match="lr: saved 0.05 vs now 0.07"):
        # seed 5 is new (would be trained first), seed 1 exists with lr 0.05
        reproduce(["mnist-lt"], [100], ["ce"], [5, 1], base={**TINY, "lr": 0.07}, root=root,
                  quick=False, progress=False)


def test_interrupted_grid_resumes(tmp_path):
    base = {**TINY, "epochs": 2}
    config = reproduction_configs(["mnist-lt"], [100], ["deconfound"], [0], base=base, root=tmp_path,
                                  quick=False)[0]
    from lt_causal.training.trainer import train

    def stop(info):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(config, callback=stop, progress=False)
    if "fast" in {f.name for f in dataclasses.fields(TrainConfig)}:
        # a checkpoint of the plain path cannot be resumed by the fast path: said before training
        with pytest.raises(ValueError, match="fast: saved False vs now True"):
            reproduce(["mnist-lt"], [100], ["deconfound"], [0], base={**base, "fast": True},
                      root=tmp_path, quick=False, progress=False)
    events = []
    reproduce(["mnist-lt"], [100], ["deconfound"], [0], base=base, root=tmp_path, quick=False,
              progress=False, callback=events.append)
    assert events[-1]["status"] == "resumed"
    assert len(load_run(config.out).history) == 2
    # a finished run counts whatever path trained it
    if "fast" in {f.name for f in dataclasses.fields(TrainConfig)}:
        events = []
        reproduce(["mnist-lt"], [100], ["deconfound"], [0], base={**base, "fast": True},
                  root=tmp_path, quick=False, progress=False, callback=events.append)
        assert events[-1]["status"] == "loaded"


def parse_paper_md(text):
    """Table 3 rows of PAPER.md §6 → {(dataset, imbalance): {row: value}}."""
    section = text.split("## 6.")[1]
    header = next(line for line in section.splitlines() if line.startswith("| method"))
    cols = [c.strip() for c in header.strip("|").split("|")][1:]
    keys, current = [], None
    for c in cols:
        m = re.match(r"(?:(C10|C100) )?r=(\d+)", c)
        current = m.group(1) or current
        keys.append(({"C10": "cifar10-lt", "C100": "cifar100-lt"}[current], int(m.group(2))))
    table = {}
    for line in section.splitlines():
        if line.startswith("| De-confound"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            for key, value in zip(keys, cells[1:]):
                table.setdefault(key, {})[cells[0]] = float(value)
    return table


@pytest.mark.skipif(not PAPER_MD.is_file(), reason="optional data missing: the paper's text as Markdown "
                    "(PAPER.md, with Table 3); set LT_CAUSAL_PAPER_MD to that file to check the numbers")
def test_paper_numbers_match_paper_md():
    assert parse_paper_md(PAPER_MD.read_text()) == PAPER_TABLE3


def deck_rows(text, caption):
    """{row name: numbers} of the tab-separated table just above ``caption`` in the seed deck."""
    block = text.split(caption)[0].rsplit("\n\n\n", 1)[-1]
    rows = {}
    for line in block.splitlines():
        cells = line.split("\t")
        if len(cells) > 2 and re.fullmatch(r"[\d.]+", cells[1]):
            name = re.sub(r"\s*\[\d+\]", "", cells[0].replace(" [†]", "†"))
            name = name.replace("(Ours) ", "").replace("- τ -", "-τ-")
            rows[name.strip()] = tuple(map(float, cells[1:]))
    return rows


@pytest.mark.skipif(SEED_DECK is None, reason="optional data missing: the paper's text with Tables 2 and 3 "
                    "(a .txt file); set LT_CAUSAL_SEED_DECK to its folder to check the numbers")
def test_other_systems_match_the_seed_deck():
    text = SEED_DECK.read_text()
    table3 = deck_rows(text, "Table 3:")
    assert {k: table3[k] for k in TABLE3_OTHER_SYSTEMS} == TABLE3_OTHER_SYSTEMS
    table2 = deck_rows(text, "Table 2:")
    assert table2 == {k: tuple(v) for k, v in PAPER_TABLE2.items()}


def test_paper_table_layout_and_paper_column():
    t = paper_table3()
    assert list(t.index) == ["Focal Loss", "Mixup", "Class-balanced Loss", "LDAM", "BBN",
                             "De-confound", "De-confound-TDE"]
    assert t.loc["BBN", "C10 r=100"] == 79.8 and t.loc["LDAM", "C100 r=10"] == 58.7
    t2 = paper_table2()
    assert t2.loc["Decouple-cRT", "lt_causal method"] == "crt" and t2.loc["Decouple-cRT", "few"] == 27.4
    assert t2.loc["OLTR†", "lt_causal method"] == "oltr"
    assert t.loc["De-confound-TDE", "C10 r=100"] == 80.6 and t.loc["De-confound", "C100 r=10"] == 58.9
    # summarize puts the paper's number beside de-confound rows only (CE is not in Table 3)
    rows = [{"data": "CIFAR-10-LT", "paper_key": "cifar10-lt", "dataset": "cifar10-lt", "imbalance": 50.0,
             "method": m, "tde": a > 0, "row": f"{m}{a}", "alpha": a, "seed": s, "epochs": 200,
             "overall": 70.0 + s, "many": 90.0, "medium": 60.0, "few": None}
            for m, alphas in (("ce", [0.0]), ("deconfound", [0.0, 1.0])) for a in alphas for s in (0, 1, 2)]
    s = summarize(pd.DataFrame(rows))
    assert s["paper"].isna().tolist() == [True, False, False]
    assert s["paper"].tolist()[1:] == [77.8, 83.6]
    assert s["overall_mean"].tolist() == [71.0] * 3 and s["overall_std"].tolist() == [1.0] * 3
    assert s["few_mean"].isna().all()
    md = results_markdown(s)
    assert "| 77.8 |" in md and "| 83.6 |" in md and "71.0 ± 1.0" in md


def make_folder(root, classes, n_train=12, n_test=2, size=8):
    from PIL import Image

    rng = np.random.default_rng(0)
    for split, n in (("train", n_train), ("test", n_test)):
        for c in classes:
            (root / split / c).mkdir(parents=True)
            for i in range(n):
                Image.fromarray(rng.integers(0, 255, (size, size, 3), dtype=np.uint8)).save(
                    root / split / c / f"{i:04d}.jpg")
    return root


def test_folder_with_cifar10_classes_is_labelled_and_gets_paper_numbers(tmp_path):
    from lt_causal.datasets.registry import CIFAR10_CLASSES

    folder = make_folder(tmp_path / "cifar10-jpeg", CIFAR10_CLASSES)
    assert data_label("folder", CIFAR10_CLASSES, folder) == ("CIFAR-10-LT (JPEG copy)", "cifar10-lt")
    assert data_label("folder", ["a", "b"], folder)[1] is None
    summary = reproduce(["folder"], [10], ["deconfound"], [0], folder=folder, root=tmp_path / "runs",
                        base={**TINY, "arch": "small-cnn", "data_root": str(tmp_path / "data")},
                        quick=False, progress=False)
    assert summary["data"].tolist() == ["CIFAR-10-LT (JPEG copy)"] * 2
    assert summary["paper"].tolist() == [86.8, 88.5]
    assert (tmp_path / "runs" / "folder-cifar10-jpeg-r10-deconfound-e1-s0").is_dir()
    assert "JPEG copy" in (tmp_path / "runs" / "results.md").read_text()
    table = run_vs_paper(load_run(tmp_path / "runs" / "folder-cifar10-jpeg-r10-deconfound-e1-s0"))
    assert table["paper (Table 3)"].tolist() == [86.8, 88.5]


@pytest.mark.parametrize("kwargs,match", [
    ({"datasets": ["cifar1000-lt"]}, "unknown data set 'cifar1000-lt'"),
    ({"methods": ["deconfound", "magic"]}, "unknown method 'magic'"),
    ({"imbalances": [100, 0.5]}, "imbalance must be .* got 0.5"),
    ({"seeds": [0, 0]}, r"seeds has repeated values: \[0, 0\]"),
    ({"seeds": []}, "seeds is empty"),
    ({"seeds": [1.5]}, "seed must be an integer >= 0, got 1.5"),
    ({"datasets": ["folder"]}, "data set 'folder' needs folder="),
    ({"folder": "somewhere"}, "folder='somewhere' is only used with the data set 'folder'"),
    ({"base": {"method": "ce"}}, "base option 'method' is set by the grid"),
    ({"base": {"epochz": 3}}, "base option 'epochz' is not a TrainConfig field"),
    ({"base": {"epochs": 0}}, "epochs = 0"),
])
def test_bad_arguments_raise_one_clear_value_error(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        reproduce(**{"datasets": ["mnist-lt"], "root": tmp_path, "progress": False, **kwargs})
    assert not any(tmp_path.iterdir())  # nothing trained or written


def test_cli_reproduce_prints_the_table(grid, capsys, monkeypatch):
    root, summary, _ = grid
    monkeypatch.delenv("LT_CAUSAL_QUICK", raising=False)
    code = main(["reproduce", "--dataset", "mnist-lt", "--imbalance", "100", "--methods", "ce", "deconfound",
                 "--seeds", "0", "1", "--epochs", "1", "--batch-size", "128", "--out", str(root)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "| MNIST-LT | 100 | Cross-entropy | 0 | 1 | 2 |" in out
    assert err.count(": loaded") == 4


def test_cli_reproduce_argument_errors(capsys):
    assert main(["reproduce", "--dataset", "folder", "--seeds", "0"]) == 2
    assert "needs folder=" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["reproduce", "--methods", "magic"])


def test_paper_config_quick_and_full(monkeypatch, tmp_path):
    monkeypatch.setenv("LT_CAUSAL_RUNS", str(tmp_path))
    quick = paper_config("cifar10-lt", imbalance=100, method="deconfound", seed=3, quick=True)
    assert (quick.dataset, quick.arch, quick.epochs, quick.seed) == ("mnist-lt", "small-cnn", 4, 3)
    assert quick.out == str(tmp_path / "nb05-mnist-lt-r100-deconfound-e4-s3-quick")
    full = paper_config("cifar100-lt", imbalance=50, method="deconfound", quick=False)
    assert (full.dataset, full.arch, full.epochs, full.alpha, full.lr, full.batch_size) == \
        ("cifar100-lt", "resnet32", 200, 1.5, 0.2, 256)
    assert Path(full.out).name == "nb05-cifar100-lt-r50-deconfound-e200-s0"
    folder = paper_config("folder", folder="x/cifar10-jpeg", epochs=10, quick=False)
    assert (folder.folder_root, folder.epochs, Path(folder.out).name) == \
        ("x/cifar10-jpeg", 10, "nb05-folder-cifar10-jpeg-r100-deconfound-e10-s0")
    with pytest.raises(ValueError, match="needs folder="):
        paper_config("folder", quick=False)


def test_grid_of_other_systems_decouples_from_its_ce_run(tmp_path):
    events = []
    summary = reproduce(["mnist-lt"], [100], ["crt", "ce", "ldam-drw"], [0], base=TINY, root=tmp_path,
                        quick=False, progress=False, callback=events.append)
    done = {e["run"]: e["status"] for e in events if e["status"] != "starting"}
    assert done == {"mnist-lt-r100-ce-e1-s0": "trained", "mnist-lt-r100-crt-e1-s0": "decoupled",
                    "mnist-lt-r100-ldam-drw-e1-s0": "trained"}
    ce, crt = (load_run(tmp_path / f"mnist-lt-r100-{m}-e1-s0") for m in ("ce", "crt"))
    torch.testing.assert_close(crt.test_features, ce.test_features)   # the same first stage
    assert list(summary["method"]) == ["ce", "ldam-drw", "crt"]   # no TDE row for LDAM's classifier
    assert list(summary["row"]) == ["Cross-entropy", "LDAM-DRW", "cRT"]
    again = []
    reproduce(["mnist-lt"], [100], ["ce", "crt"], [0], base=TINY, root=tmp_path, quick=False,
              progress=False, callback=again.append)
    assert [e["status"] for e in again if e["status"] != "starting"] == ["loaded", "loaded"]


def test_other_systems_get_their_table3_number():
    rows = [{"data": "CIFAR-10-LT", "paper_key": "cifar10-lt", "dataset": "cifar10-lt", "imbalance": 50.0,
             "method": m, "tde": False, "row": m, "alpha": 0.0, "seed": 0, "epochs": 200,
             "overall": 70.0, "many": 90.0, "medium": 60.0, "few": None}
            for m in ("focal", "mixup", "cb", "ldam-drw", "bbn", "crt")]
    s = summarize(pd.DataFrame(rows))
    assert s["paper"].tolist()[:5] == [76.7, 77.8, 79.3, 81.0, 82.2]
    assert pd.isna(s["paper"].iloc[5])   # decoupling is in Table 2 (ImageNet-LT), not Table 3
