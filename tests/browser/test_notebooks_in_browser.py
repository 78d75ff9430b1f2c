"""The notebooks as a learner uses them: JupyterLab in headless Chromium, Run All from the menu,
then the widgets moved with mouse and keyboard; every assertion is on what the page shows.

Screenshots (PNG) go to ``screenshots/`` at the repository root (git-ignored):
``<notebook>-run-all.png`` after Run All and ``<notebook>-<interaction>.png`` after each
interaction; a failing test names the one to look at. The page is a 1366×768 laptop screen;
``04_tde_inference-explorer-1366x768.png`` is that screen with the α explorer scrolled to the top.
Time limits: see timing.py (scaled to the machine's measured speed and load).
"""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

import labdriver as lab  # tests/browser/labdriver.py (conftest.py puts it on sys.path)
from labdriver import NOTEBOOK_DIR, ROOT

pytestmark = pytest.mark.browser

# the English notebooks and their Chinese edition (notebooks/zh/)
NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb")) + sorted(
    f"zh/{p.name}" for p in (NOTEBOOK_DIR / "zh").glob("*.ipynb"))
NB01 = "01_backdoor_adjustment.ipynb"
NB02 = "02_momentum_bias.ipynb"
NB04 = "04_tde_inference.ipynb"
NB05 = "05_full_training.ipynb"
NB07 = "07_every_system.ipynb"


def need(name: str) -> None:
    if not (NOTEBOOK_DIR / name).is_file():
        pytest.skip(f"notebooks/{name} does not exist yet")


def ran_cleanly(nb) -> None:
    """Fail (naming the screenshot) unless Run All finished without error output."""
    see = f"(screenshot: {nb.run_all_screenshot.relative_to(ROOT)})"
    if nb.problem:
        pytest.fail(f"Run All of {nb.name} did not finish: {nb.problem} {see}", pytrace=False)
    if nb.errors:
        pytest.fail(f"{nb.name} shows error output after Run All {see}:\n" + "\n---\n".join(nb.errors),
                    pytrace=False)
    if nb.unexecuted:
        pytest.fail(f"{nb.name}: code cells {nb.unexecuted} (0-based, among code cells) were not "
                    f"executed by Run All {see}", pytrace=False)


def output_area(page, css_class: str):
    """The output area of the code cell whose output holds an element with ``css_class``."""
    return page.locator(f".jp-CodeCell:has(.{css_class}) .jp-OutputArea").first


def drawing_state(area) -> list[str]:
    """The geometry the figures in an output area draw (SVG paths and rects, image sources);
    texts are left out so that a changed legend alone does not count as a changed plot."""
    return area.evaluate("""(el) => [
      ...[...el.querySelectorAll('svg path, svg rect')].map(e =>
          (e.getAttribute('d') || '') + (e.getAttribute('x') || '') + (e.getAttribute('height') || '')),
      ...[...el.querySelectorAll('img')].map(e => e.src.slice(-200))]""")


def slider_handle(page, css_class: str):
    """The keyboard-focusable handle of the ipywidgets 8 (noUiSlider) slider with ``css_class``."""
    return page.locator(f".{css_class} .noUi-handle").first


def readout(page, css_class: str) -> str:
    return page.locator(f".{css_class} .widget-readout").first.text_content().strip()


def press_until(page, css_class: str, target: str, key: str = "ArrowRight", limit: int = 200) -> int:
    """Press ``key`` on the focused slider handle until its readout shows ``target``."""
    handle = slider_handle(page, css_class)
    handle.focus()
    for presses in range(limit + 1):
        if readout(page, css_class) == target:
            return presses
        handle.press(key)
        page.wait_for_timeout(60)
    raise AssertionError(f"slider .{css_class} never showed {target!r} (last {readout(page, css_class)!r})")


@contextmanager
def interaction(nb, what: str):
    """Yield the screenshot path ``screenshots/<notebook>-<what>.png``; a failure inside is
    re-raised with that screenshot (taken at the moment of failure) named in the message."""
    path = (lab.SCREENSHOTS / f"{nb.stem}-{what}.png").relative_to(ROOT)
    try:
        yield path
    except (AssertionError, TimeoutError, lab.PlaywrightError) as exc:
        try:
            nb.screenshot(what)
        except Exception as shot_exc:                  # keep the original failure
            path = f"{path} could not be taken: {shot_exc}"
        raise AssertionError(f"{exc}\n(screenshot: {path})") from exc


def wait_for_change(page, read, before, timeout_ms: int = 20_000):
    """Poll ``read()`` until it differs from ``before``; return the new value (or the old one)."""
    waited = 0
    value = read()
    while value == before and waited < timeout_ms:
        page.wait_for_timeout(200)
        waited += 200
        value = read()
    return value


# ------------------------------------------------------------------------------ Run All


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_run_all_shows_no_errors(name, executed_notebook):
    nb = executed_notebook(name)
    ran_cleanly(nb)
    assert nb.page.locator(".jp-OutputArea-output").count() > 0, (
        f"{name} shows no output at all after Run All "
        f"(screenshot: {nb.run_all_screenshot.relative_to(ROOT)})")


def longest_idle_while_running(samples) -> float:
    """The longest stretch (s) in which the status bar read Idle while a cell was executing."""
    longest, since = 0.0, None
    for t, status, running in samples:
        if running > 0 and status.endswith("| Idle"):
            since = t if since is None else since
            longest = max(longest, t - since)
        else:
            since = None
    return longest


@pytest.mark.parametrize("name", ["02_momentum_bias.ipynb", "03_deconfound_training.ipynb"])
def test_a_training_cell_looks_busy_while_it_trains(name, executed_notebook):
    """JupyterLab's status bar said Idle for many seconds while 02's and 03's training cells ran:
    with comms over kernel subshells (JupyterLab's default), the first widget the cell shows
    makes the frontend send a control-channel request whose reply status is 'idle'. The
    environment's overrides.json (jupyter/overrides.json, installed by make) keeps comms on the
    main shell."""
    nb = executed_notebook(name)
    ran_cleanly(nb)
    running = [s for s in nb.status_samples if s[2] > 0]
    assert len(running) > 10, f"too few status samples while cells ran: {nb.status_samples[:5]}"
    assert longest_idle_while_running(nb.status_samples) < 1.0, [s for s in running if s[1].endswith("Idle")][:10]


# ------------------------------------------------------------------ 01: backdoor calculator


def test_01_backdoor_calculator_recomputes_the_adjusted_probability(executed_notebook):
    need(NB01)
    from lt_causal import backdoor_adjustment
    from lt_causal.causal.backdoor import load_example

    nb = executed_notebook(NB01)
    ran_cleanly(nb)
    page = nb.page
    covid = load_example("covid")
    row = 3                                               # the >= 65 group: change its deaths
    with interaction(nb, "calculator"):
        cell = page.locator(f".lt-backdoor-outcomes.lt-backdoor-row-{row} input").first
        adjusted = page.locator(".lt-backdoor-adjusted").first
        before = adjusted.text_content()
        assert int(cell.input_value()) == covid.loc[row, "deaths"], "the calculator does not show the COVID table"
        new = int(covid.loc[row, "deaths"]) + 8
        cell.scroll_into_view_if_needed()
        cell.fill(str(new))
        cell.press("Enter")
        after = wait_for_change(page, adjusted.text_content, before)
        nb.screenshot("calculator")
        nb.element_screenshot(page.locator(".lt-backdoor-calculator").first, "calculator-widget")

        covid.loc[row, "deaths"] = new
        expected = backdoor_adjustment(covid, treatment="infected", outcome="deaths",
                                       adjustment="age", population="population").adjusted
        assert after != before, f"P(Y | do(X)) still shows {before!r} after the edit"
        assert re.search(r"=\s*([0-9.]+)", after).group(1) == f"{expected:.4f}", (
            f"page shows {after!r}, lt_causal.backdoor_adjustment gives {expected:.6f} for the edited table")


# ------------------------------------------------------------------------ 04: α slider

TDE_SLIDER = "lt-knob-slider-tde"


def _shot_accuracies(area) -> dict:
    """The accuracy table of the α explorer as shown: {group: float(data-value)}."""
    return {g: float(area.locator(f"td.lt-knob-{g}").first.get_attribute("data-value"))
            for g in ("overall", "many", "medium", "few") if area.locator(f"td.lt-knob-{g}").count()}


def _library_accuracies(run, alpha: float) -> dict:
    """``run.evaluate(alpha)`` with the 2 decimals the page shows."""
    return {g: float(f"{v:.2f}") for g, v in run.evaluate(alpha).items() if v is not None}


def _run_shown_on_page(area, runs_dir):
    """The run the α explorer shows, by the name in its title: ``pretrained:<name>`` (a shipped
    run) or the folder name of a run the notebook trained into $LT_CAUSAL_RUNS."""
    from lt_causal.evaluation.runs import find_runs
    from lt_causal.evaluation.loading import load_run

    name = area.locator(".lt-knob-title code").first.text_content().strip()
    if name.startswith("pretrained:"):
        return load_run(name)
    runs = [path for path in find_runs(runs_dir) if path.name == name]
    assert runs, (f"the explorer's title names the run {name!r}, which is not under "
                  f"$LT_CAUSAL_RUNS={runs_dir}: {[p.name for p in find_runs(runs_dir)]}")
    return load_run(runs[0])


def _inside(box, frame) -> bool:
    return (box is not None and box["x"] >= frame["x"] - 1 and box["y"] >= frame["y"] - 1
            and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
            and box["y"] + box["height"] <= frame["y"] + frame["height"] + 1)


def test_04_explorer_fits_a_laptop_screen(executed_notebook):
    """At 1366×768 a learner moving α sees the numbers, the bars and the curve at once."""
    need(NB04)
    nb = executed_notebook(NB04)
    ran_cleanly(nb)
    page = nb.page
    assert page.viewport_size == {"width": 1366, "height": 768}
    with interaction(nb, "explorer-on-screen"):
        explorer = page.locator(".lt-knob-explorer").first
        explorer.evaluate("el => el.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(800)
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer").first
        frame = panel.bounding_box()
        parts = {"slider": explorer.locator(f".{TDE_SLIDER}").first,
                 "test-prior menu": explorer.locator(".lt-knob-prior select").first,
                 "numbers": explorer.locator(".lt-knob-summary").first,
                 "per-class bars": explorer.locator(".js-plotly-plot").nth(0),
                 "accuracy-vs-α curve": explorer.locator(".js-plotly-plot").nth(1)}
        boxes = {name: loc.bounding_box() for name, loc in parts.items()}
        shot = lab.SCREENSHOTS / f"{nb.stem}-explorer-1366x768.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))             # the screen as the learner sees it
        height = explorer.bounding_box()["height"]
        assert height <= 440, f"the explorer is {height:.0f} px tall: more than a 768 px screen shows below the bars"
        off = [name for name, box in boxes.items() if not _inside(box, frame)]
        assert not off, (f"not on the 1366×768 screen together: {off} (notebook area {frame}, "
                         f"boxes {boxes})")
        title = explorer.locator(".lt-knob-title").first.text_content()
        assert "run" in title and explorer.locator(".lt-knob-title code").count() == 1


def test_04_alpha_slider_moves_accuracy_from_head_to_tail(executed_notebook, runs_dir):
    need(NB04)
    nb = executed_notebook(NB04)
    ran_cleanly(nb)
    page = nb.page
    step = 0.05
    with interaction(nb, "alpha-slider"):
        area = output_area(page, TDE_SLIDER)
        assert readout(page, TDE_SLIDER) == "0.00", "the α slider does not start at 0"
        summary = area.locator(".lt-knob-summary").first
        at_zero = _shot_accuracies(area)
        drawn_at_zero = drawing_state(area)
        # The suggested α as the curve annotates it ("α·cos≈1 (1.23)"), rounded to the step.
        note = area.locator("svg text", has_text=re.compile("cos≈1")).first.text_content()
        suggested = float(re.search(r"\(([0-9.]+)\)", note).group(1))
        target = round(round(suggested / step) * step, 2)

        summary_before = summary.text_content()
        presses = press_until(page, TDE_SLIDER, f"{target:.2f}")
        wait_for_change(page, summary.text_content, summary_before)
        page.wait_for_timeout(1000)                   # plotly redraws after the model update
        shown = _shot_accuracies(area)
        drawn = drawing_state(area)
        nb.screenshot("alpha-slider")
        nb.element_screenshot(area, "alpha-slider-widget")

        assert presses == round(target / step), f"{presses} ArrowRight presses moved α to {target}"
        assert f"= {target:.2f}" in summary.text_content(), f"summary shows {summary.text_content()!r}"
        tail = "few" if "few" in at_zero else "medium"     # CIFAR-10-LT r=100 has no few-shot class
        assert shown[tail] > at_zero[tail], f"{tail}-shot accuracy did not rise: α=0 {at_zero}, α={target} {shown}"
        assert shown["many"] < at_zero["many"], f"many-shot accuracy did not fall: α=0 {at_zero}, α={target} {shown}"
        assert drawn != drawn_at_zero, "the plots did not change when α moved"
        # The numbers on the page are the library's, for the run the title names.
        run = _run_shown_on_page(area, runs_dir)
        assert f"{run.suggested_alpha():.2f}" == f"{suggested:.2f}"
        for alpha, on_page in ((0.0, at_zero), (target, shown)):
            library = _library_accuracies(run, alpha)
            assert on_page == library, f"α={alpha}: page shows {on_page}, {run}.evaluate gives {library}"

    with interaction(nb, "test-prior"):
        # The test-prior menu: "as in training" re-weights overall, the groups stay.
        menu = area.locator(".lt-knob-prior select").first
        before = summary.text_content()
        menu.select_option(label="as in training")
        wait_for_change(page, summary.text_content, before)
        page.wait_for_timeout(1000)
        under_train = _shot_accuracies(area)
        best = float(area.locator(".lt-knob-best").first.get_attribute("data-value"))
        nb.element_screenshot(area, "test-prior-widget")
        area.locator(".lt-knob-explorer").first.evaluate("el => el.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(500)
        page.screenshot(path=str(lab.SCREENSHOTS / f"{nb.stem}-test-prior-1366x768.png"))   # the learner's screen
        library = {g: float(f"{v:.2f}") for g, v in run.evaluate(target, prior="train").items() if v is not None}
        assert under_train == library, f"test prior 'train': page shows {under_train}, library {library}"
        assert under_train[tail] == shown[tail] and under_train["overall"] != shown["overall"]
        curve = run.sweep([round(0.05 * k, 2) for k in range(61)], prior="train")
        assert best == float(f"{curve['overall'].idxmax():.2f}"), f"best α shown {best}"
        assert "train test prior" in summary.text_content()


# ------------------------------------------------------------------------ 02: μ slider

MU_SLIDER = "lt-mu-slider"


def test_02_mu_slider_changes_the_figure(executed_notebook):
    need(NB02)
    nb = executed_notebook(NB02)
    ran_cleanly(nb)
    page = nb.page
    with interaction(nb, "mu-slider"):
        area = output_area(page, MU_SLIDER)
        before_value, before = readout(page, MU_SLIDER), drawing_state(area)
        handle = slider_handle(page, MU_SLIDER)
        handle.focus()
        for key in ("ArrowRight", "ArrowLeft"):        # left only if μ starts at its maximum
            for _ in range(3):
                handle.press(key)
                page.wait_for_timeout(100)
            if readout(page, MU_SLIDER) != before_value:
                break
        after_value = readout(page, MU_SLIDER)
        after = wait_for_change(page, lambda: drawing_state(area), before)
        page.wait_for_timeout(500)
        nb.screenshot("mu-slider")
        nb.element_screenshot(area, "mu-slider-widget")
        assert after_value != before_value, f"the μ slider readout stayed at {before_value}"
        assert after != before, f"the figure did not change when μ moved {before_value} -> {after_value}"


# ------------------------------------------------------------------ the Chinese edition

CJK = re.compile(r"[\u4e00-\u9fff]")


def _shoot_on_screen(nb, locator, what: str):
    """Scroll ``locator`` to the top of the notebook and take the 1366×768 screen as it is."""
    locator.evaluate("el => el.scrollIntoView({block: 'start'})")
    nb.page.wait_for_timeout(800)
    path = lab.SCREENSHOTS / f"{nb.stem}-{what}-1366x768.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    nb.page.screenshot(path=str(path))
    return path


def test_zh_01_shows_chinese_prose_figures_and_calculator(executed_notebook):
    """The Chinese edition's text, matplotlib figure (the fork) and calculator widget render in
    Chinese; the screen with the figure is saved for a person to look at (no tofu boxes)."""
    name = "zh/" + NB01
    need(name)
    nb = executed_notebook(name)
    ran_cleanly(nb)
    page = nb.page
    with interaction(nb, "chinese"):
        heading = page.locator(".jp-RenderedMarkdown h1").first.text_content()
        assert CJK.search(heading), f"the title is not Chinese: {heading!r}"
        figure = page.locator(".jp-OutputArea-output img").first
        figure.wait_for()
        _shoot_on_screen(nb, page.locator(".jp-Cell:has(.jp-OutputArea-output img)").first, "figure")
        calculator = page.locator(".lt-backdoor-calculator").first
        headers = calculator.locator(".widget-html b").all_text_contents()
        assert any(CJK.search(h) for h in headers), f"calculator headers are not Chinese: {headers}"
        plot_text = " ".join(calculator.locator("svg text").all_text_contents())
        assert CJK.search(plot_text), f"the calculator's plot has no Chinese text: {plot_text[:200]!r}"
        _shoot_on_screen(nb, calculator, "calculator")


def test_zh_04_explorer_speaks_chinese(executed_notebook):
    name = "zh/" + NB04
    need(name)
    nb = executed_notebook(name)
    ran_cleanly(nb)
    page = nb.page
    with interaction(nb, "chinese-explorer"):
        explorer = page.locator(".lt-knob-explorer").first
        summary = explorer.locator(".lt-knob-summary").first.text_content()
        assert "准确率" in summary, f"the explorer's numbers are not labelled in Chinese: {summary!r}"
        options = explorer.locator(".lt-knob-prior select option").all_text_contents()
        assert any(CJK.search(o) for o in options), options
        curve_text = " ".join(explorer.locator("svg text").all_text_contents())
        assert "准确率" in curve_text, f"the curves have no Chinese title/axis: {curve_text[:200]!r}"
        _shoot_on_screen(nb, explorer, "explorer")


# ------------------------------------------------------------ what every page shows a learner

TABLE_CELLS_JS = """() => [...document.querySelectorAll('.jp-OutputArea-output table td, .jp-OutputArea-output table th')]
    .map(e => e.textContent.trim())"""


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_rendered_table_shows_none(name, executed_notebook):
    """An empty value (a shot group without classes, a cell the paper does not report) reads "–"."""
    nb = executed_notebook(name)
    ran_cleanly(nb)
    cells = nb.page.evaluate(TABLE_CELLS_JS)
    bad = sorted({c for c in cells if c in ("None", "nan", "NaN", "<NA>")})
    assert not bad, f"{name}: table cells {bad} (screenshot: {nb.run_all_screenshot.relative_to(ROOT)})"


PLOTLY_TRACES_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(p => ({
    title: (p.layout && p.layout.title && (p.layout.title.text || p.layout.title)) || '',
    xs: (p._fullData || p.data || []).map(t => Array.from(t.x || []).filter(v => v !== null && !Number.isNaN(v)).length)}))"""


@pytest.mark.parametrize("name", [NB04, "zh/" + NB04])
def test_the_tradeoff_figure_has_data_on_the_shipped_run(name, executed_notebook):
    nb = executed_notebook(name)
    ran_cleanly(nb)
    figures = nb.page.evaluate(PLOTLY_TRACES_JS)
    tradeoff = [f for f in figures if "trade-off" in str(f["title"]) or "权衡" in str(f["title"])]
    assert tradeoff, f"no trade-off figure among {[f['title'] for f in figures]}"
    assert all(n > 0 for f in tradeoff for n in f["xs"]) and all(f["xs"] for f in tradeoff), tradeoff


def _english_catalogue() -> set[str]:
    """English texts of the language catalogue that a Chinese page must not show: whole phrases
    (two words or more, no fields), as figures and widgets print them."""
    from lt_causal.language_strings import STRINGS

    return {en for en, _ in STRINGS.values() if "{" not in en and len(en.split()) >= 2 and not CJK.search(en)}


@pytest.mark.parametrize("name", sorted(f"zh/{p.name}" for p in (NOTEBOOK_DIR / "zh").glob("*.ipynb")))
def test_zh_figures_and_widgets_show_no_english_catalogue_label(name, executed_notebook):
    nb = executed_notebook(name)
    ran_cleanly(nb)
    shown = " ".join(nb.page.locator(".jp-OutputArea-output svg text, .jp-OutputArea-output .widget-html, "
                                     ".jp-OutputArea-output .widget-label").all_text_contents())
    found = sorted(en for en in _english_catalogue() if en in shown)
    assert not found, f"{name} shows English catalogue labels: {found}"


@pytest.mark.parametrize("name", [NB01, "zh/" + NB01])
def test_01_mediation_table_and_its_bridge_render(name, executed_notebook):
    """Notebook 01 §7: the total / direct / indirect effects render as a three-row table in the
    learner's language, next to the graph with age as the mediator; the screen is saved."""
    need(name)
    nb = executed_notebook(name)
    ran_cleanly(nb)
    zh = name.startswith("zh/")
    with interaction(nb, "mediation"):
        words = ("总效应", "直接效应", "间接效应") if zh else ("total effect", "direct effect", "indirect effect")
        table = nb.page.locator(".jp-OutputArea-output table", has_text=words[1]).first
        table.wait_for()
        rows = table.locator("tbody tr").all_text_contents()
        assert [any(w in r for r in rows) for w in words] == [True, True, True], rows
        assert len(rows) == 3 and all(re.search(r"-?\d+\.\d\d", r) for r in rows), rows
        _shoot_on_screen(nb, nb.page.locator(".jp-Cell", has=table).first, "mediation")


def test_zh_01_adjustment_table_gives_its_reasons_in_chinese(executed_notebook):
    """Notebook 01's adjustment tables in the Chinese edition: headers and the reason a set is refused
    are Chinese (the library's sentences come from the catalogue); the screen is saved."""
    name = "zh/" + NB01
    need(name)
    nb = executed_notebook(name)
    ran_cleanly(nb)
    with interaction(nb, "adjustment-table"):
        tables = nb.page.locator(".jp-OutputArea-output table", has_text="调整集")
        tables.first.wait_for()
        shown = " ".join(tables.all_text_contents())
        assert "原因" in shown and "畅通" in shown, shown[:300]
        assert not re.search(r"adjusting for|backdoor path|collider|\bwhy\b|\bvalid\b", shown), shown[:300]
        _shoot_on_screen(nb, nb.page.locator(".jp-Cell", has=tables.first).first, "adjustment-table")


@pytest.mark.parametrize("name", [NB02, "zh/" + NB02])
def test_02_fig3b_numbers_and_reading_render(name, executed_notebook):
    """Notebook 02 §4: Fig. 3b as numbers (one row per run: this notebook's, the shipped
    de-confound and cross-entropy runs) and the computed reading below it; the screen is saved."""
    need(name)
    nb = executed_notebook(name)
    ran_cleanly(nb)
    zh = name.startswith("zh/")
    with interaction(nb, "fig3b"):
        header = "秩相关" if zh else "rank corr."
        table = nb.page.locator(".jp-OutputArea-output table", has_text=header).first
        table.wait_for()
        rows = table.locator("tbody tr").all_text_contents()
        assert len(rows) == 3, rows
        reading = nb.page.locator(".jp-RenderedMarkdown", has_text="秩相关 +" if zh else "rank correlation with the class sizes").first
        assert reading.count() == 1 and reading.text_content().count("(" if not zh else "（") >= 3
        _shoot_on_screen(nb, nb.page.locator(".jp-Cell", has=table).first, "fig3b")


@pytest.mark.parametrize("name", [NB05, "zh/" + NB05])
def test_05_measured_table3_and_its_gain_figure_render(name, executed_notebook):
    """Notebook 05 §7: Table 3 as measured renders with one row per (ratio, system) of the shipped packs,
    in the learner's language, and the gain figure under it; the screen is saved."""
    import lt_causal as lc

    need(name)
    nb = executed_notebook(name)
    ran_cleanly(nb)
    measured = lc.measured_table3()
    gain = "TDE 提升" if name.startswith("zh/") else "TDE gain"
    with interaction(nb, "table3"):
        table = nb.page.locator(".jp-OutputArea-output table", has_text=gain).first
        table.wait_for()
        rows = table.locator("tbody tr").all_text_contents()
        assert len(rows) == len(measured), rows
        ratios = sorted({int(r) for r in measured.index.get_level_values("imbalance")})
        assert all(any(gain in r for r in rows) for _ in ratios) and sum(gain in r for r in rows) == len(ratios), rows
        cell = nb.page.locator(".jp-Cell", has=table).first
        after = cell.locator("xpath=following-sibling::div[contains(@class, 'jp-Cell')]")
        assert after.locator(".jp-OutputArea-output img").count() >= 1     # the gain figure
        _shoot_on_screen(nb, cell, "table3")


@pytest.mark.parametrize("name", [NB05, "zh/" + NB05])
def test_05_class_counts_figure_renders_under_its_section(name, executed_notebook):
    """Notebook 05 §4 points at its figure for the split's size: the figure (counts on the bars,
    the total in the title) renders right under the section's text; the screen is saved."""
    need(name)
    nb = executed_notebook(name)
    ran_cleanly(nb)
    with interaction(nb, "class-counts"):
        code = nb.page.locator(".jp-CodeCell", has_text="lc.class_counts_figure(run)").first
        code.wait_for()
        image = code.locator(".jp-OutputArea-output img").first
        image.wait_for()
        assert image.evaluate("el => el.naturalWidth") > 300                 # a drawn figure, not a blank one
        above = code.locator("xpath=preceding-sibling::div[contains(@class, 'jp-Cell')][1]")
        assert ("4 · 数据" if name.startswith("zh/") else "4 · The data") in above.text_content()
        _shoot_on_screen(nb, above, "class-counts")


@pytest.mark.parametrize("name", [NB07, "zh/" + NB07])
def test_07_methods_table_names_each_method_as_typed(name, executed_notebook):
    """Notebook 07 §1: one row per method, headed by the name `--method` takes (the same in both
    editions), the system's name and what it is in the learner's language; the screen is saved."""
    import lt_causal as lc

    need(name)
    nb = executed_notebook(name)
    ran_cleanly(nb)
    with interaction(nb, "methods"):
        table = nb.page.locator(".jp-OutputArea-output table", has_text="--method").first
        table.wait_for()
        assert table.locator("tbody th").all_text_contents() == list(lc.METHODS)
        if name.startswith("zh/"):
            assert "two stages" not in table.text_content() and "两阶段" in table.text_content()
        _shoot_on_screen(nb, nb.page.locator(".jp-Cell", has=table).first, "methods")
