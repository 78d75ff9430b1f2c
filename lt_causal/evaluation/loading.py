"""One loader for every run a learner names: a run folder, or a shipped run ``"pretrained:<name>"``.
It sits above both kinds (:mod:`lt_causal.evaluation.runs`, :mod:`lt_causal.evaluation.packs`), so
neither needs the other."""
from __future__ import annotations

from lt_causal.evaluation.packs import is_pretrained, load_pretrained
from lt_causal.evaluation.runs import TrainedRun, load_run_dir


def load_run(path) -> TrainedRun:
    """Load a run directory written by :func:`lt_causal.train` or ``python -m lt_causal train``,
    or a shipped run ``"pretrained:<name>"`` (:mod:`lt_causal.evaluation.packs`); either is checked
    on load (:func:`lt_causal.evaluation.stored.read_stored`)."""
    return load_pretrained(path) if is_pretrained(path) else load_run_dir(path)
