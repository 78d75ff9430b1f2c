"""Simpson's paradox by direct standardisation: the per-stratum rates of several groups
(countries) weighted by one reference P(z) (docs/method.md §1). With the China/Italy
case-fatality data, Italy's crude rate is higher while its rate in every age group, and its
standardised rate, are lower (von Kügelgen, Gresele, Schölkopf 2020).

Which question a standardised rate answers depends on the graph. When the strata are a common
cause of group and outcome (a confounder) it is the backdoor adjustment P(Y | do(X)). When the
group causes the strata (country → age of its cases → death: a mediator) the crude rates already
are P(Y | do(X)) — the total effect — and holding the strata's mix fixed gives the direct effect;
:func:`mediation_effects` splits the total effect into the direct and the indirect part.
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


def mediation_effects(data: pd.DataFrame, *, group: str, adjustment: str, cases: str, deaths: str,
                      treated: str, reference: str, mix: str | None = None) -> pd.Series:
    """Total, direct and indirect effect of group ``treated`` against ``reference`` on the rate,
    with the strata (column ``adjustment``) as the mediator of group → outcome, held at the mix
    P*(z) of ``mix`` (a group, or "pooled"; default: the reference group's own mix).

    * total effect = P(Y | treated) − P(Y | reference): the crude rates, which are P(Y | do(X))
      when nothing confounds the group;
    * direct effect = Σ_z [P(Y | treated, z) − P(Y | reference, z)] P*(z): the change of group
      with the mediator's mix held fixed (with the reference's own mix, the natural direct effect
      of von Kügelgen et al. 2020);
    * indirect effect = total − direct: the part that runs through the mix of the strata.

    Returned as probabilities, indexed ``total effect``, ``direct effect``, ``indirect effect``.
    """
    _require_columns(data, {"group": group})
    groups = list(pd.unique(data[group]))
    for role, name in (("treated", treated), ("reference", reference)):
        if name not in groups:
            raise ValueError(f"{role}={name!r} is not a value of column {group!r}; valid: "
                             f"{', '.join(map(str, groups))}")
    if treated == reference:
        raise ValueError(f"treated and reference are both {treated!r}: name two different groups")
    results = backdoor_by_group(data, group=group, adjustment=adjustment, cases=cases, deaths=deaths,
                                standard=reference if mix is None else mix)
    treated_, reference_ = results[treated], results[reference]
    total = treated_.observational - reference_.observational
    direct = treated_.adjusted - reference_.adjusted
    effects = pd.Series({"total effect": total, "direct effect": direct, "indirect effect": total - direct},
                        name=f"{treated} vs {reference}")
    effects.index.name = "effect"
    return effects
