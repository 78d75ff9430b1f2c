"""Backdoor calculator: a pure model of an editable strata table plus a thin ipywidgets view.

    >>> model = BackdoorCalculatorModel()          # the COVID/age example of PAPER.md §1
    >>> model.set_value(3, "outcomes", 40)         # more deaths among the >= 65
    >>> round(model.result.adjusted, 4)
    0.0476
    >>> backdoor_calculator()                      # in a notebook: the editable widget

The model never imports ipywidgets or plotly; invalid input (negative counts, more outcomes
than units, ...) is stored as ``model.error`` instead of being raised.
"""
from __future__ import annotations

import html

import pandas as pd

from lt_causal.causal.backdoor import BackdoorResult, backdoor_adjustment

COLUMNS = ("label", "units", "outcomes", "population")
COUNT_COLUMNS = COLUMNS[1:]
HEADERS = {"label": "stratum z", "units": "units (X)", "outcomes": "outcomes (Y)",
           "population": "population", "rate": "P(Y | X, z)"}


def _covid_strata() -> pd.DataFrame:
    from lt_causal.causal.examples import load_example
    covid = load_example("covid")
    return covid.rename(columns={"age": "label", "infected": "units", "deaths": "outcomes"})


class BackdoorCalculatorModel:
    """Strata (label, units, outcomes, population) -> P(Y|X), P(Y|do(X)) after every edit."""

    def __init__(self, data: pd.DataFrame | None = None):
        data = _covid_strata() if data is None else data
        missing = [c for c in COLUMNS if c not in data.columns]
        if missing:
            raise ValueError(f"strata table lacks column(s) {', '.join(missing)}; it needs "
                             f"{', '.join(COLUMNS)} (available: {', '.join(map(str, data.columns))})")
        self._rows = [{c: (v.item() if hasattr(v, "item") else v) for c, v in row.items()}
                      for row in data[list(COLUMNS)].to_dict("records")]
        self._observers: list = []
        self.result: BackdoorResult | None = None
        self.error: str | None = None
        self._recompute()

    def __repr__(self) -> str:
        state = f"error={self.error!r}" if self.error else (
            f"P(Y|X)={self.result.observational:.4f}, P(Y|do(X))={self.result.adjusted:.4f}")
        return f"BackdoorCalculatorModel({len(self._rows)} strata, {state})"

    @property
    def data(self) -> pd.DataFrame:
        """The current strata table (a copy; edit it with ``set_value``)."""
        return pd.DataFrame(self._rows, columns=list(COLUMNS))

    def __len__(self) -> int:
        return len(self._rows)

    def set_value(self, row: int, column: str, value) -> None:
        """Set one cell and recompute; a bad *value* ends up in ``error``, a bad row/column raises."""
        if column not in COLUMNS:
            raise ValueError(f"unknown column {column!r}; valid: {', '.join(COLUMNS)}")
        if not 0 <= row < len(self._rows):
            raise ValueError(f"row {row} out of range 0..{len(self._rows) - 1}")
        self._rows[row][column] = value
        self._recompute()

    def observe(self, callback) -> None:
        """Call ``callback(model)`` after every change."""
        self._observers.append(callback)

    def _recompute(self) -> None:
        try:
            strata = pd.DataFrame(self._rows, columns=list(COLUMNS), dtype=object)  # keep ints as typed
            self.result = backdoor_adjustment(strata, treatment="units", outcome="outcomes",
                                              adjustment="label", population="population")
            self.error = None
        except ValueError as exc:
            self.result, self.error = None, str(exc)
        for callback in self._observers:
            callback(self)

    def figure_data(self) -> dict:
        """Bar heights per stratum: the observational and adjusted contributions
        P(Y|X,z)P(z|X) and P(Y|X,z)P(z) (they sum to the two probabilities); None on error."""
        strata = [str(row["label"]) for row in self._rows]
        if self.result is None:
            empty = [None] * len(strata)
            return {"strata": strata, "observational": empty, "adjusted": list(empty),
                    "rate": list(empty)}
        t = self.result.table
        return {"strata": strata, "observational": t["observational"].tolist(),
                "adjusted": t["adjusted"].tolist(),
                "rate": [None if pd.isna(v) else float(v) for v in t["rate"]]}

    def rate_text(self, row: int) -> str:
        """P(Y|X,z) of stratum ``row`` as text ("–" when undefined or on error)."""
        if self.result is None:
            return "–"
        value = self.result.table["rate"].iloc[row]
        return "–" if pd.isna(value) else f"{value:.4f}"

    def result_html(self) -> str:
        """Both probabilities as HTML with stable CSS classes (for people and browser tests)."""
        obs = "–" if self.result is None else f"{self.result.observational:.4f}"
        adj = "–" if self.result is None else f"{self.result.adjusted:.4f}"
        return (f'<span class="lt-backdoor-observational">P(Y | X) = {obs}</span>'
                '&emsp;(observational, weights P(z | X))<br>'
                f'<span class="lt-backdoor-adjusted">P(Y | do(X)) = {adj}</span>'
                '&emsp;(backdoor-adjusted, weights P(z))')

    def error_html(self) -> str:
        return "" if self.error is None else (
            f'<span style="color:#b00020">invalid input: {html.escape(self.error)}</span>')


def backdoor_calculator(data: pd.DataFrame | None = None, *, model: BackdoorCalculatorModel | None = None):
    """An editable strata table that recomputes P(Y|X), P(Y|do(X)) and a bar chart on each edit.

    Returns an ``ipywidgets.VBox``; its ``calculator_model`` attribute is the model and
    ``figure`` the plotly ``FigureWidget``.
    """
    import ipywidgets as widgets
    import plotly.graph_objects as go

    model = model if model is not None else BackdoorCalculatorModel(data)
    cells, rates = [], []
    header = [widgets.HTML(f"<b>{html.escape(HEADERS[c])}</b>") for c in (*COLUMNS, "rate")]
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
        rate = widgets.HTML(model.rate_text(i))
        rate.add_class("lt-backdoor-rate")
        rates.append(rate)
        cells.extend([*line, rate])
    grid = widgets.GridBox(header + cells, layout=widgets.Layout(
        grid_template_columns="repeat(5, max-content)", grid_gap="2px 8px"))
    results = widgets.HTML(model.result_html())
    results.add_class("lt-backdoor-results")
    error = widgets.HTML(model.error_html())
    error.add_class("lt-backdoor-error")

    bars = model.figure_data()
    figure = go.FigureWidget(
        data=[go.Bar(name="P(Y|X,z) P(z|X)  (sums to P(Y|X))", x=bars["strata"],
                     y=bars["observational"]),
              go.Bar(name="P(Y|X,z) P(z)  (sums to P(Y|do(X)))", x=bars["strata"],
                     y=bars["adjusted"])],
        layout=go.Layout(barmode="group", height=320, width=640, margin=dict(t=40, b=40),
                         title="per-stratum contribution", yaxis_title="probability",
                         legend=dict(orientation="h", y=-0.2)))

    def refresh(m: BackdoorCalculatorModel) -> None:
        results.value = m.result_html()
        error.value = m.error_html()
        for i, rate in enumerate(rates):
            rate.value = m.rate_text(i)
        fd = m.figure_data()
        with figure.batch_update():
            for trace, key in zip(figure.data, ("observational", "adjusted")):
                trace.x, trace.y = fd["strata"], fd[key]

    model.observe(refresh)
    box = widgets.VBox([grid, results, error, figure])
    box.add_class("lt-backdoor-calculator")
    box.calculator_model = model
    box.figure = figure
    return box
