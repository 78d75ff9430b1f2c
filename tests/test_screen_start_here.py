"""Notebook 00 lists every notebook that exists, says how many there are, and gives measured
times only."""
import re
from pathlib import Path

import nbformat

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
START = NOTEBOOK_DIR / "00_start_here.ipynb"
WORDS = {6: "Six", 7: "Seven", 8: "Eight", 9: "Nine", 10: "Ten", 11: "Eleven", 12: "Twelve"}


def _text() -> str:
    nb = nbformat.read(START, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_start_here_lists_every_notebook_and_counts_them():
    text = _text()
    files = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))
    missing = [f for f in files if f"]({f})" not in text]
    assert not missing, f"notebook 00 does not link {missing}"
    linked = set(re.findall(r"\]\((\d\d_[^)]+\.ipynb)\)", text))
    assert linked <= set(files), f"notebook 00 links notebooks that do not exist: {sorted(linked - set(files))}"
    count = WORDS.get(len(files), str(len(files)))
    assert f"{count} notebooks" in text, f"notebook 00 should say '{count} notebooks'"
    assert "Five notebooks" not in text or len(files) == 5
    first, last = files[0][:2], files[-1][:2]
    assert f"{first}–{last}" in text


def test_start_here_says_what_each_notebook_runs_and_types_no_time():
    """The plan says what each notebook computes (its cost depends on that); times come from the
    learner's machine (progress bars, measure_epoch_seconds), so none is typed (tests/test_notebook_prose.py)."""
    text = _text()
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| (\d\d) \|.*$", text, flags=re.M)}
    for nb in ("02", "03", "07", "08"):
        assert "trains" in rows[nb], f"notebook {nb}'s row should say what it trains: {rows[nb]}"
    for nb in ("04", "05", "06"):
        assert "shipped" in rows[nb], rows[nb]
    assert "no training" in rows["04"] and "measure" in text
    for old in ("47 s", "101 s", "3 h per epoch", "10–20 min"):
        assert old not in text, f"the old typed time {old!r} is still there"
