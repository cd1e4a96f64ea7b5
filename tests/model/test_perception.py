"""Criminals see the police: a network that watches the checks on its routes shifts its trips
away from heavily checked places, and times them (darkness on the green border, busy hours at
crossings). Paired: the same networks, trips and draws in both scenarios."""

from __future__ import annotations

import itertools

from strategies import ROUTE_GRAPH, SMALL, run_model, small_scenario

from sim.model import JointActionModel
from sim.scenario.schema import DEFAULT_SHARES

SEEDS = (1, 4, 7)
PLACE = "evzonoi"


def _scenario(heavy: bool):
    shares = dict(DEFAULT_SHARES)  # GR and MK: no officers at any crossing ...
    shares["road_checkpoint"] += shares["crossing"]
    shares["crossing"] = 0.0
    countries = {code: {"officers": c["officers"]} for code, c in SMALL["countries"].items()}
    countries["GR"]["shares"] = countries["MK"]["shares"] = shares
    # ... but North Macedonia's side of this one, where the northbound trips enter
    postings = ([{"country": "MK", "agency": "border_police", "posting": "crossing",
                  "place": PLACE, "officers": 700}] if heavy else [])
    return small_scenario(action={"days": 3}, countries=countries, postings=postings,
                          scanning_teams={"teams": []},  # no host officers for it at evzonoi
                          criminal={"networks_scale": 1.0},
                          crossing_sides={"unstaffed": "unchecked"},  # the others wave through
                          parameters={"check_awareness": 0.8})


def _shifted_away(model) -> list:
    """Movements whose usual route crossed PLACE and that now go elsewhere."""
    shifted = []
    for event in model.events:
        if event["kind"] == "displacement" and "checks seen" in event["detail"]:
            before = event["detail"].split("checked places ")[1].split(" -> ")[0].split(">")
            if PLACE in before:
                shifted.append(event)
    return shifted


def test_a_network_facing_heavy_checks_on_its_usual_crossing_shifts_elsewhere_paired():
    heavy = [run_model(_scenario(True), seed) for seed in SEEDS]
    none = [run_model(_scenario(False), seed) for seed in SEEDS]
    for a, b in zip(heavy, none, strict=True):  # same criminals, same watchers
        assert len(a.movements) == len(b.movements)
        assert [n.watches_checks for n in a.networks] == [n.watches_checks for n in b.networks]
    shifted_heavy = [e for m in heavy for e in _shifted_away(m)]
    shifted_none = [e for m in none for e in _shifted_away(m)]
    assert len(shifted_heavy) > len(shifted_none)
    assert len(shifted_heavy) >= 5
    for event in shifted_heavy:  # the event names the places avoided
        assert PLACE in event["detail"].split("checks seen at ")[1].split(";")[0]


def test_networks_that_do_not_watch_keep_their_routes_and_random_hours():
    model = run_model(small_scenario(action={"days": 2},
                                     parameters={"check_awareness": 0.0}), 5)
    assert not any("checks seen" in e.get("detail", "") for e in model.events)
    assert not any(n.watches_checks for n in model.networks)


def _green_border_arrivals(check_awareness: float) -> list[int]:
    """Hour of day at which each group on foot whose first checked place is a green-border
    sector is planned to reach it (the plan made before the action: reactions to seizures
    and re-attempts re-time trips later, by their own rules)."""
    model = JointActionModel(small_scenario(action={"days": 3},
                                            criminal={"networks_scale": 1.0},
                                            parameters={"check_awareness": check_awareness}),
                             rng=2, route_graph=ROUTE_GRAPH)
    start = model.scenario_spec.action.start.hour
    arrivals = []
    for movement in model.movements:
        if movement.kind != "foot_group":
            continue
        route = tuple(movement.route)
        checked = model.route_planner.checked_places(route)
        if not checked or model.graph.nodes[checked[0]]["kind"] != "green_border":
            continue
        first = checked[0]
        hours = sum(model.graph.edges[a, b]["hours"]
                    for a, b in itertools.pairwise(route[:route.index(first) + 1]))
        arrivals.append(round(start + movement.departure + hours) % 24)
    return arrivals


def test_watching_groups_on_foot_reach_the_green_border_after_dark():
    """Every group on foot of a network that watches the checks, and whose first checked place
    is a green-border sector, sets off so as to reach it at 21:00; groups of networks that do
    not watch arrive at any hour. (A watching network may also send a group through a busy
    crossing, where it hides in the traffic: that group is timed to the crossing's quietest
    hour instead, and is not counted here.)"""
    watching, blind = _green_border_arrivals(1.0), _green_border_arrivals(0.0)
    assert len(watching) >= 20 and len(blind) >= 20
    assert all(hour == 21 for hour in watching), watching
    assert sum(hour == 21 for hour in blind) < 0.5 * len(blind)
