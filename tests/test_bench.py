"""`python -m lt_causal bench`, the official-style baseline and benchmarks/gpu_check.sh on CPU
(output format only: the timings are not tested)."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from lt_causal.datasets.augment import normalize
from lt_causal.cli import main
from lt_causal.commands.bench import epoch_stats, parse_pipeline
from lt_causal.precision import resolve_precision
from lt_causal.datasets.augment import apply_crop_flip
from lt_causal.training.official_pipeline import ArrayImageDataset, PILTransform

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^(\S+)\s+([\d.]+)\s+([\d.]+)\s+(-|-?[\d.]+)\s+([\d.]+)x\s+([\d.]+)\s+([\d.]+)$")


def test_bench_prints_one_row_per_pipeline_and_reports_failures(capsys, tmp_path):
    argv = ["bench", "--dataset", "mnist-lt", "--epochs", "1", "--workers", "0", "--batch-size", "128",
            "--pipelines", "official,plain,fast,fast:reduce-overhead", "--json", str(tmp_path / "b.json")]
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(out) if line.startswith("pipeline"))
    assert out[start - 3].startswith("data: mnist-lt, imbalance 100: 988 train images 1x28x28")
    rows = {m.group(1): m for m in map(ROW.match, out[start + 1:start + 4])}
    assert list(rows) == ["official", "plain", "fast:none"]
    assert rows["official"].group(5) == "1.0"
    assert out[start + 4].startswith("fast:reduce-overhead") and "failed: ValueError" in out[start + 4]
    record = json.loads((tmp_path / "b.json").read_text())
    results = record["results"]
    assert [r["name"] for r in results] == ["official", "plain", "fast:none", "fast:reduce-overhead"]
    assert all(len(r["seconds"]) == 1 for r in results[:3]) and "error" in results[3]
    assert record["provenance"]["command"] == "python -m lt_causal " + " ".join(argv)   # as typed, for the doc
    assert record["provenance"]["machine"] and record["provenance"]["load_after"] >= 0
    assert [r["precision"] for r in results[:2]] == ["fp32", resolve_precision("auto", "cpu")]


@pytest.mark.parametrize("spec,cuda,expected", [
    ("fast", False, ("none", False)), ("fast", True, ("default", True)),
    ("fast:none+graph", True, ("none", True)), ("fast:reduce-overhead", True, ("reduce-overhead", False)),
])
def test_parse_pipeline(spec, cuda, expected):
    p = parse_pipeline(spec, cuda)
    assert (p["compile_mode"], p["cuda_graph"]) == expected


@pytest.mark.parametrize("argv,message", [
    (["--pipelines", "official,turbo"], "unknown pipeline 'turbo'"),
    (["--pipelines", "fast:default+graph", "--device", "cpu"], "+graph needs a CUDA device"),
    (["--imbalance", "none"], "--imbalance none"),
    (["--imbalance", "lots"], "'lots'"),
])
def test_bench_bad_arguments(argv, message, capsys):
    assert main(["bench", "--dataset", "mnist-lt", "--epochs", "1", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and len(err.splitlines()) == 1


def test_epoch_stats_excludes_the_first_epoch():
    assert epoch_stats([5.0, 1.0, 2.0]) == {"first": 5.0, "steady": 1.5, "warmup": 3.5}
    assert epoch_stats([2.0]) == {"first": 2.0, "steady": 2.0, "warmup": None}


def test_pil_transform_without_augmentation_is_normalize():
    x = torch.randint(0, 256, (4, 3, 8, 8), dtype=torch.uint8)
    ds = ArrayImageDataset(x, torch.arange(4), PILTransform((0.5, 0.4, 0.3), (0.2, 0.3, 0.25), augment=False))
    img, label = ds[2]
    assert label == 2
    torch.testing.assert_close(img, normalize(x[2:3], (0.5, 0.4, 0.3), (0.2, 0.3, 0.25))[0])


@pytest.mark.parametrize("channels", [1, 3])
def test_pil_crop_flip_is_one_of_the_batched_crops(channels):
    """PIL RandomCrop(padding=2) + flip gives the same pixels as apply_crop_flip at some offset."""
    torch.manual_seed(3)
    x = torch.randint(0, 256, (1, channels, 6, 6), dtype=torch.uint8)
    mean, std = (0.0,) * channels, (1.0,) * channels
    ds = ArrayImageDataset(x, torch.zeros(1, dtype=torch.long), PILTransform(mean, std, crop_padding=2))
    for _ in range(5):
        img = ds[0][0]
        candidates = [apply_crop_flip(x, torch.tensor([i]), torch.tensor([j]), torch.tensor([u]), 2)[0]
                      for i in range(5) for j in range(5) for u in (0.0, 1.0)]
        assert any(torch.equal((img * 255).round().to(torch.uint8), c) for c in candidates)


def _jpeg_tree(root: Path, classes=4, train=24, test=5):
    rng = np.random.default_rng(0)
    for split, n in (("train", train), ("test", test)):
        for c in range(classes):
            d = root / split / f"class{c}"
            d.mkdir(parents=True)
            for i in range(n):
                Image.fromarray(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)).save(d / f"{i:04d}.jpg")


def test_gpu_check_script_quick_mode(tmp_path):
    """benchmarks/gpu_check.sh --prepare --quick and --quick: subset, bench, runs and summary on CPU."""
    _jpeg_tree(tmp_path / "src")
    env = dict(os.environ, PYTHON=sys.executable, GPU_CHECK_SRC=str(tmp_path / "src"), OMP_NUM_THREADS="1",
               GPU_CHECK_DATA=str(tmp_path / "data"), GPU_CHECK_IMBALANCE="4", OUT=str(tmp_path / "out"),
               GPU_CHECK_RUNS_DIR=str(tmp_path / "runs"), LT_CAUSAL_DATA_ROOT=str(tmp_path / "cache"))
    script = str(ROOT / "benchmarks" / "gpu_check.sh")
    prep = subprocess.run(["bash", script, "--prepare", "--quick"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert prep.returncode == 0, prep.stderr
    assert "train counts [24, 15, 9, 6], 20 test images" in prep.stdout
    proc = subprocess.run(["bash", script, "--quick"], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["bench.json", "bench.txt", "gpu.txt", "log.txt",
                                                     "results.json", "summary.md"]
    assert [line.split()[0] for line in (out / "bench.txt").read_text().splitlines()[4:7]] == \
        ["official", "plain", "fast:none"]
    results = json.loads((out / "results.json").read_text())
    assert results["variant"]["name"] == "fast:none" and list(results["runs"]) == ["deconfound", "ce"]
    assert len(results["runs"]["ce"]["history"]) == 2
    summary = (out / "summary.md").read_text()
    assert "| deconfound |" in summary and "71.7 / 80.6" in summary
