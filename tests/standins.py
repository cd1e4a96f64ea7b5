"""A stand-in for the model: fast, deterministic from the seed, sensitive to the allocation, for
tests of the runner, the results folder and the API (workers import it by this module's name)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from project import ROOT

import sim
from sim.model.outcomes import OUTCOME_NAMES, PLACE_OUTCOMES
from sim.model.streams import Streams
from sim.runs import runner
from sim.runs.replicate import EVENT_COLUMNS, ReplicateResult
from sim.scenario.schema import Scenario


def stand_in_replicate(scenario: Scenario, seed: int, *, replicate: int = 0,
                       check_invariants: bool = False) -> ReplicateResult:
    """Numbers drawn from named streams like the model's: traffic never depends on the teams."""
    streams = Streams.from_seed(seed)
    teams = len(scenario.scanning_teams.teams)
    summary = dict.fromkeys(OUTCOME_NAMES, 0.0)
    summary["legitimate_vehicles"] = float(streams.traffic.poisson(10_000))
    attempts = streams.departures.poisson(300)
    summary["movements_attempted"] = float(attempts)
    uniforms = streams.checks.random(attempts)
    summary["movements_intercepted"] = float((uniforms < 0.2 + 0.05 * teams).sum())
    summary["cocaine_kg"] = float(streams.departures.gamma(2.0, 50.0))
    days = scenario.action.days
    daily = pd.DataFrame({"day": np.arange(1, days + 1),
                          "date": [f"2023-11-{13 + d:02d}" for d in range(days)],
                          "place": "evzonoi", "place_name": "Evzonoi", "country": "GR",
                          "kind": "crossing"})
    for name in PLACE_OUTCOMES:
        daily[name] = streams.checks.random(days)
    events = pd.DataFrame([{column: None for column in EVENT_COLUMNS} for _ in range(2)])
    events["kind"] = "detection"
    events["persons"] = streams.inland.random(2)
    return ReplicateResult(replicate, seed, summary, daily, events)


def failing_replicate(scenario: Scenario, seed: int, *, replicate: int = 0,
                      check_invariants: bool = False) -> ReplicateResult:
    if replicate == 1:
        raise RuntimeError("a mechanism broke")
    return stand_in_replicate(scenario, seed, replicate=replicate)


def small(name: str = "small", replicates: int = 4, teams: int = 0) -> Scenario:
    spec = {"name": name, "action": {"days": 1}, "run": {"replicates": replicates, "seed": 7}}
    spec["scanning_teams"] = {"teams": [{"place": f"crossing_{i}"} for i in range(teams)]}
    return Scenario.model_validate(spec)


def run_small(scenario: Scenario, **options) -> sim.Results:
    options.setdefault("replicate_function", stand_in_replicate)
    return runner.run(scenario, **options)


def sweep_file(tmp_path: Path, grid: str, name: str = "teams", file: str = "sweep") -> Path:
    """A sweep file over the baseline scenario with the given `grid:` block."""
    path = tmp_path / f"{file}.yaml"
    path.write_text(f"name: {name}\nbase: {ROOT / 'scenarios' / 'jad_see_2023.yaml'}\n"
                    f"grid:\n{grid}", encoding="utf-8")
    return path
