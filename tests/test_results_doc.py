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
