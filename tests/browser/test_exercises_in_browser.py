"""An exercise of notebook 01 as a learner meets it in JupyterLab at 1366×768: after Run All the
answer cell says "not answered yet" and the solution is collapsed; typing a typical wrong answer
names the mistake, the right one says so, and the solution opens on a click.

Screenshots (the screen as the learner sees it, ``screenshots/``): ``01_backdoor_adjustment-
exercise-unanswered.png``, ``-exercise-mistake.png``, ``-exercise-right.png``, ``-exercise-solution.png``.
"""
from __future__ import annotations

import pytest

import labdriver as lab  # tests/browser/labdriver.py (conftest.py puts it on sys.path)
from test_notebooks_in_browser import interaction, ran_cleanly

import lt_causal as lc
from lt_causal.exercises.core import fill, message
from lt_causal.exercises.feedback import label
from lt_causal.exercises.registry import facts

pytestmark = pytest.mark.browser

NB01 = "01_backdoor_adjustment.ipynb"
EXERCISE = "01.1"
SCROLLER = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer"


def _exercise(page, exercise_id: str):
    """(question cell, answer cell, solution <details>) of an exercise, scrolled into the DOM
    (JupyterLab renders only the cells near the viewport)."""
    question = page.locator(".jp-MarkdownCell", has_text=f"Exercise {exercise_id} ·").first
    for _ in range(40):
        if question.count():
            break
        page.locator(SCROLLER).first.evaluate("el => el.scrollBy(0, el.clientHeight)")
        page.wait_for_timeout(250)
    question.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    answer = page.locator(".jp-CodeCell", has=page.locator(".lt-causal-feedback", has_text=f"[{exercise_id} ·")).first
    solution = answer.locator("xpath=following-sibling::div[contains(concat(' ', @class, ' '), ' jp-Cell ')][1]"
                              ).locator("details").first
    return question, answer, solution


def _answer(page, cell, line: str, expect: str) -> str:
    """Replace the first line of the answer cell with ``line``, run it, wait for ``expect``."""
    editor = cell.locator(".cm-content").first
    editor.click()
    page.keyboard.press("Control+Home")
    page.keyboard.press("Shift+End")
    page.keyboard.type(line)
    page.keyboard.press("Shift+Enter")
    feedback = cell.locator(".lt-causal-feedback").first
    feedback.filter(has_text=expect).wait_for(timeout=30_000)
    return feedback.text_content()


def _screen(page, question, nb, what: str):
    question.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(600)
    path = lab.SCREENSHOTS / f"{nb.stem}-{what}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    return path


def test_01_exercise_answers_back(executed_notebook):
    nb = executed_notebook(NB01)
    ran_cleanly(nb)
    page = nb.page
    values, exercise = facts(EXERCISE), lc.EXERCISES[EXERCISE]
    with interaction(nb, "exercise-unanswered"):
        question, answer, solution = _exercise(page, EXERCISE)
        shown = answer.locator(".lt-causal-feedback").first.text_content()
        assert label("unanswered") in shown and message("unanswered") in shown, shown
        assert not solution.evaluate("el => el.open"), "the solution is open before the learner asks"
        assert not solution.locator("p").first.is_visible(), "the solution's text shows while collapsed"
        assert solution.locator("summary").first.is_visible()
        _screen(page, question, nb, "exercise-unanswered")

    with interaction(nb, "exercise-mistake"):
        shown = _answer(page, answer, f"answer = {values['total']:.2f}   # Italy's crude minus China's?",
                        label("mistake"))
        assert fill(exercise.mistakes["total"], values) in shown, shown
        _screen(page, question, nb, "exercise-mistake")

    with interaction(nb, "exercise-right"):
        shown = _answer(page, answer, f"answer = {values['answer']:.2f}", label("correct"))
        assert fill(exercise.why, values) in shown, shown
        _screen(page, question, nb, "exercise-right")

    with interaction(nb, "exercise-solution"):
        solution.locator("summary").first.click()
        page.wait_for_timeout(300)
        assert solution.evaluate("el => el.open") and solution.locator("p").first.is_visible()
        assert f"{values['answer']:.2f} points" in solution.text_content()
        _screen(page, solution, nb, "exercise-solution")
