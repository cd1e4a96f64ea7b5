"""The two sides of every border crossing: each is its own post, worked by its own country's
officers, and what happens to traffic where a side has nobody.

Side 0 of a crossing is its first-named country's post (`country_a` in sim/data/crossings.csv),
side 1 the other's. A side checks the traffic entering its country (first line and second line)
and the traffic leaving it (first line). Scanning teams and Frontex work on the side a scenario
names (`side:`); by default a scanning team on the first-named country's, Frontex on the host
side: the EU member's where one of the two countries is one (Frontex supports the member states
at the external borders), else the first-named country's. Officers of a third country posted
at a crossing (visiting contingents with Frontex or a scanning team) work on the side of their
country's scanning team there, else the host side.

Which sides check, by border status (November 2023):
- EU external borders: every person passes the first line on entry and exit (Schengen Borders
  Code, Regulation (EU) 2016/399, Article 8).
- Crossings inside the EU with checks still in place (with Bulgaria and Romania, outside
  Schengen for land borders until 1 January 2025, Council Decision (EU) 2024/3212): checks on
  persons as at an external border (the Schengen acquis on lifting checks applied to them only
  from that decision: 2005 Act of Accession, Article 4(2)).
- Between two non-EU states: national law; e.g. Serbia's Law on Border Control (Sluzbeni
  glasnik RS 24/2018, Article 2) makes border checks of persons part of border control, and the
  model applies the same first line on both sides of every such crossing (assumption for the
  other states, whose laws follow the Schengen model under EU accession Chapter 24).
- Schengen internal borders: no first line. Officers a scenario posts there check vehicles in
  the second line only (police checks in the approaches).

A side of a checked crossing with no officer in any hour is closed by default
(`crossing_sides.unstaffed`): the crossing then takes no traffic either way (both directions
pass both posts), and its traffic goes to the nearest open crossing of the same border, else to
the nearest open crossing of the closed side's country, else it does not cross. A scenario may
declare such sides unchecked instead (their ordinary staff, not in the scenario, wave traffic
through).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.geography import RouteGraph
from sim.geography.sides import eu_members, host_side
from sim.scenario.parameters import Parameters
from sim.scenario.schema import Scenario

SIDES = 2


@dataclass(frozen=True)
class SidePlan:
    """Sides of every crossing (route-graph order; side p = 2 x crossing + 0 or 1).

    `countries[p]` the side's country; `first_line[i]` whether crossing i checks everyone
    (not Schengen internal); `staffed[p]` a crossing officer is on duty there in some hour;
    `mode[p]` "checked" (staffed), "closed" or "unchecked" (no officers, by the scenario's
    rule) or "free" (Schengen internal, nobody posted); `open_[i]` crossing i takes traffic;
    `divert_to[i]` the crossing its traffic uses (itself when open, -1: none) and
    `detour_hours[i]` the extra drive."""

    crossings: tuple[str, ...]
    countries: tuple[str, ...]
    first_line: np.ndarray
    staffed: np.ndarray
    mode: tuple[str, ...]
    open_: np.ndarray
    divert_to: np.ndarray
    detour_hours: np.ndarray

    def side(self, crossing: int, country: str) -> int:
        """Side index of `country` at crossing index `crossing` (side 0 if neither)."""
        return 2 * crossing + (1 if self.countries[2 * crossing + 1] == country else 0)

    def receiving_side(self, side: int) -> int:
        """The side whose post takes the traffic entering `side` where its crossing is closed
        (itself where it is open; -1: no crossing open): the same country's side of the
        crossing the traffic goes to, or, over another border, the side across from its
        partner's."""
        crossing = side // SIDES
        if self.open_[crossing]:
            return side
        target = int(self.divert_to[crossing])
        if target < 0:
            return -1
        there = self.countries[SIDES * target:SIDES * target + SIDES]
        country, partner = self.countries[side], self.countries[side ^ 1]
        if country in there:
            return SIDES * target + there.index(country)
        if partner in there:
            return SIDES * target + 1 - there.index(partner)
        return SIDES * target

    def closed_sides(self) -> list[str]:
        """Sides left without officers, written crossing:COUNTRY."""
        return [f"{self.crossings[p // 2]}:{self.countries[p]}"
                for p, mode in enumerate(self.mode) if mode in ("closed", "unchecked")]


def side_of_unit(nodes, place: str, country: str, hosts: dict[tuple[str, str], int]) -> int:
    """0 or 1: the side of `place` whose post a unit of `country` works: its own country's;
    a third country's officers the side given for them in `hosts` (keyed by place and
    country: `visitor_sides`)."""
    node = nodes[place]
    if country == node["country_a"]:
        return 0
    if country == node["country_b"]:
        return 1
    return hosts.get((place, country), 0)


def visitor_sides(scenario: Scenario, route_graph: RouteGraph) -> dict[tuple[str, str], int]:
    """(crossing, third country) -> the side its officers there work on: that of the
    country's scanning team at the crossing, else the host side (`host_side`)."""
    nodes, members = route_graph.nodes, eu_members(route_graph)
    sides = {(team.place, team.country): host_side(nodes, team.place, team.side, members,
                                                   frontex=False)
             for team in scenario.scanning_teams.teams if nodes[team.place]["kind"] == "crossing"}
    for place in route_graph.ids_of_kind("crossing"):
        for country in scenario.countries:
            sides.setdefault((place, country), host_side(nodes, place, None, members))
    return sides


def side_plan(scenario: Scenario, route_graph: RouteGraph, on_duty: np.ndarray) -> SidePlan:
    """The sides of the scenario's crossings from the officers on duty by side and hour
    (`on_duty`, sides x 24)."""
    crossings = tuple(route_graph.ids_of_kind("crossing"))
    nodes = [route_graph.nodes[c] for c in crossings]
    countries = tuple(code for node in nodes for code in (node["country_a"], node["country_b"]))
    first_line = np.array([node["border_status"] != "schengen_internal" for node in nodes])
    staffed = on_duty.sum(axis=1) > 0
    declared = set(scenario.crossing_sides.unchecked)
    modes = []
    for p, country in enumerate(countries):
        if staffed[p]:
            modes.append("checked")
        elif not first_line[p // 2]:
            modes.append("free")
        elif (f"{crossings[p // 2]}:{country}" in declared
              or scenario.crossing_sides.unstaffed == "unchecked"):
            modes.append("unchecked")
        else:
            modes.append("closed")
    closed = np.array([modes[2 * i] == "closed" or modes[2 * i + 1] == "closed"
                       for i in range(len(crossings))], dtype=bool)
    divert_to = np.arange(len(crossings))
    detour = np.zeros(len(crossings))
    for i in np.flatnonzero(closed):
        side = 2 * i if modes[2 * i] == "closed" else 2 * i + 1
        divert_to[i], detour[i] = _nearest_open(nodes, i, countries[side], closed,
                                                scenario.parameters)
    return SidePlan(crossings, countries, first_line, staffed, tuple(modes), ~closed, divert_to,
                    detour)


def _nearest_open(nodes: list[dict], i: int, country: str, closed: np.ndarray,
                  parameters: Parameters) -> tuple[int, float]:
    """(crossing index, detour hours) where the traffic of closed crossing i goes: the nearest
    open crossing of the same border, else the nearest open one of `country` (the closed
    side's) with border checks, else (-1, 0)."""
    border = {nodes[i]["country_a"], nodes[i]["country_b"]}
    for same in (lambda n: {n["country_a"], n["country_b"]} == border,
                 lambda n: country in (n["country_a"], n["country_b"])
                 and n["border_status"] != "schengen_internal"):
        options = [j for j, node in enumerate(nodes) if j != i and not closed[j] and same(node)]
        if options:
            kms = [(_km(nodes[i], nodes[j]), j) for j in options]
            km, j = min(kms)
            return j, km * parameters.detour_road_factor / parameters.detour_kmh
    return -1, 0.0


def _km(a: dict, b: dict) -> float:
    """Great-circle distance in km between two nodes (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))
