"""Police units that act on alerts: mobile units re-tasked to a linked movement's route.

The scenario names a share of the mobile units (road checkpoint teams and inland teams) that
may answer alerts. When an alert reaches a country and names linked movements in transit, each
free mobile unit of that country on duty decides for itself (`OfficerUnit.answer_alert`) where
on those movements' routes it could be before they are due, and when it would give up; the
unit that gets somewhere first goes. While it is away its post has fewer officers; while it
waits, a movement of the alerted network reaching the place is stopped with the chance of a
flagged check and searched like any other (one chance per vehicle: a movement that waited at
the place and comes back is not looked at again).
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sim.model.agents import Movement, OfficerUnit
from sim.model.checks import intercept
from sim.model.mechanisms import detection_probability
from sim.model.relay import GONE, Alert

if TYPE_CHECKING:
    from sim.model import JointActionModel

ROAD_PLACES = frozenset({"hub", "destination", "port", "crossing"})  # where a unit can stop cars


def mobile_units(units: list[OfficerUnit], postings: list[str], share: float) -> None:
    """Mark `share` of the units of each country and mobile posting as mobile, spread evenly
    over their order (every k-th unit), so the same units stay mobile as the share grows."""
    groups: dict[tuple[str, str], list[OfficerUnit]] = {}
    for unit in units:
        if unit.posting in postings:
            groups.setdefault((unit.country, unit.posting), []).append(unit)
    for group in groups.values():
        for i, unit in enumerate(group):
            unit.mobile = int((i + 1) * share) > int(i * share)


@dataclass
class Watch:
    unit: OfficerUnit
    network_id: int
    start: float
    until: float
    looked_at: set[int] = field(default_factory=set)  # movements this unit has had its chance at


class Response:
    """Re-tasked units of one replicate: their watches and their way back."""

    def __init__(self, model: JointActionModel):
        self.model = model
        self.rng = model.streams.response
        self.watches: dict[str, list[Watch]] = {}
        self.postings: list[tuple[int, int, OfficerUnit, float]] = []  # (tick, _, unit, +-1)
        self._sequence = itertools.count()
        self.retasked = 0
        self.take_units(model.units)

    def take_units(self, units: list[OfficerUnit]) -> None:
        """The units that may answer alerts, by country (at the start, and after a re-plan
        has posted new units: sim/model/reallocation.py)."""
        spec = self.model.scenario_spec.response
        mobile_units(units, spec.postings, spec.mobile_share)
        self.by_country: dict[str, list[OfficerUnit]] = {}
        for unit in units:
            if unit.mobile:
                self.by_country.setdefault(unit.country, []).append(unit)

    def recall(self) -> None:
        """Every unit out on an alert is back and every watch over (before a re-plan posts the
        officers anew, each at the post the new plan gives)."""
        self.postings.clear()
        self.watches.clear()

    def _hours_from(self, place: str) -> dict[str, float]:
        """Driving hours from `place` to every place (roads and sea links, no green border;
        computed once per route graph: read only)."""
        return self.model.route_planner.driving_hours(place)

    def _due_places(self, alert: Alert) -> list[tuple[str, float]]:
        """(place, due hour) on the routes of the alert's linked movements, in its country."""
        model = self.model
        graph, kind = model.graph, model.route_planner.kind
        places = []
        for track in alert.tracks:
            movement = track.movement
            if movement.state in GONE:
                continue
            due = track.due
            route = movement.route
            for j in range(track.leg, len(route)):
                if j > track.leg:
                    due += graph.edges[route[j - 1], route[j]]["hours"]
                place = route[j]
                if kind[place] in ROAD_PLACES and graph.nodes[place]["country"] == alert.country:
                    places.append((place, due))
        return places

    def dispatch(self, alert: Alert) -> None:
        """Offer the alert to the free mobile units of its country; the first to arrive goes."""
        units = self.by_country.get(alert.country)
        if not units or not alert.tracks:
            return
        due_places = self._due_places(alert)
        if not due_places:
            return
        model = self.model
        now, hour = model.clock, model.hour_of_day
        watch_hours = model.parameters.retask_watch_hours
        best: tuple[float, OfficerUnit, tuple[str, float, float], float] | None = None
        for unit in units:
            hours = self._hours_from(unit.place)
            options = [(place, hours[place], due) for place, due in due_places if place in hours]
            choice = unit.answer_alert(options, now, hour, watch_hours)
            if choice is not None and (best is None or choice[1] < best[0]):
                best = (choice[1], unit, choice, hours[choice[0]])
        if best is None:
            return
        _, unit, (place, arrival, give_up), travel = best
        back = give_up + travel
        unit.busy_until = back
        leaves = model.tick + 1  # post strengths change between hours, never within one
        heapq.heappush(self.postings, (leaves, next(self._sequence), unit, -1.0))
        heapq.heappush(self.postings, (max(math.ceil(back), leaves + 1), next(self._sequence),
                                       unit, 1.0))
        self.watches.setdefault(place, []).append(
            Watch(unit, alert.network.unique_id, arrival, give_up))
        self.retasked += 1
        model.record_event("retasking", place, network=alert.network, unit=unit,
                           equipment="alert_response", arrival=arrival, give_up=give_up)

    def staff_posts(self, tick: int) -> None:
        """Before hour `tick`: re-tasked units leave their posts (their officers no longer
        check there) and units whose watch and drive back are over return."""
        while self.postings and self.postings[0][0] <= tick:
            _, _, unit, sign = heapq.heappop(self.postings)
            index = self.model.place_index[unit.place]
            hours = list(unit.shift.hours())
            self.model.on_duty[unit.posting][index, hours] += sign * unit.officers

    def hour(self, until: float) -> None:
        """Watches over before the last hour are forgotten."""
        for place in list(self.watches):
            self.watches[place] = [w for w in self.watches[place] if w.until >= until - 1.0]
            if not self.watches[place]:
                del self.watches[place]

    def watching(self, unit_id: int, place: str, time: float) -> bool:
        """Whether unit `unit_id` was waiting at `place` at `time` (for the invariants)."""
        return any(w.unit.unique_id == unit_id and w.start <= time <= w.until
                   for w in self.watches.get(place, ()))

    def stops(self, movement: Movement, place: str) -> bool:
        """Whether a unit waiting at `place` for this movement's network stops and finds it."""
        watches = self.watches.get(place)
        if not watches:
            return False
        model, time = self.model, self.model.clock
        network_id = movement.network.unique_id
        for watch in watches:
            if watch.network_id != network_id or not watch.start <= time <= watch.until:
                continue
            # one chance per vehicle: a movement that waited here (for darkness or a closed
            # crossing) and comes back is the vehicle the unit has already looked at
            if movement.unique_id in watch.looked_at:
                continue
            watch.looked_at.add(movement.unique_id)
            parameters = model.parameters
            concealment = "simple" if movement.kind == "foot_group" else movement.concealment
            found = detection_probability(concealment, manual=parameters.detection_manual,
                                          scanner=None, kit_bonus=0.0)
            if self.rng.random() < parameters.intelligence_selection * found:
                intercept(model, movement, place, "alert_response", guide_caught=True,
                          unit=watch.unit)
                return True
        return False
