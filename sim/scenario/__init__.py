"""The scenario: what a planner writes, read and checked before anything runs. `parameters` holds
every model constant with its default, unit and source; `schema` the pydantic `Scenario`
(allocations, run settings, parameters); `reading` the bounded reading of any input file
(regular files of limited size, UTF-8, YAML within alias and depth budgets, no duplicate keys);
`files` the YAML loading with `extends:` and planner-readable errors (`problems`: each
mistake with its file, line and key path); `paths` every settable
value as a dotted path (`sim params`); `posterior` reading posterior ensembles; `overrides` the
`a__b=value` keyword overrides of the API; `allocation` turns contingents into officer units on
places and checks that an allocation can exist on the route graph; `postings` says what explicit
postings take from each contingent and notes postings away from a country's own borders;
`docs` writes the parameter
table of docs/ODD.md from the schema. May import `sim.geography` (the route graph an allocation
is checked against) and pydantic, PyYAML, numpy; nothing that runs, draws or serves.
"""

from sim.scenario.files import ScenarioError, load_scenario
from sim.scenario.schema import Scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario"]
