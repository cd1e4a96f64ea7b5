"""Alerts that travel: analysts who link hits, and the relay path from a hit to other countries.

A hit (an interception) is checked against national databases at once and linked to its
network with `link_probability_national`. Europol analysts on the ground then cross-check the
hits national checks did not link: they share their analyst-hours between the hits waiting
(processor sharing), a hit that got t analyst-hours is linked with a chance that rises with t
with diminishing returns, and a hit waits at most `cross_check_deadline_hours`. Few analysts
and many hits mean later and fewer links.

A linked hit becomes a message: the alert to the other countries on the network's corridor and
the evidence for the network's home country. Its path has hops, each with a delay: the national
channel to the country's contact point; then either the coordination centre, where the
coordination officers on duty relay messages first come, first served (queueing when
overloaded, none at all when no officer is on duty) to the countries that have liaison officers
there, or one bilateral message per country, late and possibly lost (without the centre, or for
a country with no liaison officer at it); then the receiving national channel. An alert
that arrives while a linked movement still has the country ahead on its route is in time;
one that arrives after every linked movement has passed is too late.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sim.model.agents import CriminalNetwork, Movement, MovementState

if TYPE_CHECKING:
    from sim.model import JointActionModel

GONE = (MovementState.INTERCEPTED, MovementState.DELIVERED, MovementState.SUSPENDED)


@dataclass
class Hit:
    """An interception waiting for a link to its network."""

    network: CriminalNetwork
    place: str
    time: float
    movement: Movement | None
    uniform: float            # one draw decides the link at any analyst time (monotone in it)
    spent: float = 0.0        # analyst-hours given to it so far


@dataclass(frozen=True)
class Track:
    """A linked movement in transit when its network was linked: where it was headed next and
    when it was due there (what the hit's phones and papers tell)."""

    movement: Movement
    leg: int
    due: float


@dataclass(frozen=True)
class Alert:
    """An alert on `network` for the checkpoints of `country`."""

    network: CriminalNetwork
    country: str
    place: str                # where the hit was
    hit_time: float
    linked_time: float
    arrival: float
    channel: str              # "centre" or "bilateral"
    tracks: tuple[Track, ...] = ()
    ahead: frozenset[int] = field(default_factory=frozenset)  # linked movements with the
    # country still ahead of them when the network was linked


def link_chance(spent: float, parameters) -> float:
    """Chance that a hit given `spent` analyst-hours is linked: the national chance plus a
    share 1 - exp(-t / scale) of the full cross-check's extra chance (diminishing returns)."""
    national, full = parameters.link_probability_national, parameters.link_probability_europol
    extra = max(full - national, 0.0)
    scale, target = parameters.analyst_returns_hours, parameters.analyst_hours_per_hit
    depth = (1.0 - math.exp(-min(spent, target) / scale)) / (1.0 - math.exp(-target / scale))
    return national + extra * depth


class CrossChecks:
    """Europol analysts on the ground: a processor-sharing queue of hits."""

    def __init__(self, model: JointActionModel):
        self.model = model
        self.analysts = model.scenario_spec.europol.analysts_on_ground
        self.waiting: list[Hit] = []
        self.analyst_hours = 0.0

    def submit(self, hit: Hit) -> bool:
        """True if national databases link the hit at once; else it waits for analysts."""
        if hit.uniform < self.model.parameters.link_probability_national:
            return True
        if self.analysts > 0:
            self.waiting.append(hit)
        return False

    def work(self, until: float) -> list[Hit]:
        """One hour of the analysts; the hits whose cross-check ended and found a link."""
        parameters = self.model.parameters
        target = parameters.analyst_hours_per_hit
        budget = self.analysts * parameters.analyst_duty_share
        active = [hit for hit in self.waiting if hit.time < until]
        while active and budget > 1e-9:  # share the hour evenly, refill from finished hits
            step = min(budget / len(active), min(target - hit.spent for hit in active))
            for hit in active:
                hit.spent += step
            budget -= step * len(active)
            self.analyst_hours += step * len(active)
            active = [hit for hit in active if hit.spent < target - 1e-9]
        linked, waiting = [], []
        for hit in self.waiting:
            done = (hit.spent >= target - 1e-9
                    or until - hit.time >= parameters.cross_check_deadline_hours)
            if not done:
                waiting.append(hit)
            elif hit.uniform < link_chance(hit.spent, parameters):
                linked.append(hit)
        self.waiting = waiting
        return linked


@dataclass
class Message:
    """A linked hit on its way through the coordination centre."""

    network: CriminalNetwork
    place: str
    hit_time: float
    linked_time: float
    at_centre: float
    targets: tuple[str, ...]
    evidence: float           # mean evidence for the home country (0: none to carry)
    tracks: tuple[Track, ...]
    ahead: dict[str, frozenset[int]]


class Relay:
    """The relay path of one replicate: the centre's queue, bilateral channels, alerts due."""

    def __init__(self, model: JointActionModel):
        self.model = model
        self.rng = model.streams.relay
        self.centre = model.centre
        self.queue: deque[Message] = deque()
        self.capacity = 0.0
        self.centre_index = (model.place_index[self.centre.place]
                             if self.centre is not None else -1)
        self.liaison = ({unit.country for unit in model.units if unit.posting == "coordination"
                         and unit.place == self.centre.place}
                        if self.centre is not None else set())
        self.pending: list[tuple[float, int, Alert]] = []
        self._sequence = itertools.count()
        self.messages_relayed = 0
        self.centre_wait_hours = 0.0  # summed over the messages relayed by the centre
        self.bilateral_lost = 0

    def send(self, message: Message, country: str) -> None:
        """A linked hit leaves the contact point of `country`: through the centre to the
        countries with liaison officers there, bilaterally to the others (to all of them
        without the centre, or when `country` itself has no liaison officer there)."""
        home = message.network.home_country
        receivers = set(message.targets) | ({home} if message.evidence else set())
        if self.centre is not None and country in self.liaison:
            if receivers & self.liaison:
                self.queue.append(message)
            receivers -= self.liaison
        parameters = self.model.parameters
        leaves = (message.linked_time + parameters.national_channel_hours
                  + parameters.relay_delay_without_centre_hours)
        for receiver in sorted(receivers):
            if self.rng.random() >= parameters.relay_probability_without_centre:
                self.bilateral_lost += 1
                continue
            self._arrive(message, receiver, leaves, "bilateral")

    def work(self, until: float, hour_of_day: int) -> None:
        """One hour of the coordination officers on duty at the centre."""
        if self.centre is None:
            return
        parameters = self.model.parameters
        officers = float(self.model.on_duty["coordination"][self.centre_index, hour_of_day])
        hour_capacity = officers * parameters.coordination_messages_per_officer_hour
        self.capacity += hour_capacity
        start = until - 1.0
        while self.queue and self.capacity >= 1.0 and self.queue[0].at_centre < until:
            message = self.queue.popleft()
            self.capacity -= 1.0
            self.messages_relayed += 1
            self.centre_wait_hours += max(message.at_centre, start) - message.at_centre
            leaves = max(message.at_centre, start) + self.centre.relay_delay_hours
            home = message.network.home_country
            receivers = set(message.targets) | ({home} if message.evidence else set())
            for country in sorted(receivers & self.liaison):
                self._arrive(message, country, leaves, "centre")
        if not self.queue:  # capacity unused in a quiet hour is not banked
            self.capacity = min(self.capacity, hour_capacity)

    def _arrive(self, message: Message, country: str, leaves: float, channel: str) -> None:
        """The message reaches `country`'s checkpoints (and investigators) after its national
        hop: an alert if the country is a target, evidence if it is the network's home."""
        model = self.model
        arrival = leaves + model.parameters.national_channel_hours
        network = message.network
        if message.evidence and country == network.home_country:
            model.intel.evidence.add(network, arrival, message.evidence, "hit")
        if country in message.targets:
            alert = Alert(network, country, message.place, message.hit_time, message.linked_time,
                          arrival, channel, message.tracks, message.ahead.get(country,
                                                                              frozenset()))
            heapq.heappush(self.pending, (arrival, next(self._sequence), alert))

    def due(self, until: float) -> list[Alert]:
        """Alerts reaching their checkpoints before `until`."""
        alerts = []
        while self.pending and self.pending[0][0] < until:
            alerts.append(heapq.heappop(self.pending)[2])
        return alerts


def still_ahead(model: JointActionModel, movement: Movement, country: str) -> bool:
    """Whether `movement` is still on its way and has a place of `country` ahead."""
    if movement.state in GONE:
        return False
    countries = model.place_countries
    return any(country in countries[p] for p in movement.route[movement.leg:])


def timeliness(model: JointActionModel, alert: Alert) -> str:
    """"in_time" if a linked movement still has the alert's country ahead, "too_late" if every
    one that had it ahead when the network was linked has passed it, else "" (none to meet)."""
    movements = [m for m in alert.network.movements if m.unique_id in alert.ahead]
    if any(still_ahead(model, m, alert.country) for m in movements):
        return "in_time"
    passed = [m for m in movements if m.state in (MovementState.IN_TRANSIT,
                                                  MovementState.HELD, MovementState.DELIVERED)]
    return "too_late" if passed else ""
