"""The analysts' notebooks: committed clean, public API only, they run top to bottom, and the
findings they print are those of the reference comparison made on the same runs."""

from __future__ import annotations

import json
import re

import nbformat
import pandas as pd
import pytest
from project import ROOT

from sim.analysis import findings, reference
from sim.analysis.compare import COMPARISON, compare
from sim.analysis.notebooks import execute, notebook_paths
from sim.analysis.style import figure_number, label
from sim.runs.results import write_csv

NOTEBOOKS = notebook_paths()
PUBLIC_MODULES = {"sim", "sim.analysis.compare", "sim.analysis.figures", "sim.analysis.findings"}
REFERENCE_CSV = ROOT / "results" / "reference" / COMPARISON


def code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_the_five_notebooks_are_there():
    assert [path.stem for path in NOTEBOOKS] == ["01_compare_allocations", "02_where_and_when",
                                                 "03_calibration", "04_optimise",
                                                 "05_during_the_action"]


@pytest.mark.parametrize("name", ["scanning_teams", "allocation"])
def test_the_optimisation_results_the_fourth_notebook_reads_are_committed(name):
    """optimise/results/<config>/ holds what 04_optimise reads, written by `sim optimise` of
    the shipped config (docs/decision_support.md names the commands)."""
    folder = REFERENCE_CSV.parents[2] / "optimise" / "results" / name
    run = json.loads((folder / "optimise.json").read_text())
    assert run["config"].endswith(f"optimise/{name}.yaml")
    trials = pd.read_csv(folder / "trials.csv")
    assert len(trials) == run["trials"] and trials["baseline"].any()
    comparison = pd.read_csv(folder / "out_of_sample.csv")
    assert not set(comparison["trial"]) & set(trials.loc[trials["baseline"], "trial"])
    for allocation in comparison["allocation"].unique():
        assert (folder / "allocations" / f"{allocation}.yaml").is_file()
    assert "## Verdict" in (folder / "report.md").read_text()


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


def printed(notebook: nbformat.NotebookNode) -> str:
    return "".join(output.get("text", "") for cell in code_cells(notebook)
                   for output in cell.outputs)


def test_findings_carry_the_numbers_of_the_comparison_table():
    """Each sentence of the committed reference states, for every outcome whose interval
    excludes 0, the table's difference and interval in the outcome's unit."""
    comparison = pd.read_csv(REFERENCE_CSV)
    sentences = dict(zip(dict.fromkeys(comparison["scenario"]), findings.findings(comparison),
                         strict=True))
    checked = 0
    for row in comparison[comparison["outcome"].isin(findings.MAIN_OUTCOMES)].itertuples():
        text = sentences[row.scenario]
        assert text.startswith(label(row.scenario).capitalize())
        if row.ci_low > 0 or row.ci_high < 0:
            expected = (f"{label(row.outcome)} {figure_number(row.difference, signed=True)} "
                        f"{row.unit}")
            assert expected in text
            assert (f"{figure_number(row.ci_low, signed=True)} to "
                    f"{figure_number(row.ci_high, signed=True)}") in text
            checked += 1
        else:
            assert label(row.outcome) in text.split("Not told apart")[1]
    assert checked > 10
    planner = findings.table(comparison)
    # the committed reference runs over ensemble members (or posterior draws): its interval is
    # their spread, and the robustness says over how many
    assert {"base mean", "difference", "central 90% of draws", "unit", "robust"} <= set(
        planner.columns)
    members = int(comparison["draws"].max())
    assert members >= 50
    assert planner["robust"].str.endswith(f"of {members} draws").all()


@pytest.mark.slow
def test_notebook_01_prints_the_findings_of_the_reference_made_on_the_same_runs(tmp_path):
    """`make reference`'s comparison, made here with 2 replicates on the same seeds, and the
    notebook's printed findings at that size say the same, number for number."""
    runs = reference.run_scenarios([reference.BASE, *reference.ALTERNATIVES], tmp_path / "runs",
                                   replicates=2, workers=1, reuse=False)
    write_csv(compare(runs[0], runs[1:]), tmp_path / COMPARISON)
    expected = findings.findings(pd.read_csv(tmp_path / COMPARISON))
    path = next(p for p in NOTEBOOKS if p.stem == "01_compare_allocations")
    executed = execute(path, environment={"SIM_REPLICATES": "2", "SIM_WORKERS": "1"},
                       timeout=300)
    text = printed(executed)
    assert len(expected) == len(reference.ALTERNATIVES)
    for sentence in expected:
        assert sentence in text
    assert "per day" in text  # the ten-day action
