"""Every system of the paper's Tables 2 and 3 trained on one long-tailed data set and compared
(notebook 07): the list of systems, the comparison table beside the paper's numbers, a figure.

    lc.methods_table()                                  # what each method is, where the paper has it
    summary = lc.benchmark(root="runs/nb07")            # train (or load) all of them on MNIST-LT
    lc.benchmark_table(summary)                         # one row per system, α = 0 and TDE rows
    lc.benchmark_figure(lc.benchmark_table(summary))    # the bars: lt_causal.views.run_plots

``benchmark`` is :func:`lt_causal.reproduce` over :data:`BENCHMARK_METHODS` (the decoupling
methods reuse the backbone of its ``ce`` run); everything it trains lands in run directories that a
second call loads.
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd

from lt_causal.datasets.profiles import ACCURACY_KEYS
from lt_causal.experiments.paper_tables import PAPER_TABLE2, TABLE2_ROWS, method_label, paper_accuracy
from lt_causal.experiments.reproduce import reproduce
from lt_causal.methods.registry import METHOD_ID, METHODS, method_description
from lt_causal.settings import default_runs_dir

BENCHMARK_METHODS = tuple(METHODS)
FAMILIES = {"standard": "one stage", "mixup": "one stage (mixup step)", "bbn": "one stage (two branches)"}
PAPER_C10 = "paper C10-LT r=100 (Table 3)"
PAPER_IMAGENET = "paper ImageNet-LT (Table 2)"


def _paper_numbers(method: str, tde: bool) -> tuple:
    """(Table 3 CIFAR-10-LT r=100 overall, Table 2 ImageNet-LT overall) of a system, None if absent."""
    row2 = TABLE2_ROWS.get((method, tde))
    return paper_accuracy("cifar10-lt", 100, method, tde), (PAPER_TABLE2[row2][3] if row2 else None)


class DisplayTable(pd.DataFrame):
    """A DataFrame that shows a missing number as "–" (as the other tables of the notebooks do)
    and every text in full (pandas cuts cells at 50 characters with "…"); the data stay NaN."""

    @property
    def _constructor(self):
        return DisplayTable

    def _repr_html_(self) -> str:
        with pd.option_context("display.max_colwidth", None):
            return self.to_html(na_rep="–", float_format=lambda v: f"{v:g}", notebook=True)

    def __repr__(self) -> str:
        with pd.option_context("display.max_colwidth", None, "display.width", 10_000):
            return self.to_string(na_rep="–", float_format=lambda v: f"{v:g}")


def methods_table() -> pd.DataFrame:
    """One row per method of :data:`lt_causal.METHODS`: its kind, whether it gets a TDE row,
    what it is (in the active language), and its overall accuracy in the paper's Tables 3 and 2
    (where they report it). Shown with full descriptions and "–" where the paper has no number
    (:class:`DisplayTable`); ``lc.show_table`` shows it with its labels in the learner's language."""
    rows = {}
    for name, spec in METHODS.items():
        kind = "two stages" if spec.stage2 else FAMILIES[spec.step]
        c10, inet = _paper_numbers(name, False)
        rows[name] = {"system": method_label(name), "stages": kind, "TDE row": spec.reports_tde,
                      PAPER_C10: c10, PAPER_IMAGENET: inet, "what it is": method_description(name)}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = METHOD_ID       # the names `--method` takes, shown as typed in both editions
    return DisplayTable(table)


def benchmark(dataset: str = "mnist-lt", imbalance: float = 100, methods: Sequence[str] = BENCHMARK_METHODS,
              seeds: Sequence[int] = (0,), base: dict | None = None, root=None, folder=None,
              quick: bool | None = None, progress: bool = True, callback=None) -> pd.DataFrame:
    """Train (or load) every method on one data set with the data set's recipe and return the
    summary of :func:`lt_causal.reproduce` (mean ± std over ``seeds``, α = 0 and configured α).
    Runs go to ``root`` (default ``<runs>/benchmark``); a second call loads them."""
    root = root if root is not None else default_runs_dir() / "benchmark"
    return reproduce([dataset], [imbalance], methods, seeds, base=base, root=root, folder=folder,
                     quick=quick, progress=progress, callback=callback)


def benchmark_table(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per trained system (``De-confound``, ``De-confound-TDE``, ``cRT`` …) with the mean
    accuracy by shot group, sorted by overall accuracy, and the paper's overall numbers beside it."""
    if summary.empty:
        raise ValueError("the summary has no rows: train something with benchmark() first")
    if summary["data"].nunique() > 1 or summary["imbalance"].nunique() > 1:
        raise ValueError("benchmark_table compares methods on one data set and imbalance; got "
                         f"{sorted(summary['data'].unique())} × {sorted(summary['imbalance'].unique())}")
    out = {}
    for _, r in summary.iterrows():
        c10, inet = _paper_numbers(r["method"], r["alpha"] > 0)   # α > 0 only on TDE rows
        out[r["row"]] = {"method": r["method"], "alpha": r["alpha"],
                         **{g: r[f"{g}_mean"] for g in ACCURACY_KEYS},
                         PAPER_C10: c10, PAPER_IMAGENET: inet}
    table = pd.DataFrame.from_dict(out, orient="index")
    return table.sort_values("overall", ascending=False, kind="stable")
