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


def test_the_patterns_catch_typed_costs_and_leave_other_numbers():
    assert typed_durations("Time: about 3 minutes on a laptop") == ["3 minutes"]
    assert typed_durations("47 s (trains three models)") == ["47 s"]
    assert typed_durations("under a minute in quick mode") == ["a minute"]
    assert typed_durations("时间：约 3 分钟（快速模式下不到一分钟）") == ["3 分钟", "一分钟"]
    assert typed_durations("lr × 0.01 at 60 % and 80 % of 200 epochs, 5 heads, `sleep 3s`") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT / "notebooks").as_posix())
def test_no_notebook_prose_states_a_duration(path):
    nb = nbformat.read(path, as_version=4)
    found = [(c.get("id"), d) for c in nb.cells if c.cell_type == "markdown" for d in typed_durations(c.source)]
    assert not found, f"{path.name}: typed durations (cell id, text) — measure them instead: {found}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT / "notebooks").as_posix())
def test_no_prose_points_at_a_cell_id(path):
    """Cell ids are invisible in JupyterLab: a hint that names one (`sgd-demo`) points at nothing."""
    nb = nbformat.read(path, as_version=4)
    ids = {c.get("id") for c in nb.cells}
    named = [(c.get("id"), word) for c in nb.cells if c.cell_type == "markdown"
             for word in re.findall(r"`([^`\n]+)`", c.source) if word in ids]
    assert not named, f"{path.name}: markdown names cell ids (cell, id): {named}"
