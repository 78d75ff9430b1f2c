"""The fast training path: one fused step (gather → crop/flip → normalise → forward → loss →
backward → SGD → head direction) over a training set resident on the device as uint8, in the
spirit of KellerJordan/cifar10-airbench.

    config = recipe("cifar10-lt", fast=True)     # or: python -m lt_causal train --fast
    run = train(config)

What makes it fast on a GPU:

- no per-step host work: the random crop/flip offsets are drawn on the device (same generator
  calls, in the same order, as :func:`lt_causal.datasets.augment.crop_flip`, so the plain and the fast
  path see the same augmented batches), the learning rate is a device tensor;
- ``torch.compile`` (``compile_mode``) fuses the forward/backward and the optimizer's foreach ops;
- on one CUDA device the whole step is captured once as a CUDA graph (``cuda_graph``) after a
  few eager warm-up steps, and then replayed: one launch per step instead of hundreds;
- the precision of ``config.precision`` (bf16 autocast and channels_last where the hardware
  has native bf16, :mod:`lt_causal.precision`); the batch shape is fixed, so the ragged last batch
  of each epoch is dropped (``DataLoader(drop_last=True)``): every epoch trains on
  ``batch_size * (N // batch_size)`` images, a different random subset each epoch.

SGD is :func:`sgd_foreach_`, torch.optim.SGD's update written with foreach ops: g ← g + wd·θ,
v ← μ v + g, θ ← θ − lr v. Its momentum buffers live in the ``torch.optim.SGD`` object's state,
so checkpoints keep torch's format and plain and fast runs resume each other's files.
"""
from __future__ import annotations

import shutil

import torch
from torch import nn

from lt_causal.models.tde import HeadDirection
from lt_causal.precision import autocast
from lt_causal.training.steps import PlainStep

WARMUP_STEPS = 3   # eager steps on a side stream before the CUDA graph is captured


def sgd_foreach_(params, grads, bufs, lr, momentum: float, weight_decay: float) -> None:
    """torch.optim.SGD's step (dampening 0, no Nesterov) in foreach ops, in torch's order:
    g ← g + wd·θ; v ← μ·v + g; θ ← θ − lr·v. ``lr`` may be a float or a 0-d device tensor
    (θ − (lr·v) then, as torch's compiled SGD does: not fused, so it may differ by one ulp)."""
    if weight_decay:
        grads = torch._foreach_add(grads, params, alpha=weight_decay)
    if momentum:
        torch._foreach_mul_(bufs, momentum)
        torch._foreach_add_(bufs, grads)
        grads = bufs
    if isinstance(lr, torch.Tensor):
        torch._foreach_add_(params, torch._foreach_mul(grads, -lr))
    else:
        torch._foreach_add_(params, grads, alpha=-lr)


def momentum_buffers(opt: torch.optim.SGD, params) -> list:
    """The momentum buffers of ``params`` in ``opt.state`` (zeros where none yet: μ·0 + g = g
    exactly, so this equals torch's lazy ``buf = g.clone()`` on the first step)."""
    bufs = []
    for p in params:
        buf = opt.state[p].get("momentum_buffer")
        if buf is None:
            buf = opt.state[p]["momentum_buffer"] = torch.zeros_like(p)
        bufs.append(buf)
    return bufs


def check_fast_setup(config, device: torch.device) -> None:
    """One ValueError for a fast-path setting this machine cannot run."""
    if device.type not in ("cpu", "cuda"):
        raise ValueError(f"fast mode runs on cpu or cuda, not {device}")
    mode = config.compile_mode
    if mode != "none" and not hasattr(torch, "compile"):
        raise ValueError(f"compile_mode {mode!r} needs torch.compile (torch >= 2.0); use compile_mode='none'")
    if device.type == "cpu" and mode in ("reduce-overhead", "max-autotune"):
        raise ValueError(f"compile_mode {mode!r} captures CUDA graphs and needs a CUDA device; "
                         "on a CPU use 'default' or 'none'")
    if device.type == "cpu" and mode != "none" and not (shutil.which("c++") or shutil.which("g++")
                                                          or shutil.which("gcc")):
        raise ValueError("torch.compile on a CPU needs a C++ compiler (none found on PATH); "
                         "use compile_mode='none'")


class FastStep(PlainStep):
    """The fused training step of fast mode: same interface as :class:`PlainStep`."""

    def __init__(self, model, net: nn.Module, opt: torch.optim.SGD, loss_fn, x_train, y_train, data,
                 config, ctx, order_gen=None, aug_gen=None):
        super().__init__(model, net, opt, loss_fn, x_train, y_train, data, config, ctx, order_gen, aug_gen)
        dev = ctx.device
        self.cuda = dev.type == "cuda"
        group = opt.param_groups[0]
        self.params = list(group["params"])
        self.momentum, self.weight_decay = group["momentum"], group["weight_decay"]
        self.bufs = momentum_buffers(opt, self.params) if self.momentum else []
        self.lr = torch.zeros((), device=dev)
        self.correct = torch.zeros((), device=dev, dtype=torch.long)
        self.use_graph = bool(config.cuda_graph and self.cuda and not ctx.enabled)
        compiled = config.compile_mode != "none"
        self.tensor_lr = self.use_graph or compiled
        self._fwd, self._upd = self._forward, self._update
        if compiled:
            for t in [self.x, self.y, self.mean, self.std, self.lr, self.loss_sum, self.correct,
                      *self.params, *self.bufs]:   # fixed addresses: no copies into CUDA graphs
                torch._dynamo.mark_static_address(t)
            mode = None if config.compile_mode == "default" else config.compile_mode
            self._fwd = torch.compile(self._forward, mode=mode, dynamic=False)
            self._upd = torch.compile(self._update, mode=mode, dynamic=False)
        self.graph, self.replay, self.side, self.static, self.steps_done = None, None, None, None, 0
        if self.cuda:
            torch.backends.cudnn.benchmark = True   # process-wide, as in airbench

    def _autocast(self):   # no weight-cast cache: required inside a CUDA graph
        return autocast(self.ctx.device, self.config.precision, cache_enabled=False)

    def _forward(self, idx, oy, ox, u):
        xb, yb = self.images(idx, (oy, ox, u) if oy is not None else None), self.y[idx]
        with self._autocast():
            feats, logits = self.net(xb)
        loss = self.loss_fn(logits, yb)
        return loss, HeadDirection.batch_mean(feats), (logits.detach().argmax(1) == yb).sum()

    @torch.no_grad()
    def _update(self, loss, feat_mean, correct, lr, batch: int):
        grads = [p.grad for p in self.params]
        sgd_foreach_(self.params, grads, self.bufs, lr, self.momentum, self.weight_decay)
        self.model.direction.accumulate(feat_mean)
        self.loss_sum.add_(loss * batch)
        self.correct.add_(correct)

    def _step(self, idx, oy, ox, u, lr) -> None:
        for p in self.params:
            p.grad = None
        loss, feat_mean, correct = self._fwd(idx, oy, ox, u)
        loss.backward()
        feat_mean = self.ctx.mean_(feat_mean)                        # all ranks: global batch mean
        self._upd(loss, feat_mean, correct, lr, len(idx))

    def __call__(self, idx: torch.Tensor, aug: tuple | None, lr: float) -> None:
        oy, ox, u = aug if aug is not None else (None, None, None)
        if self.tensor_lr:
            self.lr.fill_(lr)
        if not self.use_graph:
            if self.config.compile_mode == "reduce-overhead":
                torch.compiler.cudagraph_mark_step_begin()
            self._step(idx, oy, ox, u, self.lr if self.tensor_lr else lr)
        else:
            self._graph_step(idx, aug)
        self.steps_done += 1

    def _graph_step(self, idx, aug) -> None:
        inputs = [idx, *(aug or ())]
        if self.static is None:
            self.static = [t.clone() for t in inputs]
        for buf, t in zip(self.static, inputs):   # the graph reads these addresses
            buf.copy_(t)
        args = self.static if aug is not None else [self.static[0], None, None, None]
        if self.replay is not None:
            self.replay()
        elif self.steps_done < WARMUP_STEPS:   # real steps, on a side stream as the CUDA-graph docs ask
            self.side = self.side or torch.cuda.Stream()
            self.side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(self.side):
                self._step(*args, self.lr)
            torch.cuda.current_stream().wait_stream(self.side)
        else:
            self.replay = self._capture(args)

    def _capture(self, args):
        """Capture one step on the static buffers, run it, and return the graph's replay."""
        torch.cuda.synchronize()
        for p in self.params:
            p.grad = None
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph, capture_error_mode="thread_local"):
            self._step(*args, self.lr)
        self.graph.replay()   # capturing records the step without running it
        return self.graph.replay
