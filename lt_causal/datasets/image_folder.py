"""Image trees ``root/{train,test}/<class>/*`` (the torchvision ImageFolder layout, split in two)
decoded once with Pillow into uint8 arrays and cached as ``.npz`` under the data root.

    arrays = load_image_folder("../shared/data/cifar10-jpeg")   # ~10 s the first time, then < 1 s
    arrays["train_x"].shape, arrays["classes"][:2]               # (50000, 3, 32, 32), ['airplane', ...]

The cache file is ``<data_root>/folder-cache/<hash>.npz``; the hash covers the resolved root and
the name, size and modification time of every image, so editing the tree rebuilds it.
"""
from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from lt_causal.checkpoint import load_arrays, save_arrays
from lt_causal.settings import data_root_path

SPLITS = ("train", "test")
CACHE_DIR = "folder-cache"
CHUNK = 256


def image_extensions() -> set[str]:
    """Lower-case file extensions (``.png``, ``.jpg``, ...) that the installed Pillow can read."""
    from PIL import Image

    Image.init()
    return {ext.lower() for ext, fmt in Image.registered_extensions().items() if fmt in Image.OPEN}


def _visible_dirs(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))


def list_image_folder(root) -> tuple[list[str], dict]:
    """Class names (sorted folder names) and, per split, the sorted image paths of each class."""
    root = Path(root).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(f"image folder {root} does not exist")
    for split in SPLITS:
        if not (root / split).is_dir():
            raise FileNotFoundError(f"image folder {root} has no {split}/ sub-folder "
                                    f"(expected {root}/{split}/<class>/<image>)")
    classes = _visible_dirs(root / "train")
    if not classes:
        raise ValueError(f"{root / 'train'} holds no class folders")
    test_classes = _visible_dirs(root / "test")
    if test_classes != classes:
        only_train = sorted(set(classes) - set(test_classes))
        only_test = sorted(set(test_classes) - set(classes))
        raise ValueError(f"class folders of {root}/train and {root}/test differ: "
                         f"only in train {only_train}, only in test {only_test}")
    exts = image_extensions()
    files = {}
    for split in SPLITS:
        files[split] = []
        for name in classes:
            folder = root / split / name
            with os.scandir(folder) as entries:
                names = sorted(e.name for e in entries if e.is_file() and not e.name.startswith(".")
                               and os.path.splitext(e.name)[1].lower() in exts)
            paths = [os.path.join(folder, n) for n in names]  # str: 60,000 Paths cost ~1 s
            if not paths:
                raise ValueError(f"class folder {folder} holds no images")
            files[split].append(paths)
    return classes, files


def count_images(root) -> tuple[list[str], list[int], list[int]]:
    """Class names with the number of train and test images per class, without decoding."""
    classes, files = list_image_folder(root)
    return classes, [len(p) for p in files["train"]], [len(p) for p in files["test"]]


def _cache_key(root: Path, files: dict) -> str:
    h = hashlib.sha256(str(root.resolve()).encode())
    skip = len(os.path.join(root, ""))  # paths are os.path.join(root, split, class, name)
    for split in SPLITS:
        for paths in files[split]:
            for p in paths:
                st = os.stat(p)
                h.update(f"{p[skip:]}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:24]


def _decode(path: str) -> np.ndarray:
    from PIL import Image

    try:
        with Image.open(path) as im:
            return np.asarray(im if im.mode == "RGB" else im.convert("RGB"))
    except Exception as exc:
        raise ValueError(f"cannot read image {path}: {exc}") from None


def _decode_chunk(paths: list[str], shape: tuple) -> np.ndarray:
    arrays = [_decode(p) for p in paths]
    for p, a in zip(paths, arrays):
        if a.shape != shape:
            raise ValueError(f"image {p} is {a.shape[1]}x{a.shape[0]}, but the first image is "
                             f"{shape[1]}x{shape[0]}; all images must share one size")
    return np.stack(arrays)


def decode_images(paths: list[str], *, shape: tuple | None = None, workers: int | None = None,
                  progress: bool = True, desc: str = "decoding") -> np.ndarray:
    """uint8 (N, 3, H, W) of same-size RGB images, decoded by a thread pool with a tqdm.auto bar."""
    from tqdm.auto import tqdm

    if not paths:
        raise ValueError("no images to decode")
    shape = tuple(shape) if shape is not None else _decode(paths[0]).shape
    if workers is None:
        workers = min(4, os.cpu_count() or 1)
    chunks = [paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)]
    out = []
    with tqdm(total=len(paths), desc=desc, unit="img", disable=not progress) as bar, \
            ThreadPoolExecutor(max(1, workers)) as pool:
        try:
            for chunk, arr in zip(chunks, pool.map(_decode_chunk, chunks, [shape] * len(chunks))):
                out.append(arr)
                bar.update(len(chunk))
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    return np.ascontiguousarray(np.concatenate(out).transpose(0, 3, 1, 2))


def load_image_folder(root, *, data_root=None, cache: bool = True, workers: int | None = None,
                      progress: bool = True) -> dict:
    """train_x/test_x uint8 (N, 3, H, W), train_y/test_y int64 and classes of an image tree."""
    root = Path(root).expanduser()
    classes, files = list_image_folder(root)
    cache_path = None
    if cache:
        cache_path = data_root_path(data_root) / CACHE_DIR / f"{_cache_key(root, files)}.npz"
        arrays = load_arrays(cache_path, ("train_x", "train_y", "test_x", "test_y")) if cache_path.is_file() else None
        if arrays is not None:   # an unreadable cache is decoded again
            return dict(arrays, classes=list(classes))
    arrays = {}
    shape = _decode(files["train"][0][0]).shape  # every image must have this size
    for split in SPLITS:
        paths = [p for class_paths in files[split] for p in class_paths]
        arrays[f"{split}_x"] = decode_images(paths, shape=shape, workers=workers, progress=progress,
                                             desc=f"decoding {root.name}/{split}")
        arrays[f"{split}_y"] = np.repeat(np.arange(len(classes), dtype=np.int64),
                                         [len(p) for p in files[split]])
    if cache_path is not None:
        save_arrays(arrays, cache_path)
    return dict(arrays, classes=list(classes))
