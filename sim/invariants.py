"""The model's own rules, checkable after every tick (`sim run --check-invariants`, tests).

Each check raises `InvariantViolation` naming the invariant, the tick, the place and the agent,
so a broken mechanism stops the run where it first goes wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents import MovementState
from sim.outcomes import ARREST_COLUMNS

if TYPE_CHECKING:
    from sim.model import JointActionModel

TOLERANCE = 1e-6


class InvariantViolation(AssertionError):  # noqa: N818 (the domain word; an AssertionError)
    """A rule of the model was broken."""

    def __init__(self, invariant: str, model: JointActionModel, detail: str,
                 place: str = "-", agent: str = "-"):
        self.invariant = invariant
        super().__init__(f"invariant '{invariant}' broken at tick {model.tick}, place {place}, "
                         f"agent {agent}: {detail}")


def check_movements(model: JointActionModel) -> None:
    """Every movement is in exactly one state; persons and goods are conserved; transitions
    happen only where something can happen."""
    carried = seized = 0.0
    for movement in model.movements:
        if not isinstance(movement.state, MovementState):
            raise InvariantViolation("one state per movement", model,
                                     f"state {movement.state!r}", agent=str(movement.unique_id))
        cargo = movement.cargo
        if movement.state == MovementState.HELD:
            raise InvariantViolation("no movement left held after the hour", model,
                                     "held at a check past its hour", movement.place,
                                     str(movement.unique_id))
        carried += cargo.migrants + cargo.victims
        if movement.state == MovementState.INTERCEPTED:
            seized += cargo.migrants + cargo.victims
    # persons carried = detected + delivered + still moving or planned: detected are counted in
    # the tally; check the tally against the intercepted movements' cargo (premises add more).
    detected = (model.tally.total("illegal_entries_detected") + model.tally.total(
        "victims_identified"))
    if detected + TOLERANCE < seized:
        raise InvariantViolation("persons conserved", model,
                                 f"{seized} persons in intercepted movements but only "
                                 f"{detected} counted as detected")
    if carried < 0:
        raise InvariantViolation("persons conserved", model, "negative persons carried")


def check_officers(model: JointActionModel) -> None:
    """On duty never above head-count; no officer in two places; units add up to the scenario."""
    total = sum(unit.officers for unit in model.units)
    if total != model.scenario_spec.officers_total:
        raise InvariantViolation("units add up to the scenario's officers", model,
                                 f"units hold {total}, scenario has "
                                 f"{model.scenario_spec.officers_total}")
    hour = model.hour_of_day
    on_duty = sum(unit.officers for unit in model.units if unit.on_duty(hour))
    counted = float(model.on_duty_total[:, hour].sum())
    if abs(on_duty - counted) > TOLERANCE:
        raise InvariantViolation("no officer in two places in one hour", model,
                                 f"{counted} officers counted on duty at places, {on_duty} in "
                                 "units on duty")
    if counted > total + TOLERANCE:
        raise InvariantViolation("on duty never above head-count", model,
                                 f"{counted} on duty of {total}")


def check_capacity(model: JointActionModel) -> None:
    """Checks never exceed the capacity of officers and equipment on duty."""
    state = model.crossing_state
    over = np.flatnonzero(state.checks > state.capacity + TOLERANCE)
    if over.size:
        i = int(over[0])
        raise InvariantViolation("checks within capacity", model,
                                 f"{state.checks[i]} checks, capacity {state.capacity[i]}",
                                 model.place_ids[int(state.places[i])])


def check_counters(model: JointActionModel) -> None:
    """No counter is negative; detections only where a check or patrol happened; totals by
    crime area add up."""
    values = model.tally.values
    if (values < -TOLERANCE).any():
        _outcome, place, _ = np.argwhere(values < -TOLERANCE)[0]
        raise InvariantViolation("no negative counter", model, "negative count",
                                 model.place_ids[int(place)])
    tally = model.tally
    found = sum(values[tally.index[c]] for c in ("movements_intercepted",))
    checked = (values[tally.index["checks_vehicles"]] + values[tally.index["checks_persons"]]
               + values[tally.index["checks_parcels"]])
    patrolled = values[tally.index["officer_hours"]]
    places = np.argwhere((found > 0) & (checked <= 0) & (patrolled <= 0))
    if places.size:
        place = model.place_ids[int(places[0][0])]
        raise InvariantViolation("detections only where a check or patrol happened", model,
                                 "interception at a place nobody checked or patrolled", place)
    totals = tally.totals()
    parts = sum(totals[c] for c in ARREST_COLUMNS.values())
    if abs(parts - totals["arrests_total"]) > TOLERANCE:
        raise InvariantViolation("crime-area totals add up", model,
                                 f"arrests by area {parts} vs total {totals['arrests_total']}")


def check_information(model: JointActionModel) -> None:
    """No alert arrives before its hit plus the relay delay; time only moves forward."""
    for alert in model.intel.delivered:
        if alert.arrival + TOLERANCE < alert.hit_time + alert.relay_delay:
            raise InvariantViolation("alerts after hit plus relay delay", model,
                                     f"alert at {alert.arrival} for a hit at {alert.hit_time} "
                                     f"with delay {alert.relay_delay}", alert.place,
                                     str(alert.network.unique_id))
        if alert.arrival > model.tick + 1 + TOLERANCE:
            raise InvariantViolation("time only moves forward", model,
                                     f"alert from {alert.arrival} delivered at {model.tick}",
                                     alert.place)


def check_cases(model: JointActionModel) -> None:
    """Cases opened never exceed the networks with evidence."""
    with_evidence = sum(n.evidence > 0 for n in model.networks)
    cases = sum(n.case_opened for n in model.networks)
    if cases > with_evidence:
        raise InvariantViolation("cases within networks with evidence", model,
                                 f"{cases} cases, {with_evidence} networks with evidence")


def check_all(model: JointActionModel) -> None:
    """Every invariant; called after each tick when invariant checking is on."""
    check_movements(model)
    check_officers(model)
    check_capacity(model)
    check_counters(model)
    check_information(model)
    check_cases(model)
