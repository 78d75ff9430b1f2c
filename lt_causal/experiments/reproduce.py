"""Reproduce Table 3 of Tang et al. (2020): train every (data set, imbalance, method, seed),
evaluate α = 0 and the configured α, and write mean ± std over seeds beside the paper's numbers.

    summary = reproduce(["cifar10-lt"], [100, 50, 10], ["ce", "deconfound"], seeds=[0, 1])
    print(results_markdown(summary))           # also written to <root>/results.md and .csv

Each combination is a run directory under ``root``; a finished one is loaded instead of
retrained and an unfinished one resumes from its checkpoint, so an interrupted reproduction
simply continues when called again. ``notebook05_config`` is the configuration of notebook 05.
"""
from __future__ import annotations

import dataclasses
import json
import math
import numbers
from pathlib import Path
from typing import Callable, Sequence

import pandas as pd

from lt_causal.training.config import TrainConfig, recipe
from lt_causal.datasets.registry import DATASETS
from lt_causal.methods.registry import get_method
from lt_causal.datasets.profiles import check_imbalance
from lt_causal.experiments.paper_tables import (PAPER_COLUMN, PAPER_TABLE3, data_label, method_label, paper_accuracy,  # noqa: F401
                                   run_alphas)
from lt_causal.evaluation.runs import TrainedRun, load_run
from lt_causal.settings import default_runs_dir, quick_mode
from lt_causal.training.trainer import check_run_config, dataset_for, decouple, train_or_load

GROUPS = ("overall", "many", "medium", "few")
GRID_KEYS = {"dataset", "imbalance", "method", "seed", "out", "folder_root"}
# configuration fields that do not change what a finished run learned or how it is evaluated
# (`fast` drops each epoch's ragged last batch: a finished run counts, a checkpoint cannot resume)
NOTEBOOK05_QUICK = {"arch": "small-cnn", "epochs": 2}   # on mnist-lt, whatever the notebook asks


def _as_tuple(values, what: str) -> tuple:
    values = (values,) if isinstance(values, (str, int, float)) else tuple(values)
    if not values:
        raise ValueError(f"{what} is empty; give at least one value")
    if len(set(values)) != len(values):
        raise ValueError(f"{what} has repeated values: {list(values)!r}")
    return values


def _check_grid(datasets, imbalances, methods, seeds, base, folder):
    datasets, methods = _as_tuple(datasets, "datasets"), _as_tuple(methods, "methods")
    imbalances, seeds = _as_tuple(imbalances, "imbalances"), _as_tuple(seeds, "seeds")
    for d in datasets:
        if d not in DATASETS:
            raise ValueError(f"unknown data set {d!r}; choose from {', '.join(DATASETS)}")
    for m in methods:
        get_method(m)
    for r in imbalances:
        if isinstance(r, bool) or not isinstance(r, numbers.Real) or not math.isfinite(r) or r < 1:
            raise ValueError(f"imbalance must be a finite number >= 1, got {r!r}")
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0:
            raise ValueError(f"seed must be an integer >= 0, got {s!r}")
    if ("folder" in datasets) != (folder is not None):
        raise ValueError("data set 'folder' needs folder=<root with train/ and test/>" if folder is None
                         else f"folder={str(folder)!r} is only used with the data set 'folder'")
    base = dict(base or {})
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    for key in base:
        if key in GRID_KEYS or key not in fields:
            why = "is set by the grid" if key in GRID_KEYS else "is not a TrainConfig field"
            raise ValueError(f"base option {key!r} {why}")
    return datasets, imbalances, methods, seeds, base


def reproduction_configs(datasets=("cifar10-lt",), imbalances=(100,), methods=("ce", "deconfound"),
                         seeds=(0, 1), base: dict | None = None, root=None, folder=None,
                         quick: bool | None = None) -> list[TrainConfig]:
    """One :class:`TrainConfig` per combination (the recipe of each data set + ``base`` overrides),
    each with its run directory ``<root>/<data>-r<imbalance>-<method>-e<epochs>-s<seed>``."""
    datasets, imbalances, methods, seeds, base = _check_grid(datasets, imbalances, methods, seeds, base, folder)
    quick = quick_mode() if quick is None else quick
    root = Path(root) if root is not None else default_runs_dir() / "reproduce"
    configs = []
    for d in datasets:
        tag = f"folder-{Path(folder).name}" if d == "folder" else d
        extra = {"folder_root": str(folder)} if d == "folder" else {}
        if d != "mnist-lt" and "arch" not in base:
            extra["arch"] = "resnet32"
        for r in imbalances:
            for m in methods:
                for s in seeds:
                    c = recipe(d, quick=quick, imbalance=float(r), method=m, seed=int(s), **extra, **base)
                    name = f"{tag}-r{r:g}-{m}-e{c.epochs}-s{s}" + ("-quick" if quick else "")
                    configs.append(dataclasses.replace(c, out=str(root / name)))
    return configs


def check_saved_config(config: TrainConfig) -> None:
    """A run directory already in ``config.out`` must hold the same recipe (else one ValueError)."""
    check_run_config(config.out, config, finished=(Path(config.out) / "features.pt").is_file())


def run_rows(run: TrainedRun, config: TrainConfig, source: str = "") -> list[dict]:
    """Per-run table rows: α = 0 and, for a TDE-capable head, the configured α."""
    label, key = data_label(config.dataset, run.classes, config.folder_root)
    rows = []
    for a in run_alphas(run, config.alpha):
        rows.append({"data": label, "paper_key": key, "dataset": config.dataset,
                     "imbalance": config.imbalance, "method": config.method, "tde": a != 0,
                     "row": method_label(config.method, a != 0), "alpha": a, "seed": config.seed,
                     "epochs": config.epochs, "arch": config.arch, "batch_size": config.batch_size,
                     "lr": config.lr, **run.evaluate(a), "source": source, "run": Path(config.out).name})
    return rows


def summarize(per_run: pd.DataFrame) -> pd.DataFrame:
    """Mean and sample std (n − 1) over seeds per (data, imbalance, row, α), with the paper's number."""
    keys = ["data", "imbalance", "row", "alpha", "epochs"]
    out = []
    for (data, imb, row, alpha, epochs), g in per_run.groupby(keys, sort=False, dropna=False):
        first = g.iloc[0]
        rec = {"data": data, "dataset": first["dataset"], "imbalance": imb, "method": first["method"],
               "row": row, "alpha": alpha, "epochs": epochs, "seeds": g["seed"].nunique()}
        for grp in GROUPS:
            values = pd.to_numeric(g[grp], errors="coerce")
            rec[f"{grp}_mean"], rec[f"{grp}_std"] = values.mean(), values.std(ddof=1)
        paper = paper_accuracy(first["paper_key"], imb, first["method"], bool(first["tde"]))
        rec["paper"] = float("nan") if paper is None else paper
        out.append(rec)
    return pd.DataFrame(out)


def _pm(mean, std) -> str:
    if pd.isna(mean):
        return "–"
    return f"{mean:.1f}" if pd.isna(std) else f"{mean:.1f} ± {std:.1f}"


def results_markdown(summary: pd.DataFrame) -> str:
    """The summary as a Markdown table: mean ± std per shot group beside the Table 3 number."""
    head = ["data set", "imbalance", "method", "α", "epochs", "seeds", *GROUPS, PAPER_COLUMN]
    lines = ["| " + " | ".join(head) + " |", "|---|---:|---|---:|---:|---:|" + "---:|" * 5]
    for _, r in summary.iterrows():
        cells = [r["data"], f"{r['imbalance']:g}", r["row"], f"{r['alpha']:g}", str(r["epochs"]),
                 str(r["seeds"]), *(_pm(r[f"{g}_mean"], r[f"{g}_std"]) for g in GROUPS),
                 "–" if pd.isna(r["paper"]) else f"{r['paper']:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    notes = ["Top-1 accuracy (%) on the balanced test set: mean ± sample std (n − 1) over seeds. "
             "Paper: Tang et al. (NeurIPS 2020), Table 3 — ResNet-32, 200 epochs, original CIFAR "
             "images; '–': not in that table."]
    if summary["data"].str.contains("JPEG copy").any():
        notes.append("JPEG copy: CIFAR re-encoded as JPEG (quality 75); expect a few points below "
                     "the paper's numbers, which were measured on the original images.")
    return "\n".join(lines) + "\n\n" + "\n\n".join(notes) + "\n"


def write_results(summary: pd.DataFrame, per_run: pd.DataFrame, root) -> None:
    """``results.md``, ``results.csv`` (summary) and ``runs.csv`` (one row per run and α)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    settings = per_run.drop_duplicates(["data", "arch", "epochs", "batch_size", "lr"])
    lines = [f"- {r.data}: {r.arch}, {r.epochs} epochs, batch {r.batch_size}, lr {r.lr:g}; "
             f"seeds {sorted(set(per_run.loc[per_run['data'] == r.data, 'seed']))}"
             for r in settings.itertuples()]
    (root / "results.md").write_text("# Table 3 reproduction\n\n" + results_markdown(summary)
                                     + "\nTraining settings:\n\n" + "\n".join(lines) + "\n")
    summary.to_csv(root / "results.csv", index=False)
    per_run.to_csv(root / "runs.csv", index=False)


def reproduce(datasets: Sequence[str] = ("cifar10-lt",), imbalances: Sequence[float] = (100,),
              methods: Sequence[str] = ("ce", "deconfound"), seeds: Sequence[int] = (0, 1),
              base: dict | None = None, root=None, folder=None, quick: bool | None = None,
              progress: bool = True, callback: Callable[[dict], None] | None = None) -> pd.DataFrame:
    """Train (or load) every combination, evaluate α = 0 and the configured α, write
    ``results.md``/``results.csv``/``runs.csv`` into ``root`` and return the summary table.

    ``base``: TrainConfig overrides for every run (e.g. ``{"epochs": 10, "batch_size": 128}``);
    ``folder``: image tree for the data set ``folder``; ``progress``: the trainer's progress bar;
    ``callback``: called with {"index", "total", "run", "status"} before and after each run;
    status is "starting", then "trained", "resumed", "loaded" or "decoupled" (a decoupling method
    whose first stage is the grid's ``ce`` run with the same recipe; one-stage methods train first).
    """
    configs = reproduction_configs(datasets, imbalances, methods, seeds, base, root, folder, quick)
    root = Path(configs[0].out).parent
    # one-stage methods first, so that a decoupling method finds the grid's ce run finished
    configs.sort(key=lambda c: get_method(c.method).stage2 is not None)
    for config in configs:  # before training anything
        check_saved_config(config)
    rows, cache = [], {}
    for i, config in enumerate(configs):
        event = {"index": i + 1, "total": len(configs), "run": Path(config.out).name}
        if callback is not None:
            callback({**event, "status": "starting"})
        data = None
        if not (Path(config.out) / "features.pt").is_file():
            key = (config.dataset, config.imbalance, config.profile, config.seed, config.folder_root)
            data = cache[key] if key in cache else cache.setdefault(key, dataset_for(config))
        stage1 = _finished_ce_twin(config, configs)
        if stage1 is not None and data is not None:   # decoupling: reuse the grid's cross-entropy run
            run, source = decouple(stage1, config.method, config.out, data=data, progress=progress), "decoupled"
        else:
            run, source = train_or_load(config, data=data, progress=progress)
        rows += run_rows(run, config, source)
        if callback is not None:
            callback({**event, "status": source})
    per_run = pd.DataFrame(rows)
    summary = summarize(per_run)
    write_results(summary, per_run, root)
    return summary


def _finished_ce_twin(config: TrainConfig, configs: list[TrainConfig]):
    """For a decoupling method: the run directory of the grid's finished cross-entropy run with
    the same recipe (its first stage), else None."""
    if get_method(config.method).stage2 is None:
        return None
    for other in configs:
        if (other.method == "ce" and dataclasses.replace(config, method="ce", out=other.out) == other
                and (Path(other.out) / "checkpoint.pt").is_file() and (Path(other.out) / "features.pt").is_file()):
            return other.out
    return None


def table_from_runs(paths) -> pd.DataFrame:
    """The summary table of already-trained run directories (any names, e.g. from ``train``)."""
    rows = []
    for path in paths:
        run = load_run(path)
        config = dataclasses.replace(TrainConfig.from_dict(run.config), out=str(path))
        rows += run_rows(run, config, "loaded")
    if not rows:
        raise ValueError("no run directories given")
    return summarize(pd.DataFrame(rows))


def notebook05_config(dataset: str = "cifar10-lt", imbalance: float = 100, method: str = "deconfound",
                      epochs: int | None = None, seed: int = 0, folder=None,
                      quick: bool | None = None) -> TrainConfig:
    """The configuration notebook 05 trains: the paper's recipe for ``dataset`` (200 epochs unless
    ``epochs``), the fast GPU path when available; in quick mode a 2-epoch MNIST-LT stand-in
    (CIFAR cannot be downloaded in tests), whatever ``dataset`` says."""
    from lt_causal.experiments.device_info import describe_device

    if dataset not in DATASETS:
        raise ValueError(f"unknown data set {dataset!r}; choose from {', '.join(DATASETS)}")
    if dataset == "folder" and folder is None:
        raise ValueError("data set 'folder' needs folder=<root with train/ and test/>")
    quick = quick_mode() if quick is None else quick
    get_method(method)
    imbalance = check_imbalance(imbalance)
    if quick:
        c = recipe("mnist-lt", quick=True, imbalance=imbalance, method=method, seed=seed, **NOTEBOOK05_QUICK)
        tag = "mnist-lt"
    else:
        extra = {"epochs": epochs} if epochs is not None else {}
        if dataset != "mnist-lt":
            extra["arch"] = "resnet32"
        if dataset == "folder":
            extra["folder_root"] = str(folder)
        if describe_device().has_gpu:
            extra["fast"] = True
        c = recipe(dataset, imbalance=imbalance, method=method, seed=seed, **extra)
        tag = f"folder-{Path(folder).name}" if dataset == "folder" else dataset
    name = f"nb05-{tag}-r{c.imbalance:g}-{method}-e{c.epochs}-s{seed}" + ("-quick" if quick else "")
    return dataclasses.replace(c, out=str(default_runs_dir() / name))
