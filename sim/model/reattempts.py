"""Detections are not persons: groups turned back at a border try again.

What a detection does depends on what it finds and where (`ends_in_turn_back`):

- a load seized (drugs, firearms, rounds), trafficking victims identified, or anyone found
  inland: the movement ends there (stopped). Couriers, drivers and guides caught with it are
  arrested and not released; a courier who escapes has no load left to carry;
- a migrant group found at a border crossing or on a green-border sector: the migrants are
  detected (each time: `illegal_entries_detected`, as Frontex counts), any forged documents
  seized, the smuggler arrested if caught, and the group is sent back to the side it came
  from. With `reattempt_probability` it tries again after a gamma-distributed delay (shape 2,
  mean `reattempt_delay_hours`), with a new driver or guide of its network where the last was
  arrested; otherwise it gives up and the trip counts as stopped.

A group that tries again starts from the place it was sent back to, the last place before the
border on its route, and takes the quickest way on to its destination; a network that
watches the checks (sim/model/perception.py) now knows where its group was caught and routes
around that place if any other way exists. Each movement draws its decisions from its own
generator of the `reattempts` stream, keyed by its position in the model's movements: two
scenarios that differ only in an allocation give the same group the same decision and delay
at its k-th turn-back (common random numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.agents import Movement, MovementState
from sim.model.outcomes import DRUG_COLUMNS

if TYPE_CHECKING:
    from sim.model import JointActionModel

BORDER_KINDS = frozenset({"crossing", "green_border"})


def ends_in_turn_back(crime_area: str, place_kind: str) -> bool:
    """Whether a detection sends the movement back rather than ending it: a migrant group (no
    goods, no victims) met at a border crossing or a green-border sector."""
    return crime_area == "migrant_smuggling" and place_kind in BORDER_KINDS


def reattempt_decision(generator: np.random.Generator, probability: float,
                       mean_delay_hours: float, delay_shape: float) -> float | None:
    """Hours until a group turned back tries again, or None if it gives up. Two draws every
    time (the decision, then the delay), so a group's k-th decision and delay are the same
    whatever the probability: raising it only turns some give-ups into re-attempts."""
    uniform = float(generator.random())
    delay = float(generator.gamma(delay_shape, mean_delay_hours / delay_shape))
    return delay if uniform < probability else None


def _generator(model: JointActionModel, movement: Movement) -> np.random.Generator:
    generator = getattr(movement, "_reattempt_generator", None)
    if generator is None:
        generator = model.streams.keyed("reattempts", movement.serial)
        movement._reattempt_generator = generator
    return generator


def turn_back(model: JointActionModel, movement: Movement, place: str) -> float | None:
    """Send a detected group back from `place`: decide whether and when it tries again,
    schedule the attempt if it falls within the action, count what is stopped. Returns the
    hour of the next attempt, or None if the group gives up."""
    parameters = model.parameters
    movement.turned_back_at.append(place)
    movement.documents_seized = True
    delay = reattempt_decision(_generator(model, movement), parameters.reattempt_probability,
                               parameters.reattempt_delay_hours,
                               parameters.reattempt_delay_shape)
    if delay is None:
        movement.state = MovementState.INTERCEPTED
        movement.retry_at = None
        count_stopped(model, movement)
        return None
    movement.state = MovementState.TURNED_BACK
    movement.retry_at = model.clock + delay
    if movement.retry_at > model.hours + parameters.follow_up_hours:
        count_stopped(model, movement)  # not back within the window: stopped for the week
    if movement.retry_at < model.hours:
        _send_back(model, movement, place)
        model.schedule_retry(movement)
    return movement.retry_at


def _send_back(model: JointActionModel, movement: Movement, place: str) -> None:
    """The group's route from here: it is back at the place before the border (where it next
    sets off from) and goes on from there to its destination, around `place` if its network
    watches the checks. The route stays a path of the graph: what was travelled up to that
    place, then the new way on; the places the group was turned back at are kept apart."""
    planner, corridor = model.route_planner, movement.network.corridor
    leg = movement.leg
    at = max(leg - 1, 0)
    back = movement.route[at]
    travelled = movement.route[:at]
    via = tuple(v for v in corridor.via if v not in travelled and v != back)
    on_foot = movement.kind == "foot_group"
    avoid = frozenset({place}) if movement.network.watches_checks else frozenset()
    onward = (planner.route(back, corridor.destination, on_foot, avoid, via)
              or planner.route(back, corridor.destination, on_foot, frozenset(), ()))
    if onward is not None:  # (the way it came always exists; kept for graphs without it)
        movement.route = [*travelled, *onward]
    movement.leg = at
    movement.time = movement.retry_at
    movement.waited = True  # back where it came from: no road check on the way back


def count_stopped(model: JointActionModel, movement: Movement) -> None:
    """Count a movement as stopped, with the migrants it carried."""
    extra = model.summary_extra
    extra["movements_stopped"] += 1
    extra[f"movements_stopped_{movement.network.crime_area}"] += 1
    extra["migrants_stopped"] += movement.cargo.migrants


def count_deterred(model: JointActionModel, movement: Movement) -> None:
    """Count a movement its network called off, with the persons and goods it would carry."""
    extra, cargo = model.summary_extra, movement.cargo
    extra["movements_deterred"] += 1
    extra["migrants_deterred"] += cargo.migrants
    extra["victims_deterred"] += cargo.victims
    extra["drugs_kg_deterred"] += sum(cargo.drugs_kg.get(d, 0.0) for d in DRUG_COLUMNS)
    extra["weapons_deterred"] += cargo.weapons
