"""The package layout: dependencies run one way, down the pipeline.

scenario → geography → model → runs → analysis → dashboard, with the CLI on top. The model core
must load without plotting, UI, optimiser, sensitivity or cluster libraries (a planner's batch job
and a cluster worker import it thousands of times), and no package may reach back up the pipeline.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import sim

PACKAGE = Path(sim.__file__).parent
HEAVY = ("matplotlib", "solara", "optuna", "SALib", "distributed")

# package -> the packages of `sim` its modules may import (every import, also inside functions)
ALLOWED = {
    "geography": {"geography"},
    "scenario": {"scenario", "geography"},
    "model": {"model", "scenario", "geography"},
    "runs": {"runs", "model", "scenario", "geography"},
    "analysis": {"analysis", "runs", "model", "scenario", "geography"},
    "dashboard": {"dashboard", "analysis", "runs", "model", "scenario", "geography"},
}


def _loaded_after(statement: str) -> list[str]:
    """Top-level module names in sys.modules after `statement` in a fresh interpreter."""
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("statement", [
    "import sim.model; sim.model.JointActionModel",
    "import sim.scenario, sim.geography",
    "from sim.runs.replicate import run_replicate",
    "import sim.runs.runner, sim.runs.results, sim.runs.sweep",
])
def test_model_core_and_runner_load_no_heavy_library(statement):
    loaded = _loaded_after(statement)
    heavy = sorted({name.split(".")[0] for name in loaded} & set(HEAVY))
    assert not heavy, f"`{statement}` loads {heavy}"


def test_analysis_never_loads_the_dashboard():
    statement = ("import sim.analysis.compare, sim.analysis.figures, sim.analysis.calibration, "
                 "sim.analysis.sensitivity, sim.analysis.reference")
    loaded = _loaded_after(statement)
    assert not [m for m in loaded if m.startswith(("sim.dashboard", "solara", "sim.cli"))]


def _sim_imports(path: Path) -> set[str]:
    """The `sim` sub-packages a module imports anywhere in its body (absolute imports only)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        if isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: use absolute imports (from sim.… import …)")
        for name in names:
            parts = name.split(".")
            if parts[0] != "sim":
                continue
            if len(parts) > 1:
                found.add(parts[1])
            elif isinstance(node, ast.ImportFrom):  # from sim import x
                found.update(alias.name for alias in node.names)
    return found


def test_imports_run_down_the_pipeline():
    problems = []
    for package, allowed in ALLOWED.items():
        for path in sorted((PACKAGE / package).rglob("*.py")):
            for imported in _sim_imports(path) - allowed:
                problems.append(f"{path.relative_to(PACKAGE.parent)} imports sim.{imported}")
    assert not problems, "imports against the pipeline:\n" + "\n".join(problems)


def test_nothing_imports_the_cli():
    importers = [path.relative_to(PACKAGE.parent) for path in PACKAGE.rglob("*.py")
                 if path.name not in ("cli.py", "__main__.py") and "cli" in _sim_imports(path)]
    assert not importers


def test_every_package_says_what_it_may_import():
    for package in ALLOWED:
        doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text()))
        assert doc and "import" in doc, f"sim/{package}/__init__.py needs its docstring"


def test_public_api_is_reachable_from_import_sim():
    code = ("import sim; print(callable(sim.run), callable(sim.load), callable(sim.compare), "
            "hasattr(sim.figures, 'forest_plot'))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["True"] * 4
