"""Atomic checkpoint files: written to a temporary file in the same folder and renamed, so an
interrupted save never destroys the previous checkpoint; loaded with ``weights_only=True``."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import torch


def _atomic_write(path: Path, write) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_checkpoint(obj: dict, path) -> None:
    """torch.save ``obj`` to ``path`` atomically (tensors, numbers, strings, lists and dicts only)."""
    _atomic_write(Path(path), lambda f: torch.save(obj, f))


def load_checkpoint(path, map_location="cpu", keys=()) -> dict:
    """Load a checkpoint written by :func:`save_checkpoint` with ``weights_only=True``;
    ``keys``: entries the caller needs (a missing one is a ValueError naming the file)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    blob = torch.load(path, map_location=map_location, weights_only=True)
    missing = [k for k in keys if k not in blob]
    if missing:
        raise ValueError(f"{path} lacks {', '.join(map(repr, missing))}")
    return blob


def save_json(obj, path) -> None:
    """Write ``obj`` as indented JSON, atomically."""
    data = json.dumps(obj, indent=2, sort_keys=False).encode()
    _atomic_write(Path(path), lambda f: f.write(data))
