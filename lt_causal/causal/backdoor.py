"""Backdoor adjustment over a table of strata (PAPER.md §1; Pearl, *Causality*, Thm 3.3.2).

For a fork Z -> X, Z -> Y the confounder Z opens the backdoor path X <- Z -> Y, so

    observational   P(Y | X)     = sum_z P(Y | X, z) P(z | X)
    adjusted        P(Y | do(X)) = sum_z P(Y | X, z) P(z)

Both use the same per-stratum rates P(Y | X, z); only the stratum weights differ.

    >>> from lt_causal import load_example, backdoor_adjustment
    >>> r = backdoor_adjustment(load_example("covid"), treatment="infected",
    ...                         outcome="deaths", adjustment="age", population="population")
    >>> round(r.observational, 4), round(r.adjusted, 4)
    (0.0643, 0.043)

``standardized_rates`` applies the same adjustment to several groups (countries) at once,
which is direct age standardisation; with the China/Italy case-fatality data it exposes
Simpson's paradox (von Kügelgen, Gresele, Schölkopf 2020).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

TABLE_COLUMNS = ["units", "outcomes", "rate", "p_z_given_x", "p_z", "observational", "adjusted"]
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
        return t.rename(columns={"units": f"units ({self.treatment})",
                                 "outcomes": f"outcomes ({self.outcome})"})

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
        head = (f"<p><b>P(Y | X)</b> = {self.observational:.4f} (observational) &nbsp; "
                f"<b>P(Y | do(X))</b> = {self.adjusted:.4f} (backdoor-adjusted)</p>")
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


def backdoor_adjustment(data: pd.DataFrame, *, treatment: str, outcome: str, adjustment: str,
                        weights: str | None = None, population: str | None = None) -> BackdoorResult:
    """Adjust for the confounder ``adjustment``: P(Y|do(X)) = sum_z P(Y|X,z) P(z) (PAPER.md §1).

    ``data`` has one row per stratum z of the adjustment variable. Column names:

    - ``treatment``: count of treated units in the stratum (e.g. infected people, X = 1);
    - ``outcome``: count of those units with the outcome (e.g. deaths, Y = 1);
    - ``adjustment``: the stratum label (e.g. the age group);
    - ``weights``: P(z) directly (any non-negative numbers; normalised by their sum), or
    - ``population``: a count of the whole population per stratum (P(z) = share of it).

    Give exactly one of ``weights`` / ``population``. Strata with zero units need zero weight.
    Cells may be numbers or numeric strings; ``"1,000"`` (a thousands separator) reads as 1000.
    Counts beyond int64 (>= 2**63) make the table's ``units``/``outcomes`` Python ints.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if (weights is None) == (population is None):
        raise ValueError("give exactly one of weights= (a column of P(z)) or population= "
                         f"(a column of population counts); got weights={weights!r}, "
                         f"population={population!r}")
    weight_col = weights if weights is not None else population
    _require_columns(data, {"treatment": treatment, "outcome": outcome, "adjustment": adjustment,
                            "weights" if weights is not None else "population": weight_col})
    if len(data) == 0:
        raise ValueError("the data has no rows (no strata)")
    labels = data[adjustment].to_list()
    for i, label in enumerate(labels):
        if pd.isna(label):
            raise ValueError(f"column {adjustment!r} (adjustment) has a missing label in row {i}")
    dup = data[adjustment][data[adjustment].duplicated()]
    if len(dup):
        raise ValueError(f"stratum {dup.iloc[0]!r} appears more than once in column {adjustment!r}")

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


# ---------------------------------------------------------------- Simpson's paradox

def reference_distribution(data: pd.DataFrame, *, group: str, adjustment: str, cases: str,
                           standard: str = "pooled") -> pd.Series:
    """P(z) of the standard population: each stratum's share of the cases of group ``standard``,
    or of all groups together when ``standard="pooled"``."""
    _require_columns(data, {"group": group, "adjustment": adjustment, "cases": cases})
    groups = list(pd.unique(data[group]))
    if standard == "pooled":
        keep = np.ones(len(data), dtype=bool)
    elif standard in groups:
        keep = (data[group] == standard).to_numpy()
    else:
        raise ValueError(f"standard={standard!r} is neither 'pooled' nor a value of column "
                         f"{group!r}; valid: {', '.join(['pooled', *map(str, groups)])}")
    labels = [f"{g}, {z}" for g, z in zip(data[group], data[adjustment])]
    values = _numbers(data, cases, labels, counts=True)
    strata = list(pd.unique(data[adjustment]))
    counts = pd.Series(values[keep]).groupby(data[adjustment].to_numpy()[keep], sort=False).sum()
    counts = counts.reindex(strata, fill_value=0)
    return pd.Series(_shares(counts.to_numpy()), index=pd.Index(strata, name=adjustment), name="p_z")


def backdoor_by_group(data: pd.DataFrame, *, group: str, adjustment: str, cases: str, deaths: str,
                      standard: str = "pooled") -> dict:
    """One ``BackdoorResult`` per group, all adjusted to the same reference P(z)."""
    _require_columns(data, {"group": group, "adjustment": adjustment, "cases": cases,
                            "deaths": deaths})
    p_z = reference_distribution(data, group=group, adjustment=adjustment, cases=cases,
                                 standard=standard)
    results = {}
    for name, rows in data.groupby(group, sort=False):
        dup = rows[adjustment][rows[adjustment].duplicated()]
        if len(dup):
            raise ValueError(f"{group} {name!r}: stratum {dup.iloc[0]!r} appears more than once "
                             f"in column {adjustment!r}")
        table = rows.set_index(adjustment)[[cases, deaths]].reindex(p_z.index, fill_value=0)
        table = table.assign(p_z=p_z).reset_index()
        try:
            results[name] = backdoor_adjustment(table, treatment=cases, outcome=deaths,
                                                adjustment=adjustment, weights="p_z")
        except ValueError as exc:
            raise ValueError(f"{group} {name!r}: {exc}") from None
    return results


def standardized_rates(data: pd.DataFrame, *, group: str, adjustment: str, cases: str,
                       deaths: str, standard: str = "pooled") -> pd.DataFrame:
    """Crude and directly standardised rate per group (e.g. case-fatality rate per country).

    crude = deaths / cases = P(Y | X=group); standardized = sum_z P(Y | X=group, z) P_std(z)
    = P(Y | do(X=group)) with the age mix of ``standard`` (a group, or "pooled").
    """
    results = backdoor_by_group(data, group=group, adjustment=adjustment, cases=cases,
                                deaths=deaths, standard=standard)
    out = pd.DataFrame({"cases": [int(r.table["units"].sum()) for r in results.values()],
                        "deaths": [int(r.table["outcomes"].sum()) for r in results.values()],
                        "crude": [r.observational for r in results.values()],
                        "standardized": [r.adjusted for r in results.values()]},
                       index=pd.Index(list(results), name=group))
    out.attrs["standard"] = standard
    return out


def stratum_rates(data: pd.DataFrame, *, group: str, adjustment: str, cases: str,
                  deaths: str) -> pd.DataFrame:
    """Rate deaths/cases per stratum (rows) and group (columns)."""
    results = backdoor_by_group(data, group=group, adjustment=adjustment, cases=cases,
                                deaths=deaths, standard="pooled")
    return pd.DataFrame({name: r.table["rate"] for name, r in results.items()})


# ---------------------------------------------------------------- plots

def _new_axes(n: int, axes, figsize):
    import matplotlib.pyplot as plt
    if axes is None:
        fig, axes = plt.subplots(1, n, figsize=figsize, squeeze=False)
        return fig, list(axes[0])
    axes = list(np.atleast_1d(axes))
    if len(axes) != n:
        raise ValueError(f"expected {n} axes, got {len(axes)}")
    return axes[0].figure, axes


def plot_backdoor(result: BackdoorResult, ax=None):
    """Bars of P(z|X) (mix among the treated) and P(z) (population mix) per stratum."""
    fig, (ax,) = _new_axes(1, ax, (6, 3.5))
    t = result.table
    x = np.arange(len(t))
    ax.bar(x - 0.2, t["p_z_given_x"], 0.4, label="P(z | X): among the treated")
    ax.bar(x + 0.2, t["p_z"], 0.4, label="P(z): whole population")
    ax.set_xticks(x, [str(v) for v in t.index])
    ax.set_xlabel(str(t.index.name))
    ax.set_ylabel("probability")
    ax.set_title(f"P(Y|X) = {result.observational:.4f}   P(Y|do(X)) = {result.adjusted:.4f}")
    ax.set_ylim(0, 1.3 * float(t[["p_z_given_x", "p_z"]].to_numpy().max()))
    ax.legend()
    fig.tight_layout()
    return fig


def plot_simpson(data: pd.DataFrame, *, group: str, adjustment: str, cases: str, deaths: str,
                 standard: str = "pooled", axes=None, percent: bool = True, rate_label: str | None = None):
    """Left: rate per stratum and group. Right: crude vs standardised rate per group.
    ``rate_label`` names the rate on the y axes (default: "<deaths> / <cases>")."""
    fig, (left, right) = _new_axes(2, axes, (11, 4))
    scale = 100.0 if percent else 1.0
    unit = " (%)" if percent else ""
    rates = stratum_rates(data, group=group, adjustment=adjustment, cases=cases, deaths=deaths)
    summary = standardized_rates(data, group=group, adjustment=adjustment, cases=cases,
                                 deaths=deaths, standard=standard)
    x = np.arange(len(rates))
    width = 0.8 / rates.shape[1]
    for i, name in enumerate(rates.columns):
        left.bar(x + (i - (rates.shape[1] - 1) / 2) * width, rates[name] * scale, width,
                 label=str(name))
    left.set_xticks(x, [str(v) for v in rates.index])
    rate_label = rate_label or f"{deaths} / {cases}"
    left.set(xlabel=str(adjustment), ylabel=f"{rate_label}{unit}", title="per stratum")
    left.legend()
    g = np.arange(len(summary))
    right.bar(g - 0.2, summary["crude"] * scale, 0.4, label="crude")
    right.bar(g + 0.2, summary["standardized"] * scale, 0.4,
              label=f"standardised ({standard} {adjustment} mix)")
    for xs, col in ((g - 0.2, "crude"), (g + 0.2, "standardized")):
        for xi, v in zip(xs, summary[col]):
            right.annotate(f"{v * scale:.2f}", (xi, v * scale), ha="center", va="bottom")
    right.set_xticks(g, [str(v) for v in summary.index])
    right.set(ylabel=f"{rate_label}{unit}", title="crude vs standardised")
    right.set_ylim(0, 1.3 * scale * float(summary[["crude", "standardized"]].to_numpy().max()))
    right.legend(loc="upper left")
    fig.tight_layout()
    return fig

