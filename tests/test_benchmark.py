"""The every-system benchmark of notebook 07: method list, training grid, table and figure."""
import pandas as pd
import pytest

from lt_causal.experiments.benchmark import (benchmark, BENCHMARK_METHODS, benchmark_table, methods_table, PAPER_C10, PAPER_IMAGENET)
from lt_causal.views.run_plots import benchmark_figure
from lt_causal.methods.registry import METHODS
from lt_causal.evaluation.loading import load_run


def test_methods_table_lists_every_method_with_the_papers_numbers():
    t = methods_table()
    assert list(t.index) == list(METHODS) == list(BENCHMARK_METHODS)
    assert t.loc["bbn", PAPER_C10] == 79.8 and t.loc["ldam-drw", PAPER_C10] == 77.0
    assert t.loc["crt", PAPER_IMAGENET] == 49.6 and pd.isna(t.loc["crt", PAPER_C10])
    assert t.loc["crt", "stages"] == "two stages" and t.loc["mixup", "stages"].startswith("one stage")
    assert t["TDE row"].to_dict() == {m: METHODS[m].reports_tde for m in METHODS}
    assert pd.isna(t.loc["logit-adjust", PAPER_C10]) and pd.isna(t.loc["logit-adjust", PAPER_IMAGENET])


def test_methods_table_shows_full_descriptions_and_dashes():
    """The methods table shows each description in full and "–" where a value is missing, as other tables do."""
    import html

    t = methods_table()
    shown = t._repr_html_()
    for name, spec in METHODS.items():
        assert html.escape(spec.description) in shown, f"{name}'s description is cut"
    assert "NaN" not in shown and "nan" not in shown and "…" not in shown
    assert shown.count(">–<") == int(t[[PAPER_C10, PAPER_IMAGENET]].isna().sum().sum())
    text = repr(t)
    assert "NaN" not in text and all(spec.description in text for spec in METHODS.values())
    assert pd.isna(t.loc["crt", PAPER_C10])            # the data stay numbers


def test_methods_table_speaks_chinese_in_the_chinese_edition():
    """Notebook 07 shows the table with show_table: under Chinese every header, kind, flag and
    description is Chinese (each method has its Chinese description beside the English one)."""
    import re

    import lt_causal as lc
    from lt_causal.views.tables import show_table

    assert [m for m, spec in METHODS.items() if not re.search(r"[\u4e00-\u9fff]", spec.zh)] == []
    with lc.using_language("zh"):
        t = methods_table()
        html = show_table(t).to_html()
    assert list(t["what it is"]) == [spec.zh for spec in METHODS.values()]
    for english in ("what it is", "stages", "TDE row", "one stage", "two stages", "True", "False", "baseline"):
        assert english not in html, english
    assert "单阶段" in html and "两阶段" in html and "是什么" in html


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    events = []
    summary = benchmark(methods=["lws", "deconfound", "ce"], base={"epochs": 1, "batch_size": 128},
                        root=root, quick=False, progress=False, callback=events.append)
    return root, summary, events


def test_benchmark_decouples_from_its_ce_run_after_the_one_stage_methods(small):
    root, summary, events = small
    done = [(e["run"], e["status"]) for e in events if e["status"] != "starting"]
    assert done == [("mnist-lt-r100-deconfound-e1-s0", "trained"), ("mnist-lt-r100-ce-e1-s0", "trained"),
                    ("mnist-lt-r100-lws-e1-s0", "decoupled")]
    assert load_run(root / "mnist-lt-r100-lws-e1-s0").config["method"] == "lws"


def test_benchmark_table_is_the_summary_sorted_with_paper_numbers(small):
    _, summary, _ = small
    t = benchmark_table(summary)
    assert sorted(t.index) == sorted(["Cross-entropy", "De-confound", "De-confound-TDE", "LWS"])
    assert list(t["overall"]) == sorted(t["overall"], reverse=True)
    for _, r in summary.iterrows():
        assert t.loc[r["row"], "few"] == r["few_mean"] or (pd.isna(r["few_mean"]) and pd.isna(t.loc[r["row"], "few"]))
    assert t.loc["De-confound-TDE", PAPER_C10] == 80.6 and t.loc["De-confound", PAPER_IMAGENET] == 48.6
    assert t.loc["LWS", PAPER_IMAGENET] == 49.9 and pd.isna(t.loc["Cross-entropy", PAPER_C10])
    fig = benchmark_figure(t)
    assert [tr.name for tr in fig.data] == ["few", "medium", "many", "overall"]
    assert list(fig.data[3].y) == list(t.index[::-1])
    assert list(fig.data[3].x) == pytest.approx(list(t["overall"][::-1]))


def test_bad_input(small):
    _, summary, _ = small
    with pytest.raises(ValueError, match="unknown method 'resnet'"):
        benchmark(methods=["ce", "resnet"])
    with pytest.raises(ValueError, match="no rows"):
        benchmark_table(summary.iloc[:0])
    two = pd.concat([summary, summary.assign(imbalance=50.0)])
    with pytest.raises(ValueError, match="one data set and imbalance"):
        benchmark_table(two)
    with pytest.raises(ValueError, match="missing \\['few'"):
        benchmark_figure(pd.DataFrame({"overall": [1.0], "many": [1.0], "medium": [1.0]}))
