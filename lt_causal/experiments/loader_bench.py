"""How fast one CPU core turns ImageNet-LT files into 224 × 224 uint8 tensors: the JPEG draft-mode
pipeline of :mod:`lt_causal.datasets.image_pipeline` against the plain PIL baseline (every image
decoded at full size, then cropped and resized), in one process on the same files.

    result = loader_benchmark(data, images=200)    # data: a SplitListData (real or miniature)
    print(format_loader_bench(result))             # images/s per worker and the ratio

One process = one DataLoader worker, so images/s here is images/s per worker (per CPU core): a
GPU step of B images every t seconds needs ``B / t / rate`` workers. The two pipelines take turns
image by image, in alternating order, with the same crops, flips and jitter; each image counts with
its fastest of the rounds (interference only ever adds time), so background load on a shared
machine barely moves the ratio. Draft mode pays only where
an image is at least twice the size its crop needs (larger than ImageNet's typical 500 × 375, or
Places' 256 × 256): the measurements are in benchmarks/README.md.
"""
from __future__ import annotations

import os
import time

import numpy as np

from lt_causal.datasets.image_pipeline import ImageTransform

PIPELINES = ("draft", "plain")   # JPEG draft-mode decoding | full decode (the baseline)


def _round(transforms: dict, paths: list, seed: int) -> dict:
    """Seconds per image and pipeline, every path once. The pipelines take turns image by image
    (alternating which goes first) with the same draws, so background load hits both alike."""
    seconds = {name: [] for name in transforms}
    names = list(transforms)
    for i, p in enumerate(paths):
        for name in names if i % 2 == 0 else names[::-1]:
            rng = np.random.default_rng([seed, i])
            t0 = time.perf_counter()
            transforms[name](p, rng)
            seconds[name].append(time.perf_counter() - t0)
    return seconds


def loader_benchmark(data, split: str = "train", images: int = 200, rounds: int = 3, seed: int = 0,
                     modes=("train", "test")) -> dict:
    """images/s per worker of each pipeline and transform on the first ``images`` files of ``split``.

    Returns {"images", "sizes" (original w x h: median, smallest, largest), "bytes_per_pixel", mode:
    {pipeline: images/s, "ratio": draft / plain}} for each mode in ``modes`` (``train``, ``test``);
    images/s = images / the sum over images of each image's fastest round.
    """
    if images < 1 or rounds < 1:
        raise ValueError(f"images and rounds must be >= 1, got {images}, {rounds}")
    from PIL import Image

    items = data.items(split)[:images]
    paths = [data.root / rel for rel, _ in items]
    areas = []
    for p in paths:
        with Image.open(p) as im:
            areas.append(im.size)
    pixels = sum(w * h for w, h in areas)
    result = {"images": len(paths), "split": split, "rounds": rounds,
              "bytes_per_pixel": sum(os.path.getsize(p) for p in paths) / pixels,
              "sizes": {"median": sorted(areas, key=lambda s: s[0] * s[1])[len(areas) // 2],
                        "smallest": min(areas, key=lambda s: s[0] * s[1]),
                        "largest": max(areas, key=lambda s: s[0] * s[1])}}
    for mode in modes:
        transforms = {name: ImageTransform(mode == "train", data.image_size, data.resize, draft=name == "draft")
                      for name in PIPELINES}
        runs = [_round(transforms, paths, seed) for _ in range(rounds)]   # the same draws each round
        # per image, the fastest of the rounds (a preempted call only ever adds time), summed
        rates = {name: len(paths) / sum(map(min, zip(*(run[name] for run in runs)))) for name in PIPELINES}
        result[mode] = {**rates, "ratio": rates["draft"] / rates["plain"]}
    return result


def format_loader_bench(result: dict, header: list[str] | None = None) -> str:
    """The table ``bench --loader`` prints: images/s per worker, draft vs plain."""
    s = result["sizes"]
    size = lambda wh: f"{wh[0]}x{wh[1]}"   # noqa: E731
    lines = list(header or []) + [
        f"{result['images']} images of the {result['split']} split (median {size(s['median'])}, "
        f"{size(s['smallest'])} ... {size(s['largest'])}; {result['bytes_per_pixel']:.2f} JPEG bytes per pixel), "
        f"fastest of {result['rounds']} rounds per image, one process",
        f"{'transform':<10} {'draft img/s':>12} {'plain img/s':>12} {'ratio':>7}"]
    for mode in ("train", "test"):
        if mode in result:
            r = result[mode]
            lines.append(f"{mode:<10} {r['draft']:12.1f} {r['plain']:12.1f} {r['ratio']:6.2f}x")
    lines.append("img/s per worker (one CPU core); draft: JPEG draft-mode decoding (DCT scaling to the "
                 "smallest size >= the crop needs), plain: full decode then crop/resize; ratio = draft / plain")
    return "\n".join(lines)
