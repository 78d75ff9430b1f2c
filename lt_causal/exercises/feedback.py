"""The answer to ``lc.check(...)``: a plain value (status, message, hint) with a thin rendering,
an HTML box in JupyterLab and a text line in a terminal or a headless run.

``status`` is one of :data:`STATUSES`: ``unanswered`` (the answer is still None), ``correct``,
``mistake`` (a typical wrong answer, recognised and named), ``wrong`` (any other wrong answer)
or ``invalid`` (an answer of the wrong type, e.g. a word where a number is asked for).
Messages may use three marks of Markdown, drawn in HTML: ``**bold**``, ``*italic*`` and ``` `code` ```.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from lt_causal.language import text

STATUSES = ("unanswered", "correct", "mistake", "wrong", "invalid")
# learner-facing: the heading of each status, as keys of the language catalogue
# (lt_causal/language_strings.py); colours: (border, background)
LABELS = {"unanswered": "check_unanswered_label", "correct": "check_correct_label", "mistake": "check_wrong_label",
          "wrong": "check_wrong_label", "invalid": "check_invalid_label"}


def label(status: str) -> str:
    """The heading of a feedback ``status`` in the active language."""
    return text(LABELS[status])


_COLOURS = {"unanswered": ("#8a8a8a", "#f4f4f4"), "correct": ("#2e7d32", "#e8f5e9"),
            "mistake": ("#b26a00", "#fff4e0"), "wrong": ("#b26a00", "#fff4e0"),
            "invalid": ("#c62828", "#fdecea")}
_ICONS = {"unanswered": "✎", "correct": "✓", "mistake": "✗", "wrong": "✗", "invalid": "?"}
_MARKS = ((re.compile(r"\*\*(.+?)\*\*"), r"<b>\1</b>"), (re.compile(r"`(.+?)`"), r"<code>\1</code>"),
          (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"<i>\1</i>"))


def inline_html(text: str) -> str:
    """``text`` escaped for HTML, with its **bold**, *italic* and `code` marks drawn."""
    text = html.escape(text)
    for pattern, replacement in _MARKS:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True)
class Feedback:
    """What a check says about one answer. ``hint`` is None when the answer is right."""

    exercise: str
    title: str
    status: str
    message: str
    hint: str | None = None
    answer: Any = None

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"unknown feedback status {self.status!r}; choose one of {', '.join(STATUSES)}")

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        lines = [f"[{self.exercise}] {label(self.status)}: {self.message}"]
        if self.hint:
            lines.append(f"{text('check_hint')}: {self.hint}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        border, background = _COLOURS[self.status]
        esc = html.escape
        answer = "" if self.status == "unanswered" else \
            f' <span style="color:#555">({esc(text("check_your_answer"))}: <code>{esc(repr(self.answer))}</code>)</span>'
        hint = f'<div style="margin-top:4px"><b>{esc(text("check_hint"))}:</b> {inline_html(self.hint)}</div>' if self.hint else ""
        return (f'<div class="lt-causal-feedback lt-causal-feedback-{self.status}" style="border-left:5px solid '
                f'{border};background:{background};padding:6px 10px;margin:4px 0;color:#1a1a1a;'
                f'max-width:60em;line-height:1.45">'
                f'<div><b style="color:{border}">{_ICONS[self.status]} {esc(label(self.status))}</b> '
                f'<span style="color:#555">[{esc(self.exercise)} · {esc(self.title)}]</span>{answer}</div>'
                f'<div style="margin-top:2px">{inline_html(self.message)}</div>{hint}</div>')
