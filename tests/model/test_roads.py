"""Road checks stand on route segments: a segment's traffic is its road class's rule plus the
published vehicles of the crossings at its ends, and the chance to stop a passing criminal
vehicle is the checkpoint officers' capacity against that traffic."""

from __future__ import annotations

from strategies import GRAPH, SMALL, run_model, small_scenario

from sim.model.roads import RoadSegments
from sim.scenario.schema import DEFAULT_SHARES

SEEDS = (2, 6, 9)


def _road_heavy(road_share: float):
    shares = dict(DEFAULT_SHARES)
    shares["crossing"] += shares["road_checkpoint"] - road_share
    shares["road_checkpoint"] = road_share
    if road_share == 0.0:  # a country without a port would pass its port share to the roads
        shares["crossing"] += shares.pop("port")
    return small_scenario(action={"days": 3}, criminal={"networks_scale": 1.0},
                          countries={code: {"officers": c["officers"], "shares": shares}
                                     for code, c in SMALL["countries"].items()})


def _road_stops(model) -> int:
    parcels = {m.unique_id for m in model.movements if m.kind == "parcel"}  # parcel centres
    return sum(e["kind"] == "interception" and GRAPH.nodes[e["place"]]["kind"] in
               ("hub", "destination") and e["movement"] not in parcels for e in model.events)


def _inland_vehicle_checks(model) -> float:
    """Vehicle checks away from the crossings (road checkpoints and port containers)."""
    tally = model.tally
    inland = [i for i, p in enumerate(model.place_ids) if GRAPH.nodes[p]["kind"] != "crossing"]
    return float(tally.values[tally.index["checks_vehicles"], inland].sum())


def test_segment_traffic_is_the_road_class_plus_the_crossings_at_its_ends():
    model = run_model(small_scenario(action={"days": 1}), 1)
    roads: RoadSegments = model.roads
    per_day = model.parameters.road_vehicles_per_day
    for (a, b), traffic in zip(roads.segments, roads.traffic_per_day, strict=True):
        edge = GRAPH.get_edge_data(a, b) or GRAPH.get_edge_data(b, a)
        expected = per_day[edge["road"]] + sum(
            float(GRAPH.nodes[p]["vehicles_per_day"]) for p in (a, b)
            if GRAPH.nodes[p]["kind"] == "crossing")
        assert traffic == expected
    assert {(GRAPH.get_edge_data(*s) or GRAPH.get_edge_data(*reversed(s)))["road"]
            for s in roads.segments} == {"motorway", "other"}


def test_more_road_officers_stop_more_criminal_vehicles_on_the_roads_paired():
    few = [run_model(_road_heavy(0.05), seed) for seed in SEEDS]
    many = [run_model(_road_heavy(0.6), seed) for seed in SEEDS]
    assert sum(map(_road_stops, many)) > sum(map(_road_stops, few))
    # (the crossing officers the roads take would have checked more vehicles at the crossings)
    assert sum(map(_inland_vehicle_checks, many)) > sum(map(_inland_vehicle_checks, few))


def test_a_segment_without_checkpoint_officers_checks_nobody():
    model = run_model(_road_heavy(0.0), 3, check_invariants=True)
    assert model.roads.share.max() == 0.0
    assert _road_stops(model) == 0
