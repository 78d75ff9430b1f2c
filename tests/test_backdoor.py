"""Backdoor adjustment (docs/method.md §1), the shipped examples, Simpson's paradox and the plots."""
import math

import numpy as np
import pandas as pd
import pytest

from lt_causal.causal.backdoor import EXAMPLES, BackdoorResult, backdoor_adjustment, load_example
from lt_causal.causal.simpson import (backdoor_by_group, mediation_effects, reference_distribution, standardized_rates,
                                      stratum_rates)
from lt_causal.views.backdoor_plots import plot_backdoor, plot_simpson
from lt_causal.views.causal_graph import draw_causal_graph, draw_fork_graph
from lt_causal.views.momentum_toy_plots import momentum_causal_graph

COVID = dict(treatment="infected", outcome="deaths", adjustment="age")
CFR = dict(group="country", adjustment="age_group", cases="confirmed_cases",
           deaths="confirmed_deaths")


@pytest.fixture
def covid():
    return load_example("covid")


@pytest.fixture
def cfr():
    return load_example("china-italy")


def reference_backdoor(units, outcomes, weights):
    """Independent loop implementation of both sums."""
    total_units, total_w = sum(units), sum(weights)
    obs = adj = 0.0
    for n, k, w in zip(units, outcomes, weights):
        if n:
            obs += k / n * n / total_units
            adj += k / n * w / total_w
    return obs, adj


# ---------------------------------------------------------------- examples

def test_covid_example_matches_the_slides(covid):
    assert list(covid.columns) == ["age", "infected", "deaths", "population"]
    assert list(covid["age"]) == ["0-14", "15-49", "50-64", ">=65"]
    assert covid["infected"].sum() == 1011 and covid["deaths"].sum() == 65
    assert covid["population"].sum() == 1_332_810_869


def test_examples_load_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in EXAMPLES:
        assert len(load_example(name)) > 0
    assert load_example("covid") is not load_example("covid")


def test_unknown_example_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown example 'flu'.*covid, china-italy"):
        load_example("flu")


# ---------------------------------------------------------------- the COVID/age numbers

def test_covid_published_numbers(covid):
    r = backdoor_adjustment(covid, **COVID, population="population")
    assert round(r.observational, 4) == 0.0643
    # docs/method.md §1: 0.043 (slides) / 0.0429; the exact value from the raw counts is 0.04297.
    assert round(r.adjusted, 3) == 0.043
    assert r.adjusted == pytest.approx(0.0429, abs=1e-4)


def test_slides_rounded_weights_give_0_0429(covid):
    slides = covid.assign(p_z=[0.166, 0.581, 0.164, 0.089])   # P(z) row of the slides (docs/method.md §1)
    r = backdoor_adjustment(slides, **COVID, weights="p_z")
    assert round(r.adjusted, 4) == 0.0429


def test_covid_matches_independent_implementation(covid):
    r = backdoor_adjustment(covid, **COVID, population="population")
    obs, adj = reference_backdoor(covid["infected"], covid["deaths"], covid["population"])
    assert r.observational == pytest.approx(obs, rel=1e-12)
    assert r.adjusted == pytest.approx(adj, rel=1e-12)
    assert r.observational == pytest.approx(covid["deaths"].sum() / covid["infected"].sum())
    assert r.bias == pytest.approx(obs - adj)


def test_table_columns_and_sums(covid):
    t = backdoor_adjustment(covid, **COVID, population="population").table
    assert list(t.columns) == ["units", "outcomes", "rate", "p_z_given_x", "p_z",
                               "observational", "adjusted"]
    assert list(t.index) == list(covid["age"]) and t.index.name == "age"
    np.testing.assert_allclose(t["rate"], covid["deaths"] / covid["infected"])
    assert t["p_z"].sum() == pytest.approx(1) and t["p_z_given_x"].sum() == pytest.approx(1)
    np.testing.assert_allclose(t["observational"], t["rate"] * t["p_z_given_x"])
    np.testing.assert_allclose(t["adjusted"], t["rate"] * t["p_z"])
    assert [round(v, 3) for v in t["p_z"]] == [0.166, 0.581, 0.164, 0.089]   # slides' P(z)


def test_weights_and_population_agree_and_are_normalised(covid):
    a = backdoor_adjustment(covid, **COVID, population="population")
    b = backdoor_adjustment(covid.assign(w=covid["population"] / 7.0), **COVID, weights="w")
    assert b.adjusted == pytest.approx(a.adjusted, rel=1e-12)


def test_weights_equal_to_treated_mix_give_no_adjustment(covid):
    r = backdoor_adjustment(covid, **COVID, weights="infected")
    assert r.adjusted == pytest.approx(r.observational, rel=1e-12)


def test_stratum_with_no_units_and_zero_weight_is_allowed(covid):
    covid.loc[0, ["infected", "deaths", "population"]] = 0
    r = backdoor_adjustment(covid, **COVID, population="population")
    assert math.isnan(r.table["rate"].iloc[0])
    assert r.table["adjusted"].iloc[0] == 0
    obs, adj = reference_backdoor(covid["infected"], covid["deaths"], covid["population"])
    assert r.adjusted == pytest.approx(adj)


def test_float_counts_that_are_whole_numbers_are_fine(covid):
    r = backdoor_adjustment(covid.astype({"infected": float}), **COVID, population="population")
    assert round(r.observational, 4) == 0.0643


def test_result_is_frozen_and_repr_shows_both_numbers(covid):
    r = backdoor_adjustment(covid, **COVID, population="population")
    assert isinstance(r, BackdoorResult)
    with pytest.raises(AttributeError):
        r.adjusted = 0.5
    for text in (repr(r), r._repr_html_(), r.to_string()):
        assert f"{r.observational:.4f}" in text and f"{r.adjusted:.4f}" in text
        assert ">=65" in text or "&gt;=65" in text


# ---------------------------------------------------------------- validation

def _bad(df, column, row, value):
    df = df.astype({column: object}) if not isinstance(value, int) else df
    df.loc[row, column] = value
    return df


@pytest.mark.parametrize("column,row,value,message", [
    ("infected", 1, -1, r"stratum '15-49': infected = -1 is negative"),
    ("deaths", 2, -3, r"stratum '50-64': deaths = -3 is negative"),
    ("population", 3, -5, r"stratum '>=65': population = -5 is negative"),
    ("deaths", 1, 2.5, r"stratum '15-49': deaths = 2.5 is not a whole number"),
    ("population", 0, 10.5, r"stratum '0-14': population = 10.5 is not a whole number"),
    ("infected", 2, "many", r"stratum '50-64': infected = 'many' is not a number"),
    ("deaths", 1, 600, r"stratum '15-49': deaths = 600 exceeds infected = 557"),
    ("deaths", 2, float("nan"), r"stratum '50-64': deaths is missing \(NaN\)"),
    ("population", 0, None, r"stratum '0-14': population is missing \(NaN\)"),
    ("population", 1, float("inf"), r"stratum '15-49': population = inf is not finite"),
    ("infected", 0, 0, r"stratum '0-14': infected = 0 but population = 221322621 > 0"),
])
def test_bad_cell_names_stratum_column_and_value(covid, column, row, value, message):
    if column == "infected" and value == 0:
        covid.loc[0, "deaths"] = 0
    with pytest.raises(ValueError, match=message):
        backdoor_adjustment(_bad(covid, column, row, value), **COVID, population="population")


def test_negative_weight(covid):
    df = covid.assign(w=[0.2, -0.1, 0.5, 0.4])
    with pytest.raises(ValueError, match=r"stratum '15-49': w = -0.1 is negative; weights"):
        backdoor_adjustment(df, **COVID, weights="w")


def test_fractional_weights_are_not_counts(covid):
    r = backdoor_adjustment(covid.assign(w=[0.25, 0.25, 0.25, 0.25]), **COVID, weights="w")
    assert r.table["p_z"].tolist() == [0.25] * 4


def test_weights_must_have_positive_total(covid):
    with pytest.raises(ValueError, match=r"weights in column 'w' sum to 0; .*positive total"):
        backdoor_adjustment(covid.assign(w=0.0), **COVID, weights="w")


def test_missing_column_is_named_with_available_ones(covid):
    with pytest.raises(ValueError, match=r"column 'cases' \(treatment\) is not in the data; "
                                         r"available columns: age, infected, deaths, population"):
        backdoor_adjustment(covid, treatment="cases", outcome="deaths", adjustment="age",
                            population="population")
    with pytest.raises(ValueError, match=r"column 'pop' \(population\)"):
        backdoor_adjustment(covid, **COVID, population="pop")


def test_weights_xor_population(covid):
    with pytest.raises(ValueError, match="exactly one of weights="):
        backdoor_adjustment(covid, **COVID)
    with pytest.raises(ValueError, match="exactly one of weights="):
        backdoor_adjustment(covid, **COVID, weights="population", population="population")


def test_labels_missing_or_duplicated(covid):
    with pytest.raises(ValueError, match=r"column 'age' \(adjustment\) has a missing label in row 2"):
        backdoor_adjustment(_bad(covid, "age", 2, None), **COVID, population="population")
    with pytest.raises(ValueError, match=r"stratum '0-14' appears more than once in column 'age'"):
        backdoor_adjustment(_bad(covid, "age", 3, "0-14"), **COVID, population="population")


def test_empty_table_and_wrong_type(covid):
    with pytest.raises(ValueError, match="no rows"):
        backdoor_adjustment(covid.iloc[:0], **COVID, population="population")
    with pytest.raises(TypeError, match="DataFrame"):
        backdoor_adjustment(covid.to_dict(), **COVID, population="population")


# ---------------------------------------------------------------- Simpson's paradox

def test_crude_rates_are_the_published_ones(cfr):
    s = standardized_rates(cfr, **CFR)
    assert round(100 * s.loc["Italy", "crude"], 2) == 4.45
    assert round(100 * s.loc["China", "crude"], 2) == 2.29
    totals = cfr.groupby("country")[["confirmed_cases", "confirmed_deaths"]].sum()
    assert s["cases"].tolist() == totals["confirmed_cases"].tolist()
    assert s["crude"].tolist() == pytest.approx(
        (totals["confirmed_deaths"] / totals["confirmed_cases"]).tolist())


def test_italy_lower_or_equal_in_every_age_group(cfr):
    rates = stratum_rates(cfr, **CFR)
    direct = (cfr.assign(r=cfr["confirmed_deaths"] / cfr["confirmed_cases"])
              .pivot(index="age_group", columns="country", values="r").loc[rates.index])
    np.testing.assert_allclose(rates.to_numpy(), direct[rates.columns].to_numpy())
    assert (rates["Italy"] <= rates["China"]).all()
    assert (rates["Italy"] < rates["China"]).any()


@pytest.mark.parametrize("standard", ["pooled", "China", "Italy"])
def test_standardisation_reverses_the_comparison(cfr, standard):
    s = standardized_rates(cfr, **CFR, standard=standard)
    assert s.loc["Italy", "crude"] > s.loc["China", "crude"]
    assert s.loc["Italy", "standardized"] < s.loc["China", "standardized"]
    assert s.attrs["standard"] == standard
    # independent: direct standardisation with the reference cases' age mix
    ref = cfr if standard == "pooled" else cfr[cfr["country"] == standard]
    p_z = ref.groupby("age_group")["confirmed_cases"].sum()
    p_z = p_z / p_z.sum()
    for country, rows in cfr.groupby("country"):
        rate = rows.set_index("age_group").eval("confirmed_deaths / confirmed_cases")
        assert s.loc[country, "standardized"] == pytest.approx((rate * p_z).sum(), rel=1e-12)


def test_own_standard_gives_the_crude_rate(cfr):
    s = standardized_rates(cfr, **CFR, standard="China")
    assert s.loc["China", "standardized"] == pytest.approx(s.loc["China", "crude"], rel=1e-12)


def test_backdoor_by_group_reuses_backdoor_adjustment(cfr):
    results = backdoor_by_group(cfr, **CFR)
    assert set(results) == {"China", "Italy"}
    assert all(isinstance(r, BackdoorResult) for r in results.values())
    p_z = reference_distribution(cfr, group="country", adjustment="age_group",
                                 cases="confirmed_cases")
    assert p_z.sum() == pytest.approx(1)
    np.testing.assert_allclose(results["Italy"].table["p_z"], p_z)


def test_unknown_standard_and_missing_stratum(cfr):
    with pytest.raises(ValueError, match=r"standard='Spain'.*valid: pooled, China, Italy"):
        standardized_rates(cfr, **CFR, standard="Spain")
    dropped = cfr.drop(cfr.index[(cfr["country"] == "Italy") & (cfr["age_group"] == "80+")])
    with pytest.raises(ValueError, match=r"country 'Italy': stratum '80\+': confirmed_cases = 0"):
        standardized_rates(dropped, **CFR)


def test_bad_cases_in_group_data_are_named(cfr):
    cfr.loc[3, "confirmed_cases"] = -7
    with pytest.raises(ValueError, match=r"stratum 'China, 30-39': confirmed_cases = -7 is negative"):
        standardized_rates(cfr, **CFR)


# ---------------------------------------------------------------- mediation: age as the mediator of country

def _rate_on_mix(rows, p_z):
    return (rows.set_index("age_group").eval("confirmed_deaths / confirmed_cases") * p_z).sum()


@pytest.mark.parametrize("mix", [None, "China", "Italy", "pooled"])
def test_mediation_effects_by_hand(cfr, mix):
    """Total = crude difference, direct = difference of the rates on one age mix (by default the
    reference country's), indirect = the rest; recomputed here from the counts."""
    e = mediation_effects(cfr, **CFR, treated="Italy", reference="China", mix=mix)
    italy, china = (cfr[cfr["country"] == c] for c in ("Italy", "China"))
    ref = {None: china, "China": china, "Italy": italy, "pooled": cfr}[mix]
    p_z = ref.groupby("age_group")["confirmed_cases"].sum()
    p_z = p_z / p_z.sum()
    crude = lambda rows: rows["confirmed_deaths"].sum() / rows["confirmed_cases"].sum()  # noqa: E731
    assert e["total effect"] == pytest.approx(crude(italy) - crude(china), rel=1e-12)
    assert e["direct effect"] == pytest.approx(_rate_on_mix(italy, p_z) - _rate_on_mix(china, p_z), rel=1e-12)
    assert e["indirect effect"] == pytest.approx(e["total effect"] - e["direct effect"], rel=1e-12)
    assert e["total effect"] > 0 > e["direct effect"]        # the sentences of notebook 01 §7
    assert e["indirect effect"] > e["total effect"]
    assert list(e.index) == ["total effect", "direct effect", "indirect effect"] and e.name == "Italy vs China"


def test_natural_indirect_effect_is_the_mix_change_with_the_treated_rates(cfr):
    e = mediation_effects(cfr, **CFR, treated="Italy", reference="China")
    italy, china = (cfr[cfr["country"] == c] for c in ("Italy", "China"))
    mix = lambda rows: rows.set_index("age_group")["confirmed_cases"] / rows["confirmed_cases"].sum()  # noqa: E731
    assert e["indirect effect"] == pytest.approx(_rate_on_mix(italy, mix(italy) - mix(china)), rel=1e-12)


def test_mediation_effects_refuse_bad_groups(cfr):
    with pytest.raises(ValueError, match=r"treated='Spain' is not a value of column 'country'; valid: China, Italy"):
        mediation_effects(cfr, **CFR, treated="Spain", reference="China")
    with pytest.raises(ValueError, match=r"both 'Italy'"):
        mediation_effects(cfr, **CFR, treated="Italy", reference="Italy")
    with pytest.raises(ValueError, match=r"standard='Mars'"):
        mediation_effects(cfr, **CFR, treated="Italy", reference="China", mix="Mars")


# ---------------------------------------------------------------- plots

def test_plot_simpson_bars_are_the_computed_rates(cfr, close_figures):
    fig = plot_simpson(cfr, **CFR)
    left, right = fig.axes[:2]
    rates = stratum_rates(cfr, **CFR)
    heights = [p.get_height() for p in left.patches]
    np.testing.assert_allclose(heights, 100 * np.concatenate([rates["China"], rates["Italy"]]))
    s = standardized_rates(cfr, **CFR)
    np.testing.assert_allclose([p.get_height() for p in right.patches],
                               100 * np.concatenate([s["crude"], s["standardized"]]))


def test_plot_backdoor_and_ax_argument(covid, close_figures):
    import matplotlib.pyplot as plt
    r = backdoor_adjustment(covid, **COVID, population="population")
    fig, ax = plt.subplots()
    assert plot_backdoor(r, ax=ax) is fig
    np.testing.assert_allclose([p.get_height() for p in ax.patches],
                               np.concatenate([r.table["p_z_given_x"], r.table["p_z"]]))
    with pytest.raises(ValueError, match="expected 2 axes, got 1"):
        plot_simpson(load_example("china-italy"), **CFR, axes=[ax])


def test_causal_graphs(close_figures):
    import matplotlib.pyplot as plt
    fork = draw_fork_graph()
    arrows = lambda fig: sum(1 for t in fig.axes[0].texts if getattr(t, "arrow_patch", None))
    assert isinstance(fork, plt.Figure) and arrows(fork) == 3          # Z->X, Z->Y, X->Y
    assert arrows(draw_fork_graph(do=True)) == 2                       # Z->X cut
    assert arrows(momentum_causal_graph()) == 5
    with pytest.raises(ValueError, match=r"node 'W' has no position"):
        draw_causal_graph({"A": (0, 0)}, [("A", "W")])


def test_the_result_shows_its_words_in_the_learners_language():
    """Notebook 01 shows the result as it is: its labels are the catalogue's (Chinese in the Chinese
    edition), its numbers and the data's column names stay as they are."""
    import lt_causal as lc

    r = lc.backdoor_adjustment(lc.load_example("covid"), treatment="infected", outcome="deaths",
                               adjustment="age", population="population")
    english = r._repr_html_()
    assert "(observational)" in english and "units (infected)" in english and "outcomes (deaths)" in english
    with lc.using_language("zh"):
        chinese = r._repr_html_()
    assert "observational" not in chinese and "units" not in chinese and "outcomes" not in chinese
    assert "观测值" in chinese and "个体数（infected）" in chinese and f"{r.adjusted:.4f}" in chinese
