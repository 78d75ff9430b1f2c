"""Record a comparison the package trained, for docs/results.md: the summary of its run folders
(mean accuracy by shot group, :func:`lt_causal.experiments.reproduce.table_from_runs`) and where it
ran, written to ``docs/measurements/NAME.csv`` and ``NAME.json``. ``tools/results.py`` renders the
document's tables from these records, so no number of such a run is typed.

    python tools/record.py ~/lt_runs/mnist-benchmark-e30 mnist-lt-r100-benchmark \
        --command 'lc.benchmark("mnist-lt", 100, seeds=[0])'

The record names no path of the machine that made it: the run folders are read, not quoted.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
MEASUREMENTS = ROOT / "docs" / "measurements"


def provenance(paths, command: str) -> dict:
    """What the record says about its runs: the command, the machine of every epoch (as the runs'
    histories record it), torch, and the recipe they share."""
    import torch

    from lt_causal.checkpoint import CONFIG

    machines, configs = [], []
    for path in paths:
        history = pd.read_csv(Path(path) / "history.csv")
        machines += list(history["machine"]) if "machine" in history else [None] * len(history)
        configs.append(json.loads((Path(path) / CONFIG).read_text()))
    shared = {k: configs[0][k] for k in ("arch", "epochs", "batch_size", "lr", "momentum", "weight_decay")
              if all(c.get(k) == configs[0].get(k) for c in configs)}
    named = sorted({m for m in machines if isinstance(m, str) and m})
    unnamed = len(machines) - sum(isinstance(m, str) and bool(m) for m in machines)
    where = named + ([f"not recorded ({unnamed} epochs)"] if unnamed else [])
    return {"command": command, "runs": len(configs), "recipe": shared, "torch": torch.__version__,
            "machine": "; ".join(where)}


def record(root, name: str, command: str) -> Path:
    import lt_causal as lc
    from lt_causal.experiments.reproduce import table_from_runs

    paths = lc.find_runs(root)
    if not paths:
        raise SystemExit(f"error: no finished run folder under {root}")
    summary = table_from_runs(paths).sort_values(["method", "alpha"], kind="stable")
    MEASUREMENTS.mkdir(parents=True, exist_ok=True)
    summary.to_csv(MEASUREMENTS / f"{name}.csv", index=False)
    (MEASUREMENTS / f"{name}.json").write_text(json.dumps(provenance(paths, command), indent=1,
                                                          ensure_ascii=False) + "\n", encoding="utf-8")
    return MEASUREMENTS / f"{name}.csv"


def read_record(name: str) -> tuple[pd.DataFrame, dict]:
    """A record :func:`record` wrote: the summary of its runs and their provenance."""
    return (pd.read_csv(MEASUREMENTS / f"{name}.csv"),
            json.loads((MEASUREMENTS / f"{name}.json").read_text(encoding="utf-8")))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Record the summary of trained run folders for docs/results.md.")
    p.add_argument("root", help="folder holding the run folders (searched recursively)")
    p.add_argument("name", help="record name, e.g. mnist-lt-r100-benchmark")
    p.add_argument("--command", required=True, help="the call that trained the runs, as a reader would type it")
    a = p.parse_args(argv)
    print(record(a.root, a.name, a.command).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
