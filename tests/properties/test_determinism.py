"""Determinism: the same scenario and seed give the same bytes, in one process and across
processes (no hidden global state, no hash-order or wall-clock dependence)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from project import ROOT
from strategies import ROUTE_GRAPH, SMALL, run_model, small_scenario

from sim.model import JointActionModel
from sim.runs.replicate import run_replicate


def start_run(scenario_file: Path, out: Path, hash_seed: str) -> subprocess.Popen:
    """`python -m sim run` in a fresh interpreter with its own hash seed."""
    environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.Popen([sys.executable, "-m", "sim", "run", str(scenario_file),
                             "--replicates", "2", "--workers", "1", "--quiet", "--out", str(out)],
                            cwd=ROOT, env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def test_same_seed_same_summary_bytes_across_processes(tmp_path):
    scenario_file = tmp_path / "ci_small.yaml"
    scenario_file.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
    runs = [start_run(scenario_file, tmp_path / name, seed)
            for name, seed in (("first", "1"), ("second", "2"))]
    for run in runs:
        _, errors = run.communicate(timeout=300)
        assert run.returncode == 0, errors.decode()
    first, second = ((tmp_path / name / "summary.csv").read_bytes()
                     for name in ("first", "second"))
    assert first == second
    assert first.count(b"\n") == 3  # a header and one row per replicate


def test_same_seed_same_outcomes_events_and_tally_in_process():
    scenario = small_scenario()
    one, two = run_model(scenario, 42), run_model(scenario, 42)
    assert one.outcomes() == two.outcomes()
    assert one.events == two.events
    assert (one.tally.values == two.tally.values).all()
    assert [m.state for m in one.movements] == [m.state for m in two.movements]


def test_same_seed_same_tables_from_run_replicate():
    scenario = small_scenario()
    first, second = run_replicate(scenario, 7), run_replicate(scenario, 7)
    assert first.summary == second.summary
    assert first.daily.equals(second.daily) and first.events.equals(second.events)


def test_a_different_seed_gives_a_different_replicate():
    scenario = small_scenario()
    assert run_model(scenario, 1).outcomes() != run_model(scenario, 2).outcomes()


def test_invariant_checking_does_not_change_the_outcome():
    scenario = small_scenario()
    checked = JointActionModel(scenario, rng=3, route_graph=ROUTE_GRAPH,
                               check_invariants=True).run()
    assert checked.outcomes() == run_model(scenario, 3).outcomes()
