"""The backdoor calculator widget (notebook 01): an editable strata table, both probabilities
and a bar chart of the per-stratum contributions, all refreshed from a
:class:`~lt_causal.causal.calculator.BackdoorCalculatorModel` after every edit.

    >>> backdoor_calculator()                      # in a notebook: the editable widget
"""
from __future__ import annotations

import html

import pandas as pd

from lt_causal.causal.calculator import COLUMNS, COUNT_COLUMNS, BackdoorCalculatorModel
from lt_causal.language import plotly_font, text

# the column headers: catalogue keys (the rate's formula reads the same in every language)
HEADERS = {"label": "head_stratum", "units": "head_units", "outcomes": "head_outcomes",
           "population": "head_population", "rate": None}


def rate_text(model: BackdoorCalculatorModel, row: int) -> str:
    """P(Y|X,z) of stratum ``row`` as text ("–" when undefined or on error)."""
    if model.result is None:
        return "–"
    value = model.result.table["rate"].iloc[row]
    return "–" if pd.isna(value) else f"{value:.4f}"


def result_html(model: BackdoorCalculatorModel) -> str:
    """Both probabilities as HTML with stable CSS classes (for people and browser tests)."""
    obs = "–" if model.result is None else f"{model.result.observational:.4f}"
    adj = "–" if model.result is None else f"{model.result.adjusted:.4f}"
    return (f'<span class="lt-backdoor-observational">P(Y | X) = {obs}</span>'
            f'&emsp;{text("observational")}<br>'
            f'<span class="lt-backdoor-adjusted">P(Y | do(X)) = {adj}</span>'
            f'&emsp;{text("adjusted")}')


def error_html(model: BackdoorCalculatorModel) -> str:
    return "" if model.error is None else (
        f'<span style="color:#b00020">{text("invalid_input")}{html.escape(model.error)}</span>')


def _strata_grid(model: BackdoorCalculatorModel, widgets):
    """The editable table (a GridBox: label, counts, P(Y|X,z) per stratum) and its rate cells."""
    cells, rates = [], []
    header = [widgets.HTML(f"<b>{html.escape(text(HEADERS[c]) if HEADERS[c] else 'P(Y | X, z)')}</b>") for c in (*COLUMNS, "rate")]
    for i, row in enumerate(model.data.to_dict("records")):
        label = widgets.Text(value=str(row["label"]), placeholder=f"label of row {i}",
                             tooltip=f"row {i}: label", layout=widgets.Layout(width="8em"))
        label.add_class("lt-backdoor-label")
        label.observe(lambda change, i=i: model.set_value(i, "label", change["new"]), "value")
        line = [label]
        for column in COUNT_COLUMNS:
            w = widgets.IntText(value=int(row[column]), tooltip=f"row {i}: {column}",
                                layout=widgets.Layout(width="11em"))
            for css in ("lt-backdoor-cell", f"lt-backdoor-{column}", f"lt-backdoor-row-{i}"):
                w.add_class(css)
            w.observe(lambda change, i=i, c=column: model.set_value(i, c, change["new"]), "value")
            line.append(w)
        rate = widgets.HTML(rate_text(model, i))
        rate.add_class("lt-backdoor-rate")
        rates.append(rate)
        cells.extend([*line, rate])
    grid = widgets.GridBox(header + cells, layout=widgets.Layout(
        grid_template_columns="repeat(5, max-content)", grid_gap="2px 8px"))
    return grid, rates


def graph_html(model: BackdoorCalculatorModel) -> str:
    """The stratum variable the causal graph gave, when the model has a graph ("" otherwise)."""
    if model.graph is None:
        return ""
    return f'<span class="lt-backdoor-graph">{html.escape(text("calc_graph_adjustment", name=model.adjustment))}</span>'


def backdoor_calculator(data: pd.DataFrame | None = None, *, model: BackdoorCalculatorModel | None = None,
                        graph=None):
    """An editable strata table that recomputes P(Y|X), P(Y|do(X)) and a bar chart on each edit.

    ``graph``: a causal graph the model finds (or checks) the stratum variable in
    (:class:`~lt_causal.causal.calculator.BackdoorCalculatorModel`); the widget names it.
    Returns an ``ipywidgets.VBox``; its ``calculator_model`` attribute is the model and
    ``figure`` the plotly ``FigureWidget``.
    """
    import ipywidgets as widgets
    import plotly.graph_objects as go

    model = model if model is not None else BackdoorCalculatorModel(data, graph=graph)
    grid, rates = _strata_grid(model, widgets)
    results = widgets.HTML(result_html(model))
    results.add_class("lt-backdoor-results")
    error = widgets.HTML(error_html(model))
    error.add_class("lt-backdoor-error")

    bars = model.figure_data()
    figure = go.FigureWidget(
        data=[go.Bar(name=text("bar_observational"), x=bars["strata"],
                     y=bars["observational"]),
              go.Bar(name=text("bar_adjusted"), x=bars["strata"],
                     y=bars["adjusted"])],
        layout=go.Layout(barmode="group", height=320, width=640, margin=dict(t=40, b=40),
                         title=text("per_stratum_contribution"), yaxis_title=text("probability"), font=plotly_font(),
                         legend=dict(orientation="h", y=-0.2)))

    def refresh(m: BackdoorCalculatorModel) -> None:
        results.value = result_html(m)
        error.value = error_html(m)
        for i, rate in enumerate(rates):
            rate.value = rate_text(m, i)
        fd = m.figure_data()
        with figure.batch_update():
            for trace, key in zip(figure.data, ("observational", "adjusted")):
                trace.x, trace.y = fd["strata"], fd[key]

    model.observe(refresh)
    found = [widgets.HTML(graph_html(model))] if model.graph is not None else []
    box = widgets.VBox([grid, results, *found, error, figure])
    box.add_class("lt-backdoor-calculator")
    box.calculator_model = model
    box.figure = figure
    return box
