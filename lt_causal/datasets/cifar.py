"""The official CIFAR-10/100 python archives (Krizhevsky 2009): download with an md5 check,
safe extraction, parsing of the pickled batches, and an ``.npz`` cache of the decoded arrays.

    arrays = load_cifar("cifar10", data_root="data")     # downloads 163 MB once
    arrays["train_x"].shape                               # (50000, 3, 32, 32) uint8

Files under ``data_root``: ``cifar-10-python.tar.gz`` (the archive), ``cifar-10-batches-py/``
(its contents) and ``cifar-10-batches-py.npz`` (the cache every later load reads).
"""
from __future__ import annotations

import hashlib
import http.client
import os
import pickle
import shutil
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from lt_causal.checkpoint import load_arrays, save_arrays
from lt_causal.checks import DataUnavailable, check_choice
from lt_causal.settings import data_root_path

ARCHIVES = {
    "cifar10": {
        "url": "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        "md5": "c58f30108f718f92721af3b95e74349a",
        "filename": "cifar-10-python.tar.gz",
        "folder": "cifar-10-batches-py",
        "train": [f"data_batch_{i}" for i in range(1, 6)],
        "test": ["test_batch"],
        "meta": "batches.meta",
        "label_key": "labels",
        "names_key": "label_names",
    },
    "cifar100": {
        "url": "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
        "md5": "eb9058c3a382ffc7106e4002c42a8d85",
        "filename": "cifar-100-python.tar.gz",
        "folder": "cifar-100-python",
        "train": ["train"],
        "test": ["test"],
        "meta": "meta",
        "label_key": "fine_labels",
        "names_key": "fine_label_names",
    },
}
CHUNK = 1 << 20
CACHE_KEYS = ("train_x", "train_y", "test_x", "test_y", "classes")


def _spec(which: str) -> dict:
    return ARCHIVES[check_choice(which, ARCHIVES, "CIFAR archive")]


def md5sum(path) -> str:
    """Hex md5 digest of a file, read in 1 MiB chunks."""
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _check_md5(path: Path, expected: str) -> None:
    found = md5sum(path)
    if found != expected.lower():
        path.unlink(missing_ok=True)
        name = path.name[:-5] if path.name.endswith(".part") else path.name
        raise ValueError(f"{name} is corrupt or incomplete: md5 {found} found, {expected} expected; "
                         f"the file was deleted, run again to download it afresh")


def _fetch(url: str, dest: Path, progress: bool) -> None:
    """Stream ``url`` into ``dest`` with a tqdm.auto bar; a short read is an error."""
    from tqdm.auto import tqdm

    with urllib.request.urlopen(url) as resp:
        total = resp.headers.get("Content-Length")
        total = int(total) if total else None
        done = 0
        with open(dest, "wb") as f, tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                                         desc=dest.name[:-5], disable=not progress) as bar:
            try:
                for block in iter(lambda: resp.read(CHUNK), b""):
                    f.write(block)
                    done += len(block)
                    bar.update(len(block))
            except http.client.HTTPException as exc:  # e.g. IncompleteRead: the server hung up
                raise ValueError(f"download of {url} stopped after {done} bytes: {exc!r}") from None
    if total is not None and done != total:
        raise ValueError(f"download of {url} stopped after {done} of {total} bytes")


def download_archive(which: str = "cifar10", data_root=None, *, url: str | None = None,
                     md5: str | None = None, download: bool = True, progress: bool = True) -> Path:
    """Path of the verified official archive in ``data_root``, downloading it when missing."""
    spec = _spec(which)
    url, md5 = url or spec["url"], md5 or spec["md5"]
    root = data_root_path(data_root)
    archive = root / spec["filename"]
    if archive.is_file():
        _check_md5(archive, md5)
        return archive
    if not download:
        raise DataUnavailable(f"{archive} not found and download=False: put {spec['filename']} "
                              f"(from {url}) in {root}, or allow the download")
    root.mkdir(parents=True, exist_ok=True)
    part = archive.with_name(archive.name + ".part")
    try:
        _fetch(url, part, progress)
        _check_md5(part, md5)
    except urllib.error.URLError as exc:
        part.unlink(missing_ok=True)
        raise DataUnavailable(f"cannot download {url} ({exc.reason}): put {spec['filename']} "
                              f"(fetched from that address by other means) in {root}") from None
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, archive)
    return archive


def extract_archive(archive, dest) -> None:
    """Extract a tar archive into ``dest`` refusing links, devices and paths outside ``dest``."""
    dest = Path(dest)
    try:
        with tarfile.open(archive, "r:*") as tar:
            if hasattr(tarfile, "data_filter"):  # Python ≥ 3.11.4 / 3.10.12 (PEP 706)
                tar.extractall(dest, filter="data")
            else:  # pragma: no cover - older Pythons: only plain files and folders inside dest
                members = []
                for m in tar.getmembers():
                    target = (dest / m.name).resolve()
                    if not (m.isfile() or m.isdir()) or not target.is_relative_to(dest.resolve()):
                        raise ValueError(f"unsafe member {m.name!r} in {archive}")
                    members.append(m)
                tar.extractall(dest, members=members)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ValueError(f"cannot extract {archive}: {exc}") from None


class _BatchUnpickler(pickle.Unpickler):
    """Unpickles the CIFAR batch dicts, allowing only the numpy array constructors they use."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
               ("numpy._core.multiarray", "scalar"), ("numpy.core.numeric", "_frombuffer"),
               ("numpy._core.numeric", "_frombuffer"), ("_codecs", "encode")}

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a CIFAR batch")
        return super().find_class(module, name)


def read_batch(path) -> dict:
    """One pickled CIFAR batch as a dict with str keys (the official files use bytes keys)."""
    try:
        with open(path, "rb") as f:
            raw = _BatchUnpickler(f, encoding="bytes").load()
    except FileNotFoundError:
        raise FileNotFoundError(f"CIFAR batch {path} is missing") from None
    except Exception as exc:
        raise ValueError(f"cannot read CIFAR batch {path}: {exc}") from None
    return {k.decode() if isinstance(k, bytes) else k: v for k, v in raw.items()}


def _images_labels(folder: Path, names: list[str], label_key: str):
    xs, ys = [], []
    for name in names:
        batch = read_batch(folder / name)
        data = np.asarray(batch["data"], dtype=np.uint8)
        if data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
            raise ValueError(f"CIFAR batch {folder / name} holds data of shape {data.shape}, "
                             "expected (N, 3072)")
        xs.append(data.reshape(-1, 3, 32, 32))
        ys.append(np.asarray(batch[label_key], dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ys)


def parse_batches(folder, which: str = "cifar10") -> dict:
    """uint8 (N, 3, 32, 32) images, int64 labels and class names from an extracted folder."""
    spec, folder = _spec(which), Path(folder)
    train_x, train_y = _images_labels(folder, spec["train"], spec["label_key"])
    test_x, test_y = _images_labels(folder, spec["test"], spec["label_key"])
    names = read_batch(folder / spec["meta"])[spec["names_key"]]
    classes = [n.decode() if isinstance(n, bytes) else str(n) for n in names]
    return {"train_x": train_x, "train_y": train_y, "test_x": test_x, "test_y": test_y,
            "classes": classes}


def load_cifar(which: str = "cifar10", data_root=None, *, download: bool = True,
               url: str | None = None, md5: str | None = None, progress: bool = True) -> dict:
    """Decoded CIFAR arrays from the cache, else from the extracted folder, else the archive."""
    spec = _spec(which)
    root = data_root_path(data_root)
    cache = root / f"{spec['folder']}.npz"
    arrays = load_arrays(cache, CACHE_KEYS) if cache.is_file() else None
    if arrays is not None:
        return dict(arrays, classes=[str(c) for c in arrays["classes"]])
    folder = root / spec["folder"]
    needed = spec["train"] + spec["test"] + [spec["meta"]]
    if not all((folder / n).is_file() for n in needed):
        archive = download_archive(which, root, url=url, md5=md5, download=download, progress=progress)
        tmp = root / f".{spec['folder']}.extracting"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            extract_archive(archive, tmp)
            if not (tmp / spec["folder"]).is_dir():
                raise ValueError(f"{archive} has no folder {spec['folder']}/ inside; is it the "
                                 f"official {which} python archive?")
            shutil.rmtree(folder, ignore_errors=True)
            os.replace(tmp / spec["folder"], folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    arrays = parse_batches(folder, which)
    save_arrays(arrays, cache)
    return arrays
