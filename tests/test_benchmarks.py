"""The benchmark helpers build what they claim (timings themselves belong to `make bench`)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).resolve().parents[1] / "benchmarks"))  # last: shadows nothing

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


def test_stage_stopwatches_time_every_stage_and_put_the_methods_back():
    from suites import STAGES, _stopwatches

    from sim.model import JointActionModel

    originals = {label: getattr(owner, name) for label, (owner, name) in STAGES.items()}
    totals = dict.fromkeys(STAGES, 0.0)
    with _stopwatches(totals):
        JointActionModel(rng=1, action__days=1).run()
    assert all(seconds > 0 for seconds in totals.values()), totals
    assert all(getattr(owner, name) is originals[label]
               for label, (owner, name) in STAGES.items())


def test_a_stage_called_inside_another_counts_in_its_own_row_only(monkeypatch):
    import suites

    class Outer:
        def run(self):
            time.sleep(0.02)
            Inner().run()

    class Inner:
        def run(self):
            time.sleep(0.05)

    monkeypatch.setattr(suites, "STAGES", {"outer": (Outer, "run"), "inner": (Inner, "run")})
    totals = {"outer": 0.0, "inner": 0.0}
    with suites._stopwatches(totals):
        Outer().run()
    assert totals["inner"] >= 0.05 and 0.02 <= totals["outer"] < totals["inner"], totals
