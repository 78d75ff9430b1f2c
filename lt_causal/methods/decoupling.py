"""Second stages on a frozen backbone (Kang et al., "Decoupling representation and classifier
for long-tailed recognition", ICLR 2020; Menon et al. 2021 for logit adjustment).

The first stage is ordinary cross-entropy training; the backbone is then frozen and only the
classifier changes. Every second stage returns a new head of an existing kind, so the trained
run is stored, loaded, evaluated and knob-swept like any other:

- ``crt``: classifier re-training — a fresh linear classifier trained with class-balanced
  sampling (class first, then image: :mod:`lt_causal.methods.samplers`);
- ``lws``: learnable weight scaling — W and b kept, per-class scales f_i learnt with
  class-balanced sampling; logits f_i w_i·x + b_i, i.e. a linear head with rows f_i w_i;
- ``ncm``: nearest class mean — cosine similarity to the mean of the L2-normalised training
  features of each class (a cosine head whose class vectors are those means, τ = the config's τ);
- ``tau_norm``: w_i / ‖w_i‖^τ (the τ-normalised classifier, τ = ``posthoc_tau``);
- ``logit_adjustment``: logits − τ log π folded into the bias (τ = ``posthoc_tau``).

Choice made here: the second stage trains on the training images' features computed once
without augmentation (Kang et al. feed augmented images through the frozen backbone). It takes
about a second on a CPU and gives the same classifier-only optimisation problem.
"""
from __future__ import annotations


import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from lt_causal.checks import check_choice
from lt_causal.models.heads import CosineHead, LinearHead
from lt_causal.methods.posthoc import log_prior, tau_normalize
from lt_causal.methods.samplers import ClassAwareSampler
from lt_causal.schedule import cosine_lr

STAGES = ("crt", "lws", "ncm", "tau_norm", "logit_adjustment")


def _check(features: torch.Tensor, labels: torch.Tensor, num_classes: int) -> None:
    if features.ndim != 2 or len(features) != len(labels):
        raise ValueError(f"features must be (N, D) with one label each, got {tuple(features.shape)} "
                         f"and {tuple(labels.shape)}")
    missing = sorted(set(range(num_classes)) - set(labels.unique().tolist()))
    if missing:
        raise ValueError(f"classes {missing} have no training feature; every class needs one")


def _balanced_sgd(params, features, labels, num_classes, logits_fn, epochs, lr, batch_size,
                  weight_decay, seed, desc, progress) -> None:
    """SGD (momentum 0.9, cosine lr) on class-balanced batches of the fixed training features."""
    sampler = ClassAwareSampler(labels, num_classes, "class_balanced")
    gen = torch.Generator().manual_seed(seed)
    steps = max(1, len(labels) // batch_size)
    opt = torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)
    total = epochs * steps
    for epoch in tqdm(range(epochs), desc=desc, unit="epoch", disable=not progress, leave=False):
        idx = sampler.draw(steps * batch_size, gen).to(features.device)
        for s in range(steps):
            t = epoch * steps + s
            for g in opt.param_groups:
                g["lr"] = cosine_lr(lr, t / total)
            b = idx[s * batch_size:(s + 1) * batch_size]
            loss = F.cross_entropy(logits_fn(features[b]), labels[b])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()


def _require_linear(head, what: str) -> None:
    if not isinstance(head, LinearHead):
        raise ValueError(f"{what} a linear classifier, not a {type(head).__name__}")


def _linear_head(like: LinearHead, weight: torch.Tensor, bias: torch.Tensor) -> LinearHead:
    """A new linear head shaped and placed like ``like``, rows ``weight``, bias ``bias``, in eval mode."""
    out = LinearHead(like.fc.in_features, like.fc.out_features).to(like.fc.weight.device)
    with torch.no_grad():
        out.fc.weight.copy_(weight)
        out.fc.bias.copy_(bias)
    return out.eval()


def retrain_classifier(features, labels, num_classes: int, epochs: int = 10, lr: float = 0.2,
                       batch_size: int = 256, weight_decay: float = 5e-4, seed: int = 0,
                       progress: bool = False) -> LinearHead:
    """cRT: a freshly initialised linear classifier trained with class-balanced sampling."""
    _check(features, labels, num_classes)
    torch.manual_seed(seed)
    head = LinearHead(features.shape[1], num_classes).to(features.device)
    _balanced_sgd(head.parameters(), features, labels, num_classes, head, epochs, lr, batch_size,
                  weight_decay, seed, "cRT", progress)
    return head.eval()


def learn_weight_scaling(head: LinearHead, features, labels, num_classes: int, epochs: int = 10,
                         lr: float = 0.2, batch_size: int = 256, seed: int = 0,
                         progress: bool = False) -> LinearHead:
    """LWS: per-class scales f (initialised to 1) of a trained linear head, learnt with
    class-balanced sampling (w̃_i = f_i w_i, Kang et al. Sec. 4; the bias is kept)."""
    _require_linear(head, "LWS rescales")
    _check(features, labels, num_classes)
    w, b = head.fc.weight.detach(), head.fc.bias.detach()
    scales = torch.ones(num_classes, device=features.device, requires_grad=True)
    _balanced_sgd([scales], features, labels, num_classes, lambda x: (x @ w.T) * scales + b, epochs, lr,
                  batch_size, 0.0, seed, "LWS", progress)
    return _linear_head(head, w * scales[:, None].detach(), b)


def class_means(features: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(C, D) mean of the L2-normalised features of each class."""
    _check(features, labels, num_classes)
    unit = F.normalize(features.float(), dim=1)
    sums = torch.zeros(num_classes, features.shape[1], device=features.device).index_add_(0, labels, unit)
    return sums / torch.bincount(labels, minlength=num_classes)[:, None].to(sums.dtype)


def ncm_head(features, labels, num_classes: int, *, tau: float) -> CosineHead:
    """NCM: a cosine head whose class vectors are :func:`class_means` (argmax = nearest mean by cosine)."""
    head = CosineHead(features.shape[1], num_classes, tau=tau).to(features.device)
    with torch.no_grad():
        head.weight.copy_(class_means(features, labels, num_classes))
    return head.eval()


def tau_norm_head(head: LinearHead, tau: float = 1.0) -> LinearHead:
    """The τ-normalised classifier as a linear head: rows w_i/‖w_i‖^τ, bias kept (see :mod:`lt_causal.methods.posthoc`)."""
    _require_linear(head, "tau-norm rescales")
    # (w·x)/‖w‖^τ + b: the bias kept, the posthoc knob's convention
    return _linear_head(head, tau_normalize(head.fc.weight, tau), head.fc.bias)


def logit_adjusted_head(head: LinearHead, train_counts, tau: float = 1.0) -> LinearHead:
    """Post-hoc logit adjustment folded into a linear head: bias b − τ log π."""
    _require_linear(head, "logit adjustment shifts")
    shift = tau * log_prior(train_counts).to(head.fc.bias.device)
    return _linear_head(head, head.fc.weight, head.fc.bias - shift)


def second_stage(kind: str, head: nn.Module, features, labels, train_counts, config,
                 progress: bool = False) -> nn.Module:
    """The head after the second stage ``kind`` (see the module docstring) for a TrainConfig."""
    C = len(train_counts)
    opts = dict(epochs=config.retrain_epochs, lr=config.retrain_lr, batch_size=config.batch_size,
                seed=config.seed, progress=progress)
    if kind == "crt":
        return retrain_classifier(features, labels, C, weight_decay=config.weight_decay, **opts)
    if kind == "lws":
        return learn_weight_scaling(head, features, labels, C, **opts)
    if kind == "ncm":
        return ncm_head(features, labels, C, tau=config.tau)
    if kind == "tau_norm":
        return tau_norm_head(head, config.posthoc_tau)
    check_choice(kind, STAGES, "second stage")
    return logit_adjusted_head(head, train_counts, config.posthoc_tau)
