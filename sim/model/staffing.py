"""Who is on duty where and when: the scenario's officer units, the officers on duty by posting,
place and hour of the day, and which units stand at a place in an hour.

All of it follows from the scenario and the route graph alone, so it is worked out once per
scenario content and route graph and shared by the replicates of a process (read only: each
model copies the arrays it changes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.geography import RouteGraph
from sim.model.crossings import traffic_shift_weights
from sim.model.mechanisms import shift_profile
from sim.model.shifts import ShiftPattern
from sim.model.sides import SIDES, SidePlan, side_of_unit, side_plan, visitor_sides
from sim.scenario.allocation import UnitSpec, build_units
from sim.scenario.schema import SHIFT_HOURS, Scenario

POSTINGS = ("crossing", "green_border", "road_checkpoint", "port", "parcel_centre",
            "premises_search", "cyber_patrol", "coordination")


@dataclass(frozen=True)
class Staffing:
    """`units` in creation order; `on_duty[posting]` officers by place index x hour of the day
    (after the scenario's shift profiles); `units_at[(place index, hour)]` the positions in
    `units` of the units on duty there, ascending; `shift_profiles` by posting;
    `crossing_sides` the crossing officers on duty by crossing side (2 x crossing + side, in
    the route graph's order of crossings) x hour, and `sides` what each side does."""

    units: tuple[UnitSpec, ...]
    on_duty: dict[str, np.ndarray]
    units_at: dict[tuple[int, int], tuple[int, ...]]
    shift_profiles: dict[str, np.ndarray]
    crossing_sides: np.ndarray
    sides: SidePlan


_CACHE: dict[tuple[int, str], tuple[RouteGraph, Staffing]] = {}


def staffing_of(scenario: Scenario, route_graph: RouteGraph) -> Staffing:
    """The staffing of `scenario` on `route_graph`, remembered per route graph and scenario
    content."""
    key = (id(route_graph), scenario.model_dump_json())
    if key not in _CACHE:
        if len(_CACHE) >= 32:
            _CACHE.clear()
        _CACHE[key] = (route_graph, _staffing(scenario, route_graph))  # holds the id's graph
    return _CACHE[key][1]


def _staffing(scenario: Scenario, route_graph: RouteGraph) -> Staffing:
    units = tuple(build_units(scenario, route_graph))
    place_index = {p: i for i, p in enumerate(route_graph.nodes)}
    on_duty = {k: np.zeros((len(place_index), 24)) for k in POSTINGS}
    # units grouped by (posting, place, shift) in creation order, each group spread over its
    # shift's hours at once
    groups: dict[tuple[str, int, int], list[int]] = {}
    for position, unit in enumerate(units):
        groups.setdefault((unit.posting, place_index[unit.place], unit.shift_start),
                          []).append(position)
    units_at: dict[tuple[int, int], list[int]] = {}
    for (posting, index, start), members in groups.items():
        officers = sum(units[i].officers for i in members)  # whole numbers: sums are exact
        for hour in ShiftPattern(start).hours():
            on_duty[posting][index, hour] += officers
            units_at.setdefault((index, hour), []).extend(members)
    profiles = {kind: shift_profile(
        traffic_shift_weights(route_graph, scenario.parameters)
        if profile == "traffic" else profile, SHIFT_HOURS)
        for kind, profile in scenario.shifts.items() if profile != "units"}
    for kind, profile in profiles.items():  # same officer-hours, other hours
        on_duty[kind] = (on_duty[kind].sum(axis=1) / SHIFT_HOURS)[:, None] * profile
    sides = _crossing_sides(units, route_graph, profiles.get("crossing"),
                            visitor_sides(scenario, route_graph))
    return Staffing(units, on_duty, {key: tuple(sorted(positions))
                                     for key, positions in units_at.items()}, profiles, sides,
                    side_plan(scenario, route_graph, sides))


def _crossing_sides(units: tuple[UnitSpec, ...], route_graph: RouteGraph,
                    profile: np.ndarray | None, visitors: dict[tuple[str, str], int]
                    ) -> np.ndarray:
    """Crossing officers on duty by side (2 x crossing + side) and hour: each unit works the
    post of its own country's side (sim/model/sides.py), in its shift or the crossings'
    profile (the same officer-hours)."""
    nodes = route_graph.nodes
    crossing = {c: i for i, c in enumerate(route_graph.ids_of_kind("crossing"))}
    on_duty = np.zeros((SIDES * len(crossing), 24))
    for unit in units:
        if unit.posting != "crossing":
            continue
        side = SIDES * crossing[unit.place] + side_of_unit(nodes, unit.place, unit.country,
                                                           visitors)
        if profile is None:
            on_duty[side, list(ShiftPattern(unit.shift_start).hours())] += unit.officers
        else:
            on_duty[side] += unit.officers * profile
    return on_duty


def closed_crossing_notes(scenario: Scenario, route_graph: RouteGraph) -> list[str]:
    """Crossing sides with border checks and no crossing officer of their country posted
    (closed, or unchecked where the scenario says so: each named, with where the traffic goes),
    and sides whose rosters leave hours with nobody on duty (closed then: their traffic and any
    trip queue until officers are back). Nothing for a scenario without officers (a
    parameters fragment)."""
    if scenario.officers_total == 0:
        return []
    staffing = staffing_of(scenario, route_graph)
    plan, on_duty = staffing.sides, staffing.crossing_sides
    notes = []
    closed = [p for p, mode in enumerate(plan.mode) if mode == "closed"]
    if closed:
        goes = []
        for p in closed:
            i = p // 2
            target = plan.divert_to[i]
            where = (f"traffic to {plan.crossings[target]}" if target >= 0
                     else "traffic does not cross (no open crossing of that border or country)")
            goes.append(f"{plan.crossings[i]}:{plan.countries[p]} ({where})")
        notes.append("crossing sides with no officer of their country posted are closed, so "
                     "the crossing takes no traffic (crossing_sides.unstaffed: closed): "
                     + "; ".join(goes) + " (post officers there, or list the side under "
                     "crossing_sides.unchecked)")
    unchecked = [p for p, mode in enumerate(plan.mode) if mode == "unchecked"]
    if unchecked:
        notes.append("crossing sides with no officer of their country posted pass traffic "
                     "unchecked (crossing_sides): " + ", ".join(
                         f"{plan.crossings[p // 2]}:{plan.countries[p]}" for p in unchecked))
    gaps: dict[str, list[str]] = {}  # hours closed -> sides
    for p in np.flatnonzero(plan.staffed):
        hours = [h for h in range(24) if on_duty[p, h] <= 0]
        if hours and plan.first_line[p // 2]:
            gaps.setdefault(_hour_ranges(hours), []).append(
                f"{plan.crossings[p // 2]}:{plan.countries[p]}")
    if gaps:
        notes.append("crossing sides whose rosters leave hours with no crossing officer on "
                     "duty are closed then, and their traffic queues: " + "; ".join(
                         f"{', '.join(sides)} ({hours})" for hours, sides in gaps.items())
                     + " (shifts and postings decide who is on duty)")
    return notes


def _hour_ranges(hours: list[int]) -> str:
    """[22, 23, 0, 1, 5] as "22:00-02:00, 05:00-06:00" (hours of the day, wrapping)."""
    hours = sorted(hours)
    runs: list[list[int]] = []
    for hour in hours:
        if runs and hour == runs[-1][-1] + 1:
            runs[-1].append(hour)
        else:
            runs.append([hour])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 23:
        runs[0] = runs.pop() + runs[0]
    return ", ".join(f"{r[0]:02d}:00-{(r[-1] + 1) % 24:02d}:00" for r in runs)
