"""Set-up: `make lab` as root and with JupyterLab options, a changed TORCH_SPEC
reinstalling torch, the README's quick start on any machine, and skip reasons that say what
optional data is missing and how to supply it."""
import ast
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make on PATH (apt-get install make)")


# What an enclosing `make test TORCH_SPEC=...` exports to this process: make's own flags and the
# command-line variables (make puts them in the environment of its recipes).
MAKE_ENV = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES",
            *re.findall(r"^(\w+) \?=", (ROOT / "Makefile").read_text(), flags=re.M)}


def make_n(*args, venv) -> str:
    """The commands ``make -n`` would run (nothing is executed), for a virtual environment ``venv``."""
    env = {k: v for k, v in os.environ.items() if k not in MAKE_ENV}   # under `make test TORCH_SPEC=...`
    proc = subprocess.run(["make", "-n", "-C", str(ROOT), f"VENV={venv}", *args], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def fake_venv(tmp_path, torch_spec="torch", torch_index="") -> Path:
    """A .venv that make considers complete for this torch request (stamps newer than pyproject)."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("#!/bin/sh\n")
    (venv / "bin" / "python").chmod(0o755)
    plan = make_n("env", f"TORCH_SPEC={torch_spec}", f"TORCH_INDEX={torch_index}", venv=venv)
    stamps = re.findall(r"^touch (\S+)$", plan, flags=re.M)
    assert len(stamps) == 2 and ".torch-" in stamps[0] and stamps[1].endswith(".lt_causal-installed"), plan
    now = time.time() + 5
    for i, stamp in enumerate(stamps):
        Path(stamp).touch()
        os.utime(stamp, (now + i, now + i))
    return venv


def lab_line(plan: str) -> str:
    lines = [line for line in plan.splitlines() if "jupyter lab" in line]
    assert len(lines) == 1, plan
    return lines[0]


@needs_make
@pytest.mark.parametrize("uid,root", [("0", True), ("1000", False)])
def test_make_lab_allows_root_and_passes_lab_args(tmp_path, uid, root):
    venv = fake_venv(tmp_path)
    plan = make_n("lab", f"USER_ID={uid}", "LAB_ARGS=--port 9999 --no-browser", venv=venv)
    line = lab_line(plan)
    assert "pip install" not in plan   # the environment is complete: straight to JupyterLab
    assert line.endswith("--port 9999 --no-browser notebooks/")
    assert ("--allow-root" in line) == root


@needs_make
def test_make_lab_asks_id_for_the_user(tmp_path):
    line = lab_line(make_n("lab", venv=fake_venv(tmp_path)))
    assert ("--allow-root" in line) == (os.getuid() == 0)


@needs_make
def test_a_changed_torch_spec_reinstalls_torch(tmp_path):
    venv = fake_venv(tmp_path, torch_spec="torch")
    assert "pip install" not in make_n("env", "TORCH_SPEC=torch", venv=venv)
    plan = make_n("env", "TORCH_SPEC=torch==2.13.0", venv=venv)
    assert 'pip install --force-reinstall --no-deps  "torch==2.13.0"' in plan
    assert 'pip install -e ".[test]"' in plan and "-m venv" not in plan   # the same .venv, updated
    plan = make_n("env", "TORCH_INDEX=https://download.pytorch.org/whl/cpu", venv=venv)
    assert '--index-url https://download.pytorch.org/whl/cpu "torch"' in plan


@needs_make
def test_installs_show_progress(tmp_path):
    plan = make_n("env", venv=tmp_path / "new-venv")
    assert "--quiet" not in plan and " -q " not in plan
    steps = re.findall(r"==> \[(\d)/3\] (\w[^\n\"]+)", plan)
    assert [s[0] for s in steps] == ["1", "2", "3"], plan   # each step says what it does
    assert not re.search(r"\d+\s*(?:-\d+\s*)?min|a minute", plan), plan   # and types no duration


def quick_start() -> str:
    return README.split("## Quick start", 1)[1].split("\n## ", 1)[0]


def test_readme_quick_start_covers_cpu_machines_timing_and_the_venv():
    text = quick_start()
    assert "TORCH_INDEX=https://download.pytorch.org/whl/cpu" in text and "without an NVIDIA GPU" in text
    # no typed duration: pip's own output shows each download and its speed (test_notebook_prose checks the README)
    assert "pip's own output shows each download" in text.replace("\n", " ")
    assert not re.search(r"\d+[–-]\d+ minutes|under a minute", text)
    assert "source .venv/bin/activate" in text and ".venv/bin/python -m lt_causal" in text
    assert 'LAB_ARGS="--port 9999 --no-browser"' in text and "--allow-root" in text


def test_readme_commands_have_no_literal_brackets():
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    for line in "\n".join(blocks).splitlines():
        command = line.split("#", 1)[0]
        assert "[" not in command, line
    assert "add --json for machine-readable output" in README


def _reasons(path: Path) -> list[str]:
    """Every string that can end up as a skip reason in a test module."""
    tree = ast.parse(path.read_text())
    names = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
             for t in node.targets if isinstance(t, ast.Name)}

    def strings(node) -> list[str]:
        if isinstance(node, ast.Name) and node.id in names:
            node = names[node.id]
        return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            if func.endswith("skip") and node.args:
                found += strings(node.args[0])
            found += [s for kw in node.keywords if kw.arg == "reason" for s in strings(kw.value)]
    return found


def test_skip_reasons_say_what_is_missing_and_how_to_supply_it():
    reasons = {p.name: _reasons(p) for p in sorted((ROOT / "tests").rglob("*.py"))}
    assert sum(map(len, reasons.values())) > 3
    for name, texts in reasons.items():
        for text in texts:
            assert "../shared" not in text and "shared/" not in text, (name, text)
    data = " ".join(reasons["test_datasets.py"] + reasons["test_reproduce.py"])
    for var in ("LT_CAUSAL_CIFAR10_FOLDER", "LT_CAUSAL_PAPER_MD", "LT_CAUSAL_SEED_DECK"):
        assert f"set {var}" in data


def test_cifar_folder_comes_from_the_environment(tmp_path, monkeypatch):
    path = ROOT / "tests" / "test_datasets.py"   # its CIFAR10_JPEG assignment, run on its own
    assign = next(node for node in ast.parse(path.read_text()).body if isinstance(node, ast.Assign)
                  and any(getattr(t, "id", None) == "CIFAR10_JPEG" for t in node.targets))
    code = compile(ast.Module([assign], type_ignores=[]), str(path), "exec")
    monkeypatch.setenv("LT_CAUSAL_CIFAR10_FOLDER", str(tmp_path))
    scope = {"os": os, "Path": Path, "__file__": str(path)}
    exec(code, scope)
    assert scope["CIFAR10_JPEG"] == tmp_path
    monkeypatch.delenv("LT_CAUSAL_CIFAR10_FOLDER")
    exec(code, scope)
    assert scope["CIFAR10_JPEG"] == ROOT.parent / "shared" / "data" / "cifar10-jpeg"   # the default stays
