"""The agents of the Joint Action model: who they are and what each one decides.

Posts (crossings, green-border sectors) and officer units are placed on the route graph's cells;
so are scanning teams, Frontex deployments and movements in transit. Whole-population arithmetic
(every crossing's traffic and queue in one hour) is vectorised in the model; an agent keeps the
state and decisions that belong to it alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent
from mesa.discrete_space import CellAgent

from sim.model.shifts import ShiftPattern
from sim.scenario.schema import shift_ticks

if TYPE_CHECKING:
    from sim.model import JointActionModel


class MovementState(IntEnum):
    PLANNED = 0
    IN_TRANSIT = 1
    HELD = 2          # stopped at a check this hour, before the outcome is known
    INTERCEPTED = 3
    DELIVERED = 4
    SUSPENDED = 5
    TURNED_BACK = 6   # sent back at a border; tries again at `retry_at` (sim/model/reattempts.py)


class OfficerUnit(Agent):
    """A team of one agency from one country, posted to one place, working one shift."""

    def __init__(self, model: JointActionModel, *, country: str, agency: str, posting: str,
                 place: str, officers: int, shift: ShiftPattern):
        super().__init__(model)
        self.country = country
        self.agency = agency
        self.posting = posting
        self.place = place
        self.officers = officers
        self.shift = shift
        self.mobile = False           # may answer alerts (sim/model/response.py)
        self.busy_until = -1.0        # hour it is back at its post after answering one

    def on_duty(self, hour_of_day: int) -> bool:
        return self.shift.covers(hour_of_day)

    def answer_alert(self, options: list[tuple[str, float, float]], now: float,
                     hour_of_day: int, watch_hours: float) -> tuple[str, float, float] | None:
        """Whether and where this unit goes on an alert, and when it gives up.

        `options` are (place, hours to get there, hour a linked movement is due there). A
        mobile unit that is on duty and free goes where it arrives before the movement, the
        nearest such place first (least time away from its post), and waits until
        `watch_hours` past the movement's due hour: (place, arrival, give-up hour), or None.
        """
        if not self.mobile or self.busy_until > now or not self.on_duty(hour_of_day):
            return None
        reachable = [(travel, due, place) for place, travel, due in options
                     if now + travel <= due]
        if not reachable:
            return None
        travel, due, place = min(reachable)
        return place, now + travel, due + watch_hours


class BorderCrossing(CellAgent):
    """A border crossing point: legitimate traffic, check capacity, queue and wait.

    Its hourly numbers live in the model's crossing arrays at `index` (vectorised over all
    crossings); the properties read them back for one crossing.
    """

    def __init__(self, model: JointActionModel, cell, *, place: str, index: int, attributes: dict):
        super().__init__(model)
        self.cell = cell
        self.place = place
        self.index = index
        self.name = f"{attributes['side_a']} / {attributes['side_b']}"
        self.countries = (attributes["country_a"], attributes["country_b"])
        self.border_status = attributes["border_status"]
        self.eu_external = bool(attributes.get("eu_external", False))
        self.lanes = int(attributes["lanes"])  # booths of all vehicle classes

    @property
    def queue_vehicles(self) -> float:
        """Vehicles of all classes at the booths of both sides (entry and exit) after this
        hour."""
        state = self.model.crossing_state
        return float(state.number[2 * self.index:2 * self.index + 2].sum())

    @property
    def wait_minutes(self) -> float:
        """The longest of this hour's waits of the vehicle classes crossing here, either way
        (booth queues and checks)."""
        return float(self.model.crossing_state.wait[2 * self.index:2 * self.index + 2].max())


class GreenBorderSector(CellAgent):
    """A stretch of green border between crossings, patrolled on foot and by vehicle."""

    def __init__(self, model: JointActionModel, cell, *, place: str, attributes: dict):
        super().__init__(model)
        self.cell = cell
        self.place = place
        self.length_km = float(attributes["length_km"])
        self.pressure = attributes["pressure"]
        self.countries = (attributes["country_a"], attributes["country_b"])


class ScanningTeam(CellAgent):
    """A mobile scanner team at a crossing or port: it scans a number of vehicles an hour
    (`scanner_minutes` by class), and only a scanned vehicle meets its detection."""

    def __init__(self, model: JointActionModel, cell, *, place: str, country: str,
                 hours: tuple[int, int], days: list[int] | None):
        super().__init__(model)
        self.cell = cell
        self.place = place
        self.country = country
        self.shift = ShiftPattern(hours[0], (hours[1] - hours[0]) % 24 or 24)
        self.days = None if days is None else frozenset(days)
        self.day_start = model.start.hour  # action days begin at the action's start hour
        # the ticks it works: a shift belongs to the day it starts on (a night shift of day 1,
        # hours [20, 4], works into day 2's first hours), as validation counts them
        self.ticks = shift_ticks(hours, days, self.day_start, model.scenario_spec.action.days)

    def active(self, day: int, hour_of_day: int) -> bool:
        """Working at this hour of action day `day` (1-based)."""
        return (day - 1) * 24 + (hour_of_day - self.day_start) % 24 in self.ticks

    def works_on(self, day: int) -> bool:
        """Whether action day `day` (1-based) is one of its working days."""
        return self.days is None or day in self.days


class FrontexDeployment(CellAgent):
    """Frontex experts or equipment at an external-border place."""

    def __init__(self, model: JointActionModel, cell, *, place: str, kind: str, count: int):
        super().__init__(model)
        self.cell = cell
        self.place = place
        self.kind = kind
        self.count = count


@dataclass
class Corridor:
    id: str
    crime_area: str
    commodity: str
    origin: str
    destination: str
    via: tuple[str, ...] = ()


class CriminalNetwork(Agent):
    """A criminal network of one crime area working one corridor, and what police know of it."""

    def __init__(self, model: JointActionModel, *, crime_area: str, corridor: Corridor,
                 home_country: str, members: int, known: bool, targeted: bool, premises: int):
        super().__init__(model)
        self.crime_area = crime_area
        self.corridor = corridor
        self.home_country = home_country
        self.members = members
        self.members_arrested = 0
        self.known = known
        self.targeted = targeted
        self.premises = premises
        self.evidence = 0.0
        self.evidence_pending: list[tuple[float, float]] = []  # (arrival time, units)
        self.alerted_countries: set[str] = set()
        self.movements: list[Movement] = []
        self.reacted = False
        self.case_opened = False
        self.watches_checks = False       # sees the fixed checks on its routes (perception.py)
        self.sees_hidden_checks = False   # sees scanners and thermal cameras as well

    @property
    def free_members(self) -> int:
        return self.members - self.members_arrested

    def flagged_in(self, country: str) -> bool:
        """Whether checks in `country` look out for this network's movements."""
        return self.targeted or country in self.alerted_countries


@dataclass
class Cargo:
    """What a movement carries: persons and goods."""

    crew: int = 1
    migrants: int = 0
    victims: int = 0
    forged_documents: int = 0
    weapons: int = 0
    rounds: int = 0
    drugs_kg: dict[str, float] = field(default_factory=dict)


class Movement(CellAgent):
    """One trip of a network along a route, met by checks at posts on the way."""

    def __init__(self, model: JointActionModel, *, network: CriminalNetwork, kind: str,
                 route: list[str], departure: float, concealment: str, cargo: Cargo,
                 uniforms: np.ndarray):
        super().__init__(model)
        self.network = network
        self.kind = kind              # vehicle, lorry, container, foot_group, parcel
        self.route = route
        self.leg = 0                  # index in route of the next place to reach
        self.departure = departure
        self.time = departure
        self.concealment = concealment
        self.cargo = cargo
        self.uniforms = uniforms      # own draws for selection/detection: common random numbers
        self._uniforms = uniforms.tolist()  # the same draws as Python floats (faster)
        self.draw = 0
        self.state = MovementState.PLANNED
        self.displaced = False
        self.waited = False           # already waited for darkness at the current place
        self.version = 0              # bumps when the movement is rescheduled
        self.serial = -1              # position in the model's movements: key of its own draws
        self.turned_back_at: list[str] = []  # border places it was sent back from, in order
        self.retry_at: float | None = None  # when a group turned back sets off again
        self.documents_seized = False  # forged documents taken at a turn-back

    @property
    def forged_documents(self) -> int:
        """Forged documents still carried (those found at a turn-back were seized)."""
        return 0 if self.documents_seized else self.cargo.forged_documents

    def next_uniform(self) -> float:
        """The movement's next own uniform draw (cycled if a long reroute uses them up)."""
        draws = self._uniforms
        value = draws[self.draw % len(draws)]
        self.draw += 1
        return value

    @property
    def place(self) -> str:
        return self.route[min(self.leg, len(self.route) - 1)]

    @property
    def active(self) -> bool:
        return self.state in (MovementState.IN_TRANSIT, MovementState.HELD)


class CoordinationCentre(CellAgent):
    """The international coordination centre: its coordination officers relay alerts across
    borders (`sim.model.relay.Relay`), each message after `relay_delay_hours` of handling."""

    def __init__(self, model: JointActionModel, cell, *, place: str, relay_delay_hours: float):
        super().__init__(model)
        self.cell = cell
        self.place = place
        self.relay_delay_hours = relay_delay_hours


class EuropolSupport(Agent):
    """Europol analysts on the ground: their cross-checks of hits are `sim.model.relay`'s."""

    def __init__(self, model: JointActionModel, *, analysts: int):
        super().__init__(model)
        self.analysts = analysts
