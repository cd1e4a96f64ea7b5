"""Hourly arithmetic of the border crossings, vectorised over crossing sides (rows: side p =
2 x crossing + 0 or 1, sim/model/sides.py) and vehicle classes (columns: car, bus, lorry).

Each side is its own post, worked by its own country's officers. It checks the traffic entering
its country and the traffic leaving it: every vehicle passes the first line twice, at the exit
booths of the side it leaves and the entry booths of the side it enters (at crossings with
border checks), and a share of the vehicles entering a side is referred to its second line.

Each hour a side's officers on duty are spent by one rule (`allocate_post_officers`): first-line
booths for each lane's load (square-root staffing, at most the booths there are), then
second-line teams at the inspection places the referred vehicles need (bays, then places in the
approach road), then the adjoining green-border sector or idle. The booth queues follow the
pointwise stationary fluid flow approximation (sim/model/queueing.py): within the hour an M/G/c
queue (Allen-Cunneen), between hours the backlog carried over. A referred vehicle is searched
only if a team is free (Erlang's loss formula): more officers, more teams, more checks, each
team adding less. Scanning teams scan a number of vehicles an hour by class, first those the
officers check; only a scanned vehicle meets the scanner.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.geography import RouteGraph
from sim.geography.sides import eu_members, host_side
from sim.model.mechanisms import (
    VEHICLE_CLASSES,
    PostAllocation,
    allocate_post_officers,
    booth_throughput,
    equipment_coverage,
    traffic_rhythms,
)
from sim.model.queueing import erlang_b, fluid_hour, fluid_table
from sim.model.sides import SIDES

if TYPE_CHECKING:
    from sim.model import JointActionModel
    from sim.model.agents import Movement
    from sim.scenario.parameters import Parameters

CLASS_OF_MOVEMENT = {"vehicle": 0, "foot_group": 0, "coach": 1, "lorry": 2, "container": 2}
ENTRY, EXIT = 0, 1


def traffic_shift_weights(route_graph: RouteGraph, parameters: Parameters) -> np.ndarray:
    """Hourly weights of the 'traffic' shift profile: a flat floor plus, for the
    traffic_following_share of the staff, the region's arrivals by hour (every crossing's
    classes with their daily rhythms)."""
    following_share = parameters.traffic_following_share
    class_rhythm = traffic_rhythms(parameters.traffic_rhythm_amplitude,
                                   parameters.weekday_amplitude)[1]
    volumes = np.array([math.fsum(row["vehicles_per_day"] for row in route_graph.rows["traffic"]
                                  if row["vehicle_class"] == k) for k in VEHICLE_CLASSES])
    arrivals = class_rhythm @ volumes
    rhythm = arrivals / arrivals.sum() if arrivals.sum() > 0 else np.full(24, 1 / 24)
    return (1.0 - following_share) / 24.0 + following_share * rhythm


CUSTOMS_UNION = frozenset({"eu_internal_checked", "schengen_internal"})


def first_line_seconds(parameters, border_statuses: list[str]) -> np.ndarray:
    """Booth time by side (rows, two per crossing) and class (columns): the customs documents
    (`customs_first_line_seconds`) are presented only where a customs border runs, not at a
    crossing inside the EU customs union, where the booth checks the persons alone."""
    full = np.array([parameters.first_line_seconds[k] for k in VEHICLE_CLASSES])
    customs = np.array([parameters.customs_first_line_seconds[k] for k in VEHICLE_CLASSES])
    inside = np.array([status in CUSTOMS_UNION for status in border_statuses])
    return np.repeat(full - customs * inside[:, None], SIDES, axis=0)


class CrossingState:
    """Traffic, officers, booth queues, second-line checks and equipment of every crossing
    side in arrays."""

    def __init__(self, model: JointActionModel, crossing_ids: list[str]):
        self.model = model
        nodes = model.graph.nodes
        parameters, scenario = model.parameters, model.scenario_spec
        plan = model.staffing.sides
        if plan.crossings != tuple(crossing_ids):
            raise ValueError("crossing sides and crossings disagree on the crossings' order")
        self.plan = plan
        self.index = {c: i for i, c in enumerate(crossing_ids)}
        self.places = np.array([model.place_index[c] for c in crossing_ids], dtype=int)
        sides = SIDES * len(crossing_ids)
        self.other = np.arange(sides) ^ 1                      # the side across the border
        self.crossing_of = np.arange(sides) // SIDES

        def column(key: str) -> np.ndarray:
            values = np.array([[float(nodes[c]["traffic"][k][key]) for k in VEHICLE_CLASSES]
                               for c in crossing_ids]).reshape(len(crossing_ids), 3)
            return np.repeat(values, SIDES, axis=0)            # each side has its own

        self.per_day = column("vehicles_per_day")[::SIDES]
        self.booths = column("booths")
        self.bays = column("bays") * parameters.inspection_bays_scale
        # places to check vehicles in the approach road: per entry lane
        self.approach = self.booths.sum(axis=1) * parameters.approach_check_places
        self.places_total = self.bays.sum(axis=1) + self.approach
        self.on_duty = model.staffing.crossing_sides           # sides x hour (read only)
        mode = np.array(plan.mode)
        self.checking = mode == "checked"                      # officers posted on this side
        self.booth_side = np.repeat(plan.first_line, SIDES) & self.checking
        # booths of each lane (entry, exit by class) where a side has a first line
        self.lane_booths = (np.repeat(self.booths[:, None, :], 2, axis=1)
                            * self.booth_side[:, None, None]).reshape(-1, 6)
        self.seconds = first_line_seconds(parameters, [nodes[c]["border_status"]
                                                       for c in crossing_ids])
        self.minutes = np.array([parameters.second_line_car_minutes,
                                 parameters.second_line_bus_minutes,
                                 parameters.second_line_lorry_minutes])
        self.occupancy = np.array([parameters.occupancy[k] for k in VEHICLE_CLASSES])
        self.scan_minutes = np.array([parameters.scanner_minutes[k] for k in VEHICLE_CLASSES])
        self.table = fluid_table(int(self.booths.max(initial=1.0)),
                                 float(parameters.first_line_service_cv))
        self.sector_of = np.repeat(_adjoining_sectors(model, crossing_ids), SIDES)
        self.sectors = sorted({s for s in self.sector_of if s >= 0})
        self.arrivals = self._arrivals(model, scenario.traffic.scale * parameters.inbound_share)
        shape = (sides, 3)
        self.number = np.zeros((sides, 2, 3))  # vehicles in each booth system (entry, exit)
        self.utilisation = np.zeros((sides, 2, 3))
        self.queue_wait = np.zeros((sides, 2, 3))  # minutes in the booth queue and booth
        self.wait = np.zeros(shape)            # minutes at the crossing of a vehicle entering
        self.share = np.zeros(shape)           # share of entering vehicles checked
        self.scanned_share = np.zeros(shape)   # share of checked vehicles that are scanned
        self.officer_share = np.zeros(shape)   # share of entering vehicles officers check
        self.checks = np.zeros(shape)
        self.checks_by_officers = np.zeros(shape)
        self.passing = np.zeros(shape)         # vehicles through the entry post this hour
        self.allocation: PostAllocation | None = None
        self.busy = np.zeros(sides)            # second-line officers at work on a check
        self.capacity = np.zeros(sides)        # checks the second line and scanners could do
        self.scanners = np.zeros(sides)
        self.kit_coverage = np.zeros(sides)
        self.expert_coverage = np.zeros(sides)
        self.patrol = np.zeros(sides)
        self.expected_patrol = np.zeros((len(model.place_ids), 24))  # by expected_shares
        self.sector_patrol = np.zeros(len(model.place_ids))  # by place index, this hour
        self.wait_table = np.zeros((model.hours, sides, 3))
        self.entry_table = np.zeros((model.hours, sides, 3))
        self.exit_table = np.zeros((model.hours, sides, 3))
        self.queue_table = np.zeros((model.hours, sides, 3))
        self.share_table = np.zeros((model.hours, sides, 3))
        self.checking_table = np.zeros((model.hours, sides), dtype=bool)
        members = eu_members(model.route_graph)
        self.teams = [(team, SIDES * self.index[team.place] + host_side(
            nodes, team.place, spec.side, members, frontex=False))
            for team, spec in zip(model.scanning_teams, scenario.scanning_teams.teams,
                                  strict=True) if team.place in self.index]
        self.no_scans = np.zeros(shape)
        self.closed = np.zeros(sides, dtype=bool)  # rostered shut this hour
        self.opens_in = np.zeros(sides)            # hours from this tick to the next staffed
        self.kits = self._frontex(crossing_ids, "detection_kit")
        self.experts = self._frontex(crossing_ids, "document_experts")
        self._side_memo: dict[tuple[str, str | None, str | None], int] = {}
        self._wait_weighted = np.zeros(3)
        self._vehicles = np.zeros(3)
        self._max_wait = np.zeros(3)

    # --- traffic ---------------------------------------------------------------------------

    def _arrivals(self, model: JointActionModel, share: float) -> np.ndarray:
        """Vehicles entering each side's country by hour (ticks x sides x classes): Poisson
        around the daily volume's share times the class's hourly rhythm and weekday factor;
        a closed crossing's traffic moved to the crossing it goes to instead (its counts
        tallied as diverted, or as turned away where no crossing is open)."""
        rng, start = model.streams.traffic, model.scenario_spec.action.start
        hours = np.arange(model.hours)
        clock = start.hour + hours
        mean = (np.repeat(self.per_day, SIDES, axis=0)[None, :, :] * share
                * model.class_rhythm[clock % 24][:, None, :]
                * model.weekday_factor[(start.weekday() + clock // 24) % 7][:, None, :])
        arrivals = rng.poisson(mean).astype(float)
        plan = self.plan
        for i in np.flatnonzero(~plan.open_):
            moved = arrivals[:, SIDES * i:SIDES * i + SIDES].copy()
            arrivals[:, SIDES * i:SIDES * i + SIDES] = 0.0
            days = np.minimum(hours // 24, max(model.scenario_spec.action.days - 1, 0))
            per_day = np.bincount(days, weights=moved.sum(axis=(1, 2)),
                                  minlength=model.scenario_spec.action.days)
            target = plan.divert_to[i]
            outcome = "vehicles_diverted" if target >= 0 else "vehicles_turned_away"
            for day, count in enumerate(per_day):
                model.tally.add(outcome, int(self.places[i]), day, float(count))
            if target >= 0:
                for s in range(SIDES):
                    arrivals[:, plan.receiving_side(SIDES * i + s)] += moved[:, s]
        return arrivals

    def _frontex(self, crossing_ids: list[str], kind: str) -> np.ndarray:
        """Frontex units by side: on the side each deployment names, else the host side
        (sim/model/sides.py)."""
        model = self.model
        units = np.zeros(SIDES * len(crossing_ids))
        members = eu_members(model.route_graph)
        for deployment in model.frontex_deployments:  # the day's (sim/scenario/days.py)
            if deployment.kind == kind and deployment.place in self.index:
                side = host_side(model.graph.nodes, deployment.place, deployment.side, members)
                units[SIDES * self.index[deployment.place] + side] += deployment.count
        return units

    # --- one rule for the officers ------------------------------------------------------

    def _allocate(self, officers: np.ndarray, entering: np.ndarray, number: np.ndarray,
                  share: np.ndarray) -> tuple[PostAllocation, np.ndarray, np.ndarray]:
        """(what the officers do, booth throughput per lane, lane arrivals) for this hour's
        entering traffic and the booth systems' vehicles `number`: one rule for the hour and
        for the expected day (`expected_shares`)."""
        parameters = self.model.parameters
        lanes = np.stack([entering, entering[self.other]], axis=1)
        per_booth = np.empty_like(lanes)
        per_booth[:, ENTRY] = booth_throughput(self.seconds, parameters.lane_blocking_seconds,
                                               share)
        per_booth[:, EXIT] = 3600.0 / self.seconds
        allocation = allocate_post_officers(
            officers, (lanes + number).reshape(-1, 6), per_booth.reshape(-1, 6),
            self.lane_booths, self.places_total * self.checking,
            officers_per_booth=parameters.officers_per_lane,
            safety=parameters.booth_staffing_safety,
            second_line_share=parameters.second_line_share,
            team_officers=parameters.second_line_team_officers,
            patrol_share=parameters.crossing_surplus_patrol, has_sector=self.sector_of >= 0,
            ordinary=parameters.ordinary_first_line * (officers > 0) * self.checking)
        return allocation, per_booth, lanes

    def _second_line(self, allocation: PostAllocation, passing: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
        """(vehicles checked per class, second-line officers at work on them) of the vehicles
        `passing` the entry post: those referred are checked when a team is free, all classes
        sharing the teams (Erlang B of the side's teams and the referred work), each class at
        most what its own bays and its share of the approach places hold."""
        parameters = self.model.parameters
        referred = parameters.second_line_referral_share * passing * self.checking[:, None]
        work = referred * self.minutes / 60.0                 # Erlangs offered
        offered = work.sum(axis=1)
        blocked = erlang_b(allocation.servers, offered)
        share = np.divide(work, offered[:, None], out=np.zeros_like(work),
                          where=offered[:, None] > 0)
        carried = np.minimum(work * (1.0 - blocked)[:, None],
                             self.bays + self.approach[:, None] * share)
        checks = carried * 60.0 / self.minutes
        busy = carried.sum(axis=1) * parameters.second_line_team_officers
        return checks, busy

    def teams_at(self, hour_of_day: int, day: int | None = None) -> np.ndarray:
        """Scanning teams at work by side in an hour of an action day (0-based), or on average
        over the action's days (`day` None): the one rule of when a team works."""
        teams = np.zeros(len(self.other))
        days = range(self.model.scenario_spec.action.days) if day is None else (day,)
        for team, side in self.teams:
            teams[side] += sum(team.active(d + 1, hour_of_day) for d in days) / len(days)
        return teams

    def reposted(self) -> None:
        """After a re-plan (sim/model/reallocation.py): the officers on duty by side and hour
        and the Frontex kits and experts at each side, as the constructor reads them at the
        start. Which sides are open and where a closed crossing's traffic goes stay as the
        action began (the week's traffic is routed then); a side a re-plan leaves without
        officers is shut hour by hour like a side rostered shut, its traffic waiting."""
        crossing_ids = list(self.index)
        self.on_duty = self.model.staffing.crossing_sides
        self.kits = self._frontex(crossing_ids, "detection_kit")
        self.experts = self._frontex(crossing_ids, "document_experts")

    def expected_shares(self) -> tuple[np.ndarray, np.ndarray]:
        """Share of the vehicles entering each side checked in each hour of an average day
        (sides x 24; mean arrivals, empty queues): by the officers alone, and with the scanning
        teams working their hours as they stand on the first day (the networks' picture forms
        before the action: a team moved by a re-plan is not seen before it bites, and the days
        before a re-plan run as under the kept plan, bit for bit). What a network watching
        the crossings sees; the crossing officers it would meet on the adjoining sectors go to
        `expected_patrol` (officers by place index x hour)."""
        parameters = self.model.parameters
        share = parameters.inbound_share * self.model.scenario_spec.traffic.scale
        per_day = np.repeat(self.per_day, SIDES, axis=0)
        open_ = np.repeat(self.plan.open_, SIDES)
        for i in np.flatnonzero(~self.plan.open_):  # the traffic of closed crossings moves
            target = self.plan.divert_to[i]
            if target >= 0:
                per_day[SIDES * target:SIDES * target + SIDES] += self.per_day[i]
        seen = np.zeros((len(self.other), 24))
        scanned = np.zeros((len(self.other), 24))
        self.expected_patrol = np.zeros((len(self.model.place_ids), 24))
        has_sector = self.sector_of >= 0
        empty = np.zeros_like(self.number)
        for hour in range(24):
            entering = per_day * share * self.model.class_rhythm[hour] * open_[:, None]
            officers = self.on_duty[:, hour]
            allocation, _, _ = self._allocate(officers, entering, empty,
                                              np.zeros_like(entering))
            checks, _ = self._second_line(allocation, entering)
            np.add.at(self.expected_patrol[:, hour], self.sector_of[has_sector],
                      allocation.patrol[has_sector])
            teams = self.teams_at(hour, 0) * (officers > 0)  # as they stand before the action
            unchecked = np.maximum(entering - checks, 0.0)
            left = np.maximum(teams * 60.0 - (checks * self.scan_minutes).sum(axis=1), 0.0)
            need = (unchecked * self.scan_minutes).sum(axis=1)
            ratio = np.minimum(np.divide(left, need, out=np.zeros_like(need), where=need > 0),
                               1.0)
            total = entering.sum(axis=1)
            lone = self._lone(allocation)
            seen[:, hour] = np.where(total > 0, checks.sum(axis=1) / np.maximum(total, 1e-12),
                                     lone)
            scanned[:, hour] = np.where(
                total > 0, (checks + unchecked * ratio[:, None]).sum(axis=1)
                / np.maximum(total, 1e-12), np.maximum(lone, (teams > 0) * 1.0))
        # a trip reaching a side shut by its roster waits for the opening and meets its checks
        closed = (self.on_duty <= 0) & self.booth_side[:, None]
        for p, hour in zip(*np.nonzero(closed & self.plan.staffed[:, None]), strict=True):
            opening = next((hour + k) % 24 for k in range(1, 25)
                           if not closed[p, (hour + k) % 24])
            seen[p, hour], scanned[p, hour] = seen[p, opening], scanned[p, opening]
        return seen, scanned

    def _lone(self, allocation: PostAllocation) -> np.ndarray:
        """Chance a criminal vehicle alone in an hour is checked: referred, and a team is
        there to take it."""
        referral = self.model.parameters.second_line_referral_share
        return referral * (allocation.servers > 0) * self.checking

    # --- the hour --------------------------------------------------------------------------

    def hour(self, hour_of_day: int) -> None:
        model = self.model
        officers = self.on_duty[:, hour_of_day]
        entering = self.arrivals[model.tick]
        allocation, per_booth, lanes = self._allocate(officers, entering, self.number,
                                                      self.share)
        self.allocation = allocation
        booths = allocation.booths.reshape(-1, 2, 3)
        self.closed = self.booth_side & (officers <= 0)
        start = self.number
        booth_lane = self.booth_side[:, None, None]
        number, wait = np.zeros_like(start), np.zeros_like(start)
        busy = (booth_lane & ((lanes > 0) | (start > 0))).ravel()  # lanes with a vehicle
        number.ravel()[busy], wait.ravel()[busy] = fluid_hour(
            self.table, start.ravel()[busy], lanes.ravel()[busy], booths.ravel()[busy],
            per_booth.ravel()[busy])
        served = np.where(booth_lane, start + lanes - number, lanes)
        self.number = number
        capacity = booths * per_booth
        self.utilisation = np.divide(served, capacity, out=np.zeros_like(served),
                                     where=capacity > 0)  # of the booths open, this hour
        # the queue and the vehicle's own booth time; a referred vehicle holds the booth
        # lane_blocking_seconds longer (its part of the booth time of the others' queue)
        self.queue_wait = np.where(booth_lane, wait * 60.0 + self.seconds[:, None] / 60.0,
                                   0.0)
        if self.closed.any():
            self._closed_hour(hour_of_day)
        passing = served[:, ENTRY]
        officer_checks, self.busy = self._second_line(allocation, passing)
        self.checks_by_officers = officer_checks
        self.patrol = allocation.patrol
        if self.sectors:
            out = self.sector_of >= 0
            self.sector_patrol = np.bincount(self.sector_of[out], weights=self.patrol[out],
                                             minlength=len(self.sector_patrol))
        staffed = officers > 0
        scanned, extra = self._scanners(hour_of_day, staffed, officer_checks, passing)
        self.capacity = allocation.servers * 60.0 / self.minutes.min() + (
            self.scanners * 60.0 / self.scan_minutes.min())
        self.checks = officer_checks + extra
        self.passing = passing
        lone = np.broadcast_to(self._lone(allocation)[:, None], passing.shape)
        scanning = np.broadcast_to((self.scanners > 0)[:, None] * 1.0, passing.shape)
        moving = passing > 0
        self.officer_share = np.divide(officer_checks, passing, out=lone.copy(), where=moving)
        self.share = np.minimum(np.divide(self.checks, passing, out=np.maximum(lone, scanning),
                                          where=moving), 1.0)
        self.scanned_share = np.divide(scanned + extra, self.checks, out=scanning.copy(),
                                       where=self.checks > 0)
        scanned_only = np.divide(extra, passing, out=np.zeros_like(passing), where=moving)
        held = self.model.parameters.lane_blocking_seconds / 60.0 * self.booth_side[:, None]
        entry = self.queue_wait[:, ENTRY] + (self.officer_share * (held + self.minutes)
                                             + scanned_only * (held + self.scan_minutes))
        # the wait of the hour's vehicles (none: none recorded; a trip alone in the hour
        # waits by `wait_minutes`)
        self.wait = np.where(entering > 0, entry + self.queue_wait[self.other, EXIT], 0.0)
        self._equipment(officer_checks.sum(axis=1) + extra.sum(axis=1))
        self._record(entering, entry)

    def _closed_hour(self, hour_of_day: int) -> None:
        """At a side its roster shuts this hour, a vehicle of this hour waits (from mid-hour)
        until officers are next on duty (within a day: such a side has officers in some
        hour): a lower bound, since the queue that built up meanwhile is cleared after."""
        ahead = self.on_duty[:, (hour_of_day + np.arange(1, 25)) % 24] > 0
        self.opens_in = ahead.argmax(axis=1) + 1.0
        self.queue_wait[self.closed] = ((self.opens_in[self.closed] - 0.5) * 60.0)[:, None, None]

    def _scanners(self, hour_of_day: int, staffed: np.ndarray, checks: np.ndarray,
                  passing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(checked vehicles scanned, extra vehicles scanned beyond the officers' checks) per
        class: the teams' minutes go first to the vehicles the officers check, the rest to
        unchecked vehicles (the team's own crew works the scanner)."""
        self.scanners = self.teams_at(hour_of_day, self.model.day)
        self.scanners[~staffed] = 0.0  # a visiting team works under host officers only
        if not self.scanners.any():
            return self.no_scans, self.no_scans
        minutes = self.scanners * 60.0
        need = (checks * self.scan_minutes).sum(axis=1)
        ratio = np.minimum(np.divide(minutes, need, out=np.ones_like(need), where=need > 0), 1.0)
        scanned = checks * ratio[:, None]
        # never below zero: a rounding error of the sum must not floor to minus one vehicle
        left = np.maximum(minutes - (scanned * self.scan_minutes).sum(axis=1), 0.0)
        unchecked = np.maximum(passing - checks, 0.0)
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

    def _record(self, entering: np.ndarray, entry: np.ndarray) -> None:
        model, allocation = self.model, self.allocation
        day, tick = model.day, model.tick

        def per_crossing(values: np.ndarray) -> np.ndarray:
            return values.reshape(-1, SIDES, *values.shape[1:]).sum(axis=1)

        persons = np.round(per_crossing((self.checks * self.occupancy).sum(axis=1)))
        tally, places = model.tally, self.places
        tally.add_vector("checks_vehicles", day, per_crossing(self.checks.sum(axis=1)), places)
        tally.add_vector("checks_persons", day, persons, places)
        tally.add_vector("legitimate_vehicles", day, per_crossing(entering.sum(axis=1)), places)
        for outcome, values in (("officer_hours_first_line", allocation.first_line),
                                ("officer_hours_first_line_ordinary", allocation.ordinary),
                                ("officer_hours_second_line", allocation.second_line),
                                ("officer_hours_second_line_busy", self.busy),
                                ("officer_hours_crossing_patrol", allocation.patrol),
                                ("officer_hours_idle_crossing", allocation.idle)):
            tally.add_vector(outcome, day, per_crossing(values), places)
        model.inland.wanted_persons(persons, places)
        self.wait_table[tick] = self.wait
        arrived = entering > 0  # the parts of the wait of the hour's vehicles
        self.entry_table[tick] = np.where(arrived, entry, 0.0)
        self.exit_table[tick] = np.where(arrived, self.queue_wait[self.other, EXIT], 0.0)
        self.queue_table[tick] = self.number[:, ENTRY]
        self.share_table[tick] = self.share
        self.checking_table[tick] = self.waiting
        counted = entering * self.waiting[:, None]
        self._wait_weighted += (self.wait * counted).sum(axis=0)
        self._vehicles += counted.sum(axis=0)
        self._max_wait = np.maximum(self._max_wait, (self.wait * self.waiting[:, None]).max(
            axis=0, initial=0.0))

    @property
    def waiting(self) -> np.ndarray:
        """Sides whose entering traffic passes a crossing that checks (either side)."""
        checks = self.checking | self.closed
        return checks | checks[self.other]

    def wait_summary(self) -> dict[str, float]:
        """Vehicle-weighted mean waits at crossings that check and the longest hourly wait,
        in all and by class."""
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.where(self._vehicles > 0, self._wait_weighted / self._vehicles, 0.0)
        total = self._vehicles.sum()
        summary = {"mean_wait_minutes": float(self._wait_weighted.sum() / total) if total else 0.0,
                   "max_wait_minutes": float(self._max_wait.max())}
        for k, name in enumerate(("cars", "buses", "lorries")):
            summary[f"mean_wait_minutes_{name}"] = float(means[k])
            summary[f"max_wait_minutes_{name}"] = float(self._max_wait[k])
        return summary

    def wait_columns(self) -> dict[str, np.ndarray]:
        """The crossing wait table's columns by hour run, side and class (flattened in that
        order): the side's country, vehicles entering, whether the crossing checks them (a
        side staffed or shut by its roster: the rows `mean_wait_minutes` averages), their wait
        at the crossing (the exit booths of the side they leave, the entry booths and, for the
        share checked, the check), its two parts, the share checked and the entry queue at the
        end of the hour."""
        hours = self.model.tick
        return {"side": np.repeat(np.array(self.plan.countries), 3)[None, :].repeat(hours, 0)
                .reshape(-1),
                "arrivals": self.arrivals[:hours].reshape(-1),
                "checked_crossing": np.repeat(self.checking_table[:hours], 3, axis=1).reshape(-1),
                "wait_minutes": self.wait_table[:hours].reshape(-1),
                "entry_wait_minutes": self.entry_table[:hours].reshape(-1),
                "exit_wait_minutes": self.exit_table[:hours].reshape(-1),
                "checked_share": self.share_table[:hours].reshape(-1),
                "queue_vehicles": self.queue_table[:hours].reshape(-1),
                "place": np.repeat(np.array(self.plan.crossings), SIDES * 3)[None, :]
                .repeat(hours, 0).reshape(-1)}

    # --- what a movement meets ---------------------------------------------------------

    def side_of(self, place: str, movement: Movement) -> tuple[int, float]:
        """(side it meets, detour hours) of a movement crossing at `place`: the side of the
        country it enters (the next place's country, else the other side of the one it left),
        at the crossing the traffic uses (another one where this one is closed; side -1 where
        no crossing is open)."""
        route, leg = movement.route, movement.leg
        following = route[leg + 1] if leg + 1 < len(route) else None
        previous = route[leg - 1] if leg > 0 else None
        key = (place, previous, following)
        side = self._side_memo.get(key)
        if side is None:
            side = self._entering_side(place, previous, following)
            self._side_memo[key] = side
        plan, i = self.plan, self.index[place]
        if plan.open_[i]:
            return side, 0.0
        into = plan.receiving_side(side)
        return into, (float(plan.detour_hours[i]) if into >= 0 else 0.0)

    def _entering_side(self, place: str, previous: str | None, following: str | None) -> int:
        nodes, i = self.model.graph.nodes, self.index[place]
        countries = self.plan.countries[SIDES * i:SIDES * i + SIDES]
        if following is not None and nodes[following]["country"] in countries:
            return SIDES * i + countries.index(nodes[following]["country"])
        if previous is not None and nodes[previous]["country"] in countries:
            return SIDES * i + 1 - countries.index(nodes[previous]["country"])
        return SIDES * i

    def place_of(self, side: int) -> str:
        return self.plan.crossings[side // SIDES]

    def shut_hours(self, side: int) -> float:
        """Hours until both posts on the way (the side left and the side entered) are open,
        measured from this hour's start (0: both open)."""
        shut = [self.opens_in[p] for p in (side, self.other[side]) if self.closed[p]]
        return float(max(shut)) if shut else 0.0

    def checked_share(self, side: int, movement_kind: str) -> float:
        return float(self.share[side, CLASS_OF_MOVEMENT[movement_kind]])

    def scanned_chance(self, side: int, movement_kind: str) -> float:
        """Chance that a checked vehicle of this kind is also scanned on this side now."""
        return float(self.scanned_share[side, CLASS_OF_MOVEMENT[movement_kind]])

    def wait_minutes(self, side: int, movement_kind: str, checked: bool) -> float:
        """Minutes a vehicle of this kind spends crossing into `side` this hour: the exit
        booths of the side it leaves, the entry booths, and, if it was picked, the booth time
        its referral holds and its own check."""
        k = CLASS_OF_MOVEMENT[movement_kind]
        own = 0.0
        if checked:
            held = self.model.parameters.lane_blocking_seconds / 60.0 * self.booth_side[side]
            own = held + self.minutes[k]
        return float(self.queue_wait[self.other[side], EXIT, k]
                     + self.queue_wait[side, ENTRY, k] + own)

    def patrol_officers(self, place: str) -> float:
        """Crossing officers patrolling the green-border sector `place` this hour."""
        return float(self.sector_patrol[self.model.place_index[place]])


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
