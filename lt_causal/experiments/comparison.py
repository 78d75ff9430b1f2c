"""Test-time knobs side by side on the same trained backbones: TDE's α (Tang et al. 2020),
the τ-normalised classifier's τ (Kang et al. 2020) and logit adjustment's τ (Menon et al. 2021).

    models = knob_models({"ce": ce_run, "deconfound": dc_run})    # one curve per (run, knob)
    tradeoff_figure(models)                                      # many- vs few-shot, notebook 06
    knob_comparison({"ce": ce_run, "deconfound": dc_run})        # each knob at its default value

All three only rescale or shift the cached test logits, so nothing is retrained. TDE is listed for
the runs that report it (normalised heads, the paper's setting: ``TrainedRun.reports_tde``). The
knobs, their names and default values are the table :data:`lt_causal.evaluation.knobs.KNOBS`.
"""
from __future__ import annotations

import pandas as pd

from lt_causal.datasets.profiles import ACCURACY_KEYS
from lt_causal.evaluation.knobs import KNOBS, KnobExplorerModel, get_knob


def _check_knobs(knobs) -> tuple:
    return tuple(get_knob(k).name for k in knobs)


def knob_models(runs: dict, knobs=tuple(KNOBS)) -> dict:
    """{"<run> · <knob> <symbol>": KnobExplorerModel} for every run and knob that applies to it."""
    knobs = _check_knobs(knobs)
    models = {}
    for name, run in runs.items():
        for knob in knobs:
            spec = KNOBS[knob]
            if spec.applies_to(run):
                models[f"{name} · {spec.label} {spec.symbol}"] = KnobExplorerModel(run, knob)
    return models


def knob_comparison(runs: dict, knobs=tuple(KNOBS), values: dict | None = None) -> pd.DataFrame:
    """Accuracy of each run as trained and under each knob at its default (or ``values[knob]``)."""
    knobs = _check_knobs(knobs)
    values = dict(values or {})
    _check_knobs(values)
    rows = {}
    for name, run in runs.items():
        rows[name] = {"run": name, "knob": "none", "value": 0.0, **run.evaluate(0.0)}
        for knob in knobs:
            spec = KNOBS[knob]
            if not spec.applies_to(run):
                continue
            v = spec.check(values[knob]) if knob in values else spec.default_for(run)
            rows[f"{name} + {spec.label} {spec.symbol}={v:g}"] = {"run": name, "knob": knob, "value": v,
                                                                  **run.evaluate(v, knob)}
    return pd.DataFrame.from_dict(rows, orient="index")[["run", "knob", "value", *ACCURACY_KEYS]]


def weight_norms(runs: dict) -> pd.DataFrame:
    """Norm of each class's effective weight vector per run (what τ-norm divides by), head → tail."""
    first = next(iter(runs.values()))
    index = pd.Index([f"{c} (n={n})" for c, n in zip(first.classes, first.train_counts)], name="class")
    return pd.DataFrame({name: run.head.class_norms().detach().cpu().numpy() for name, run in runs.items()},
                        index=index)
