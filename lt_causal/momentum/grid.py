"""The μ grid of notebook 02 (Fig. 3c of Tang et al. 2020): one trained run per SGD momentum μ,
each cached in a run folder whose name carries μ and a digest of everything that changes what
the run learns, so re-running the notebook loads instead of training.

    >>> runs = momentum_grid([0.5, 0.7, 0.9], recipe("mnist-lt", quick=True))
    >>> relative_accuracy_change(runs)                # lt_causal.momentum.analysis
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable, Iterable

from tqdm.auto import tqdm

from lt_causal.checkpoint import is_finished
from lt_causal.evaluation.runs import TrainedRun
from lt_causal.models.tde import check_mu
from lt_causal.settings import default_runs_dir, is_quick
from lt_causal.training.config import TrainConfig, dataset_for, recipe
from lt_causal.training.trainer import train_or_load

GRID_FOLDER = "momentum-grid"
MUS, QUICK_MUS = (0.5, 0.7, 0.9), (0.5, 0.9)
# quick mode trains the grid longer than the recipe's quick 4 epochs: every class must be learned
# for Fig. 3c to have its shape (the figure's title says how short the training was: grid_note)
QUICK_EPOCHS = 8


def grid_run_dir(config: TrainConfig, mu: float, root) -> Path:
    """Cache folder of one grid run: ``mu<μ>-`` + the run's name with a digest of everything that
    affects training (:func:`lt_causal.training.config.run_name`)."""
    named = dataclasses.replace(config, momentum=float(mu)).named(f"mu{mu:g}", root, quick=False, digest=True)
    return Path(named.out)


def cached_run(config: TrainConfig, root=None, *, data=None, progress: bool = True) -> TrainedRun:
    """Train ``config`` into :func:`grid_run_dir` under ``root`` (default ``<runs>/momentum-grid``),
    or load it when that folder already holds a finished run (a partial one is resumed).
    ``config.out`` is ignored: the folder name is derived from the configuration."""
    root = Path(root) if root is not None else default_runs_dir() / GRID_FOLDER
    out = grid_run_dir(config, config.momentum, root)
    return train_or_load(dataclasses.replace(config, out=str(out)), data, progress=progress)[0]


def momentum_recipe(dataset: str = "mnist-lt", method: str = "deconfound", quick: bool | None = None,
                    **overrides) -> TrainConfig:
    """The configuration notebook 02 trains per μ: :func:`~lt_causal.training.config.recipe` of
    ``dataset`` and ``method``, with :data:`QUICK_EPOCHS` epochs in quick mode."""
    quick = is_quick(quick)
    return recipe(dataset, quick=quick, method=method, **({"epochs": QUICK_EPOCHS} if quick else {}), **overrides)


def default_mus(quick: bool | None = None) -> tuple:
    """The μ of notebook 02's grid: 0.5, 0.7, 0.9 (0.5 and 0.9 in quick mode)."""
    return QUICK_MUS if is_quick(quick) else MUS


def momentum_grid(mus: Iterable[float] | None = None, base_config: TrainConfig | None = None, root=None, *,
                  data=None, progress: bool = True, callback: Callable[[dict], None] | None = None) -> dict:
    """One trained run per SGD momentum μ ({μ: TrainedRun}, μ ascending; default :func:`default_mus`),
    each cached by :func:`cached_run`: a finished run is loaded, an interrupted one resumed, a
    missing one trained.

    Every run is ``base_config`` (default: :func:`momentum_recipe`) with
    ``momentum = μ`` (so the head direction decays with μ too, unless ``base_config.direction_mu``
    is set). ``callback`` gets ``{"mu", "cached", "run"}``.
    """
    base_config = base_config if base_config is not None else momentum_recipe()
    mus = sorted({check_mu(m) for m in (default_mus() if mus is None else mus)})
    if not mus:
        raise ValueError("mus is empty: give at least one momentum value")
    root = Path(root) if root is not None else default_runs_dir() / GRID_FOLDER
    runs = {}
    bar = tqdm(mus, desc="momentum grid", unit="run", disable=not progress)
    for mu in bar:
        bar.set_postfix(mu=mu)
        config = dataclasses.replace(base_config, momentum=mu)
        cached = is_finished(grid_run_dir(config, mu, root))
        if not cached and data is None:
            data = dataset_for(base_config)
        runs[mu] = cached_run(config, root, data=data, progress=False)
        if callback is not None:
            callback({"mu": mu, "cached": cached, "run": runs[mu]})
    bar.close()
    return runs


def grid_note(runs_by_mu: dict) -> str | None:
    """"N of the recipe's M epochs" when the runs of a μ grid were trained for fewer epochs than
    the data set's full recipe (quick mode; the figures say so in their titles), else None."""
    run = next(iter(runs_by_mu.values()))
    epochs, dataset = run.config.get("epochs"), run.config.get("dataset")
    try:
        full = recipe(dataset, quick=False).epochs
    except (TypeError, ValueError):
        return None
    return f"{epochs} of the recipe's {full} epochs" if epochs is not None and epochs < full else None
