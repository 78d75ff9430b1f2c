"""The project's build tools (tools/*.py) as modules for the tests: ``load("notebooks")``."""
import importlib
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1] / "tools"


def load(name: str):
    """tools/<name>.py imported with tools/ on sys.path, as when it runs as a script."""
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))
    return importlib.import_module(name)
