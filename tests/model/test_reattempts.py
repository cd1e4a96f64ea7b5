"""Detections are not persons: migrant groups turned back at a border try again
(sim/model/reattempts.py), every stop needs a detection, and a higher re-attempt probability
shrinks what the green-border officers stop."""

from __future__ import annotations

import numpy as np
import pytest
from strategies import ROUTE_GRAPH, baseline, run_model, small_scenario

from sim.model import BASELINE, JointActionModel, reattempts
from sim.model.agents import Cargo, Movement, MovementState
from sim.model.reattempts import ends_in_turn_back, reattempt_decision
from sim.scenario.files import load_scenario
from sim.scenario.schema import DEFAULT_SHARES


def test_only_migrant_groups_at_a_border_are_turned_back():
    assert ends_in_turn_back("migrant_smuggling", "green_border")
    assert ends_in_turn_back("migrant_smuggling", "crossing")
    assert not ends_in_turn_back("migrant_smuggling", "hub")  # inland: apprehended
    for area in ("drug_trafficking", "firearms_trafficking", "thb", "high_risk_networks"):
        assert not ends_in_turn_back(area, "crossing")  # loads seized, victims identified


def test_a_decision_and_its_delay_do_not_depend_on_the_probability():
    """Two draws each time: raising the probability only turns give-ups into re-attempts, the
    delays of the groups that went again anyway stay the same (paired comparisons)."""
    low = [reattempt_decision(np.random.default_rng(k), 0.3, 72.0, 2.0) for k in range(300)]
    high = [reattempt_decision(np.random.default_rng(k), 0.9, 72.0, 2.0) for k in range(300)]
    assert all(h == lo for lo, h in zip(low, high, strict=True) if lo is not None)
    assert sum(h is not None for h in high) > sum(lo is not None for lo in low)


def test_a_group_gets_the_same_decisions_under_another_allocation():
    """Common random numbers: the movements, in order, and so each movement's serial and its
    own re-attempt draws are the same whatever the officers do."""
    moved = baseline(action={"days": 1}, postings=[
        {"country": "GR", "agency": "border_police", "posting": "green_border",
         "place": "gb_evros", "officers": 300}])
    models = [JointActionModel(scenario, rng=4, route_graph=ROUTE_GRAPH)
              for scenario in (baseline(action={"days": 1}), moved)]
    keys = [[(m.serial, m.network.corridor.id, m.kind, m.cargo.migrants) for m in model.movements]
            for model in models]
    assert keys[0] == keys[1] and len(keys[0]) > 100
    draws = [[reattempt_decision(model.streams.keyed("reattempts", serial), 0.5, 72.0, 2.0)
              for serial in range(50)] for model in models]
    assert draws[0] == draws[1]


def _group_at_sector(model: JointActionModel) -> tuple[Movement, int]:
    """A planned migrant group on foot whose route crosses a green-border sector (not first)."""
    kind = model.route_planner.kind
    for movement in model.movements:
        if movement.network.crime_area == "migrant_smuggling" and movement.kind == "foot_group":
            legs = [i for i, p in enumerate(movement.route) if kind[p] == "green_border"]
            if legs and legs[0] > 0:
                return movement, legs[0]
    raise AssertionError("no migrant group crosses a sector in this scenario")


@pytest.mark.parametrize(("probability", "delay"), [(0.3, 30.0), (0.8, 72.0)])
def test_a_group_turned_back_at_a_sector_tries_again_with_the_stated_probability_and_delay(
        probability, delay):
    """4,000 groups turned back at the same sector at hour 10: the share that tries again is
    the parameter within 4 standard errors (binomial), their mean delay the parameter within 4
    standard errors (gamma, shape 2: sd = mean / sqrt 2), and every one that goes again within
    the action starts from the place before the border at its drawn hour."""
    model = JointActionModel(small_scenario(action={"days": 30}, parameters={
        "reattempt_probability": probability, "reattempt_delay_hours": delay}),
        rng=3, route_graph=ROUTE_GRAPH)
    group, leg = _group_at_sector(model)
    sector, before = group.route[leg], group.route[leg - 1]
    model.clock = 10.0
    draws, retries = 4000, []
    for serial in range(10_000, 10_000 + draws):  # serials no movement of the model uses
        copy = Movement(model, network=group.network, kind="foot_group", route=list(group.route),
                        departure=0.0, concealment="none", cargo=Cargo(crew=1, migrants=9),
                        uniforms=group.uniforms)
        copy.serial, copy.leg, copy.state = serial, leg, MovementState.IN_TRANSIT
        retry = reattempts.turn_back(model, copy, sector)
        assert copy.turned_back_at == [sector]
        if retry is None:
            assert copy.state == MovementState.INTERCEPTED
            continue
        retries.append(retry - 10.0)
        assert copy.state == MovementState.TURNED_BACK and copy.retry_at == retry
        if retry < model.hours:
            assert copy.route[copy.leg] == before and copy.time == retry
            assert copy.route[-1] == group.route[-1]
    share = len(retries) / draws
    assert abs(share - probability) < 4 * np.sqrt(probability * (1 - probability) / draws)
    assert abs(np.mean(retries) - delay) < 4 * delay / np.sqrt(2 * len(retries))
    assert min(retries) > 0


def test_groups_turned_back_come_back_and_are_counted():
    """Busy small runs: groups are turned back and try again within the action; stops,
    detections and re-attempts agree with the events (the invariants run every hour)."""
    busy = small_scenario(action={"days": 3}, criminal={"flow_scale": 2.0},
                          parameters={"reattempt_probability": 1.0,
                                      "reattempt_delay_hours": 12.0})
    came_back = 0
    for seed in (1, 2):
        model = run_model(busy, seed, check_invariants=True)
        outcomes = model.outcomes()
        came_back += outcomes["reattempts"]
        assert outcomes["groups_turned_back"] > 0
        assert outcomes["movements_intercepted"] >= outcomes["groups_turned_back"]
        # nobody gives up: every migrant stop is inland or a retry beyond the window
        turned = [e for e in model.events if e["kind"] == "interception" and e["turned_back"]]
        assert all(e["retry_at"] is not None for e in turned)
    assert came_back > 0


@pytest.mark.parametrize("seed", range(6))
def test_every_stop_needs_a_detection_in_every_replicate(seed):
    model = run_model(small_scenario(action={"days": 2}, criminal={"flow_scale": 2.0}), seed)
    outcomes = model.outcomes()
    assert outcomes["detections"] >= outcomes["movements_stopped"] > 0
    assert outcomes["detections"] >= outcomes["movements_intercepted"]
    assert outcomes["illegal_entries_detected"] >= outcomes["migrants_detected_distinct"]


def test_the_baseline_counts_detections_not_persons():
    model = run_model(baseline(action={"days": 3}), 11)
    outcomes = model.outcomes()
    assert outcomes["reattempts"] > 0
    assert outcomes["illegal_entries_detected"] > outcomes["migrants_detected_distinct"]
    assert outcomes["movements_intercepted"] > outcomes["movements_stopped"]
    assert outcomes["movements_stopped"] == sum(
        outcomes[f"movements_stopped_{area}"] for area in (
            "migrant_smuggling", "drug_trafficking", "firearms_trafficking", "thb",
            "high_risk_networks"))


def _without_green_border_officers(data: dict) -> dict:
    """The countries of the baseline that have a green-border sector, without their
    green-border officers (the contingent less its green-border share, the other postings as
    they were)."""
    graph = ROUTE_GRAPH.graph
    with_sector = {graph.nodes[s][side] for s in ROUTE_GRAPH.ids_of_kind("green_border")
                   for side in ("country_a", "country_b")}
    share = DEFAULT_SHARES["green_border"]
    shares = {k: 0.0 if k == "green_border" else v / (1.0 - share)
              for k, v in DEFAULT_SHARES.items()}
    return {code: {**entry, "officers": round(entry["officers"] * (1.0 - share)),
                   "shares": shares}
            for code, entry in data["countries"].items() if code in with_sector}


@pytest.mark.slow
def test_more_reattempts_shrink_what_green_border_officers_stop():
    """Paired, 30 replicates of two baseline days: what the green-border officers stop (the
    baseline against the same without them) is more when few turned-back groups try again
    (0.3) than when nearly all do (0.95): with re-attempts a turn-back is mostly a delay, not
    a stop. Fixture: the crossings' spare officers do not patrol the sectors and no thermal
    cameras watch them (they need officers on the sector), so the sectors' patrols are the
    green-border officers alone. (Measured: +12.9 movements stopped at 0.3, +6.4 at 0.95, for
    +16 groups turned back at either; with patrol_detection_per_officer_km at the low end of
    its range, 0.02, the difference is 0.7, t 4.6.) Moving a sixth of the crossing officers
    and a quarter of the road officers onto the green border, as this test did before, no
    longer stops more: spare crossing officers already patrol the adjoining sectors, past the
    saturation density, and the crossings lose second-line teams."""
    data = load_scenario(BASELINE).model_dump(mode="json")
    without = _without_green_border_officers(data)
    frontex = [d for d in data["frontex"] if d["kind"] != "thermal_vision"]
    gains = {}
    for probability in (0.3, 0.95):
        parameters = {"reattempt_probability": probability, "crossing_surplus_patrol": 0.0}
        base = baseline(action={"days": 2}, parameters=parameters, frontex=frontex,
                        countries=without)
        patrolled = baseline(action={"days": 2}, parameters=parameters, frontex=frontex)
        gains[probability] = np.array([
            run_model(patrolled, seed).outcomes()["movements_stopped"]
            - run_model(base, seed).outcomes()["movements_stopped"] for seed in range(30)])
    difference = gains[0.3] - gains[0.95]
    assert gains[0.3].mean() > 0
    assert difference.mean() > 2 * difference.std(ddof=1) / np.sqrt(len(difference))
