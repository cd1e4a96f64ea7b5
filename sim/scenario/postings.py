"""Explicit postings as a planner reads them: how many officers of each contingent a scenario
places itself (the shares spread only the rest), and postings away from a country's own borders,
which are said unless the posting says `away: true`.

A country's own places are those in it (hubs, ports, destinations) and the crossings and
green-border sectors of its borders. Visiting contingents (no border, port or sector in the
region: `is_visiting`) serve abroad by design and are never noted.
"""

from __future__ import annotations

import math

from sim.geography import RouteGraph, load_route_graph
from sim.scenario.schema import Scenario

EARTH_KM = 6371.0


def is_visiting(route_graph: RouteGraph, country: str) -> bool:
    """A country with no external border, port or green-border sector in the region (Austria,
    Germany, France, Spain, the Netherlands, ...): its officers come as visitors."""
    for a in route_graph.nodes.values():
        if a["kind"] == "port" and a["country"] == country:
            return False
        if country in (a.get("country_a"), a.get("country_b")) and (
                a["kind"] == "green_border" or a.get("border_status") != "schengen_internal"):
            return False
    return True


def own_places(route_graph: RouteGraph, country: str) -> set[str]:
    """The places of a country: in it, or on one of its borders (either side)."""
    return {place for place, node in route_graph.nodes.items()
            if country in (node.get("country"), node.get("country_a"), node.get("country_b"))}


def explicit_postings(scenario: Scenario, route_graph: RouteGraph | None = None) -> list[str]:
    """One line per country with explicit postings: how many of its officers they place, where,
    and how many the shares spread (`sim validate` prints them)."""
    route_graph = route_graph or load_route_graph()
    by_country: dict[str, list] = {}
    for posting in scenario.postings:
        by_country.setdefault(posting.country, []).append(posting)
    lines = []
    for code, postings in by_country.items():
        contingent = scenario.countries.get(code)
        posted = sum(p.officers for p in postings)
        where = "; ".join(
            f"{p.officers:,} {p.agency.replace('_', ' ')} at "
            + (f"{route_graph.place_name(p.place)} ({p.posting.replace('_', ' ')})"
               if p.place in route_graph.nodes else
               f"its {p.posting.replace('_', ' ')} places (spread)")
            for p in postings)
        if contingent is None:
            lines.append(f"{code}: {posted:,} officers posted explicitly, but no contingent")
            continue
        lines.append(f"{code}: {posted:,} of its {contingent.officers:,} officers posted "
                     f"explicitly ({where}); the shares spread the other "
                     f"{max(contingent.officers - posted, 0):,}")
    return lines


def away_notes(scenario: Scenario, route_graph: RouteGraph | None = None) -> list[str]:
    """A posting at a place that is not one of its country's own, without `away: true`: said,
    with the distance to the country's nearest own place, since a wrong country code or place
    id would otherwise move officers across the region silently."""
    route_graph = route_graph or load_route_graph()
    nodes = route_graph.nodes
    notes = []
    for index, posting in enumerate(scenario.postings):
        if (posting.away or posting.place is None or posting.place not in nodes
                or is_visiting(route_graph, posting.country)):
            continue
        own = own_places(route_graph, posting.country)
        if posting.place in own or not own:
            continue
        distance = min(_km(nodes[posting.place], nodes[place]) for place in own)
        node = nodes[posting.place]
        countries = "–".join(sorted({node.get("country_a") or node["country"],
                                     node.get("country_b") or node["country"]}))
        notes.append(f"postings.{index}: {posting.officers:,} {posting.country} officers at "
                     f"'{posting.place}' ({route_graph.place_name(posting.place)}, "
                     f"{countries}), about {distance:,.0f} km from {posting.country}'s nearest "
                     "border or place; they come out of its contingent. If they serve abroad "
                     "on purpose (a joint patrol), say so with 'away: true' in the posting; "
                     "else check the country code and the place")
    return notes


def _km(a: dict, b: dict) -> float:
    """Great-circle distance between two places (haversine), in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_KM * math.asin(math.sqrt(h))
