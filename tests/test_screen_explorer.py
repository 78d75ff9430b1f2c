"""The learner's screen: the α explorer fits a 1366×768 laptop, says which run it
shows, keeps its marker off the y-axis at α = 0, its model holds state only, and the run picker
says "loading …" while a run loads. (The layout as drawn is checked in tests/browser/.)"""
from pathlib import Path

import numpy as np
import pytest
import torch

from lt_causal.models.heads import CausalNormHead
from lt_causal.evaluation.knobs import KnobExplorerModel
from lt_causal.views.knob_explorer import knob_explorer, run_picker, summary_html
from lt_causal.views.run_plots import EXPLORER_BARS, EXPLORER_CURVE
from lt_causal.evaluation.runs import TrainedRun
from recipe_values import CAUSAL_NORM

COUNTS = [500, 200, 80, 30, 10, 5]
SCREEN_WIDTH = 1250      # what a 1366 px screen leaves for a cell's output in JupyterLab
SCREEN_HEIGHT = 430      # what 768 px leave below the browser's and JupyterLab's bars


def synthetic_run(path=None, name=None, seed=0):
    g = torch.Generator().manual_seed(seed)
    C, D = len(COUNTS), 8
    protos = torch.rand(C, D, generator=g)
    labels = torch.arange(C).repeat_interleave(20)
    feats = protos[labels] + 0.8 * torch.ones(D) + 0.3 * torch.rand(len(labels), D, generator=g)
    head = CausalNormHead(D, C, **CAUSAL_NORM)
    with torch.no_grad():
        head.weight.copy_(protos - protos.mean(0) + torch.tensor(COUNTS).float().log()[:, None] / 10)
    return TrainedRun({"method": "deconfound", "dataset": "synthetic"}, [f"c{i}" for i in range(C)], COUNTS,
                      feats, labels, head, torch.ones(D) * 3.0, path=path, name=name)


def _px(value) -> int:
    return int(str(value).removesuffix("px"))


def test_explorer_fits_a_1366x768_screen():
    box = knob_explorer(synthetic_run(), "tde", values=[0, 0.5, 1.0])
    top, figures = box.children
    assert figures.children == (box.bars, box.curve)             # side by side, not stacked
    assert box.bars.layout.width + box.curve.layout.width <= SCREEN_WIDTH - 20
    assert (box.bars.layout.width, box.bars.layout.height) == (EXPLORER_BARS["width"], EXPLORER_BARS["height"])
    assert box.curve.layout.height == EXPLORER_CURVE["height"]
    # slider + menu beside the numbers: one row, at most ~3 widget lines plus a 3-row table high
    controls, summary = top.children
    assert controls.children == (box.slider, box.prior_menu)
    assert _px(controls.layout.width) + 560 <= SCREEN_WIDTH       # the summary table needs ~560 px
    assert max(box.bars.layout.height, box.curve.layout.height) + 120 <= SCREEN_HEIGHT


def test_title_names_the_run_shown(tmp_path):
    folder = synthetic_run(path=Path(tmp_path / "mnist-lt-dc-e30"))
    assert "mnist-lt-dc-e30" in summary_html(KnobExplorerModel(folder, values=[0, 1]))
    shipped = synthetic_run(name="pretrained:cifar10-lt-r100-deconfound")
    box = knob_explorer(shipped, values=[0, 1])
    assert "pretrained:cifar10-lt-r100-deconfound" in box.summary.value
    box.slider.value = 1.0                                       # and it stays after a move
    assert "pretrained:cifar10-lt-r100-deconfound" in box.summary.value
    assert "in memory" in summary_html(KnobExplorerModel(synthetic_run(), values=[0, 1]))


def test_marker_at_zero_is_not_on_the_axis():
    box = knob_explorer(synthetic_run(), "tde")                  # α from 0 to 3
    lo, hi = box.curve.layout.xaxis.range
    assert lo < 0 < 3 < hi and (0 - lo) >= 0.02 * 3
    marker = next(s for s in box.curve.layout.shapes if s.name == "value")
    assert marker.x0 == 0 and marker.x0 > lo


def test_model_holds_state_and_the_view_renders():
    model = KnobExplorerModel(synthetic_run(), values=[0, 1])
    assert not hasattr(model, "summary_html")
    html = summary_html(model)
    for css in ("lt-knob-summary", "lt-knob-title", "lt-knob-overall", "lt-knob-few", "lt-knob-best"):
        assert f'class="{css}"' in html


def test_run_picker_says_loading_while_a_run_loads(monkeypatch, tmp_path):
    from lt_causal.evaluation import loading as runs_module

    shown_while_loading = []
    folder = tmp_path / "runs" / "slow-run"
    (folder).mkdir(parents=True)
    (folder / "features.pt").write_bytes(b"")
    picker = None

    def slow_load(path):
        shown_while_loading.append([getattr(w, "value", "") for w in picker.holder.children])
        return synthetic_run(path=Path(path), seed=1)

    monkeypatch.setattr(runs_module, "load_run", slow_load)
    picker = run_picker(default=synthetic_run(path=tmp_path / "mine"), root=tmp_path / "runs")
    labels = [label for label, _ in picker.dropdown.options]
    assert labels[0].startswith("this notebook: synthetic · de-confound · seed 0 (mine)") and "slow-run" in labels
    assert shown_while_loading == []                              # the default run needs no loading
    picker.dropdown.value = folder
    assert len(shown_while_loading) == 1 and "loading slow-run …" in shown_while_loading[0][0]
    assert "lt-run-loading" in shown_while_loading[0][0]
    explorer = picker.holder.children[0]
    assert "slow-run" in explorer.summary.value                   # the explorer of the loaded run

    def broken(path):
        raise ValueError(f"{path}/features.pt is empty: re-run training")

    monkeypatch.setattr(runs_module, "load_run", broken)
    picker.dropdown.value = picker.dropdown.options[0][1]
    picker.dropdown.value = folder
    assert "could not load slow-run" in picker.holder.children[0].value
