"""The exercises that answer back (lt_causal/exercises/): every check accepts its reference answer,
names each typical mistake, says "not answered yet" to None and explains an unreadable answer
instead of raising; the notebooks hold exactly the registry's exercise sections."""
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import lt_causal as lc
from lt_causal.exercises.core import TRANSLATED, Exercise, fill, in_language, judge, message
from lt_causal.exercises.feedback import Feedback
from lt_causal.exercises.registry import SECTION_TITLE, exercise_cells, facts
from lt_causal.language import using_language

IDS = list(lc.EXERCISES)
NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = {p.name[:2]: p for p in NOTEBOOK_DIR.glob("0[1-7]_*.ipynb")}
MISTAKES = [(i, m) for i in IDS for m in lc.EXERCISES[i].mistakes]


def example_answer(exercise_id, key):
    """The answer a learner would type for a fact (number) or an option (choice)."""
    ex = lc.EXERCISES[exercise_id]
    return facts(exercise_id)[key] if ex.kind == "number" else key


def test_every_notebook_has_two_to_four_exercises():
    per_notebook = {nb: sum(ex.notebook == nb for ex in lc.EXERCISES.values()) for nb in NOTEBOOKS}
    assert set(per_notebook) == {f"0{i}" for i in range(1, 8)}
    assert all(2 <= n <= 4 for n in per_notebook.values()), per_notebook


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_reference_answer_is_right(exercise_id):
    feedback = lc.check(exercise_id, facts(exercise_id)["answer"])
    assert feedback.correct and feedback.status == "correct", feedback
    assert feedback.hint is None and feedback.message == fill(lc.EXERCISES[exercise_id].why, facts(exercise_id))
    assert "{" not in feedback.message, feedback.message          # every field filled


@pytest.mark.parametrize("exercise_id,mistake", MISTAKES, ids=[f"{i}-{m}" for i, m in MISTAKES])
def test_a_typical_mistake_is_named(exercise_id, mistake):
    feedback = lc.check(exercise_id, example_answer(exercise_id, mistake))
    assert feedback.status == "mistake", feedback
    assert feedback.message == fill(lc.EXERCISES[exercise_id].mistakes[mistake], facts(exercise_id))
    assert feedback.hint and not feedback.correct


@pytest.mark.parametrize("exercise_id", IDS)
def test_no_answer_is_not_answered_yet(exercise_id):
    for blank in (None, "", "  "):
        feedback = lc.check(exercise_id, blank)
        assert feedback.status == "unanswered" and feedback.message == message("unanswered")
        assert feedback.hint
    assert "Not answered yet" in feedback._repr_html_()


@pytest.mark.parametrize("exercise_id", IDS)
def test_an_unreadable_answer_gets_a_message_not_an_exception(exercise_id):
    ex = lc.EXERCISES[exercise_id]
    for bad in (("banana", "4..2", [1, 2], True) if ex.kind == "number" else (42, "zz", ["a"])):
        feedback = lc.check(exercise_id, bad)
        assert feedback.status == "invalid", (bad, feedback)
        assert repr(bad) in feedback.message


def unnamed_wrong_answer(exercise_id):
    """A wrong answer that is no named mistake: a far-off number, or an option without a message."""
    ex, f = lc.EXERCISES[exercise_id], facts(exercise_id)
    if ex.kind == "number":
        return 1000 * abs(float(f["answer"])) + 12345.6
    return next((o for o in ex.options if o != f["answer"] and o not in ex.mistakes), None)


@pytest.mark.parametrize("exercise_id", [i for i, ex in lc.EXERCISES.items()     # options beyond answer + mistakes
                                         if ex.kind == "number" or len(set(ex.options) - set(ex.mistakes)) > 1])
def test_another_wrong_answer_gets_a_hint(exercise_id):
    ex, f, wrong = lc.EXERCISES[exercise_id], facts(exercise_id), unnamed_wrong_answer(exercise_id)
    feedback = lc.check(exercise_id, wrong)
    assert feedback.status == "wrong" and feedback.hint == fill(ex.hint, f)


def test_answers_in_other_spellings():
    assert lc.check("01.2", " (B) ").correct and lc.check("06.2", "τ-norm").correct
    assert lc.check("06.2", "TAU_NORM").correct and lc.check("04.2", "Up").correct
    assert lc.check("01.1", f"{facts('01.1')['answer']:.2f}").correct                 # a numeric string
    assert lc.check("02.1", np.int64(facts("02.1")["answer"])).correct                # a numpy number
    assert lc.check("05.1", f"{facts('05.1')['answer']:,}").correct                   # "13,996"


def test_a_percentage_and_a_fraction_are_told_apart():
    percent = facts("01.1")["answer"]
    feedback = lc.check("01.1", percent / 100)
    assert feedback.status == "mistake" and "percentage" in feedback.message and "Multiply by 100" in feedback.message


def test_nearly_right_is_told_to_keep_more_decimals():
    ex = lc.EXERCISES["03.1"]
    feedback = lc.check("03.1", facts("03.1")["answer"] + 3 * ex.tolerance)
    assert feedback.status == "wrong" and feedback.message == message("close", tolerance=ex.tolerance)


# the reference answers, recomputed here without the exercise code


def test_direct_effect_of_the_country_by_hand():
    cfr = lc.load_example("china-italy")
    italy, china = (cfr[cfr["country"] == c].set_index("age_group") for c in ("Italy", "China"))
    weights = china["confirmed_cases"] / china["confirmed_cases"].sum()
    italy_on_china_mix = (italy["confirmed_deaths"] / italy["confirmed_cases"] * weights).sum()
    china_crude = china["confirmed_deaths"].sum() / china["confirmed_cases"].sum()
    assert math.isclose(facts("01.1")["answer"], 100 * (italy_on_china_mix - china_crude), rel_tol=1e-12)
    assert facts("01.1")["answer"] < 0


def test_tail_batches_by_the_closed_form():
    mu = facts("02.1")["mu"]
    assert facts("02.1")["answer"] == next(k for k in range(1, 100) if mu ** k < 0.5)


def test_digit_count_by_the_profile_rule():
    assert facts("03.2")["answer"] == int(400 * 0.01 ** (5 / 9))


def test_the_train_prior_alpha_is_the_best_of_a_sweep():
    run = lc.load_run("pretrained:cifar10-lt-r100-deconfound")
    curve = run.sweep(np.round(np.arange(0, 2.51, 0.05), 2), prior="train")["overall"]
    best = facts("04.1")["best_overall"]
    assert math.isclose(best, curve.max(), abs_tol=1e-9)
    assert lc.check("04.1", float(curve.idxmax())).correct
    assert not lc.check("04.1", float(curve.idxmin())).correct


def test_unknown_exercise_and_status_are_one_value_error():
    with pytest.raises(ValueError, match="unknown exercise '99.9'"):
        lc.check("99.9", 1)
    with pytest.raises(ValueError, match="unknown feedback status"):
        Feedback("01.1", "t", "maybe", "m")


def test_feedback_renders_as_escaped_html_and_text():
    feedback = lc.check("02.1", "<script>")
    page = feedback._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page and "lt-causal-feedback-invalid" in page
    assert str(feedback).startswith("[02.1] ") and "Hint:" in str(feedback)
    marked = Feedback("04.2", "t", "mistake", "**balanced** and *inverse* via `lc.prior_table` & 2*3*4")._repr_html_()
    assert "<b>balanced</b> and <i>inverse</i> via <code>lc.prior_table</code> &amp; 2*3*4" in marked


# the notebooks


def exercise_ids_in(path):
    nb = nbformat.read(path, as_version=4)
    return [i for c in nb.cells if c.cell_type == "code" for i in re.findall(r'lc\.check\("([\d.]+)"', c.source)]


def test_every_exercise_is_in_its_notebook_and_every_notebook_id_exists():
    used = {i: nb for nb, path in NOTEBOOKS.items() for i in exercise_ids_in(path)}
    assert set(used) == set(lc.EXERCISES), set(used) ^ set(lc.EXERCISES)
    assert all(lc.EXERCISES[i].notebook == nb for i, nb in used.items())


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS))
def test_the_notebook_holds_the_registry_section(notebook):
    nb = nbformat.read(NOTEBOOKS[notebook], as_version=4)
    expected = exercise_cells(notebook)
    start = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith(SECTION_TITLE))
    section = [(c.cell_type, c.source) for c in nb.cells[start:start + len(expected)]]
    assert section == expected, f"the exercise section of {NOTEBOOKS[notebook].name} is stale: run `make notebooks`"
    assert sum(c.source.startswith(SECTION_TITLE) for c in nb.cells if c.cell_type == "markdown") == 1
    for cell_type, source in expected:
        if cell_type == "markdown" and "<details>" in source:
            assert source.startswith("<details><summary>") and source.endswith("</details>")
            assert "<details open" not in source


@pytest.mark.parametrize("exercise_id", IDS)
def test_latex_text_is_not_taken_for_a_fact(exercise_id):
    """``\\text{tail}`` must stay LaTeX: a fact called ``tail`` would be filled into it."""
    ex = lc.EXERCISES[exercise_id]
    texts = [ex.question, ex.solution, ex.why, ex.hint, *ex.mistakes.values(), *ex.options.values()]
    clashes = [(name, text[:40]) for name in facts(exercise_id) for text in texts
               if re.search(r"(?:\\text|\\mathrm)\{" + name + r"\}", text)]
    assert not clashes, clashes


def test_feedback_speaks_the_learners_language():
    english = lc.check("01.1", None)
    with using_language("zh"):
        chinese = lc.check("01.1", None)
        wrong_unit = lc.check("01.1", facts("01.1")["answer"] / 100)
        html_zh, text_zh = chinese._repr_html_(), str(chinese)
    assert chinese.status == english.status == "unanswered" and chinese.message != english.message
    assert "None" in chinese.message and "尚未作答" in text_zh and "提示" in html_zh
    assert wrong_unit.status == "mistake" and "百分数" in wrong_unit.message
    assert "Not answered yet" in str(lc.check("01.1", None))          # English again outside the block


# the exercises' own texts in Chinese (Exercise.zh)

CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\{\w+(?::[^{}]*)?\}")        # what fill() replaces


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_text_a_check_returns_is_translated_with_the_same_placeholders(exercise_id):
    ex = lc.EXERCISES[exercise_id]
    assert set(ex.zh) - {"options"} == set(TRANSLATED) and set(ex.zh["mistakes"]) == set(ex.mistakes)
    pairs = [(getattr(ex, part), ex.zh[part]) for part in TRANSLATED if part != "mistakes"]
    pairs += [(said, ex.zh["mistakes"][key]) for key, said in ex.mistakes.items()]
    for english, chinese in pairs:
        assert CJK.search(chinese), (exercise_id, chinese)
        assert set(PLACEHOLDER.findall(chinese)) == set(PLACEHOLDER.findall(english)), (exercise_id, chinese)
        assert [chinese.count(mark) for mark in "*`"] == [english.count(mark) for mark in "*`"], chinese


@pytest.mark.parametrize("exercise_id", IDS)
def test_a_check_under_chinese_answers_in_chinese(exercise_id):
    ex, values = lc.EXERCISES[exercise_id], facts(exercise_id)
    answers = [values["answer"], None, *(example_answer(exercise_id, key) for key in ex.mistakes)]
    english_values = values
    with using_language("zh"):
        right, blank, *mistakes = (lc.check(exercise_id, answer) for answer in answers)
        shown = [str(f) + f._repr_html_() for f in (right, blank, *mistakes)]
        values = in_language(values)                                    # "tail" as 尾部
    assert right.correct and right.message == fill(ex.zh["why"], values) and right.title == ex.zh["title"]
    assert blank.status == "unanswered" and blank.hint == fill(ex.zh["hint"], values)
    for key, feedback in zip(ex.mistakes, mistakes):
        assert feedback.status == "mistake" and feedback.message == fill(ex.zh["mistakes"][key], values)
    assert all(CJK.search(text) and "Hint" not in text for text in shown), shown
    assert all("{" not in f.message + f.hint for f in (blank, *mistakes)) and "{" not in right.message
    english = lc.check(exercise_id, answers[-1])                     # English again outside the block
    assert english.message == fill(ex.mistakes[list(ex.mistakes)[-1]], english_values) and english.title == ex.title
    assert english.hint == fill(ex.hint, english_values)


def test_a_missing_translation_falls_back_to_english_and_a_stray_one_is_refused():
    kw = dict(id="99.1", kind="number", title="Title", question="q", facts=lambda: {"answer": 1.0, "off": 2.0},
              why="Right: {answer:g}.", hint="Hint text", solution="s", mistakes={"off": "Off by {off:g}."})
    ex = Exercise(**kw, zh={"why": "对：{answer:g}。"})
    with using_language("zh"):
        right, wrong = judge(ex, 1, ex.facts()), judge(ex, 2, ex.facts())
    assert right.message == "对：1。" and right.title == "Title"
    assert wrong.message == "Off by 2." and wrong.hint == "Hint text"
    assert judge(ex, 1, ex.facts()).message == "Right: 1."
    with pytest.raises(ValueError, match="zh translates unknown texts"):
        Exercise(**kw, zh={"mistakes": {"typo": "错"}})
    with pytest.raises(ValueError, match="zh translates unknown texts"):
        Exercise(**kw, zh={"question": "问题"})


CHOICES = [i for i, ex in lc.EXERCISES.items() if ex.kind == "choice" and ex.zh.get("options")]


@pytest.mark.parametrize("exercise_id", CHOICES)
def test_option_labels_are_accepted_in_the_language_they_are_shown_in(exercise_id):
    """The Chinese notebook lists each option with its Chinese label; typing that label (or its
    words before the parenthesis) is the same answer as typing the key, in either language."""
    import re as _re
    from lt_causal.exercises.core import fill

    ex = lc.EXERCISES[exercise_id]
    facts = lc.exercises.registry.facts(exercise_id)
    zh_notebooks = Path(__file__).resolve().parents[1] / "notebooks" / "zh"
    shown = "".join(c.source for p in zh_notebooks.glob(f"{ex.notebook}_*.ipynb")
                    for c in nbformat.read(p, as_version=4).cells if c.cell_type == "markdown")
    for key, label in ex.zh["options"].items():
        filled = fill(label, facts)
        assert f'- `"{key}"`：{filled}' in shown, f"the zh notebook does not show {key!r} as {filled!r}"
        for typed in (filled, _re.sub(r"（.*$", "", filled)):
            for language in ("zh", "en"):
                with using_language(language):
                    status = lc.check(exercise_id, typed).status
                assert (status == "correct") == (key == facts["answer"]), (typed, language, status)
                assert status != "invalid", (typed, language)


def test_a_word_fact_is_shown_in_the_learners_language():
    """06.1's winner is a fact ("tail"); the Chinese feedback names it 尾部, the English "tail"."""
    answer = facts("06.1")["answer"]
    assert facts("06.1")["winner"] == "tail" and "the tail class wins" in lc.check("06.1", answer).message
    with using_language("zh"):
        said = lc.check("06.1", answer).message
    assert "胜出的是尾部类别" in said and "tail类别" not in said
