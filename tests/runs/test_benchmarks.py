"""The benchmark helpers build what they claim (timings themselves belong to `make bench`)."""

from __future__ import annotations

import sys

import pytest
from project import ROOT

sys.path.append(str(ROOT / "benchmarks"))  # last: shadows nothing

from big_graph import copy_id, replicated_graph
from mesa_loop import plain_loop

from sim.geography import load_route_graph


def test_replicated_graph_is_k_linked_copies(tmp_path):
    package = load_route_graph().graph
    graph = replicated_graph(tmp_path, copies=3).graph
    assert graph.number_of_nodes() == 3 * package.number_of_nodes()
    hubs = [n for n, a in package.nodes(data=True) if a["kind"] == "hub"]
    # every original edge in every copy, plus two-way links between neighbouring copies' hubs
    assert graph.number_of_edges() == 3 * package.number_of_edges() + 2 * 2 * len(hubs)
    some_hub = hubs[0]
    assert graph.has_edge(some_hub, copy_id(some_hub, 1))
    assert graph.nodes[copy_id(some_hub, 2)]["country"] == package.nodes[some_hub]["country"]


def test_replicated_graph_rejects_zero_copies(tmp_path):
    with pytest.raises(ValueError, match="at least 1"):
        replicated_graph(tmp_path, copies=0)


def test_plain_loop_steps_every_agent_every_tick():
    assert plain_loop(agents=50, ticks=7) == 350


def test_stage_stopwatches_time_every_declared_stage_and_leave_the_results_alone():
    from suites import time_stages

    from sim.model import JointActionModel

    timed = JointActionModel(rng=1, action__days=1)
    names = [stage.name for stage in timed.stages]
    seconds = time_stages(timed)
    timed.run()
    assert list(seconds) == names and all(s > 0 for s in seconds.values()), seconds
    untimed = JointActionModel(rng=1, action__days=1)
    assert all(run.__self__ is untimed for _, run in untimed.stages)  # only `timed` was timed
    assert timed.outcomes() == untimed.run().outcomes()


def test_stage_times_names_the_build_every_stage_the_rest_and_the_tables():
    from suites import REST_OF_HOUR, stage_times

    from sim.model import JointActionModel

    names = [stage.name for stage in JointActionModel(rng=0, action__days=1).stages]
    times = stage_times(runs=1)
    assert list(times) == ["model build", *names, REST_OF_HOUR, "result tables", "total"]
    parts = sum(seconds for label, seconds in times.items() if label != "total")
    assert abs(parts - times["total"]) < 1e-9 and times[REST_OF_HOUR] > 0, times
