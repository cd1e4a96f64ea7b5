"""JAD SEE 2023 simulation: scenario files in, tidy result tables out.

    import sim
    base = sim.run("scenarios/jad_see_2023.yaml", replicates=10)
    base.describe()                               # every outcome: mean and intervals
    comparison = sim.compare(base, sim.load("results/no_scanning_teams"))
    comparison                                    # the headline outcomes, as a planner reads them
    sim.findings_table(comparison)                # the same as a table (outcomes=[...] for others)
    sim.crossing_waits(base)                      # the wait at each crossing, side and class

The names below are imported on first use, so `import sim.model.outcomes` stays light;
`dir(sim)` lists them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.analysis import figures
    from sim.analysis.compare import compare
    from sim.analysis.findings import table as findings_table
    from sim.analysis.waits import crossing_waits, wait_differences
    from sim.runs.results import Results, load
    from sim.runs.runner import ReplicateFailureWarning, ReplicatesFailedError, run
    from sim.scenario.files import ScenarioError, load_scenario
    from sim.scenario.paths import ProjectNotFoundError, project_folder

# public name -> (module, its name there)
_EXPORTS = {"Results": ("sim.runs.results", "Results"), "load": ("sim.runs.results", "load"),
            "run": ("sim.runs.runner", "run"),
            "ReplicatesFailedError": ("sim.runs.runner", "ReplicatesFailedError"),
            "ReplicateFailureWarning": ("sim.runs.runner", "ReplicateFailureWarning"),
            "ScenarioError": ("sim.scenario.files", "ScenarioError"),
            "load_scenario": ("sim.scenario.files", "load_scenario"),
            "compare": ("sim.analysis.compare", "compare"),
            "findings_table": ("sim.analysis.findings", "table"),
            "crossing_waits": ("sim.analysis.waits", "crossing_waits"),
            "wait_differences": ("sim.analysis.waits", "wait_differences"),
            "project_folder": ("sim.scenario.paths", "project_folder"),
            "ProjectNotFoundError": ("sim.scenario.paths", "ProjectNotFoundError")}
_MODULES = {"figures": "sim.analysis.figures"}
__all__ = ["ProjectNotFoundError", "ReplicateFailureWarning", "ReplicatesFailedError", "Results",
           "ScenarioError", "compare", "crossing_waits", "figures", "findings_table", "load",
           "load_scenario", "project_folder", "run", "wait_differences"]
assert set(__all__) == {*_EXPORTS, *_MODULES}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module, attribute = _EXPORTS[name]
        return getattr(import_module(module), attribute)
    if name in _MODULES:
        return import_module(_MODULES[name])
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public API first-hand (dunders for completeness); not the typing helpers above."""
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})
