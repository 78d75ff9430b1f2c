"""The ImageNet-LT / Places-LT image pipeline without torchvision: decode one image file with PIL,
crop, flip and colour-jitter it on uint8, return a uint8 (3, S, S) tensor; normalise on the device.

    rng = np.random.default_rng(0)
    x = ImageTransform(train=True)(root / "train/n01440764/n01440764_10026.JPEG", rng)  # uint8 (3, 224, 224)
    xb = normalize(x_batch.to(device), data.mean, data.std)    # float, on the device (augment.py)

Train: random-resized-crop (scale 0.08-1, aspect ratio 3/4-4/3, ten tries then a centre crop),
horizontal flip, colour jitter (brightness, contrast, saturation 0.4, hue 0): the transforms of the
Decoupling / TDE ImageNet-LT code (Kang et al. 2020; Tang et al. 2020). Test: shorter side resized
to 256, centre 224 × 224.

JPEG draft mode: the crop box is drawn on the image's full size (read from the header, so draft
mode does not change the distribution of crops); the decoder is then asked for the largest
power-of-two reduction (1/2, 1/4, 1/8: scaled in the DCT domain, never decoded at full size) that
still gives the crop at least ``S`` pixels per side, and the box is resized from that image. It
pays for images at least twice the size their crop needs (benchmarks/README.md: none at ImageNet's
typical 500 × 375, 1.4-3× per worker at 1024 × 768 and above).
Normalisation is :func:`lt_causal.datasets.augment.normalize` (one implementation for every path).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from lt_causal.datasets.augment import normalize

IMAGE_SIZE, RESIZE = 224, 256               # train/test crop; test-time shorter side
RRC_SCALE = (0.08, 1.0)                     # random-resized-crop: fraction of the image area
RRC_RATIO = (3 / 4, 4 / 3)                  # and aspect ratio w/h (drawn log-uniformly)
RRC_TRIES = 10
JITTER = 0.4                                # brightness, contrast, saturation factors in [0.6, 1.4]
IMAGENET_MEAN = (0.485, 0.456, 0.406)       # the normalisation of the official ImageNet-LT code
IMAGENET_STD = (0.229, 0.224, 0.225)

__all__ = ["IMAGE_SIZE", "RESIZE", "JITTER", "IMAGENET_MEAN", "IMAGENET_STD", "ImageTransform",
           "random_resized_crop_box", "centre_crop_box", "open_scaled", "color_jitter", "normalize",
           "device_batch"]


def random_resized_crop_box(width: int, height: int, rng: np.random.Generator,
                            scale=RRC_SCALE, ratio=RRC_RATIO) -> tuple[int, int, int, int]:
    """(left, top, w, h) of a random-resized crop of a ``width`` × ``height`` image.

    Up to ten tries draw an area fraction uniformly in ``scale`` and an aspect ratio log-uniformly
    in ``ratio``; the first box that fits is placed uniformly. If none fits, the fallback is the
    largest centred box whose aspect ratio is clamped into ``ratio`` (the standard algorithm).
    """
    area = width * height
    log_lo, log_hi = math.log(ratio[0]), math.log(ratio[1])
    for _ in range(RRC_TRIES):
        target = area * rng.uniform(scale[0], scale[1])
        aspect = math.exp(rng.uniform(log_lo, log_hi))
        w = int(round(math.sqrt(target * aspect)))
        h = int(round(math.sqrt(target / aspect)))
        if 0 < w <= width and 0 < h <= height:
            top = int(rng.integers(0, height - h + 1))
            left = int(rng.integers(0, width - w + 1))
            return left, top, w, h
    in_ratio = width / height
    if in_ratio < ratio[0]:
        w, h = width, int(round(width / ratio[0]))
    elif in_ratio > ratio[1]:
        w, h = int(round(height * ratio[1])), height
    else:
        w, h = width, height
    return (width - w) // 2, (height - h) // 2, w, h


def centre_crop_box(width: int, height: int, resize: int = RESIZE,
                    size: int = IMAGE_SIZE) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) in original pixels of the centre ``size`` square of the image resized so
    that its shorter side is ``resize`` (the longer side truncated to an integer, as torchvision)."""
    if width <= height:
        new_w, new_h = resize, int(resize * height / width)
    else:
        new_w, new_h = int(resize * width / height), resize
    top, left = int(round((new_h - size) / 2)), int(round((new_w - size) / 2))
    sx, sy = width / new_w, height / new_h
    return left * sx, top * sy, (left + size) * sx, (top + size) * sy


def _scaled(im, request, draft: bool):
    """Load an open image at the smallest JPEG draft size ≥ ``request`` (w, h); (RGB image, fx, fy)."""
    width, height = im.size
    fx = fy = 1.0
    if draft and request is not None and im.format == "JPEG" and 2 * max(1, request[0]) <= width \
            and 2 * max(1, request[1]) <= height:             # else no power-of-two reduction fits
        reduced = im.draft("RGB", (max(1, request[0]), max(1, request[1])))
        if reduced is not None:   # (mode, the original extent in the new pixels)
            fx, fy = reduced[1][2] / width, reduced[1][3] / height
    im.load()
    return (im if im.mode == "RGB" else im.convert("RGB")), fx, fy


def _open(path, plan, draft: bool):
    """``plan(width, height) -> (box, request)`` on the header, then the scaled decode."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            box, request = plan(*im.size)
            return (box, *_scaled(im, request, draft))
    except FileNotFoundError:
        raise FileNotFoundError(f"image {path} is missing") from None
    except OSError as exc:
        raise ValueError(f"cannot read image {path}: {exc}") from None


def open_scaled(path, request: tuple[int, int] | None, draft: bool = True):
    """(RGB PIL image, x factor, y factor): the file decoded at the smallest JPEG draft size that is
    at least ``request`` (w, h) (``None`` or ``draft=False``: full size); factor = new / original."""
    return _open(path, lambda w, h: (None, request), draft)[1:]


def _request(width: int, height: int, box, size: int) -> tuple[int, int]:
    """The image size at which ``box`` (x0, y0, x1, y1) still has ``size`` pixels per side."""
    return math.ceil(width * size / (box[2] - box[0])), math.ceil(height * size / (box[3] - box[1]))


def color_jitter(img, rng: np.random.Generator, strength: float = JITTER):
    """Brightness, contrast and saturation each scaled by a factor uniform in [1 − s, 1 + s], in a
    random order (PIL's ImageEnhance: what torchvision's ColorJitter does to a PIL image; hue 0)."""
    from PIL import ImageEnhance

    if strength <= 0:
        return img
    lo, hi = max(0.0, 1 - strength), 1 + strength
    enhancers = (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color)
    factors = [rng.uniform(lo, hi) for _ in enhancers]
    for k in rng.permutation(len(enhancers)):
        img = enhancers[k](img).enhance(factors[k])
    return img


@dataclass(frozen=True)
class ImageTransform:
    """Path → uint8 (3, size, size) tensor: the train or the test transform above.

    ``draft=False`` decodes every image at full size (the plain PIL baseline of the loader
    benchmark); ``jitter=0`` switches the colour jitter off.
    """

    train: bool
    image_size: int = IMAGE_SIZE
    resize: int = RESIZE
    jitter: float = JITTER
    draft: bool = True

    def __post_init__(self):
        if self.image_size < 1 or self.resize < self.image_size:
            raise ValueError(f"need 1 <= image_size <= resize, got image_size {self.image_size}, "
                             f"resize {self.resize}")

    def box(self, width: int, height: int, rng: np.random.Generator | None = None):
        """(x0, y0, x1, y1) in original pixels: a random-resized crop (train) or the centre crop."""
        if not self.train:
            return centre_crop_box(width, height, self.resize, self.image_size)
        left, top, w, h = random_resized_crop_box(width, height, rng)
        return left, top, left + w, top + h

    def __call__(self, path, rng: np.random.Generator | None = None) -> torch.Tensor:
        from PIL import Image

        if self.train and rng is None:
            raise ValueError("the train transform needs a numpy Generator (rng=)")
        S = self.image_size

        def plan(width, height):
            box = self.box(width, height, rng)
            return box, _request(width, height, box, S)

        box, img, fx, fy = _open(path, plan, self.draft)
        img = img.resize((S, S), Image.BILINEAR, box=(box[0] * fx, box[1] * fy, box[2] * fx, box[3] * fy))
        if self.train:
            if rng.random() < 0.5:
                img = img.transpose(Image.FLIP_LEFT_RIGHT)
            img = color_jitter(img, rng, self.jitter)
        return torch.from_numpy(np.ascontiguousarray(np.asarray(img).transpose(2, 0, 1)))


def device_batch(x_uint8: torch.Tensor, y: torch.Tensor, device, mean, std):
    """A loader batch on ``device``: normalised float32 images and int64 labels (non-blocking
    copies, so pinned batches overlap with compute)."""
    x = x_uint8.to(device, non_blocking=True)
    return normalize(x, mean, std), y.to(device, non_blocking=True)
