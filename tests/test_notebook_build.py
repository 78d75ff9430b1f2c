"""One source for both editions (tools/notebooks.py): the committed exercise sections and Chinese
notebooks are exactly what `make notebooks` builds from the English notebooks, their translation
files and the exercise registry, and an English edit without its translation fails, naming the cell."""
from pathlib import Path

import nbformat
import pytest

import project_tools  # tests/project_tools.py

ROOT = Path(__file__).resolve().parents[1]
nbt = project_tools.load("notebooks")


def test_the_committed_notebooks_are_what_make_notebooks_builds():
    assert nbt.build(write=False) == []


def test_check_notebooks_is_the_make_target():
    makefile = (ROOT / "Makefile").read_text()
    assert "tools/notebooks.py check" in makefile and "tools/notebooks.py build" in makefile


@pytest.fixture
def english():
    path = nbt.english_notebooks()[5]
    return path, nbformat.read(path, as_version=4), nbt.read_translations(nbt.translation_path(path))


def test_the_chinese_edition_copies_code_and_translates_prose(english):
    path, nb, translations = english
    zh, problems = nbt.chinese(nb, translations, path.name)
    assert problems == []
    assert [c.source for c in zh.cells if c.cell_type == "code"][1:] == \
        [c.source for c in nb.cells if c.cell_type == "code"]
    first_code = next(i for i, c in enumerate(zh.cells) if c.cell_type == "code")
    assert zh.cells[first_code].get("id") == nbt.ZH_LANGUAGE_ID and 'set_language("zh")' in zh.cells[first_code].source
    for e, z in zip([c for c in nb.cells if c.cell_type == "markdown"], [c for c in zh.cells if c.cell_type == "markdown"]):
        assert z.source == translations[e.get("id")][1] and z.metadata["translated_from"] == nbt.stamp(e.source)


def test_an_english_edit_without_its_translation_fails_naming_the_cell(english):
    path, nb, translations = english
    cell = next(c for c in nb.cells if c.cell_type == "markdown")
    cell.source += "\n\nA new sentence."
    _, problems = nbt.chinese(nb, translations, path.name)
    assert problems == [f"{path.name}: the English of cell {cell.get('id')} changed since its translation "
                        f"(translate it again, then set its stamp to {nbt.stamp(cell.source)})"]
    nb.cells.append(nbformat.v4.new_markdown_cell("New prose.", id="brand-new"))
    _, problems = nbt.chinese(nb, translations, path.name)
    assert any("markdown cell brand-new has no translation" in p for p in problems)
    del nb.cells[-1]
    nb.cells = [c for c in nb.cells if c.get("id") != cell.get("id")]
    _, problems = nbt.chinese(nb, translations, path.name)
    assert problems == [f"{path.name}: the translation of cell {cell.get('id')} has no English cell any more"]


def test_translation_files_round_trip(tmp_path):
    blocks = [("a1", "0123456789ab", "第一段\n\n第二段"), ("b2", "ba9876543210", "代码：\n\n```\nx = 1\n```")]
    nbt.write_translations(tmp_path / "x.zh.md", blocks)
    assert [(i, s, z) for i, (s, z) in nbt.read_translations(tmp_path / "x.zh.md").items()] == blocks
    (tmp_path / "bad.zh.md").write_text("no header\n")
    with pytest.raises(nbt.BuildError, match="must start with"):
        nbt.read_translations(tmp_path / "bad.zh.md")


@pytest.mark.parametrize("path", nbt.english_notebooks(), ids=lambda p: p.name[:2])
def test_chinese_exercises_type_no_computed_number(path):
    """A number the library computes for an exercise enters the Chinese text at build time, as it
    enters the English: the translation holds ``{fact}``, not the number."""
    nb = nbformat.read(path, as_version=4)
    assert nbt.typed_facts(nb, path.name[:2], nbt.read_translations(nbt.translation_path(path))) == []


def test_a_translation_template_is_filled_from_the_facts(english):
    path, nb, translations = english
    cid = next(c.get("id") for c in nb.cells if c.cell_type == "markdown")
    translations = {**translations, cid: (translations[cid][0], "共 {n:,} 张")}
    zh, _ = nbt.chinese(nb, translations, path.name, {cid: {"n": 13996}})
    assert next(c.source for c in zh.cells if c.get("id") == cid) == "共 13,996 张"


def test_a_chinese_line_break_is_not_shown_as_a_space():
    """A break between two Chinese characters (or before bold) is joined; paragraphs, list items,
    a break next to Latin text and code fences keep theirs."""
    source = "的\n**混杂因素**（c）。在\n\n段落\n- 列表\n  一项\n- 下一项\n$x$ 与\nmore\n```\n代码\n行\n```"
    assert nbt.unwrap_chinese(source) == "的**混杂因素**（c）。在\n\n段落\n- 列表一项\n- 下一项\n$x$ 与\nmore\n```\n代码\n行\n```"


def test_the_chinese_notebooks_have_no_break_inside_a_sentence():
    import re

    found = []
    for path in sorted((ROOT / "notebooks" / "zh").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            prose = re.sub(r"```.*?```", "", cell.source, flags=re.S) if cell.cell_type == "markdown" else ""
            found += [f"{path.name} {cell.get('id')}" for _ in re.finditer(r"[\u4e00-\u9fff]\n[\u4e00-\u9fff]", prose)]
    assert not found, found[:5]
