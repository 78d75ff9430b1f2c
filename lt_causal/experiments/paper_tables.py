"""Tables 2 and 3 of Tang et al. (2020) as data, and trained runs beside their rows.

    paper_table3()                                   # the table as docs/method.md §7 prints it
    paper_accuracy("cifar10-lt", 100, "deconfound", tde=True)    # 80.6
    run_vs_paper(run)                                # notebook 05: α = 0, configured α, paper
    paper_table2()                                   # ImageNet-LT: many / medium / few / overall
    table2_with_runs([run_a, run_b])                 # the package's runs beside Table 2's rows

Table 3 (ResNet-32, 200 epochs, original CIFAR images) has the paper's De-confound(-TDE) rows
(docs/method.md §7) and the rows of the systems it compares with (Focal Loss, Mixup, Class-balanced
Loss, LDAM — LDAM-DRW in the numbers BBN reports —, BBN; from the seed deck's copy of Table 3).
Table 2 (ImageNet-LT test split, ResNeXt-50) has every system of the paper's comparison, OLTR† and
Decouple-OLTR† included (docs/method.md §8); † marks the systems Tang et al. re-implemented in their
framework and hyper-parameters. A run on ImageNet-LT gets Table 2's numbers, a run on CIFAR-LT
Table 3's. A combination the paper does not report has no number (None), never a guess.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from lt_causal.datasets.profiles import ACCURACY_KEYS, SHOT_GROUPS
from lt_causal.datasets.registry import DATA_LABELS, dataset_of
from lt_causal.methods.registry import method_label as registry_label

# (data set, imbalance) -> {row of Table 3: top-1 accuracy (%)}; Tang et al. 2020, Table 3 (docs/method.md §7)
PAPER_TABLE3 = {
    ("cifar100-lt", 100): {"De-confound": 40.5, "De-confound-TDE": 44.1},
    ("cifar100-lt", 50): {"De-confound": 46.2, "De-confound-TDE": 50.3},
    ("cifar100-lt", 10): {"De-confound": 58.9, "De-confound-TDE": 59.6},
    ("cifar10-lt", 100): {"De-confound": 71.7, "De-confound-TDE": 80.6},
    ("cifar10-lt", 50): {"De-confound": 77.8, "De-confound-TDE": 83.6},
    ("cifar10-lt", 10): {"De-confound": 86.8, "De-confound-TDE": 88.5},
}
_C = ("cifar100-lt", 100), ("cifar100-lt", 50), ("cifar100-lt", 10), ("cifar10-lt", 100), \
    ("cifar10-lt", 50), ("cifar10-lt", 10)
# the other systems of Table 3 (C100 r=100, 50, 10, C10 r=100, 50, 10), as the seed deck lists them
TABLE3_OTHER_SYSTEMS = {
    "Focal Loss": (38.4, 44.3, 55.8, 70.4, 76.7, 86.7),
    "Mixup": (39.5, 45.0, 58.0, 73.1, 77.8, 87.1),
    "Class-balanced Loss": (39.6, 45.2, 58.0, 74.6, 79.3, 87.1),
    "LDAM": (42.0, 46.6, 58.7, 77.0, 81.0, 88.2),
    "BBN": (42.6, 47.0, 59.1, 79.8, 82.2, 88.3),
}
# Table 2, ImageNet-LT, ResNeXt-50: (many, medium, few, overall); † = re-implemented by the authors
PAPER_TABLE2 = {
    "Focal Loss†": (64.3, 37.1, 8.2, 43.7),
    "OLTR†": (51.0, 40.8, 20.8, 41.9),
    "Decouple-OLTR†": (59.9, 45.8, 27.6, 48.7),
    "Decouple-Joint": (65.9, 37.5, 7.7, 44.4),
    "Decouple-NCM": (56.6, 45.3, 28.1, 47.3),
    "Decouple-cRT": (61.8, 46.2, 27.4, 49.6),
    "Decouple-τ-norm": (59.1, 46.9, 30.7, 49.4),
    "Decouple-LWS": (60.2, 47.2, 30.3, 49.9),
    "Baseline": (66.1, 38.4, 8.9, 45.0),
    "Cosine†": (67.3, 41.3, 14.0, 47.6),
    "Capsule†": (67.1, 40.0, 11.2, 46.5),
    "De-confound": (67.9, 42.7, 14.7, 48.6),
    "Cosine-TDE": (61.8, 47.1, 30.4, 50.5),
    "Capsule-TDE": (62.3, 46.9, 30.6, 50.6),
    "De-confound-TDE": (62.7, 48.8, 31.6, 51.8),
}
# our method (and TDE or not) -> its row in Table 3 / Table 2
TABLE3_ROWS = {("focal", False): "Focal Loss", ("mixup", False): "Mixup", ("cb", False): "Class-balanced Loss",
               ("ldam-drw", False): "LDAM", ("bbn", False): "BBN", ("deconfound", False): "De-confound",
               ("deconfound", True): "De-confound-TDE"}
TABLE2_ROWS = {("ce", False): "Baseline", ("focal", False): "Focal Loss†", ("cosine", False): "Cosine†",
               ("capsule", False): "Capsule†", ("deconfound", False): "De-confound", ("cosine", True): "Cosine-TDE",
               ("capsule", True): "Capsule-TDE", ("deconfound", True): "De-confound-TDE",
               ("ncm", False): "Decouple-NCM", ("crt", False): "Decouple-cRT", ("tau-norm", False): "Decouple-τ-norm",
               ("lws", False): "Decouple-LWS", ("oltr", False): "OLTR†", ("decouple-oltr", False): "Decouple-OLTR†"}
SHORT = {"cifar10-lt": "C10", "cifar100-lt": "C100"}
TABLE2_DATA = "imagenet-lt"          # the data set of Table 2 (its key in paper_accuracy)
PAPER_COLUMN = "paper (Table 3)"
PAPER_COLUMN2 = "paper (Table 2)"
OURS = "lt_causal "                  # prefix of the run's columns beside Table 2's


def _table3_rows() -> dict:
    """{(data set, r): {row: accuracy}} with every row of Table 3."""
    table = {key: dict(rows) for key, rows in PAPER_TABLE3.items()}
    for row, values in TABLE3_OTHER_SYSTEMS.items():
        for key, v in zip(_C, values):
            table[key][row] = v
    return table


def paper_table3() -> pd.DataFrame:
    """Table 3 laid out as in the paper: one row per system, columns C100/C10 × r."""
    columns = {f"{SHORT[d]} r={r}": rows for (d, r), rows in _table3_rows().items()}
    return pd.DataFrame(columns).loc[[*TABLE3_OTHER_SYSTEMS, "De-confound", "De-confound-TDE"]]


def paper_table2() -> pd.DataFrame:
    """Table 2 (ImageNet-LT, ResNeXt-50): many / medium / few / overall per system, with the
    method name of this package that trains the same system (on the data sets it has)."""
    ours = {row: m + ("-TDE" if tde else "") for (m, tde), row in TABLE2_ROWS.items()}
    df = pd.DataFrame.from_dict(PAPER_TABLE2, orient="index", columns=[*SHOT_GROUPS, "overall"])
    df.insert(0, "lt_causal method", [ours.get(r, "–") for r in df.index])
    return df


def paper_table2_row(method: str, tde: bool = False) -> tuple | None:
    """Table 2's (many, medium, few, overall) of a method (and TDE or not), None if it has no row."""
    row = TABLE2_ROWS.get((method, bool(tde)))
    return None if row is None else PAPER_TABLE2[row]


def table2_with_runs(runs, alpha: float | None = None) -> pd.DataFrame:
    """Table 2 with the package's ``runs`` (TrainedRun objects) beside it: for each run, α = 0 and
    (for a run that reports TDE) its configured α or ``alpha`` fill the columns ``lt_causal many`` …
    ``lt_causal overall`` and ``lt_causal run`` of the system's row; a later run replaces an earlier
    one on the same row; a row with no run shows NaN. A run of a method outside Table 2 (e.g.
    ``logit-adjust``) is added as its own row below the paper's."""
    table = paper_table2()
    cols = [OURS + k for k in (*SHOT_GROUPS, "overall")]
    for c in cols:
        table[c] = float("nan")
    table[OURS + "run"] = "–"
    for run in runs:
        for a in run.report_alphas(alpha):
            row = TABLE2_ROWS.get((run.method, a != 0)) or method_label(run.method, a != 0)
            acc = run.evaluate(a)
            name = (run.path.name if run.path is not None else run.method) + (f" (α={a:g})" if a else "")
            if row not in table.index:
                table.loc[row, "lt_causal method"] = run.method + ("-TDE" if a else "")
            table.loc[row, cols] = [acc[k] for k in (*SHOT_GROUPS, "overall")]
            table.loc[row, OURS + "run"] = name
    return table


def method_label(method: str, tde: bool = False) -> str:
    """Row name as in Table 3: ``De-confound``, ``De-confound-TDE``, ``Cross-entropy``, ..."""
    return registry_label(method) + ("-TDE" if tde else "")


def paper_accuracy(paper_key: str | None, imbalance: float, method: str, tde: bool = False) -> float | None:
    """The Table 3 number for a data set key (``cifar10-lt``/``cifar100-lt``), Table 2's overall
    accuracy for ``imagenet-lt``, or None if absent."""
    if paper_key == TABLE2_DATA:   # the split files fix the imbalance
        row2 = paper_table2_row(method, tde)
        return None if row2 is None else row2[3]
    row = TABLE3_ROWS.get((method, bool(tde)))
    if paper_key is None or row is None or float(imbalance) != int(imbalance):
        return None
    return _table3_rows().get((paper_key, int(imbalance)), {}).get(row)


def _first_image_suffix(folder) -> str:
    try:
        train = Path(folder) / "train"
        first_class = min(p for p in train.iterdir() if p.is_dir())
        return min(first_class.iterdir()).suffix.lower()
    except (OSError, ValueError):
        return ""


def data_label(dataset: str, classes=None, folder=None) -> tuple[str, str | None]:
    """(label for tables, key of its paper table — ``cifar10-lt``, ``cifar100-lt``, ``imagenet-lt``
    — or None) of a data set.

    An image folder whose classes are CIFAR-10's (or CIFAR-100's) counts as that data set, e.g.
    a JPEG re-encoding of CIFAR-10 → ``("CIFAR-10-LT (JPEG copy)", "cifar10-lt")``.
    """
    if dataset != "folder":
        return DATA_LABELS.get(dataset, dataset), (dataset if dataset in (*SHORT, TABLE2_DATA) else None)
    key = dataset_of(dataset, classes or [])
    if key != "folder":
        jpeg = _first_image_suffix(folder) in (".jpg", ".jpeg") if folder else False
        return f"{DATA_LABELS[key]} ({'JPEG copy' if jpeg else 'image folder'})", key
    name = Path(folder).name if folder else "folder"
    return f"{name} (image folder)", None


def run_vs_paper(run, alpha: float | None = None) -> pd.DataFrame:
    """Accuracy of one run at α = 0 and the configured α beside its Table 3 number (Table 2's
    overall accuracy for an ImageNet-LT run; NaN if none)."""
    cfg = run.config
    _, key = data_label(run.dataset, run.classes, cfg.get("folder_root"))
    column = PAPER_COLUMN2 if key == TABLE2_DATA else PAPER_COLUMN
    rows = {}
    for a in run.report_alphas(alpha):
        tde = a != 0
        name = method_label(run.method, tde) + (f" (α={a:g})" if tde else "")
        paper = paper_accuracy(key, cfg.get("imbalance", 100), run.method, tde)
        rows[name] = {**run.evaluate(a), column: float("nan") if paper is None else paper}
    return pd.DataFrame.from_dict(rows, orient="index")[[*ACCURACY_KEYS, column]]
