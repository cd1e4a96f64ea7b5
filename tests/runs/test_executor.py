"""The one executor (`sim/runs/executor.py`): the same work gives the same numbers in this
process, on spawned worker processes and on a local Dask cluster; the fingerprinted baseline
replicate (tests/fingerprint.json, recorded in-process) is reproduced bit for bit on each."""

from __future__ import annotations

import json

import pytest
from fingerprint import FILE, result_hashes

from sim.runs.executor import ClusterError, Executor, MainGuardWarning, cluster_timeout


def baseline_hashes(seed: int) -> dict[str, str]:
    """The fingerprint of baseline replicate `seed` (a worker's unit of work: importable)."""
    from sim.model import BASELINE, resolve_scenario
    from sim.runs.replicate import run_replicate

    return result_hashes(run_replicate(resolve_scenario(BASELINE, {}), seed))


def square(number: int) -> int:
    return number * number


def fails_on_three(number: int) -> int:
    if number == 3:
        raise ValueError("three")
    return number


@pytest.fixture(scope="module")
def recorded() -> dict[str, dict[str, str]]:
    return json.loads(FILE.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("where", ["processes", "dask local:1"])
def test_the_fingerprinted_replicate_is_identical_on_every_executor(where, recorded):
    """Baseline seeds 0 and 1 (six days, every table) run through a spawned process pool and a
    local Dask cluster give the hashes recorded in this process (tests/fingerprint.json)."""
    options = {"workers": 2} if where == "processes" else {"cluster": "local:1"}
    with Executor(**options) as executor:
        assert executor.kind == where.split()[0]
        done = dict(executor.completed(baseline_hashes, [0, 1]))
    assert done == {seed: recorded[f"baseline seed {seed}"] for seed in (0, 1)}


def test_map_keeps_the_order_and_raises_the_first_error():
    with Executor(workers=1) as executor:
        assert executor.kind == "in-process"
        assert executor.map(square, [3, 1, 2]) == [9, 1, 4]
        with pytest.raises(ValueError, match="three"):
            executor.map(fails_on_three, [1, 3])


@pytest.mark.slow
def test_worker_processes_map_in_order_and_report_each_item():
    ticks = []
    with Executor(workers=2) as executor:
        assert executor.map(square, range(6), each_done=lambda: ticks.append(1)) == [
            0, 1, 4, 9, 16, 25]
        failed = dict(executor.completed(fails_on_three, [2, 3]))
    assert len(ticks) == 6
    assert failed[2] == 2 and isinstance(failed[3], ValueError)


def test_the_cluster_timeout_is_a_setting_with_a_default(monkeypatch):
    monkeypatch.delenv("SIM_CLUSTER_TIMEOUT", raising=False)
    assert cluster_timeout() == 120
    monkeypatch.setenv("SIM_CLUSTER_TIMEOUT", "2")
    assert cluster_timeout() == 2
    for bad in ("soon", "0", "-1", "inf"):
        monkeypatch.setenv("SIM_CLUSTER_TIMEOUT", bad)
        with pytest.raises(ClusterError, match="SIM_CLUSTER_TIMEOUT"):
            cluster_timeout()


def test_a_script_that_cannot_start_workers_runs_here_with_a_warning(monkeypatch):
    from sim.runs import executor as module

    monkeypatch.setattr(module, "spawn_problem", lambda: "no main guard (a test)")
    with Executor(workers=2) as executor, pytest.warns(MainGuardWarning, match="main guard"):
        assert executor.map(square, [1, 2]) == [1, 4]
    assert executor.kind == "in-process" and executor._pool is None  # nothing was spawned
