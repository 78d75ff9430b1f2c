"""One way to build training, used by the trainer (:mod:`lt_causal.training.trainer`) and by the two
cost probes (:func:`lt_causal.experiments.device_info.measure_epoch_seconds`,
:func:`lt_causal.experiments.scale.measure_throughput`), so that what they time is what trains:

    model, opt = model_and_optimizer(config, channels, num_classes, device)
    step = training_step(config, model, opt, train_counts, x_train, y_train, data, ctx)

:func:`make_step` chooses the step object; it sits above both kinds of step
(:mod:`lt_causal.training.steps`, :mod:`lt_causal.training.fast_step`), so neither imports the other.
"""
from __future__ import annotations

import torch

from lt_causal.methods.registry import get_method
from lt_causal.models.ltmodel import place_model
from lt_causal.training.fast_step import FastStep
from lt_causal.training.steps import STEPS, TrainNet, compile_net, make_loss


def model_and_optimizer(config, channels: int, num_classes: int, device):
    """The configuration's model on ``device`` (in its precision's memory layout) and its SGD
    optimiser (lr, momentum μ and weight decay of ``config``)."""
    model = place_model(config.build_model(channels, num_classes), device, config.precision)
    opt = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                          weight_decay=config.weight_decay)
    return model, opt


def make_step(config, model, net, opt, loss_fn, x_train, y_train, data, ctx, order_gen, aug_gen):
    """The step object of ``config``: the fast step, or the eager step of the method's kind; with
    ``fast`` and streamed batches (``x_train=None``: they arrive from the loader, so there is no
    fixed input buffer for a CUDA graph) the eager step around the compiled network."""
    if config.fast and x_train is not None:
        return FastStep(model, net, opt, loss_fn, x_train, y_train, data, config, ctx, order_gen, aug_gen)
    if config.fast:
        net = compile_net(net, config.compile_mode)
    step_class = STEPS[get_method(config.method).step]
    return step_class(model, net, opt, loss_fn, x_train, y_train, data, config, ctx, order_gen, aug_gen)


def training_step(config, model, opt, train_counts, x_train, y_train, data, ctx, order_gen=None, aug_gen=None):
    """The step that trains ``model`` with ``opt``: the method's loss for ``train_counts``, the
    network wrapped for ``ctx`` (DistributedDataParallel on several ranks), and :func:`make_step`'s
    step over the images ``x_train`` (None: streamed batches) and labels ``y_train``."""
    loss_fn = make_loss(config, train_counts, ctx.device)
    net = ctx.wrap(TrainNet(model.backbone, model.head))
    return make_step(config, model, net, opt, loss_fn, x_train, y_train, data, ctx, order_gen, aug_gen)
