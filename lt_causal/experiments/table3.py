"""Table 3 as this package measured it: the CIFAR half of the paper's table rebuilt from the
shipped packs (:mod:`lt_causal.evaluation.packs`) — cross-entropy, de-confound at α = 0 and
de-confound-TDE at the configured α (1 for CIFAR-10-LT) per imbalance ratio, each seed, mean and
sample std — beside the paper's numbers, and TDE's gain over α = 0 (the paper's trend: it grows
with the imbalance).

    table = lc.measured_table3()            # from every shipped CIFAR-10-LT pack
    lc.table3_gain_figure(table)            # the gain against the imbalance ratio, paper beside
    lc.measured_table3(runs=[run_a, run_b]) # from runs you give (TrainedRun objects)
"""
from __future__ import annotations

import pandas as pd

from lt_causal.evaluation.packs import pretrained_names, read_pack, run_from_pack
from lt_causal.experiments.paper_tables import PAPER_TABLE3, method_label
from lt_causal.language import Reading, listing, sentences, text

GAIN = "TDE gain"                          # the row: De-confound-TDE − De-confound, per seed
ROWS = ("Cross-entropy", "De-confound", "De-confound-TDE", GAIN)
MEAN, STD, PAPER = "mean", "std", "paper"


def table3_runs(dataset: str = "cifar10-lt", epochs: int = 200) -> list:
    """The shipped runs of ``dataset``'s cells of Table 3 at the full recipe (``epochs``), as
    :class:`~lt_causal.evaluation.runs.TrainedRun` objects."""
    blobs = (read_pack(n) for n in pretrained_names())        # each pack read once
    return [run_from_pack(b) for b in blobs if b["cell"]["dataset"] == dataset and b["config"]["epochs"] == epochs]


def seed_column(seed: int) -> str:
    return f"seed {seed}"


def _per_run(runs) -> pd.DataFrame:
    rows = []
    for run in runs:
        cell = run.cell
        at0 = run.evaluate(0.0)["overall"]
        rows.append({**cell, "row": method_label(cell["method"]), "overall": at0})
        if run.reports_tde:
            tde = run.evaluate(run.alpha)["overall"]
            rows.append({**cell, "row": method_label(cell["method"], True), "overall": tde})
            rows.append({**cell, "row": GAIN, "overall": tde - at0})
    return pd.DataFrame(rows)


def _paper(dataset: str, imbalance: float, row: str) -> float:
    cells = PAPER_TABLE3.get((dataset, int(imbalance)), {})
    if row == GAIN:
        return cells["De-confound-TDE"] - cells["De-confound"] if cells else float("nan")
    return cells.get(row, float("nan"))


def measured_table3(dataset: str = "cifar10-lt", runs=None) -> pd.DataFrame:
    """One row per (imbalance, system) — imbalance from high to low, systems in :data:`ROWS`
    order — with the top-1 accuracy (%) of each seed, their mean and sample std (n − 1; NaN for
    one seed), and the paper's Table 3 number (NaN where it has none: cross-entropy).
    ``runs``: the runs to tabulate (default: :func:`table3_runs`); each must be a distinct
    (imbalance, method, seed) of ``dataset``."""
    runs = table3_runs(dataset) if runs is None else list(runs)
    if not runs:
        raise ValueError(f"no runs of {dataset} to tabulate (shipped: {', '.join(pretrained_names()) or 'none'})")
    per_run = _per_run(runs)
    foreign = per_run.loc[per_run["dataset"] != dataset, "dataset"].unique().tolist()
    if foreign:
        raise ValueError(f"measured_table3({dataset!r}) was given runs of {foreign}")
    twice = per_run.duplicated(["imbalance", "row", "seed"])
    if twice.any():
        r = per_run[twice].iloc[0]
        raise ValueError(f"two runs for imbalance {r['imbalance']:g}, {r['row']}, seed {r['seed']}")
    table = per_run.pivot(index=["imbalance", "row"], columns="seed", values="overall")
    seeds = sorted(table.columns)
    table.columns = [seed_column(s) for s in seeds]
    values = table[[seed_column(s) for s in seeds]]
    table[MEAN], table[STD] = values.mean(axis=1), values.std(axis=1, ddof=1)
    table[PAPER] = [_paper(dataset, r, row) for r, row in table.index]
    order = sorted(table.index, key=lambda k: (-k[0], ROWS.index(k[1]) if k[1] in ROWS else len(ROWS)))
    table = table.loc[order]
    table.index = table.index.set_names(["imbalance", "system"])
    table.attrs["dataset"] = dataset
    return table


def paper_gains(dataset: str = "cifar10-lt") -> pd.Series:
    """The paper's TDE gain (De-confound-TDE − De-confound, Table 3) per imbalance ratio, low to high."""
    ratios = sorted(r for d, r in PAPER_TABLE3 if d == dataset)
    return pd.Series([_paper(dataset, r, GAIN) for r in ratios], index=pd.Index(ratios, dtype=float), name=PAPER)


def gains(table: pd.DataFrame) -> pd.DataFrame:
    """TDE's gain per imbalance ratio (rows, low to high) from :func:`measured_table3`: each seed,
    mean, std and the paper's."""
    return table.xs(GAIN, level="system").sort_index()


def _points(g: pd.DataFrame, column: str) -> str:
    seeds = [c for c in g.columns if c.startswith("seed ")]
    parts = []
    for r, row in g.iterrows():
        n = int(row[seeds].notna().sum()) if column == MEAN else None
        extra = "" if n is None else (text("reading_seed") if n == 1 else text("reading_seeds", n=n))
        parts.append(f"r={r:g}: {row[column]:+.2f}{extra}")
    return listing(parts)


def gain_reading(table: pd.DataFrame) -> Reading:
    """What the measured gains say about the paper's trend (TDE's gain grows with the imbalance),
    in the active language: the gains, the paper's, whether they fall from each ratio to the next
    lower one as the paper's do, and where they do not; then how far the accuracies themselves
    (de-confound with and without TDE, means over seeds) lie from the paper's."""
    g = gains(table).sort_index(ascending=False)          # high imbalance first, as the table
    lines = [text("reading_gains", ours=_points(g, MEAN), paper=_points(g, PAPER))]
    if len(g) < 2:
        lines.append(text("reading_one_ratio"))
    else:
        ratios, means = list(g.index), list(g[MEAN])
        breaks = [f"r={ratios[i]:g} → r={ratios[i + 1]:g}" for i in range(len(g) - 1) if means[i + 1] >= means[i]]
        lines.append(text("reading_trend_kept") if not breaks else text("reading_trend_broken", where=listing(breaks)))
    gap = (g[MEAN] - g[PAPER]).dropna()
    if len(gap):
        r = gap.abs().idxmax()
        lines.append(text("reading_gap", r=r, gap=gap[r]))
    systems = table.index.get_level_values("system").isin([method_label("deconfound"), method_label("deconfound", True)])
    level = (table.loc[systems, MEAN] - table.loc[systems, PAPER]).dropna()
    if len(level):
        low, high = level.min(), level.max()
        lines.append(text("reading_level_below", low=-high, high=-low) if high < 0 else
                     text("reading_level", low=low, high=high))
    return Reading(sentences(lines))
