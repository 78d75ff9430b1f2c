"""One writer per run folder.

A training (``lt_causal.training.trainer.train``) or a second stage (``decouple``) writing a run folder
holds ``<run folder>/.lock`` for as long as it writes::

    with run_lock("runs/mnist-dc"):
        ...   # write checkpoint.pt, features.pt, ... into runs/mnist-dc

A second writer into the same folder fails at once with one :class:`RunLockedError` line naming
the process that holds it (pid, host, command). The lock is an exclusive ``fcntl.flock`` on the
file, which the operating system releases when its process ends however it ends (SIGKILL
included), so a lock file left by a dead process is simply taken over. The file holds the
holder's pid, host and command (JSON) for that message and is removed when the writer finishes.

``flock`` needs a POSIX system (Linux, macOS); elsewhere the lock is a no-op. It is advisory:
it keeps lt_causal writers apart, not other programs.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import time
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

LOCK_NAME = ".lock"


class RunLockedError(RuntimeError):
    """Another process is writing the run folder."""


def _holder(path: Path) -> str:
    """Who holds the lock, in words, from the lock file's content."""
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info.get("pid"):
        return "another process (starting up)"
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info.get("started", 0)))
    return (f"pid {info['pid']} on {info.get('host', '?')} since {started}, "
            f"command: {info.get('command') or '?'}")


def _command() -> str:
    """This process's command line as a user would type it (``python -m lt_causal train ...``)."""
    argv = list(sys.argv) or ["?"]
    if argv[0].endswith("__main__.py"):
        argv[0:1] = ["-m", Path(argv[0]).parent.name]
    elif argv[0] == "-c":
        argv = ["-c", "..."]
    return " ".join(["python", *argv])


def _check_folder(run_dir: Path) -> None:
    if run_dir.exists() and not run_dir.is_dir():
        raise ValueError(f"run folder {run_dir} is an existing file, not a folder: choose another --out")
    for parent in run_dir.parents:
        if parent.exists() and not parent.is_dir():
            raise ValueError(f"cannot create run folder {run_dir}: {parent} is a file, not a folder")


@contextmanager
def run_lock(run_dir, command: str | None = None):
    """Hold the run folder ``run_dir`` (created if needed) exclusively; ``None``: no-op.

    ``command`` is what the lock file records (default: this process's command line)."""
    if run_dir is None or fcntl is None:
        yield None
        return
    run_dir = Path(run_dir)
    _check_folder(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / LOCK_NAME
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise RunLockedError(f"run folder {run_dir} is being written by another training "
                                 f"({_holder(path)}); wait for it to finish or choose another --out") from None
        try:   # the holder before us may have removed the file between our open and flock: retry
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    info = {"pid": os.getpid(), "host": socket.gethostname(),
            "command": command if command is not None else _command(), "started": time.time()}
    try:
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(info).encode())
        yield path
    finally:
        try:
            os.unlink(path)   # while still locked: a waiting opener sees another inode and retries
        except FileNotFoundError:
            pass
        os.close(fd)          # releases the flock
