"""Batched augmentation on the tensor's device: random crop with zero padding, horizontal flip and
per-channel normalisation (the CIFAR recipe of docs/method.md §5), without a per-image Python loop,
in the spirit of KellerJordan/cifar10-airbench. The one home of these rules: the plain and the
fast training steps, evaluation and the shipped-model classifier all call the functions below.

    xb = augment_batch(x_uint8[idx], data.mean, data.std, generator=gen)   # float (B, C, H, W)
    xt = normalize(test_x, data.mean, data.std)                            # eval: no randomness

Random crops are drawn and applied in two steps (:func:`draw_crop_flip`, :func:`apply_crop_flip`)
so that a training step can take its randomness from outside (the fast step's CUDA graph, the
ranks of data-parallel training): :func:`crop_flip` is the two in one call.
"""
from __future__ import annotations

from typing import Sequence

import torch


def _check_images(x: torch.Tensor) -> None:
    if not isinstance(x, torch.Tensor) or x.dtype != torch.uint8 or x.dim() != 4:
        what = f"{x.dtype} tensor of shape {tuple(x.shape)}" if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"expected uint8 images of shape (B, C, H, W), got a {what}")


def _channel_vector(values: Sequence[float], x: torch.Tensor, what: str) -> torch.Tensor:
    v = torch.as_tensor(values, dtype=torch.float32, device=x.device).reshape(-1)
    if v.numel() != x.shape[1]:
        raise ValueError(f"{what} has {v.numel()} values {tuple(v.tolist())} but the images have "
                         f"{x.shape[1]} channels")
    if what == "std" and (v <= 0).any():
        raise ValueError(f"std must be positive, got {tuple(v.tolist())}")
    return v.view(1, -1, 1, 1)


def channel_tensors(x_uint8: torch.Tensor, mean: Sequence[float], std: Sequence[float]):
    """(mean, std) as (1, C, 1, 1) float32 tensors on the images' device, checked against them."""
    _check_images(x_uint8)
    return _channel_vector(mean, x_uint8, "mean"), _channel_vector(std, x_uint8, "std")


def normalize_with(x_uint8: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """float32 (x / 255 − mean) / std with ready-made channel tensors (no checks: the inner loop)."""
    return x_uint8.float().div_(255.0).sub_(mean).div_(std)


def normalize(x_uint8: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """float32 (x / 255 − mean) / std per channel, on the images' device."""
    return normalize_with(x_uint8, *channel_tensors(x_uint8, mean, std))


def draw_crop_flip(batch: int, crop_padding: int, flip: bool, generator: torch.Generator | None,
                   device) -> tuple | None:
    """Random (row offset, column offset, flip uniform) per image; ``None`` when there is nothing
    to draw (no padding, no flip). The uniforms of a batch without flip are ones (never flipped)."""
    if isinstance(crop_padding, bool) or not isinstance(crop_padding, int) or crop_padding < 0:
        raise ValueError(f"crop_padding must be a non-negative integer, got {crop_padding!r}")
    if crop_padding == 0 and not flip:
        return None
    oy = torch.randint(0, 2 * crop_padding + 1, (batch,), device=device, generator=generator)
    ox = torch.randint(0, 2 * crop_padding + 1, (batch,), device=device, generator=generator)
    u = torch.rand(batch, device=device, generator=generator) if flip else torch.ones(batch, device=device)
    return oy, ox, u


def apply_crop_flip(x: torch.Tensor, oy: torch.Tensor, ox: torch.Tensor, u: torch.Tensor,
                    crop_padding: int) -> torch.Tensor:
    """Crops of the zero-padded batch at the given offsets, images whose ``u < 0.5`` mirrored.

    One gather: output pixel (b, c, i, j) = padded[b, c, oy_b + i, col_b(j)] with
    col_b(j) = ox_b + j, or ox_b + W − 1 − j when sample b is flipped.
    """
    B, C, H, W = x.shape
    p, dev = crop_padding, x.device
    padded = torch.nn.functional.pad(x, (p, p, p, p)) if p else x
    cols = torch.arange(W, device=dev).expand(B, W)
    cols = torch.where((u < 0.5)[:, None], cols.flip(1), cols)
    rows = oy[:, None] + torch.arange(H, device=dev)          # (B, H)
    cols = ox[:, None] + cols                                  # (B, W)
    b = torch.arange(B, device=dev).view(B, 1, 1, 1)
    c = torch.arange(C, device=dev).view(1, C, 1, 1)
    return padded[b, c, rows.view(B, 1, H, 1), cols.view(B, 1, 1, W)]


def crop_flip(x: torch.Tensor, crop_padding: int = 4, flip: bool = True,
              generator: torch.Generator | None = None) -> torch.Tensor:
    """Random crops of the zero-padded batch at per-sample offsets, mirrored with probability ½."""
    _check_images(x)
    aug = draw_crop_flip(len(x), crop_padding, flip, generator, x.device)
    return x.clone() if aug is None else apply_crop_flip(x, *aug, crop_padding)


def augment_batch(x_uint8: torch.Tensor, mean: Sequence[float], std: Sequence[float], *,
                  crop_padding: int = 4, flip: bool = True,
                  generator: torch.Generator | None = None) -> torch.Tensor:
    """Random crop (zero padding ``crop_padding``), random horizontal flip, then :func:`normalize`.

    Deterministic for a given ``generator`` (which must live on the images' device); the padded
    border is black before normalisation, as with torchvision's ``RandomCrop(32, padding=4)``.
    """
    return normalize(crop_flip(x_uint8, crop_padding, flip, generator), mean, std)
