"""One exercise as data, and the judge that turns a learner's answer into :class:`Feedback`.

An :class:`Exercise` holds every learner-facing string of one question (the question, the
one-line reason shown when the answer is right, the hint, the worked solution and one message
per typical wrong answer) and one function, ``facts``, that computes with the library every
number the texts quote: ``facts()["answer"]`` is the reference answer, never typed in. Texts
name facts as ``{name}`` or ``{name:format}`` (:func:`fill`); other braces (LaTeX) stay as they are.

The texts a learner gets back (``title``, ``why``, ``hint``, ``mistakes``) may carry a Chinese
translation in ``zh``, used under ``lc.set_language("zh")`` (:func:`own_text`); the question and the
worked solution stay English here, since the Chinese notebooks hold their own.

Two kinds of answers: ``number`` (within ``tolerance`` of the reference, or accepted by
``accept``) and ``choice`` (one of ``options``: a letter, a word such as ``up``, a knob name).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from lt_causal.checks import check_choice
from lt_causal.exercises.feedback import Feedback
from lt_causal.language import display_name, language, text

KINDS = ("number", "choice")
UNITS = ("", "%", "probability")

# learner-facing messages shared by every exercise, by name (their English and Chinese are in the
# language catalogue, lt_causal/language_strings.py; the exercise's own texts are in its definition)
MESSAGES = ("unanswered", "not_a_number", "not_an_option", "fraction_for_percent", "percent_for_fraction",
            "close", "wrong_number", "wrong_choice")


def message(name: str, **fields) -> str:
    """The shared message ``name`` (one of :data:`MESSAGES`) in the active language."""
    return text("check_" + check_choice(name, MESSAGES, "check message"), **fields)
# an exercise's own texts that :attr:`Exercise.zh` translates (``mistakes``: a dict, same keys);
# ``zh["options"]`` also holds a choice's option labels as the Chinese notebook shows them
TRANSLATED = ("title", "why", "hint", "mistakes")
_FIELD = re.compile(r"\{(\w+)(?::([^{}]*))?\}")


@dataclass(frozen=True)
class Exercise:
    """One exercise: ``id`` is ``"<notebook>.<n>"`` (``"01.1"``). ``mistakes`` maps a typical
    wrong answer to its message: for a number, the name of the fact that holds the wrong value;
    for a choice, the option. ``accept(answer, facts)`` replaces the tolerance test when given."""

    id: str
    kind: str
    title: str
    question: str
    facts: Callable[[], dict]
    why: str
    hint: str
    solution: str
    mistakes: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)        # choice: option -> its label in the question
    aliases: dict = field(default_factory=dict)        # choice: other spellings -> option
    tolerance: float = 0.0
    unit: str = ""
    example: str = "0.5"                                # the placeholder of the answer cell
    accept: Callable[[float, dict], bool] | None = None
    zh: dict = field(default_factory=dict)             # Chinese of the TRANSLATED texts (own_text)

    def __post_init__(self):
        if self.kind not in KINDS or self.unit not in UNITS:
            raise ValueError(f"exercise {self.id}: kind {self.kind!r} / unit {self.unit!r} unknown")
        if self.kind == "choice" and not self.options:
            raise ValueError(f"exercise {self.id}: a choice needs options")
        unknown = (set(self.zh) - {*TRANSLATED, "options"} or set(self.zh.get("mistakes", {})) - set(self.mistakes)
                   or set(self.zh.get("options", {})) - set(self.options))
        if unknown:
            raise ValueError(f"exercise {self.id}: zh translates unknown texts {sorted(unknown)}")

    @property
    def notebook(self) -> str:
        return self.id.split(".")[0]


def own_text(exercise: Exercise, part: str, key: str | None = None) -> str:
    """The exercise's own text ``part`` (one of :data:`TRANSLATED`; for ``mistakes`` the message of
    ``key``) in the active language: its :attr:`Exercise.zh` translation under Chinese, else English."""
    english = exercise.mistakes[key] if part == "mistakes" else getattr(exercise, part)
    if language() != "zh":
        return english
    chinese = exercise.zh.get(part)
    if part == "mistakes":
        chinese = (chinese or {}).get(key)
    return chinese or english


def fill(text: str, facts: dict) -> str:
    """``text`` with every ``{name}`` / ``{name:fmt}`` whose name is a fact replaced by its value."""
    def replace(match):
        name, fmt = match.group(1), match.group(2)
        if name not in facts:
            return match.group(0)
        return format(facts[name], fmt or "")
    return _FIELD.sub(replace, text)


def _as_number(answer) -> float | None:
    """A finite float from a number or a numeric string (a trailing % is dropped); else None."""
    if isinstance(answer, bool):
        return None
    if isinstance(answer, str):
        answer = answer.strip().rstrip("%").replace(",", "").strip()
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


_BEFORE_NOTE = re.compile(r"\s*[(（].*$")


def _as_option(exercise: Exercise, answer, facts: dict | None = None) -> str | None:
    """The option an answer names: an option key, an alias or a label as either edition shows it
    (English or Chinese, its fields filled from ``facts``; a label's words before its parenthesis
    suffice: "多样本" for "多样本（训练图像多于 100 张）"), any case, "(b)" as "b"."""
    if not isinstance(answer, str):
        return None
    names = {str(k).lower(): k for k in exercise.options}
    names.update({str(a).lower(): k for a, k in exercise.aliases.items()})
    for labels in (exercise.options, exercise.zh.get("options", {})):
        for k, label in labels.items():
            label = fill(str(label), facts or {})
            names.setdefault(label.lower(), k)
            names.setdefault(_BEFORE_NOTE.sub("", label).strip().lower(), k)
    typed = answer.strip().rstrip("。.").strip().lower()
    return names.get(typed, names.get(typed.strip("()（）").strip()))


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance + 1e-9 * max(1.0, abs(b))


def _judge_number(exercise: Exercise, value: float, facts: dict) -> tuple[str, str]:
    """(status, message) of a numeric answer."""
    tol = exercise.tolerance
    right = exercise.accept(value, facts) if exercise.accept else _close(value, facts["answer"], tol)
    if right:
        return "correct", fill(own_text(exercise, "why"), facts)
    for name in exercise.mistakes:
        if _close(value, float(facts[name]), tol):
            return "mistake", fill(own_text(exercise, "mistakes", name), facts)
    reference = float(facts["answer"])
    if exercise.unit == "%" and _close(100 * value, reference, tol):
        return "mistake", message("fraction_for_percent", answer=value)
    if exercise.unit == "probability" and _close(value / 100, reference, tol):
        return "mistake", message("percent_for_fraction", answer=value)
    if exercise.accept is None and tol > 0 and _close(value, reference, 5 * tol):
        return "wrong", message("close", tolerance=tol)
    return "wrong", message("wrong_number")


def _judge_choice(exercise: Exercise, option: str, facts: dict) -> tuple[str, str]:
    if option == facts["answer"]:
        return "correct", fill(own_text(exercise, "why"), facts)
    if option in exercise.mistakes:
        return "mistake", fill(own_text(exercise, "mistakes", option), facts)
    return "wrong", message("wrong_choice")


def in_language(facts: dict) -> dict:
    """``facts`` with every word other than the answer (``winner``: "tail") as the active language
    names it (:func:`lt_causal.language.term`: 尾部 under Chinese)."""
    return {k: display_name(v) if isinstance(v, str) and k != "answer" else v for k, v in facts.items()}


def judge(exercise: Exercise, answer, facts: dict) -> Feedback:
    """The feedback on ``answer`` (None: not answered yet) given the exercise's ``facts``, its words
    in the active language (:func:`in_language`)."""
    facts = in_language(facts)
    hint, title = fill(own_text(exercise, "hint"), facts), own_text(exercise, "title")
    make = lambda status, said: Feedback(exercise.id, title, status, said,  # noqa: E731
                                            None if status == "correct" else hint, answer)
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return make("unanswered", message("unanswered"))
    if isinstance(answer, np.generic):
        answer = answer.item()
    if exercise.kind == "number":
        value = _as_number(answer)
        if value is None:
            return make("invalid", message("not_a_number", example=exercise.example, answer=answer))
        if isinstance(answer, str) and answer.strip().endswith("%") and exercise.unit == "probability":
            value /= 100                     # "4.3%" says its unit: read it as 0.043
        try:
            return make(*_judge_number(exercise, value, facts))
        except ValueError as error:          # e.g. a knob value the library refuses
            return make("invalid", str(error))
    option = _as_option(exercise, answer, facts)
    if option is None:
        shown = ", ".join(f'"{k}"' for k in exercise.options)
        return make("invalid", message("not_an_option", options=shown, first=next(iter(exercise.options)),
                                                                 answer=answer))
    return make(*_judge_choice(exercise, option, facts))
