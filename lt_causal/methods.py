"""Named training methods = a classifier head + a loss. ``deconfound`` is the paper's
de-confound training (multi-head causal norm + cross-entropy); TDE is applied at test time."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    head: str
    loss: str
    description: str


METHODS = {
    "ce": Method("linear", "ce", "cross-entropy baseline (linear classifier)"),
    "cosine": Method("cosine", "ce", "cosine classifier (single-head causal norm, γ=0)"),
    "focal": Method("linear", "focal", "focal loss, γ=2 (Lin et al. 2017)"),
    "cb": Method("linear", "cb", "class-balanced CE, effective number β=0.9999 (Cui et al. 2019)"),
    "capsule": Method("capsule", "ce", "capsule-normalised feature ‖x‖/(1+‖x‖)·x/‖x‖ + cosine classifier "
                      "(ablation of Tang et al. 2020)"),
    "deconfound": Method("causal_norm", "ce", "de-confound training: multi-head causal norm (Tang et al. 2020)"),
}


def get_method(name: str) -> Method:
    """The method called ``name``; an unknown name raises one ValueError listing the valid ones."""
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; choose one of {', '.join(METHODS)}")
    return METHODS[name]
