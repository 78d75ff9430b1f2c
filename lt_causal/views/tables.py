"""Tables as a learner sees them: :func:`show_table` formats a DataFrame for display — numbers
to a fixed precision, an empty value (NaN or None: a shot group without classes, a cell the paper
does not report) as "–", and the headers and words in the active language
(:func:`lt_causal.language.display_name`: the library's labels from the catalogue, a data set's
names as the data gives them).
Only the display changes: the DataFrame that code uses keeps its English labels."""
from __future__ import annotations

import re

from lt_causal.language import aside, display_name, term, text
from lt_causal.methods.registry import METHOD_ID

EMPTY = "–"
IDENTIFIERS = {METHOD_ID}       # index names whose values show untranslated (identifiers, not labels)
_SEED = re.compile(r"^seed (\d+)$")
_WITH_ALPHA = re.compile(r"^(.+) \((α=[^()]*)\)$")


def header(label) -> str:
    """One row or column label in the active language (numbers as ``%g``; ``seed 1`` → 种子 1;
    ``De-confound-TDE (α=3)`` → 去混杂-TDE（α=3）)."""
    if isinstance(label, float):
        return f"{label:g}"
    if isinstance(label, str):
        seed, at = _SEED.match(label), _WITH_ALPHA.match(label)
        if seed:
            return text("seed_n", n=int(seed.group(1)))
        return aside(display_name(at.group(1)), at.group(2)) if at else display_name(label)
    return str(label)


def _cell(value, precision: int) -> str:
    """One value of a column that holds words (and perhaps numbers: "not measured yet" beside 12.5)."""
    if isinstance(value, str):
        return header(value)
    if value is None or (isinstance(value, float) and value != value):
        return EMPTY
    return f"{value:.{precision}f}" if isinstance(value, float) else str(value)


def show_table(table, precision: int = 1):
    """A pandas Styler of ``table`` (a DataFrame) for a notebook: ``precision`` decimals, "–" for
    every empty value, translated headers and index names, and text values (a class name) as
    :func:`header` shows them."""
    shown = table.copy()
    shown.index = shown.index.set_names([None if n is None else header(n) for n in shown.index.names])
    shown.columns = shown.columns.set_names([None if n is None else header(n) for n in shown.columns.names])
    styler = shown.style.format(precision=precision, na_rep=EMPTY)
    words = [c for c in shown.columns if len(shown) and shown[c].map(lambda v: isinstance(v, str)).any()]
    if words:
        styler = styler.format(lambda v: _cell(v, precision), subset=words)
    flags = [c for c in shown.columns if shown[c].dtype == bool]
    if flags:
        styler = styler.format(lambda v: term("true" if v else "false"), subset=flags)
    for axis in (0, 1):
        index = table.index if axis == 0 else table.columns
        for level in range(index.nlevels):
            literal = index.names[level] in IDENTIFIERS       # what a learner types: shown as it is
            styler = styler.format_index(str if literal else header, axis=axis, level=level)
    return styler
