"""Process-wide settings read from the environment: quick mode and default folders.

``LT_CAUSAL_QUICK=1`` switches notebooks and long-running library defaults to small
configurations that finish in seconds (the test suite sets it).  ``LT_CAUSAL_DATA_ROOT``
and ``LT_CAUSAL_RUNS`` override where data sets are cached and where runs are written.
"""
from __future__ import annotations

import os
from pathlib import Path

QUICK_ENV = "LT_CAUSAL_QUICK"
DATA_ROOT_ENV = "LT_CAUSAL_DATA_ROOT"
RUNS_ENV = "LT_CAUSAL_RUNS"


def quick_mode() -> bool:
    """True when ``LT_CAUSAL_QUICK`` is set to a true value (1, true, yes, on)."""
    return os.environ.get(QUICK_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def is_quick(quick: bool | None = None) -> bool:
    """The quick-mode switch of a function's ``quick`` argument: its value when given, else
    :func:`quick_mode` (the one place the default is decided)."""
    return quick_mode() if quick is None else bool(quick)


def project_root() -> Path | None:
    """The source checkout holding this package (a folder with pyproject.toml), if any."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() else None


def _default_dir(env: str, name: str) -> Path:
    if os.environ.get(env):
        return Path(os.environ[env]).expanduser()
    root = project_root()
    if root is not None:
        return root / name
    return Path.home() / ".cache" / "lt_causal" / name


def default_data_root() -> Path:
    """Where downloaded/decoded data sets are cached: $LT_CAUSAL_DATA_ROOT, else ``data/``."""
    return _default_dir(DATA_ROOT_ENV, "data")


def default_runs_dir() -> Path:
    """Where training runs are written: $LT_CAUSAL_RUNS, else ``runs/`` of the checkout."""
    return _default_dir(RUNS_ENV, "runs")


def data_root_path(data_root=None) -> Path:
    """``data_root`` as a path (``~`` expanded), or :func:`default_data_root` when None."""
    return Path(data_root).expanduser() if data_root is not None else default_data_root()
