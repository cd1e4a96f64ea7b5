"""JAD SEE 2023 simulation: scenario files in, tidy result tables out.

    import sim
    results = sim.run("scenarios/jad_see_2023.yaml", replicates=10)
    results.describe()
"""

from sim.results import Results, load
from sim.runner import run
from sim.scenario_files import ScenarioError, load_scenario

__all__ = ["Results", "ScenarioError", "load", "load_scenario", "run"]
