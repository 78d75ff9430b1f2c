"""``python -m lt_causal bench``: seconds per epoch of the official-style pipeline, the plain
device-resident trainer and the fast path, measured in one process on the same data and model.

    python -m lt_causal bench --dataset folder --folder ../shared/data/cifar10-jpeg \\
        --imbalance 100 --epochs 3 --batch-size 256

Pipelines (``--pipelines``, comma-separated, run in that order):

- ``official``: per-image PIL transforms, DataLoader workers, fp32 eager (lt_causal.training.official_pipeline)
- ``plain[@PREC]``: ``lt_causal.train``: data on the device, batched augmentation, eager step
- ``fast[:MODE][+graph][@PREC]``: ``train`` with ``fast=True``, ``compile_mode=MODE`` (default:
  ``default`` on CUDA, ``none`` on a CPU, where compiling costs a long warm-up and pays for long
  runs only: benchmarks/README.md measures after how many epochs) and, with ``+graph``, the whole
  step replayed as one CUDA graph (``fast`` alone: ``fast:default+graph`` on CUDA, ``fast:none`` on a CPU)

``@PREC`` is ``fp32``, ``bf16`` or ``auto`` (the default, :mod:`lt_causal.precision`: bf16 where
the GPU or CPU computes it natively), so ``plain@fp32,plain`` measures what bf16 buys.

The first epoch includes DataLoader start-up, compilation and CUDA-graph capture; ``s/epoch`` is
the mean of the later epochs and ``warm-up s`` the first epoch's excess over it. A pipeline that
fails is reported with its error and the others still run. Not a timed test: numbers depend on
the machine (see benchmarks/README.md).

``--loader`` measures the ImageNet-LT input pipeline instead (:mod:`lt_causal.experiments.loader_bench`):
images/s per DataLoader worker of JPEG draft-mode decoding against full decoding, in one process:

    python -m lt_causal bench --loader --dataset imagenet-lt --folder IMAGENET_ROOT --splits DIR
    python -m lt_causal bench --loader --miniature 500x375      # a generated tree of that size
"""
from __future__ import annotations

import json
import os
import shlex
import traceback

from lt_causal.commands._common import FOLDER_HELP, add_splits_option, require_folder
from lt_causal.datasets.registry import DATASETS
from lt_causal.methods.registry import METHODS
from lt_causal.models.backbones import ARCHS
from lt_causal.precision import PRECISIONS, resolve_precision
from lt_causal.training.config import COMPILE_MODES


def register(sub) -> None:
    p = sub.add_parser("bench", help="seconds per epoch: official-style pipeline vs plain vs fast",
                       description=__doc__.split("\n\n")[0].split(": ", 1)[1],
                       epilog="pipelines: official, plain, fast[:MODE][+graph] with MODE one of "
                              + ", ".join(COMPILE_MODES))
    p.add_argument("--dataset", choices=DATASETS, default="cifar10-lt")
    p.add_argument("--folder", help=FOLDER_HELP)
    p.add_argument("--data-root", help="cache folder for downloads and decoded folders")
    p.add_argument("--imbalance", default="100",
                   help="n_max / n_min (default 100); 'none' keeps a folder's own counts")
    p.add_argument("--method", choices=tuple(METHODS), default="deconfound")
    p.add_argument("--arch", choices=ARCHS)
    p.add_argument("--epochs", type=int, default=3, help="epochs per pipeline (default 3)")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--workers", type=int, help="DataLoader workers of `official` (default min(12, CPUs))")
    p.add_argument("--pipelines", default="official,plain@fp32,plain,fast",
                   help="default: official,plain@fp32,plain,fast")
    p.add_argument("--device", default="auto")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    loader = p.add_argument_group("--loader: images/s per worker of the imagenet-lt / places-lt pipeline")
    loader.add_argument("--loader", action="store_true", help="benchmark the image loader, not training")
    add_splits_option(loader)
    loader.add_argument("--miniature", metavar="WxH",
                        help="instead of --folder: a generated miniature tree of W x H JPEGs (e.g. 500x375)")
    loader.add_argument("--images", type=int, default=200, help="images per round (default 200)")
    loader.add_argument("--rounds", type=int, default=3, help="rounds per pipeline, median reported (default 3)")
    p.set_defaults(func=run)


def parse_pipeline(spec: str, cuda: bool) -> dict:
    """``official`` / ``plain[@PREC]`` / ``fast[:MODE][+graph][@PREC]`` →
    {name, kind, precision, compile_mode, cuda_graph}."""
    spec = spec.strip()
    body, _, precision = spec.partition("@")
    usage = (f"unknown pipeline {spec!r}; use official, plain[@PREC] or fast[:MODE][+graph][@PREC] with "
             f"MODE one of {', '.join(COMPILE_MODES)} and PREC one of {', '.join(PRECISIONS)}")
    if "@" in spec and (precision not in PRECISIONS or body == "official"):
        raise ValueError(usage)
    precision = precision or "auto"
    if body in ("official", "plain"):
        return {"name": spec, "kind": body, "precision": "fp32" if body == "official" else precision}
    if body == "fast":
        body = "fast:default+graph" if cuda else "fast:none"
        spec = body + (spec[len("fast"):])
    head, _, mode = body.partition(":")
    graph = mode.endswith("+graph")
    mode = mode[:-len("+graph")] if graph else (mode or ("default" if cuda else "none"))
    if head != "fast" or mode not in COMPILE_MODES:
        raise ValueError(usage)
    if graph and not cuda:
        raise ValueError(f"pipeline {spec!r}: +graph needs a CUDA device")
    return {"name": spec, "kind": "fast", "precision": precision, "compile_mode": mode, "cuda_graph": graph}


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"--imbalance must be a number or 'none', got {text!r}") from None


def provenance(args, device="cpu") -> dict:
    """Where and how a measurement ran, for its ``--json`` record: the command as typed, the machine,
    torch and Pillow, and the 1-minute load average before and after (a loaded machine reads slow)."""
    import PIL
    import torch

    from lt_causal.machine import machine_name

    return {"command": "python -m lt_causal " + shlex.join(getattr(args, "argv", None) or ["bench"]),
            "machine": machine_name(device), "torch": torch.__version__, "pillow": PIL.__version__,
            "load_before": os.getloadavg()[0]}


def write_json(path, record: dict, started: dict) -> None:
    """``--json PATH``: ``record`` with its provenance (``started``, plus the load average now)."""
    with open(path, "w") as f:
        json.dump({**record, "provenance": {**started, "load_after": os.getloadavg()[0]}}, f, indent=2)


def epoch_stats(seconds: list[float]) -> dict:
    """first epoch, mean of the later epochs (the first if there is one epoch), warm-up excess."""
    steady = sum(seconds[1:]) / len(seconds[1:]) if len(seconds) > 1 else seconds[0]
    return {"first": seconds[0], "steady": steady,
            "warmup": seconds[0] - steady if len(seconds) > 1 else None}


def run_pipeline(p: dict, config, data, workers) -> dict:
    """Train one pipeline for ``config.epochs`` epochs; its per-epoch seconds, loss, test accuracy."""
    import dataclasses

    from lt_causal.training.trainer import evaluate_accuracy, train

    if p["kind"] == "official":
        from lt_causal.training.official_pipeline import train_official

        model, history = train_official(config, data, workers)
        acc = evaluate_accuracy(model, data.test_x, data, config)
    else:
        extra = {"precision": p["precision"]} if p["kind"] == "plain" else {
            "fast": True, "precision": p["precision"], "compile_mode": p["compile_mode"],
            "cuda_graph": p["cuda_graph"]}
        run = train(dataclasses.replace(config, **extra), data=data, progress=False)
        history = run.history.to_dict("records")
        acc = history[-1]["test_acc"]
    seconds = [h["seconds"] for h in history]
    return {**epoch_stats(seconds), "precision": resolve_precision(p["precision"], config.device),
            "seconds": seconds, "loss": history[-1]["loss"], "test_acc": acc}


def format_results(results: list[dict], header: list[str]) -> str:
    """The table ``bench`` prints: one row per pipeline, speed-up relative to `official`."""
    base = next((r["steady"] for r in results if r["name"] == "official" and "steady" in r), None)
    width = max(20, *(len(r["name"]) for r in results))
    lines = header + [f"{'pipeline':<{width}} {'first s':>8} {'s/epoch':>8} {'warm-up s':>9} "
                      f"{'speed-up':>8} {'loss':>7} {'test acc':>8}"]
    for r in results:
        if "error" in r:
            lines.append(f"{r['name']:<{width}} failed: {r['error']}")
            continue
        warm = f"{r['warmup']:9.2f}" if r["warmup"] is not None else f"{'-':>9}"
        speed = f"{base / r['steady']:7.1f}x" if base else f"{'-':>8}"
        lines.append(f"{r['name']:<{width}} {r['first']:8.3f} {r['steady']:8.3f} {warm} {speed} "
                     f"{r['loss']:7.3f} {r['test_acc']:8.2f}")
    lines.append("s/epoch: mean of epochs 2.. (epoch 1 includes loader start-up, compilation and "
                 "CUDA-graph capture: warm-up s = its excess); speed-up = official s/epoch / s/epoch")
    return "\n".join(lines)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
        if w > 0 and h > 0:
            return w, h
    except ValueError:
        pass
    raise ValueError(f"--miniature must be WxH with positive integers, e.g. 500x375, got {text!r}")


def run_loader(args) -> int:
    """``bench --loader``: the draft-mode pipeline against full decoding, one process."""
    import tempfile

    from lt_causal.datasets.split_list import SPLIT_LISTS, load_split_lists
    from lt_causal.experiments.loader_bench import format_loader_bench, loader_benchmark

    started = provenance(args)
    dataset = args.dataset if args.dataset in SPLIT_LISTS else "imagenet-lt"
    with tempfile.TemporaryDirectory() as tmp:
        if args.miniature:
            from lt_causal.datasets.miniature import make_miniature_tree

            per_class = max(1, -(-args.images // 12))
            root = make_miniature_tree(tmp, dataset, classes=12, n_max=per_class, imbalance=1,
                                       size=_size(args.miniature), seed=args.seed)
            where, splits = f"a miniature {dataset} tree of {args.miniature} JPEGs", None
        else:
            require_folder(dataset, args.folder)
            root, splits, where = args.folder, args.splits, f"{dataset} {args.folder}"
        data = load_split_lists(dataset, root, splits)
        result = loader_benchmark(data, images=args.images, rounds=args.rounds, seed=args.seed)
    print(format_loader_bench(result, [f"data: {where}"]))
    if args.json:
        write_json(args.json, {**result, "data": where if args.miniature else dataset}, started)
    return 0


def run(args) -> int:
    import torch

    if args.loader:
        return run_loader(args)

    from lt_causal.training.config import recipe
    from lt_causal.datasets.registry import load_dataset
    from lt_causal.machine import machine_name
    from lt_causal.training.distributed import resolve_device
    from lt_causal.training.official_pipeline import default_workers

    require_folder(args.dataset, args.folder)
    imbalance = None if args.imbalance.strip().lower() == "none" else _number(args.imbalance)
    if imbalance is None and args.dataset != "folder":
        raise ValueError("--imbalance none (keep the folder's own counts) needs --dataset folder")
    device = resolve_device(args.device)
    started = provenance(args, device)
    cuda = device.type == "cuda"
    pipelines = [parse_pipeline(s, cuda) for s in args.pipelines.split(",") if s.strip()]
    workers = default_workers() if args.workers is None else args.workers
    overrides = {"arch": args.arch} if args.arch else {}
    data = load_dataset(args.dataset, imbalance=imbalance, seed=args.seed, data_root=args.data_root,
                        root=args.folder, progress=False)
    config = recipe(args.dataset, quick=False, imbalance=round(data.imbalance, 6), method=args.method, epochs=args.epochs,
                    batch_size=args.batch_size, seed=args.seed, device=str(device), eval_every=args.epochs,
                    data_root=args.data_root, folder_root=args.folder, out=None, **overrides)
    n, B = len(data.train_y), config.batch_size
    name = f"{args.dataset} {args.folder}" if args.folder else args.dataset
    gpu = machine_name(device)
    header = [f"data: {name}, imbalance {data.imbalance:g}: {n} train images "
              f"{'x'.join(map(str, data.train_x.shape[1:]))}, {data.num_classes} classes",
              f"model: {config.arch}, {config.method}, batch {B} ({n // B} full batches/epoch), "
              f"{config.epochs} epochs per pipeline",
              f"device: {device} ({gpu}), torch {torch.__version__}, official loader: {workers} workers"]
    results = []
    for p in pipelines:
        try:
            results.append({"name": p["name"], **run_pipeline(p, config, data, workers)})
        except Exception as exc:   # report and go on: one broken variant must not hide the others
            traceback.print_exc()
            first_line = str(exc).splitlines()[0] if str(exc) else ""
            results.append({"name": p["name"], "error": f"{type(exc).__name__}: {first_line}"})
        if cuda:
            torch.cuda.empty_cache()
    print(format_results(results, header))
    if args.json:
        write_json(args.json, {"header": header, "config": config.to_dict(), "workers": workers, "train_images": n,
                               "results": results}, started)
    return 0
