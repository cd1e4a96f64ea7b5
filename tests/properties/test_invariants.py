"""The model's invariants: they hold over random small scenarios, and each one fires when the
model state is broken by hand (so a silent invariant cannot pass for a proof)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import ROUTE_GRAPH, baseline, run_model, small_scenario, small_scenarios

from sim.model import JointActionModel, invariants
from sim.model.agents import MovementState
from sim.model.information import Alert
from sim.model.invariants import InvariantViolation


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios())
def test_every_invariant_holds_in_random_small_scenarios(case):
    scenario, seed = case
    model = run_model(scenario, seed, check_invariants=True)
    assert model.tick == model.hours and not model.running
    invariants.check_cases(model)  # after the follow-up: cases are opened in finish()


def test_every_invariant_holds_where_every_kind_of_detection_happens():
    """Two busy days of the small scenario, three seeds: together they stop movements by manual
    search, scanner, detection kit, green-border patrol and thermal camera, find premises and
    wanted persons, and displace networks, so every mechanism's bookkeeping is checked."""
    busy = small_scenario(action={"days": 2}, criminal={"flow_scale": 2.0, "networks_scale": 0.6},
                          parameters={"wanted_person_rate": 0.001})
    equipment, kinds = set(), set()
    for seed in (1, 2, 3):
        model = run_model(busy, seed, check_invariants=True)
        equipment |= {e["equipment"] for e in model.events if e["kind"] == "interception"}
        kinds |= {e["kind"] for e in model.events}
    assert equipment >= {"manual", "scanner", "detection_kit", "patrol", "thermal_vision"}
    assert kinds >= {"interception", "wanted_person", "premises_find", "displacement"}


def test_every_invariant_holds_in_the_baseline_for_two_days():
    model = run_model(baseline(action={"days": 2}), 20231113, check_invariants=True)
    assert model.outcomes()["movements_intercepted"] > 0


# --- each invariant fires on a hand-broken state ---------------------------------------------

class PausedError(Exception):
    """Raised in place of the invariant checks to stop a model mid-step."""


def paused(tick: int = 20, seed: int = 5, **changes) -> JointActionModel:
    """A small model stopped after hour `tick` has run, where the invariants are checked:
    every check passes here, so what a test breaks is what makes one fire."""
    model = JointActionModel(small_scenario(**changes), rng=seed, route_graph=ROUTE_GRAPH,
                             check_invariants=True)

    def pause(m: JointActionModel) -> None:
        if m.tick == tick:
            raise PausedError

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(invariants, "check_all", pause)
        with pytest.raises(PausedError):
            model.run()
    invariants.check_all(model)
    return model


def fires(check, model: JointActionModel, invariant: str) -> InvariantViolation:
    with pytest.raises(InvariantViolation) as caught:
        check(model)
    assert caught.value.invariant == invariant
    assert f"tick {model.tick}" in str(caught.value)
    return caught.value


def first(model: JointActionModel, state: MovementState):
    return next(m for m in model.movements if m.state == state)


def test_an_impossible_movement_state_fires():
    model = paused()
    first(model, MovementState.IN_TRANSIT).state = 9
    error = fires(invariants.check_movements, model, "one state per movement")
    assert error.agent != "-"


def test_a_movement_left_held_fires():
    model = paused()
    movement = first(model, MovementState.IN_TRANSIT)
    movement.state = MovementState.HELD
    error = fires(invariants.check_movements, model, "no movement left held after the hour")
    assert error.agent == str(movement.unique_id) and error.place == movement.place


def test_an_interception_without_its_event_fires():
    model = paused()
    first(model, MovementState.IN_TRANSIT).state = MovementState.INTERCEPTED
    fires(invariants.check_movements, model, "one state per movement")


def test_a_delivery_short_of_the_destination_fires():
    model = paused()
    movement = next(m for m in model.movements
                    if m.state == MovementState.IN_TRANSIT and m.leg < len(m.route) - 1)
    movement.state = MovementState.DELIVERED
    fires(invariants.check_movements, model, "one state per movement")


def test_a_planned_movement_past_its_departure_fires():
    model = paused()
    movement = first(model, MovementState.PLANNED)
    movement.departure = 0.5
    fires(invariants.check_movements, model, "time only moves forward")


def test_cargo_that_vanishes_after_an_interception_fires():
    model = paused()
    movement = next(m for m in model.movements if m.state == MovementState.INTERCEPTED
                    and m.cargo.migrants > 0)
    movement.cargo.migrants += 1
    error = fires(invariants.check_movements, model, "persons and goods conserved")
    assert error.agent == str(movement.unique_id)


def test_a_lost_migrant_fires():
    model = paused()
    movements = {m.unique_id: m for m in model.movements}
    event = next(e for e in model.events if e["kind"] == "interception"
                 and movements[e["movement"]].cargo.migrants > 0)
    model.tally.add("illegal_entries_detected", model.place_index[event["place"]],
                    event["day"] - 1, -1)
    fires(invariants.check_movements, model, "persons and goods conserved")
    error = fires(invariants.check_counters, model, "persons and goods conserved")
    assert error.place == event["place"]


def test_an_uncounted_interception_fires():
    model = paused()
    event = next(e for e in model.events if e["kind"] == "interception")
    model.tally.add("movements_intercepted", model.place_index[event["place"]], 0, -1)
    fires(invariants.check_movements, model, "movements conserved")


def test_a_stop_without_a_detection_fires():
    model = paused()
    model.summary_extra["movements_stopped"] = model.tally.total("detections") + 1
    error = fires(invariants.check_stops, model, "every stop needs a detection")
    assert "detections" in str(error)


def test_a_stop_that_is_not_counted_fires():
    model = paused()
    assert model.summary_extra["movements_stopped"] > 0
    model.summary_extra["movements_stopped_drug_trafficking"] += 1
    fires(invariants.check_stops, model, "movements conserved")


def test_a_detection_counted_twice_fires():
    model = paused()
    event = next(e for e in model.events if e["kind"] == "interception")
    model.tally.add("detections", model.place_index[event["place"]], 0, 1)
    fires(invariants.check_stops, model, "detections counted once each")


def test_a_load_turned_back_instead_of_seized_fires():
    model = paused()
    event = next(e for e in model.events if e["kind"] == "interception"
                 and not e["turned_back"])
    event["turned_back"], event["retry_at"] = True, model.hours + 1.0
    fires(invariants.check_movements, model, "only migrant groups at a border are turned back")


def test_a_movement_detected_after_its_trip_ended_fires():
    model = paused()
    event = next(e for e in model.events if e["kind"] == "interception"
                 and not e["turned_back"])
    model.events.append(dict(event))
    model.tally.add("movements_intercepted", model.place_index[event["place"]], 0, 1)
    error = fires(invariants.check_movements, model, "one stop per movement")
    assert error.agent == str(event["movement"])


def test_a_group_left_turned_back_past_its_next_attempt_fires():
    model = paused(parameters={"reattempt_probability": 1.0, "reattempt_delay_hours": 200.0})
    movement = first(model, MovementState.TURNED_BACK)
    movement.retry_at = 0.5
    fires(invariants.check_movements, model, "time only moves forward")


def test_units_that_do_not_add_up_fire():
    model = paused()
    model.units[0].officers += 1
    fires(invariants.check_officers, model, "units add up to the scenario's officers")


def test_on_duty_above_head_count_fires():
    model = paused()
    index = int(np.flatnonzero(model.on_duty_total[:, model.hour_of_day])[0])
    model.on_duty_total[index, model.hour_of_day] += 10_000
    error = fires(invariants.check_officers, model, "on duty never above head-count")
    assert error.place == model.place_ids[index]


def test_an_officer_in_two_places_fires():
    model = paused()
    hour = model.hour_of_day
    unit = next(u for u in model.units if u.on_duty(hour))
    elsewhere = next(i for i, p in enumerate(model.place_ids) if p != unit.place)
    model.units_at.setdefault((elsewhere, hour), []).append(unit)
    error = fires(invariants.check_officers, model, "no officer in two places in one hour")
    assert error.agent == str(unit.unique_id)


def test_a_unit_counted_at_two_places_fires():
    model = paused()
    hour = model.hour_of_day
    unit = next(u for u in model.units if u.on_duty(hour) and u.posting == "crossing")
    model.on_duty_total[model.place_index[unit.place], hour] -= unit.officers
    other = next(i for i, p in enumerate(model.place_ids) if p != unit.place)
    model.on_duty_total[other, hour] += unit.officers
    fires(invariants.check_officers, model, "no officer in two places in one hour")


def test_checks_above_capacity_fire():
    model = paused()
    state = model.crossing_state
    i = int(np.argmax(state.capacity))  # a crossing side
    state.checks[i] = state.capacity[i] + 1
    error = fires(invariants.check_capacity, model, "checks within capacity")
    assert error.place == model.place_ids[int(state.places[i // 2])]


def test_checks_beyond_the_officers_on_duty_fire():
    model = paused()
    state = model.crossing_state
    i = int(np.argmax(state.checks.sum(axis=1)))  # a crossing side
    state.on_duty = state.on_duty.copy()  # the staffing's own array is shared: read only
    state.on_duty[i, model.hour_of_day] = 0.0
    error = fires(invariants.check_capacity, model, "checks within capacity")
    assert error.place == model.place_ids[int(state.places[i // 2])]


def test_a_crossing_officer_hour_that_vanishes_fires():
    model = paused()
    state = model.crossing_state
    i = int(np.argmax(state.allocation.idle + state.allocation.second_line))
    state.allocation.second_line[i] -= 1.0
    fires(invariants.check_capacity, model,
          "every crossing officer-hour is in a booth, on a check, on patrol or idle")


def test_crossing_officers_on_patrol_that_no_crossing_sent_fire():
    model = paused()
    state = model.crossing_state
    sector = model.place_index["gb_evros"]
    state.sector_patrol[sector] += 1.0
    error = fires(invariants.check_capacity, model,
                  "every crossing officer-hour is in a booth, on a check, on patrol or idle")
    assert error.place == "gb_evros"


def test_a_sector_patrolled_only_by_crossing_officers_may_detect():
    """Greece and Turkey put every officer (4,000 each) at crossings: the Evros sector has no
    officers of its own, only crossing officers out on patrol (those the crossings' booths and
    inspection places cannot use), and its detections are no violation."""
    scenario = small_scenario(action={"days": 2}, criminal={"flow_scale": 2.0}, frontex=[],
                              countries={"GR": {"officers": 4000, "shares": {"crossing": 1.0}},
                                         "TR": {"officers": 4000, "shares": {"crossing": 1.0}}})
    detected = 0.0
    for seed in range(4):
        model = run_model(scenario, seed, check_invariants=True)
        evros = model.place_index["gb_evros"]
        assert model.on_duty["green_border"][evros].sum() == 0
        detected += model.tally.values[model.tally.index["illegal_entries_detected"], evros].sum()
    assert detected > 0


def test_post_checks_without_officers_fire():
    model = paused()
    hour = model.hour_of_day
    idle = next(i for i in range(len(model.place_ids)) if model.on_duty_total[i, hour] == 0)
    model.post_state.checks[idle] = 5
    fires(invariants.check_capacity, model, "checks within capacity")


def _event_at(model: JointActionModel, place: str, kind: str = "interception") -> None:
    model.record_event(kind, place, equipment="manual", persons=0)


def test_a_detection_without_a_check_fires():
    model = paused()
    hour = model.hour_of_day
    unchecked = next(c.place for c in model.crossings
                     if model.crossing_state.checks[c.index].sum() == 0
                     and model.post_state.checks[model.place_index[c.place]] == 0)
    _event_at(model, unchecked)
    error = fires(invariants.check_detections, model,
                  "detections only where a check or patrol happened")
    assert error.place == unchecked and model.hour_of_day == hour


def test_a_green_border_detection_without_a_patrol_fires():
    model = paused()
    hour = model.hour_of_day
    empty = next(s for s in model.sectors
                 if model.on_duty["green_border"][model.place_index[s], hour] == 0
                 and model.crossing_state.patrol_officers(s) == 0)
    _event_at(model, empty)
    fires(invariants.check_detections, model, "detections only where a check or patrol happened")


def test_a_wanted_person_where_nobody_checked_fires():
    model = paused()
    hour = model.hour_of_day
    idle = next(p for i, p in enumerate(model.place_ids)
                if model.on_duty_total[i, hour] == 0 and model.graph.nodes[p]["kind"] == "hub")
    _event_at(model, idle, "wanted_person")
    fires(invariants.check_detections, model, "detections only where a check or patrol happened")


def test_a_negative_counter_fires():
    model = paused()
    model.tally.values[model.tally.index["checks_parcels"], 3, 0] = -1
    fires(invariants.check_counters, model, "no counter is negative")


def test_arrests_outside_their_crime_area_fire():
    model = paused()
    model.tally.add("arrests_thb", 0, 0, 1)
    fires(invariants.check_counters, model, "crime-area totals add up")


def test_arrests_not_taken_from_a_network_fire():
    model = paused()
    network = next(n for n in model.networks if n.members_arrested > 0)
    network.members_arrested -= 1
    fires(invariants.check_counters, model, "crime-area totals add up")


def _alert(model, hit: float, arrival: float, channel: str = "centre") -> Alert:
    return Alert(model.networks[0], "GR", "evzonoi", hit, hit, arrival, channel)


def test_an_alert_before_its_hit_plus_delay_fires():
    model = paused()
    hit = model.tick - 0.5
    least = 2 * model.parameters.national_channel_hours + model.centre.relay_delay_hours
    model.intel.delivered.append(_alert(model, hit, hit + least / 2))
    error = fires(invariants.check_information, model, "alerts after hit plus relay delay")
    assert error.place == "evzonoi" and error.agent == str(model.networks[0].unique_id)


def test_an_alert_through_a_channel_the_scenario_lacks_fires():
    model = paused()
    hit = model.tick - 100.0
    model.centre = None
    model.intel.delivered.append(_alert(model, hit, model.tick))
    fires(invariants.check_information, model, "alerts after hit plus relay delay")


def test_an_alert_from_the_future_fires():
    model = paused()
    least = 2 * model.parameters.national_channel_hours + model.centre.relay_delay_hours
    alert = _alert(model, model.tick + 5.0, model.tick + 5.0 + least)
    model.intel.delivered.append(dataclasses.replace(alert))
    fires(invariants.check_information, model, "time only moves forward")


def test_a_movement_left_behind_in_time_fires():
    model = paused()
    movement = first(model, MovementState.IN_TRANSIT)
    movement.time = model.tick - 3.0
    model._push(movement)
    fires(invariants.check_information, model, "time only moves forward")


def test_a_case_without_evidence_fires():
    model = paused()
    network = next(n for n in model.networks if n.evidence == 0)
    network.case_opened = True
    error = fires(invariants.check_cases, model, "cases within networks with evidence")
    assert error.agent == str(network.unique_id)


def test_check_all_runs_every_check():
    assert set(invariants.CHECKS) == {
        invariants.check_movements, invariants.check_stops, invariants.check_officers,
        invariants.check_capacity, invariants.check_detections, invariants.check_counters,
        invariants.check_information, invariants.check_cases}


def test_a_violation_stops_the_run_naming_tick_place_and_agent(monkeypatch):
    model = JointActionModel(small_scenario(), rng=5, route_graph=ROUTE_GRAPH,
                             check_invariants=True)
    for _ in range(10):
        model.step()
    model.units_at.setdefault((0, model.hour_of_day), []).append(
        next(u for u in model.units if u.on_duty(model.hour_of_day)
             and u.place != model.place_ids[0]))
    with pytest.raises(InvariantViolation, match=r"tick 10, place \S+, agent \d+"):
        model.step()
