"""Hourly arithmetic of the border crossings, vectorised over crossings (rows) and vehicle
classes (columns: car, bus, lorry).

Each hour the officers on duty at a crossing are a budget: first the booths each class needs to
clear its queue and arrivals (two officers a booth), then second-line intensified checks of the
same share of every class's arrivals, up to the bays of the place. The second line spreads over
the bays in use: where it has more officers than standard teams fill, teams grow (up to the
officers one vehicle can hold) and turn a bay over faster, each extra officer saving less. Second-
line officers no bay can use, beyond one standard team kept back for the vehicle that turns up,
patrol the adjoining green-border sector, the modelled sector of the same border
(`crossing_surplus_patrol`, counted as `officer_hours_crossing_patrol`); what is left is idle
and counted (`officer_hours_idle_crossing`). Booth queues build when arrivals exceed what the
open booths clear and drain afterwards; a vehicle picked for a check holds its booth a little
longer and then waits its own check in the bay. Scanning teams scan a number of
vehicles an hour by class, first those the officers check; only a scanned vehicle meets the
scanner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.geography import RouteGraph
from sim.model.mechanisms import (
    CLASS_RHYTHM,
    VEHICLE_CLASSES,
    booth_throughput,
    booths_to_open,
    check_teams,
    class_arrivals,
    equipment_coverage,
    queue_step,
    second_line_checks,
)

if TYPE_CHECKING:
    from sim.model import JointActionModel

CLASS_OF_MOVEMENT = {"vehicle": 0, "foot_group": 0, "coach": 1, "lorry": 2, "container": 2}
# Assumption: half of a crossing's staff keep round-the-clock cover, half follow the traffic.
TRAFFIC_FOLLOWING_SHARE = 0.5


def traffic_shift_weights(route_graph: RouteGraph) -> np.ndarray:
    """Hourly weights of the 'traffic' shift profile: a flat floor plus the region's arrivals
    by hour (every crossing's classes with their daily rhythms)."""
    per_class = route_graph.traffic.groupby("vehicle_class")["vehicles_per_day"].sum()
    volumes = np.array([float(per_class.get(k, 0.0)) for k in VEHICLE_CLASSES])
    arrivals = CLASS_RHYTHM @ volumes
    rhythm = arrivals / arrivals.sum() if arrivals.sum() > 0 else np.full(24, 1 / 24)
    return (1.0 - TRAFFIC_FOLLOWING_SHARE) / 24.0 + TRAFFIC_FOLLOWING_SHARE * rhythm


class CrossingState:
    """Traffic, officer time, queues, checks and equipment of all crossings in arrays."""

    def __init__(self, model: JointActionModel, crossing_ids: list[str]):
        self.model = model
        nodes = model.graph.nodes
        parameters, scenario = model.parameters, model.scenario_spec
        self.places = np.array([model.place_index[c] for c in crossing_ids], dtype=int)
        self.index = {c: i for i, c in enumerate(crossing_ids)}

        def column(key: str) -> np.ndarray:
            return np.array([[float(nodes[c]["traffic"][k][key]) for k in VEHICLE_CLASSES]
                             for c in crossing_ids]).reshape(len(crossing_ids), 3)

        self.per_day = column("vehicles_per_day")
        self.booths = column("booths")
        self.bays = column("bays") * parameters.inspection_bays_scale
        self.occupancy = np.array([parameters.occupancy[k] for k in VEHICLE_CLASSES])
        self.seconds = np.array([parameters.first_line_seconds[k] for k in VEHICLE_CLASSES])
        self.minutes = np.array([
            parameters.vehicle_check_officer_minutes * parameters.check_time_by_class[k]
            + parameters.occupancy[k] * parameters.person_check_officer_minutes
            for k in VEHICLE_CLASSES])
        self.duration = self.minutes / parameters.intensified_check_officers  # clock minutes
        self.team_most = np.array([parameters.check_team_max_officers[k]
                                   for k in VEHICLE_CLASSES])
        self.clock = np.broadcast_to(self.duration, self.bays.shape).copy()  # this hour's
        self.scan_minutes = np.array([parameters.scanner_minutes[k] for k in VEHICLE_CLASSES])
        share = parameters.inbound_share * scenario.traffic.scale
        rng = model.streams.traffic
        start = scenario.action.start
        self.arrivals = np.array([
            class_arrivals(self.per_day, (start.hour + t) % 24,
                           (start.weekday() + (start.hour + t) // 24) % 7, share, rng)
            for t in range(model.hours)]).reshape(model.hours, len(crossing_ids), 3)
        shape = (len(crossing_ids), 3)
        self.queue = np.zeros(shape)
        self.queue_wait = np.zeros(shape)      # minutes an arrival of this hour waits at a booth
        self.wait = np.zeros(shape)            # plus the checked share's own check
        self.share = np.zeros(shape)           # share of each class's arrivals checked
        self.scanned_share = np.zeros(shape)   # share of checked vehicles that are scanned
        self.checks = np.zeros(shape)
        self.capacity = np.zeros(len(crossing_ids))
        self.scanners = np.zeros(len(crossing_ids))
        self.kit_coverage = np.zeros(len(crossing_ids))
        self.expert_coverage = np.zeros(len(crossing_ids))
        self.idle = np.zeros(len(crossing_ids))
        self.patrol = np.zeros(len(crossing_ids))   # officers out on the adjoining sector
        self.expected_patrol = np.zeros((len(model.place_ids), 24))  # by expected_shares
        self.sector_of = _adjoining_sectors(model, crossing_ids)
        self.sectors = sorted({s for s in self.sector_of if s >= 0})
        self.sector_patrol = np.zeros(len(model.place_ids))  # by place index, this hour
        self.opened = np.zeros(shape)                          # booths staffed this hour
        self.first_line = np.zeros(len(crossing_ids))          # officers in them
        self.officer_checks_hours = np.zeros(len(crossing_ids))  # officer-hours on checks
        self.wait_table = np.zeros((model.hours, len(crossing_ids), 3))
        self.teams = [(team, self.index[team.place]) for team in model.scanning_teams
                      if team.place in self.index]
        self.no_scans = np.zeros(shape)
        self.unstaffed = np.zeros(shape, dtype=bool)  # free-flowing this hour (no checks)
        # traffic flows unchecked at a Schengen internal crossing (no border checks) and at one
        # the scenario posts nobody to (its ordinary staff are not modelled); a crossing whose
        # rosters leave an hour empty is closed in it, and its traffic queues
        posted = model.on_duty["crossing"][self.places].sum(axis=1) > 0
        self.free_flow = np.array([nodes[c]["border_status"] == "schengen_internal"
                                   for c in crossing_ids], dtype=bool) | ~posted
        self.closed = np.zeros(len(crossing_ids), dtype=bool)
        self.opens_in = np.zeros(len(crossing_ids))  # hours from this tick to the next staffed
        self.kits = self._frontex(crossing_ids, "detection_kit")
        self.experts = self._frontex(crossing_ids, "document_experts")
        self._wait_weighted = np.zeros(3)
        self._vehicles = np.zeros(3)
        self._max_wait = np.zeros(3)

    def patrol_officers(self, place: str) -> float:
        """Crossing officers patrolling the green-border sector `place` this hour."""
        return float(self.sector_patrol[self.model.place_index[place]])

    def _frontex(self, crossing_ids: list[str], kind: str) -> np.ndarray:
        return np.array([self.model.frontex_at.get((c, kind), 0) for c in crossing_ids],
                        dtype=float)

    def reposted(self) -> None:
        """After a re-plan (sim/model/reallocation.py): which crossings have officers at all
        (the others' traffic flows unchecked) and the Frontex kits and experts at each, as the
        constructor reads them at the start."""
        crossing_ids = list(self.index)
        nodes = self.model.graph.nodes
        posted = self.model.on_duty["crossing"][self.places].sum(axis=1) > 0
        self.free_flow = np.array([nodes[c]["border_status"] == "schengen_internal"
                                   for c in crossing_ids], dtype=bool) | ~posted
        self.kits = self._frontex(crossing_ids, "detection_kit")
        self.experts = self._frontex(crossing_ids, "document_experts")

    def expected_shares(self) -> tuple[np.ndarray, np.ndarray]:
        """Share of arrivals checked in each hour of an average day (crossings x 24; mean
        arrivals, empty queues, all classes together): by the officers alone, and with the
        scanning teams working their hours. What a network watching the crossings sees; the
        crossing officers it would meet on the adjoining sectors go to `expected_patrol`
        (officers by place index x hour)."""
        parameters = self.model.parameters
        share = parameters.inbound_share * self.model.scenario_spec.traffic.scale
        officers_by_hour = self.model.on_duty["crossing"][self.places]
        seen = np.zeros((len(self.index), 24))
        scanned = np.zeros((len(self.index), 24))
        self.expected_patrol = np.zeros((len(self.model.place_ids), 24))
        has_sector = self.sector_of >= 0
        for hour in range(24):
            arrivals = self.per_day * share * CLASS_RHYTHM[hour]
            officers = officers_by_hour[:, hour]
            opened = booths_to_open(arrivals, booth_throughput(
                self.seconds, parameters.lane_blocking_seconds, np.zeros_like(arrivals)),
                self.booths, officers, parameters.officers_per_lane)
            first_line = np.minimum(opened.sum(axis=1) * parameters.officers_per_lane,
                                    officers)
            second_line = np.minimum(officers - first_line,
                                     officers * parameters.second_line_share)
            checks, minutes, _ = self._second_line(second_line, arrivals)
            patrol = self._patrol(second_line, (checks * minutes).sum(axis=1) / 60.0)
            np.add.at(self.expected_patrol[:, hour], self.sector_of[has_sector],
                      patrol[has_sector])
            second_line = second_line - patrol  # those who stay at the crossing
            teams = np.zeros(len(self.index))
            for team in self.model.scanning_teams:  # as they stand before the action
                if team.place in self.index and team.shift.covers(hour) and team.works_on(1):
                    teams[self.index[team.place]] += 1
            teams[officers <= 0] = 0.0
            unchecked = np.maximum(arrivals - checks, 0.0)
            left = np.maximum(teams * 60.0 - (checks * self.scan_minutes).sum(axis=1), 0.0)
            need = (unchecked * self.scan_minutes).sum(axis=1)
            ratio = np.minimum(np.divide(left, need, out=np.zeros_like(need), where=need > 0),
                               1.0)
            total = arrivals.sum(axis=1)
            lone = (second_line * 60.0 / self.minutes.min() >= 1.0) * 1.0  # no traffic at all
            seen[:, hour] = np.where(total > 0, checks.sum(axis=1) / np.maximum(total, 1e-12),
                                     lone)
            scanned[:, hour] = np.where(
                total > 0, (checks + unchecked * ratio[:, None]).sum(axis=1)
                / np.maximum(total, 1e-12), np.maximum(lone, (teams > 0) * 1.0))
        # a trip reaching a closed crossing waits for the opening and meets that hour's checks
        closed = (officers_by_hour <= 0) & ~self.free_flow[:, None]
        for i, hour in zip(*np.nonzero(closed), strict=True):
            opening = next((hour + k) % 24 for k in range(1, 25)
                           if not closed[i, (hour + k) % 24])
            seen[i, hour], scanned[i, hour] = seen[i, opening], scanned[i, opening]
        return seen, scanned

    def _patrol(self, second_line: np.ndarray, used: np.ndarray) -> np.ndarray:
        """Second-line officers sent out on the adjoining sector: those no bay can use this
        hour, less one standard team kept back for a vehicle that turns up (0 where no
        modelled sector adjoins the crossing)."""
        parameters = self.model.parameters
        spare = np.maximum(second_line - used - parameters.intensified_check_officers, 0.0)
        return np.where(self.sector_of >= 0, spare * parameters.crossing_surplus_patrol, 0.0)

    def _second_line(self, officers: np.ndarray, arrivals: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(checks, officer-minutes per check, clock minutes per check) per crossing and class
        for `officers` on the second line: they spread over the bays of the classes that have
        arrivals, in teams of the standard size up to the most one vehicle holds."""
        parameters = self.model.parameters
        bays = (self.bays * (arrivals > 0)).sum(axis=1)
        per_bay = np.divide(officers, bays, out=np.zeros_like(officers), where=bays > 0)
        team, factor = check_teams(per_bay, parameters.intensified_check_officers,
                                   self.team_most, parameters.check_serial_share)
        clock = self.duration * factor
        minutes = team * clock
        limit = np.minimum(arrivals, self.bays * 60.0 / clock)
        return second_line_checks(officers * 60.0, arrivals, minutes, limit), minutes, clock

    def scanned_chance(self, place: str, movement_kind: str) -> float:
        """Chance that a checked vehicle of this kind is also scanned at `place` this hour."""
        return float(self.scanned_share[self.index[place], CLASS_OF_MOVEMENT[movement_kind]])

    def checked_share(self, place: str, movement_kind: str) -> float:
        return float(self.share[self.index[place], CLASS_OF_MOVEMENT[movement_kind]])

    def wait_minutes(self, place: str, movement_kind: str, checked: bool) -> float:
        """Minutes a vehicle of this kind spends at `place` this hour: the booth queue, plus
        its own intensified check if it was picked."""
        i, k = self.index[place], CLASS_OF_MOVEMENT[movement_kind]
        return float(self.queue_wait[i, k] + (self.clock[i, k] if checked else 0.0))

    def hour(self, hour_of_day: int) -> None:
        model, parameters = self.model, self.model.parameters
        officers = model.on_duty["crossing"][self.places, hour_of_day]
        arrivals = self.arrivals[model.tick]
        staffed = officers > 0
        per_booth = booth_throughput(self.seconds, parameters.lane_blocking_seconds, self.share)
        opened = booths_to_open(self.queue + arrivals, per_booth, self.booths, officers,
                                parameters.officers_per_lane)
        # a lone officer (fewer than a booth's team) staffs one booth with what there is
        first_line = np.minimum(opened.sum(axis=1) * parameters.officers_per_lane, officers)
        second_line = np.minimum(officers - first_line,
                                 officers * parameters.second_line_share)
        officer_checks, minutes, self.clock = self._second_line(second_line, arrivals)
        used = (officer_checks * minutes).sum(axis=1) / 60.0
        self.opened, self.first_line, self.officer_checks_hours = opened, first_line, used
        self.patrol = self._patrol(second_line, used)
        self.idle = np.maximum(officers - first_line - used - self.patrol, 0.0)
        if self.sectors:
            self.sector_patrol[self.sectors] = 0.0
            np.add.at(self.sector_patrol, self.sector_of[self.sector_of >= 0],
                      self.patrol[self.sector_of >= 0])
        scanned, extra = self._scanners(hour_of_day, staffed, officer_checks, arrivals)
        # checks the second line and the scanners could do this hour, of the quickest class
        self.capacity = ((second_line - self.patrol) * 60.0 / self.minutes.min()
                         + self.scanners * 60.0 / self.scan_minutes.min())
        self.checks = officer_checks + extra
        with np.errstate(divide="ignore", invalid="ignore"):
            self.share = np.where(arrivals > 0, np.minimum(self.checks / arrivals, 1.0),
                                  # a criminal vehicle alone in an hour: checked if anyone can
                                  (self.capacity >= 1.0)[:, None] * 1.0)
            self.scanned_share = np.where(self.checks > 0, (scanned + extra) / self.checks,
                                          (self.scanners > 0)[:, None] * 1.0)
        service = opened * booth_throughput(self.seconds, parameters.lane_blocking_seconds,
                                            self.share)
        self.closed = ~staffed & ~self.free_flow
        self.unstaffed[:] = (~staffed & self.free_flow)[:, None]
        self.queue, self.queue_wait = queue_step(self.queue, arrivals, service, self.unstaffed)
        if self.closed.any():
            self._closed_hour(hour_of_day)
        checked = staffed[:, None] & (arrivals > 0)
        # a vehicle the officers check waits its check; one only the scanning team's crew picks
        # waits its scan
        with np.errstate(divide="ignore", invalid="ignore"):
            scanned_only = np.where(checked, np.minimum(extra / arrivals, self.share), 0.0)
        self.wait = self.queue_wait + np.where(
            checked, (self.share - scanned_only) * self.clock + scanned_only * self.scan_minutes,
            0.0)
        self._equipment(officer_checks.sum(axis=1) + extra.sum(axis=1))
        self._record(arrivals, staffed)

    def _closed_hour(self, hour_of_day: int) -> None:
        """At a closed crossing, an arrival of this hour waits (from mid-hour) until officers
        are next on duty (within a day: a closed crossing has officers in some hour): a lower
        bound, since the queue that built up meanwhile is cleared after the opening."""
        officers = self.model.on_duty["crossing"][self.places]
        ahead = officers[:, (hour_of_day + np.arange(1, 25)) % 24] > 0
        self.opens_in = ahead.argmax(axis=1) + 1.0
        self.queue_wait[self.closed] = ((self.opens_in[self.closed] - 0.5) * 60.0)[:, None]

    def _scanners(self, hour_of_day: int, staffed: np.ndarray, checks: np.ndarray,
                  arrivals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(checked vehicles scanned, extra vehicles scanned beyond the officers' checks) per
        class: the teams' minutes go first to the vehicles the officers check, the rest to
        unchecked arrivals (the team's own crew works the scanner)."""
        model = self.model
        self.scanners[:] = 0.0
        for team, i in self.teams:
            if team.active(model.day + 1, hour_of_day):
                self.scanners[i] += 1
        self.scanners[~staffed] = 0.0  # a visiting team works under host officers only
        if not self.scanners.any():
            return self.no_scans, self.no_scans
        minutes = self.scanners * 60.0
        need = (checks * self.scan_minutes).sum(axis=1)
        ratio = np.minimum(np.divide(minutes, need, out=np.ones_like(need), where=need > 0), 1.0)
        scanned = checks * ratio[:, None]
        # never below zero: a rounding error of the sum must not floor to minus one vehicle
        left = np.maximum(minutes - (scanned * self.scan_minutes).sum(axis=1), 0.0)
        unchecked = np.maximum(arrivals - checks, 0.0)
        need = (unchecked * self.scan_minutes).sum(axis=1)
        ratio = np.minimum(np.divide(left, need, out=np.zeros_like(need), where=need > 0), 1.0)
        return scanned, np.floor(unchecked * ratio[:, None])

    def _equipment(self, checks: np.ndarray) -> None:
        """Share of this hour's checks a detection kit serves, and of the documents of the
        persons checked that a document expert examines."""
        parameters = self.model.parameters
        if self.kits.any():
            self.kit_coverage = equipment_coverage(
                self.kits, parameters.detection_kit_checks_per_hour, checks)
        if self.experts.any():
            persons = (self.checks * self.occupancy).sum(axis=1)
            self.expert_coverage = equipment_coverage(
                self.experts, parameters.document_expert_documents_per_hour, persons)

    def _record(self, arrivals: np.ndarray, staffed: np.ndarray) -> None:
        model = self.model
        day = model.day
        persons = np.round((self.checks * self.occupancy).sum(axis=1))
        model.tally.add_vector("checks_vehicles", day, self.checks.sum(axis=1), self.places)
        model.tally.add_vector("checks_persons", day, persons, self.places)
        model.tally.add_vector("legitimate_vehicles", day, arrivals.sum(axis=1), self.places)
        model.tally.add_vector("officer_hours_idle_crossing", day, self.idle, self.places)
        model.tally.add_vector("officer_hours_crossing_patrol", day, self.patrol, self.places)
        model.inland.wanted_persons(persons, self.places)
        self.wait_table[model.tick] = self.wait
        waiting = (staffed | self.closed)[:, None]  # not where traffic flows unchecked
        counted = arrivals * waiting
        self._wait_weighted += (self.wait * counted).sum(axis=0)
        self._vehicles += arrivals.sum(axis=0)
        self._max_wait = np.maximum(self._max_wait, (self.wait * waiting).max(axis=0,
                                                                               initial=0.0))

    def wait_summary(self) -> dict[str, float]:
        """Vehicle-weighted mean waits and the longest hourly wait, in all and by class."""
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.where(self._vehicles > 0, self._wait_weighted / self._vehicles, 0.0)
        total = self._vehicles.sum()
        summary = {"mean_wait_minutes": float(self._wait_weighted.sum() / total) if total else 0.0,
                   "max_wait_minutes": float(self._max_wait.max())}
        for k, name in ((0, "cars"), (2, "lorries")):
            summary[f"mean_wait_minutes_{name}"] = float(means[k])
            summary[f"max_wait_minutes_{name}"] = float(self._max_wait[k])
        return summary


def _adjoining_sectors(model: JointActionModel, crossing_ids: list[str]) -> np.ndarray:
    """Place index of the green-border sector each crossing adjoins (-1: none): the modelled
    sector on the same border (the same two countries), the nearest one if there are several."""
    nodes = model.graph.nodes
    sectors = model.route_graph.ids_of_kind("green_border")
    adjoining = np.full(len(crossing_ids), -1, dtype=int)
    for i, crossing in enumerate(crossing_ids):
        node = nodes[crossing]
        border = {node["country_a"], node["country_b"]}
        same = [s for s in sectors if {nodes[s]["country_a"], nodes[s]["country_b"]} == border]
        if same:
            nearest = min(same, key=lambda s: (nodes[s]["lat"] - node["lat"]) ** 2
                          + (nodes[s]["lon"] - node["lon"]) ** 2)
            adjoining[i] = model.place_index[nearest]
    return adjoining
