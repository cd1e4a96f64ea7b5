"""The package layout: dependencies run one way, down the pipeline.

geography → scenario → model → runs → analysis → inference → decisions → dashboard, with the
commands and the CLI on top. The model core must load without plotting, UI, optimiser,
sensitivity or cluster libraries (a planner's batch job and a cluster worker import it thousands
of times), no package may reach back up the pipeline, no module imports another that imports it
back (counting imports inside functions), and only `sim.commands` knows about the command line.
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
    "inference": {"inference", "analysis", "runs", "model", "scenario", "geography"},
    "decisions": {"decisions", "inference", "analysis", "runs", "model", "scenario",
                  "geography"},
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


def test_sim_validate_of_a_scenario_loads_neither_mesa_pandas_networkx_nor_the_runner():
    """Start-up (issue 33): checking a scenario file reads the schema and the route graph; the
    model's agents (Mesa, and SciPy through it), the runner, and the route graph's pandas tables
    and networkx graph (built on first use, which a check never makes) stay unloaded."""
    baseline = Path(__file__).resolve().parents[2] / "scenarios" / "jad_see_2023.yaml"
    loaded = _loaded_after("import sim.cli, contextlib, io; "
                           "out = contextlib.redirect_stdout(io.StringIO()); out.__enter__(); "
                           f"sim.cli.main(['validate', {str(baseline)!r}]); "
                           "out.__exit__(None, None, None)")
    assert not [m for m in loaded if m.split(".")[0] in ("mesa", "scipy", "pandas", "networkx")
                or m in ("sim.model.agents", "sim.runs.runner", "sim.runs.sweep")]


def test_analysis_never_loads_the_dashboard():
    statement = ("import sim.analysis.compare, sim.analysis.figures, sim.inference.calibration, "
                 "sim.inference.sensitivity, sim.analysis.reference")
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


def test_nothing_imports_the_cli_or_the_commands():
    importers = [path.relative_to(PACKAGE.parent) for path in PACKAGE.rglob("*.py")
                 if path.name not in ("cli.py", "__main__.py") and "commands" not in path.parts
                 and {"cli", "commands"} & _sim_imports(path)]
    assert not importers


def test_only_the_commands_know_the_command_line():
    """No library module parses arguments, registers a command or runs as `python -m`."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "commands" in path.parts or path.name in ("cli.py", "__main__.py"):
            continue
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        imports = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                   for alias in node.names}
        imports |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        mains = [node for node in tree.body if isinstance(node, ast.If)
                 and "__main__" in ast.unparse(node.test)]
        if "argparse" in imports or {"register", "run_command"} & defined or mains:
            found.append(str(path.relative_to(PACKAGE.parent)))
    assert not found, f"command-line code outside sim/commands: {found}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_imports(path: Path, modules: set[str]) -> set[str]:
    """The modules of `sim` that `path` imports anywhere in its body (`from sim.a import b`
    counts sim.a.b when b is a module, else sim.a)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and ast.unparse(block.test).endswith("TYPE_CHECKING")
                   for statement in block.body for n in ast.walk(statement)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module in modules:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in modules else node.module)
    return found


def test_no_import_cycle_between_modules():
    """Counting imports inside functions, no module of `sim` reaches itself again through the
    modules it imports (a package's `__init__` counts as a module of its own)."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: _module_imports(path, set(paths)) - {name} for name, path in paths.items()}
    cycles, state = [], {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for child in sorted(graph[name]):
            if state.get(child) == "open":
                cycles.append(" → ".join([*trail[trail.index(child):], child]))
            elif child not in state:
                visit(child, [*trail, child])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("package", [*ALLOWED, "commands"])
def test_every_package_docstring_names_all_its_modules(package):
    init = PACKAGE / package / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
    modules = sorted(p.stem for p in (PACKAGE / package).glob("*.py") if p.stem != "__init__")
    missing = [m for m in modules if f"`{m}`" not in doc]
    assert not missing, f"sim/{package}/__init__.py does not name {missing}"


def test_every_package_says_what_it_may_import():
    for package in ALLOWED:
        doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text()))
        assert doc and "import" in doc, f"sim/{package}/__init__.py needs its docstring"


def test_public_api_is_reachable_from_import_sim():
    code = ("import sim; print(callable(sim.run), callable(sim.load), callable(sim.compare), "
            "hasattr(sim.figures, 'forest_plot'))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["True"] * 4


# --- one executor, one folder guard ------------------------------------------------------------

POOLS = {"ProcessPoolExecutor", "LocalCluster", "Client", "SpecCluster", "Pool"}


def test_only_the_executor_starts_process_pools_and_dask_clients():
    """Process pools, local clusters and Dask clients are created in sim/runs/executor.py
    alone, so every runner shares its settings (spawn, Dask profiling off, the messages)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "runs" / "executor.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = (node.func.id if isinstance(node.func, ast.Name)
                    else node.func.attr if isinstance(node.func, ast.Attribute) else "")
            if name in POOLS:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {name}(...)")
    assert not found, "pools or clients created outside sim/runs/executor.py:\n" + "\n".join(found)


def test_every_command_that_writes_an_output_claims_it():
    """A command with an output option (--out, --xlsx, --doc) passes the folder guard
    (`sim.runs.folder.claim`), itself or through the library call that claims (a run, a
    sweep); tests/test_hostile_folders.py checks that each one refuses a held folder."""
    claims_for_them = {"run": PACKAGE / "runs" / "runner.py",
                       "sweep": PACKAGE / "runs" / "sweep.py"}
    unguarded = []
    for path in sorted((PACKAGE / "commands").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if not any(f'"{option}"' in text for option in ("--out", "--xlsx", "--doc")):
            continue
        if path.stem == "docs":  # rewrites sections of the repository's own docs
            continue
        source = claims_for_them.get(path.stem, path).read_text(encoding="utf-8")
        if "claim(" not in source:
            unguarded.append(path.name)
    assert not unguarded, f"commands writing outputs without the folder guard: {unguarded}"
