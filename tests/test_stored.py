"""A run's stored form (lt_causal.evaluation.stored): written once, read back equal, and a file that
unpickles safely but does not fit is refused with one error naming the file and the field — for a
run folder, for a results pack, and on the command line (one ``error:`` line, no traceback)."""
import pytest
import torch

import lt_causal as lc
from lt_causal import cli
from lt_causal.checkpoint import FEATURES, CheckpointError, load_checkpoint, save_checkpoint
from lt_causal.evaluation.loading import load_run
from lt_causal.evaluation.packs import read_pack, run_from_pack
from lt_causal.evaluation.stored import RUN_KEYS, stored_form
from test_hardening_runs import one_line_error
from test_table3 import cifar_like_run


@pytest.fixture
def folder(tmp_path):
    run = cifar_like_run(100, "deconfound", 0)
    run.save(tmp_path / "run")
    return tmp_path / "run"


def spoil(folder, key, value):
    blob = load_checkpoint(folder / FEATURES)
    blob[key] = value(blob[key]) if callable(value) else value
    save_checkpoint(blob, folder / FEATURES)


def test_the_stored_form_is_written_once_and_read_back_equal(folder):
    run, again = cifar_like_run(100, "deconfound", 0), load_run(folder)
    assert set(stored_form(run)) == set(RUN_KEYS) == set(load_checkpoint(folder / FEATURES))
    assert torch.equal(again.test_features, run.test_features) and torch.equal(again.test_labels, run.test_labels)
    assert again.classes == list(run.classes) and again.train_counts == list(run.train_counts)
    assert again.evaluate(1.0) == run.evaluate(1.0)


BAD = [
    ("test_features", lambda f: f[:, :3], "direction has 16 values for features of size 3"),
    ("test_features", lambda f: f[0], "test_features is (16,), expected a 2-D tensor"),
    ("test_features", lambda f: f.masked_fill(torch.zeros_like(f, dtype=torch.bool).index_fill_(0, torch.tensor([3]), True),
                                            float("nan")), "test_features holds non-finite values"),
    ("test_labels", lambda y: y[:-1], "test_labels has 199 labels for 200 test features"),
    ("test_labels", lambda y: y.index_fill(0, torch.tensor([5]), 12), "test_labels holds label 12 outside the 10 classes"),
    ("test_labels", lambda y: y.float(), "test_labels has dtype torch.float32, expected integers"),
    ("classes", lambda c: c[:9], "train_counts has 10 entries for 9 classes"),
    ("train_counts", lambda n: n[:-1], "train_counts has 9 entries for 10 classes"),
    ("train_counts", lambda n: [-1, *n[1:]], "train_counts holds a value that is not a count"),
    ("direction", lambda d: torch.zeros_like(d), "direction is zero"),
    ("direction", lambda d: d[:8], "direction has 8 values for features of size 16"),
    ("head_kind", "capsule-of-doom", "head_kind/head_hparams do not build a classifier"),
    ("head", lambda h: {k: v[:, :4] for k, v in h.items()}, "head.weight is (10, 4), expected (10, 16)"),
    ("head", lambda h: {k: v * float("inf") for k, v in h.items()}, "head.weight holds non-finite values"),
]


@pytest.mark.parametrize("key, value, said", BAD, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(BAD)])
def test_a_run_folder_that_does_not_fit_is_refused_naming_file_and_field(folder, key, value, said):
    spoil(folder, key, value)
    with pytest.raises(CheckpointError) as error:
        load_run(folder)
    message = str(error.value)
    assert str(folder / FEATURES) in message and said in message and "\n" not in message


def test_a_pack_that_does_not_fit_is_refused_naming_the_field():
    blob = read_pack("cifar10-lt-r50-deconfound-s0")
    blob["direction"] = torch.zeros_like(blob["direction"])
    with pytest.raises(CheckpointError, match=r"pack 'cifar10-lt-r50-deconfound-s0': direction is zero"):
        run_from_pack(blob)
    blob = read_pack("cifar10-lt-r50-deconfound-s0")
    blob["test_labels"] = blob["test_labels"][:10]
    with pytest.raises(CheckpointError, match=r"test_labels has 10 labels for 10000 test features"):
        run_from_pack(blob)


def test_the_command_line_says_it_in_one_line(folder, capsys):
    spoil(folder, "test_labels", lambda y: y.index_fill(0, torch.tensor([0]), 99))
    assert cli.main(["evaluate", str(folder), "--alpha", "0"]) == 2
    line = one_line_error(capsys)
    assert "test_labels holds label 99 outside the 10 classes" in line and str(folder) in line


def test_the_shipped_packs_pass_the_check():
    for name in lc.list_pretrained()["name"]:
        assert load_run(f"pretrained:{name}").test_features.shape[0] == 10000


def test_a_packs_summary_is_read_once_and_has_no_tensors(monkeypatch):
    """The run picker and list_pretrained name every shipped run from a summary read once per file."""
    from lt_causal.evaluation import packs

    packs._summary.cache_clear()
    reads = []
    real = packs.read_pack
    monkeypatch.setattr(packs, "read_pack", lambda name: reads.append(name) or real(name))
    for _ in range(3):
        lc.list_pretrained()
    assert len(reads) == len(packs.pretrained_names())
    summary = packs.pack_summary("cifar10-lt-r100-deconfound")
    assert summary["cell"]["method"] == "deconfound" and summary["backbone"] is True
    assert not any(isinstance(v, torch.Tensor) for v in summary.values())
