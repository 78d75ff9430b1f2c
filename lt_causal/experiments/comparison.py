"""Test-time knobs side by side on the same trained backbones: TDE's α (Tang et al. 2020),
the τ-normalised classifier's τ (Kang et al. 2020) and logit adjustment's τ (Menon et al. 2021).

    models = knob_models({"ce": ce_run, "deconfound": dc_run})    # one curve per (run, knob)
    tradeoff_figure(models)                                      # many- vs few-shot, notebook 06
    knob_comparison({"ce": ce_run, "deconfound": dc_run})        # each knob at its default value
    prior_table(dc_run)                # the best α / τ when the test set is balanced, long-tailed, inverse

Every function takes a test ``prior`` (:func:`lt_causal.evaluation.metrics.test_prior`:
``balanced``, ``train``, ``inverse`` or an imbalance ratio) that re-weights overall accuracy.

All three only rescale or shift the cached test logits, so nothing is retrained. TDE is listed for
the runs that report it (normalised heads, the paper's setting: ``TrainedRun.reports_tde``). The
knobs, their names and default values are the table :data:`lt_causal.evaluation.knobs.KNOBS`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lt_causal.datasets.profiles import ACCURACY_KEYS
from lt_causal.evaluation.knobs import KNOBS, KnobExplorerModel, get_knob, value_grid
from lt_causal.evaluation.metrics import TestPrior, best_value, prior_name, shot_accuracy

# logit adjustment's τ is swept further than in the explorer: the inverse prior asks for τ ≈ 2
PRIOR_TABLE_VALUES = {**{k: spec.values for k, spec in KNOBS.items()}, "logit_adjustment": value_grid(3.0)}


def _check_knobs(knobs) -> tuple:
    return tuple(get_knob(k).name for k in knobs)


def knob_models(runs: dict, knobs=tuple(KNOBS), prior="balanced") -> dict:
    """{"<run> · <knob> <symbol>": KnobExplorerModel} for every run and knob that applies to it
    (overall accuracy under the test ``prior``)."""
    knobs = _check_knobs(knobs)
    models = {}
    for name, run in runs.items():
        for knob in knobs:
            spec = KNOBS[knob]
            if spec.applies_to(run):
                models[f"{name} · {spec.label} {spec.symbol}"] = KnobExplorerModel(run, knob, prior=prior)
    return models


def knob_comparison(runs: dict, knobs=tuple(KNOBS), values: dict | None = None, prior=None) -> pd.DataFrame:
    """Accuracy of each run as trained and under each knob at its default (or ``values[knob]``);
    ``prior`` re-weights overall accuracy for a test set with that class distribution."""
    knobs = _check_knobs(knobs)
    if prior is not None:
        for run in runs.values():
            TestPrior.parse(prior).weights(run.train_counts)    # a bad prior fails before any work
    values = dict(values or {})
    _check_knobs(values)
    rows = {}
    for name, run in runs.items():
        rows[name] = {"run": name, "knob": "none", "value": 0.0, **run.evaluate(0.0, prior=prior)}
        for knob in knobs:
            spec = KNOBS[knob]
            if not spec.applies_to(run):
                continue
            v = spec.check(values[knob]) if knob in values else spec.default_for(run)
            rows[f"{name} + {spec.label} {spec.symbol}={v:g}"] = {"run": name, "knob": knob, "value": v,
                                                                  **run.evaluate(v, knob, prior)}
    return pd.DataFrame.from_dict(rows, orient="index")[["run", "knob", "value", *ACCURACY_KEYS]]


def prior_tau(prior, train_counts) -> float:
    """The logit-adjustment τ that a test prior q asks for. Logit adjustment subtracts
    τ · log π (π: training prior); the Bayes-optimal correction for test prior q is
    − log π + log q, so if log q = const + (1 − τ) log π, τ is exact: 0 for ``train``, 1 for
    ``balanced``, 2 for ``inverse``. For other priors τ = 1 − slope of the least-squares line of
    log q on log π (exact for an exponential profile such as ``r`` = 10 on an exponential training set)."""
    counts = np.asarray(train_counts, dtype=float)
    log_pi = np.log(counts / counts.sum())
    log_q = np.log(np.maximum(TestPrior.parse(prior).weights(counts), 1e-300))
    centred = log_pi - log_pi.mean()
    if not centred.any():                       # balanced training data: every τ is the same
        return 1.0
    slope = float(centred @ (log_q - log_q.mean()) / (centred @ centred))
    return 1.0 - slope


def prior_curves(run, priors=("balanced", "train", "inverse"), knob: str = "tde", values=None) -> dict:
    """{prior name: run.sweep(values, knob, prior)} for several test priors at the cost of one
    sweep: every knob value's predictions are computed once and re-weighted per prior."""
    spec = get_knob(knob)
    values = PRIOR_TABLE_VALUES[knob] if values is None else values
    for prior in priors:
        TestPrior.parse(prior).weights(run.train_counts)    # a bad prior fails before any work
    preds = [(spec.check(v), run.predictions(float(v), knob)) for v in values]
    return {prior_name(prior): pd.DataFrame([{spec.value_name: v, **shot_accuracy(p, run.test_labels, run.train_counts,
                                                                                  prior=prior)} for v, p in preds]
                                            ).set_index(spec.value_name)
            for prior in priors}


def prior_table(run, priors=("balanced", "train", "inverse"), knobs=("tde", "logit_adjustment"),
                values: dict | None = None) -> pd.DataFrame:
    """For each test prior (rows) and knob: the value where overall accuracy peaks, the overall
    accuracy there and as trained (knob at 0); for logit adjustment also the τ the prior asks
    for (:func:`prior_tau`). TDE is left out on runs that do not report it."""
    knobs = [k for k in _check_knobs(knobs) if KNOBS[k].applies_to(run)]
    values = {**PRIOR_TABLE_VALUES, **(values or {})}
    curves = {knob: prior_curves(run, priors, knob, values[knob]) for knob in knobs}
    rows = {}
    for prior in priors:
        name, row = prior_name(prior), {}
        for knob in knobs:
            spec, curve = KNOBS[knob], curves[knob][prior_name(prior)]
            best = best_value(curve)
            row[f"{spec.label}: best {spec.symbol}"] = best
            row[f"{spec.label}: overall at best"] = float(curve.loc[best, "overall"])
            if knob == "logit_adjustment":
                row[f"{spec.label}: {spec.symbol} the prior asks for"] = prior_tau(prior, run.train_counts)
        row["as trained: overall"] = run.evaluate(0.0, prior=prior)["overall"]
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "test prior"
    return table


def weight_norms(runs: dict) -> pd.DataFrame:
    """Norm of each class's effective weight vector per run (what τ-norm divides by), head → tail."""
    first = next(iter(runs.values()))
    index = pd.Index([f"{c} (n={n})" for c, n in zip(first.classes, first.train_counts)], name="class")
    return pd.DataFrame({name: run.head.class_norms().detach().cpu().numpy() for name, run in runs.items()},
                        index=index)
