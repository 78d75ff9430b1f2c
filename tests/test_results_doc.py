"""docs/results.md quotes the shipped runs as they are: its generated block is what tools/results.py
renders from the packs (so a typed or stale number fails here), and the facts it reads off a
run's history are the history's."""
from pathlib import Path

import pandas as pd

import project_tools  # tests/project_tools.py

ROOT = Path(__file__).resolve().parents[1]
results = project_tools.load("results")


def test_the_generated_block_is_what_the_packs_say():
    assert results.build(write=False) == []
    assert "tools/results.py build" in (ROOT / "Makefile").read_text()


def test_curve_facts_read_the_history():
    rows = [{"epoch": e, "lr": 0.2 * min(1, e / 5) if e <= 12 else 0.002, "seconds": 10.0 + (e == 7) * 50,
             "test_acc": (40.0 + e if e % 5 == 0 else None)} for e in range(1, 21)]
    f = results.curve_facts(pd.DataFrame(rows), {"warmup_epochs": 5})
    assert f["high"] == (50.0, 50.0, 10, 10)              # after the warm-up, at the peak lr: epoch 10 only
    assert f["after"] == (15, 55.0)                       # the first test after the decay at epoch 13
    assert f["slowest"].startswith("epoch 7: 60 s")
    assert f["last"] == (45.0, 60.0, 4)


record = project_tools.load("record")


def test_every_record_is_quoted_and_names_no_path_of_its_machine():
    names = sorted(p.stem for p in record.MEASUREMENTS.glob("*.csv"))
    assert names, "docs/measurements holds no record"
    text = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    for name in names:
        summary, prov = record.read_record(name)
        assert {"method", "row", "alpha", "overall_mean"} <= set(summary.columns)
        assert prov["command"] in text, f"record {name} is not quoted by docs/results.md"
        raw = (record.MEASUREMENTS / f"{name}.json").read_text() + (record.MEASUREMENTS / f"{name}.csv").read_text()
        assert not any(s in raw for s in ("/root/", "/home/", "/work/", "/tmp/")), name


def test_record_summarises_run_folders(tmp_path, monkeypatch):
    import lt_causal as lc

    for method in ("ce", "deconfound"):
        lc.train(lc.recipe("mnist-lt", quick=True, method=method, epochs=1, device="cpu",
                           out=str(tmp_path / "runs" / method)), progress=False)
    monkeypatch.setattr(record, "MEASUREMENTS", tmp_path / "measurements")
    path = record.record(tmp_path / "runs", "two", 'lc.benchmark("mnist-lt", methods=["ce", "deconfound"])')
    summary = pd.read_csv(path)
    assert sorted(set(summary["method"])) == ["ce", "deconfound"]
    assert len(summary) == 3                       # ce at α = 0, de-confound at α = 0 and its α
    prov = __import__("json").loads(path.with_suffix(".json").read_text())
    assert prov["runs"] == 2 and prov["recipe"]["epochs"] == 1 and prov["recipe"]["arch"] == "small-cnn"
    assert prov["machine"] and str(tmp_path) not in path.with_suffix(".json").read_text()


def test_record_of_an_empty_folder_is_one_line(tmp_path):
    import pytest

    with pytest.raises(SystemExit, match="no finished run folder under"):
        record.record(tmp_path, "none", "x")
