"""Numeric precision of training and feature extraction: one knob, ``auto | fp32 | bf16``, shared
by CPU and CUDA (``TrainConfig.precision``, ``--precision``).

    resolve_precision("auto", torch.device("cpu"))   # "bf16" on a CPU with native bf16, else "fp32"
    with autocast(device, "bf16"): feats = net(x.contiguous(memory_format=memory_format(device, "bf16")))

``auto`` takes bf16 autocast where the hardware computes it natively: a CUDA GPU that supports
bf16, or a CPU whose instruction set has bf16 dot products (x86 ``avx512_bf16`` or ``amx_bf16``;
on other CPUs PyTorch emulates bf16 and it is slower than fp32, so ``auto`` keeps fp32 there).
Under bf16 the activations are laid out channels_last, the layout the bf16 convolution kernels
of cuDNN and oneDNN are fast in. Parameters, optimizer state, losses and the head direction stay
float32 (autocast only lowers matmul/convolution inputs).
"""
from __future__ import annotations

import contextlib
import functools
from pathlib import Path

import torch

PRECISIONS = ("auto", "fp32", "bf16")
CPU_BF16_FLAGS = ("avx512_bf16", "amx_bf16")


@functools.lru_cache(maxsize=None)
def cpu_has_native_bf16(cpuinfo: str = "/proc/cpuinfo") -> bool:
    """True when the CPU advertises native bf16 instructions (Linux ``/proc/cpuinfo`` flags)."""
    try:
        text = Path(cpuinfo).read_text(errors="replace")
    except OSError:
        return False
    flags = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[-1].split())
    return any(f in flags for f in CPU_BF16_FLAGS)


def check_precision(precision: str) -> str:
    """``precision`` if it is one of :data:`PRECISIONS`, else one ValueError naming it."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision {precision!r} is not one of {', '.join(PRECISIONS)}")
    return precision


def resolve_precision(precision: str, device) -> str:
    """``fp32`` or ``bf16``: what ``precision`` means on ``device`` (``auto``: bf16 where native)."""
    check_precision(precision)
    device = torch.device(device)
    if device.type == "cuda":
        supported = torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    elif device.type == "cpu":
        supported = cpu_has_native_bf16()
    else:
        supported = False
    if precision == "auto":
        return "bf16" if supported else "fp32"
    if precision == "bf16" and device.type not in ("cpu", "cuda"):
        raise ValueError(f"precision 'bf16' runs on cpu or cuda, not {device}")
    return precision


def autocast(device, precision: str, cache_enabled: bool = True):
    """bf16 autocast on ``device`` for ``precision == "bf16"``, else a do-nothing context.
    (``cache_enabled=False`` inside a CUDA graph: the weight-cast cache must not outlive it.)"""
    device = torch.device(device)
    if precision == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16, cache_enabled=cache_enabled)
    return contextlib.nullcontext()


def full_precision(device):
    """A context in which autocast is off on ``device`` (float32 inside a bf16 region)."""
    return torch.autocast(torch.device(device).type, enabled=False)


def memory_format(device, precision: str) -> torch.memory_format:
    """channels_last under bf16 or on CUDA (where its kernels are fast), else contiguous."""
    if precision == "bf16" or torch.device(device).type == "cuda":
        return torch.channels_last
    return torch.contiguous_format
