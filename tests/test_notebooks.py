"""Execute every notebooks/*.ipynb and notebooks/zh/*.ipynb headless (cwd = the notebook's folder,
LT_CAUSAL_QUICK=1) and check that notebooks are committed clean (no outputs, a python3 kernelspec)."""
from pathlib import Path

import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
# the English notebooks and their Chinese edition (notebooks/zh/, tests/test_zh_edition.py)
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb")) + sorted((NOTEBOOK_DIR / "zh").glob("*.ipynb"))
IDS = [str(p.relative_to(NOTEBOOK_DIR)) for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_committed_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    dirty = [c.get("id") for c in nb.cells if c.cell_type == "code"
             and (c.outputs or c.execution_count is not None)]
    assert not dirty, f"cells with outputs: {dirty}"
    # a notebook's own checks (asserts that its text tells the truth) are collapsed for the learner
    shown = [c.get("id") for c in nb.cells if c.cell_type == "code" and c.source.startswith("# hidden check")
             and not (c.metadata.get("jupyter", {}).get("source_hidden") and "check" in c.metadata.get("tags", []))]
    assert not shown, f"'# hidden check' cells without source_hidden and the 'check' tag: {shown}"


@pytest.mark.notebook
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_runs(path, monkeypatch, tmp_path_factory):
    from nbclient import NotebookClient

    monkeypatch.setenv("LT_CAUSAL_QUICK", "1")
    # one throw-away runs folder for the whole session: notebook 04 reuses notebook 03's run
    monkeypatch.setenv("LT_CAUSAL_RUNS", str(tmp_path_factory.getbasetemp() / "notebook-runs"))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()   # raises CellExecutionError on the first failing cell
    errors = [(c.get("id"), o.get("ename"), o.get("evalue")) for c in nb.cells
              if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
