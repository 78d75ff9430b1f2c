"""Named training methods: a classifier head, a loss and, where the method has one, its own
batch recipe or second stage. ``deconfound`` is the paper's de-confound training (multi-head
causal norm + cross-entropy); TDE is applied at test time to any normalised head.

The systems of the paper's Tables 2 and 3, all trained by :func:`lt_causal.train`:

========================  =====================================================================
one stage                 ``ce``, ``cosine``, ``capsule``, ``deconfound`` (heads); ``focal``,
                          ``cb``, ``ldam-drw`` (:mod:`lt_causal.methods.losses`); ``mixup`` (:mod:`lt_causal.methods.mixup`); ``bbn``
                          (two branches, :mod:`lt_causal.methods.bbn`)
two stages (decoupling)   cross-entropy training, then on the frozen backbone's training
                          features: ``crt``, ``lws``, ``ncm``, ``tau-norm``, ``logit-adjust``
                          (:mod:`lt_causal.methods.decoupling`)
========================  =====================================================================
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Method:
    head: str
    loss: str
    description: str
    step: str = "standard"          # standard | mixup | bbn: what one training step does
    stage2: str | None = None       # crt | lws | ncm | tau_norm | logit_adjust (lt_causal.methods.decoupling)
    tde: bool | None = None         # report a TDE row (None: for normalised heads)
    defaults: dict = field(default_factory=dict)   # TrainConfig defaults that recipe() applies

    @property
    def reports_tde(self) -> bool:
        return self.head != "linear" if self.tde is None else self.tde


METHODS = {
    "ce": Method("linear", "ce", "cross-entropy baseline (linear classifier)"),
    "cosine": Method("cosine", "ce", "cosine classifier (single-head causal norm, γ=0)"),
    "capsule": Method("capsule", "ce", "capsule-normalised feature ‖x‖/(1+‖x‖)·x/‖x‖ + cosine classifier "
                      "(ablation of Tang et al. 2020)"),
    "deconfound": Method("causal_norm", "ce", "de-confound training: multi-head causal norm (Tang et al. 2020)"),
    "focal": Method("linear", "focal", "focal loss, γ=2 (Lin et al. 2017)"),
    "cb": Method("linear", "cb", "class-balanced CE, effective number β=0.9999 (Cui et al. 2019)"),
    "ldam-drw": Method("cosine", "ldam-drw", "LDAM margins C/n^¼ on a normalised classifier (s=30) with "
                       "deferred re-weighting from 80 % of training (Cao et al. 2019)", tde=False,
                       defaults={"tau": 30.0}),
    "mixup": Method("linear", "ce", "mixup of image pairs and their labels, λ ~ Beta(1, 1) (Zhang et al. 2018)",
                    step="mixup"),
    "bbn": Method("linear", "ce", "bilateral-branch network: uniform and reversed sampler, cumulative "
                  "learning α = 1 − (T/T_max)² (Zhou et al. 2020)", step="bbn"),
    "crt": Method("linear", "ce", "decoupling: CE training, then the classifier re-trained from scratch with "
                  "class-balanced sampling on the frozen features (Kang et al. 2020)", stage2="crt"),
    "lws": Method("linear", "ce", "decoupling: CE training, then learnable per-class weight scales trained "
                  "with class-balanced sampling (Kang et al. 2020)", stage2="lws"),
    "ncm": Method("linear", "ce", "decoupling: CE training, then nearest class mean by cosine to the "
                  "normalised class means of the training features (Kang et al. 2020)", stage2="ncm",
                  tde=False),
    "tau-norm": Method("linear", "ce", "decoupling: CE training, then w_i/‖w_i‖^τ, τ = posthoc_tau "
                       "(Kang et al. 2020)", stage2="tau_norm"),
    "logit-adjust": Method("linear", "ce", "CE training, then post-hoc logit adjustment logits − τ log π, "
                           "τ = posthoc_tau, folded into the bias (Menon et al. 2021)", stage2="logit_adjust"),
}


def get_method(name: str) -> Method:
    """The method called ``name``; an unknown name raises one ValueError listing the valid ones."""
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; choose one of {', '.join(METHODS)}")
    return METHODS[name]
