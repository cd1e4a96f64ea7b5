"""`sim marginal`: one block of each resource, placed by its stated rule, and the paired
difference per outcome."""

from __future__ import annotations

from collections import Counter

import pandas as pd
from strategies import ROUTE_GRAPH

from sim.decisions.marginal import (
    BUSIEST,
    Block,
    _pinned,
    _scenario,
    blocks,
    effects,
    marginal_table,
    why_not,
)
from sim.model import BASELINE
from sim.scenario.allocation import build_units
from sim.scenario.files import load_scenario
from sim.scenario.parameters import POSTING_KINDS


def test_each_block_adds_one_resource_and_nothing_else():
    base = load_scenario(BASELINE)
    found = blocks(base, ROUTE_GRAPH)
    base_units = Counter((u.country, u.agency, u.posting, u.place) for u in
                         build_units(base, ROUTE_GRAPH) for _ in range(u.officers))
    kinds = {b.resource for b in found}
    assert set(POSTING_KINDS) | {"thermal_vision", "document_experts", "detection_kit",
                                  "scanning_team"} == kinds
    teams = [b.where for b in found if b.resource == "scanning_team"]
    kinds_of = {b: ROUTE_GRAPH.graph.nodes[b]["kind"] for b in teams}
    assert list(kinds_of.values()).count("crossing") == BUSIEST
    ports = [p for p in teams if kinds_of[p] == "port"]
    assert 0 < len(ports) <= BUSIEST and "port_durres" in ports  # the Adriatic cocaine port
    for block in found:
        scenario = block.scenario
        assert scenario.run.seed == base.run.seed
        added = scenario.officers_total - base.officers_total
        if block.resource in POSTING_KINDS:
            assert added == 100
        else:
            assert added == 0
        units = Counter((u.country, u.agency, u.posting, u.place) for u in
                        build_units(scenario, ROUTE_GRAPH) for _ in range(u.officers))
        extra = units - base_units
        assert sum(extra.values()) == (100 if block.resource in POSTING_KINDS else 0)
        assert {key[2] for key in extra} <= {block.resource}
        assert not base_units - units  # nobody moved, visitors included
        teams = len(scenario.scanning_teams.teams) - len(base.scanning_teams.teams)
        frontex = sum(d.count for d in scenario.frontex) - sum(d.count for d in base.frontex)
        assert teams == (block.resource == "scanning_team")
        assert frontex == (block.resource in ("thermal_vision", "document_experts",
                                              "detection_kit"))


def test_the_table_is_the_paired_difference_and_names_the_effects():
    base = pd.DataFrame({"replicate": [0, 1, 2, 3], "arrests_total": [10.0, 20, 30, 40],
                         "officer_hours": [1.0, 1, 1, 1]})
    more = base.assign(arrests_total=base["arrests_total"] + [2.0, 3, 2, 3],
                       officer_hours=2.0)
    same = base.copy()
    table = marginal_table(base, {"more": more, "same": same},
                           ("arrests_total", "officer_hours"))
    row = table.set_index(["block", "outcome"]).loc[("more", "arrests_total")]
    assert row["mean"] == 2.5 and row["ci_low"] > 0
    assert effects(table) == {"more": ["arrests_total"]}  # officer-hours is accounting


def test_the_base_holds_the_same_units_in_the_same_order_as_a_block_that_adds_none():
    """The base of the table is pinned like the blocks: a Frontex block moves no officer, so
    its units are the base's in the same order (a reordered allocation would draw differently
    and show differences where the block changes nothing)."""
    scenario = load_scenario(BASELINE)
    base = _scenario(_pinned(scenario, ROUTE_GRAPH), "pinned")
    units = [(u.country, u.agency, u.posting, u.place, u.officers)
             for u in build_units(base, ROUTE_GRAPH)]
    for block in blocks(scenario, ROUTE_GRAPH):
        if block.resource in ("thermal_vision", "document_experts", "detection_kit"):
            assert [(u.country, u.agency, u.posting, u.place, u.officers)
                    for u in build_units(block.scenario, ROUTE_GRAPH)] == units


def test_a_silent_coordination_block_says_why_from_the_centre_load():
    base = pd.DataFrame({"replicate": [0, 1], "centre_messages_relayed": [200.0, 220.0],
                         "centre_wait_hours": [1.5, 2.5]})
    block = Block("officers_coordination", "coordination", "skopje", load_scenario(BASELINE))
    text = why_not(block, base, None)
    assert "not the bottleneck" in text and "210 messages" in text and "2.0 h" in text
