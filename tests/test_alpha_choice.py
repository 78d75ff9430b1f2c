"""Choosing α (lt_causal.experiments.alpha_choice): the rule and the preset look at no test labels,
the oracle is the best α of the slider's grid on the test set, and the reading states their gaps."""
import pytest

import lt_causal as lc
from lt_causal.evaluation.knobs import get_knob
from lt_causal.experiments.alpha_choice import ORACLE, PRESET, RULE, alpha_choices, alpha_reading
from test_table3 import cifar_like_run


@pytest.fixture(scope="module")
def run():
    return cifar_like_run(100, "deconfound", 0)


def test_three_ways_of_choosing_alpha(run):
    t = alpha_choices(run)
    assert t.loc[RULE, "α"] == round(run.suggested_alpha(), 2) and t.loc[PRESET, "α"] == run.alpha
    best = max(run.evaluate(a)["overall"] for a in get_knob("tde").values)
    assert t.loc[ORACLE, "overall"] == best and t.loc[ORACLE, "overall"] >= t[["overall"]].max().iloc[0]
    for name in (RULE, PRESET, ORACLE):
        assert t.loc[name, "overall"] == run.evaluate(t.loc[name, "α"])["overall"]
    assert list(t["uses test labels"]) == [False, False, True]


def test_the_reading_states_the_gaps(run):
    t = alpha_choices(run)
    reading = alpha_reading(run)
    gap = t.loc[ORACLE, "overall"] - t.loc[RULE, "overall"]
    assert f"The rule lands {gap:.2f} points below the oracle" in reading and "oracle" in reading
    with lc.using_language("zh"):
        assert "神谕" in alpha_reading(run)


def test_the_rule_table_reads_each_runs_cosines(run):
    other = cifar_like_run(50, "deconfound", 1)
    t = lc.alpha_rule_table({"a": run, "b": other})
    for name, r in (("a", run), ("b", other)):
        cosines = r.mean_cos()                       # one per head, recomputed by the run
        assert t.loc[name, "K"] == len(cosines) == r.num_heads
        assert t.loc[name, "mean cos"] == pytest.approx(sum(cosines) / len(cosines))
        assert t.loc[name, "rule α"] == pytest.approx(1 / t.loc[name, "mean cos"])
        assert t.loc[name, "feature size"] == r.test_features.shape[1] and t.loc[name, "configured α"] == r.alpha
