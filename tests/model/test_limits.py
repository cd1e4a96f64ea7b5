"""Limit cases, where the right answer is known without the model: no officers, no criminals,
no traffic, unlimited checks. Each runs with every invariant checked every hour. An action of
no days is refused by the schema."""

from __future__ import annotations

import numpy as np
import pytest
from strategies import CROSSINGS, GRAPH, SMALL, baseline, run_model, small_scenario

from sim.model.agents import MovementState
from sim.model.outcomes import ARREST_COLUMNS, DRUG_COLUMNS
from sim.scenario.files import ScenarioError, merge, scenario_from_mapping

DETECTED = ("illegal_entries_detected", "forged_documents", "victims_identified",
            "weapons_seized", "ammunition_seized", *DRUG_COLUMNS.values(), "drugs_kg_total",
            "arrests_total", *ARREST_COLUMNS.values(), "movements_intercepted", "cases_opened",
            "networks_disrupted", "alerts_relayed")
CHECKS = ("checks_persons", "checks_vehicles", "checks_parcels", "checks_premises",
          "checks_total", "online_targets_examined")
# What a movement carries into the tally when it is stopped (the 'other' arrests of wanted
# persons and local-lead finds come from checks and searches, not from movements).
FROM_MOVEMENTS = ("illegal_entries_detected", "forged_documents", "victims_identified",
                  "ammunition_seized", "cocaine_kg", "heroin_kg", "synthetic_kg",
                  *(c for c in ARREST_COLUMNS.values() if c != "arrests_other"),
                  "movements_intercepted", "movements_attempted", "movements_delivered",
                  "movements_displaced", "cases_opened", "alerts_relayed")


def nobody(scenario_countries: dict) -> dict:
    return {code: {"officers": 0} for code in scenario_countries}


@pytest.mark.parametrize("targeting", ["random", "intelligence_led"])
def test_no_officers_no_checks_detections_arrests_or_seizures(targeting):
    # Frontex equipment and scanning teams would have no host officers: validation refuses them
    # (test_a_scanning_team_without_host_officers_...), so they go too.
    scenario = baseline(action={"days": 1}, targeting=targeting,
                        countries=nobody(baseline().countries),
                        scanning_teams={"teams": []}, frontex=[],
                        intelligence={"coverage": 1.0, "targeted_share": 1.0})
    assert scenario.officers_total == 0
    model = run_model(scenario, 3, check_invariants=True)
    outcomes = model.outcomes()
    assert outcomes["movements_attempted"] > 0  # criminals go on without anyone to stop them
    for name in (*DETECTED, *CHECKS, "officer_hours", "mean_wait_minutes", "max_wait_minutes"):
        assert outcomes[name] == 0, name
    # criminals still move, adapt and arrive: only those events remain
    assert {e["kind"] for e in model.events} <= {"displacement", "delivery"}
    assert not any(m.state == MovementState.INTERCEPTED for m in model.movements)


def test_a_scanning_team_without_host_officers_checks_nothing_and_nobody_patrols():
    """A visiting scanning team works under the host country's officers: with no officers
    anywhere there are no checks at its crossing either, and nothing is found on the green
    border without a patrol, thermal cameras or not. Validation refuses such a scenario; past
    the refusal, the model still does nothing with the team."""
    changes = {"countries": {"GR": {"officers": 0}, "MK": {"officers": 0},
                             "BG": {"officers": 0}, "TR": {"officers": 0}}}
    with pytest.raises(ScenarioError, match="would scan nothing"):
        small_scenario(**changes)
    scenario = scenario_from_mapping(merge(SMALL, changes), label="test")
    assert scenario.scanning_teams.teams
    model = run_model(scenario, 4, check_invariants=True)
    outcomes = model.outcomes()
    assert outcomes["officer_hours"] == 0
    assert outcomes["checks_total"] == 0
    assert {e["kind"] for e in model.events} <= {"displacement", "delivery"}


def test_no_criminal_networks_nothing_arrested_or_seized_while_checks_go_on():
    """Finds come only from the criminal population: no networks, no premises, no wanted
    persons (they scale with criminal.networks_scale), so checks and searches find nothing."""
    model = run_model(small_scenario(criminal={"flow_scale": 0, "networks_scale": 0}), 3,
                      check_invariants=True)
    outcomes = model.outcomes()
    assert outcomes["checks_total"] > 0 and outcomes["checks_vehicles"] > 0
    assert outcomes["checks_premises"] > 0
    assert model.networks == [] and model.movements == []
    for name in (*FROM_MOVEMENTS, "arrests_total", "arrests_other", "weapons_seized",
                 "cannabis_kg", "drugs_kg_total"):
        assert outcomes[name] == 0, name
    assert model.events == []


def test_no_criminal_movements_no_interceptions_while_networks_are_searched():
    model = run_model(small_scenario(criminal={"flow_scale": 0}), 3, check_invariants=True)
    outcomes = model.outcomes()
    assert model.networks and not model.movements
    assert outcomes["checks_total"] > 0
    for name in ("movements_intercepted", "movements_attempted", "movements_delivered",
                 "movements_displaced", "alerts_relayed"):
        assert outcomes[name] == 0, name
    assert not any(e["kind"] == "interception" for e in model.events)
    # every seizure and arrest comes from a premises search or a database hit
    assert {e["kind"] for e in model.events} <= {"wanted_person", "premises_find", "cyber_lead"}


def test_no_legitimate_traffic_no_queues():
    model = run_model(small_scenario(traffic={"scale": 0}), 3, check_invariants=True)
    outcomes = model.outcomes()
    assert outcomes["legitimate_vehicles"] == 0
    assert outcomes["mean_wait_minutes"] == 0 and outcomes["max_wait_minutes"] == 0
    assert all(c.queue_vehicles == 0 and c.wait_minutes == 0 for c in model.crossings)
    crossings = [model.place_index[c.place] for c in model.crossings]
    assert model.tally.values[model.tally.index["checks_vehicles"], crossings].sum() == 0
    assert outcomes["officer_hours"] > 0 and outcomes["checks_total"] > 0


@pytest.mark.parametrize("make", [small_scenario, baseline])
def test_an_action_of_zero_days_is_refused_before_it_runs(make):
    """Zero days used to run and report every outcome as 0 (a mean wait of 0 rather than
    undefined); the schema now asks for at least one day."""
    with pytest.raises(ScenarioError, match=r"action\.days: Input should be greater than or "
                       "equal to 1"):
        make(action={"days": 0})


def unlimited_checks() -> dict:
    """Both sides of every crossing staffed round the clock by units whose booths (the customs
    documents a part of them) and checks take no time at all and who refer every vehicle to the
    second line, and every check finds everything."""
    postings, countries = [], {}
    for crossing in CROSSINGS:
        for side in ("country_a", "country_b"):
            country = GRAPH.nodes[crossing][side]
            postings.append({"country": country, "agency": "border_police",
                             "posting": "crossing", "place": crossing, "officers": 120,
                             "unit_size": 4})
            countries[country] = {"officers": countries.get(country, {"officers": 0})[
                "officers"] + 120, "shares": {"crossing": 1.0}}
    instant = 1e-6
    return {"countries": countries, "postings": postings, "targeting": "random",
            "scanning_teams": {"teams": []}, "frontex": [],
            "parameters": {"second_line_referral_share": 1.0, "lane_blocking_seconds": 0.0,
                           "first_line_seconds": dict.fromkeys(("car", "bus", "lorry"), instant),
                           "customs_first_line_seconds": dict.fromkeys(("car", "bus", "lorry"),
                                                                       0.0),
                           "second_line_car_minutes": instant,
                           "second_line_bus_minutes": instant,
                           "second_line_lorry_minutes": instant,
                           "person_check_officer_minutes": 1e-6,
                           "detection_manual": {"none": 1.0, "simple": 1.0, "professional": 1.0,
                                                "structural": 1.0},
                           "forged_document_detection": 1.0, "adaptivity": 0.0}}


def test_unlimited_capacity_checks_every_arrival():
    scenario = small_scenario(**unlimited_checks())
    model = run_model(scenario, 3, check_invariants=True)
    tally = model.tally
    crossings = [model.place_index[c.place] for c in model.crossings]
    checked = tally.values[tally.index["checks_vehicles"], crossings]
    arrived = tally.values[tally.index["legitimate_vehicles"], crossings]
    assert arrived.sum() > 0
    np.testing.assert_allclose(checked, arrived, rtol=1e-6, atol=1e-6)
    # and no vehicle of a criminal network gets through a crossing unchecked
    kind = {p: GRAPH.nodes[p]["kind"] for p in GRAPH.nodes}
    for movement in model.movements:
        if movement.kind == "parcel" or movement.state == MovementState.PLANNED:
            continue
        passed = movement.route[: movement.leg + (movement.state == MovementState.DELIVERED)]
        assert not any(kind[p] == "crossing" for p in passed), (movement.unique_id, passed)
    assert model.outcomes()["movements_intercepted"] > 0
