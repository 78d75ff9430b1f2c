"""The command line the project's build tools share: ``python tools/<tool>.py build|check``."""
from __future__ import annotations

import argparse
import sys
from typing import Callable


def run(description: str, build: Callable[[bool], list[str]], argv=None, errors: tuple = ()) -> int:
    """``build`` writes (``build``) or only compares (``check``) and returns what differs or fails, one
    line each; ``errors``: exception types that mean one such line. Exit 1 when there is any."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("action", choices=("build", "check"))
    write = parser.parse_args(argv).action == "build"
    try:
        problems = build(write)
    except errors as exc:
        problems = [str(exc)]
    for line in problems:
        print(f"error: {line}", file=sys.stderr)
    return 1 if problems else 0
