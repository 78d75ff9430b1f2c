"""Simpson's paradox by direct standardisation: the backdoor adjustment of
:mod:`lt_causal.causal.backdoor` applied to several groups (countries) at once, all with the same
reference P(z) (docs/method.md §1). With the China/Italy case-fatality data, Italy's crude rate is
higher while its rate in every age group, and its standardised rate, are lower (von Kügelgen,
Gresele, Schölkopf 2020).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lt_causal.causal.backdoor import _numbers, _require_columns, _shares, backdoor_adjustment

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
