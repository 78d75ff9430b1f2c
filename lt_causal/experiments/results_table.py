"""The tables of a reproduction: mean ± sample std over seeds per data set, imbalance, method
and α (:func:`summarize`), beside the paper's Table 3 number, as Markdown (:func:`results_markdown`)
and as the files ``results.md``, ``results.csv`` and ``runs.csv`` (:func:`write_results`)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from lt_causal.datasets.profiles import ACCURACY_KEYS
from lt_causal.experiments.paper_tables import PAPER_COLUMN, paper_accuracy


def summarize(per_run: pd.DataFrame) -> pd.DataFrame:
    """Mean and sample std (n − 1) over seeds per (data, imbalance, row, α), with the paper's number."""
    keys = ["data", "imbalance", "row", "alpha", "epochs"]
    out = []
    for (data, imb, row, alpha, epochs), g in per_run.groupby(keys, sort=False, dropna=False):
        first = g.iloc[0]
        rec = {"data": data, "dataset": first["dataset"], "imbalance": imb, "method": first["method"],
               "row": row, "alpha": alpha, "epochs": epochs, "seeds": g["seed"].nunique()}
        for grp in ACCURACY_KEYS:
            values = pd.to_numeric(g[grp], errors="coerce")
            rec[f"{grp}_mean"], rec[f"{grp}_std"] = values.mean(), values.std(ddof=1)
        paper = paper_accuracy(first["paper_key"], imb, first["method"], bool(first["tde"]))
        rec["paper"] = float("nan") if paper is None else paper
        out.append(rec)
    return pd.DataFrame(out)


def _pm(mean, std) -> str:
    if pd.isna(mean):
        return "–"
    return f"{mean:.1f}" if pd.isna(std) else f"{mean:.1f} ± {std:.1f}"


def results_markdown(summary: pd.DataFrame) -> str:
    """The summary as a Markdown table: mean ± std per shot group beside the Table 3 number."""
    head = ["data set", "imbalance", "method", "α", "epochs", "seeds", *ACCURACY_KEYS, PAPER_COLUMN]
    lines = ["| " + " | ".join(head) + " |", "|---|---:|---|---:|---:|---:|" + "---:|" * 5]
    for _, r in summary.iterrows():
        cells = [r["data"], f"{r['imbalance']:g}", r["row"], f"{r['alpha']:g}", str(r["epochs"]),
                 str(r["seeds"]), *(_pm(r[f"{g}_mean"], r[f"{g}_std"]) for g in ACCURACY_KEYS),
                 "–" if pd.isna(r["paper"]) else f"{r['paper']:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    notes = ["Top-1 accuracy (%) on the balanced test set: mean ± sample std (n − 1) over seeds. "
             "Paper: Tang et al. (NeurIPS 2020), Table 3 — ResNet-32, 200 epochs, original CIFAR "
             "images; '–': not in that table."]
    if summary["data"].str.contains("JPEG copy").any():
        notes.append("JPEG copy: CIFAR re-encoded as JPEG (quality 75); expect a few points below "
                     "the paper's numbers, which were measured on the original images.")
    return "\n".join(lines) + "\n\n" + "\n\n".join(notes) + "\n"


def write_results(summary: pd.DataFrame, per_run: pd.DataFrame, root) -> None:
    """``results.md``, ``results.csv`` (summary) and ``runs.csv`` (one row per run and α)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    settings = per_run.drop_duplicates(["data", "arch", "epochs", "batch_size", "lr"])
    lines = [f"- {r.data}: {r.arch}, {r.epochs} epochs, batch {r.batch_size}, lr {r.lr:g}; "
             f"seeds {sorted(set(per_run.loc[per_run['data'] == r.data, 'seed']))}"
             for r in settings.itertuples()]
    (root / "results.md").write_text("# Table 3 reproduction\n\n" + results_markdown(summary)
                                     + "\nTraining settings:\n\n" + "\n".join(lines) + "\n")
    summary.to_csv(root / "results.csv", index=False)
    per_run.to_csv(root / "runs.csv", index=False)
