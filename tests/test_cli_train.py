"""`python -m lt_causal train / evaluate`: a tiny run end to end and one clear error per bad argument."""
import json
import subprocess
import sys

import pytest

from lt_causal.cli import main
from lt_causal.evaluation.loading import load_run


def cli(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "lt_causal", *args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "mnist-dc"
    proc = cli("train", "--dataset", "mnist-lt", "--method", "deconfound", "--epochs", "2", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "run written to" in proc.stdout and "few" in proc.stdout
    return out


def test_evaluate_json_matches_library(tiny_run):
    proc = cli("evaluate", str(tiny_run), "--alpha", "0", "1.5", "--json")
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    run = load_run(tiny_run)
    assert set(got) == {"0.0", "1.5"}
    assert got["1.5"] == pytest.approx(run.evaluate(1.5))
    assert set(got["0.0"]) == {"overall", "many", "medium", "few"}


def test_evaluate_table(tiny_run):
    proc = cli("evaluate", str(tiny_run), "--alpha", "0", "0.5", "1")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[1].split() == ["alpha", "overall", "many", "medium", "few"]
    assert [l.split()[0] for l in lines[2:5]] == ["0", "0.5", "1"]
    assert "suggested alpha" in proc.stdout


@pytest.mark.parametrize("argv,message", [
    (["train", "--imbalance", "0.5", "--epochs", "1"], "imbalance"),
    (["train", "--dataset", "folder", "--folder", "/no/such/dir", "--epochs", "1"], "/no/such/dir"),
    (["train", "--dataset", "folder", "--epochs", "1"], "--folder"),
    (["evaluate", "/no/such/run"], "/no/such/run"),
])
def test_bad_arguments_give_one_clear_error(argv, message, capsys, tmp_path):
    if argv[0] == "train":
        argv = argv + ["--out", str(tmp_path / "r")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert len(err.splitlines()) == 1


def test_unknown_dataset_and_bad_alpha(tiny_run):
    proc = cli("train", "--dataset", "inaturalist-2018")
    assert proc.returncode == 2 and "invalid choice: 'inaturalist-2018'" in proc.stderr
    proc = cli("evaluate", str(tiny_run), "--alpha", "one")
    assert proc.returncode == 2 and "alpha must be a number, got 'one'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_train_options_are_generated_from_the_config_fields():
    """Each option named after a TrainConfig field carries that field's help text and sets it."""
    import dataclasses

    from lt_causal.cli import build_parser
    from lt_causal.commands._common import RECIPE_FIELDS
    from lt_causal.commands.train import TRAIN_FIELDS, config_from_args
    from lt_causal.training.config import TrainConfig, field_help

    train = next(a for a in build_parser()._subparsers._group_actions[0].choices.values()
                 if a.prog.endswith(" train"))
    by_dest = {a.dest: a for a in train._actions}
    for name in (*TRAIN_FIELDS, *RECIPE_FIELDS):
        assert by_dest[name].help.startswith(field_help(name)), name
    types = {f.name: f.type for f in dataclasses.fields(TrainConfig)}
    args = train.parse_args(["--dataset", "mnist-lt", "--weight-decay", "0.001", "--momentum", "0.5",
                             "--checkpoint-every", "3", "--schedule", "cosine", "--fast", "--out", "somewhere"])
    config = config_from_args(args)
    assert (config.weight_decay, config.momentum, config.checkpoint_every, config.schedule, config.fast) == \
        (0.001, 0.5, 3, "cosine", True) and types["checkpoint_every"] == "int"
