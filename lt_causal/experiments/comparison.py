"""Test-time knobs side by side on the same trained backbones: TDE's α (Tang et al. 2020),
the τ-normalised classifier's τ (Kang et al. 2020) and logit adjustment's τ (Menon et al. 2021).

    models = knob_models({"ce": ce_run, "deconfound": dc_run})    # one curve per (run, knob)
    tradeoff_figure(models)                                      # many- vs few-shot, notebook 06
    knob_comparison({"ce": ce_run, "deconfound": dc_run})        # each knob at its default value

All three only rescale or shift the cached test logits, so nothing is retrained. TDE is listed for
normalised heads only (the paper's setting, as in :func:`lt_causal.experiments.paper_tables.tde_capable`).
"""
from __future__ import annotations

import pandas as pd

from lt_causal.views.knob_explorer import KnobExplorerModel
from lt_causal.experiments.paper_tables import tde_capable
from lt_causal.evaluation.runs import KNOBS, TrainedRun
from lt_causal.models.tde import check_alpha

KNOB_LABELS = {"tde": "TDE", "tau_norm": "τ-norm", "logit_adjustment": "logit adjustment"}
# default value of each knob: TDE's α from the run's configuration; τ = 1 for τ-norm (no weight
# norm left) and for logit adjustment (the Bayes-optimal correction for the balanced error)
KNOB_DEFAULTS = {"tde": None, "tau_norm": 1.0, "logit_adjustment": 1.0}


def _check_knobs(knobs) -> tuple:
    knobs = tuple(knobs)
    for k in knobs:
        if k not in KNOBS:
            raise ValueError(f"unknown test-time knob {k!r}; choose one of {', '.join(KNOBS)}")
    return knobs


def applies(run: TrainedRun, knob: str) -> bool:
    """Whether ``knob`` is compared on ``run``: TDE only on normalised heads, the others always."""
    return knob != "tde" or tde_capable(run)


def default_value(run: TrainedRun, knob: str) -> float:
    """The knob's default: α = the run's configured α (1.0 if absent) for TDE, else τ = 1."""
    if knob == "tde":
        return check_alpha(run.config.get("alpha", 1.0))
    return KNOB_DEFAULTS[knob]


def knob_models(runs: dict, knobs=("tde", "tau_norm", "logit_adjustment")) -> dict:
    """{"<run> · <knob> <symbol>": KnobExplorerModel} for every run and knob that applies to it."""
    knobs = _check_knobs(knobs)
    models = {}
    for name, run in runs.items():
        for knob in knobs:
            if applies(run, knob):
                model = KnobExplorerModel(run, knob)
                models[f"{name} · {KNOB_LABELS[knob]} {model.symbol}"] = model
    return models


def knob_comparison(runs: dict, knobs=("tde", "tau_norm", "logit_adjustment"),
                    values: dict | None = None) -> pd.DataFrame:
    """Accuracy of each run as trained and under each knob at its default (or ``values[knob]``)."""
    knobs = _check_knobs(knobs)
    values = dict(values or {})
    _check_knobs(values)
    rows = {}
    for name, run in runs.items():
        rows[name] = {"run": name, "knob": "none", "value": 0.0, **run.evaluate(0.0)}
        for knob in knobs:
            if not applies(run, knob):
                continue
            v = check_alpha(values[knob], knob) if knob in values else default_value(run, knob)
            sym = "α" if knob == "tde" else "τ"
            rows[f"{name} + {KNOB_LABELS[knob]} {sym}={v:g}"] = {"run": name, "knob": knob, "value": v,
                                                                 **run.evaluate(v, knob)}
    return pd.DataFrame.from_dict(rows, orient="index")[["run", "knob", "value", "overall", "many", "medium", "few"]]


def weight_norms(runs: dict) -> pd.DataFrame:
    """Norm of each class's effective weight vector per run (what τ-norm divides by), head → tail."""
    first = next(iter(runs.values()))
    index = pd.Index([f"{c} (n={n})" for c, n in zip(first.classes, first.train_counts)], name="class")
    return pd.DataFrame({name: run.head.class_norms().detach().cpu().numpy() for name, run in runs.items()},
                        index=index)
