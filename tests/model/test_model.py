"""The Mesa model as a whole: the baseline's shape, its agents and space, and mesa.batch_run."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest
from mesa.discrete_space import Network
from strategies import ROUTE_GRAPH, run_model, small_scenario

from sim.model import JointActionModel
from sim.model.agents import (
    BorderCrossing,
    CoordinationCentre,
    CriminalNetwork,
    EuropolSupport,
    FrontexDeployment,
    GreenBorderSector,
    Movement,
    MovementState,
    OfficerUnit,
    ScanningTeam,
)
from sim.model.outcomes import OUTCOME_NAMES

PUBLISHED_OFFICERS = 22_488


@pytest.fixture(scope="module")
def baseline_model() -> JointActionModel:
    return JointActionModel(rng=20231113, route_graph=ROUTE_GRAPH).run()


def test_the_baseline_runs_six_days_of_hours(baseline_model):
    assert baseline_model.hours == 144
    assert baseline_model.tick == 144 and not baseline_model.running
    assert baseline_model.day == 5
    assert set(baseline_model.outcomes()) == set(OUTCOME_NAMES)


def test_the_baseline_puts_every_published_officer_in_a_unit(baseline_model):
    assert sum(unit.officers for unit in baseline_model.units) == PUBLISHED_OFFICERS
    assert baseline_model.outcomes()["officers_deployed"] == PUBLISHED_OFFICERS
    assert all(unit.officers > 0 for unit in baseline_model.units)


def test_the_baseline_has_agents_of_every_type(baseline_model):
    types = {type(agent) for agent in baseline_model.agents}
    assert {OfficerUnit, BorderCrossing, GreenBorderSector, ScanningTeam, FrontexDeployment,
            CriminalNetwork, Movement, CoordinationCentre, EuropolSupport} <= types
    assert len(baseline_model.scanning_teams) == 2
    assert {t.place for t in baseline_model.scanning_teams} == {"evzonoi", "debeli_brijeg"}
    assert baseline_model.centre.place == "skopje"
    states = {m.state for m in baseline_model.movements}
    assert {MovementState.INTERCEPTED, MovementState.DELIVERED} <= states


def test_the_space_is_the_route_graph_with_real_coordinates(baseline_model):
    space = baseline_model.space
    assert isinstance(space, Network)
    graph = baseline_model.graph
    assert set(space._cells) == set(graph.nodes)
    for node, attributes in graph.nodes(data=True):
        np.testing.assert_allclose(space[node].position, (attributes["lon"], attributes["lat"]))
    # the region: South East Europe and the destination countries, in degrees
    for crossing in baseline_model.crossings:
        lon, lat = crossing.cell.position
        assert 12 < lon < 32 and 35 < lat < 50, crossing.place
        assert crossing in crossing.cell.agents
    evzonoi = space["evzonoi"].position
    assert evzonoi == pytest.approx((22.6, 41.1), abs=0.2)


def test_agents_stand_on_their_places(baseline_model):
    for team in baseline_model.scanning_teams:
        assert team.cell is baseline_model.space[team.place]
    for sector in baseline_model.sectors.values():
        assert sector.cell is baseline_model.space[sector.place]
    for movement in baseline_model.movements:
        if movement.state != MovementState.PLANNED and movement.cell is not None:
            assert movement.cell.coordinate in movement.route


def test_the_datacollector_records_the_start_and_each_hour(baseline_model):
    frame = baseline_model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 1 + 6 * 24
    assert frame["checks_total"].is_monotonic_increasing
    assert frame["arrests_total"].iloc[-1] == baseline_model.outcomes()["arrests_total"]


def test_mesa_batch_run_varies_plain_keyword_parameters():
    rows = mesa.batch_run(
        JointActionModel,
        parameters={"action__days": 1, "criminal__networks_scale": 0.2,
                    "europol__coordination_centre__enabled": [True, False]},
        rng=[1, 2], number_processes=1, display_progress=False)
    frame = pd.DataFrame(rows)
    assert len(frame.groupby(["europol__coordination_centre__enabled", "rng"])) == 4
    assert set(frame["rng"]) == {1, 2} and (frame["Step"] == 24).all()
    assert (frame["checks_total"] > 0).all()
    # same seed, same traffic and staffing: the centre changes who is caught and, through the
    # flagged vehicles the second line takes in, which vehicles are checked, not how many the
    # officers can check (within a few per thousand)
    checks = frame.groupby("rng")["checks_total"].agg(["min", "max"])
    assert (checks["max"] - checks["min"] <= 0.005 * checks["max"]).all()
    officer_hours = frame.groupby("rng")["officer_hours_crossing"].nunique()
    assert (officer_hours == 1).all()


def test_overrides_use_double_underscores_like_batch_run():
    model = JointActionModel(small_scenario(), rng=1, route_graph=ROUTE_GRAPH,
                             europol__coordination_centre__enabled=False,
                             parameters__adaptivity=0.0)
    assert model.centre is None and model.parameters.adaptivity == 0.0
    assert run_model(small_scenario(), 1).tick == 24
