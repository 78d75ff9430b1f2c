"""A trained run's stored form, written once and checked once: the entries of ``features.pt`` in a
run folder, and of a results pack beside its provenance (:mod:`lt_causal.evaluation.packs`).

:func:`stored_form` turns a run into its entries; :func:`read_stored` turns entries back into the
parts of a :class:`~lt_causal.evaluation.runs.TrainedRun` and refuses, with one
:class:`~lt_causal.checkpoint.CheckpointError` naming the file and the field, anything that
unpickles safely but does not fit: tensor shapes that disagree with each other or with the head,
labels outside the classes, class names or counts of the wrong length, non-finite values, a zero
head direction. A loaded run can be trusted by every function that reads it.
"""
from __future__ import annotations

import math

import torch

from lt_causal.checkpoint import CheckpointError, remedy
from lt_causal.models.heads import build_head

# the entries of a run's stored form, in the order stored_form writes them
RUN_KEYS = ("test_features", "test_labels", "head", "head_kind", "head_hparams", "direction", "train_counts",
            "classes")


def stored_form(run) -> dict:
    """The entries of ``run`` (a :class:`~lt_causal.evaluation.runs.TrainedRun`) as they are stored."""
    return {"test_features": run.test_features, "test_labels": run.test_labels, "head": run.head.state_dict(),
            "head_kind": run.head.kind, "head_hparams": run.head.hparams(), "direction": run.direction,
            "train_counts": [int(n) for n in run.train_counts], "classes": [str(c) for c in run.classes]}


def _refuse(source, field: str, problem: str):
    raise CheckpointError(f"{source}: {field} {problem}; {remedy(source)}")


def _tensor(source, field: str, value, ndim: int, *, floating: bool) -> torch.Tensor:
    if not isinstance(value, torch.Tensor) or value.ndim != ndim:
        shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
        _refuse(source, field, f"is {shape}, expected a {ndim}-D tensor")
    if floating and not value.is_floating_point():
        _refuse(source, field, f"has dtype {value.dtype}, expected floating point")
    if not floating and (value.is_floating_point() or value.is_complex() or value.dtype == torch.bool):
        _refuse(source, field, f"has dtype {value.dtype}, expected integers")
    if floating and not torch.isfinite(value).all():
        _refuse(source, field, "holds non-finite values (NaN or inf)")
    return value


def _names_and_counts(source, classes, counts) -> tuple[list[str], list[int]]:
    if not isinstance(classes, (list, tuple)) or not classes or not all(isinstance(c, str) for c in classes):
        _refuse(source, "classes", "is not a non-empty list of class names")
    if not isinstance(counts, (list, tuple)) or len(counts) != len(classes):
        n = len(counts) if isinstance(counts, (list, tuple)) else type(counts).__name__
        _refuse(source, "train_counts", f"has {n} entries for {len(classes)} classes")
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in counts):
        _refuse(source, "train_counts", "holds a value that is not a count (a non-negative whole number)")
    return list(classes), list(counts)


def read_stored(blob: dict, source, features: torch.Tensor | None = None) -> dict:
    """The checked parts of a run from its stored entries ``blob`` (read from file ``source``):
    ``features`` (float32), ``labels`` (int64), ``head`` (a module with the stored weights),
    ``direction``, ``train_counts``, ``classes``. ``features``: the decoded test features when the
    blob stores them coded (a pack's 8-bit features)."""
    feats = _tensor(source, "test_features", blob["test_features"] if features is None else features, 2,
                    floating=True)
    labels = _tensor(source, "test_labels", blob["test_labels"], 1, floating=False)
    classes, counts = _names_and_counts(source, blob["classes"], blob["train_counts"])
    if len(labels) != len(feats):
        _refuse(source, "test_labels", f"has {len(labels)} labels for {len(feats)} test features")
    outside = labels[(labels < 0) | (labels >= len(classes))]
    if len(outside):
        _refuse(source, "test_labels", f"holds label {int(outside[0])} outside the {len(classes)} classes "
                f"0 … {len(classes) - 1}")
    direction = _tensor(source, "direction", blob["direction"], 1, floating=True)
    if len(direction) != feats.shape[1]:
        _refuse(source, "direction", f"has {len(direction)} values for features of size {feats.shape[1]}")
    if not math.isfinite(float(direction.norm())) or float(direction.norm()) == 0.0:
        _refuse(source, "direction", "is zero: the moving sum of features was never updated")
    hparams = blob["head_hparams"]
    if not isinstance(hparams, dict):
        _refuse(source, "head_hparams", f"is a {type(hparams).__name__}, expected a dict")
    try:
        head = build_head(blob["head_kind"], feats.shape[1], len(classes), **hparams)
    except (ValueError, TypeError) as exc:
        _refuse(source, "head_kind/head_hparams", f"do not build a classifier: {exc}")
    state = blob["head"]
    expected = head.state_dict()
    if not isinstance(state, dict) or set(state) != set(expected):
        _refuse(source, "head", f"holds {sorted(state) if isinstance(state, dict) else type(state).__name__}, "
                f"expected the weights {sorted(expected)} of a {blob['head_kind']} classifier")
    for key, value in state.items():
        if not isinstance(value, torch.Tensor) or value.shape != expected[key].shape:
            shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
            _refuse(source, f"head.{key}", f"is {shape}, expected {tuple(expected[key].shape)} for "
                    f"{len(classes)} classes and features of size {feats.shape[1]}")
        if value.is_floating_point() and not torch.isfinite(value).all():
            _refuse(source, f"head.{key}", "holds non-finite values (NaN or inf)")
    head.load_state_dict(state)
    return {"features": feats.float(), "labels": labels.long(), "head": head, "direction": direction.float(),
            "train_counts": counts, "classes": classes}
