"""The state of the backdoor calculator (notebook 01): an editable strata table whose
P(Y|X) and P(Y|do(X)) are recomputed after every edit; the widget that shows it is
:func:`lt_causal.views.backdoor_calculator.backdoor_calculator`.

    >>> model = BackdoorCalculatorModel()          # the COVID/age example of docs/method.md §1
    >>> model.set_value(3, "outcomes", 40)         # more deaths among the >= 65
    >>> round(model.result.adjusted, 4)
    0.0476

State only: no widgets, no HTML; invalid input (negative counts, more outcomes than units, ...)
is stored as ``model.error`` instead of being raised. With ``graph=`` the stratum variable is found
from a causal graph (or the named one checked against it) once, when the model is made:

    >>> BackdoorCalculatorModel(graph=[("age", "infected"), ("age", "deaths"), ("infected", "deaths")]).adjustment
    'age'
"""
from __future__ import annotations

import pandas as pd

from lt_causal.causal.backdoor import BackdoorResult, backdoor_adjustment, load_example
from lt_causal.causal.graph import adjustment_from_graph

COLUMNS = ("label", "units", "outcomes", "population")
COUNT_COLUMNS = COLUMNS[1:]


def _covid_strata() -> pd.DataFrame:
    covid = load_example("covid")
    return covid.rename(columns={"age": "label", "infected": "units", "deaths": "outcomes"})


class BackdoorCalculatorModel:
    """Strata (label, units, outcomes, population) -> P(Y|X), P(Y|do(X)) after every edit.

    ``graph`` (optional): a causal graph whose nodes ``treatment`` and ``outcome`` the units and
    outcomes columns count; ``adjustment``, the variable the labels are strata of, is then found from
    it (None) or checked against it (one ValueError naming the path). Without a graph it is only a name.
    """

    def __init__(self, data: pd.DataFrame | None = None, *, graph=None, treatment: str = "infected",
                 outcome: str = "deaths", adjustment: str | None = None):
        self.graph = graph
        self.adjustment = adjustment if graph is None else adjustment_from_graph(graph, treatment, outcome,
                                                                                 adjustment)
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
