"""Batched augmentation on the tensor's device: random crop with zero padding, horizontal flip and
per-channel normalisation (the CIFAR recipe of PAPER.md §5), without a per-image Python loop,
in the spirit of KellerJordan/cifar10-airbench.

    xb = augment_batch(x_uint8[idx], data.mean, data.std, generator=gen)   # float (B, C, H, W)
    xt = normalize(test_x, data.mean, data.std)                            # eval: no randomness
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


def normalize(x_uint8: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """float32 (x / 255 − mean) / std per channel, on the images' device."""
    _check_images(x_uint8)
    m, s = _channel_vector(mean, x_uint8, "mean"), _channel_vector(std, x_uint8, "std")
    return x_uint8.float().div_(255.0).sub_(m).div_(s)


def crop_flip(x: torch.Tensor, crop_padding: int = 4, flip: bool = True,
              generator: torch.Generator | None = None) -> torch.Tensor:
    """Random crops of the zero-padded batch at per-sample offsets, mirrored with probability ½.

    One gather: output pixel (b, c, i, j) = padded[b, c, oy_b + i, col_b(j)] with
    col_b(j) = ox_b + j, or ox_b + W − 1 − j when sample b is flipped.
    """
    _check_images(x)
    if isinstance(crop_padding, bool) or not isinstance(crop_padding, int) or crop_padding < 0:
        raise ValueError(f"crop_padding must be a non-negative integer, got {crop_padding!r}")
    B, C, H, W = x.shape
    p, dev = crop_padding, x.device
    if p == 0 and not flip:
        return x.clone()
    padded = torch.nn.functional.pad(x, (p, p, p, p)) if p else x
    oy = torch.randint(0, 2 * p + 1, (B,), device=dev, generator=generator)
    ox = torch.randint(0, 2 * p + 1, (B,), device=dev, generator=generator)
    cols = torch.arange(W, device=dev).expand(B, W)
    if flip:
        flipped = torch.rand(B, device=dev, generator=generator) < 0.5
        cols = torch.where(flipped[:, None], cols.flip(1), cols)
    rows = oy[:, None] + torch.arange(H, device=dev)          # (B, H)
    cols = ox[:, None] + cols                                  # (B, W)
    b = torch.arange(B, device=dev).view(B, 1, 1, 1)
    c = torch.arange(C, device=dev).view(1, C, 1, 1)
    return padded[b, c, rows.view(B, 1, H, 1), cols.view(B, 1, 1, W)]


def augment_batch(x_uint8: torch.Tensor, mean: Sequence[float], std: Sequence[float], *,
                  crop_padding: int = 4, flip: bool = True,
                  generator: torch.Generator | None = None) -> torch.Tensor:
    """Random crop (zero padding ``crop_padding``), random horizontal flip, then :func:`normalize`.

    Deterministic for a given ``generator`` (which must live on the images' device); the padded
    border is black before normalisation, as with torchvision's ``RandomCrop(32, padding=4)``.
    """
    return normalize(crop_flip(x_uint8, crop_padding, flip, generator), mean, std)
