"""The two sliders of notebook 02, thin ipywidgets views of the state classes of
:mod:`lt_causal.momentum.sliders`:

- :func:`momentum_toy_view`: μ slider + numbers + the two panels of the SGD-momentum toy;
- :func:`mu_grid_view`: μ slider over a grid of trained runs + Fig. 3c per class.
"""
from __future__ import annotations

import html

import numpy as np

from lt_causal.datasets.profiles import SHOT_GROUPS
from lt_causal.language import term, text
from lt_causal.momentum.sliders import MomentumToyModel, MuGridModel


def toy_summary_html(model) -> str:
    """Drift towards the head and shared loss left, with stable CSS classes."""
    cells = []
    for p in model.data["profiles"]:
        s, s0 = model.data[p]["summary"], model.data[p]["summary_plain"]
        key = p.replace("-", "")
        cells.append(f'<td class="lt-toy-{key}" style="padding-right:2em" data-drift="{s["head_drift"]:.4f}" '
                     f'data-shared-loss="{s["shared_loss"]:.3e}"><b>{html.escape(term(p))}</b><br>'
                     f'{text("toy_summary_drift")}: {s["head_drift"]:+.2f} (μ = 0: {s0["head_drift"]:+.2f})<br>'
                     f'{text("toy_summary_loss")}: {s["shared_loss"]:.1e} '
                     f'(μ = 0: {s0["shared_loss"]:.1e})</td>')
    return (f'<div class="lt-toy-summary">{text("toy_summary_after", steps=model.toy.steps)}, μ = {model.mu:.2f}'
            f'<table><tr>{"".join(cells)}</tr></table></div>')


def grid_summary_html(model) -> str:
    """Relative change of accuracy per shot group at the selected μ, with stable CSS classes."""
    g = model.group_row
    cells = "".join(f'<td class="lt-mu-grid-{k}" style="padding-right:2em" data-value="{100 * g[k]:.2f}">'
                    f'<b>{term(k)}</b><br>'
                    f'{100 * g[k]:+.1f} %</td>' for k in (*SHOT_GROUPS, "overall")
                    if np.isfinite(g[k]))
    return (f'<div class="lt-mu-grid-summary">{text("grid_summary", mu=model.mu, reference=model.reference)}'
            f'<table><tr>{cells}</tr></table></div>')


def _slider_box(W, slider, summary, figure, model, on_change):
    """Slider over summary over figure; ``box.model``, ``box.figure``, ``box.slider`` for tests."""
    slider.observe(on_change, names="value")
    box = W.VBox([slider, summary, figure])
    box.model, box.figure, box.slider = model, figure, slider
    return box


def momentum_toy_view(model: MomentumToyModel | None = None, mu: float | None = None):
    """μ slider (CSS class ``lt-mu-slider``) + numbers + the two toy panels, updated in place."""
    import ipywidgets as W

    from lt_causal.views.momentum_toy_plots import SLIDER_MUS, toy_paths_figure, update_toy_paths

    model = model if model is not None else MomentumToyModel(mu=mu)
    slider = W.FloatSlider(value=model.mu, min=float(SLIDER_MUS[0]), max=float(SLIDER_MUS[-1]),
                           step=float(SLIDER_MUS[1] - SLIDER_MUS[0]), description="μ:",
                           continuous_update=True, readout_format=".2f", layout=W.Layout(width="420px"))
    slider.add_class("lt-mu-slider")
    summary = W.HTML(toy_summary_html(model))
    figure = toy_paths_figure(model.toy, model.data, widget=True)

    def on_change(change):
        model.set_mu(change["new"])
        summary.value = toy_summary_html(model)
        update_toy_paths(figure, model.data)

    return _slider_box(W, slider, summary, figure, model, on_change)


def mu_grid_view(runs_by_mu: dict | None = None, *, model: MuGridModel | None = None, alpha: float = 0.0):
    """SelectionSlider over μ (CSS class ``lt-mu-grid-slider``) + group summary + per-class bars."""
    import ipywidgets as W

    from lt_causal.momentum.grid import grid_note
    from lt_causal.views.momentum_plots import relative_change_figure, update_relative_change

    model = model if model is not None else MuGridModel(runs_by_mu, alpha)
    slider = W.SelectionSlider(options=[(f"{m:g}", m) for m in model.mus], value=model.mu,
                               description="μ:", continuous_update=True, layout=W.Layout(width="420px"))
    slider.add_class("lt-mu-grid-slider")
    summary = W.HTML(grid_summary_html(model))
    figure = relative_change_figure(model.change, model.groups, mu=model.mu, widget=True, span=model.span,
                                    note=grid_note(model.runs))

    def on_change(change):
        model.select(change["new"])
        summary.value = grid_summary_html(model)
        update_relative_change(figure, model.change, model.mu, model.span)

    return _slider_box(W, slider, summary, figure, model, on_change)
