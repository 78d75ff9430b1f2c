"""Training inside a notebook: a live loss/accuracy figure fed by the trainer's per-epoch
callback (the library trains; the notebook only decides to show it), and which run a notebook
shows: one the learner trained, else a shipped one on a CPU (:mod:`lt_causal.evaluation.packs`)."""
from __future__ import annotations

import json

import pandas as pd

from lt_causal.checkpoint import CONFIG, is_finished
from lt_causal.evaluation import packs
from lt_causal.evaluation.runs import find_runs
from lt_causal.evaluation.loading import load_run
from lt_causal.experiments.device_info import describe_device, measure_epoch_seconds
from lt_causal.language import text
from lt_causal.settings import is_quick
from lt_causal.training.config import TrainConfig, recipe
from lt_causal.training.trainer import train, train_or_load
from lt_causal.views.run_plots import history_figure, update_history_figure


class LiveHistory:
    """Collects per-epoch info from :func:`lt_causal.training.trainer.train` and redraws a FigureWidget."""

    def __init__(self, title: str | None = None, widget: bool = True):
        self.rows: list[dict] = []
        self.figure = history_figure([], widget=widget, title=title)

    def __call__(self, info: dict) -> None:
        self.rows.append({k: v for k, v in info.items() if k != "model"})
        update_history_figure(self.figure, self.rows)

    @property
    def history(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)


def train_live(config: TrainConfig, data=None, display_figure: bool = True, reuse: bool = True):
    """Train ``config`` with a live figure and a progress bar; returns the :class:`TrainedRun`.

    With ``reuse`` and a finished run already in ``config.out`` (same configuration), the run is
    loaded instead of retrained, so re-running a notebook is instant; a different configuration
    there is one clear ValueError.
    """
    if reuse and is_finished(config.out):
        return train_or_load(config, data=data)[0]
    live = LiveHistory(title=text("method_on", method=config.method, dataset=config.dataset))
    if display_figure:
        from IPython.display import display
        display(live.figure)
    return train(config, data=data, callback=live)


def full_runs(method: str = "deconfound", root=None) -> list:
    """Finished full-recipe (≥ 200-epoch) runs of ``method`` on CIFAR-LT or an image folder under
    the runs folder, newest first (what a learner trained in notebook 05 or with the CLI)."""
    found = []
    for path in find_runs(root):
        try:
            cfg = json.loads((path / CONFIG).read_text())
        except (OSError, ValueError):
            continue
        if cfg.get("method") == method and cfg.get("dataset") != "mnist-lt" \
                and cfg.get("epochs", 0) >= TrainConfig.epochs:
            found.append(path)
    return found


def explore_run(method: str = "deconfound", prefix: str = "nb03"):
    """The run notebooks 04 and 06 explore: the newest full-recipe run of ``method`` a learner
    trained; else, without a CUDA GPU, the shipped CIFAR-10-LT run of the paper's recipe
    (:mod:`lt_causal.evaluation.packs`); else the MNIST-LT run of notebook 03 (trained now if missing)."""
    local = full_runs(method)
    if local:
        return load_run(local[0])
    shipped = packs.pack_name(method=method)
    if not describe_device().has_gpu and packs.is_shipped(shipped):
        return load_run(packs.PREFIX + shipped)
    return train_live(recipe("mnist-lt", method=method).named(prefix))


def train_or_shipped(config: TrainConfig, data=None, train_here: bool = False):
    """What notebook 05 shows for ``config``: with ``train_here``, in quick mode, on a CUDA GPU,
    or when this run is already in the runs folder, the run trained (or loaded) live. Else, on a
    CPU, the shipped run of the same cell of Table 3 (data set, imbalance, method, seed, 200
    epochs) if there is one; if there is none, one line says what training it here costs
    (:func:`~lt_causal.experiments.device_info.measure_epoch_seconds`) and how to start it
    (``train_here=True``), and the notebook goes on with the first shipped run."""
    finished = is_finished(config.out)
    if train_here or is_quick() or finished or describe_device(config.device).has_gpu:
        return train_live(config, data=data)
    name = packs.pack_name(config.dataset, config.imbalance, config.method, config.seed)
    if packs.is_shipped(name):
        shipped = load_run(packs.PREFIX + name)
        if shipped.config["epochs"] == config.epochs:
            return shipped
    fallback = load_run(packs.PREFIX + packs.pack_name())
    cost = measure_epoch_seconds(config)
    print(text("not_shipped", name=name, epochs=config.epochs, hours=cost.hours_for_recipe,
               seconds=cost.seconds_per_epoch, fallback=fallback.label))
    return fallback
