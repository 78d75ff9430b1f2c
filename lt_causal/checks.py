"""Argument checks shared by every layer: a bad value is one ValueError whose message names it."""
from __future__ import annotations

import math


def check_choice(value, choices, what: str):
    """``value`` if it is one of ``choices``, else one ValueError naming it and the choices."""
    if value not in choices:
        raise ValueError(f"unknown {what} {value!r}; choose one of {', '.join(map(str, choices))}")
    return value


def check_finite(value, name: str) -> float:
    """``value`` as a finite float (a number or a numeric string), else one ValueError naming ``name``."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


class OneLineError:
    """Mixin of an error said in one line: the message names the value or the file and what to
    do; IPython shows it without a traceback (``_render_traceback_``), the command line as
    ``error: <message>``."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class DataUnavailable(OneLineError, FileNotFoundError):
    """A data set that is neither on disk nor downloadable here (e.g. offline)."""
