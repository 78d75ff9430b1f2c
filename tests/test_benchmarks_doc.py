"""benchmarks/README.md quotes the bench records as they are: its generated block is what
tools/benchmarks.py renders from docs/measurements/bench-*.json and loader-*.json (a typed or stale
number fails here), and the reading under each table is computed from the record."""
import json
from pathlib import Path

import project_tools  # tests/project_tools.py

ROOT = Path(__file__).resolve().parents[1]
benchmarks = project_tools.load("benchmarks")
PROV = {"command": "python -m lt_causal bench --x", "machine": "Some CPU, 2 cores", "torch": "2.0", "pillow": "11.0",
        "load_before": 0.1, "load_after": 1.2}


def test_the_generated_block_is_what_the_records_say():
    assert benchmarks.build(write=False) == []
    assert "tools/benchmarks.py build" in (ROOT / "Makefile").read_text()


def test_every_bench_record_is_quoted_and_names_no_path_of_its_machine():
    recs = benchmarks.records("bench-*.json") + benchmarks.records("loader-*.json")
    assert recs, "docs/measurements holds no bench record"
    text = (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8")
    for name, rec in recs:
        assert rec["provenance"]["command"] in text, f"record {name} is not quoted by benchmarks/README.md"
        assert not any(s in json.dumps(rec) for s in ("/root/", "/home/", "/work/", "/tmp/")), name


def _row(name, steady, warmup=1.0, precision="fp32"):
    return {"name": name, "first": steady + warmup, "steady": steady, "warmup": warmup, "precision": precision,
            "loss": 1.0, "test_acc": 50.0}


def test_the_pipelines_reading_is_computed_from_the_record(tmp_path):
    rec = {"header": ["data: d", "model: m"], "provenance": PROV, "results": [
        _row("official", 40.0), _row("plain@fp32", 39.0), _row("plain", 19.5, precision="bf16"),
        _row("fast:none", 19.0, precision="bf16"), _row("fast:default", 18.0, warmup=30.0, precision="bf16"),
        {"name": "fast:max-autotune", "error": "RuntimeError: boom"}]}
    (tmp_path / "bench-x.json").write_text(json.dumps(rec))
    text = benchmarks.render(tmp_path)
    assert "`official` → `plain@fp32`, both fp32) is 1.03×" in text and "is not the bottleneck" in text
    assert "takes an epoch from 39 to 19.5 s (2.00×)" in text
    assert "saves 1 s per epoch after 30 s of compilation, so it pays after 30 epochs" in text
    assert "`fast:default`, is 2.22× `official`" in text
    assert "| `fast:max-autotune` | failed: RuntimeError: boom |" in text
    assert "No `loader-*.json` record yet." in text


def test_the_loader_reading_is_computed_from_the_records(tmp_path):
    def rec(size, train, test):
        return {"images": 10, "rounds": 2, "split": "train", "bytes_per_pixel": 0.2, "provenance": PROV,
                "sizes": {"median": size, "smallest": size, "largest": size},
                "train": {"draft": 100 * train, "plain": 100.0, "ratio": train},
                "test": {"draft": 200 * test, "plain": 200.0, "ratio": test}}
    for size, train, test in (((2048, 1536), 2.3, 3.0), ((500, 375), 1.01, 0.99)):
        (tmp_path / f"loader-{size[0]}.json").write_text(json.dumps(rec(size, train, test)))
    text = benchmarks.render(tmp_path)
    assert text.index("| 500 × 375 (ImageNet's typical size)") < text.index("| 2048 × 1536 |")   # smallest first
    assert "at 500 × 375 the ratio lies within 1 ± 0.03" in text
    assert "draft mode pays at 2048 × 1536 (2.30× train, 3.00× test)" in text
    assert "needs at least N ÷ 101 workers" in text
    assert "load average 0.1–1.2" in text and "No `bench-*.json` record yet." in text
