"""The model's own rules, checkable after every tick (`sim run --check-invariants`, tests).

Each check raises `InvariantViolation` naming the invariant, the tick, the place and the agent,
so a broken mechanism stops the run where it first goes wrong. The checks recompute what they
can from the agents themselves (units, movements, networks, events) rather than trusting the
model's running totals, so that a bookkeeping bug shows up as a disagreement between the two.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.agents import Movement, MovementState
from sim.model.outcomes import AREA_LABELS, ARREST_COLUMNS, DRUG_COLUMNS
from sim.model.reattempts import ends_in_turn_back
from sim.model.sides import side_of_unit, visitor_sides
from sim.scenario.schema import SHIFT_HOURS

if TYPE_CHECKING:
    from sim.model import JointActionModel

TOLERANCE = 1e-6
# What an interception or a find moves from a cargo (or a premises) into the tally:
# event amount -> tally outcomes that together count it.
SEIZED_COUNTS: dict[str, tuple[str, ...]] = {
    "persons": ("illegal_entries_detected", "victims_identified"),
    "weapons": ("weapons_seized",),
    "rounds": ("ammunition_seized",),
    "forged_documents": ("forged_documents",),
    **{column: (column,) for column in DRUG_COLUMNS.values()},
}
DETECTION_EVENTS = ("interception", "wanted_person", "premises_find", "cyber_lead")
DETECTIONS = ("interception", "wanted_person", "premises_find")  # what `detections` counts


class InvariantViolation(AssertionError):  # noqa: N818 (the domain word; an AssertionError)
    """A rule of the model was broken."""

    def __init__(self, invariant: str, model: JointActionModel, detail: str,
                 place: str = "-", agent: str = "-"):
        self.invariant = invariant
        self.tick = model.tick
        self.place = place
        self.agent = agent
        super().__init__(f"invariant '{invariant}' broken at tick {model.tick}, place {place}, "
                         f"agent {agent}: {detail}")


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def _cargo_amounts(movement: Movement, first: bool = True) -> dict[str, float]:
    """What a movement carries, in the units of the event and tally columns; its forged
    documents only at its `first` detection (a group turned back loses them)."""
    cargo = movement.cargo
    amounts = {"persons": float(cargo.migrants + cargo.victims), "weapons": float(cargo.weapons),
               "rounds": float(cargo.rounds),
               "forged_documents": float(cargo.forged_documents if first else 0)}
    for column in DRUG_COLUMNS.values():
        amounts[column] = 0.0
    for drug, kg in cargo.drugs_kg.items():
        amounts[DRUG_COLUMNS[drug]] += kg
    return amounts


def _interceptions(model: JointActionModel) -> dict[int, list[dict[str, Any]]]:
    """Each movement's interception events, in time order."""
    found: dict[int, list[dict[str, Any]]] = {}
    for event in model.events:
        if event["kind"] == "interception":
            found.setdefault(event["movement"], []).append(event)
    return found


def _ends(event: dict[str, Any]) -> bool:
    """Whether an interception ended its movement (a stop, or a group that gave up)."""
    return not event["turned_back"] or event["retry_at"] is None


# --- movements: one state each, persons and goods conserved ----------------------------------

def check_movements(model: JointActionModel) -> None:
    """Every movement is in exactly one state, consistent with where it is and what happened to
    it; persons and goods carried = seized + delivered + still moving (or planned, suspended);
    each detection of a movement recorded exactly what it carried (forged documents once: a
    group turned back loses them); only a migrant group at a border is turned back, and only
    the last detection of a movement may end it."""
    interceptions = _interceptions(model)
    seized: Counter[str] = Counter()
    for movement in model.movements:
        state, agent = movement.state, str(movement.unique_id)
        if not isinstance(state, MovementState):
            raise InvariantViolation("one state per movement", model, f"state {state!r}",
                                     agent=agent)
        if state == MovementState.HELD:
            raise InvariantViolation("no movement left held after the hour", model,
                                     "held at a check past its hour", movement.place, agent)
        events = interceptions.get(movement.unique_id, [])
        _check_state(model, movement, events)
        for i, event in enumerate(events):
            for name, amount in _cargo_amounts(movement, first=i == 0).items():
                seized[name] += amount
                if not _close(float(event.get(name, 0.0)), amount):
                    raise InvariantViolation("persons and goods conserved", model,
                                             f"carried {amount} {name}, interception recorded "
                                             f"{event.get(name, 0.0)}", event["place"], agent)
    found: Counter[str] = Counter()
    for event in model.events:
        if event["kind"] in ("premises_find", "wanted_person"):
            found.update({name: event.get(name, 0.0) for name in SEIZED_COUNTS})
    totals = model.tally.totals()
    for name, outcomes in SEIZED_COUNTS.items():
        counted = sum(totals[o] for o in outcomes)
        if not _close(counted, seized[name] + found[name]):
            raise InvariantViolation("persons and goods conserved", model,
                                     f"{counted} {name} counted as seized or detected, "
                                     f"{seized[name]} from intercepted movements + "
                                     f"{found[name]} from premises")
    intercepted = sum(len(events) for events in interceptions.values())
    if not _close(model.tally.total("movements_intercepted"), intercepted):
        raise InvariantViolation("movements conserved", model,
                                 f"{intercepted} interceptions recorded, tally counts "
                                 f"{model.tally.total('movements_intercepted')}")
    set_off = sum(m.state in (MovementState.IN_TRANSIT, MovementState.INTERCEPTED,
                              MovementState.DELIVERED, MovementState.TURNED_BACK)
                  for m in model.movements)
    if not _close(model.summary_extra["movements_attempted"], set_off):
        raise InvariantViolation("movements conserved", model,
                                 f"{set_off} movements set off, "
                                 f"{model.summary_extra['movements_attempted']} counted")


def _places_met(model: JointActionModel, movement: Movement) -> set[str]:
    """The places of a movement's route, and the crossings a closed crossing on it sends its
    traffic to (sim/model/sides.py)."""
    plan = model.crossing_state.plan
    places = set(movement.route)
    for place in movement.route:
        i = model.crossing_state.index.get(place)
        if i is not None and not plan.open_[i] and plan.divert_to[i] >= 0:
            places.add(plan.crossings[plan.divert_to[i]])
    return places


def _check_state(model: JointActionModel, movement: Movement,
                 events: list[dict[str, Any]]) -> None:
    """A movement's state agrees with its position, its timing and its detections."""
    state, agent = movement.state, str(movement.unique_id)
    kind = model.route_planner.kind
    for event in events:
        if event["place"] not in (*_places_met(model, movement), *movement.turned_back_at):
            raise InvariantViolation("one state per movement", model,
                                     "intercepted at a place off its route", event["place"],
                                     agent)
        if event["turned_back"] != ends_in_turn_back(movement.network.crime_area,
                                                     kind[event["place"]]):
            raise InvariantViolation("only migrant groups at a border are turned back", model,
                                     f"a {movement.network.crime_area} movement "
                                     f"{'turned back' if event['turned_back'] else 'stopped'} "
                                     f"at a {kind[event['place']]}", event["place"], agent)
    if any(_ends(event) for event in events[:-1]):
        raise InvariantViolation("one stop per movement", model, "detected again after its "
                                 "trip ended", events[-1]["place"], agent)
    ended = bool(events) and _ends(events[-1])
    if ended != (state == MovementState.INTERCEPTED):
        raise InvariantViolation("one state per movement", model,
                                 f"state {state.name} but {len(events)} interception(s) "
                                 f"recorded, {'the last ending it' if ended else 'none ending it'}",
                                 movement.place, agent)
    if state in (MovementState.PLANNED, MovementState.SUSPENDED) and events:
        raise InvariantViolation("one state per movement", model,
                                 f"state {state.name} after an interception", movement.place,
                                 agent)
    if state == MovementState.TURNED_BACK:
        retry_at = movement.retry_at
        if not events or retry_at is None or not events[-1]["turned_back"]:
            raise InvariantViolation("one state per movement", model, "turned back without a "
                                     "turn-back that lets it try again", movement.place, agent)
        if retry_at < min(model.tick + 1, model.hours) - TOLERANCE:
            raise InvariantViolation("time only moves forward", model,
                                     f"still turned back after its next attempt at {retry_at}",
                                     movement.place, agent)
    if state == MovementState.DELIVERED and movement.leg != len(movement.route) - 1:
        raise InvariantViolation("one state per movement", model,
                                 f"delivered at leg {movement.leg} of {len(movement.route)}",
                                 movement.place, agent)
    if state == MovementState.PLANNED and movement.departure < model.tick + 1 - TOLERANCE:
        raise InvariantViolation("time only moves forward", model,
                                 f"still planned after its departure at {movement.departure}",
                                 movement.route[0], agent)


def check_stops(model: JointActionModel) -> None:
    """Every stop needs a detection: detections >= movements_stopped. Both agree with what
    happened: detections with the detection events, stops (by crime area, with their
    migrants) with the movements that were stopped, re-attempts with the turn-backs whose
    next attempt has come."""
    extra, totals = model.summary_extra, model.tally.totals()
    if totals["detections"] + TOLERANCE < extra["movements_stopped"]:
        raise InvariantViolation("every stop needs a detection", model,
                                 f"{extra['movements_stopped']} movements stopped, "
                                 f"{totals['detections']} detections")
    detections = sum(event["kind"] in DETECTIONS for event in model.events)
    if not _close(totals["detections"], detections):
        raise InvariantViolation("detections counted once each", model,
                                 f"tally counts {totals['detections']} detections, events "
                                 f"record {detections}")
    window = model.hours + model.parameters.follow_up_hours
    stopped: Counter[str] = Counter()
    for movement in model.movements:
        if movement.state == MovementState.INTERCEPTED or (
                movement.state == MovementState.TURNED_BACK and movement.retry_at > window):
            stopped["movements_stopped"] += 1
            stopped[f"movements_stopped_{movement.network.crime_area}"] += 1
            stopped["migrants_stopped"] += movement.cargo.migrants
    for name in ("movements_stopped", "migrants_stopped",
                 *(f"movements_stopped_{area}" for area in AREA_LABELS)):
        if not _close(extra[name], stopped[name]):
            raise InvariantViolation("movements conserved", model,
                                     f"{name} is {extra[name]}, the movements stopped make "
                                     f"{stopped[name]}")
    now = min(model.tick + 1, model.hours)
    retried = sum(1 for event in model.events if event["kind"] == "interception"
                  and event["turned_back"] and event["retry_at"] is not None
                  and event["retry_at"] < now)
    if not _close(extra["reattempts"], retried):
        raise InvariantViolation("movements conserved", model,
                                 f"{extra['reattempts']} re-attempts counted, {retried} "
                                 "turn-backs have had their next attempt")


# --- officers ------------------------------------------------------------------------------

def check_officers(model: JointActionModel) -> None:
    """On duty never above head-count; no officer in two places in one hour; units add up to
    the scenario."""
    total = sum(unit.officers for unit in model.units)
    if total != model.scenario_spec.officers_total:
        raise InvariantViolation("units add up to the scenario's officers", model,
                                 f"units hold {total}, scenario has "
                                 f"{model.scenario_spec.officers_total}")
    hour = model.hour_of_day
    places = len(model.place_ids)
    units = model.units
    officers = np.array([unit.officers for unit in units], dtype=float)
    at = np.array([model.place_index[unit.place] for unit in units], dtype=int)
    working = np.array([unit.on_duty(hour) for unit in units], dtype=bool)
    if (officers < 0).any():
        unit = units[int(np.flatnonzero(officers < 0)[0])]
        raise InvariantViolation("no counter is negative", model,
                                 f"{unit.officers} officers in a unit", unit.place,
                                 str(unit.unique_id))
    head_count = np.bincount(at, weights=officers, minlength=places)
    on_duty = np.bincount(at, weights=officers * working, minlength=places)
    for kind, profile in model.shift_profiles.items():  # a profile sets the hours, not the units
        of_kind = np.array([unit.posting == kind for unit in units], dtype=bool)
        on_duty += np.bincount(at, weights=officers * of_kind * (profile[hour] - working),
                               minlength=places)
    counted = model.on_duty_total[:, hour]
    over = np.flatnonzero(counted > head_count + TOLERANCE)
    if over.size:
        i = int(over[0])
        raise InvariantViolation("on duty never above head-count", model,
                                 f"{counted[i]} on duty, {head_count[i]} posted here",
                                 model.place_ids[i])
    wrong = np.flatnonzero(np.abs(counted - on_duty) > TOLERANCE)
    if wrong.size:
        i = int(wrong[0])
        raise InvariantViolation("no officer in two places in one hour", model,
                                 f"{counted[i]} officers counted on duty here, units on duty "
                                 f"here hold {on_duty[i]}", model.place_ids[i])
    _check_units_at(model, hour)


def _check_units_at(model: JointActionModel, hour: int) -> None:
    """Each unit on duty is listed at its own place only, once, and only when on duty."""
    seen: dict[int, int] = {}
    for (index, at_hour), units in model.units_at.items():
        if at_hour != hour:
            continue
        place = model.place_ids[index]
        for unit in units:
            if unit.unique_id in seen or unit.place != place or not unit.on_duty(hour):
                raise InvariantViolation("no officer in two places in one hour", model,
                                         f"unit of {unit.officers} posted at {unit.place} "
                                         f"listed on duty at {place}", place,
                                         str(unit.unique_id))
            seen[unit.unique_id] = index


# --- checks and capacity -----------------------------------------------------------------

def check_capacity(model: JointActionModel) -> None:
    """Checks never exceed what the teams, inspection places and scanners on duty this hour can
    do, nor the vehicles passing; each side works with its own country's officers; no
    officer-hour at a crossing side is used twice or lost (booths + second line + patrol + idle
    = officers on duty)."""
    hour = model.hour_of_day
    state = model.crossing_state
    allocation = state.allocation
    officers = state.on_duty[:, hour]
    where = [model.place_ids[int(state.places[p // 2])] for p in range(len(officers))]
    teams = state.teams_at(hour, model.day) * (officers > 0)
    checks = state.checks.sum(axis=1)
    unmanned = np.flatnonzero((checks > TOLERANCE) & (officers <= 0))
    if unmanned.size:
        i = int(unmanned[0])
        raise InvariantViolation("checks within capacity", model, f"{checks[i]:.2f} vehicle "
                                 f"checks on side {state.plan.countries[i]} with no officer "
                                 "on duty", where[i])
    busy = state.busy / model.parameters.second_line_team_officers  # teams at work
    if (busy > allocation.servers + TOLERANCE).any():
        i = int(np.argmax(busy - allocation.servers))
        raise InvariantViolation("checks within capacity", model, f"{busy[i]:.2f} second-line "
                                 f"teams at work on side {state.plan.countries[i]}, "
                                 f"{allocation.servers[i]:.2f} on duty", where[i])
    scans = teams * 60.0 / state.scan_minutes.min()  # vehicles the scanners can do
    for label, limit in (("the officers' checks and the scanners on duty",
                          state.checks_by_officers.sum(axis=1) + scans),
                         ("vehicles passing the entry post", state.passing.sum(axis=1))):
        over = np.flatnonzero(checks > limit + TOLERANCE)
        if over.size:
            i = int(over[0])
            raise InvariantViolation("checks within capacity", model,
                                     f"{checks[i]} vehicle checks on side "
                                     f"{state.plan.countries[i]}, {label} {limit[i]}", where[i])
    if (allocation.servers > state.places_total + TOLERANCE).any():
        i = int(np.argmax(allocation.servers - state.places_total))
        raise InvariantViolation("checks within capacity", model, f"{allocation.servers[i]} "
                                 f"second-line teams at {state.places_total[i]} inspection "
                                 "places", where[i])
    _check_booths(model, officers, where)
    used = allocation.first_line + allocation.second_line + allocation.patrol + allocation.idle
    lost = np.flatnonzero(np.abs(used - officers) > 1e-6 * np.maximum(officers, 1.0))
    if lost.size:
        i = int(lost[0])
        raise InvariantViolation("every crossing officer-hour is in a booth, on a check, on "
                                 "patrol or idle", model, f"{officers[i]} on duty on side "
                                 f"{state.plan.countries[i]}, {allocation.first_line[i]} in "
                                 f"booths, {allocation.second_line[i]:.2f} in second-line teams, "
                                 f"{allocation.patrol[i]:.2f} on patrol, "
                                 f"{allocation.idle[i]:.2f} idle", where[i])
    if (state.busy > allocation.second_line + TOLERANCE).any():
        i = int(np.argmax(state.busy - allocation.second_line))
        raise InvariantViolation("every crossing officer-hour is in a booth, on a check, on "
                                 "patrol or idle", model, f"{state.busy[i]:.2f} officers busy "
                                 f"on checks, {allocation.second_line[i]:.2f} in teams", where[i])
    side_officers = np.zeros(len(officers))
    visitors = visitor_sides(model.scenario_spec, model.route_graph)
    for unit in (u for u in model.units if u.posting == "crossing"):
        side = 2 * state.index[unit.place] + side_of_unit(model.graph.nodes, unit.place,
                                                          unit.country, visitors)
        side_officers[side] += unit.officers
    hours = side_officers * SHIFT_HOURS  # each officer works a shift a day
    if not np.allclose(state.on_duty.sum(axis=1), hours, rtol=1e-9, atol=1e-6):
        i = int(np.argmax(np.abs(state.on_duty.sum(axis=1) - hours)))
        raise InvariantViolation("each side works with its own country's officers", model,
                                 f"{state.on_duty[i].sum():.1f} officer-hours a day on side "
                                 f"{state.plan.countries[i]}, its units of "
                                 f"{side_officers[i]:g} officers work {hours[i]:g}", where[i])
    out = state.sector_of >= 0
    sent = np.bincount(state.sector_of[out], state.patrol[out], minlength=len(model.place_ids))
    if not np.allclose(state.sector_patrol, sent, rtol=1e-9, atol=1e-9):
        place = int(np.argmax(np.abs(state.sector_patrol - sent)))
        raise InvariantViolation("every crossing officer-hour is in a booth, on a check, on "
                                 "patrol or idle", model, f"{state.sector_patrol[place]:.2f} "
                                 f"crossing officers patrol here, {sent[place]:.2f} were sent "
                                 "this hour", model.place_ids[place])
    crowded = np.flatnonzero(teams > model.scenario_spec.scanning_teams.max_per_place)
    if crowded.size:
        raise InvariantViolation("checks within capacity", model, "more scanning teams than "
                                 "max_per_place", where[int(crowded[0])])
    _check_post_capacity(model, hour)


def _check_booths(model: JointActionModel, officers: np.ndarray, where: list[str]) -> None:
    """No more booths open than exist or than the side's officers staff (the posted officers
    and the ordinary shift's officers the allocation put in booths where they fell short), and
    one for every lane with vehicles waiting where officers are on duty."""
    state = model.crossing_state
    booths = state.allocation.booths.reshape(-1, 2, 3)
    team = model.parameters.officers_per_lane
    staffing = officers + state.allocation.ordinary
    staffable = np.floor(staffing / team + TOLERANCE)
    staffable = np.where(staffable < 1.0, staffing / team, staffable)  # part of one booth
    over = np.flatnonzero((booths.sum(axis=(1, 2)) > staffable + TOLERANCE)
                          | (booths > state.booths[:, None, :] + TOLERANCE).any(axis=(1, 2)))
    if over.size:
        i = int(over[0])
        raise InvariantViolation("every crossing officer-hour is in a booth, on a check, on "
                                 "patrol or idle", model, f"{booths[i].sum():.2f} booths open "
                                 f"with {officers[i]:.2f} officers on duty on side "
                                 f"{state.plan.countries[i]} and {state.booths[i].tolist()} "
                                 "booths a lane", where[i])
    entering = state.arrivals[model.tick]
    lanes = np.stack([entering, entering[state.other]], axis=1)
    waiting = ((officers > 0) & state.booth_side)[:, None, None] & (lanes > 0) & (booths <= 0)
    if waiting.any():
        i, lane, k = (int(x) for x in np.argwhere(waiting)[0])
        raise InvariantViolation("a staffed crossing side serves every lane with vehicles "
                                 "arriving", model, f"{officers[i]:.2f} officers on duty on "
                                 f"side {state.plan.countries[i]}, no booth open for "
                                 f"{'exit' if lane else 'entry'} lane of class {k}", where[i])


def _check_post_capacity(model: JointActionModel, hour: int) -> None:
    """Road, port and parcel checks this hour within what their officers can do."""
    parameters, on_duty = model.parameters, model.on_duty
    checks = model.post_state.checks
    possible = (on_duty["road_checkpoint"][:, hour] * parameters.checkpoint_time_share * 60.0
                / parameters.road_check_officer_minutes
                + on_duty["port"][:, hour] * 60.0 * (
                    1.0 / parameters.port_check_officer_minutes
                    + 1.0 / parameters.person_check_officer_minutes)
                + on_duty["parcel_centre"][:, hour] * 60.0
                / parameters.parcel_check_officer_minutes
                + model.post_state.scanned_extra)  # containers a scanning team scanned
    over = np.flatnonzero(checks > possible + TOLERANCE)
    if over.size:
        i = int(over[0])
        raise InvariantViolation("checks within capacity", model,
                                 f"{checks[i]} checks at a post, officers on duty can do "
                                 f"{possible[i]:.1f}", model.place_ids[i])


def _events_this_tick(model: JointActionModel) -> Iterator[dict[str, Any]]:
    for event in reversed(model.events):
        if event["tick"] != model.tick:
            return
        yield event


def check_detections(model: JointActionModel) -> None:
    """Detections happen only where a check or patrol happened in that hour: interceptions at
    crossings and posts with checks, on green-border sectors with a patrol on duty, where a
    re-tasked unit was waiting (alert responses); wanted
    persons where travellers were checked; premises finds and online leads where search or
    cyber officers were on duty."""
    hour = model.hour_of_day
    crossing, posts = model.crossing_state, model.post_state
    post_checks = posts.checks
    for event in _events_this_tick(model):
        if event["kind"] not in DETECTION_EVENTS:
            continue
        place = event["place"]
        index = model.place_index[place]
        kind = model.graph.nodes[place]["kind"]
        if event["kind"] == "premises_find":
            country = model.graph.nodes[place]["country"]
            searching = sum(model.on_duty["premises_search"][model.place_index[p], hour]
                            for p in model.place_ids
                            if model.graph.nodes[p]["country"] == country)
            active = searching > 0
        elif event["kind"] == "cyber_lead":
            active = model.on_duty["cyber_patrol"][:, hour].sum() > 0
        elif event["equipment"] == "alert_response":  # a unit re-tasked by an alert
            active = model.intel.response.watching(event["unit"], place, event["clock"])
        elif kind == "green_border":
            active = (model.on_duty["green_border"][index, hour]
                      + crossing.sector_patrol[index]) > 0
        else:
            at_crossing = crossing.index.get(place)
            sides = slice(2 * at_crossing, 2 * at_crossing + 2) if at_crossing is not None \
                else slice(0)
            active = post_checks[index] > 0 or (
                at_crossing is not None and (crossing.checks[sides].sum() > 0
                                             or crossing.capacity[sides].max() > 0))
        if not active:
            raise InvariantViolation("detections only where a check or patrol happened", model,
                                     f"{event['kind']} ({event['equipment']}) with no check, "
                                     "patrol or search on duty this hour", place,
                                     str(event["movement"] if event["movement"] >= 0
                                         else event["unit"]))


# --- counters ------------------------------------------------------------------------------

def check_counters(model: JointActionModel) -> None:
    """No counter is negative; the tally of what was seized and arrested equals what the events
    recorded, place by place and by crime area; arrests match the members the networks lost."""
    tally = model.tally
    values = tally.values
    if (values < -TOLERANCE).any():
        outcome, place, _ = np.argwhere(values < -TOLERANCE)[0]
        name = list(tally.index)[int(outcome)]
        raise InvariantViolation("no counter is negative", model, f"negative {name}",
                                 model.place_ids[int(place)])
    _check_tally_against_events(model)
    _check_arrests_by_area(model)


def _check_tally_against_events(model: JointActionModel) -> None:
    tally = model.tally
    per_place = tally.values.sum(axis=2)
    recorded: dict[str, np.ndarray] = {name: np.zeros(len(model.place_ids))
                                       for name in SEIZED_COUNTS}
    for event in model.events:
        index = model.place_index[event["place"]]
        for name in SEIZED_COUNTS:
            recorded[name][index] += event.get(name, 0.0)
    for name, outcomes in SEIZED_COUNTS.items():
        counted = sum(per_place[tally.index[o]] for o in outcomes)
        wrong = np.flatnonzero(np.abs(counted - recorded[name])
                               > TOLERANCE * np.maximum(1.0, np.abs(counted)))
        if wrong.size:
            i = int(wrong[0])
            raise InvariantViolation("persons and goods conserved", model,
                                     f"tally counts {counted[i]} {name}, events record "
                                     f"{recorded[name][i]}", model.place_ids[i])


def _check_arrests_by_area(model: JointActionModel) -> None:
    totals = model.tally.totals()
    by_area: Counter[str] = Counter()
    for event in model.events:
        area = event["crime_area"] or "high_risk_networks"
        by_area[ARREST_COLUMNS[area]] += event.get("arrests", 0.0)
    for column in ARREST_COLUMNS.values():
        if not _close(totals[column], by_area[column]):
            raise InvariantViolation("crime-area totals add up", model,
                                     f"{column} is {totals[column]}, events record "
                                     f"{by_area[column]}")
    if not _close(sum(totals[c] for c in ARREST_COLUMNS.values()), totals["arrests_total"]):
        raise InvariantViolation("crime-area totals add up", model,
                                 f"arrests by area do not add up to {totals['arrests_total']}")
    members: Counter[str] = Counter()
    linked: Counter[str] = Counter()
    for network in model.networks:
        if not 0 <= network.members_arrested <= network.members:
            raise InvariantViolation("no counter is negative", model,
                                     f"{network.members_arrested} of {network.members} members "
                                     "arrested", network.corridor.origin, str(network.unique_id))
        members[network.crime_area] += network.members_arrested
    for event in model.events:
        if event["network"] >= 0:
            linked[event["crime_area"]] += event.get("arrests", 0.0)
    for area in set(members) | set(linked):
        if not _close(members[area], linked[area]):
            raise InvariantViolation("crime-area totals add up", model,
                                     f"{area}: networks lost {members[area]} members, events "
                                     f"record {linked[area]} arrests")


# --- information and cases -----------------------------------------------------------------

def check_information(model: JointActionModel) -> None:
    """No alert arrives before its hit was linked plus the delays of its relay path (two national
    hops and the centre's handling, or the bilateral delay), through a channel that exists in
    the scenario; time only moves forward."""
    parameters, centre = model.parameters, model.centre
    hops = 2.0 * parameters.national_channel_hours
    least = {"centre": hops + centre.relay_delay_hours if centre is not None else None,
             "bilateral": hops + parameters.relay_delay_without_centre_hours}
    for alert in model.intel.delivered:
        agent = str(alert.network.unique_id)
        delay = least.get(alert.channel)
        if (delay is None or alert.linked_time + TOLERANCE < alert.hit_time
                or alert.arrival + TOLERANCE < alert.linked_time + delay):
            raise InvariantViolation("alerts after hit plus relay delay", model,
                                     f"{alert.channel} alert at {alert.arrival} for a hit at "
                                     f"{alert.hit_time} linked at {alert.linked_time} (least "
                                     f"delay of that path here: {delay})", alert.place, agent)
        if alert.arrival > model.tick + 1 + TOLERANCE:
            raise InvariantViolation("time only moves forward", model,
                                     f"alert from {alert.arrival} delivered at {model.tick}",
                                     alert.place, agent)
    arrivals = model._arrivals
    if arrivals and arrivals[0][0] < model.tick + 1 - TOLERANCE:
        movement = arrivals[0][3]
        raise InvariantViolation("time only moves forward", model,
                                 f"a movement due at {arrivals[0][0]} was left behind",
                                 movement.place, str(movement.unique_id))
    ticks = [event["tick"] for event in model.events[-50:]]
    if any(b < a for a, b in pairwise(ticks)) or (
            ticks and ticks[-1] > model.tick):
        raise InvariantViolation("time only moves forward", model,
                                 f"events out of order: ticks {ticks[-5:]}")


def check_cases(model: JointActionModel) -> None:
    """Cases opened never exceed the networks with evidence; a disrupted network has a case."""
    threshold = model.parameters.case_evidence_threshold
    for network in model.networks:
        if network.case_opened and network.evidence + TOLERANCE < threshold:
            raise InvariantViolation("cases within networks with evidence", model,
                                     f"case opened on {network.evidence} evidence units "
                                     f"(threshold {threshold})", network.corridor.origin,
                                     str(network.unique_id))
    with_evidence = sum(n.evidence > 0 for n in model.networks)
    cases = sum(n.case_opened for n in model.networks)
    if cases > with_evidence:
        raise InvariantViolation("cases within networks with evidence", model,
                                 f"{cases} cases, {with_evidence} networks with evidence")


CHECKS = (check_movements, check_stops, check_officers, check_capacity, check_detections,
          check_counters, check_information, check_cases)


def check_all(model: JointActionModel) -> None:
    """Every invariant; called after each tick when invariant checking is on."""
    for check in CHECKS:
        check(model)
