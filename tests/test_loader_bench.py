"""``bench --loader``: the draft-mode pipeline against full decoding (structure only, no timing)."""
import argparse
import json

import pytest

from lt_causal.commands import bench
from lt_causal.datasets.miniature import make_miniature_tree
from lt_causal.datasets.split_list import load_split_lists
from lt_causal.experiments.loader_bench import format_loader_bench, loader_benchmark


def test_loader_benchmark_reports_both_pipelines(tmp_path):
    make_miniature_tree(tmp_path, classes=2, n_max=2, imbalance=1, val_per_class=1, test_per_class=1,
                        size=(640, 480))
    data = load_split_lists("imagenet-lt", tmp_path)
    result = loader_benchmark(data, images=3, rounds=1)
    assert result["images"] == 3 and result["sizes"]["median"] == (640, 480)
    for mode in ("train", "test"):
        r = result[mode]
        assert r["draft"] > 0 and r["plain"] > 0 and r["ratio"] == pytest.approx(r["draft"] / r["plain"])
    text = format_loader_bench(result, ["data: x"])
    assert text.startswith("data: x\n3 images of the train split (median 640x480")
    assert f"{result['test']['ratio']:6.2f}x" in text
    with pytest.raises(ValueError, match="images and rounds must be >= 1"):
        loader_benchmark(data, images=0)


def run_bench(argv):
    parser = argparse.ArgumentParser(prog="lt_causal")
    bench.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["bench", *argv])
    return args.func(args)


def test_bench_loader_command(tmp_path, capsys):
    out_json = tmp_path / "loader.json"
    assert run_bench(["--loader", "--miniature", "96x72", "--images", "4", "--rounds", "1",
                      "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    assert "data: a miniature imagenet-lt tree of 96x72 JPEGs" in out and "median 96x72" in out
    assert [line.split()[0] for line in out.splitlines()[3:5]] == ["train", "test"]
    record = json.loads(out_json.read_text())
    assert record["images"] == 4 and record["data"] == "a miniature imagenet-lt tree of 96x72 JPEGs"
    assert set(record["provenance"]) >= {"command", "machine", "torch", "pillow", "load_before", "load_after"}
    make_miniature_tree(tmp_path / "p", "places-lt", classes=2, n_max=2, imbalance=1, size=(80, 80))
    assert run_bench(["--loader", "--dataset", "places-lt", "--folder", str(tmp_path / "p"),
                      "--images", "2", "--rounds", "1"]) == 0
    assert "data: places-lt" in capsys.readouterr().out
    with pytest.raises(ValueError, match="--miniature must be WxH .* got '96'"):
        run_bench(["--loader", "--miniature", "96"])
