"""The machine a process runs on, in words: what a run's history records for each epoch it trained
(so a run resumed on another machine says which epochs ran where) and what benchmarks name."""
from __future__ import annotations

import os
from pathlib import Path

import torch


def cpu_name() -> str:
    """The CPU model and its core count, e.g. 'AMD EPYC, 2 cores'."""
    name = "CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        import platform
        name = platform.processor() or platform.machine() or name
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{name}, {cores} cores"


def machine_name(device="cpu") -> str:
    """The GPU's name on CUDA, else :func:`cpu_name` (provenance of runs and benchmarks)."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.get_device_name(device.index if device.index is not None else 0)
    return cpu_name()


def machines_record(machines) -> str | None:
    """Which epochs ran where, from the ``machine`` of each epoch (1, 2, …) of a history, in order:
    ``"A (epochs 1–113); B (epochs 114–200)"``; an epoch without one (trained before the history
    recorded it) is "not recorded". None when no epoch names its machine."""
    machines = [m if isinstance(m, str) and m else None for m in machines]
    if not any(machines):
        return None
    parts, first = [], 0
    for i in range(1, len(machines) + 1):
        if i == len(machines) or machines[i] != machines[first]:
            span = f"epoch {first + 1}" if i == first + 1 else f"epochs {first + 1}–{i}"
            parts.append(f"{machines[first] or 'not recorded'} ({span})")
            first = i
    return "; ".join(parts)
