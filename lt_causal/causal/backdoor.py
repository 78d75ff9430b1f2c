"""Backdoor adjustment over a table of strata (docs/method.md §1; Pearl, *Causality*, Thm 3.3.2).

For a fork Z -> X, Z -> Y the confounder Z opens the backdoor path X <- Z -> Y, so

    observational   P(Y | X)     = sum_z P(Y | X, z) P(z | X)
    adjusted        P(Y | do(X)) = sum_z P(Y | X, z) P(z)

Both use the same per-stratum rates P(Y | X, z); only the stratum weights differ.

    >>> from lt_causal import load_example, backdoor_adjustment
    >>> r = backdoor_adjustment(load_example("covid"), treatment="infected",
    ...                         outcome="deaths", adjustment="age", population="population")
    >>> round(r.observational, 4), round(r.adjusted, 4)
    (0.0643, 0.043)

With ``graph=`` the adjustment column is found from a causal graph (or checked against it) first;
:func:`pgmpy_do_query` asks pgmpy's causal inference for the same two numbers. The example tables
ship inside the package (``lt_causal/data/*.csv``, sources in ``lt_causal/data/README.md``) and
load from any folder with :func:`load_example`; :mod:`lt_causal.causal.simpson` applies the
adjustment to several groups at once.
"""
from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

import numpy as np
import pandas as pd

from lt_causal.causal.graph import adjustment_from_graph
from lt_causal.language import text

EXAMPLES = {
    # docs/method.md §1 / the seed slides: infected and deaths by age, China's population by age.
    "covid": "covid_age_china.csv",
    # China CDC (2020-02-17) and ISS Italy (2020-03-09) via von Kügelgen, Gresele, Schölkopf 2020.
    "china-italy": "covid_cfr_china_italy.csv",
}
_HEADERS = {"units": "units", "outcomes": "outcomes", "rate": "P(Y|X,z)", "p_z_given_x": "P(z|X)",
            "p_z": "P(z)", "observational": "P(Y|X,z)P(z|X)", "adjusted": "P(Y|X,z)P(z)"}


@dataclass(frozen=True, eq=False)
class BackdoorResult:
    """Observational P(Y|X), adjusted P(Y|do(X)) and the per-stratum ``table`` behind them.

    ``table`` is indexed by stratum label with columns ``units``, ``outcomes``, ``rate``
    (P(Y|X,z), NaN for a stratum with no units and zero weight), ``p_z_given_x``, ``p_z``,
    ``observational`` (= rate * P(z|X)) and ``adjusted`` (= rate * P(z)); the last two
    columns sum to the two probabilities.
    """

    observational: float
    adjusted: float
    table: pd.DataFrame
    treatment: str = "units"
    outcome: str = "outcomes"

    @property
    def bias(self) -> float:
        """P(Y|X) - P(Y|do(X)): how much the confounder inflates (or deflates) the naive rate."""
        return self.observational - self.adjusted

    def _display_table(self) -> pd.DataFrame:
        t = self.table.rename(columns=_HEADERS)
        return t.rename(columns={"units": text("backdoor_units", name=self.treatment),
                                 "outcomes": text("backdoor_outcomes", name=self.outcome)})

    def to_string(self) -> str:
        """The per-stratum table and both probabilities as plain text (what the CLI prints)."""
        body = self._display_table().to_string(float_format=lambda v: f"{v:.4f}", na_rep="-")
        return (f"{body}\n\nP(Y | X)     = {self.observational:.4f}   observational, "
                f"sum_z P(Y|X,z) P(z|X)\nP(Y | do(X)) = {self.adjusted:.4f}   adjusted, "
                "sum_z P(Y|X,z) P(z)")

    def __repr__(self) -> str:
        body = self._display_table().to_string(float_format=lambda v: f"{v:.4f}", na_rep="-")
        return (f"BackdoorResult(P(Y | X) = {self.observational:.4f}, "
                f"P(Y | do(X)) = {self.adjusted:.4f})\n{body}")

    def _repr_html_(self) -> str:
        head = (f"<p><b>P(Y | X)</b> = {self.observational:.4f} ({text('backdoor_observational')}) &nbsp; "
                f"<b>P(Y | do(X))</b> = {self.adjusted:.4f} ({text('backdoor_adjusted')})</p>")
        return head + self._display_table().to_html(float_format=lambda v: f"{v:.4f}",
                                                     escape=True, na_rep="–")


def _show(value) -> str:
    return repr(value.item() if isinstance(value, np.generic) else value)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _require_columns(data: pd.DataFrame, roles: dict[str, str | None]) -> None:
    for role, name in roles.items():
        if name is not None and name not in data.columns:
            raise ValueError(f"column {name!r} ({role}) is not in the data; "
                             f"available columns: {', '.join(map(str, data.columns))}")


# "1,000" / "12,345.5": thousands separators as spreadsheets export them (groups of exactly three
# digits, so "1,5" is not read as 1.5 or 15).
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
# Counts from 2**63 on do not fit int64 (the cast would wrap to a negative number).
_INT64_END = 2.0 ** 63


def _to_number(value):
    """A numeric string ("200", " 1e5 ", "1,000") as a float; anything else unchanged."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    try:
        return float(text) if text else value
    except ValueError:
        return value


def _numbers(data: pd.DataFrame, column: str, labels: list, *, counts: bool) -> np.ndarray:
    """Column as float array; one ValueError naming stratum, column and value if any is bad.

    Cells may be numbers or numeric strings (as a CSV column with one bad cell reads): only the
    bad cell itself is reported; "1,000" (thousands separators) reads as 1000."""
    raw = data[column].to_list()
    raw = [_to_number(value) for value in raw]
    for label, value in zip(labels, raw):
        where = f"stratum {label!r}: {column} = {_show(value)}"
        if value is None or value is pd.NA or (isinstance(value, (float, np.floating))
                                               and math.isnan(value)):
            raise ValueError(f"stratum {label!r}: {column} is missing (NaN)")
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
            raise ValueError(f"{where} is not a number")
        if not math.isfinite(value):
            raise ValueError(f"{where} is not finite")
        if value < 0:
            raise ValueError(f"{where} is negative; {'counts' if counts else 'weights'} "
                             "must be >= 0")
        if counts and value != int(value):
            raise ValueError(f"{where} is not a whole number; counts must be integers")
    return np.asarray(raw, dtype=float)


def _shares(values: np.ndarray) -> np.ndarray:
    """values / values.sum(), scaled by the largest value first so that a sum beyond the float
    range (weights of 1e308) cannot overflow to inf and turn every share into 0."""
    top = values.max()
    scaled = values / top if top > 0 else values
    with np.errstate(invalid="ignore"):   # all zero: NaN shares (the callers reject zero totals)
        return scaled / scaled.sum()


def _count_column(values: np.ndarray) -> np.ndarray:
    """Counts as int64, or as Python ints (object column) where one is beyond int64 (1e20 people)."""
    if (values < _INT64_END).all():
        return values.astype(np.int64)
    return np.array([int(v) for v in values], dtype=object)


def _strata_labels(data: pd.DataFrame, adjustment: str) -> list:
    """The stratum labels of column ``adjustment``: present and unique (else one ValueError)."""
    labels = data[adjustment].to_list()
    for i, label in enumerate(labels):
        if pd.isna(label):
            raise ValueError(f"column {adjustment!r} (adjustment) has a missing label in row {i}")
    dup = data[adjustment][data[adjustment].duplicated()]
    if len(dup):
        raise ValueError(f"stratum {dup.iloc[0]!r} appears more than once in column {adjustment!r}")
    return labels


def backdoor_adjustment(data: pd.DataFrame, *, treatment: str, outcome: str, adjustment: str | None = None,
                        weights: str | None = None, population: str | None = None,
                        graph=None) -> BackdoorResult:
    """Adjust for the confounder ``adjustment``: P(Y|do(X)) = sum_z P(Y|X,z) P(z) (docs/method.md §1).

    ``data`` has one row per stratum z of the adjustment variable. Column names:

    - ``treatment``: count of treated units in the stratum (e.g. infected people, X = 1);
    - ``outcome``: count of those units with the outcome (e.g. deaths, Y = 1);
    - ``adjustment``: the stratum label (e.g. the age group);
    - ``weights``: P(z) directly (any non-negative numbers; normalised by their sum), or
    - ``population``: a count of the whole population per stratum (P(z) = share of it);
    - ``graph`` (optional): a causal graph over the column names; without ``adjustment`` the column
      is its smallest adjustment set, with ``adjustment`` the graph must allow it.

    Give exactly one of ``weights`` / ``population``. Strata with zero units need zero weight.
    Cells may be numbers or numeric strings; ``"1,000"`` (a thousands separator) reads as 1000.
    Counts beyond int64 (>= 2**63) make the table's ``units``/``outcomes`` Python ints.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if graph is not None:
        adjustment = adjustment_from_graph(graph, treatment, outcome, adjustment)
    elif adjustment is None:
        raise ValueError("give adjustment= (the column of strata) or graph= (a causal graph to find it from)")
    if (weights is None) == (population is None):
        raise ValueError("give exactly one of weights= (a column of P(z)) or population= "
                         f"(a column of population counts); got weights={weights!r}, "
                         f"population={population!r}")
    weight_col = weights if weights is not None else population
    _require_columns(data, {"treatment": treatment, "outcome": outcome, "adjustment": adjustment,
                            "weights" if weights is not None else "population": weight_col})
    if len(data) == 0:
        raise ValueError("the data has no rows (no strata)")
    labels = _strata_labels(data, adjustment)
    units = _numbers(data, treatment, labels, counts=True)
    outcomes = _numbers(data, outcome, labels, counts=True)
    w = _numbers(data, weight_col, labels, counts=population is not None)
    for label, n, k in zip(labels, units, outcomes):
        if k > n:
            raise ValueError(f"stratum {label!r}: {outcome} = {_num(k)} exceeds {treatment} = {_num(n)}")
    if not w.max() > 0:
        raise ValueError(f"the weights in column {weight_col!r} sum to {_num(w.sum())}; "
                         "they need a positive total")
    for label, n, wz in zip(labels, units, w):
        if n == 0 and wz > 0:
            raise ValueError(f"stratum {label!r}: {treatment} = 0 but {weight_col} = {_num(wz)} > 0, "
                             "so P(Y|X,z) is undefined where P(z) > 0")

    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(units > 0, outcomes / np.where(units > 0, units, 1), np.nan)
    p_z_given_x = _shares(units)
    p_z = _shares(w)
    safe = np.nan_to_num(rate)
    table = pd.DataFrame({"units": _count_column(units), "outcomes": _count_column(outcomes),
                          "rate": rate, "p_z_given_x": p_z_given_x, "p_z": p_z,
                          "observational": safe * p_z_given_x, "adjusted": safe * p_z},
                         index=pd.Index(labels, name=adjustment))
    return BackdoorResult(float(table["observational"].sum()), float(table["adjusted"].sum()),
                          table, treatment=treatment, outcome=outcome)


def load_example(name: str) -> pd.DataFrame:
    """Return a fresh copy of the example table ``name`` ("covid" or "china-italy")."""
    if name not in EXAMPLES:
        raise ValueError(f"unknown example {name!r}; valid names: {', '.join(EXAMPLES)}")
    with resources.files("lt_causal").joinpath("data", EXAMPLES[name]).open("r", encoding="utf-8") as f:
        return pd.read_csv(f)


class DoQuery(NamedTuple):
    """pgmpy's P(Y=1 | do(X=1)) (``adjusted``) and P(Y=1 | X=1) (``observational``) on ``network``."""

    adjusted: float
    observational: float
    network: object

    def __repr__(self) -> str:
        return f"DoQuery(pgmpy: P(Y=1 | do(X=1)) = {self.adjusted:.4f}, P(Y=1 | X=1) = {self.observational:.4f})"


def pgmpy_do_query(data: pd.DataFrame, *, treatment: str, outcome: str, adjustment: str,
                   population: str) -> DoQuery:
    """The cross-check: pgmpy's ``CausalInference.query([Y], do={X: 1})`` and its conditional query
    P(Y=1 | X=1) on the strata table as a ``DiscreteBayesianNetwork`` z → X, z → Y, X → Y (nodes named
    by the columns, X and Y binary): P(z) from ``population``, P(X=1 | z) = treated / population,
    P(Y=1 | X=1, z) = outcomes / treated, P(Y=1 | X=0, z) = 0 (no outcome without treatment)."""
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork
    with warnings.catch_warnings():              # pgmpy 1.1 warns about its own deprecated modules
        warnings.simplefilter("ignore", FutureWarning)
        from pgmpy.inference import CausalInference, VariableElimination

    backdoor_adjustment(data, treatment=treatment, outcome=outcome, adjustment=adjustment,
                        population=population)                    # the same checks, the same errors
    labels = _strata_labels(data, adjustment)
    units, outcomes, people = (_numbers(data, c, labels, counts=True) for c in (treatment, outcome, population))
    for label, n, m in zip(labels, units, people):
        if n > m:
            raise ValueError(f"stratum {label!r}: {treatment} = {_num(n)} exceeds {population} = {_num(m)}")
    x1 = np.divide(units, people, out=np.zeros_like(units), where=people > 0)
    y1 = np.concatenate([np.zeros_like(units),                      # columns: X = 0 (every z), X = 1
                         np.divide(outcomes, units, out=np.zeros_like(units), where=units > 0)])
    names, k = {adjustment: [str(z) for z in labels], treatment: [0, 1], outcome: [0, 1]}, len(labels)
    net = DiscreteBayesianNetwork([(adjustment, treatment), (adjustment, outcome), (treatment, outcome)])
    net.add_cpds(TabularCPD(adjustment, k, _shares(people)[:, None], state_names=names),
                 TabularCPD(treatment, 2, [1 - x1, x1], evidence=[adjustment], evidence_card=[k], state_names=names),
                 TabularCPD(outcome, 2, [1 - y1, y1], evidence=[treatment, adjustment], evidence_card=[2, k],
                            state_names=names))
    net.check_model()
    do = CausalInference(net).query([outcome], do={treatment: 1}, show_progress=False)
    seen = VariableElimination(net).query([outcome], evidence={treatment: 1}, show_progress=False)
    return DoQuery(float(do.get_value(**{outcome: 1})), float(seen.get_value(**{outcome: 1})), net)
