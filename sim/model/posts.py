"""Hourly arithmetic of the inland and port check posts, vectorised over places.

`PostState`: road checkpoints (on road segments, `sim/model/roads.py`), container and passenger
checks at ports (with scanning teams and Frontex equipment placed there) and parcel checks at
parcel centres. It leaves, for the current hour, the share of arrivals checked at each place:
the base chance that a criminal movement arriving there is picked, and the port and parcel
officer-hours left idle. The border crossings have their own module, `sim.model.crossings`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.mechanisms import (
    check_capacity,
    equipment_coverage,
    share_checked,
)

if TYPE_CHECKING:
    from sim.model import JointActionModel


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
        self.scanners = np.zeros(places)
        self.port_scanned = np.zeros(places)     # share of checked containers scanned
        self.scanned_extra = np.zeros(places)    # containers scanned beyond the officers' checks
        self.kit_coverage = np.zeros(places)
        self.expert_coverage = np.zeros(places)
        self.reposted()
        self.team_places = [(team, model.place_index[team.place]) for team in
                            model.scanning_teams
                            if model.graph.nodes[team.place]["kind"] == "port"]

    def reposted(self) -> None:
        """The Frontex kits and document experts at each place (at the start and after a
        re-plan: sim/model/reallocation.py)."""
        model = self.model
        frontex = model.frontex_at
        self.kits = np.array([frontex.get((p, "detection_kit"), 0) for p in model.place_ids],
                             dtype=float)
        self.experts = np.array([frontex.get((p, "document_experts"), 0)
                                 for p in model.place_ids], dtype=float)

    def hour(self, hour_of_day: int) -> None:
        model, parameters = self.model, self.model.parameters
        day, rhythm = model.day, 24.0 * model.daily_rhythm[hour_of_day]
        tally = model.tally

        road = model.roads.hour(hour_of_day)  # checkpoints on road segments (sim/model/roads.py)
        road_persons = np.round(road * parameters.road_occupancy)

        port_officers = model.on_duty["port"][:, hour_of_day]
        on_passengers = port_officers * parameters.port_passenger_share
        containers = parameters.port_containers_per_hour * rhythm
        port = np.floor(np.minimum(check_capacity(
            port_officers - on_passengers, parameters.port_check_officer_minutes), containers))
        port = port + self._port_scanners(hour_of_day, port, containers, port_officers > 0)
        self.port_share = share_checked(port, np.full_like(port, containers))
        passengers = np.floor(np.minimum(check_capacity(
            on_passengers, parameters.person_check_officer_minutes),
            parameters.port_passengers_per_hour * rhythm))
        self.kit_coverage = equipment_coverage(self.kits, parameters.detection_kit_checks_per_hour,
                                               port)
        self.expert_coverage = equipment_coverage(
            self.experts, parameters.document_expert_documents_per_hour, passengers + port)

        parcel_officers = model.on_duty["parcel_centre"][:, hour_of_day]
        parcels = parameters.parcels_per_hour * rhythm
        parcel = np.floor(np.minimum(
            check_capacity(parcel_officers, parameters.parcel_check_officer_minutes), parcels))
        self.parcel_share = share_checked(parcel, np.full_like(parcel, parcels))

        hours = 1.0 / 60.0
        idle = {"port": port_officers
                - (port - self.scanned_extra) * parameters.port_check_officer_minutes * hours
                - passengers * parameters.person_check_officer_minutes * hours,
                "parcel_centre": parcel_officers
                - parcel * parameters.parcel_check_officer_minutes * hours}
        for kind, spare in idle.items():
            tally.add_vector(f"officer_hours_idle_{kind}", day, np.maximum(spare, 0.0))
        self.checks = road + port + passengers + parcel  # this hour's, read by the invariants
        tally.add_vector("checks_vehicles", day, road + port)
        persons = road_persons + port + passengers
        tally.add_vector("checks_persons", day, persons)
        tally.add_vector("checks_parcels", day, parcel)
        model.inland.wanted_persons(persons, self.everywhere)

    def _port_scanners(self, hour_of_day: int, checked: np.ndarray, containers: float,
                       staffed: np.ndarray) -> np.ndarray:
        """Containers a scanning team at a port scans beyond the officers' checks this hour;
        leaves the share of checked containers that are scanned (a lorry's scanner minutes)."""
        model = self.model
        self.scanners[:] = 0.0
        for team, index in self.team_places:
            if team.active(model.day + 1, hour_of_day):
                self.scanners[index] += 1
        self.scanners[~staffed] = 0.0  # a visiting team works under host officers only
        scans = np.floor(self.scanners * 60.0 / model.parameters.scanner_minutes["lorry"])
        extra = np.minimum(np.maximum(scans - checked, 0.0), np.maximum(containers - checked,
                                                                        0.0))
        total = checked + extra
        self.port_scanned = np.divide(np.minimum(scans, total), total,
                                      out=(self.scanners > 0) * 1.0, where=total > 0)
        self.scanned_extra = extra
        return extra
