"""Command-line entry point: ``python -m lt_causal <command> ...``.

Examples::

    python -m lt_causal backdoor --example covid
    python -m lt_causal info --dataset cifar10-lt --imbalance 100
    python -m lt_causal train --dataset mnist-lt --method deconfound --epochs 30 --out runs/mnist
    python -m lt_causal evaluate runs/mnist --alpha 0 0.5 1 1.5 2

Each command lives in ``lt_causal/commands/<name>.py`` and provides ``register(subparsers)``.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import lt_causal.commands
from lt_causal.training.run_lock import RunLockedError

# Listed first in --help, in teaching order; any other module in lt_causal/commands follows.
ORDER = ["backdoor", "info", "train", "evaluate"]


def command_names() -> list[str]:
    found = {m.name for m in pkgutil.iter_modules(lt_causal.commands.__path__) if not m.name.startswith("_")}
    return [n for n in ORDER if n in found] + sorted(found - set(ORDER))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lt_causal",
        description="Long-tailed classification with the momentum causal effect (Tang et al. 2020).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in command_names():
        importlib.import_module(f"lt_causal.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command. A problem with the input (ValueError, among them a CheckpointError naming an
    unreadable run file; FileNotFoundError; KeyError) is one ``error:`` line and exit status 2; a
    locked run folder, a diverged training or another OSError one line and status 1; never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)   # the command as typed, for records (bench --json)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, KeyError) as exc:   # the input: exit 2
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"error: {msg}", file=sys.stderr)
        return 2
    except (RunLockedError, FloatingPointError, OSError) as exc:   # the run or the machine: exit 1
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
