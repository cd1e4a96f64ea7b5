"""Hourly arithmetic of the check posts, vectorised over places.

`CrossingState`: legitimate traffic, lanes, queue and wait, and intensified checks at every
border crossing. `PostState`: road checkpoints (on road segments, `sim/model/roads.py`),
container checks at ports and parcel checks at parcel centres. Both leave, for the current
hour, the share of arrivals checked at each place: the base chance that a criminal movement
arriving there is picked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.mechanisms import (
    DAILY_RHYTHM,
    check_capacity,
    hourly_arrivals,
    lane_throughput,
    lanes_open,
    queue_step,
    share_checked,
)

if TYPE_CHECKING:
    from sim.model import JointActionModel


class CrossingState:
    """Traffic, staffing, queue and checks of all crossings in one set of arrays."""

    def __init__(self, model: JointActionModel, crossing_ids: list[str]):
        self.model = model
        nodes = model.graph.nodes
        self.places = np.array([model.place_index[c] for c in crossing_ids], dtype=int)
        self.index = {c: i for i, c in enumerate(crossing_ids)}
        persons = np.array([float(nodes[c]["persons_per_day"]) for c in crossing_ids])
        vehicles = np.array([max(float(nodes[c]["vehicles_per_day"]), 1.0) for c in crossing_ids])
        self.lanes = np.array([int(nodes[c]["lanes"]) for c in crossing_ids])
        self.occupancy = np.maximum(persons / vehicles, 1.0)
        parameters, scenario = model.parameters, model.scenario_spec
        share = parameters.inbound_share * scenario.traffic.scale
        rng = model.streams.traffic
        start = scenario.action.start.hour
        self.arrivals = np.array([hourly_arrivals(vehicles, (start + t) % 24, share, rng)
                                  for t in range(model.hours)], dtype=float).reshape(
                                      model.hours, len(crossing_ids))
        self.scanners = np.zeros(len(crossing_ids))
        self.queue = np.zeros(len(crossing_ids))
        self.last_wait = np.zeros(len(crossing_ids))
        self.share = np.zeros(len(crossing_ids))
        self.capacity = np.zeros(len(crossing_ids))
        self.checks = np.zeros(len(crossing_ids))
        self._wait_weighted = 0.0
        self._vehicles = 0.0
        self._max_wait = 0.0

    def scanner_active(self, place: str) -> bool:
        i = self.index.get(place)
        return i is not None and self.scanners[i] > 0

    def hour(self, hour_of_day: int) -> None:
        model, parameters = self.model, self.model.parameters
        officers = model.on_duty["crossing"][self.places, hour_of_day]
        second_line = np.floor(officers * parameters.second_line_share)
        first_line = officers - second_line
        lanes = lanes_open(first_line, self.lanes, parameters.officers_per_lane)
        lanes = np.where(officers > 0, np.maximum(lanes, 1), 0)
        arrivals = self.arrivals[model.tick]
        self.scanners[:] = 0.0
        for team in model.scanning_teams:
            if team.active(model.day + 1, hour_of_day):
                self.scanners[self.index[team.place]] += 1
        self.scanners[officers <= 0] = 0.0  # a visiting team works under host officers only
        minutes = (parameters.vehicle_check_officer_minutes
                   + self.occupancy * parameters.person_check_officer_minutes)
        self.capacity = check_capacity(second_line, minutes,
                                       self.scanners * parameters.scanner_vehicles_per_hour)
        self.checks = np.minimum(self.capacity, arrivals)
        self.share = share_checked(self.checks, arrivals)
        service = lanes * lane_throughput(parameters.lane_vehicles_per_hour,
                                          parameters.lane_blocking_seconds, self.share)
        # in an hour without legitimate arrivals a criminal vehicle is the only one to check
        self.share = np.where(arrivals > 0, self.share, (self.capacity >= 1).astype(float))
        self.queue, self.last_wait = queue_step(self.queue, arrivals, service, officers <= 0)
        persons = np.round(self.checks * self.occupancy)
        day = model.day
        model.tally.add_vector("checks_vehicles", day, self.checks, self.places)
        model.tally.add_vector("checks_persons", day, persons, self.places)
        model.tally.add_vector("legitimate_vehicles", day, arrivals, self.places)
        model.inland.wanted_persons(persons, self.places)
        staffed = officers > 0
        self._wait_weighted += float((self.last_wait * arrivals)[staffed].sum())
        self._vehicles += float(arrivals.sum())
        self._max_wait = max(self._max_wait, float(self.last_wait.max(initial=0.0)))

    def wait_summary(self) -> dict[str, float]:
        mean = self._wait_weighted / self._vehicles if self._vehicles else 0.0
        return {"mean_wait_minutes": mean, "max_wait_minutes": self._max_wait}


class PostState:
    """Road checkpoints (via the road segments), port container checks and parcel centres,
    over all places at once."""

    def __init__(self, model: JointActionModel):
        self.model = model
        places = len(model.place_ids)
        self.port_share = np.zeros(places)
        self.parcel_share = np.zeros(places)
        self.checks = np.zeros(places)
        self.everywhere = np.arange(places)

    def hour(self, hour_of_day: int) -> None:
        model, parameters = self.model, self.model.parameters
        day, rhythm = model.day, 24.0 * DAILY_RHYTHM[hour_of_day]
        tally = model.tally

        road = model.roads.hour(hour_of_day)  # checkpoints on road segments (sim/model/roads.py)
        road_persons = np.round(road * parameters.road_occupancy)

        port_officers = model.on_duty["port"][:, hour_of_day]
        on_passengers = port_officers * parameters.port_passenger_share
        containers = parameters.port_containers_per_hour * rhythm
        port = np.floor(np.minimum(check_capacity(
            port_officers - on_passengers, parameters.port_check_officer_minutes), containers))
        self.port_share = share_checked(port, np.full_like(port, containers))
        passengers = np.floor(np.minimum(check_capacity(
            on_passengers, parameters.person_check_officer_minutes),
            parameters.port_passengers_per_hour * rhythm))

        parcel_officers = model.on_duty["parcel_centre"][:, hour_of_day]
        parcels = parameters.parcels_per_hour * rhythm
        parcel = np.floor(np.minimum(
            check_capacity(parcel_officers, parameters.parcel_check_officer_minutes), parcels))
        self.parcel_share = share_checked(parcel, np.full_like(parcel, parcels))

        self.checks = road + port + passengers + parcel  # this hour's, read by the invariants
        tally.add_vector("checks_vehicles", day, road + port, self.everywhere)
        persons = road_persons + port + passengers
        tally.add_vector("checks_persons", day, persons, self.everywhere)
        tally.add_vector("checks_parcels", day, parcel, self.everywhere)
        model.inland.wanted_persons(persons, self.everywhere)
