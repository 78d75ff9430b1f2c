"""The official-CIFAR path offline: a tiny archive in the official format, "downloaded" via file://."""
import hashlib
import io
import pickle
import tarfile

import numpy as np
import pytest

from lt_causal.checks import DataUnavailable
import torch

from lt_causal.datasets import cifar as cd
from lt_causal.datasets.registry import CIFAR10_CLASSES, CIFAR100_CLASSES, CIFAR_MEAN, load_dataset

TRAIN_PER_CLASS, TEST_PER_CLASS = 10, 3


def _pickle(obj) -> bytes:
    """Protocol 2 with the numpy module path of the original Python 2 pickles."""
    return pickle.dumps(obj, protocol=2).replace(b"numpy._core.multiarray", b"numpy.core.multiarray")


def _batch(labels, label_key: bytes) -> dict:
    """Image i is flat R/G/B planes filled with (label, i % 256, 7) so the parse can be checked."""
    data = np.empty((len(labels), 3, 1024), dtype=np.uint8)
    data[:, 0] = np.asarray(labels)[:, None]
    data[:, 1] = (np.arange(len(labels)) % 256)[:, None]
    data[:, 2] = 7
    return {b"batch_label": b"tiny", label_key: list(map(int, labels)), b"data": data.reshape(len(labels), 3072),
            b"filenames": [b"x.png"] * len(labels)}


def build_archive(path, which="cifar10", members=None):
    """A tar.gz laid out like the official archive, with TRAIN_PER_CLASS/TEST_PER_CLASS images a class."""
    spec = cd.ARCHIVES[which]
    classes = CIFAR10_CLASSES if which == "cifar10" else CIFAR100_CLASSES
    C = len(classes)
    key = spec["label_key"].encode()
    train = np.tile(np.arange(C), TRAIN_PER_CLASS)
    parts = np.array_split(train, len(spec["train"]))
    files = {name: _pickle(_batch(part, key)) for name, part in zip(spec["train"], parts)}
    files[spec["test"][0]] = _pickle(_batch(np.tile(np.arange(C), TEST_PER_CLASS), key))
    files[spec["meta"]] = _pickle({spec["names_key"].encode(): [c.encode() for c in classes]})
    if members is not None:
        files = members
    with tarfile.open(path, "w:gz") as tar:
        for name, blob in files.items():
            info = tarfile.TarInfo(name if members is not None else f"{spec['folder']}/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture
def archive(tmp_path):
    src = tmp_path / "server" / "cifar-10-python.tar.gz"
    src.parent.mkdir()
    md5 = build_archive(src)
    return src, md5


def test_download_extract_parse_and_cache(tmp_path, archive):
    src, md5 = archive
    root = tmp_path / "data"
    arrays = cd.load_cifar("cifar10", root, url=src.as_uri(), md5=md5, progress=False)
    assert arrays["train_x"].shape == (10 * TRAIN_PER_CLASS, 3, 32, 32) and arrays["train_x"].dtype == np.uint8
    assert arrays["test_x"].shape == (10 * TEST_PER_CLASS, 3, 32, 32)
    assert arrays["train_y"].dtype == np.int64 and arrays["classes"] == CIFAR10_CLASSES
    assert np.bincount(arrays["train_y"]).tolist() == [TRAIN_PER_CLASS] * 10
    x, y = arrays["train_x"], arrays["train_y"]
    assert (x[:, 0] == y[:, None, None]).all() and (x[:, 2] == 7).all()   # R plane = label, B plane = 7
    assert (root / "cifar-10-python.tar.gz").is_file() and not list(root.glob("*.part"))
    assert (root / "cifar-10-batches-py" / "data_batch_5").is_file()
    assert (root / "cifar-10-batches-py.npz").is_file()
    # the cache alone serves the next load: archive and extracted batches gone, download forbidden
    (root / "cifar-10-python.tar.gz").unlink()
    for f in (root / "cifar-10-batches-py").iterdir():
        f.unlink()
    again = cd.load_cifar("cifar10", root, download=False)
    for k in ("train_x", "train_y", "test_x", "test_y"):
        assert np.array_equal(again[k], arrays[k])
    assert again["classes"] == CIFAR10_CLASSES


def test_cifar100_format(tmp_path):
    src = tmp_path / "cifar-100-python.tar.gz"
    md5 = build_archive(src, "cifar100")
    arrays = cd.load_cifar("cifar100", tmp_path / "data", url=src.as_uri(), md5=md5, progress=False)
    assert arrays["classes"] == CIFAR100_CLASSES
    assert np.bincount(arrays["test_y"]).tolist() == [TEST_PER_CLASS] * 100
    assert (arrays["test_x"][:, 0] == arrays["test_y"][:, None, None]).all()


def test_load_dataset_through_the_registry(tmp_path, archive, monkeypatch):
    src, md5 = archive
    monkeypatch.setitem(cd.ARCHIVES, "cifar10", dict(cd.ARCHIVES["cifar10"], url=src.as_uri(), md5=md5))
    data = load_dataset("cifar10-lt", imbalance=10, seed=1, data_root=tmp_path / "data", progress=False)
    assert data.train_counts == [10, 7, 5, 4, 3, 2, 2, 1, 1, 1]
    assert torch.bincount(data.train_y).tolist() == data.train_counts
    assert torch.bincount(data.test_y).tolist() == [TEST_PER_CLASS] * 10     # full balanced test set
    assert data.mean == CIFAR_MEAN and data.classes == CIFAR10_CLASSES
    assert data.train_x.dtype == torch.uint8 and data.train_x.shape[1:] == (3, 32, 32)
    assert (data.train_x[:, 0, 0, 0] == data.train_y).all()                  # images stay with labels


@pytest.mark.parametrize("damage", ["corrupt", "truncated"])
def test_bad_download_is_refused_and_removed(tmp_path, archive, damage):
    src, md5 = archive
    blob = bytearray(src.read_bytes())
    if damage == "corrupt":
        blob[len(blob) // 2] ^= 0xFF
    else:
        blob = blob[: len(blob) // 2]
    bad = tmp_path / f"{damage}.tar.gz"
    bad.write_bytes(bytes(blob))
    root = tmp_path / "data"
    found = hashlib.md5(bytes(blob)).hexdigest()
    with pytest.raises(ValueError, match=f"cifar-10-python.tar.gz .*md5 {found} found, {md5} expected"):
        cd.load_cifar("cifar10", root, url=bad.as_uri(), md5=md5, progress=False)
    assert [p.name for p in root.iterdir()] == []          # no archive, no .part, no cache


def test_existing_corrupt_archive_is_not_used(tmp_path, archive):
    src, md5 = archive
    root = tmp_path / "data"
    root.mkdir()
    (root / "cifar-10-python.tar.gz").write_bytes(src.read_bytes()[:100])
    with pytest.raises(ValueError, match="corrupt or incomplete"):
        cd.load_cifar("cifar10", root, url=src.as_uri(), md5=md5, download=False)
    assert not (root / "cifar-10-python.tar.gz").exists()


def test_no_download_says_where_to_put_the_archive(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"put cifar-10-python.tar.gz .*kriz.* in .*nowhere"):
        cd.load_cifar("cifar10", tmp_path / "nowhere", download=False)
    with pytest.raises(FileNotFoundError, match="cifar-100-python.tar.gz"):
        load_dataset("cifar100-lt", data_root=tmp_path / "nowhere", download=False)


def test_unknown_archive_name():
    with pytest.raises(ValueError, match="'cifar1000'"):
        cd.load_cifar("cifar1000")


def test_unsafe_archives_are_refused(tmp_path):
    evil = tmp_path / "evil.tar.gz"
    md5 = build_archive(evil, members={"../escaped.txt": b"boo"})
    with pytest.raises(ValueError, match="cannot extract"):
        cd.load_cifar("cifar10", tmp_path / "data", url=evil.as_uri(), md5=md5, progress=False)
    assert not (tmp_path / "escaped.txt").exists()

    class Boom:
        def __reduce__(self):
            return (print, ("pwned",))

    folder = tmp_path / "batches"
    folder.mkdir()
    (folder / "data_batch_1").write_bytes(pickle.dumps({b"data": Boom()}, protocol=2))
    with pytest.raises(ValueError, match="print is not allowed in a CIFAR batch"):
        cd.read_batch(folder / "data_batch_1")


def test_unreachable_url_is_a_clear_error(tmp_path):
    missing = (tmp_path / "nothing-here.tar.gz").as_uri()
    with pytest.raises(DataUnavailable, match="cannot download .*nothing-here.tar.gz.*put cifar-10-python.tar.gz "):
        cd.load_cifar("cifar10", tmp_path / "data", url=missing, md5="0" * 32, progress=False)
    assert list((tmp_path / "data").iterdir()) == []


def test_an_offline_download_is_one_line_in_a_notebook(tmp_path):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    shell.user_ns.update(cd=cd, root=tmp_path / "data", url=(tmp_path / "none.tar.gz").as_uri())
    with capture_output() as out:
        shell.run_cell("cd.load_cifar('cifar10', root, url=url, md5='0' * 32, progress=False)")
    lines = [line for line in (out.stdout + out.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("DataUnavailable: cannot download") and "put cifar-10-python.tar.gz" in lines[0]
    assert str(tmp_path / "data") in lines[0]
