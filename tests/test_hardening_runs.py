"""Run folders: one writer per run folder (lt_causal.training.run_lock), bad configurations
refused before any work, a diverging training stopped, unreadable run files reported in one line,
and atomically written files with the same mode as the CSV beside them."""
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from lt_causal.checkpoint import CheckpointError, load_checkpoint, save_checkpoint, save_json
from lt_causal.cli import main
from lt_causal.training.config import recipe
from lt_causal.datasets.registry import load_dataset
from lt_causal.training.run_lock import LOCK_NAME, RunLockedError, run_lock
from lt_causal.evaluation.loading import load_run
from lt_causal.training.stages import decouple
from lt_causal.training.trainer import train

ROOT = Path(__file__).resolve().parents[1]


def one_line_error(capsys) -> str:
    """The one ``error:`` line on stderr (after any progress bar), no traceback."""
    err = capsys.readouterr().err.strip()
    lines = [line for line in err.splitlines() if "error" in line.lower()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and err.endswith(lines[0]), err
    assert "Traceback" not in err, err
    return lines[0]


@pytest.fixture(scope="module")
def mnist():
    return load_dataset("mnist-lt", imbalance=100, seed=0)


@pytest.fixture(scope="module")
def ce_run(tmp_path_factory, mnist):
    """A finished one-epoch cross-entropy run (checkpoint.pt, features.pt, ...)."""
    out = tmp_path_factory.mktemp("runs") / "ce"
    train(recipe("mnist-lt", method="ce", epochs=1, device="cpu", out=str(out)), data=mnist, progress=False)
    return out


def spawn_holder(out: Path, code: str) -> subprocess.Popen:
    """A Python process that runs ``code`` (which prints "ready" once it holds ``out``)."""
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, LT_CAUSAL_QUICK="1", OUT=str(out)))
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        pytest.fail(f"holder did not start: {line!r} {proc.stderr.read()}")
    return proc


# ---------------------------------------------------------------- one writer per run folder

TRAINER = """
    import os, time
    from pathlib import Path
    from lt_causal.training.config import recipe
    from lt_causal.training.trainer import train
    out = Path(os.environ["OUT"])

    def hold(info):   # after the first epoch: say so, then wait for the test's "go"
        if info["epoch"] == 1:
            print("ready", flush=True)
            for _ in range(1200):
                if (out.parent / "go").exists():
                    break
                time.sleep(0.1)

    train(recipe("mnist-lt", method="ce", epochs=2, seed=1, device="cpu", out=str(out)),
          callback=hold, progress=False)
"""


def test_a_second_train_into_a_folder_being_trained_fails_at_once(tmp_path, capsys):
    out = tmp_path / "run"
    holder = spawn_holder(out, TRAINER)
    try:
        t0 = time.perf_counter()
        rc = main(["train", "--dataset", "mnist-lt", "--method", "ce", "--epochs", "2", "--seed", "2",
                   "--device", "cpu", "--out", str(out)])
        seconds = time.perf_counter() - t0
        err = one_line_error(capsys)
        assert rc == 1 and seconds < 30
        assert f"run folder {out} is being written by another training" in err
        assert f"pid {holder.pid}" in err and "command: python -c" in err
        assert "choose another --out" in err
    finally:
        (tmp_path / "go").touch()
        assert holder.wait(timeout=600) == 0, holder.stderr.read()
    # the folder holds the first training only: seed 1 in config.json, and the lock is gone
    assert json.loads((out / "config.json").read_text())["seed"] == 1
    assert load_run(out).config["seed"] == 1 and not (out / LOCK_NAME).exists()


def test_a_lock_of_a_killed_process_is_taken_over(tmp_path, mnist):
    out = tmp_path / "run"
    holder = spawn_holder(out, """
        import os, time
        from lt_causal.training.run_lock import run_lock
        with run_lock(os.environ["OUT"], command="python -m lt_causal train --out killed"):
            print("ready", flush=True)
            time.sleep(600)
    """)
    with pytest.raises(RunLockedError, match=rf"pid {holder.pid} .*command: python -m lt_causal train --out killed"):
        with run_lock(out):
            pass
    holder.kill()   # SIGKILL: no clean-up; the lock file stays behind with the dead pid in it
    holder.wait()
    assert json.loads((out / LOCK_NAME).read_text())["pid"] == holder.pid
    run = train(recipe("mnist-lt", method="ce", epochs=1, device="cpu", out=str(out)), data=mnist, progress=False)
    assert run.path == out and not (out / LOCK_NAME).exists()


def test_a_stale_lock_file_is_taken_over(tmp_path, mnist):
    out = tmp_path / "run"
    out.mkdir()
    (out / LOCK_NAME).write_text(json.dumps({"pid": 2 ** 22 + 17, "host": "gone", "command": "python -m x"}))
    with run_lock(out) as path:
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert not (out / LOCK_NAME).exists()


def test_decouple_takes_the_lock_too(tmp_path, ce_run, mnist):
    out = tmp_path / "crt"
    holder = spawn_holder(out, """
        import os, time
        from lt_causal.training.run_lock import run_lock
        with run_lock(os.environ["OUT"]):
            print("ready", flush=True)
            time.sleep(600)
    """)
    try:
        with pytest.raises(RunLockedError, match=f"pid {holder.pid}"):
            decouple(ce_run, "tau-norm", out, data=mnist, progress=False)
    finally:
        holder.kill()
        holder.wait()
    assert not (out / "config.json").exists()
    assert decouple(ce_run, "tau-norm", out, data=mnist, progress=False).path == out


def test_out_pointing_at_an_existing_file(tmp_path, capsys):
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    assert main(["train", "--dataset", "mnist-lt", "--epochs", "1", "--out", str(target)]) == 2
    err = one_line_error(capsys)
    assert str(target) in err and "is an existing file, not a folder" in err
    assert target.read_text() == "mine"


# ---------------------------------------------------------------- bad configurations and divergence

@pytest.mark.parametrize("option,value", [("--alpha", "nan"), ("--alpha", "inf"), ("--lr", "inf"),
                                          ("--weight-decay", "inf"), ("--momentum", "nan"),
                                          ("--warmup-epochs", "inf")])
def test_non_finite_options_fail_before_any_work(tmp_path, capsys, option, value):
    out = tmp_path / "r"
    assert main(["train", "--dataset", "mnist-lt", "--epochs", "1", option, value, "--out", str(out)]) == 2
    err = one_line_error(capsys)
    field = option[2:].replace("-", "_")
    assert f"invalid TrainConfig.{field} = {value}" in err
    assert not out.exists()   # nothing trained, no config.json with NaN in it


def test_every_numeric_field_must_be_finite():
    for field in ("alpha", "tau", "gamma", "lr", "momentum", "weight_decay", "lr_decay", "mixup_alpha",
                  "retrain_lr", "posthoc_tau", "ldam_max_margin", "direction_mu", "drw_start"):
        with pytest.raises(ValueError, match=f"invalid TrainConfig.{field} = nan"):
            recipe("mnist-lt", **{field: float("nan")})
    with pytest.raises(ValueError, match=r"invalid TrainConfig.milestones"):
        recipe("mnist-lt", milestones=(0.5, float("inf")))
    assert recipe("mnist-lt", precision="fp32").precision == "fp32"   # the precision knob stays


def test_a_diverging_training_stops_with_the_epoch_and_what_to_lower(tmp_path, capsys):
    out = tmp_path / "r"
    rc = main(["train", "--dataset", "mnist-lt", "--method", "ce", "--epochs", "2", "--lr", "1e6",
               "--device", "cpu", "--out", str(out)])
    err = one_line_error(capsys)
    assert rc == 1 and "training diverged" in err and "in epoch 1" in err
    assert "--lr, now 1e+06" in err and "--weight-decay" in err
    assert not (out / "checkpoint.pt").exists() and not (out / "features.pt").exists()
    assert not (out / LOCK_NAME).exists()


# ---------------------------------------------------------------- unreadable or incomplete run files

class Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def damage(path: Path, how: str, tmp_path: Path) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "garbage":
        path.write_bytes(os.urandom(4096))
    elif how == "text":
        path.write_text("not a checkpoint\n")
    elif how == "malicious":
        torch.save({"model": Evil(str(tmp_path / "PWNED"))}, path)


@pytest.mark.parametrize("how", ["truncated", "empty", "garbage", "text", "malicious"])
def test_damaged_features_give_one_line_naming_the_file(tmp_path, ce_run, capsys, how):
    run = tmp_path / "run"
    shutil.copytree(ce_run, run)
    damage(run / "features.pt", how, tmp_path)
    assert main(["evaluate", str(run)]) == 2
    err = one_line_error(capsys)
    assert str(run / "features.pt") in err and "delete it and run the same train command again" in err
    assert "weights_only" not in err and "False" not in err
    assert not (tmp_path / "PWNED").exists()   # the pickle's code never ran


@pytest.mark.parametrize("how", ["truncated", "empty", "garbage", "malicious"])
def test_damaged_checkpoint_on_resume(tmp_path, ce_run, capsys, how):
    run = tmp_path / "run"
    shutil.copytree(ce_run, run)
    (run / "features.pt").unlink()
    damage(run / "checkpoint.pt", how, tmp_path)
    with pytest.raises(CheckpointError) as info:
        train(recipe("mnist-lt", method="ce", epochs=1, device="cpu", out=str(run)), progress=False)
    msg = str(info.value)
    assert str(run / "checkpoint.pt") in msg and "training restarts from epoch 0" in msg
    assert "weights_only" not in msg and len(msg.splitlines()) == 1
    assert not (tmp_path / "PWNED").exists() and not (run / LOCK_NAME).exists()


def test_missing_keys_name_the_file_and_the_key(tmp_path, ce_run, capsys):
    run = tmp_path / "run"
    shutil.copytree(ce_run, run)
    blob = load_checkpoint(run / "features.pt")
    del blob["direction"]
    save_checkpoint(blob, run / "features.pt")
    assert main(["evaluate", str(run)]) == 2
    err = one_line_error(capsys)
    assert f"{run / 'features.pt'} lacks 'direction'" in err

    ckpt = load_checkpoint(run / "checkpoint.pt")
    del ckpt["model"]
    save_checkpoint(ckpt, run / "checkpoint.pt")
    with pytest.raises(CheckpointError, match="checkpoint.pt lacks 'model'"):
        decouple(run, "tau-norm", tmp_path / "crt", progress=False)
    (run / "features.pt").unlink()
    with pytest.raises(CheckpointError, match="checkpoint.pt lacks 'model'"):
        train(recipe("mnist-lt", method="ce", epochs=1, device="cpu", out=str(run)), progress=False)


def test_a_checkpoint_must_be_a_dict(tmp_path):
    torch.save(torch.ones(2), tmp_path / "c.pt")
    with pytest.raises(CheckpointError, match=r"c.pt holds a Tensor, not a checkpoint dict"):
        load_checkpoint(tmp_path / "c.pt")


# ---------------------------------------------------------------- file modes

@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_atomic_files_get_the_mode_of_a_plain_open(tmp_path, umask):
    old = os.umask(umask)
    try:
        save_checkpoint({"a": 1}, tmp_path / "c.pt")
        save_json({"a": 1}, tmp_path / "m.json")
        with open(tmp_path / "history.csv", "w") as f:
            f.write("epoch\n1\n")
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert modes == {"c.pt": 0o666 & ~umask, "m.json": 0o666 & ~umask, "history.csv": 0o666 & ~umask}


def test_run_folder_files_share_one_mode(ce_run):
    modes = {p.name: p.stat().st_mode & 0o777 for p in ce_run.iterdir()}
    assert set(modes) == {"checkpoint.pt", "config.json", "features.pt", "history.csv", "metrics.json"}
    assert len(set(modes.values())) == 1, modes


SPOILED = [
    ("epoch", lambda c: 7, "epoch 7 is not within the schedule of 1 epochs"),
    ("history", lambda c: [], "history has 0 rows for 1 epochs"),
    ("order_rng", lambda c: torch.zeros(3, dtype=torch.uint8), "order_rng is not a state of a torch random generator"),
    ("model", lambda c: {k: (v[..., :1] if v.ndim > 1 else v) for k, v in c.items()}, "model does not fit this recipe's model"),
]


@pytest.mark.parametrize("key, spoil, said", SPOILED, ids=[k for k, _, _ in SPOILED])
def test_a_checkpoint_that_does_not_fit_is_refused_naming_the_entry(tmp_path, ce_run, key, spoil, said):
    """A checkpoint that unpickles safely but does not fit the recipe it resumes: one line, the file
    and the entry named, nothing of the run folder changed."""
    run = tmp_path / "run"
    shutil.copytree(ce_run, run)
    (run / "features.pt").unlink()
    ckpt = load_checkpoint(run / "checkpoint.pt")
    ckpt[key] = spoil(ckpt[key])
    save_checkpoint(ckpt, run / "checkpoint.pt")
    before = (run / "checkpoint.pt").read_bytes()
    with pytest.raises(CheckpointError) as info:
        train(recipe("mnist-lt", method="ce", epochs=1, device="cpu", out=str(run)), progress=False)
    msg = str(info.value)
    assert str(run / "checkpoint.pt") in msg and said in msg and len(msg.splitlines()) == 1
    assert (run / "checkpoint.pt").read_bytes() == before and not (run / LOCK_NAME).exists()
