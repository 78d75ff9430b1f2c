"""Split-list data sets (ImageNet-LT, Places-LT): the parser, the miniature tree, the loader, the
one-line errors and ``info`` (on trees and split files the tests write)."""
import re
from collections import Counter

import numpy as np
import pytest
import torch

from lt_causal.cli import main
from lt_causal.datasets.miniature import make_miniature_tree
from lt_causal.datasets.profiles import long_tail_counts
from lt_causal.datasets.registry import dataset_info, load_dataset
from lt_causal.datasets.split_list import (SplitListData, check_images, class_name, load_split_lists, make_loader,
                                           require_images)


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    """A 12-class miniature ImageNet-LT whose split files sit in their own folder."""
    base = tmp_path_factory.mktemp("mini")
    make_miniature_tree(base / "images", classes=12, n_max=40, imbalance=10, splits=base / "splits")
    return base


def read_split(path):
    return [(line.split()[0], int(line.split()[1])) for line in path.read_text().splitlines() if line.strip()]


def run_info(argv):
    """``python -m lt_causal info ...`` through the real entry point (exit 2 on bad input)."""
    return main(["info", *argv])


def test_miniature_tree_loads_with_its_counts(mini):
    data = load_split_lists("imagenet-lt", mini / "images", mini / "splits")
    assert isinstance(data, SplitListData) and data.num_classes == 12
    lines = {s: read_split(mini / "splits" / f"ImageNet_LT_{s}.txt") for s in ("train", "val", "test")}
    assert data.train == lines["train"] and data.val == lines["val"] and data.test == lines["test"]
    per_label = Counter(y for _, y in lines["train"])
    assert data.train_counts == [per_label[c] for c in range(12)]
    assert sorted(data.train_counts, reverse=True) == long_tail_counts(12, 40, 10)
    assert data.train_counts != sorted(data.train_counts, reverse=True)     # labels are not head first
    assert data.classes[0] == lines["train"][0][0].split("/")[1] and len(set(data.classes)) == 12
    assert all(p.startswith("val/ILSVRC2012_val_") for p, _ in data.test)    # the flat public test layout
    assert not set(data.train) & set(data.val)
    assert data.counts("val") == [4] * 12 and data.labels("test").tolist() == [y for _, y in lines["test"]]
    assert check_images(data) == []
    assert (data.mean, data.std, data.image_size, data.resize) == ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225),
                                                                    224, 256)


def test_registry_and_dataset_info(mini):
    data = load_dataset("imagenet-lt", root=mini / "images", splits=mini / "splits")
    assert isinstance(data, SplitListData)
    got = dataset_info("imagenet-lt", root=mini / "images", splits=mini / "splits")
    assert got.train_counts == data.train_counts and got.classes == data.classes
    assert got.test_counts == [6] * 12 and got.val_counts == [4] * 12


def test_places_layout_and_class_names(tmp_path):
    make_miniature_tree(tmp_path, name="places-lt", classes=8, n_max=12, imbalance=4)
    data = load_split_lists("places-lt", tmp_path)
    assert data.classes[:2] == ["airfield", "alley"] and "bakery/shop" in data.classes
    assert data.train[0][0].startswith("data_256/a/airfield/")
    assert data.test[0][0].startswith("val_256/Places365_val_")
    assert class_name("train/n01440764/n01440764_10026.JPEG") == "n01440764"
    assert class_name("data_256/a/apartment_building/outdoor/00000001.jpg") == "apartment_building/outdoor"


def test_loader_batches_and_reproducible_augmentation(mini):
    data = load_split_lists("imagenet-lt", mini / "images", mini / "splits")
    data.image_size, data.resize = 32, 36            # small crops keep the test fast

    def first_batch(seed, workers):
        return next(iter(make_loader(data, "train", 8, workers=workers, train=True, seed=seed)))

    x, y = first_batch(0, 2)
    assert x.dtype == torch.uint8 and x.shape == (8, 3, 32, 32) and y.dtype == torch.int64
    x2, y2 = first_batch(0, 2)
    assert torch.equal(x, x2) and torch.equal(y, y2)
    x3, _ = first_batch(1, 2)
    assert not torch.equal(x, x3)
    xt, yt = next(iter(make_loader(data, "test", 5, workers=0, train=False)))
    assert xt.shape == (5, 3, 32, 32) and yt.tolist() == [y for _, y in data.test[:5]]
    xt2, _ = next(iter(make_loader(data, "test", 5, workers=0, train=False, seed=7)))
    assert torch.equal(xt, xt2)                      # the test transform draws nothing


def test_missing_images_all_listed_at_once(tmp_path):
    make_miniature_tree(tmp_path, classes=4, n_max=6, imbalance=2, val_per_class=1, test_per_class=1)
    data = load_split_lists("imagenet-lt", tmp_path)
    gone = [data.train[0][0], data.train[-1][0], data.test[2][0]]
    for rel in gone:
        (tmp_path / rel).unlink()
    assert check_images(data, "train") == [str(tmp_path / gone[0]), str(tmp_path / gone[1])]
    assert check_images(data) == [str(tmp_path / p) for p in gone]
    with pytest.raises(FileNotFoundError, match="3 images of imagenet-lt are missing") as err:
        require_images(data)
    assert str(tmp_path / gone[2]) in str(err.value) and "--check-images" in str(err.value)
    for workers in (0, 2):
        loader = make_loader(data, "train", 2, workers=workers, train=True)
        either = "|".join(re.escape(str(tmp_path / p)) for p in gone[:2])     # the shuffle decides which
        with pytest.raises(FileNotFoundError, match=f"^image ({either}) is missing$"):
            for _ in loader:
                pass


def test_info_check_images_exit_code(tmp_path, capsys):
    make_miniature_tree(tmp_path, classes=3, n_max=5, imbalance=2, val_per_class=1, test_per_class=1)
    listed = sum(len(read_split(tmp_path / f"ImageNet_LT_{s}.txt")) for s in ("train", "val", "test"))
    assert run_info(["--dataset", "imagenet-lt", "--folder", str(tmp_path), "--check-images"]) == 0
    assert f"all {listed} listed images are present" in capsys.readouterr().out
    rel = read_split(tmp_path / "ImageNet_LT_val.txt")[1][0]
    (tmp_path / rel).unlink()
    assert run_info(["--dataset", "imagenet-lt", "--folder", str(tmp_path), "--check-images"]) == 1
    out = capsys.readouterr().out
    assert f"missing (val): {tmp_path / rel}" in out and f"1 of {listed} listed images are missing" in out


def test_info_on_the_miniature_tree(tmp_path, capsys):
    make_miniature_tree(tmp_path, classes=12, n_max=150, imbalance=30, size=(16, 12))
    assert run_info(["--dataset", "imagenet-lt", "--folder", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    counts = Counter(y for _, y in read_split(tmp_path / "ImageNet_LT_train.txt"))
    n = sorted(counts.values(), reverse=True)
    many = sum(c > 100 for c in n)
    few = sum(c < 20 for c in n)
    assert f"many {many} " in out and f"medium {12 - many - few} " in out and f"few {few} " in out
    assert many and few and 12 - many - few                      # the tree has all three groups
    assert f"total: {sum(n)} train, 48 val, 72 test images; 12 classes, train {n[0]} ... {n[-1]} per class" in out
    rows = [line.split() for line in out.splitlines()[2:14]]
    assert [int(r[2]) for r in rows] == n                        # head first
    assert {int(r[0]) for r in rows} == set(range(12))           # with each class's own label


def real_counts_profile():
    """1,000 per-class counts shaped like ImageNet-LT's train split: 1,280 ... 5, 115,846 images,
    385 classes over 100 images, 479 with 20-100, 136 under 20 (Liu et al. 2019)."""
    medium = np.linspace(100, 20, 479).round().astype(int)
    few = np.linspace(19, 5, 136).round().astype(int)
    many = np.full(385, 101)
    many[0] = 1280
    deficit = 115_846 - many.sum() - medium.sum() - few.sum()
    many[1:] += deficit // 384
    many[1:1 + deficit % 384] += 1
    return np.concatenate([many, medium, few])


def test_info_reads_a_split_file_at_the_real_scale(tmp_path, capsys):
    counts = real_counts_profile()
    labels = np.random.default_rng(0).permutation(1000)          # counts given to labels in any order
    train = [f"train/n{y:08d}/n{y:08d}_{k}.JPEG {y}" for y, n in zip(labels, counts) for k in range(n)]
    (tmp_path / "ImageNet_LT_train.txt").write_text("\n".join(train) + "\n")
    for split, per in (("val", 20), ("test", 50)):
        rows = [f"val/ILSVRC2012_val_{y * per + k:08d}.JPEG {y}" for y in range(1000) for k in range(per)]
        (tmp_path / f"ImageNet_LT_{split}.txt").write_text("\n".join(rows) + "\n")
    assert run_info(["--dataset", "imagenet-lt", "--folder", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "total: 115,846 train, 20,000 val, 50,000 test images; 1,000 classes, train 1,280 ... 5 per class" in out
    assert "many 385 " in out and "medium 479 " in out and "few 136 " in out


def write_splits(folder, train, val="train/n1/b.JPEG 0\n", test="val/c.JPEG 0\n", prefix="ImageNet_LT"):
    for split, text in (("train", train), ("val", val), ("test", test)):
        (folder / f"{prefix}_{split}.txt").write_text(text)


@pytest.mark.parametrize("train,val,message", [
    ("train/n1/a.JPEG 0\ntrain/n2/b.JPEG 1\ntrain/n2/c.JPEG one\n", None,
     ":3: malformed line 'train/n2/c.JPEG one'"),
    ("train/n1/a.JPEG 0\ntrain/n1/a b.JPEG 0\n", None, ":2: malformed line 'train/n1/a b.JPEG 0'"),
    ("train/n1/a.JPEG\n", None, ":1: malformed line 'train/n1/a.JPEG'"),
    ("train/n1/a.JPEG 0\n\ntrain/n2/b.JPEG 1000\n", None, ":3: label 1000 is out of range: 1000 classes"),
    ("train/n1/a.JPEG -1\n", None, ":1: label -1 is out of range"),
    ("train/n1/a.JPEG 0\ntrain/n2/b.JPEG 1\n", "train/n1/x.JPEG 0\ntrain/n1/y.JPEG 2\n",
     "ImageNet_LT_val.txt:2: label 2 is out of range: 2 classes in ImageNet_LT_train.txt"),
    ("train/n1/a.JPEG 0\ntrain/n3/b.JPEG 2\n", None, "has no image of class 1"),
])
def test_malformed_split_files_name_file_line_and_value(tmp_path, capsys, train, val, message):
    write_splits(tmp_path, train, *([val] if val else []))
    with pytest.raises(ValueError, match="^[^\n]*$") as err:
        load_split_lists("imagenet-lt", tmp_path)
    assert message in str(err.value)
    bad_file = "ImageNet_LT_val.txt" if val else "ImageNet_LT_train.txt"
    assert str(tmp_path / bad_file) in str(err.value)
    assert run_info(["--dataset", "imagenet-lt", "--folder", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("name,prefix,source", [("imagenet-lt", "ImageNet_LT", "image-net.org"),
                                                ("places-lt", "Places_LT", "places2.csail.mit.edu")])
def test_missing_split_file_says_where_to_get_it(tmp_path, name, prefix, source):
    write_splits(tmp_path, "train/n1/a.JPEG 0\n", prefix=prefix)
    (tmp_path / f"{prefix}_val.txt").unlink()
    with pytest.raises(FileNotFoundError) as err:
        load_split_lists(name, tmp_path, tmp_path)
    text = str(err.value)
    assert len(text.splitlines()) == 1 and str(tmp_path / f"{prefix}_val.txt") in text
    assert "OpenLongTailRecognition-OLTR" in text and source in text


def test_missing_root_and_folder_option(tmp_path, capsys):
    with pytest.raises(FileNotFoundError, match=f"image root {tmp_path / 'nope'} does not exist"):
        load_split_lists("imagenet-lt", tmp_path / "nope")
    assert run_info(["--dataset", "places-lt"]) == 2
    assert "--dataset places-lt needs --folder ROOT" in capsys.readouterr().err
    assert run_info(["--dataset", "cifar10-lt", "--check-images"]) == 2
