"""No duration typed into the prose a learner reads: a notebook's markdown (both editions) states
no time (``47 s``, ``about 3 h``, ``under a minute``, ``约 3 分钟``). What a step costs comes from a
measurement on the learner's machine (the progress bars, ``measure_epoch_seconds``,
``measure_throughput``) or from a stored measurement that names its machine (docs/results.md)."""
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")) + sorted((ROOT / "notebooks" / "zh").glob("[0-9]*.ipynb"))
DURATION = [
    re.compile(r"\d[\d.,]*\s*(?:[–-]\s*\d[\d.,]*\s*)?(?:ms|s|sec|seconds?|mins?|minutes?|h|hours?|days?)\b", re.I),
    re.compile(r"\b(?:a|an|one|half an?|a few|a couple of)\s+(?:minutes?|hours?)\b", re.I),
    re.compile(r"\d[\d.,]*\s*(?:[–-]\s*\d[\d.,]*\s*)?(?:毫秒|秒|分钟|小时|天)"),
    re.compile(r"[一两半几]\s*(?:分钟|个小时|小时)"),
]


def typed_durations(markdown: str) -> list[str]:
    """The durations stated in ``markdown`` outside code (fenced blocks and `inline code`)."""
    prose = re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", markdown, flags=re.S))
    return [m.group(0) for pattern in DURATION for m in pattern.finditer(prose)]


def comments(code: str) -> str:
    """The ``# comments`` of a code cell, one per line (what a learner reads beside the call)."""
    return "\n".join(line.split("#", 1)[1] for line in code.splitlines() if "#" in line)


def test_the_patterns_catch_typed_costs_and_leave_other_numbers():
    assert typed_durations("Time: about 3 minutes on a laptop") == ["3 minutes"]
    assert typed_durations("47 s (trains three models)") == ["47 s"]
    assert typed_durations("under a minute in quick mode") == ["a minute"]
    assert typed_durations("时间：约 3 分钟（快速模式下不到一分钟）") == ["3 分钟", "一分钟"]
    assert typed_durations("lr × 0.01 at 60 % and 80 % of 200 epochs, 5 heads, `sleep 3s`") == []
    assert typed_durations(comments("run = lc.train(c)   # trains (about a minute on a laptop CPU)\nx = 3600")) \
        == ["a minute"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT / "notebooks").as_posix())
def test_no_notebook_prose_states_a_duration(path):
    nb = nbformat.read(path, as_version=4)
    found = [(c.get("id"), d) for c in nb.cells
             for d in typed_durations(c.source if c.cell_type == "markdown" else comments(c.source))]
    assert not found, f"{path.name}: typed durations (cell id, text) — measure them instead: {found}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT / "notebooks").as_posix())
def test_no_prose_points_at_a_cell_id(path):
    """Cell ids are invisible in JupyterLab: a hint that names one (`sgd-demo`) points at nothing."""
    nb = nbformat.read(path, as_version=4)
    ids = {c.get("id") for c in nb.cells}
    named = [(c.get("id"), word) for c in nb.cells if c.cell_type == "markdown"
             for word in re.findall(r"`([^`\n]+)`", c.source) if word in ids]
    assert not named, f"{path.name}: markdown names cell ids (cell, id): {named}"


PAPER_SENTENCE = re.compile(r"paper|Table \d|论文|表 \d")
DECIMAL = re.compile(r"(?<![\d.α=])(\d+\.\d+)\s*%")


def paper_numbers() -> set[float]:
    """Every accuracy of the paper's tables as the library holds them."""
    from lt_causal.experiments.paper_tables import PAPER_TABLE2, PAPER_TABLE3, TABLE3_OTHER_SYSTEMS

    values = {v for row in PAPER_TABLE3.values() for v in row.values()}
    return values | {v for row in (*PAPER_TABLE2.values(), *TABLE3_OTHER_SYSTEMS.values()) for v in row}


def misquoted(markdown: str, known: set[float]) -> list[str]:
    """Accuracies (``80.6 %``) in the sentences of ``markdown`` that cite the paper, which are not
    a number of the library's paper tables."""
    prose = re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", markdown, flags=re.S))
    return [m.group(0) for sentence in re.split(r"(?<=[.;])\s+|(?<=[。；])", prose) if PAPER_SENTENCE.search(sentence)
            for m in DECIMAL.finditer(sentence) if float(m.group(1)) not in known]


def test_the_quote_check_finds_a_number_the_paper_tables_do_not_hold():
    known = paper_numbers()
    assert misquoted("De-confound-TDE reaches 80.6 % against 71.7 % (Table 3).", known) == []
    assert misquoted("The paper reports 80.5 % for it.", known) == ["80.5 %"]
    assert misquoted("This run reaches 80.5 %. The paper's is in Table 3.", known) == []
    assert misquoted("论文报告少样本准确率为 31.7 %。", known) == ["31.7 %"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT / "notebooks").as_posix())
def test_an_accuracy_the_prose_quotes_from_the_paper_is_the_librarys_table(path):
    """The paper's numbers are written once (lt_causal/experiments/paper_tables.py): a sentence that
    quotes one quotes that table, so a typo in either is found."""
    nb = nbformat.read(path, as_version=4)
    known = paper_numbers()
    found = [(c.get("id"), q) for c in nb.cells if c.cell_type == "markdown" for q in misquoted(c.source, known)]
    assert not found, f"{path.name}: accuracies quoted from the paper that its tables do not hold: {found}"


COUNTED_METHODS = [
    re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
               r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty)\s+(?:[\w-]+\s+){0,2}?(?:methods|systems)\b", re.I),
    re.compile(r"[\d二三四五六七八九十两]+\s*(?:种|个)\s*(?:[A-Za-z-]+\s*)?(?:方法|系统)"),
]


def counted_methods(text: str) -> list[str]:
    """Counts of the package's methods stated in prose ("the 14 systems", "five decoupling methods",
    "十四种方法"): such a count goes stale when a method is added. Say "every method of `lc.METHODS`"."""
    prose = re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", text, flags=re.S))
    return [m.group(0) for pattern in COUNTED_METHODS for m in pattern.finditer(prose)]


def test_the_method_count_pattern():
    assert counted_methods("the 14 systems of Tables 2-3; the five decoupling methods") == ["14 systems", "five decoupling methods"]
    assert counted_methods("训练全部十四种方法；14 个方法；五种 decoupling 方法") == ["十四种方法", "14 个方法", "五种 decoupling 方法"]
    assert counted_methods("最后两个数值列是论文报告该方法时的总体准确率") == []
    assert counted_methods("the two-stage methods, one recipe for all methods, 一种选择方法") == []


@pytest.mark.parametrize("path", NOTEBOOKS + [ROOT / "README.md", ROOT / "docs" / "DESIGN.md", ROOT / "docs" / "method.md"],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_prose_counts_the_methods(path):
    if path.suffix == ".ipynb":
        found = [(c.get("id"), d) for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"
                 for d in counted_methods(c.source)]
    else:
        found = counted_methods(path.read_text(encoding="utf-8"))
    # DESIGN.md's "the two methods with their own step" names a fixed pair (mixup, BBN), not the registry
    found = [f for f in found if "two methods" not in str(f)]
    assert not found, f"{path.name} counts the methods (they are {len(__import__('lt_causal').METHODS)} today): {found}"


def test_the_readme_states_no_duration():
    """How long a set-up step or the suite takes is measured where it runs (pip, pytest print it):
    a duration typed into the README goes stale with the next test or the next machine."""
    found = typed_durations((ROOT / "README.md").read_text(encoding="utf-8"))
    assert not found, f"README.md: typed durations — let the tool that runs the step measure it: {found}"
