"""Both READMEs (README.md, README.zh.md) say what the code does: every `python -m lt_causal ...`
line of their code blocks parses with the command line as it is, every `make TARGET` is a target of
the Makefile, and every notebook they link exists — so a translated README cannot drift from the code."""
import re
import shlex
from pathlib import Path

import pytest

from lt_causal.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
READMES = [ROOT / "README.md", ROOT / "README.zh.md"]


def code_lines(text: str) -> list[str]:
    """The command lines of the fenced code blocks, comments dropped and continuations joined."""
    lines = []
    for block in re.findall(r"```[^\n]*\n(.*?)```", text, re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        lines += [line.split("  #")[0].split(" # ")[0].strip() for line in joined.splitlines()]
    return [line for line in lines if line]


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.name)
def test_every_command_line_parses(readme, capsys):
    commands = [line for line in code_lines(readme.read_text()) if line.startswith("python -m lt_causal ")]
    assert commands, f"{readme.name} shows no command"
    parser = build_parser()
    for line in commands:
        args = shlex.split(line)[3:]
        try:
            parser.parse_args(args)
        except SystemExit as exit_:
            if exit_.code in (0, None):           # --help
                continue
            pytest.fail(f"{readme.name}: `{line}` does not parse: {capsys.readouterr().err.strip()}")


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.name)
def test_every_make_target_and_notebook_link_exists(readme):
    text = readme.read_text()
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-zA-Z][\w-]*):", makefile, re.M))
    for line in code_lines(text):
        if line.startswith("make "):
            target = line.split()[1]
            assert "=" in target or target in targets, f"{readme.name}: make {target} is not a Makefile target"
    for link in re.findall(r"\]\((notebooks/[^)]+\.ipynb)\)", text):
        assert (ROOT / link).is_file(), f"{readme.name} links {link}, which does not exist"
