"""JAD SEE 2023 simulation: scenario files in, tidy result tables out.

    import sim
    results = sim.run("scenarios/jad_see_2023.yaml", replicates=10)
    results.describe()

The names below are imported on first use, so `import sim.outcomes` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.results import Results, load
    from sim.runner import run
    from sim.scenario_files import ScenarioError, load_scenario

_EXPORTS = {"Results": "sim.results", "load": "sim.results", "run": "sim.runner",
            "ScenarioError": "sim.scenario_files", "load_scenario": "sim.scenario_files"}
__all__ = ["Results", "ScenarioError", "load", "load_scenario", "run"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
