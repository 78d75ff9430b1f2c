"""Figures of notebook 08 (ImageNet-LT at scale), in plotly: the learning-rate schedules side by
side (multistep for CIFAR, cosine for ImageNet-LT; every value from ``lr_at``), and a run's
training with val accuracy per epoch and the epoch that val selected (the official protocol)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lt_causal.evaluation.val_runs import selected_epoch
from lt_causal.language import plotly_font, term, text
from lt_causal.schedule import lr_at

if TYPE_CHECKING:
    import plotly.graph_objects as go


def lr_schedule_figure(configs: dict, points: int = 400) -> "go.Figure":
    """The learning rate of each ``{name: TrainConfig}`` against the fraction of training done."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for name, config in configs.items():
        t = np.linspace(0.0, 1.0, points)
        fig.add_scatter(x=t, y=[lr_at(config, f * config.epochs) for f in t], name=name, mode="lines")
    fig.update_layout(template="plotly_white", height=320, width=640, font=plotly_font(),
                      title=text("lr_title"), margin=dict(l=60, r=20, t=50, b=50))
    fig.update_xaxes(title_text=text("lr_x"), tickformat=".0%")
    fig.update_yaxes(title_text=text("lr_y"))
    return fig


def selection_figure(run) -> "go.Figure":
    """Loss (left) and train / val accuracy per epoch (right) of a run on a data set with a val
    split, with a star on the epoch that val selected: the epoch whose weights test reports."""
    from plotly.subplots import make_subplots

    h = pd.DataFrame(run.history)
    if "val_acc" not in h:
        raise ValueError(f"{run} has no val accuracy per epoch: only runs on a data set with a val split "
                         "(imagenet-lt, places-lt) select their epoch on val")
    fig = make_subplots(rows=1, cols=2, subplot_titles=(term("loss"), text("accuracy_axis")))
    fig.update_layout(template="plotly_white", height=320, width=760, font=plotly_font(),
                      margin=dict(l=50, r=20, t=60, b=40), title=text("selection_title"))
    fig.add_scatter(x=h["epoch"], y=h["loss"], name=term("loss"), row=1, col=1)
    fig.add_scatter(x=h["epoch"], y=h["train_acc"], name=term("train_acc"), row=1, col=2)
    val = h.dropna(subset=["val_acc"])
    fig.add_scatter(x=val["epoch"], y=val["val_acc"], name=term("val_acc"), mode="lines+markers", row=1, col=2)
    chosen = selected_epoch(run)
    if chosen:
        fig.add_scatter(x=[chosen["epoch"]], y=[chosen["val_acc"]], mode="markers", row=1, col=2,
                        marker=dict(symbol="star", size=16, color="gold", line=dict(width=1, color="black")),
                        name=text("selected_epoch") + f" {chosen['epoch']}")
    fig.update_xaxes(title_text=term("epoch"))
    return fig
