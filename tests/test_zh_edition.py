"""The Chinese edition: the language setting and its catalogue, Chinese figures with a font that
has the glyphs, and notebooks/zh/ kept in step with the English notebooks (same code cells in the
same order, apart from one cell that only sets the language; Chinese prose)."""
import importlib
import os
import re
import string
import warnings
from pathlib import Path

import nbformat
import pytest

import lt_causal as lc
from lt_causal.language_strings import STRINGS
from lt_causal.language_terms import TERMS

L = importlib.import_module("lt_causal.language")   # the module (lc.language is the function)

ROOT = Path(__file__).resolve().parent.parent
EN_DIR, ZH_DIR = ROOT / "notebooks", ROOT / "notebooks" / "zh"
CJK = re.compile(r"[\u4e00-\u9fff]")
LANGUAGE_CELL = 'import lt_causal as lc\nlc.set_language("zh")   # 图表和控件也使用中文（默认为英文）'


@pytest.fixture(autouse=True)
def english_after(monkeypatch):
    """Every test starts and ends in the default language."""
    monkeypatch.delenv(L.ENV_VAR, raising=False)
    monkeypatch.setattr(L, "_chosen", None)
    yield
    L._chosen = "en"
    L.configure_matplotlib()     # restores matplotlib's fonts
    L._chosen = None


def fields(template: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# ------------------------------------------------------------------ the setting and its catalogue

def test_english_is_the_default_and_the_setting_switches():
    assert lc.language() == "en"
    assert L.text("per_class_title") == STRINGS["per_class_title"][0]
    lc.set_language("zh")
    assert lc.language() == "zh"
    assert L.text("per_class_title") == STRINGS["per_class_title"][1]
    assert L.term("many") == TERMS["many"][1]
    lc.set_language("EN ")
    assert lc.language() == "en" and L.term("many") == "many"


def test_the_environment_variable_and_bad_names(monkeypatch):
    monkeypatch.setenv(L.ENV_VAR, "zh")
    assert lc.language() == "zh"
    monkeypatch.setenv(L.ENV_VAR, "fr")
    with pytest.raises(ValueError, match="'fr'"):
        lc.language()
    with pytest.raises(ValueError, match="'klingon'"):
        lc.set_language("klingon")
    with pytest.raises(ValueError, match="no_such_key"):
        L.text("no_such_key")


def test_using_language_restores_the_language():
    with lc.using_language("zh"):
        assert lc.language() == "zh"
    assert lc.language() == "en"


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_catalogue_entry_has_both_languages_with_the_same_fields(key):
    english, chinese = STRINGS[key]
    assert english.strip() and chinese.strip(), key
    assert fields(english) == fields(chinese), f"{key}: {fields(english)} vs {fields(chinese)}"
    assert CJK.search(chinese) and not CJK.search(english), f"{key}: {english!r} / {chinese!r}"
    assert "$" not in chinese, f"{key}: mathtext has no CJK fallback in matplotlib"


def test_terms_are_chinese():
    plain = {"TDE", "τ-norm", "alpha", "cos", "ldam-drw", "mixup", "bbn", "crt", "lws", "ncm", "oltr",
             "decouple-oltr"}                              # names Chinese writes in Latin letters too
    plain |= {key for key, (en, zh) in TERMS.items() if en == zh}      # written the same in both (_same)
    assert all(CJK.search(zh) for key, (en, zh) in TERMS.items() if key not in plain)


# ------------------------------------------------------------------ fonts and figures

def test_the_cjk_font_has_every_glyph_of_the_catalogue():
    found = L.cjk_font()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"no CJK font on the CI machine: {L.FONT_HINT}")
        pytest.skip(f"no CJK font installed here: {L.FONT_HINT}")
    from matplotlib.ft2font import FT2Font

    charmap = FT2Font(found[1]).get_charmap()
    chinese = {c for _, zh in STRINGS.values() for c in zh if CJK.match(c)}
    chinese |= {c for _, zh in TERMS.values() for c in zh if CJK.match(c)}
    missing = sorted(c for c in chinese if ord(c) not in charmap)
    assert not missing, f"{found[0]} ({found[1]}) lacks {missing}"


def test_a_figure_drawn_under_chinese_has_chinese_text_and_no_missing_glyphs():
    if L.cjk_font() is None and not os.environ.get("CI"):
        pytest.skip(L.FONT_HINT)
    import matplotlib.pyplot as plt

    lc.set_language("zh")
    fig = lc.causal_norm_picture()
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [STRINGS["norm_title"][1], STRINGS["tau_title"][1]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")           # matplotlib warns "Glyph ... missing from font(s)"
        fig.canvas.draw()
    plt.close(fig)
    lc.set_language("en")
    fig = lc.causal_norm_picture()
    assert not any(CJK.search(ax.get_title()) for ax in fig.axes)
    plt.close(fig)


def test_english_figures_keep_the_default_font():
    import matplotlib

    before = list(matplotlib.rcParams["font.sans-serif"])
    with lc.using_language("zh"):
        pass
    assert list(matplotlib.rcParams["font.sans-serif"]) == before


def test_plotly_figures_and_widgets_speak_chinese():
    run = lc.load_run("pretrained:cifar10-lt-r100-deconfound")
    lc.set_language("zh")
    model = lc.KnobExplorerModel(run, "tde")
    fig = lc.knob_curve_figure(model)
    assert fig.layout.title.text.startswith("准确率") and "Noto Sans CJK SC" in fig.layout.font.family
    assert {t.name for t in fig.data} >= {TERMS["many"][1], TERMS["overall"][1]}
    from lt_causal.views.knob_explorer import summary_html

    assert STRINGS["explorer_accuracy"][1] in summary_html(model)
    box = lc.knob_explorer(run)
    assert box.prior_menu.description == STRINGS["prior_menu"][1]
    assert STRINGS["prior_train"][1] in [label for label, _ in box.prior_menu.options]
    lc.set_language("en")
    assert lc.knob_curve_figure(model).layout.title.text.startswith("Accuracy")


# ------------------------------------------------------------------ the two editions do not drift

EN_NOTEBOOKS = sorted(p.name for p in EN_DIR.glob("*.ipynb"))
ZH_NOTEBOOKS = sorted(p.name for p in ZH_DIR.glob("*.ipynb"))


def test_every_notebook_has_a_chinese_edition_and_vice_versa():
    assert set(ZH_NOTEBOOKS) - set(EN_NOTEBOOKS) == set(), "notebooks/zh/ has notebooks without an English original"
    assert set(EN_NOTEBOOKS) - set(ZH_NOTEBOOKS) == set(), "English notebooks without notebooks/zh/ edition"


@pytest.mark.parametrize("name", ZH_NOTEBOOKS)
def test_the_chinese_edition_has_the_english_code_cells(name):
    en = nbformat.read(EN_DIR / name, as_version=4)
    zh = nbformat.read(ZH_DIR / name, as_version=4)
    en_code = [c.source for c in en.cells if c.cell_type == "code"]
    zh_code = [c.source for c in zh.cells if c.cell_type == "code"]
    assert zh_code and zh_code[0] == LANGUAGE_CELL, f"the first code cell of zh/{name} must be {LANGUAGE_CELL!r}"
    assert zh_code[1:] == en_code, f"zh/{name}: code cells differ from notebooks/{name} (same cells, same order)"


@pytest.mark.parametrize("name", ZH_NOTEBOOKS)
def test_the_chinese_edition_translates_every_markdown_cell(name):
    en = [c for c in nbformat.read(EN_DIR / name, as_version=4).cells if c.cell_type == "markdown"]
    zh = [c for c in nbformat.read(ZH_DIR / name, as_version=4).cells if c.cell_type == "markdown"]
    assert len(zh) == len(en), f"zh/{name} has {len(zh)} markdown cells, the English {len(en)}"
    english = [c.get("id") for c in zh if not CJK.search(c.source)]
    assert not english, f"zh/{name}: markdown cells without Chinese: {english}"


def _matplotlib_views():
    """Every matplotlib view of the notebooks, drawn from shipped data (no training)."""
    covid, cfr = lc.load_example("covid"), lc.load_example("china-italy")
    columns = dict(group="country", adjustment="age_group", cases="confirmed_cases", deaths="confirmed_deaths")
    run = lc.load_run("pretrained:cifar10-lt-r100-deconfound")
    yield "fork", lambda: lc.draw_fork_graph()
    yield "fork do", lambda: lc.draw_fork_graph(do=True)
    yield "backdoor", lambda: lc.plot_backdoor(lc.backdoor_adjustment(
        covid, treatment="infected", outcome="deaths", adjustment="age", population="population"))
    yield "simpson", lambda: lc.plot_simpson(cfr, **columns)
    yield "causal norm", lc.causal_norm_picture
    yield "class counts", lambda: lc.class_counts_figure(run)
    yield "momentum graph", lc.causal_graph_figure
    yield "mu sweep", lambda: lc.toy_mu_sweep_figure(lc.mu_sweep(lc.make_toy(), [0.0, 0.9]))
    yield "cosines", lambda: lc.class_cosine_figure(lc.class_direction_cosines(run))
    yield "magnitudes", lambda: lc.magnitude_figure(lc.feature_magnitude_per_class(run))
    yield "decomposition", lambda: lc.decomposition_figure(lc.decomposition_table(run), max_points=200)


def test_every_matplotlib_view_draws_chinese_without_missing_glyphs():
    if L.cjk_font() is None and not os.environ.get("CI"):
        pytest.skip(L.FONT_HINT)
    import matplotlib.pyplot as plt

    lc.set_language("zh")
    for name, draw in _matplotlib_views():
        with warnings.catch_warnings():
            warnings.simplefilter("error")       # "Glyph ... missing from font(s)" fails the view
            fig = draw()
            fig.canvas.draw()
        texts = [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))]
        assert any(CJK.search(t) for t in texts), f"{name}: no Chinese text in the figure"
        plt.close(fig)


def test_every_literal_the_views_look_up_is_in_the_catalogue():
    """``text("key")`` needs a STRINGS entry and ``term("English")`` a Chinese in TERMS: a view
    that adds a visible string without its Chinese fails here, not in a learner's notebook."""
    import ast

    missing = []
    for path in sorted((ROOT / "lt_causal" / "views").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args \
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                table = {"text": STRINGS, "term": TERMS}.get(node.func.id)
                if table is not None and node.args[0].value not in table:
                    missing.append(f"{path.name}:{node.lineno} {node.func.id}({node.args[0].value!r})")
    assert not missing, missing


def test_cifar10_class_names_are_chinese_in_figures():
    """The standard Chinese names of the CIFAR-10 classes in the bars of 04/05 and the counts of 05."""
    from lt_causal.evaluation.knobs import KnobExplorerModel
    from lt_causal.views.run_plots import per_class_figure

    run = lc.load_run("pretrained:cifar10-lt-r100-deconfound-s0")
    with lc.using_language("zh"):
        fig = lc.class_counts_figure(run)
        ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        bars = per_class_figure(KnobExplorerModel(run, "tde"))
    assert ticks[0] == "飞机" and ticks[-1] == "卡车", ticks
    assert [x.split("<br>")[0] for x in bars.data[0].x][:2] == ["飞机", "汽车"]
    with lc.using_language("en"):
        assert lc.class_counts_figure(run).axes[0].get_xticklabels()[0].get_text() == "airplane"


def test_the_china_italy_figure_speaks_chinese():
    """Notebook 01's code names the table's columns and groups in English; the figure shows them
    in the learner's language."""
    cfr = lc.load_example("china-italy")
    columns = dict(group="country", adjustment="age_group", cases="confirmed_cases", deaths="confirmed_deaths")
    with lc.using_language("zh"):
        fig = lc.plot_simpson(cfr, **columns, standard="pooled", rate_label="case-fatality rate")
    left, right = fig.axes
    shown = [left.get_xlabel(), left.get_ylabel(), right.get_ylabel(),
             *[t.get_text() for t in left.get_legend().get_texts()], *[t.get_text() for t in right.get_xticklabels()],
             *[t.get_text() for t in right.get_legend().get_texts()]]
    english = [s for s in shown if re.search(r"\b(age_group|case-fatality|China|Italy|pooled)\b", s)]
    assert not english, english
    assert "病死率 (%)" in shown and "中国" in shown and "意大利" in shown


def _labels(table, rows: bool) -> list:
    """The string labels a table shows as headers: its columns (every level), the names of its index
    and columns levels, and (``rows``) its row labels."""
    import pandas as pd

    def values(index):
        return [v for level in range(index.nlevels) for v in
                (index.get_level_values(level) if isinstance(index, pd.MultiIndex) else index)]

    shown = values(table.columns) + list(table.index.names) + list(table.columns.names)
    if rows:
        shown += values(table.index)
    return sorted({v for v in shown if isinstance(v, str) and not re.fullmatch(r"seed \d+", v)})


def test_the_headers_of_the_librarys_own_tables_are_translated():
    """Every row and column label that a library function gives a table the notebooks show has an
    entry in TERMS (the names a caller or a data set gives, run names and class names, aside): a
    label added or renamed without its Chinese fails here, not as English in a Chinese notebook."""
    from lt_causal.experiments.scale import Throughput

    run = lc.load_run("pretrained:cifar10-lt-r100-deconfound-s0")
    cfr = lc.load_example("china-italy")
    effects = lc.mediation_effects(cfr, group="country", adjustment="age_group", cases="confirmed_cases",
                                   deaths="confirmed_deaths", treated="Italy", reference="China")
    gpu = Throughput("resnext50", 224, 64, "bf16", "cuda:0", "some GPU", 100.0)
    tables = {   # name: (table, whether its row labels come from the library too)
        "adjustment_table": (lc.adjustment_table(lc.COVID_GRAPH, "infected", "deaths"), False),
        "mediation_effects": (effects.to_frame("percentage points"), True),
        "magnitude_table": (lc.magnitude_table({"r": run}), False),
        "alpha_rule_table": (lc.alpha_rule_table({"r": run}), False),
        "alpha_choices": (lc.alpha_choices(run), True),
        "prior_table": (lc.prior_table(run, priors=("balanced", "train", "inverse")), True),
        "knob_comparison": (lc.knob_comparison({"r": run}), False),
        "weight_norms": (lc.weight_norms({"r": run}), False),
        "compare_runs": (lc.compare_runs({"r": run}), False),
        "decomposition_table": (lc.decomposition_table(run), False),
        "sweep": (run.sweep([0.0, 1.0]), False),
        "paper_table2": (lc.paper_table2(), False),
        "paper_table3": (lc.paper_table3(), False),
        "measured_table3": (lc.measured_table3(), True),
        "run_vs_paper": (lc.run_vs_paper(run), False),      # its rows name the α of the run
        "cost_table": (lc.cost_table([gpu]), False),
    }
    given = {"r"}                                                # the caller's name of the run
    missing = {name: [v for v in _labels(t, rows) if v not in set(TERMS) | given] for name, (t, rows) in tables.items()}
    assert {name: m for name, m in missing.items() if m} == {}


def test_a_shown_table_translates_its_headers_words_and_flags():
    """show_table in Chinese: the library's labels and words from TERMS, yes/no as 是/否, a data set's names
    from NAMES, any other name and every number as they are."""
    import pandas as pd

    table = pd.DataFrame({"valid": [True, False], "source": ["measured", "n00000012"], "images/s": [12.5, "not measured yet"]},
                         index=pd.Index(["airplane", "r"], name="class"))
    with lc.using_language("zh"):
        html = lc.show_table(table).to_html()
    for shown in ("类别", "飞机", "有效", "是", "否", "实测", "n00000012", "12.5", "尚未测量", "图像/秒"):
        assert shown in html, shown
    assert "True" not in html and "measured" not in html.replace("n00000012", "")
    rows = pd.DataFrame({"overall": [33.3, 16.7]}, index=["De-confound", "De-confound-TDE (α=3)"])
    with lc.using_language("zh"):
        html = lc.show_table(rows).to_html()
    assert "去混杂-TDE（α=3）" in html and "De-confound" not in html
    assert "De-confound-TDE (α=3)" in lc.show_table(rows).to_html()


def test_a_term_without_an_entry_is_refused_in_either_language():
    """term() looks a label up by its identifier and refuses one without an entry, also in English;
    display_name() shows a name a data set gives as it is when the catalogue does not know it."""
    for language in L.LANGUAGES:
        with lc.using_language(language):
            with pytest.raises(ValueError, match="'not a term'.*TERMS"):
                L.term("not a term")
            assert L.display_name("n00000012") == "n00000012" and L.display_name(7) == "7"
            assert L.term("many") == TERMS["many"][L.LANGUAGES.index(language)]
    with lc.using_language("zh"):
        assert L.display_name("airplane") == "飞机" and L.display_name("few") == "少样本"


def test_every_knob_names_its_axis_by_a_catalogue_key():
    """A knob's figure axis is a key of STRINGS, so renaming it happens in the catalogue, beside its Chinese."""
    from lt_causal.evaluation.knobs import KNOBS

    assert [k.name for k in KNOBS.values() if k.axis not in STRINGS] == []
    assert [k.name for k in KNOBS.values() if f"{k.label} {k.symbol}" not in TERMS] == []   # its legend name


def test_both_languages_of_every_entry_sit_under_one_identifier():
    """TERMS and STRINGS have one shape, ``identifier: (English, 中文)``, with both texts filled; an
    identifier means one thing (no key in both catalogues)."""
    for catalogue in (TERMS, STRINGS):
        bad = [k for k, v in catalogue.items() if not (isinstance(v, tuple) and len(v) == 2 and all(v))]
        assert bad == []
    assert sorted(set(TERMS) & set(STRINGS)) == []


def test_every_method_a_run_label_names_has_its_chinese():
    """cell_label names a run's method by its label in lower case: each has a TERMS entry, so a
    run picker in Chinese never falls back to English for one method."""
    from lt_causal.methods.registry import METHODS, method_label

    assert [m for m in METHODS if method_label(m).lower() not in TERMS] == []


def test_every_system_row_of_the_tables_and_the_benchmark_figure_has_its_chinese():
    """A system's row label (``Cosine``, ``Cosine-TDE``: lt_causal.experiments.paper_tables.method_label)
    is a TERMS identifier, and notebook 07's figure shows it as the language names it."""
    import pandas as pd

    from lt_causal.experiments.paper_tables import method_label as row_label
    from lt_causal.methods.registry import METHODS
    from lt_causal.views.run_plots import benchmark_figure

    rows = [row_label(m) for m in METHODS] + [row_label(m, True) for m, spec in METHODS.items() if spec.reports_tde]
    assert [r for r in rows if r not in TERMS] == []
    table = pd.DataFrame({g: [50.0] * 2 for g in ("overall", "many", "medium", "few")}, index=["Cosine-TDE", "Cross-entropy"])
    with lc.using_language("zh"):
        shown = list(benchmark_figure(table).data[0].y)
    assert shown == ["交叉熵", "余弦分类器-TDE"]


def test_an_exercise_fact_that_is_a_sentence_is_worded_in_the_language_it_is_shown_in():
    """01.4's refused set is a fact computed once for both editions (a Phrase): the same fact fills
    the English solution in English and the Chinese one in Chinese, each the library's own sentence."""
    from lt_causal.exercises.core import fill
    from lt_causal.exercises.registry import facts, solution_markdown

    fact = facts("01.4")
    assert not isinstance(fact["problem"], str)                      # not worded when it was made
    graph = lc.to_dag([*lc.COVID_GRAPH, ("exposure", "infected"), ("exposure", "hospital"),
                       ("frailty", "hospital"), ("frailty", "deaths")])
    for language in L.LANGUAGES:
        with lc.using_language(language):
            said = lc.adjustment_problem(graph, "infected", "deaths", ["age", "hospital"])
            assert fill("{problem}", fact) == str(fact["problem"]) == said
    with lc.using_language("zh"):
        assert re.search(r"[\u4e00-\u9fff]", fill("{problem}", fact))
        english = solution_markdown(lc.EXERCISES["01.4"])                  # the English edition's cell
    assert not re.search(r"[\u4e00-\u9fff]", fill("{problem}", fact))
    assert str(fact["problem"]) in english


def test_the_papers_row_names_show_in_chinese_and_method_ids_as_typed():
    """Tables 2 and 3 spell their systems their own way ("Focal Loss", "Cosine†"): under Chinese each
    shows as its term's Chinese, the paper's spelling stays under English; the methods table's
    index is what `--method` takes, the same in both editions."""
    from lt_causal.methods.registry import METHODS

    with lc.using_language("zh"):
        assert L.display_name("Focal Loss") == L.display_name("Focal loss") == "focal 损失"
        assert L.display_name("Cosine†") == L.display_name("Cosine") + "†" != "Cosine†"
        assert L.display_name("Class-balanced Loss") == "类别平衡损失" and L.display_name("LDAM") == "LDAM"
        table3 = lc.show_table(lc.paper_table3()).to_html()
        methods = lc.show_table(lc.methods_table()).to_html()
    assert "Focal Loss" not in table3 and "Class-balanced Loss" not in table3
    assert L.display_name("Focal Loss") == "Focal Loss"
    assert "Focal Loss" in lc.show_table(lc.paper_table3()).to_html()
    for name in METHODS:
        assert f">{name}</th>" in methods, name
