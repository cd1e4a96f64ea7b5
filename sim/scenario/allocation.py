"""From a scenario's contingents to officer units on the route graph, and the checks that an
allocation can exist at all (names known, no more officers posted than a country has, scanning
teams only at crossings and ports and never more than allowed in one place at one hour, scanning
teams and Frontex only where host officers of the posting they join stand, no more
thermal-vision units than a sector's length can use).

The spreading rule for officers not posted explicitly, by posting kind: crossings by traffic
(persons per day; not the Schengen internal ones, which had no border checks in November 2023),
green-border sectors by length times migrant pressure, road checkpoints and parcel centres evenly
over the country's hubs, ports evenly over its ports, inland teams (premises searches, cyber
patrol) at its hubs, coordination officers at the coordination centre.
A kind for which the country has no place passes its share to road checkpoints.
Visiting contingents (countries with no external border, port or sector in the region) serve
with their scanning teams, else in joint patrols at the Frontex places, and at the centre.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from sim.geography import RouteGraph, load_route_graph
from sim.geography.names import find_places, suggest_place
from sim.geography.sides import eu_members, host_side
from sim.scenario.days import distinct_plans
from sim.scenario.postings import away_notes, is_visiting
from sim.scenario.problems import Problem, ScenarioError, suggest, written_path
from sim.scenario.schema import DEFAULT_SHARES, Scenario, shift_ticks

PRESSURE_WEIGHT = {"low": 1.0, "medium": 2.0, "high": 4.0}
UNIT_SIZE = {"crossing": 6, "green_border": 4, "road_checkpoint": 4, "port": 6,
             "parcel_centre": 4, "premises_search": 8, "cyber_patrol": 3, "coordination": 2}
AGENCY_MIX = {  # assumption: who staffs each posting
    "crossing": {"border_police": 0.7, "customs": 0.3},
    "green_border": {"border_police": 1.0},
    "road_checkpoint": {"police": 0.8, "gendarmerie": 0.2},
    "port": {"customs": 0.7, "border_police": 0.3},
    "parcel_centre": {"customs": 1.0},
    "premises_search": {"police": 0.6, "organised_crime_unit": 0.4},
    "cyber_patrol": {"police": 1.0},
    "coordination": {"police": 1.0},
}
ROUND_THE_CLOCK = {"crossing", "green_border", "road_checkpoint", "port"}
SHIFT_STARTS = {True: (6, 14, 22), False: (7, 15)}  # 3 x 8 h, or two day shifts


@dataclass(frozen=True)
class UnitSpec:
    """One officer unit before it becomes an agent."""

    country: str
    agency: str
    posting: str
    place: str
    officers: int
    shift_start: int


def largest_remainder(total: int, weights: Iterable[float]) -> list[int]:
    """Split an integer total in proportion to weights, exactly, deterministically."""
    weights = np.asarray(list(weights), dtype=float)
    if total <= 0 or weights.size == 0:
        return [0] * weights.size
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts.tolist()


def places_for(route_graph: RouteGraph, country: str, posting: str,
               centre: str) -> tuple[list[str], list[float]]:
    """The places of a country that take a posting kind, with their spreading weights."""
    nodes = route_graph.nodes
    if posting == "coordination":
        return [centre], [1.0]
    if posting == "crossing":  # Schengen internal borders had no border checks in 2023
        ids = [n for n in route_graph.ids_of_kind("crossing")
               if country in (nodes[n]["country_a"], nodes[n]["country_b"])
               and nodes[n]["border_status"] != "schengen_internal"]
        return ids, [float(nodes[n]["persons_per_day"]) + 1.0 for n in ids]
    if posting == "green_border":
        ids = [n for n in route_graph.ids_of_kind("green_border")
               if country in (nodes[n]["country_a"], nodes[n]["country_b"])]
        return ids, [nodes[n]["length_km"] * PRESSURE_WEIGHT[nodes[n]["pressure"]]
                     for n in ids]
    kinds = ("port",) if posting == "port" else ("hub", "destination")
    ids = sorted(n for n, a in nodes.items() if a["country"] == country
                 and a["kind"] in kinds)
    return ids, [1.0] * len(ids)


def _units(country: str, agency: str, posting: str, place: str, officers: int,
           unit_size: int | None) -> list[UnitSpec]:
    """Cut officers into units of `unit_size` and spread the units over the shifts."""
    size = unit_size or UNIT_SIZE[posting]
    starts = SHIFT_STARTS[posting in ROUND_THE_CLOCK]
    sizes = [size] * (officers // size) + ([officers % size] if officers % size else [])
    return [UnitSpec(country, agency, posting, place, n, starts[i % len(starts)])
            for i, n in enumerate(sizes)]


def build_units(scenario: Scenario, route_graph: RouteGraph | None = None) -> list[UnitSpec]:
    """Every officer of the scenario in exactly one unit (explicit postings first)."""
    route_graph = route_graph or load_route_graph()
    centre = scenario.europol.coordination_centre.place
    units: list[UnitSpec] = []
    posted = {code: 0 for code in scenario.countries}
    for posting in scenario.postings:
        # without a place, spread over the country's places of the kind by the shares' rule
        ids, weights = (([posting.place], [1.0]) if posting.place else
                        places_for(route_graph, posting.country, posting.posting, centre))
        for place, officers in zip(ids, largest_remainder(posting.officers, weights),
                                   strict=True):
            if officers:
                units += _units(posting.country, posting.agency, posting.posting, place,
                                officers, posting.unit_size)
        posted[posting.country] = posted.get(posting.country, 0) + posting.officers
    for code in sorted(scenario.countries):
        contingent = scenario.countries[code]
        remaining = contingent.officers - posted.get(code, 0)
        if is_visiting(route_graph, code):
            units += _visiting_units(scenario, route_graph, code, remaining)
            continue
        kinds = sorted(contingent.shares)
        shares = {k: contingent.shares[k] for k in kinds}
        placed = {k: places_for(route_graph, code, k, centre) for k in kinds}
        for kind in kinds:  # a kind with nowhere to go passes its share to road checkpoints
            if not placed[kind][0] and kind != "road_checkpoint":
                shares["road_checkpoint"] = shares.get("road_checkpoint", 0.0) + shares[kind]
                shares[kind] = 0.0
        if "road_checkpoint" not in placed:
            placed["road_checkpoint"] = places_for(route_graph, code, "road_checkpoint", centre)
            kinds.append("road_checkpoint")
        per_kind = largest_remainder(remaining, [shares.get(k, 0.0) for k in kinds])
        for kind, officers in zip(kinds, per_kind, strict=True):
            ids, weights = placed[kind]
            if officers == 0 or not ids:
                continue
            for place, at_place in zip(ids, largest_remainder(officers, weights), strict=True):
                agencies = sorted(AGENCY_MIX[kind])
                split = largest_remainder(at_place, [AGENCY_MIX[kind][a] for a in agencies])
                for agency, n in zip(agencies, split, strict=True):
                    units += _units(code, agency, kind, place, n, None)
    return units


def allocation_notes(scenario: Scenario, route_graph: RouteGraph | None = None) -> list[str]:
    """What the spreading rule does with a planner's explicit shares that a country cannot
    use as written: a share for a posting kind the country has no place of goes to its road
    checkpoints (`build_units`); and postings away from their country's own places without
    `away: true` (`sim.scenario.postings.away_notes`). Said, not silently done (`sim
    validate`, `sim run`; the crossings' closed hours: `sim.model.staffing.
    closed_crossing_notes`)."""
    route_graph = route_graph or load_route_graph()
    centre = scenario.europol.coordination_centre.place
    moved = []
    for code in sorted(scenario.countries):
        contingent = scenario.countries[code]
        if (contingent.shares == DEFAULT_SHARES or "shares" not in contingent.model_fields_set
                or is_visiting(route_graph, code)):
            continue  # the default shares pass on what a country cannot use by design
        kinds = [f"{kind.replace('_', ' ')} {share:.3g}"
                 for kind, share in sorted(contingent.shares.items())
                 if share > 0 and kind != "road_checkpoint"
                 and not places_for(route_graph, code, kind, centre)[0]]
        if kinds:
            moved.append(f"{code} ({', '.join(kinds)})")
    notes = [f"countries.*.shares: shares for postings a country has no place of go to its "
             f"road checkpoints: {'; '.join(moved)} (`sim list places` shows the places)"
             ] if moved else []
    return notes + away_notes(scenario, route_graph)


# Schengen enlargements that change which crossings of the route graph have border checks; the
# graph's border statuses are November 2023's.
SCHENGEN_CHANGES = (
    (dt.date(2023, 1, 1), "Croatia joined the Schengen area on 1 January 2023 (Council Decision "
     "(EU) 2022/2451): before, its crossings with Slovenia and Hungary had border checks, which "
     "the model leaves out"),
    (dt.date(2025, 1, 1), "Bulgaria and Romania lifted checks at their land borders with each "
     "other, Greece and Hungary on 1 January 2025 (Council Decision (EU) 2024/3212): the model "
     "still checks those crossings as in November 2023"),
)


def calendar_notes(scenario: Scenario) -> list[str]:
    """What the model keeps from November 2023 whatever the action's dates: the traffic
    volumes and rhythms (sim/data/traffic.csv, ordinary November weeks) and the border
    statuses of the route graph."""
    start = scenario.action.start
    end = start + dt.timedelta(hours=scenario.action.hours)
    notes = []
    if start.month != 11 or (end - dt.timedelta(seconds=1)).month != 11:
        notes.append(f"action.start: the action runs {start:%d %B %Y} to "
                     f"{end - dt.timedelta(seconds=1):%d %B %Y}, but crossing traffic and its "
                     "daily and weekly rhythm are those of an ordinary November week "
                     "(sim/data/traffic.csv); set traffic.scale for another season")
    last = (end - dt.timedelta(seconds=1)).date()
    for date, change in SCHENGEN_CHANGES:
        before = dt.date(2023, 11, 13) < date  # the route graph's side of the change
        if (start.date() < date) != before or (last < date) != before:
            notes.append(f"action.start: the route graph's border statuses are November 2023's; "
                         f"{change}")
    return notes




def _visiting_units(scenario: Scenario, route_graph: RouteGraph, code: str,
                    officers: int) -> list[UnitSpec]:
    """Visiting officers serve where their country's resources work (assumption, after the
    published set-up: Dutch crews with their scanning teams, other visitors in joint patrols
    with the hosts where Frontex deploys, a few at the coordination centre): their
    coordination share at the centre; the rest with the country's scanning teams, else at the
    Frontex places (by count), else at the busiest external crossings."""
    contingent = scenario.countries[code]
    centre = scenario.europol.coordination_centre.place
    at_centre = round(officers * contingent.shares.get("coordination", 0.0))
    units = _units(code, "police", "coordination", centre, at_centre, None)
    nodes = route_graph.nodes
    hosts = [(t.place, 1.0) for t in scenario.scanning_teams.teams if t.country == code]
    hosts = hosts or [(d.place, float(d.count)) for d in scenario.frontex]
    if not hosts:
        busiest = sorted((-float(a["vehicles_per_day"]), n) for n, a in nodes.items()
                         if a["kind"] == "crossing" and a["border_status"] == "eu_external")
        hosts = [(n, 1.0) for _, n in busiest[:5]]
    weight: dict[str, float] = {}
    for place, w in hosts:
        weight[place] = weight.get(place, 0.0) + w
    # joint patrols of about four visitors each, at the places that weigh most
    places = sorted(weight, key=lambda p: (-weight[p], p))[:max(1, (officers - at_centre) // 4)]
    weights = [weight[place] for place in places]
    posting_of = {"crossing": "crossing", "green_border": "green_border", "port": "port"}
    for place, n in zip(places, largest_remainder(officers - at_centre, weights), strict=True):
        posting = posting_of.get(nodes[place]["kind"], "road_checkpoint")
        agency = max(AGENCY_MIX[posting], key=AGENCY_MIX[posting].get)
        units += _units(code, agency, posting, place, n, None)
    return units


# --- checks against the route graph ----------------------------------------------------------

def check_scenario(scenario: Scenario, *, label: str = "<scenario>", lines: dict | None = None,
                   route_graph: RouteGraph | None = None) -> None:
    """Raise ScenarioError listing every name the graph does not know and every allocation
    that cannot exist."""
    route_graph = route_graph or load_route_graph()
    lines = lines or {}
    nodes = route_graph.nodes
    problems: list[Problem] = []

    def problem(path: tuple, message: str, name: str | None = None,
                valid: Iterable[str] = (), suggestion: str | None = None) -> None:
        path = written_path(lines, path)
        line = next((lines[path[:i]] for i in range(len(path), 0, -1) if path[:i] in lines), None)
        entry = path[:3] if path[:2] == ("scanning_teams", "teams") else path[:2]
        if ("extends",) in lines and entry[-1:] and isinstance(entry[-1], int) \
                and entry not in lines:  # the planner never wrote it: say where it is from
            if entry[0] == "frontex":
                item = scenario.frontex[entry[1]]
                listed = f"frontex: {{remove: [{{kind: {item.kind}, place: {item.place}}}]}}"
            elif entry[0] == "scanning_teams":
                item = scenario.scanning_teams.teams[entry[2]]
                listed = f"scanning_teams: {{teams: {{remove: [{{place: {item.place}}}]}}}}"
            else:
                listed = "postings: {remove: [...]}"
            message += (f" (this entry comes from the file this one extends; if it does not "
                        f"belong here, drop it with {listed})")
        if suggestion is None and name is not None:
            suggestion = suggest(name, valid)
        problems.append(Problem(label, line, path, message, suggestion))

    def check_place(path: tuple, place: str, kinds: set[str] | None = None,
                    countries: tuple[str, ...] = ()) -> bool:
        valid = [n for n, a in nodes.items() if not kinds or a["kind"] in kinds]
        if place not in nodes:
            named = find_places(place, route_graph)
            known = ("; " + ", ".join(f"'{p}' ({route_graph.place_name(p)})" for p in named)
                     + f" {'is' if len(named) == 1 else 'are'} called so: scenario files name "
                     "places by id (`sim list places`)" if named else "")
            problem(path, f"unknown place '{place}'{known}", suggestion=suggest_place(
                place, valid, route_graph, countries=countries))
            return False
        if kinds and nodes[place]["kind"] not in kinds:
            problem(path, f"'{place}' is a {nodes[place]['kind']}, expected a "
                    f"{' or '.join(sorted(kinds))}", suggestion=suggest_place(
                        place, valid, route_graph, countries=countries))
            return False
        return True

    _check_countries(scenario, route_graph, problem)
    posted: dict[str, int] = {}
    first_posting: dict[str, int] = {}
    for i, posting in enumerate(scenario.postings):
        path = ("postings", i)
        if posting.country not in scenario.countries:
            problem((*path, "country"), f"country '{posting.country}' has no contingent under "
                    "'countries'", posting.country, scenario.countries)
            continue
        posted[posting.country] = posted.get(posting.country, 0) + posting.officers
        first_posting.setdefault(posting.country, i)
        if posting.place is not None:
            kinds = {"crossing": {"crossing"}, "green_border": {"green_border"},
                     "port": {"port"}, "coordination": {"hub"}}.get(posting.posting,
                                                                     {"hub", "destination"})
            check_place((*path, "place"), posting.place, kinds, (posting.country,))
        elif posting.officers and not places_for(route_graph, posting.country, posting.posting,
                                                 scenario.europol.coordination_centre.place)[0]:
            problem((*path, "place"), f"{posting.country} has no {posting.posting} place in the "
                    "route graph to spread these officers over; name a place")
    for code, officers in posted.items():
        available = scenario.countries[code].officers
        if officers > available:
            problem(("postings", first_posting[code], "officers"), f"{officers} officers of "
                    f"{code} posted explicitly but its contingent (countries.{code}.officers) "
                    f"is only {available}")
    for i, deployment in enumerate(scenario.frontex):
        kinds = {"thermal_vision": {"green_border"}}.get(deployment.kind, {"crossing", "port"})
        check_place(("frontex", i, "place"), deployment.place, kinds)
        _check_days(("frontex", i, "days"), deployment.days, scenario.action.days, problem)
    for code, contingent in scenario.countries.items():
        for day in contingent.shares_from_day:
            if day > scenario.action.days:
                problem(("countries", code, "shares_from_day", day), f"day {day} is outside "
                        f"the action (days 1 to {scenario.action.days})")
    centre = scenario.europol.coordination_centre
    check_place(("europol", "coordination_centre", "place"), centre.place, {"hub"})
    _check_scanning_teams(scenario, check_place, problem)
    for i, side in enumerate(scenario.crossing_sides.unchecked):
        place, _, country = side.partition(":")
        path = ("crossing_sides", "unchecked", i)
        if check_place(path, place, {"crossing"}) and country not in (
                nodes[place]["country_a"], nodes[place]["country_b"]):
            problem(path, f"'{place}' lies between {nodes[place]['country_a']} and "
                    f"{nodes[place]['country_b']}, not {country}")
    if not problems:  # names are known: now what the equipment would work with
        _check_hosts(scenario, route_graph, problem)
    if problems:
        raise ScenarioError(problems)


def _check_countries(scenario: Scenario, route_graph: RouteGraph, problem) -> None:
    """Contingents and scanning teams come from countries of sim/data/countries.csv; one that
    did not take part in 2023 only when its contingent says `non_participant: true`."""
    rows = route_graph.rows["countries"]
    known = {row["iso2"] for row in rows}
    participants = {row["iso2"] for row in rows if row["participant"]}
    for code, contingent in scenario.countries.items():
        if code not in known:
            problem(("countries", code), f"unknown country '{code}' (`sim list countries` shows "
                    "the ISO codes)", code, known)
        elif code not in participants and not contingent.non_participant:
            problem(("countries", code), f"{code} did not take part in the 2023 operation; add "
                    "'non_participant: true' to its contingent to include it anyway")
    for i, team in enumerate(scenario.scanning_teams.teams):
        path = ("scanning_teams", "teams", i, "country")
        admitted = team.country in scenario.countries \
            and scenario.countries[team.country].non_participant
        if team.country not in known:
            problem(path, f"unknown country '{team.country}' (`sim list countries` shows the "
                    "ISO codes)", team.country, known)
        elif team.country not in participants and not admitted:
            problem(path, f"{team.country} did not take part in the 2023 operation; list it "
                    f"under countries with 'non_participant: true' to send its team anyway")


def _check_hosts(scenario: Scenario, route_graph: RouteGraph, problem) -> None:
    """Scanning teams and Frontex work under host officers: refuse them where no officer of the
    posting they join stands, and thermal-vision units beyond what a sector's length can use."""
    nodes = route_graph.nodes

    members = eu_members(route_graph)

    def hosts(place: str, side: str | None = None, frontex: bool = True) -> set[str]:
        node = nodes[place]
        if node["kind"] == "crossing":  # equipment works on one side, with its officers
            chosen = host_side(nodes, place, side, members, frontex)
            return {node["country_b"] if chosen else node["country_a"]}
        return {node["country"], node.get("country_a"), node.get("country_b")} - {None}

    # host officers: of the place's own countries, not visitors who come with the equipment
    visiting = {code: is_visiting(route_graph, code) for code in scenario.countries}

    def why(place: str) -> str:
        if nodes[place].get("border_status") == "schengen_internal":
            return (" (a Schengen internal crossing: no border checks in November 2023, so the "
                    "spreading rule posts nobody there; post officers there under 'postings' "
                    "or choose another place)")
        return " (post officers there under 'postings' or choose another place)"

    said: set[tuple] = set()

    def once(path: tuple, message: str) -> None:  # a plan of several days says it once
        if (path, message) not in said:
            said.add((path, message))
            problem(path, message)

    for days, plan in distinct_plans(scenario):  # each day's plan (one for most scenarios)
        on = (f" on day{'s' * (len(days) > 1)} {', '.join(map(str, days))}"
              if len(days) < scenario.action.days else "")
        staffed = {(u.posting, u.place, u.country) for u in build_units(plan, route_graph)
                   if u.officers and u.country in hosts(u.place, u.country if nodes[
                       u.place]["kind"] == "crossing" else None)
                   and not visiting.get(u.country)}
        for i, team in enumerate(scenario.scanning_teams.teams):
            posting = nodes[team.place]["kind"]
            countries = hosts(team.place, team.side, frontex=False)
            working = team.days is None or set(team.days) & set(days)
            if working and not any((posting, team.place, c) in staffed for c in countries):
                once(("scanning_teams", "teams", i, "place"), f"a scanning team at "
                     f"'{team.place}' would scan nothing{on}: no {posting} officers of "
                     f"{'/'.join(sorted(countries))} are posted there to pick "
                     f"vehicles{why(team.place)}")
        units: dict[tuple[str, str], int] = {}
        for i, deployment in enumerate(scenario.frontex):
            if deployment.days is not None and not set(deployment.days) & set(days):
                continue
            posting = ("green_border" if deployment.kind == "thermal_vision"
                       else nodes[deployment.place]["kind"])
            countries = hosts(deployment.place, deployment.side)
            if not any((posting, deployment.place, c) in staffed for c in countries):
                once(("frontex", i, "place"), f"Frontex {deployment.kind} at "
                     f"'{deployment.place}' would work with nobody{on}: no "
                     f"{posting.replace('_', ' ')} officers of "
                     f"{'/'.join(sorted(countries))} are posted there"
                     f"{why(deployment.place)}")
            key = (deployment.kind, deployment.place)
            units[key] = units.get(key, 0) + deployment.count
            if deployment.kind == "thermal_vision":
                km = scenario.parameters.thermal_vision_km
                length = float(nodes[deployment.place]["length_km"])
                usable = max(1, math.ceil(length / km - 1e-9))
                if units[key] > usable:
                    once(("frontex", i, "count"), f"{units[key]} thermal-vision units at "
                         f"'{deployment.place}'{on}: each covers {km:g} km "
                         f"(parameters.thermal_vision_km) and the sector is {length:g} km "
                         f"long, so at most {usable} can be used")


def _check_days(path: tuple, listed: list[int] | None, days: int, problem) -> None:
    """Days of a team or a Frontex entry: inside the action, each once."""
    for position, day in enumerate(listed or []):
        if not 1 <= day <= days:
            problem(path, f"day {day} is outside the action (days 1 to {days})")
        elif day in (listed or [])[:position]:
            problem(path, f"day {day} is listed more than once")


def _check_scanning_teams(scenario: Scenario, check_place, problem) -> None:
    teams = scenario.scanning_teams
    days = scenario.action.days
    occupancy: dict[tuple[str, int, int], int] = {}
    for i, team in enumerate(teams.teams):
        path = ("scanning_teams", "teams", i)
        check_place((*path, "place"), team.place, {"crossing", "port"})
        contingent = scenario.countries.get(team.country)
        if contingent is not None and contingent.officers == 0:  # said so in the scenario
            problem((*path, "country"), f"a scanning team of {team.country} has no crew: "
                    f"countries.{team.country}.officers is 0; give it officers or name the "
                    "country whose officers work the scanner")
        _check_days((*path, "days"), team.days, days, problem)
        for tick in shift_ticks(team.hours, team.days, scenario.action.start.hour, days):
            key = (team.place, tick)  # the hours the model's team works (ScanningTeam.ticks)
            occupancy[key] = occupancy.get(key, 0) + 1
    crowded = sorted({place for (place, _), n in occupancy.items()
                      if n > teams.max_per_place})
    for place in crowded:
        problem(("scanning_teams", "teams"), f"more than {teams.max_per_place} team(s) at "
                f"'{place}' in the same hour (max_per_place is {teams.max_per_place})")
