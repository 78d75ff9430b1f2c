"""Split-list data sets (ImageNet-LT, Places-LT; Liu et al. 2019, the OLTR project): the images stay
on disk and are decoded in DataLoader workers; public text files list each split.

    data = load_split_lists("imagenet-lt", root="/data/imagenet", splits="/data/ImageNet_LT")
    data.train_counts[:3], len(data.test)          # per label (not head first), 50,000 test lines
    loader = make_loader(data, "train", 256, workers=8, train=True)   # uint8 (N, 3, 224, 224), int64
    missing = check_images(data, "train")          # every listed image that is not on disk

A split file ``<Prefix>_{train,val,test}.txt`` has one image a line, ``<path relative to the image
root> <integer label>``: ``train/n01440764/n01440764_10026.JPEG 0`` (ImageNet-LT: 1,000 classes,
115,846 / 20,000 / 50,000 images), ``data_256/a/airfield/00000001.jpg 0`` (Places-LT: 365 classes).
The class of a label is named after the folder of its first train image (the wnid, or the scene
name with Places' letter folder dropped). The number of classes is the largest train label + 1
(at most the data set's 1,000 or 365), so a miniature tree with a dozen classes loads the same way
(:mod:`lt_causal.datasets.miniature`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import torch

from lt_causal.checks import check_choice
from lt_causal.datasets.image_pipeline import IMAGE_SIZE, IMAGENET_MEAN, IMAGENET_STD, RESIZE, ImageTransform
from lt_causal.datasets.profiles import ClassCounts

SPLITS = ("train", "val", "test")
OLTR = "github.com/zhmiao/OpenLongTailRecognition-OLTR"
# name → (split file prefix, most classes, where the images come from)
SPLIT_LISTS = {
    "imagenet-lt": ("ImageNet_LT", 1000, "image-net.org (ILSVRC 2012 train and val images)"),
    "places-lt": ("Places_LT", 365, "places2.csail.mit.edu (Places365-Standard, 256 x 256 images)"),
}


@dataclass
class SplitListData(ClassCounts):
    """A streamed long-tailed data set: the three split lists, the images stay on disk."""

    name: str                         # "imagenet-lt" | "places-lt"
    root: Path                        # image root: the split files' paths are relative to it
    classes: list[str]                # class names (wnids / scene names), index = label
    train: list[tuple[str, int]]      # (relative path, label) per line of the split file
    val: list[tuple[str, int]]
    test: list[tuple[str, int]]
    train_counts: list[int]           # train images per class, index = label (NOT head first)
    mean: tuple[float, ...] = IMAGENET_MEAN
    std: tuple[float, ...] = IMAGENET_STD
    image_size: int = IMAGE_SIZE
    resize: int = RESIZE
    split_files: dict | None = None   # split → the file it was read from

    def items(self, split: str) -> list[tuple[str, int]]:
        """The (path, label) list of ``train``, ``val`` or ``test``."""
        return getattr(self, check_choice(split, SPLITS, "split"))

    def labels(self, split: str) -> torch.Tensor:
        """int64 labels of a split, in file order (for samplers and metrics)."""
        return torch.tensor([y for _, y in self.items(split)], dtype=torch.long)

    def counts(self, split: str) -> list[int]:
        """Images per class of a split, index = label."""
        return np.bincount([y for _, y in self.items(split)], minlength=self.num_classes).tolist()

    def __repr__(self) -> str:
        c = self.train_counts
        return (f"SplitListData({self.name!r}, {self.num_classes} classes, root {str(self.root)!r}, "
                f"train {len(self.train)} ({max(c)} ... {min(c)} per class), val {len(self.val)}, "
                f"test {len(self.test)})")


def split_file(name: str, splits, split: str) -> Path:
    """``<splits>/<Prefix>_<split>.txt``; one FileNotFoundError saying where the files come from."""
    prefix, _, images = SPLIT_LISTS[check_choice(name, tuple(SPLIT_LISTS), "split-list data set")]
    path = Path(splits).expanduser() / f"{prefix}_{split}.txt"
    if not path.is_file():
        raise FileNotFoundError(
            f"split file {path} not found: {name} needs {prefix}_train.txt, {prefix}_val.txt and "
            f"{prefix}_test.txt in --splits DIR (the {prefix} split files of the OLTR project, {OLTR}) "
            f"and the images under --folder ROOT (from {images}); nothing is downloaded, you supply both")
    return path


def parse_split_file(path, num_classes: int, what: str = "classes") -> list[tuple[str, int]]:
    """(relative path, label) per non-blank line of a split file; a malformed line or a label
    outside ``0 .. num_classes - 1`` is one ValueError naming ``file:line``."""
    items = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            try:
                if len(fields) != 2 or fields[0].startswith("/"):
                    raise ValueError
                label = int(fields[1])
            except ValueError:
                raise ValueError(f"{path}:{number}: malformed line {line.rstrip(chr(10))!r}; expected "
                                 "'<image path relative to the image root> <integer label>'") from None
            if not 0 <= label < num_classes:
                raise ValueError(f"{path}:{number}: label {label} is out of range: {num_classes} {what} "
                                 f"(labels 0..{num_classes - 1})")
            items.append((fields[0], label))
    if not items:
        raise ValueError(f"split file {path} lists no images")
    return items


def class_name(relative_path: str) -> str:
    """The class folder of an image path: ``train/n01440764/x.JPEG`` → ``n01440764``,
    ``data_256/a/apartment_building/outdoor/x.jpg`` → ``apartment_building/outdoor``."""
    parts = list(PurePosixPath(relative_path).parent.parts)
    if len(parts) > 1:
        parts = parts[1:]                          # the split folder: train/, data_256/
    if len(parts) > 1 and len(parts[0]) == 1:
        parts = parts[1:]                          # Places' first-letter folder: a/, b/, ...
    return "/".join(parts)


def _classes(train: list[tuple[str, int]], path) -> tuple[list[str], list[int]]:
    """Class names and counts from the train split; every label 0..max must have an image."""
    counts = np.bincount([y for _, y in train]).tolist()
    empty = [c for c, n in enumerate(counts) if n == 0]
    if empty:
        raise ValueError(f"{path} has no image of class {empty[0]} (labels 0..{len(counts) - 1} must "
                         f"all have train images; {len(empty)} have none)")
    names: list[str | None] = [None] * len(counts)
    for p, y in train:
        if names[y] is None:
            names[y] = class_name(p) or f"class{y}"
    return names, counts


def load_split_lists(name: str, root, splits=None) -> SplitListData:
    """Read ``<splits>/<Prefix>_{train,val,test}.txt`` of ``imagenet-lt`` or ``places-lt`` whose
    images live under ``root`` (``splits`` default: ``root``). No image is opened: see
    :func:`check_images`."""
    root = Path(root).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(f"image root {root} does not exist (--folder ROOT: the folder the "
                                f"split files' paths start from)")
    splits = root if splits is None else Path(splits).expanduser()
    files = {s: split_file(name, splits, s) for s in SPLITS}
    most = SPLIT_LISTS[name][1]
    train = parse_split_file(files["train"], most, f"classes of {name}")
    classes, counts = _classes(train, files["train"])
    lists = {s: parse_split_file(files[s], len(classes), f"classes in {files['train'].name}")
             for s in ("val", "test")}
    return SplitListData(name, root, classes, train, lists["val"], lists["test"], counts,
                         split_files={s: str(f) for s, f in files.items()})


def check_images(data: SplitListData, split: str | None = None) -> list[str]:
    """Every image a split (``None``: all three) lists that is not a file under the root, in file
    order. Each folder is listed once (``os.scandir``), so 186k images take about a second."""
    wanted = data.items(split) if split is not None else data.train + data.val + data.test
    present: dict[str, set] = {}
    missing = []
    for rel, _ in wanted:
        folder, _, base = rel.rpartition("/")
        if folder not in present:
            try:
                with os.scandir(data.root / folder) as entries:
                    present[folder] = {e.name for e in entries}
            except (FileNotFoundError, NotADirectoryError):
                present[folder] = set()
        if base not in present[folder]:
            missing.append(str(data.root / rel))
    return missing


def require_images(data: SplitListData, splits=SPLITS) -> None:
    """One FileNotFoundError naming the missing images of ``splits`` (how many, the first five)."""
    missing = [p for s in splits for p in check_images(data, s)]
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise FileNotFoundError(f"{len(missing)} images of {data.name} are missing under {data.root}: "
                                f"{', '.join(missing[:5])}{more} (list them all: python -m lt_causal "
                                f"info --dataset {data.name} --folder ... --splits ... --check-images)")


class ImageListDataset(torch.utils.data.Dataset):
    """``(uint8 (3, S, S) tensor, label)`` per (path, label) of a split list, decoded on access by
    :class:`~lt_causal.datasets.image_pipeline.ImageTransform` (train: random crop, flip, jitter).

    Augmentation is reproducible: each process draws from its own numpy Generator, seeded in a
    DataLoader worker from the worker's seed (``base_seed + worker id``, drawn from the loader's
    seeded generator at every epoch) and in the main process from ``seed``.
    """

    def __init__(self, items, root, train: bool, image_size: int = IMAGE_SIZE, resize: int = RESIZE,
                 seed: int = 0, *, draft: bool = True, jitter: float | None = None):
        self.items = list(items)
        self.root = Path(root)
        extra = {} if jitter is None else {"jitter": jitter}
        self.transform = ImageTransform(train, image_size, resize, draft=draft, **extra)
        self.seed = int(seed)
        self._rng, self._rng_key = None, None

    def __len__(self) -> int:
        return len(self.items)

    def rng(self) -> np.random.Generator:
        """This process's Generator (re-seeded when the dataset lands in a new worker)."""
        info = torch.utils.data.get_worker_info()
        key = ("worker", info.seed) if info is not None else ("main", os.getpid())
        if key != self._rng_key:
            self._rng = np.random.default_rng([self.seed, info.seed % 2 ** 63] if info else self.seed)
            self._rng_key = key
        return self._rng

    def __getitem__(self, i: int):
        rel, label = self.items[i]
        return self.transform(self.root / rel, self.rng() if self.transform.train else None), label


class ImageLoader(torch.utils.data.DataLoader):
    """A DataLoader whose worker errors stay one line: a missing or unreadable image raised in a
    worker comes back as the worker's own FileNotFoundError / ValueError, not a traceback dump."""

    def __iter__(self):
        try:
            yield from super().__iter__()
        except (FileNotFoundError, ValueError) as exc:
            lines = str(exc).strip().splitlines()
            if len(lines) < 2 or not lines[0].startswith("Caught "):
                raise
            last = lines[-1].split(": ", 1)[-1]        # "FileNotFoundError: image ... is missing"
            raise type(exc)(last) from None


def make_loader(data: SplitListData, split: str, batch_size: int, *, workers: int, train: bool,
                sampler=None, seed: int = 0, drop_last: bool = False, pin_memory: bool = False,
                draft: bool = True) -> torch.utils.data.DataLoader:
    """A DataLoader over one split yielding ``(uint8 (N, 3, S, S), int64 (N,))`` batches.

    ``train``: the augmenting transform, shuffled with a generator seeded by ``seed`` unless a
    ``sampler`` (class-balanced, DistributedSampler, ...) gives the order; otherwise the test
    transform in file order. Normalise on the device: ``image_pipeline.device_batch``.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise ValueError(f"workers must be a non-negative integer, got {workers!r}")
    dataset = ImageListDataset(data.items(split), data.root, train, data.image_size, data.resize, seed,
                               draft=draft)
    return ImageLoader(
        dataset, batch_size=batch_size, shuffle=train and sampler is None, sampler=sampler,
        num_workers=workers, pin_memory=pin_memory, drop_last=drop_last,
        persistent_workers=workers > 0, generator=torch.Generator().manual_seed(int(seed)))
