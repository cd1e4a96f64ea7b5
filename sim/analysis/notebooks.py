"""Execute the analysts' notebooks in a fresh kernel and write them as HTML.

`sim notebooks --out results/notebooks` (`make notebooks`) runs every notebook in
`notebooks/` top to bottom, as on a fresh machine; `--replicates N` sets `SIM_REPLICATES` (the
notebooks' replicate count, full size by default). A notebook that raises stops the command
with the failing cell named.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

NOTEBOOKS_FOLDER = Path(__file__).resolve().parents[2] / "notebooks"
TIMEOUT_SECONDS = 3600  # per cell: a full-size comparison runs 8 scenarios × 30 replicates


def notebook_paths(folder: Path = NOTEBOOKS_FOLDER) -> list[Path]:
    return sorted(folder.glob("*.ipynb"))


def execute(path: Path, *, environment: Mapping[str, str] | None = None,
            timeout: int = TIMEOUT_SECONDS) -> nbformat.NotebookNode:
    """Run a notebook in a new kernel started in the notebook's folder; returns it executed.

    `environment` is added to this process's environment for the kernel (e.g.
    `{"SIM_REPLICATES": "2"}`). Raises `nbclient.exceptions.CellExecutionError` on an error.
    """
    notebook = nbformat.read(path, as_version=4)
    saved = dict(os.environ)
    os.environ.update(environment or {})
    try:
        NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return notebook


def write_html(notebook: nbformat.NotebookNode, target: Path) -> Path:
    body, _ = HTMLExporter().from_notebook_node(notebook)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8")
    return target




