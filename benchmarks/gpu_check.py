"""Helpers of benchmarks/gpu_check.sh (see that script for the procedure).

    python benchmarks/gpu_check.py subset --src ../shared/data/cifar10-jpeg --dst data/gpu-check/cifar10-r100-jpeg
    python benchmarks/gpu_check.py runs --folder data/gpu-check/cifar10-r100-jpeg --bench-json OUT/bench.json --out OUT

``subset`` copies the long-tailed train images that ``load_dataset("folder", root=SRC,
imbalance=100, seed=0)`` keeps, plus the whole test split, so that the copy loaded with
``imbalance=None`` (the folder's own counts) is the same data set, in the same order, as the full
folder at imbalance 100 (about 21 MB of JPEG files instead of 55 MB).
``runs`` trains each method with the fastest fast-path variant the benchmark measured and writes
results.json and summary.md.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # run from a bare checkout



def paper_c10_r100() -> dict:
    """The paper's CIFAR-10-LT r=100 row of Table 3 (top-1 %), as the package holds it."""
    from lt_causal.experiments.paper_tables import PAPER_TABLE3

    row = PAPER_TABLE3[("cifar10-lt", 100)]
    return {"deconfound": {"0": row["De-confound"], "tde": row["De-confound-TDE"]}}


def make_subset(src, dst, imbalance: float = 100.0, seed: int = 0, profile: str = "exp") -> dict:
    """Copy the long-tailed train subset and the test split of image tree ``src`` to ``dst``."""
    import torch

    from lt_causal.datasets.image_folder import list_image_folder
    from lt_causal.datasets.profiles import long_tail_counts, subsample_long_tail

    classes, files = list_image_folder(src)
    have = [len(p) for p in files["train"]]
    counts = long_tail_counts(len(classes), min(have), imbalance, profile)
    labels = torch.repeat_interleave(torch.arange(len(classes)), torch.tensor(have))
    keep = set(subsample_long_tail(labels, counts, seed).tolist())
    paths = [p for class_paths in files["train"] for p in class_paths]
    dst = Path(dst)
    if dst.exists():
        shutil.rmtree(dst)
    chosen = [p for i, p in enumerate(paths) if i in keep] + \
             [p for class_paths in files["test"] for p in class_paths]
    for p in chosen:
        rel = Path(p).relative_to(Path(src).expanduser())
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, dst / rel)
    return {"classes": classes, "train_counts": counts, "test_images": len(chosen) - len(keep)}


def pick_fast_variant(bench: dict) -> dict:
    """compile_mode and cuda_graph of the fast pipeline with the lowest s/epoch (plain if none ran)."""
    ok = [r for r in bench["results"] if r["name"].startswith("fast") and "error" not in r]
    if not ok:
        return {"fast": False, "name": "plain"}
    best = min(ok, key=lambda r: r["steady"])
    mode = best["name"].partition(":")[2] or "default+graph"
    graph = mode.endswith("+graph")
    return {"fast": True, "name": best["name"], "compile_mode": mode.removesuffix("+graph"),
            "cuda_graph": graph}


def train_runs(folder, out, bench_json, methods, epochs: int, batch_size: int, runs_dir, device: str):
    """Train each method on the copied folder with the chosen variant; results.json + summary.md."""
    import torch

    from lt_causal.training.config import recipe
    from lt_causal.datasets.registry import load_dataset
    from lt_causal.training.trainer import train

    bench = json.loads(Path(bench_json).read_text()) if bench_json and Path(bench_json).is_file() \
        else {"results": []}
    variant = pick_fast_variant(bench)
    data = load_dataset("folder", root=folder, imbalance=None, progress=False)
    results = {"variant": variant, "data": repr(data), "torch": torch.__version__,
               "device": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu", "runs": {}}
    opts = {k: v for k, v in variant.items() if k != "name"}
    for method in methods:
        config = recipe("folder", method=method, imbalance=round(data.imbalance, 6), epochs=epochs,
                        batch_size=batch_size, folder_root=str(folder), device=device,
                        eval_every=max(1, epochs // 10), checkpoint_every=max(1, epochs // 4),
                        out=str(Path(runs_dir) / f"c10-r100-{method}"), **opts)
        t0 = time.perf_counter()
        run = train(config, data=data, progress=False, resume=False)
        wall = time.perf_counter() - t0
        secs = run.history["seconds"].tolist()
        steady = sum(secs[1:]) / max(1, len(secs) - 1) if len(secs) > 1 else secs[0]
        results["runs"][method] = {
            "wall_s": wall, "train_s": sum(secs), "first_epoch_s": secs[0], "s_per_epoch": steady,
            "alpha0": run.evaluate(0.0), "alpha": config.alpha, "tde": run.evaluate(config.alpha),
            "suggested_alpha": run.suggested_alpha() if run.head.kind != "linear" else None,
            "history": run.history.to_dict("records")}
        Path(out, "results.json").write_text(json.dumps(results, indent=1))   # partial results survive
    Path(out, "summary.md").write_text(summary(results))
    return results


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def summary(results: dict) -> str:
    v = results["variant"]
    lines = [f"# GPU check: CIFAR-10-LT r=100 ({results['device']}, torch {results['torch']})", "",
             f"data: {results['data']}", f"fast variant used: {v['name']}", "",
             "| method | wall s | train s | s/epoch | epoch 1 s | α=0 overall | many | medium | few "
             "| TDE overall | many | medium | few | paper α=0 / TDE |", "|" + "---|" * 14]
    for method, r in results["runs"].items():
        a0, t = r["alpha0"], r["tde"]
        paper = paper_c10_r100().get(method)
        ref = f"{paper['0']} / {paper['tde']}" if paper else "—"
        tde = " | ".join(_pct(t[k]) for k in ("overall", "many", "medium", "few")) \
            if r["suggested_alpha"] is not None else "— | — | — | —"
        acc0 = " | ".join(_pct(a0[k]) for k in ("overall", "many", "medium", "few"))
        lines.append(f"| {method} | {r['wall_s']:.0f} | {r['train_s']:.1f} | {r['s_per_epoch']:.3f} | "
                     f"{r['first_epoch_s']:.1f} | {acc0} | {tde} | {ref} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("subset")
    s.add_argument("--src", required=True)
    s.add_argument("--dst", required=True)
    s.add_argument("--imbalance", type=float, default=100.0)
    s.add_argument("--seed", type=int, default=0)
    r = sub.add_parser("runs")
    r.add_argument("--folder", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--bench-json")
    r.add_argument("--methods", nargs="+", default=["deconfound", "ce"])
    r.add_argument("--epochs", type=int, default=200)
    r.add_argument("--batch-size", type=int, default=256)
    r.add_argument("--runs-dir", default="/tmp/gpu-check-runs")
    r.add_argument("--device", default="auto")
    args = parser.parse_args(argv)
    if args.cmd == "subset":
        info = make_subset(args.src, args.dst, args.imbalance, args.seed)
        print(f"{args.dst}: train counts {info['train_counts']}, {info['test_images']} test images")
    else:
        res = train_runs(args.folder, args.out, args.bench_json, args.methods, args.epochs,
                         args.batch_size, args.runs_dir, args.device)
        print(summary(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
