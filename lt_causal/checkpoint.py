"""Atomic files: written to a temporary file in the same folder and renamed, so an interrupted
save never destroys the previous one; checkpoints loaded with ``weights_only=True``. Also the
names of the files in a run folder (one name each, used everywhere) and the ``.npz`` array caches
of decoded data sets.

A file that cannot be loaded (empty, truncated, garbage, or holding pickled objects other than
tensors, numbers, strings, lists and dicts, which are refused unread) or that lacks a key its
reader needs is one :class:`CheckpointError` line naming the file and what to do about it.
Files get the mode a plain ``open()`` would give them (0666 minus the umask), like the CSV and
JSON files written beside them.
"""
from __future__ import annotations

import json
import os
import secrets
import warnings
from pathlib import Path

import numpy as np
import torch

# the files of a run folder (written by lt_causal.training, read by lt_causal.evaluation.runs)
CONFIG = "config.json"          # the TrainConfig as JSON
HISTORY = "history.csv"         # one row per epoch
CHECKPOINT = "checkpoint.pt"    # model, optimizer, RNG states, epoch, history: training resumes from it
FEATURES = "features.pt"        # test features, head, head direction: what a finished run is evaluated on
METRICS = "metrics.json"        # accuracy at α = 0 and at the configured α
# with a val split (ImageNet-LT, Places-LT: the official protocol selects the epoch on val)
BEST = "best.pt"                # weights of the best epoch on val so far, its epoch and val accuracy
SELECTION = "selection.json"    # which epoch was selected, on which split, at which α
VAL_FEATURES = "val_features.pt"   # val features and labels of the selected epoch (Fig. 4's α sweep)


class CheckpointError(ValueError):
    """A checkpoint or run file that cannot be used: the message names the file and the remedy."""


# What to do about a broken file, by file name.
_REMEDY = {
    CHECKPOINT: "delete it and run the same train command again (training restarts from epoch 0)",
    FEATURES: f"delete it and run the same train command again (it is rebuilt from {CHECKPOINT})",
}
_DEFAULT_REMEDY = "delete it and re-run the training that wrote it"


def is_finished(run_dir) -> bool:
    """Whether the run folder ``run_dir`` holds a finished run: training wrote its :data:`FEATURES`
    last, so a run without them is unfinished (the same train command resumes it)."""
    return run_dir is not None and (Path(run_dir) / FEATURES).is_file()


def remedy(path) -> str:
    """What a user should do about the broken file ``path``."""
    return _REMEDY.get(Path(path).name, _DEFAULT_REMEDY)


def _create_temp(folder: Path, name: str) -> tuple[int, str]:
    """A new, uniquely named file in ``folder`` opened for writing with mode 0666 & ~umask, as a
    plain ``open()`` would create it (``tempfile.mkstemp`` would make it 0600)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary file name for {name} in {folder}")


def _atomic_write(path: Path, write) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temp(path.parent, path.name)
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


def require_keys(blob, keys, path) -> None:
    """One :class:`CheckpointError` naming ``path`` and the keys of ``keys`` that ``blob`` lacks."""
    missing = [k for k in keys if k not in blob]
    if missing:
        raise CheckpointError(f"{path} lacks {', '.join(map(repr, missing))} (damaged, or written by "
                              f"another program or version); {remedy(path)}")


def load_checkpoint(path, map_location="cpu", keys=()) -> dict:
    """Load a checkpoint written by :func:`save_checkpoint` with ``weights_only=True``.

    ``keys``: entries the caller needs (a missing one is a :class:`CheckpointError`). A missing
    file is a ``FileNotFoundError``; an unreadable one a :class:`CheckpointError` — never torch's
    advice to load it with ``weights_only=False``, which would run whatever code it holds."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path} is empty (an interrupted copy?); {remedy(path)}")
    try:
        with warnings.catch_warnings():   # torch warns about unusual pickle protocols; the error says it
            warnings.simplefilter("ignore", UserWarning)
            blob = torch.load(path, map_location=map_location, weights_only=True)
    except (MemoryError, OSError):
        raise
    except Exception as exc:   # torch raises RuntimeError, UnpicklingError, EOFError, KeyError, ...
        if isinstance(exc, RuntimeError) and ("CUDA" in str(exc) or "out of memory" in str(exc)):
            raise   # a device problem, not a file problem
        text = str(exc)
        if "GLOBAL" in text or "global" in text:
            why = ("it holds pickled objects other than tensors, numbers, strings, lists and dicts, "
                   "which are refused unread (a foreign file, possibly unsafe)")
        elif isinstance(exc, EOFError) or "zip" in text or "central directory" in text:
            why = "it is truncated or corrupted"
        else:
            why = "it is not a checkpoint written by lt_causal (corrupted or foreign)"
        raise CheckpointError(f"cannot read {path}: {why}; {remedy(path)}") from None
    if not isinstance(blob, dict):
        raise CheckpointError(f"{path} holds a {type(blob).__name__}, not a checkpoint dict; {remedy(path)}")
    require_keys(blob, keys, path)
    return blob


def save_json(obj, path) -> None:
    """Write ``obj`` as indented JSON, atomically."""
    data = json.dumps(obj, indent=2, sort_keys=False).encode()
    _atomic_write(Path(path), lambda f: f.write(data))


def save_arrays(arrays: dict, path) -> None:
    """numpy arrays (and lists of strings) as an ``.npz`` file, atomically."""
    _atomic_write(Path(path), lambda f: np.savez(f, **{k: np.asarray(v) for k, v in arrays.items()}))


def load_arrays(path, keys) -> dict | None:
    """The arrays ``keys`` of an ``.npz`` file written by :func:`save_arrays`; None when the file
    is missing or unreadable (a cache to rebuild)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in keys}
    except Exception:
        return None
