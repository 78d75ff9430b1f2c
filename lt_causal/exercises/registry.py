"""The one registry of exercises (id → :class:`Exercise`), ``check(id, answer)`` and the cells of
a notebook's exercise section, generated from the registry so that the texts are written once.

    >>> import lt_causal as lc
    >>> lc.check("01.1", None).status
    'unanswered'
"""
from __future__ import annotations

from functools import lru_cache

from lt_causal.checks import check_choice
from lt_causal.exercises import nb01, nb02, nb03, nb04, nb05, nb06, nb07
from lt_causal.exercises.core import Exercise, fill, judge
from lt_causal.exercises.feedback import Feedback
from lt_causal.language import using_language

EXERCISES: dict[str, Exercise] = {ex.id: ex for module in (nb01, nb02, nb03, nb04, nb05, nb06, nb07)
                                  for ex in module.EXERCISES}

# learner-facing texts of the generated section
SECTION_TITLE = "## Check yourself"
SECTION_INTRO = ("Predict or compute first, then check. Write your answer in place of `None` and run "
                 "the cell: `lc.check` says whether it is right, or which step is off, with a hint. "
                 "The worked solution opens on demand, below each exercise.")
SOLUTION_LABEL = "Solution"
ANSWER_PROMPT = "your answer, e.g. {example}"
OPTIONS_LABEL = "Answer with one of:"
# the precision a numeric exercise checks, stated under its question ({tolerance}: a fact of every exercise)
PRECISION = {"tolerance": "*The check accepts ±{tolerance:g}.*", "points": "*The check accepts ±{tolerance:g} points.*",
             "exact": "*The check asks for the exact whole number.*"}


def precision_key(exercise: Exercise) -> str | None:
    """Which :data:`PRECISION` sentence the exercise's question ends with (None: a choice, or an
    exercise whose question states its own rule, ``accept``)."""
    if exercise.kind != "number" or exercise.accept is not None:
        return None
    if exercise.tolerance == 0:
        return "exact"
    return "points" if exercise.unit == "%" else "tolerance"


def get_exercise(exercise_id: str) -> Exercise:
    """The exercise called ``exercise_id`` (``"01.1"``); an unknown id is one ValueError listing the valid ones."""
    return EXERCISES[check_choice(str(exercise_id), EXERCISES, "exercise")]


@lru_cache(maxsize=None)
def _facts(exercise_id: str) -> dict:
    """Cached once for both languages: a fact that is a sentence of the library's (01.4's refused
    set) is a :class:`~lt_causal.language.Phrase`, worded when a text is filled."""
    exercise = EXERCISES[exercise_id]
    return {"tolerance": exercise.tolerance, **exercise.facts()}


def facts(exercise_id: str) -> dict:
    """The numbers an exercise's texts quote, computed by the library (``"answer"``: the reference)."""
    return dict(_facts(get_exercise(exercise_id).id))


def check(exercise_id: str, answer=None) -> Feedback:
    """Check a learner's ``answer`` to exercise ``exercise_id``: right (and why), a named typical
    mistake, another wrong answer (with a hint), not answered yet (None) or unreadable."""
    exercise = get_exercise(exercise_id)
    return judge(exercise, answer, _facts(exercise.id))


def exercises_of(notebook: str) -> list[Exercise]:
    """The exercises of notebook ``"01"`` … ``"07"`` in order."""
    return [ex for ex in EXERCISES.values() if ex.notebook == str(notebook)]


def question_markdown(exercise: Exercise) -> str:
    """The question cell of the English edition: title, question and, for a choice, the options."""
    values = _facts(exercise.id)
    title = exercise.title if exercise.title[-1:] in "?!." else f"{exercise.title}."
    with using_language("en"):                         # a Phrase fact is worded in English here
        text = f"**Exercise {exercise.id} · {title}** {fill(exercise.question, values)}"
        if exercise.kind == "choice":
            options = "\n".join(f"- `\"{key}\"`: {fill(label, values)}" if label != key else f"- `\"{key}\"`"
                                for key, label in exercise.options.items())
            text += f"\n\n{OPTIONS_LABEL}\n\n{options}"
        key = precision_key(exercise)
        if key:
            text += " " + fill(PRECISION[key], values)
    return text


def answer_code(exercise: Exercise) -> str:
    """The answer cell: ``answer = None`` and one ``lc.check`` call."""
    prompt = ANSWER_PROMPT.format(example=exercise.example)
    return f"answer = None   # {prompt}\nlc.check(\"{exercise.id}\", answer)"


def solution_markdown(exercise: Exercise) -> str:
    """The worked solution of the English edition, collapsed in a ``<details>`` element until the learner opens it."""
    with using_language("en"):
        solution = fill(exercise.solution, _facts(exercise.id))
    return f"<details><summary>{SOLUTION_LABEL}</summary>\n\n{solution}\n\n</details>"


def exercise_cells(notebook: str) -> list[tuple[str, str]]:
    """(cell type, source) of notebook ``notebook``'s exercise section, in order."""
    cells = [("markdown", f"{SECTION_TITLE}\n\n{SECTION_INTRO}")]
    for exercise in exercises_of(notebook):
        cells += [("markdown", question_markdown(exercise)), ("code", answer_code(exercise)),
                  ("markdown", solution_markdown(exercise))]
    return cells
