"""Which accelerator will train the model, said in one sentence (notebook 05, first cell).

    info = describe_device()          # e.g. DeviceInfo(cuda:0: NVIDIA H100 80GB HBM3, 79.1 GiB, bf16)
    info.message                      # what that means for the paper's 200-epoch CIFAR recipe
    fast_path_available()             # does this lt_causal's TrainConfig have the fast GPU path?

Nothing here trains or prints; the notebook shows ``info`` (it renders as Markdown).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch

CPU_MESSAGE = (
    "No CUDA GPU found: training runs on the CPU. That is fine for quick mode and for MNIST-LT, "
    "but the paper's CIFAR recipe (ResNet-32, 200 epochs) would take many hours "
    "on a CPU. For real CIFAR-LT numbers run this notebook (or `python -m lt_causal reproduce`) "
    "on a machine with an NVIDIA GPU, or shorten the schedule with fewer epochs and expect "
    "lower accuracy than the paper.")


@dataclass(frozen=True)
class DeviceInfo:
    """The device ``train`` will use for ``TrainConfig.device`` and what it can do."""

    device: str                   # "cuda:0" or "cpu"
    kind: str                     # "cuda" | "cpu"
    name: str                     # GPU model, or "CPU"
    memory_gib: float | None      # total GPU memory
    gpu_count: int                # CUDA devices visible to this process
    bf16: bool                    # bf16 autocast supported (the trainer uses it on CUDA)
    fast_path: bool               # TrainConfig has the fast GPU path and a GPU is present
    torch_version: str
    message: str

    @property
    def has_gpu(self) -> bool:
        return self.kind == "cuda"

    def __repr__(self) -> str:
        if not self.has_gpu:
            return f"DeviceInfo(cpu, torch {self.torch_version}, no CUDA GPU)"
        extra = ", bf16" if self.bf16 else ""
        return f"DeviceInfo({self.device}: {self.name}, {self.memory_gib:.1f} GiB{extra})"

    def _repr_markdown_(self) -> str:
        icon = "✅" if self.has_gpu else "⚠️"
        return f"{icon} **{self.name}** (`{self.device}`, torch {self.torch_version}) — {self.message}"


def fast_path_available() -> bool:
    """True when :class:`~lt_causal.config.TrainConfig` has a ``fast`` field (the GPU fast path)."""
    from lt_causal.config import TrainConfig

    return "fast" in {f.name for f in dataclasses.fields(TrainConfig)}


def describe_device(device: str = "auto") -> DeviceInfo:
    """Resolve ``device`` as the trainer does (``auto`` → CUDA when present) and describe it;
    an unknown or unavailable device raises one ValueError."""
    from lt_causal.trainer import resolve_device

    dev = resolve_device(device)
    version = torch.__version__.split("+")[0]
    if dev.type != "cuda":
        return DeviceInfo(str(dev), dev.type, "CPU", None, 0, False, False, version, CPU_MESSAGE)
    index = dev.index if dev.index is not None else torch.cuda.current_device()
    props = torch.cuda.get_device_properties(index)
    memory = props.total_memory / 2**30
    bf16 = bool(torch.cuda.is_bf16_supported())
    fast = fast_path_available()
    how = ("the fast path (TrainConfig.fast: compiled training step on GPU-resident data) is "
           "available; notebook 05 and `reproduce --fast` use it" if fast
           else "this version has only the plain training path (no TrainConfig.fast)")
    message = (f"CUDA GPU found: {torch.cuda.get_device_name(index)} with {memory:.1f} GiB; "
               f"training uses {'bf16 autocast' if bf16 else 'fp32'}, and {how}. The paper's "
               "200-epoch CIFAR recipe is practical here.")
    return DeviceInfo(f"cuda:{index}", "cuda", torch.cuda.get_device_name(index), memory,
                      torch.cuda.device_count(), bf16, fast, version, message)
