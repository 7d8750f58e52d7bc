"""The notebooks in docs/notebooks run from top to bottom without an error."""

import os
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "docs" / "notebooks").glob("*.ipynb"))

nbformat = pytest.importorskip("nbformat", reason="running the notebooks needs nbformat (pip install nbformat)")
nbclient = pytest.importorskip("nbclient", reason="running the notebooks needs nbclient (pip install nbclient)")
pytest.importorskip("ipykernel", reason="running the notebooks needs ipykernel (pip install ipykernel)")


def test_there_are_notebooks():
    assert NOTEBOOKS, "docs/notebooks/*.ipynb not found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_with_its_outputs_and_a_working_install_line(path):
    """A reader on GitHub sees the results; the install line works from a clone
    (the package is not on PyPI: 'pip install scoresactivation' would not resolve)."""
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code and all(cell.outputs and cell.execution_count for cell in code), (
        f"{path.name}: run it and commit it with its outputs")
    assert not [out for cell in code for out in cell.outputs if out.output_type == "error"]
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert "pip install scoresactivation" not in text
    assert "./python-package" in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    pytest.importorskip("shap")
    pytest.importorskip("pandas")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("OMP_NUM_THREADS", os.environ.get("OMP_NUM_THREADS", "1"))
    nb = nbformat.read(path, as_version=4)
    # kernel "python3" is ipykernel in this interpreter (jupyter_client swaps "python" for sys.executable)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError naming the failing cell
    errors = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
              if out.output_type == "error"]
    assert not errors
