"""`make test` never sits silent: the suite prints one line per test
when it starts (pytest -v) and the slowest tests at the end (--durations), from pyproject.toml."""
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_pytest_prints_progress_and_durations():
    opts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    args = shlex.split(opts["addopts"])
    assert "-v" in args or "--verbose" in args
    assert any(a.startswith("--durations=") for a in args)


def test_a_run_shows_each_test_and_the_slowest(tmp_path):
    test = tmp_path / "test_two.py"
    test.write_text("def test_a():\n    pass\n\ndef test_b():\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"),
                           "--rootdir", str(tmp_path), "-p", "no:cacheprovider", str(test)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "test_two.py::test_a PASSED" in proc.stdout and "test_two.py::test_b PASSED" in proc.stdout
    assert "slowest" in proc.stdout and "durations" in proc.stdout
