"""Reproduce Table 3 of Tang et al. (2020): train every (data set, imbalance, method, seed),
evaluate α = 0 and the configured α, and write mean ± std over seeds beside the paper's numbers.

    summary = reproduce(["cifar10-lt"], [100, 50, 10], ["ce", "deconfound"], seeds=[0, 1])
    print(results_markdown(summary))           # also written to <root>/results.md and .csv

Each combination is a run directory under ``root``; a finished one is loaded instead of
retrained and an unfinished one resumes from its checkpoint, so an interrupted reproduction
simply continues when called again. :func:`paper_config` is one cell of the grid (notebook 05).
"""
from __future__ import annotations

import dataclasses
import numbers
from pathlib import Path
from typing import Callable, Sequence

import pandas as pd

from lt_causal.checkpoint import CHECKPOINT, is_finished
from lt_causal.checks import check_choice
from lt_causal.datasets.profiles import check_imbalance
from lt_causal.datasets.registry import DATASETS
from lt_causal.evaluation.runs import TrainedRun
from lt_causal.evaluation.loading import load_run
from lt_causal.experiments.paper_tables import data_label, method_label
from lt_causal.experiments.results_table import summarize, write_results
from lt_causal.methods.registry import get_method
from lt_causal.settings import default_runs_dir, is_quick
from lt_causal.training.config import TrainConfig, check_run_config, dataset_for, recipe
from lt_causal.training.stages import decouple
from lt_causal.training.trainer import train_or_load

GRID_KEYS = {"dataset", "imbalance", "method", "seed", "out", "folder_root"}


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
        check_choice(d, DATASETS, "data set")
    for m in methods:
        get_method(m)
    imbalances = tuple(check_imbalance(r) for r in imbalances)
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
                         quick: bool | None = None, prefix: str | None = None) -> list[TrainConfig]:
    """One :class:`TrainConfig` per combination (the recipe of each data set + ``base`` overrides),
    each with its run folder under ``root`` (default ``<runs>/reproduce``) named by
    :func:`~lt_causal.training.config.run_name`: ``[<prefix>-]<data>-r<imbalance>-<method>-e<epochs>-s<seed>``."""
    datasets, imbalances, methods, seeds, base = _check_grid(datasets, imbalances, methods, seeds, base, folder)
    quick = is_quick(quick)
    root = Path(root) if root is not None else default_runs_dir() / "reproduce"
    configs = []
    for d in datasets:
        extra = {"folder_root": str(folder)} if d == "folder" else {}
        for r in imbalances:
            for m in methods:
                for s in seeds:
                    c = recipe(d, quick=quick, imbalance=r, method=m, seed=int(s), **extra, **base)
                    configs.append(c.named(prefix, root, quick=quick))
    return configs


def paper_config(dataset: str = "cifar10-lt", imbalance: float = 100, method: str = "deconfound",
                 epochs: int | None = None, seed: int = 0, folder=None, quick: bool | None = None) -> TrainConfig:
    """The paper's recipe for one data set as notebook 05 trains it (200 epochs unless ``epochs``;
    the fast path on a CUDA GPU), in ``<runs>/nb05-...``; in quick mode a MNIST-LT stand-in
    (CIFAR cannot be downloaded in tests), whatever ``dataset`` says."""
    from lt_causal.experiments.device_info import describe_device

    check_choice(dataset, DATASETS, "data set")
    if dataset == "folder" and folder is None:
        raise ValueError("data set 'folder' needs folder=<root with train/ and test/>")
    quick = is_quick(quick)
    if quick:
        dataset, folder, base = "mnist-lt", None, {}
    else:
        base = {"epochs": epochs} if epochs is not None else {}
        base["fast"] = describe_device().has_gpu
    return reproduction_configs([dataset], [imbalance], [method], [seed], base, default_runs_dir(), folder,
                                quick, prefix="nb05")[0]


def check_saved_config(config: TrainConfig) -> None:
    """A run directory already in ``config.out`` must hold the same recipe (else one ValueError)."""
    check_run_config(config.out, config, finished=is_finished(config.out))


def run_rows(run: TrainedRun, config: TrainConfig, source: str = "") -> list[dict]:
    """Per-run table rows: α = 0 and, for a run that reports TDE, the configured α."""
    label, key = data_label(config.dataset, run.classes, config.folder_root)
    rows = []
    for a in run.report_alphas(config.alpha):
        rows.append({"data": label, "paper_key": key, "dataset": config.dataset,
                     "imbalance": config.imbalance, "method": config.method, "tde": a != 0,
                     "row": method_label(config.method, a != 0), "alpha": a, "seed": config.seed,
                     "epochs": config.epochs, "arch": config.arch, "batch_size": config.batch_size,
                     "lr": config.lr, **run.evaluate(a), "source": source, "run": Path(config.out).name})
    return rows


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
        if not is_finished(config.out):
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
                and (Path(other.out) / CHECKPOINT).is_file() and is_finished(other.out)):
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
