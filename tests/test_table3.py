"""Table 3 as measured (lt_causal.experiments.table3): built from the runs it is given — each
seed's number is that run's own evaluation, mean and std are over seeds, the paper's column is
Table 3's — and the gain figure draws the gains it tabulates."""
import math

import numpy as np
import pytest
import torch

import lt_causal as lc
from lt_causal.experiments.table3 import GAIN, gains, measured_table3
from lt_causal.models.heads import CausalNormHead, LinearHead
from lt_causal.views.table3_plots import table3_gain_figure
from recipe_values import CAUSAL_NORM


def cifar_like_run(imbalance, method, seed):
    """A small run that says it is a CIFAR-10-LT cell; its accuracy depends on the seed."""
    g = torch.Generator().manual_seed(int(imbalance) * 10 + seed)
    labels = torch.arange(10).repeat_interleave(20)
    protos = torch.rand(10, 16, generator=g)
    feats = protos[labels] + 0.6 * torch.rand(len(labels), 16, generator=g) + 0.5
    head = CausalNormHead(16, 10, **CAUSAL_NORM) if method == "deconfound" else LinearHead(16, 10)
    with torch.no_grad():
        (head.weight if method == "deconfound" else head.fc.weight).copy_(protos + 0.3 * torch.randn(10, 16, generator=g))
    counts = lc.long_tail_counts(10, 5000, imbalance)
    config = {"method": method, "dataset": "cifar10-lt", "imbalance": float(imbalance), "seed": seed, "alpha": 1.0}
    return lc.TrainedRun(config, lc.datasets.registry.CIFAR10_CLASSES, counts, feats, labels, head,
                         torch.ones(16) * 2)


@pytest.fixture(scope="module")
def runs():
    cells = [(100, "deconfound", 0), (100, "deconfound", 1), (50, "deconfound", 0), (10, "deconfound", 0),
             (10, "deconfound", 1), (100, "ce", 0)]
    return {c: cifar_like_run(*c) for c in cells}


def test_each_seed_is_its_runs_evaluation_and_mean_std_are_over_seeds(runs):
    table = measured_table3(runs=runs.values())
    assert list(table.index.get_level_values("imbalance").unique()) == [100, 50, 10]
    for (r, method, seed), run in runs.items():
        at0, at1 = run.evaluate(0)["overall"], run.evaluate(1)["overall"]
        row = "De-confound" if method == "deconfound" else "Cross-entropy"
        assert table.loc[(r, row), f"seed {seed}"] == at0
        if method == "deconfound":
            assert table.loc[(r, "De-confound-TDE"), f"seed {seed}"] == at1
            assert table.loc[(r, GAIN), f"seed {seed}"] == pytest.approx(at1 - at0)
    two = [runs[(100, "deconfound", s)].evaluate(0)["overall"] for s in (0, 1)]
    assert table.loc[(100, "De-confound"), "mean"] == pytest.approx(np.mean(two))
    assert table.loc[(100, "De-confound"), "std"] == pytest.approx(np.std(two, ddof=1))
    assert math.isnan(table.loc[(50, "De-confound"), "std"])          # one seed: no spread
    assert math.isnan(table.loc[(50, "De-confound"), "seed 1"])
    assert table.loc[(50, "De-confound-TDE"), "paper"] == lc.PAPER_TABLE3[("cifar10-lt", 50)]["De-confound-TDE"]
    assert table.loc[(10, GAIN), "paper"] == pytest.approx(88.5 - 86.8)
    assert math.isnan(table.loc[(100, "Cross-entropy"), "paper"])
    assert (100, "Cross-entropy-TDE") not in table.index                # ce reports α = 0 only


def test_bad_run_sets_are_one_clear_error(runs):
    with pytest.raises(ValueError, match=r"two runs for imbalance 100, De-confound, seed 0"):
        measured_table3(runs=[runs[(100, "deconfound", 0)]] * 2)
    with pytest.raises(ValueError, match=r"measured_table3\('cifar100-lt'\) was given runs of \['cifar10-lt'\]"):
        measured_table3("cifar100-lt", runs=runs.values())
    with pytest.raises(ValueError, match="no runs of cifar10-lt to tabulate"):
        measured_table3(runs=[])


def test_the_gain_figure_draws_the_tabulated_gains(runs):
    table = measured_table3(runs=runs.values())
    fig = table3_gain_figure(table)
    ax = fig.axes[0]
    expected = gains(table)
    lines = {line.get_label(): line for line in ax.get_lines()}
    paper = next(l for k, l in lines.items() if k.startswith("paper"))
    np.testing.assert_allclose(np.asarray(paper.get_ydata(), float), expected["paper"].to_numpy(float))
    one = table3_gain_figure(measured_table3(runs=[runs[(100, "deconfound", 0)]]))
    paper_line = next(l for l in one.axes[0].get_lines() if l.get_label().startswith("paper"))
    np.testing.assert_allclose(np.asarray(paper_line.get_xdata(), float), [10, 50, 100])   # the paper's whole trend
    (bars,) = ax.containers                                            # the errorbar: mean ± std
    assert "mean" in bars.get_label()
    mean = bars.lines[0]
    np.testing.assert_allclose(np.asarray(mean.get_ydata(), float), expected["mean"].to_numpy(float))
    np.testing.assert_allclose(np.asarray(mean.get_xdata(), float), [10, 50, 100])


def test_the_shipped_packs_make_a_table():
    table = measured_table3()
    shipped = lc.load_run("pretrained:cifar10-lt-r100-deconfound-s0")
    assert table.loc[(100, "De-confound"), "seed 0"] == shipped.evaluate(0)["overall"]
    assert table.loc[(100, "De-confound-TDE"), "seed 0"] == shipped.evaluate(1)["overall"]


def test_the_reading_says_what_the_gains_show(runs):
    from lt_causal.experiments.table3 import gain_reading

    table = measured_table3(runs=runs.values())
    g = gains(table).sort_index(ascending=False)
    falls = all(b < a for a, b in zip(g["mean"], g["mean"][1:]))
    reading = gain_reading(table)
    assert f"r=100: {g.loc[100, 'mean']:+.2f} (2 seeds)" in reading and f"r=50: {g.loc[50, 'mean']:+.2f} (1 seed)" in reading
    assert ("As in the paper" in reading) == falls and ("Unlike the paper" in reading) == (not falls)
    steady = table.copy()
    steady.loc[(50, GAIN), "mean"] = table.loc[(100, GAIN), "mean"] + 1      # the gain rises from 100 to 50
    assert "it does not fall from r=100 → r=50" in gain_reading(steady)
    one = measured_table3(runs=[runs[(100, "deconfound", 0)]])
    assert "Only one imbalance ratio" in gain_reading(one)
    level = (table["mean"] - table["paper"]).drop(index=[GAIN, "Cross-entropy"], level="system", errors="ignore").dropna()
    said = (f"lie {-level.max():.1f}–{-level.min():.1f} points below" if level.max() < 0
            else f"differ from the paper's by {level.min():+.1f} to {level.max():+.1f} points")
    assert said in reading
    above = table.copy()
    above.loc[(50, "De-confound"), "mean"] = above.loc[(50, "De-confound"), "paper"] + 2    # one cell above the paper
    assert "differ from the paper's by" in gain_reading(above) and "+2.0 points" in gain_reading(above)
    with lc.using_language("zh"):
        zh = gain_reading(table)
        assert "实测" in zh and ". " not in zh and ", " not in zh           # Chinese punctuation, no English spaces


def test_tables_show_a_dash_for_every_empty_value_and_translated_headers():
    from lt_causal.views.tables import show_table

    table = measured_table3(runs=[cifar_like_run(100, "deconfound", 0)])
    html = show_table(table).to_html()
    assert "None" not in html and "nan" not in html.lower() and "–" in html
    with lc.using_language("zh"):
        html = show_table(table).to_html()
    assert "种子 0" in html and "去混杂-TDE" in html and "seed 0" not in html and "De-confound" not in html
    assert list(table.columns)[0] == "seed 0"                                 # the data keeps its labels


def test_tables_show_a_class_name_in_the_learners_language():
    """A column of words (Fig. 3b's longest class) is shown as the language names it; numbers and
    the data itself stay as they are (pandas' own string dtype included)."""
    import pandas as pd

    from lt_causal.views.tables import show_table

    table = pd.DataFrame({"longest ‖x‖": pd.array(["automobile", "ship"], dtype="string"), "mean cos": [0.5, 0.25]})
    with lc.using_language("zh"):
        html = show_table(table, precision=2).to_html()
    assert "汽车" in html and "船" in html and "automobile" not in html and "0.50" in html
    assert list(table["longest ‖x‖"]) == ["automobile", "ship"]
