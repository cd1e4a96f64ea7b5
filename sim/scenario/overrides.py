"""Keyword overrides of a scenario: `parameters__adaptivity=0.2` sets `parameters.adaptivity`.

One spelling for every caller that varies a scenario without writing a file: `sim.run(...,
**overrides)`, `JointActionModel(**overrides)` (and so `mesa.batch_run`), EMA Workbench models.
Each `__` is one level of nesting (the paths `sim params` lists, with `.` written `__`). The
result is validated exactly like a scenario file, route-graph checks included, so a mistake is
one `ScenarioError` naming the key path and the closest valid name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.scenario.files import (
    ListPatchError,
    Problem,
    ScenarioError,
    merge,
    scenario_from_mapping,
)
from sim.scenario.schema import Scenario

SEPARATOR = "__"


def nested(overrides: Mapping[str, Any], label: str = "overrides") -> dict[str, Any]:
    """`{"a__b": 1, "a__c": 2}` → `{"a": {"b": 1, "c": 2}}`; a key both set and nested into
    (`a=1, a__b=2`) is a ScenarioError."""
    patch: dict[str, Any] = {}
    for key, value in overrides.items():
        parts = str(key).split(SEPARATOR)
        if any(part == "" for part in parts):
            raise ScenarioError([Problem(label, None, tuple(parts), f"'{key}' is not a key "
                                         "path: write a__b for b inside a")])
        node = patch
        for depth, part in enumerate(parts[:-1]):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ScenarioError([Problem(label, None, tuple(parts[:depth + 1]),
                                             f"'{key}' sets a key inside a value also given "
                                             "whole")])
            node = child
        if isinstance(node.get(parts[-1]), dict) and not isinstance(value, Mapping):
            raise ScenarioError([Problem(label, None, tuple(parts), f"'{key}' is given whole "
                                         "and also has keys set inside it")])
        node[parts[-1]] = value
    return patch


def with_overrides(scenario: Scenario, overrides: Mapping[str, Any], *,
                   label: str = "overrides", check_graph: bool = True) -> Scenario:
    """The scenario with `a__b` overrides applied, validated like a scenario file (schema, then
    the route graph: place names, allocations)."""
    if not overrides:
        return scenario
    if any(str(key).split(SEPARATOR)[0] == "extends" for key in overrides):
        raise ScenarioError([Problem(label, None, ("extends",), "'extends' cannot be "
                                     "overridden: the scenario's extends: was read when it was "
                                     "loaded, so the override would change nothing; run the "
                                     "other file, or override the values that differ")])
    try:
        data = merge(scenario.model_dump(mode="json"), nested(overrides, label))
    except ListPatchError as error:
        raise ScenarioError([Problem(label, None, error.key_path, str(error))]) from None
    changed = scenario_from_mapping(data, label=label)
    if check_graph:
        from sim.scenario.allocation import check_scenario

        check_scenario(changed, label=label)
    return changed
