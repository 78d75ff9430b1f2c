"""Build the notebooks from one source: the English notebook ``notebooks/NN_topic.ipynb``, its
translation file ``notebooks/translations/NN_topic.zh.md`` and the exercise registry.

    python tools/notebooks.py build     # make notebooks: writes the exercise sections and notebooks/zh/
    python tools/notebooks.py check     # make check-notebooks: writes nothing, fails on any difference

What it builds:

* the "Check yourself" section of each English notebook (near its end), from
  :func:`lt_causal.exercises.registry.exercise_cells`;
* ``notebooks/zh/NN_topic.ipynb``: the English notebook's cells in order, code cells copied as they
  are, each markdown cell replaced by its translation (:func:`unwrap_chinese`), and one code cell that switches the
  figures and widgets to Chinese (:data:`ZH_LANGUAGE_CELL`) before the first code cell.

A translation file holds one block per markdown cell, headed by the cell's id and the stamp
(:func:`stamp`) of the English text it translates::

    <!-- cell nb05-00 from aa1e9fd5b0f7 -->
    # 05 · 完整训练 ...

An English cell without a translation, or changed since its translation (its stamp differs),
fails the build with the cell named and its new stamp; a translation of a cell that no longer
exists fails too.
"""
from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import build_cli  # tools/build_cli.py (the folder of this script is on sys.path)

import nbformat

ROOT = Path(__file__).resolve().parents[1]
EN_DIR = ROOT / "notebooks"
ZH_DIR = EN_DIR / "zh"
TRANSLATIONS = EN_DIR / "translations"
ZH_LANGUAGE_ID = "zh-language"
ZH_LANGUAGE_CELL = 'import lt_causal as lc\nlc.set_language("zh")   # 图表和控件也使用中文（默认为英文）'
_BLOCK = re.compile(r"^<!-- cell (\S+) from ([0-9a-f]{12}) -->\n", re.M)


class BuildError(Exception):
    """What is out of date, one line per problem."""


def stamp(source: str) -> str:
    """The stamp of an English markdown cell: the first 12 hex digits of its SHA-1."""
    return hashlib.sha1(source.encode()).hexdigest()[:12]


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def english_notebooks() -> list[Path]:
    return sorted(EN_DIR.glob("[0-9][0-9]_*.ipynb"))


def translation_path(notebook: Path) -> Path:
    return TRANSLATIONS / f"{notebook.stem}.zh.md"


def read_translations(path: Path) -> dict[str, tuple[str, str]]:
    """{cell id: (stamp of the English it translates, Chinese markdown)} of a translation file."""
    if not path.is_file():
        raise BuildError(f"{_rel(path)} is missing: every notebook needs its translation file")
    text = path.read_text(encoding="utf-8")
    heads = list(_BLOCK.finditer(text))
    if not heads or text[:heads[0].start()].strip():
        raise BuildError(f"{_rel(path)} must start with a '<!-- cell ID from STAMP -->' line")
    out = {}
    for head, nxt in zip(heads, heads[1:] + [None]):
        body = text[head.end():nxt.start() if nxt else len(text)]
        cell_id = head.group(1)
        if cell_id in out:
            raise BuildError(f"{_rel(path)}: cell {cell_id} is translated twice")
        out[cell_id] = (head.group(2), body[:-2] if body.endswith("\n\n") else body.rstrip("\n"))
    return out


def write_translations(path: Path, blocks: list[tuple[str, str, str]]) -> None:
    """Write (cell id, stamp, Chinese) blocks in the notebook's order."""
    path.write_text("".join(f"<!-- cell {i} from {s} -->\n{zh}\n\n" for i, s, zh in blocks), encoding="utf-8")


def exercise_facts(nb, key: str) -> dict:
    """{cell id: the facts of its exercise} for the question and solution cells of the exercise
    section: their Chinese, like their English, is a template the library's facts fill at build time
    (:func:`chinese` fills it in Chinese: a fact may be one of the library's sentences, a Phrase)."""
    from lt_causal.exercises.registry import SECTION_TITLE, exercises_of, facts

    exercises = exercises_of(key)
    starts = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith(SECTION_TITLE)]
    if not exercises or len(starts) != 1:
        return {}
    out = {}
    for k, exercise in enumerate(exercises):
        values = facts(exercise.id)
        for offset in (1, 3):                        # question, (answer code), solution
            out[nb.cells[starts[0] + 3 * k + offset].get("id")] = values
    return out


def typed_facts(nb, key: str, translations: dict) -> list[str]:
    """Numbers the library computes that a Chinese exercise block types instead of leaving to
    :func:`exercise_facts` (a number of three or more characters that equals a fact, formatted as the
    English template formats it): ``"<cell id>: <fact> = <number>"``."""
    from lt_causal.exercises.core import _FIELD
    from lt_causal.exercises.registry import SECTION_TITLE, exercises_of

    fills, found = exercise_facts(nb, key), []
    starts = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith(SECTION_TITLE)]
    for k, exercise in enumerate(exercises_of(key) if starts else []):
        for offset, template in ((1, exercise.question + " " + " ".join(map(str, exercise.options.values()))),
                                 (3, exercise.solution)):
            cid = nb.cells[starts[0] + 3 * k + offset].get("id")
            zh, values = translations.get(cid, ("", ""))[1], fills.get(cid, {})
            for m in _FIELD.finditer(template):
                value = values.get(m.group(1))
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    shown = format(value, m.group(2) or "")
                    if len(shown) >= 3 and re.search(r"(?<![\d.,{])" + re.escape(shown) + r"(?![\d])", zh):
                        found.append(f"{cid}: {m.group(1)} = {shown}")
    return sorted(set(found))


def with_exercises(nb, key: str):
    """The English notebook with its exercise section as the registry writes it (cells kept, sources
    set): the section starts at the cell headed ``## Check yourself`` and holds the registry's cells
    in order; cells after it (a part to read once the exercises are done) are kept as they are."""
    from lt_causal.exercises.registry import SECTION_TITLE, exercise_cells, exercises_of

    if not exercises_of(key):
        return nb
    expected = exercise_cells(key)
    starts = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith(SECTION_TITLE)]
    if len(starts) != 1:
        raise BuildError(f"{key}: the notebook needs exactly one '{SECTION_TITLE}' cell, found {len(starts)}")
    section = nb.cells[starts[0]:starts[0] + len(expected)]
    if [c.cell_type for c in section] != [t for t, _ in expected]:
        raise BuildError(f"{key}: the exercise section does not hold the registry's {len(expected)} cells "
                         f"in order (add or remove cells after '{SECTION_TITLE}' to match)")
    for cell, (_, source) in zip(section, expected):
        cell.source = source
    return nb


# a Chinese character or CJK punctuation (full-width forms included)
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_WRAP = re.compile(f"(?<=[{_CJK}*])\n[ \t]*(?=[{_CJK}]|\\*\\*\\S)")   # bold (**…**) counts as text
_FENCE = re.compile(r"(```.*?```)", re.S)


def unwrap_chinese(markdown: str) -> str:
    """``markdown`` with every line break between two Chinese characters removed, outside code
    fences: a translation is wrapped for its editor, but a browser shows such a break as a space
    in the middle of a Chinese sentence. Paragraphs, list items and tables keep their breaks."""
    parts = _FENCE.split(markdown)
    return "".join(part if i % 2 else _WRAP.sub("", part) for i, part in enumerate(parts))


def chinese(nb, translations: dict, name: str, fills: dict | None = None):
    """The Chinese edition of English notebook ``nb``; the translations of the cells in ``fills``
    ({cell id: facts}) are templates whose ``{fact}`` fields are filled (:func:`exercise_facts`)."""
    from lt_causal.exercises.core import fill
    from lt_causal.language import using_language

    fills = fills or {}
    problems, cells, switched = [], [], False
    ids = {c.get("id") for c in nb.cells}
    for cell in nb.cells:
        if cell.cell_type == "code" and not switched:
            cells.append(nbformat.v4.new_code_cell(ZH_LANGUAGE_CELL, id=ZH_LANGUAGE_ID))
            switched = True
        if cell.cell_type == "markdown":
            cid, want = cell.get("id"), stamp(cell.source)
            if cid not in translations:
                problems.append(f"{name}: markdown cell {cid} has no translation (add a block "
                                f"'<!-- cell {cid} from {want} -->')")
                continue
            have, zh = translations[cid]
            if have != want:
                problems.append(f"{name}: the English of cell {cid} changed since its translation "
                                f"(translate it again, then set its stamp to {want})")
            if cid in fills:
                with using_language("zh"):
                    zh = fill(zh, fills[cid])
            zh = unwrap_chinese(zh)
            cells.append(nbformat.v4.new_markdown_cell(zh, id=cid, metadata={"translated_from": have}))
        else:
            cells.append(nbformat.v4.new_code_cell(cell.source, id=cell.get("id"), metadata=dict(cell.metadata)))
    problems += [f"{name}: the translation of cell {cid} has no English cell any more"
                 for cid in translations if cid not in ids]
    out = nbformat.v4.new_notebook(cells=cells, metadata=dict(nb.metadata))
    out.nbformat, out.nbformat_minor = nb.nbformat, nb.nbformat_minor
    return out, problems


def build(write: bool = True) -> list[str]:
    """Build (or, with ``write=False``, compare) every notebook; the list of what differs or fails."""
    problems = []
    for path in english_notebooks():
        before = path.read_text(encoding="utf-8")
        try:
            nb = with_exercises(nbformat.reads(before, as_version=4), path.name[:2])
        except BuildError as exc:
            problems.append(str(exc))
            continue
        english = nbformat.writes(nb) + "\n"
        try:
            zh_nb, found = chinese(nb, read_translations(translation_path(path)), path.name,
                                   exercise_facts(nb, path.name[:2]))
        except BuildError as exc:
            problems.append(str(exc))
            continue
        problems += found
        zh_path = ZH_DIR / path.name
        zh = nbformat.writes(zh_nb) + "\n"
        for target, text, old in ((path, english, before),
                                  (zh_path, zh, zh_path.read_text(encoding="utf-8") if zh_path.exists() else None)):
            if text != old:
                if write and not found:
                    target.write_text(text, encoding="utf-8")
                elif not write:
                    problems.append(f"{_rel(target)} differs from what `make notebooks` builds")
    return problems


def main(argv=None) -> int:
    return build_cli.run("Build the exercise sections and the Chinese notebooks.", lambda write: build(write=write), argv, (BuildError,))


if __name__ == "__main__":
    sys.exit(main())
