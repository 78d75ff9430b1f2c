"""A miniature ImageNet-LT or Places-LT on disk: small real JPEGs in the public directory layout and
split files in the public format, with a long-tailed train split (tests, notebook 08, benchmarks).

    root = make_miniature_tree("/tmp/mini-imagenet-lt")          # 12 classes, 64 x 48 JPEGs
    data = load_split_lists("imagenet-lt", root)                  # the split files are in root

Each class has its own background hue and shape (disc, square, triangle, bars) drawn at a random
place over noise (per pixel up to 96 × 96; in coarser grains above, so that large images compress
like photos), so a network learns something in a few epochs. The long-tailed train counts
(``long_tail_counts``: n_max ... n_max / imbalance) are given to the labels in a seeded random order,
as in the real ImageNet-LT, whose label 0 is not its largest class. Layout, as the public files:

    imagenet-lt: train/<wnid>/<wnid>_<k>.JPEG (train and val lines), val/ILSVRC2012_val_<k>.JPEG (test)
    places-lt:   data_256/<letter>/<scene>/<k>.jpg (train and val), val_256/Places365_val_<k>.jpg (test)
"""
from __future__ import annotations

import colorsys
from pathlib import Path

import numpy as np

from lt_causal.checks import check_choice
from lt_causal.datasets.profiles import long_tail_counts
from lt_causal.datasets.split_list import SPLIT_LISTS

SCENES = ["airfield", "alley", "amusement_park", "aquarium", "arch", "badlands", "bakery/shop", "ballroom",
          "bamboo_forest", "beach", "bedroom", "boathouse"]
SHAPES = ("disc", "square", "triangle", "bars")


def class_names(name: str, classes: int) -> list[str]:
    """Made-up wnids (``n00000001`` ...) or Places scene names (``scene12`` ... past the list)."""
    if name == "imagenet-lt":
        return [f"n{c + 1:08d}" for c in range(classes)]
    return [SCENES[c] if c < len(SCENES) else f"scene{c}" for c in range(classes)]


def _paths(name: str, cls: str, first: int, n: int, test: bool) -> list[str]:
    """Relative paths of ``n`` images of class ``cls`` numbered from ``first``."""
    ks = range(first, first + n)
    if name == "imagenet-lt":
        return [f"val/ILSVRC2012_val_{k:08d}.JPEG" if test else f"train/{cls}/{cls}_{k}.JPEG" for k in ks]
    return [f"val_256/Places365_val_{k:08d}.jpg" if test else f"data_256/{cls[0]}/{cls}/{k:08d}.jpg"
            for k in ks]


def draw_image(label: int, classes: int, size: tuple[int, int], rng: np.random.Generator):
    """A PIL image of class ``label``: its hue as background, its shape in the opposite hue."""
    from PIL import Image, ImageDraw

    w, h = size
    hue = label / classes
    bg = np.array(colorsys.hsv_to_rgb(hue, 0.6, 0.8)) * 255
    fg = tuple(int(v * 255) for v in colorsys.hsv_to_rgb((hue + 0.5) % 1.0, 0.9, 0.95))
    grain = max(1, round(min(w, h) / 96))     # noise in grains of this many pixels, as photos have
    noise = rng.normal(0, 18, (-(-h // grain), -(-w // grain), 3))
    img = Image.fromarray(np.clip(bg + noise, 0, 255).astype(np.uint8))
    if grain > 1:
        img = img.resize((w, h), Image.BILINEAR)
    draw = ImageDraw.Draw(img)
    r = int(min(w, h) * rng.uniform(0.2, 0.35))
    cx, cy = int(rng.uniform(r, w - r)), int(rng.uniform(r, h - r))
    shape = SHAPES[label % len(SHAPES)]
    if shape == "disc":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fg)
    elif shape == "square":
        draw.rectangle((cx - r, cy - r, cx + r, cy + r), fill=fg)
    elif shape == "triangle":
        draw.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=fg)
    else:
        for k in range(-2, 3):
            x = cx + k * r // 2
            draw.rectangle((x - r // 8, cy - r, x + r // 8, cy + r), fill=fg)
    return img


def make_miniature_tree(root, name: str = "imagenet-lt", classes: int = 12, n_max: int = 40,
                        imbalance: float = 10.0, val_per_class: int = 4, test_per_class: int = 6,
                        size: tuple[int, int] = (64, 48), seed: int = 0, splits=None) -> Path:
    """Write the images and the three split files of a miniature ``name`` under ``root`` (split
    files into ``splits``, default ``root``); returns ``root``. Same arguments, same bytes."""

    prefix, most, _ = SPLIT_LISTS[check_choice(name, tuple(SPLIT_LISTS), "split-list data set")]
    if not 1 <= classes <= most:
        raise ValueError(f"classes must be between 1 and {most} for {name}, got {classes}")
    if min(val_per_class, test_per_class) < 1:
        raise ValueError(f"val_per_class and test_per_class must be >= 1, got {val_per_class}, {test_per_class}")
    root, rng = Path(root).expanduser(), np.random.default_rng(seed)
    splits = root if splits is None else Path(splits).expanduser()
    names = class_names(name, classes)
    counts = np.array(long_tail_counts(classes, n_max, imbalance))[rng.permutation(classes)].tolist()
    lines: dict[str, list[str]] = {"train": [], "val": [], "test": []}
    test_k = 1
    for label, cls in enumerate(names):
        per_split = {"train": _paths(name, cls, 1, counts[label], False),
                     "val": _paths(name, cls, 1 + counts[label], val_per_class, False),
                     "test": _paths(name, cls, test_k, test_per_class, True)}
        test_k += test_per_class
        for split, paths in per_split.items():
            for rel in paths:
                path = root / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                draw_image(label, classes, size, rng).save(path, "JPEG", quality=90)
                lines[split].append(f"{rel} {label}")
    splits.mkdir(parents=True, exist_ok=True)
    for split, rows in lines.items():
        (splits / f"{prefix}_{split}.txt").write_text("\n".join(rows) + "\n")
    return root
