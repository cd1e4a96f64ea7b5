"""The two sides of a border crossing in the route graph: side 0 is the first-named country's
post (`country_a` in sim/data/crossings.csv), side 1 the other's; and the side that hosts
visiting equipment: the one a scenario names, else, for Frontex, the EU member's where exactly
one of the two countries was a member in November 2023 (Frontex supports the member states at
the external borders), and, for a scanning team or Frontex elsewhere, the first-named
country's."""

from __future__ import annotations

from sim.geography.graph import RouteGraph


def eu_members(route_graph: RouteGraph) -> frozenset[str]:
    """Countries that were EU members in November 2023 (sim/data/countries.csv)."""
    return frozenset(row["iso2"] for row in route_graph.rows["countries"]
                     if row["eu_member_2023"])


def host_side(nodes, place: str, side: str | None, members: frozenset[str],
              frontex: bool = True) -> int:
    """0 or 1: the side of crossing `place` that equipment works on: the country named
    (`side`); else, for Frontex, the EU member's side where exactly one of the two is a member
    (`members`); else (a scanning team, sent to a country: side 0) the first-named country's."""
    node = nodes[place]
    if side is not None:
        return 1 if node["country_b"] == side else 0
    if not frontex:
        return 0
    return 1 if node["country_a"] not in members and node["country_b"] in members else 0
