"""The analysts' notebooks: committed clean, public API only, and they run top to bottom."""

from __future__ import annotations

import re

import nbformat
import pytest

from sim.analysis.notebooks import execute, notebook_paths

NOTEBOOKS = notebook_paths()
PUBLIC_MODULES = {"sim", "sim.analysis.compare", "sim.analysis.figures"}


def code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_the_three_notebooks_are_there():
    assert [path.stem for path in NOTEBOOKS] == ["01_compare_allocations", "02_where_and_when",
                                                 "03_calibration"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in code_cells(notebook):
        assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_uses_only_the_public_api(path):
    """No model logic in notebooks: they import the run, results, comparison and figures."""
    source = "\n".join(cell.source for cell in code_cells(nbformat.read(path, as_version=4)))
    imported = set(re.findall(r"^\s*from (sim[\w.]*) import", source, flags=re.M))
    imported |= set(re.findall(r"^\s*import (sim[\w.]*)", source, flags=re.M))
    assert imported <= PUBLIC_MODULES
    assert "SIM_REPLICATES" in source


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_in_a_fresh_kernel(path):
    executed = execute(path, environment={"SIM_REPLICATES": "2", "SIM_WORKERS": "1"},
                       timeout=300)
    outputs = [output for cell in code_cells(executed) for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in output.get("data", {}) for output in outputs)
    assert any("2 replicates per scenario" in output.get("text", "") for output in outputs)
