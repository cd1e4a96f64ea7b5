"""JAD SEE 2023 simulation: scenario files in, tidy result tables out.

    import sim
    results = sim.run("scenarios/jad_see_2023.yaml", replicates=10)
    results.describe()

The names below are imported on first use, so `import sim.model.outcomes` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.analysis import figures
    from sim.analysis.compare import compare, deciding
    from sim.runs.results import Results, load
    from sim.runs.runner import ReplicateFailureWarning, ReplicatesFailedError, run
    from sim.scenario.files import ScenarioError, load_scenario

_EXPORTS = {"Results": "sim.runs.results", "load": "sim.runs.results", "run": "sim.runs.runner",
            "ReplicatesFailedError": "sim.runs.runner",
            "ReplicateFailureWarning": "sim.runs.runner",
            "ScenarioError": "sim.scenario.files", "load_scenario": "sim.scenario.files",
            "compare": "sim.analysis.compare", "deciding": "sim.analysis.compare"}
_MODULES = {"figures": "sim.analysis.figures"}
__all__ = ["ReplicateFailureWarning", "ReplicatesFailedError", "Results", "ScenarioError",
           "compare", "deciding", "figures", "load", "load_scenario", "run"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    if name in _MODULES:
        return import_module(_MODULES[name])
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
