"""Fixtures of the browser tests: one throw-away JupyterLab server and one headless Chromium for
the session, and each notebook opened and run (Run → Run All Cells) once, in its own page.

The server, its kernels and the browser are always shut down at the end of the session, also
when a test fails (see :meth:`labdriver.JupyterLabServer.stop`). Time limits scale with the
machine and its load, measured once per session (tests/browser/timing.py); the page is a
1366×768 laptop screen.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import labdriver as lab  # noqa: E402  (tests/browser/labdriver.py)
import timing  # noqa: E402  (tests/browser/timing.py)
from labdriver import NOTEBOOK_DIR, SCREENSHOTS  # noqa: E402

VIEWPORT = {"width": 1366, "height": 768}     # the most common laptop screen


@pytest.hookimpl(trylast=True)            # after -m / -k deselection
def pytest_collection_modifyitems(config, items):
    """Give every selected browser test a pytest-timeout scaled to this machine's measured speed
    and load (no calibration when no browser test runs or Chromium/Playwright are missing)."""
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    if not browser_items or missing_requirement():
        return
    for item in browser_items:
        item.add_marker(pytest.mark.timeout(timing.limit_s(timing.TEST_S)), append=False)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(timing.describe())


def screenshot_stem(name: str) -> str:
    """The screenshots' prefix for a notebook path: ``04_tde_inference``, ``zh-04_tde_inference``."""
    return Path(name).with_suffix("").as_posix().replace("/", "-")


@dataclass
class OpenNotebook:
    """A notebook page after Run All: the Playwright page and what Run All left on it."""

    name: str
    page: object
    run_all_screenshot: Path
    problem: str | None = None            # why Run All failed (timeout, dialog), if it did
    errors: list = field(default_factory=list)
    unexecuted: list = field(default_factory=list)
    status_samples: list = field(default_factory=list)   # (s, status bar, cells executing) during Run All

    @property
    def stem(self) -> str:
        return screenshot_stem(self.name)

    def screenshot(self, what: str) -> Path:
        """Full-notebook PNG ``screenshots/<notebook>-<what>.png``."""
        return lab.full_screenshot(self.page, SCREENSHOTS / f"{self.stem}-{what}.png")

    def element_screenshot(self, locator, what: str) -> Path:
        """PNG of one element (e.g. a widget) ``screenshots/<notebook>-<what>.png``."""
        path = SCREENSHOTS / f"{self.stem}-{what}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        locator.scroll_into_view_if_needed()
        locator.screenshot(path=str(path))
        return path


def missing_requirement() -> str | None:
    if not Path(lab.CHROMIUM).exists():
        return f"{lab.CHROMIUM} is missing (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser_requirements():
    """Skip when Chromium or Playwright is missing, except in CI (``$CI`` set): an error there,
    so CI cannot pass by skipping. A fixture, not collection-time code, so that
    ``-m "not browser"`` runs never trip over it."""
    missing = missing_requirement()
    if missing and os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {missing}", pytrace=False)
    if missing:
        pytest.skip(f"browser tests skipped: {missing}")


@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory) -> Path:
    """$LT_CAUSAL_RUNS of the server's kernels: runs the notebooks train land here."""
    return tmp_path_factory.mktemp("runs")


@pytest.fixture(scope="session")
def lab_server(browser_requirements, tmp_path_factory, runs_dir):
    server = lab.JupyterLabServer(NOTEBOOK_DIR, tmp_path_factory.mktemp("jupyterlab"),
                                  env={"LT_CAUSAL_RUNS": str(runs_dir)})
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(browser_requirements):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=lab.CHROMIUM, args=lab.CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def executed_notebook(lab_server, browser):
    """``executed_notebook(name)`` → :class:`OpenNotebook`: opened and Run All done once per
    session; later calls (the interaction tests) reuse the same page and kernel."""
    cache: dict[str, OpenNotebook] = {}

    def get(name: str) -> OpenNotebook:
        if name in cache:
            return cache[name]
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.set_default_timeout(30_000)
        shot = SCREENSHOTS / f"{screenshot_stem(name)}-run-all.png"
        nb = cache[name] = OpenNotebook(name, page, shot)
        messages = lab.KernelMessages(page)
        try:
            lab.open_notebook(page, lab_server, name)
            lab.run_all(page, int(1000 * timing.limit_s(timing.RUN_ALL_TOTAL_S)),
                        stall_ms=int(1000 * timing.limit_s(timing.RUN_ALL_STALL_S)),
                        messages=messages, samples=nb.status_samples)
            page.wait_for_timeout(1500)          # let widget views render after the last reply
        except Exception as exc:                  # recorded, reported by the tests
            nb.problem = f"{type(exc).__name__}: {exc}"
            lab_server.interrupt_kernels()        # a stuck notebook must not slow the next ones
        try:
            nb.errors = lab.error_outputs(page)
            nb.unexecuted = lab.unexecuted_cells(page)
            lab.full_screenshot(page, shot)
        except Exception as exc:
            nb.problem = nb.problem or f"could not read the page or take {shot.name}: {exc}"
        return nb

    yield get
    for nb in cache.values():
        nb.page.context.close()
