"""Data sets: embedded mnist-lt, image-folder trees (decode, cache, errors), dataset_info."""
import os
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from lt_causal.datasets import image_folder
from lt_causal.datasets.registry import (CIFAR10_CLASSES, CIFAR100_CLASSES, DATASETS, LTDataset, channel_stats,
                                dataset_info, load_dataset)
from lt_causal.datasets.profiles import long_tail_counts

# Optional data: the 60,000 CIFAR-10 images as a JPEG tree (train/<class>/*.jpg, test/<class>/*.jpg),
# found at $LT_CAUSAL_CIFAR10_FOLDER (default: shared/data/cifar10-jpeg beside this checkout).
CIFAR10_JPEG = Path(os.environ.get("LT_CAUSAL_CIFAR10_FOLDER")
                    or Path(__file__).resolve().parents[2] / "shared" / "data" / "cifar10-jpeg")
CIFAR10_JPEG_MISSING = ("optional data missing: the CIFAR-10 images as a JPEG tree (train/<class>/*.jpg, "
                        "test/<class>/*.jpg); set LT_CAUSAL_CIFAR10_FOLDER to that folder to run this test")


@pytest.fixture(scope="module")
def mnist():
    return load_dataset("mnist-lt", imbalance=100, seed=0)


def test_mnist_lt_shapes_and_counts(mnist):
    assert isinstance(mnist, LTDataset) and mnist.name == "mnist-lt"
    assert mnist.train_x.dtype == torch.uint8 and mnist.train_x.shape[1:] == (1, 28, 28)
    assert mnist.train_y.dtype == torch.int64 and mnist.test_y.dtype == torch.int64
    assert mnist.train_counts == long_tail_counts(10, 400, 100) == [400, 239, 143, 86, 51, 30, 18, 11, 6, 4]
    assert torch.bincount(mnist.train_y).tolist() == mnist.train_counts
    assert mnist.test_x.shape == (1000, 1, 28, 28)
    assert torch.bincount(mnist.test_y).tolist() == [100] * 10
    assert mnist.classes == [str(d) for d in range(10)]
    assert 0.1 < mnist.mean[0] < 0.2 and 0.25 < mnist.std[0] < 0.4
    assert mnist.train_x.max() > 200  # real 0..255 digits, not 0..1


def test_mnist_lt_split_fixed_and_train_seeded(mnist):
    other = load_dataset("mnist-lt", imbalance=100, seed=1)
    assert torch.equal(other.test_x, mnist.test_x) and torch.equal(other.test_y, mnist.test_y)
    assert not torch.equal(other.train_x, mnist.train_x)
    again = load_dataset("mnist-lt", imbalance=100, seed=0)
    assert torch.equal(again.train_x, mnist.train_x) and torch.equal(again.train_y, mnist.train_y)
    train_rows = {bytes(r) for r in mnist.train_x.flatten(1).numpy()}
    assert not any(bytes(r) in train_rows for r in mnist.test_x.flatten(1).numpy())   # disjoint
    balanced = load_dataset("mnist-lt", imbalance=1, profile="step")
    assert balanced.train_counts == [400] * 10


def test_repr_and_to(mnist):
    text = repr(mnist)
    for part in ("mnist-lt", "10 classes", "1x28x28", "train 988", "head 400", "tail 4", "test 1000"):
        assert part in text
    moved = mnist.to("cpu")
    assert moved is not mnist and torch.equal(moved.train_x, mnist.train_x)
    assert moved.train_counts == mnist.train_counts


def test_channel_stats_matches_torch():
    x = torch.randint(0, 256, (20, 3, 5, 4), dtype=torch.uint8)
    mean, std = channel_stats(x)
    f = x.double() / 255
    torch.testing.assert_close(torch.tensor(mean, dtype=torch.float64), f.mean((0, 2, 3)))
    torch.testing.assert_close(torch.tensor(std, dtype=torch.float64), f.std((0, 2, 3), unbiased=False))


@pytest.mark.parametrize("kwargs,match", [
    (dict(name="inaturalist"), "'inaturalist'; choose one of mnist-lt, cifar10-lt, cifar100-lt, folder, "
                               "imagenet-lt, places-lt"),
    (dict(name="imagenet-lt"), "needs root=<image root>"),
    (dict(name="mnist-lt", imbalance=0.5), "imbalance .* 0.5"),
    (dict(name="cifar10-lt", imbalance=float("nan")), "imbalance .* nan"),
    (dict(name="mnist-lt", profile="linear"), "'linear'"),
    (dict(name="folder"), "needs root"),
])
def test_bad_arguments_raise_one_value_error(kwargs, match, tmp_path):
    name = kwargs.pop("name")
    with pytest.raises(ValueError, match=match):
        load_dataset(name, data_root=tmp_path, download=False, **kwargs)


# ---------- image folders ----------

def write_tree(root: Path, train=(6, 8, 5), test=(2, 2, 2), size=(8, 6)):
    """Classes a, b, c; pixel (0, 0) of image k of class c is (c, k, 9); PNGs in several modes."""
    for split, counts in (("train", train), ("test", test)):
        for c, n in enumerate(counts):
            folder = root / split / "abc"[c]
            folder.mkdir(parents=True, exist_ok=True)
            for k in range(n):
                arr = np.full((size[1], size[0], 3), 200, dtype=np.uint8)
                arr[0, 0] = (c, k, 9)
                img = Image.fromarray(arr)
                if k == 1:
                    img = img.convert("RGBA")      # converted back to RGB by the loader
                img.save(folder / f"{k:03d}.png")
            (folder / "notes.txt").write_text("not an image")   # ignored: not an image extension
            (folder / ".hidden.png").write_bytes(b"junk")       # ignored: hidden
    return root


def test_folder_decodes_labels_and_shapes(tmp_path):
    root = write_tree(tmp_path / "tree")
    arrays = image_folder.load_image_folder(root, data_root=tmp_path / "cache", progress=False)
    assert arrays["classes"] == ["a", "b", "c"]
    assert arrays["train_x"].shape == (19, 3, 6, 8) and arrays["train_x"].dtype == np.uint8
    assert arrays["train_y"].tolist() == [0] * 6 + [1] * 8 + [2] * 5
    assert (arrays["train_x"][:, 0, 0, 0] == arrays["train_y"]).all()
    assert (arrays["train_x"][:, 2, 0, 0] == 9).all() and (arrays["test_x"][:, :, 1, 1] == 200).all()


def test_folder_long_tail_and_own_counts(tmp_path):
    root = write_tree(tmp_path / "tree")
    data = load_dataset("folder", root=root, imbalance=5, seed=0, data_root=tmp_path / "cache", progress=False)
    assert data.train_counts == long_tail_counts(3, 5, 5) == [5, 2, 1]           # n_max = smallest class
    assert torch.bincount(data.train_y).tolist() == [5, 2, 1]
    assert (data.train_x[:, 0, 0, 0] == data.train_y).all()
    assert data.test_x.shape == (6, 3, 6, 8) and len(data.mean) == 3
    own = load_dataset("folder", root=root, imbalance=None, data_root=tmp_path / "cache", progress=False)
    assert own.classes == ["b", "a", "c"] and own.train_counts == [8, 6, 5]     # head first
    assert (own.train_x[:, 0, 0, 0] == torch.tensor([1, 0, 2])[own.train_y]).all()
    assert torch.bincount(own.test_y).tolist() == [2, 2, 2]
    info = dataset_info("folder", 5, root=root)
    assert info.train_counts == [5, 2, 1] and info.test_counts == [2, 2, 2]


def test_folder_cache_hit_and_invalidation(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "tree")
    cache = tmp_path / "cache"
    first = image_folder.load_image_folder(root, data_root=cache, progress=False)
    assert len(list((cache / "folder-cache").glob("*.npz"))) == 1

    def no_decode(path):
        raise AssertionError(f"decoded {path} despite the cache")

    monkeypatch.setattr(image_folder, "_decode", no_decode)
    second = image_folder.load_image_folder(root, data_root=cache, progress=False)
    for k in ("train_x", "train_y", "test_x", "test_y"):
        assert np.array_equal(first[k], second[k])
    monkeypatch.undo()
    Image.new("RGB", (8, 6)).save(root / "train" / "a" / "999.png")   # the tree changed: decode again
    third = image_folder.load_image_folder(root, data_root=cache, progress=False)
    assert len(third["train_y"]) == 20 and len(list((cache / "folder-cache").glob("*.npz"))) == 2


def test_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "missing")):
        load_dataset("folder", root=tmp_path / "missing", data_root=tmp_path)
    root = write_tree(tmp_path / "tree")
    kw = dict(data_root=tmp_path / "cache", progress=False)

    (root / "test" / "c").rename(root / "test" / "d")
    with pytest.raises(ValueError, match=r"only in train \['c'\], only in test \['d'\]"):
        image_folder.load_image_folder(root, **kw)
    (root / "test" / "d").rename(root / "test" / "c")

    Image.new("RGB", (9, 6)).save(root / "train" / "b" / "odd.png")
    with pytest.raises(ValueError, match=r"odd.png is 9x6, but the first image is 8x6"):
        image_folder.load_image_folder(root, **kw)
    (root / "train" / "b" / "odd.png").unlink()

    (root / "test" / "a" / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(ValueError, match="cannot read image .*broken.png"):
        image_folder.load_image_folder(root, **kw)
    (root / "test" / "a" / "broken.png").unlink()

    (root / "train" / "empty").mkdir()
    (root / "test" / "empty").mkdir()
    with pytest.raises(ValueError, match="empty holds no images"):
        image_folder.load_image_folder(root, **kw)

    (tmp_path / "t2" / "train" / "a").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="t2 has no test/ sub-folder"):
        load_dataset("folder", root=tmp_path / "t2", **kw)


# ---------- dataset_info (no download) ----------

def test_dataset_info_without_download(monkeypatch):
    import urllib.request

    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: pytest.fail("tried to download"))
    c10 = dataset_info("cifar10-lt", 100)
    assert c10.train_counts == [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]
    assert c10.classes == CIFAR10_CLASSES and sum(c10.test_counts) == 10000
    c100 = dataset_info("cifar100-lt", 100)
    assert sum(c100.train_counts) == 10847 and len(c100.classes) == 100
    assert c100.classes[:3] == ["apple", "aquarium_fish", "baby"] and c100.classes[-1] == "worm"
    assert CIFAR100_CLASSES == sorted(CIFAR100_CLASSES)      # the official fine labels are alphabetical
    assert dataset_info("mnist-lt", 100, "step").train_counts == [400] * 5 + [4] * 5
    assert set(DATASETS) == {"mnist-lt", "cifar10-lt", "cifar100-lt", "folder", "imagenet-lt", "places-lt"}
    with pytest.raises(ValueError, match="'svhn'"):
        dataset_info("svhn")


@pytest.mark.slow
@pytest.mark.skipif(not CIFAR10_JPEG.is_dir(), reason=CIFAR10_JPEG_MISSING)
def test_cifar10_jpeg_folder(tmp_path):
    data = load_dataset("folder", root=CIFAR10_JPEG, imbalance=100, data_root=tmp_path, progress=False)
    assert data.classes == CIFAR10_CLASSES
    assert data.train_counts == [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]
    assert torch.bincount(data.train_y).tolist() == data.train_counts
    assert data.test_x.shape == (10000, 3, 32, 32) and torch.bincount(data.test_y).tolist() == [1000] * 10
    assert data.train_x.shape == (12406, 3, 32, 32) and data.train_x.dtype == torch.uint8
