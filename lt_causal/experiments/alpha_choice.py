"""How to choose α, and what each way costs on a run: the authors' rule α · mean cos(x, d̂) ≈ 1
(it looks at no labels: for when there is no validation set), the α the run was configured with
(the paper's preset for its data set) and the best α on the test set — an oracle, since it looks at
the test labels that a real choice never sees (notebook 08 chooses α on a val split instead).

    lc.alpha_choices(run)      # one row per way: α, accuracy by shot group, whether it saw test labels
    lc.alpha_reading(run)      # the same as a sentence, computed
    lc.alpha_rule_table(runs)  # per run: feature size, mean cos(x, d̂), the rule's α, the preset
"""
from __future__ import annotations

import pandas as pd

from lt_causal.datasets.profiles import ACCURACY_KEYS
from lt_causal.evaluation.knobs import get_knob
from lt_causal.evaluation.metrics import best_value
from lt_causal.language import Reading, text

RULE, PRESET, ORACLE = "α · mean cos ≈ 1", "configured α", "best on the test set (oracle)"


def alpha_choices(run) -> pd.DataFrame:
    """α chosen three ways on ``run`` (rows :data:`RULE`, :data:`PRESET`, :data:`ORACLE`), with the
    test accuracy at each and whether the choice looked at test labels; the oracle searches the α
    slider's grid."""
    grid = get_knob("tde").values
    oracle = best_value(run.sweep(grid))
    chosen = {RULE: round(run.suggested_alpha(), 2), PRESET: run.alpha, ORACLE: oracle}
    rows = {name: {"α": a, **run.evaluate(a), "uses test labels": name == ORACLE} for name, a in chosen.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "how α is chosen"
    return table[["α", *ACCURACY_KEYS, "uses test labels"]]


def alpha_reading(run) -> Reading:
    """What :func:`alpha_choices` says, in the active language: how far the rule and the preset land
    from the oracle on this run, and which of the two does better."""
    t = alpha_choices(run)
    at = {k: float(t.loc[k, "overall"]) for k in (RULE, PRESET, ORACLE)}
    return Reading(text("alpha_reading", rule=t.loc[RULE, "α"], rule_acc=at[RULE], preset=t.loc[PRESET, "α"],
                        preset_acc=at[PRESET], oracle=t.loc[ORACLE, "α"], oracle_acc=at[ORACLE],
                        rule_gap=at[ORACLE] - at[RULE], preset_gap=at[ORACLE] - at[PRESET],
                        better=text("alpha_rule_better") if at[RULE] > at[PRESET] else
                        text("alpha_preset_better") if at[PRESET] > at[RULE] else text("alpha_tie")))


def alpha_rule_table(runs: dict) -> pd.DataFrame:
    """The rule α · mean cos ≈ 1 on each run of ``runs`` ({name: TrainedRun}): the feature size,
    the number of heads K, the mean cos(x^k, d̂^k) over the test images (averaged over the heads),
    the α the rule gives and the α the run was configured with — the numbers behind "a smaller
    cosine needs a larger α" (notebook 08)."""
    rows = {}
    for name, run in runs.items():
        cosines = run.mean_cos()                      # one per head, over the test images
        rows[name] = {"feature size": int(run.test_features.shape[1]), "K": run.num_heads,
                      "mean cos": sum(cosines) / len(cosines), "rule α": run.suggested_alpha(),
                      "configured α": run.alpha}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "run"
    return table
