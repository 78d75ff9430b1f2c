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


END = "<!-- END generated -->"   # the closing marker of every generated block (tools/results.py, tools/benchmarks.py)


def splice(doc, begin: str, block: str, write: bool, what: str, end: str = END) -> list[str]:
    """Put ``block`` between the markers ``begin`` … ``end`` of the document ``doc`` (a Path): written
    when ``write``, else compared; what differs or is missing, one line each (``what`` names the source)."""
    text = doc.read_text(encoding="utf-8")
    if begin not in text or end not in text:
        return [f"{doc.name} has no generated block (markers {begin!r} … {end!r})"]
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    new = head + begin + "\n\n" + block + "\n\n" + end + tail
    if new == text:
        return []
    if write:
        doc.write_text(new, encoding="utf-8")
        return []
    return [f"{doc.name}: the generated block differs from {what}"]
