"""Table 3 of Tang et al. (2020) as data, and a trained run set beside its row.

    paper_table3()                                   # the table as PAPER.md §6 prints it
    paper_accuracy("cifar10-lt", 100, "deconfound", tde=True)    # 80.6
    run_vs_paper(run)                                # notebook 05: α = 0, configured α, paper

Only the De-confound and De-confound-TDE rows of CIFAR-LT are in Table 3 (ResNet-32, 200 epochs,
original CIFAR images); every other combination has no paper number (None), never a guess.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

# (data set, imbalance) -> {row of Table 3: top-1 accuracy (%)}; Tang et al. 2020, Table 3 (PAPER.md §6)
PAPER_TABLE3 = {
    ("cifar100-lt", 100): {"De-confound": 40.5, "De-confound-TDE": 44.1},
    ("cifar100-lt", 50): {"De-confound": 46.2, "De-confound-TDE": 50.3},
    ("cifar100-lt", 10): {"De-confound": 58.9, "De-confound-TDE": 59.6},
    ("cifar10-lt", 100): {"De-confound": 71.7, "De-confound-TDE": 80.6},
    ("cifar10-lt", 50): {"De-confound": 77.8, "De-confound-TDE": 83.6},
    ("cifar10-lt", 10): {"De-confound": 86.8, "De-confound-TDE": 88.5},
}
METHOD_LABELS = {"ce": "Cross-entropy", "cosine": "Cosine", "focal": "Focal", "cb": "Class-balanced",
                 "capsule": "Capsule", "deconfound": "De-confound"}
DATA_LABELS = {"cifar10-lt": "CIFAR-10-LT", "cifar100-lt": "CIFAR-100-LT", "mnist-lt": "MNIST-LT"}
SHORT = {"cifar10-lt": "C10", "cifar100-lt": "C100"}
PAPER_COLUMN = "paper (Table 3)"


def paper_table3() -> pd.DataFrame:
    """Table 3 laid out as in the paper: rows De-confound / De-confound-TDE, columns C100/C10 × r."""
    columns = {f"{SHORT[d]} r={r}": rows for (d, r), rows in PAPER_TABLE3.items()}
    return pd.DataFrame(columns).loc[["De-confound", "De-confound-TDE"]]


def method_label(method: str, tde: bool = False) -> str:
    """Row name as in Table 3: ``De-confound``, ``De-confound-TDE``, ``Cross-entropy``, ..."""
    return METHOD_LABELS.get(method, method) + ("-TDE" if tde else "")


def paper_accuracy(paper_key: str | None, imbalance: float, method: str, tde: bool = False) -> float | None:
    """The Table 3 number for a data set key (``cifar10-lt``/``cifar100-lt``), or None if absent."""
    if paper_key is None or float(imbalance) != int(imbalance):
        return None
    return PAPER_TABLE3.get((paper_key, int(imbalance)), {}).get(method_label(method, tde))


def _first_image_suffix(folder) -> str:
    try:
        train = Path(folder) / "train"
        first_class = min(p for p in train.iterdir() if p.is_dir())
        return min(first_class.iterdir()).suffix.lower()
    except (OSError, ValueError):
        return ""


def data_label(dataset: str, classes=None, folder=None) -> tuple[str, str | None]:
    """(label for tables, key into :data:`PAPER_TABLE3` or None) of a data set.

    An image folder whose classes are CIFAR-10's (or CIFAR-100's) counts as that data set, e.g.
    a JPEG re-encoding of CIFAR-10 → ``("CIFAR-10-LT (JPEG copy)", "cifar10-lt")``.
    """
    if dataset != "folder":
        return DATA_LABELS.get(dataset, dataset), (dataset if dataset in SHORT else None)
    from lt_causal.datasets import CIFAR10_CLASSES, CIFAR100_CLASSES

    classes = list(classes or [])
    for key, names in (("cifar10-lt", CIFAR10_CLASSES), ("cifar100-lt", CIFAR100_CLASSES)):
        if classes == names:
            jpeg = _first_image_suffix(folder) in (".jpg", ".jpeg") if folder else False
            return f"{DATA_LABELS[key]} ({'JPEG copy' if jpeg else 'image folder'})", key
    name = Path(folder).name if folder else "folder"
    return f"{name} (image folder)", None


def tde_capable(run) -> bool:
    """TDE is reported for normalised heads (cosine, causal norm: the paper's setting); a linear
    head (``ce``, ``focal``, ``cb``) is reported at α = 0 only."""
    return getattr(run.head, "kind", "linear") != "linear"


def run_alphas(run, alpha: float | None = None) -> list[float]:
    """α = 0 and the configured α (``config["alpha"]``) for a TDE-capable run, else [0]."""
    alpha = float(run.config.get("alpha", 1.0)) if alpha is None else float(alpha)
    return [0.0, alpha] if tde_capable(run) and alpha != 0 else [0.0]


def run_vs_paper(run, alpha: float | None = None) -> pd.DataFrame:
    """Accuracy of one run at α = 0 and the configured α beside its Table 3 number (NaN if none)."""
    cfg = run.config
    _, key = data_label(run.dataset, run.classes, cfg.get("folder_root"))
    rows = {}
    for a in run_alphas(run, alpha):
        tde = a != 0
        name = method_label(run.method, tde) + (f" (α={a:g})" if tde else "")
        paper = paper_accuracy(key, cfg.get("imbalance", 100), run.method, tde)
        rows[name] = {**run.evaluate(a), PAPER_COLUMN: float("nan") if paper is None else paper}
    return pd.DataFrame.from_dict(rows, orient="index")[["overall", "many", "medium", "few", PAPER_COLUMN]]
