"""Training inside a notebook: a live loss/accuracy figure fed by the trainer's per-epoch
callback (the library trains; the notebook only decides to show it)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from lt_causal.config import TrainConfig
from lt_causal.run_plots import history_figure, update_history_figure


class LiveHistory:
    """Collects per-epoch info from :func:`lt_causal.trainer.train` and redraws a FigureWidget."""

    def __init__(self, title: str = "Training", widget: bool = True):
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
    from lt_causal.trainer import train, train_or_load

    if reuse and config.out and (Path(config.out) / "features.pt").is_file():
        return train_or_load(config, data=data)[0]
    live = LiveHistory(title=f"{config.method} on {config.dataset}")
    if display_figure:
        from IPython.display import display
        display(live.figure)
    return train(config, data=data, callback=live)


def notebook_configs(methods, dataset: str = "mnist-lt", prefix: str = "nb", **overrides) -> dict:
    """One configuration per method, written under the runs folder as ``<prefix>-<dataset>-<method>``
    (``-quick`` appended in quick mode, so quick and full runs never overwrite each other)."""
    from lt_causal.config import recipe
    from lt_causal.settings import default_runs_dir, quick_mode

    quick = quick_mode()
    suffix = "-quick" if quick else ""
    return {m: recipe(dataset, quick=quick, method=m,
                      out=str(default_runs_dir() / f"{prefix}-{dataset}-{m}{suffix}"), **overrides)
            for m in methods}


def notebook_run(method: str = "deconfound", dataset: str = "mnist-lt", prefix: str = "nb03", **overrides):
    """The run a notebook trained (see :func:`notebook_configs`); trained now if missing."""
    config = notebook_configs([method], dataset, prefix, **overrides)[method]
    return train_live(config)
