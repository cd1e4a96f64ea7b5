"""The route graph of South East Europe: where people and goods travel and where they are checked.

Loads the data files in `sim/data` (places, crossings, traffic by vehicle class, green-border
sectors, edges, countries, corridors; docs/geography.md describes every column), checks every row
and the graph they make, and returns a `RouteGraph`. All problems are reported together, each
with its file and line, so a planner editing the data fixes everything in one pass.
Reading and checking need the standard library alone: a `RouteGraph`'s networkx graph and
pandas tables are built on first use, so `sim validate` loads neither library.
`sim docs map --into map.png` draws it (the drawing lives in `sim.geography.map`, so
loading the graph needs no matplotlib).
"""

from __future__ import annotations

import csv
import difflib
import functools
import heapq
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

KINDS = ("hub", "port", "crossing", "green_border", "destination")
MODES = ("road", "sea", "foot")
BORDER_STATUSES = ("eu_external", "eu_internal_checked", "schengen_internal", "non_eu")
CRIME_AREAS = ("drug_trafficking", "firearms_trafficking", "migrant_smuggling", "thb",
               "high_risk_networks")
COMMODITIES = ("heroin", "cocaine", "cannabis", "synthetic", "firearms", "migrants", "victims",
               "mixed")
PRESSURES = ("low", "medium", "high")
VEHICLE_CLASSES = ("car", "bus", "lorry")


@dataclass(frozen=True)
class _Number:
    """The numbers a column accepts; a finite `high` marks a coordinate (in Europe or Türkiye)."""

    low: float = 0.0
    high: float = math.inf
    whole: bool = False
    positive: bool = False


TEXT, ID, ISO2, PLACE, PLACES, COUNTRY = "text", "id", "iso2", "place", "places", "country"
FORMS = {ID: (r"[a-z][a-z0-9_]*", "snake_case ASCII (a-z, 0-9 and _)"),
         ISO2: ("[A-Z]{2}", "two capital letters (ISO 3166 alpha-2)")}
AMOUNT = _Number()
# file -> column -> what a cell holds: text, an id of a form, a place id, place ids separated by
# ';' (may be empty), a country of countries.csv, true/false (bool), one of a tuple, or a number
SCHEMA = {
    "countries.csv": {"iso2": ISO2, "name": TEXT, "eu_member_2023": bool, "schengen_2023": bool,
                      "participant": bool, "source": TEXT},
    "places.csv": {"id": ID, "name": TEXT, "country": COUNTRY, "kind": KINDS,
                   "lat": _Number(34.0, 72.0), "lon": _Number(-11.0, 45.0), "source": TEXT},
    "crossings.csv": {"place_id": PLACE, "side_a": TEXT, "side_b": TEXT, "country_a": COUNTRY,
                      "country_b": COUNTRY, "border_status": BORDER_STATUSES,
                      "persons_per_day": AMOUNT, "vehicles_per_day": AMOUNT,
                      "lanes": _Number(1, whole=True), "source": TEXT},
    "sectors.csv": {"place_id": PLACE, "country_a": COUNTRY, "country_b": COUNTRY,
                    "border_status": BORDER_STATUSES, "length_km": _Number(positive=True),
                    "pressure": PRESSURES, "source": TEXT},
    "traffic.csv": {"place_id": PLACE, "vehicle_class": VEHICLE_CLASSES,
                    "vehicles_per_day": AMOUNT, "booths": _Number(1, whole=True),
                    "bays": _Number(1, whole=True), "traffic_source": TEXT,
                    "booths_source": TEXT, "bays_source": TEXT},
    "edges.csv": {"from": PLACE, "to": PLACE, "mode": MODES, "hours": _Number(positive=True),
                  "two_way": bool, "source": TEXT},
    "corridors.csv": {"id": ID, "crime_area": CRIME_AREAS, "commodity": COMMODITIES,
                      "branch": TEXT, "origin": PLACE, "destination": PLACE, "via": PLACES,
                      "weight": AMOUNT, "source": TEXT},
}
COLUMNS = {file: tuple(columns) for file, columns in SCHEMA.items()}

Rows = list[tuple[int, dict]]  # (CSV line number, row) per file
Link = tuple[str, str, dict]  # a directed edge: from, to, its attributes (mode, hours, road)


class GeographyError(ValueError):
    """Route-graph data that cannot be used; `problems` lists each as 'file line N: what'."""

    def __init__(self, problems: Sequence[str] | str, where: str = "the route-graph data"):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(self.problems[0] if len(self.problems) == 1 else
                         f"{len(self.problems)} problems in {where}:\n"
                         + "\n".join(f"  - {p}" for p in self.problems))


def _table(file: str) -> functools.cached_property:
    """A `RouteGraph` attribute: the checked rows of `file` as a pandas DataFrame, built (and
    pandas imported) on first use."""
    def frame(self: RouteGraph) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(list(self.rows[file.removesuffix(".csv")]),
                            columns=list(COLUMNS[file]))

    frame.__doc__ = f"The checked rows of {file} as a DataFrame (built on first use)."
    return functools.cached_property(frame)


@dataclass(frozen=True, eq=False)
class RouteGraph:
    """The validated route graph and the tables it was built from. Shared: do not mutate.

    Plain Python, enough to check a scenario: `nodes` (place id -> attributes, in the order of
    places.csv), `links` (the directed edges in the order of edges.csv, a two-way edge as both
    directions) and `rows` (file name without .csv -> its checked rows). The networkx `graph`
    and the DataFrames (`places`, `crossings`, `traffic`, `sectors`, `edges`, `countries`,
    `corridors`) are built from them on first use."""

    nodes: dict[str, dict]
    links: tuple[Link, ...]
    rows: dict[str, tuple[dict, ...]]

    places = _table("places.csv")
    crossings = _table("crossings.csv")
    traffic = _table("traffic.csv")
    sectors = _table("sectors.csv")
    edges = _table("edges.csv")
    countries = _table("countries.csv")
    corridors = _table("corridors.csv")

    @functools.cached_property
    def graph(self) -> nx.DiGraph:
        """The frozen networkx DiGraph of `nodes` and `links` (built on first use)."""
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_nodes_from(self.nodes.items())
        graph.add_edges_from(self.links)
        return nx.freeze(graph)

    def layout(self) -> dict[str, tuple[float, float]]:
        """Node -> (longitude, latitude), the positions for mesa's `Network(layout=...)`."""
        return {n: (a["lon"], a["lat"]) for n, a in self.nodes.items()}

    def place_name(self, place_id: str) -> str:
        """Human-readable name; a crossing is named by both posts ("Kalotina / Gradina")."""
        if place_id not in self.nodes:
            raise KeyError(f"unknown place '{place_id}'{_suggest(place_id, self.nodes)}")
        node = self.nodes[place_id]
        return f"{node['side_a']} / {node['side_b']}" if "side_a" in node else node["name"]

    def ids_of_kind(self, kind: str) -> list[str]:
        """Sorted ids of the places of one kind (hub, port, crossing, green_border, destination)."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind '{kind}', expected one of {', '.join(KINDS)}")
        return sorted(n for n, a in self.nodes.items() if a["kind"] == kind)

    def corridor_route(self, corridor_id: str) -> list[str]:
        """The places a corridor's movements pass, from origin through its `via` stops."""
        row = next((r for r in self.rows["corridors"] if r["id"] == corridor_id), None)
        if row is None:
            raise KeyError(f"unknown corridor '{corridor_id}'"
                           f"{_suggest(corridor_id, [r['id'] for r in self.rows['corridors']])}")
        return corridor_path(self, row["origin"], row["destination"], via=_stops(row["via"]))


def corridor_path(route_graph: RouteGraph, origin: str, destination: str, *,
                  via: Sequence[str] = ()) -> list[str]:
    """Quickest path (by edge hours) from origin to destination, passing the `via` stops in order.

    Corridors name stops because criminal routes are not always the quickest (heroin goes through
    North Macedonia, not straight from Bulgaria into Serbia); GeographyError if there is no path.
    """
    path, problem = _route(route_graph.nodes, _successors(route_graph.links),
                           [origin, *via, destination])
    if problem:
        raise GeographyError(problem)
    return path


def load_route_graph(data_dir: Path | str | None = None) -> RouteGraph:
    """Load and check the route graph from `data_dir` (default: the package data, loaded once)."""
    if data_dir is None:
        return _package_route_graph()
    return _load(Path(data_dir))


@functools.cache
def _package_route_graph() -> RouteGraph:
    with resources.as_file(resources.files("sim") / "data") as folder:
        return _load(Path(folder))


# --- reading and checking ---------------------------------------------------------------------

def _suggest(name: str, valid) -> str:
    close = difflib.get_close_matches(str(name), [str(v) for v in valid], n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _stops(via: str) -> list[str]:
    return [s.strip() for s in via.split(";") if s.strip()]


def _read(folder: Path, file: str, problems: list[str]) -> Rows | None:
    """Rows of one CSV with their line numbers (header = line 1), or None if unusable."""
    path = folder / file
    if not path.is_file():
        problems.append(f"{file}: file not found in {folder}")
        return None
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        wrong = [f"missing column '{c}'" for c in COLUMNS[file] if c not in header]
        wrong += [f"unexpected column '{c}'" for c in header if c not in COLUMNS[file]]
        if wrong:
            problems.append(f"{file} line 1: {', '.join(wrong)} (expected the columns "
                            f"{','.join(COLUMNS[file])})")
            return None
        rows, line = [], 1
        for values in reader:
            start, line = line + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                problems.append(f"{file} line {start}: {len(values)} fields, expected "
                                f"{len(header)} (quote values that contain commas)")
                continue
            rows.append((start, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    return rows


def _check_value(spec, column: str, value: str, countries: set, places: set):
    """The typed value of one cell, or raise ValueError saying what is wrong with it."""
    if value == "" and spec != PLACES:
        raise ValueError(f"column '{column}' is empty")
    if spec in FORMS and not re.fullmatch(FORMS[spec][0], value):
        raise ValueError(f"{column} '{value}' must be {FORMS[spec][1]}")
    if isinstance(spec, tuple) and value not in spec:
        raise ValueError(f"unknown {column} '{value}'{_suggest(value, spec)} (expected one of: "
                         f"{', '.join(spec)})")
    if spec is bool:
        if value.lower() not in ("true", "false"):
            raise ValueError(f"column '{column}' must be true or false, not '{value}'")
        return value.lower() == "true"
    if isinstance(spec, _Number):
        try:
            number = int(value) if spec.whole else float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            kind = "a whole number" if spec.whole else "a number"
            raise ValueError(f"column '{column}' must be {kind}, not '{value}'")
        if spec.positive and number <= 0:
            raise ValueError(f"column '{column}' must be greater than 0, not {value}")
        if spec.high < math.inf and not spec.low <= number <= spec.high:
            raise ValueError(f"{column} {value} is outside Europe ({spec.low:g} to "
                             f"{spec.high:g})")
        if number < spec.low:
            limit = "negative" if spec.low == 0 else f"below {spec.low:g}"
            raise ValueError(f"column '{column}' must not be {limit}, not {value}")
        return number
    if spec == COUNTRY and value not in countries:
        raise ValueError(f"country '{value}' in column '{column}' is not in countries.csv"
                         f"{_suggest(value, countries)}")
    for place in _stops(value) if spec == PLACES else [value] if spec == PLACE else []:
        if place not in places:
            raise ValueError(f"unknown place '{place}' in column '{column}'"
                             f"{_suggest(place, places)}")
    return value


def _check_rows(tables: dict[str, Rows], problems: list[str]) -> dict[str, set[str]]:
    """Check every cell and every id; replace cells by typed values; drop rows with errors.

    Returns the ids of each file, dropped rows included, so no row is reported missing."""
    ids: dict[str, set[str]] = {}
    countries = {row["iso2"] for _, row in tables.get("countries.csv", [])}
    places = {row["id"] for _, row in tables.get("places.csv", [])}
    for file, rows in tables.items():
        seen: dict[str, int] = {}
        kept = []
        for line, row in rows:
            errors = []
            for column, spec in SCHEMA[file].items():
                try:
                    row[column] = _check_value(spec, column, row[column], countries, places)
                except ValueError as error:
                    errors.append(f"{file} line {line}: {error}")
            key = (row[COLUMNS[file][0]] if file not in ("edges.csv", "traffic.csv")
                   else None)  # ids come first
            if key is not None and key in seen:
                errors.append(f"{file} line {line}: duplicate id '{key}' (first on line "
                              f"{seen[key]})")
            elif key is not None:
                seen[key] = line
            problems.extend(errors)
            if not errors:
                kept.append((line, row))
        tables[file], ids[file] = kept, set(seen)
    return ids


def _check_links(tables: dict[str, Rows], ids: dict[str, set[str]], problems: list[str]) -> None:
    """Checks across files: crossing and sector rows match places; edges; corridor weights."""
    place = {row["id"]: (line, row) for line, row in tables["places.csv"]}
    for file, kind in (("crossings.csv", "crossing"), ("sectors.csv", "green_border")):
        for line, row in tables[file]:
            if row["place_id"] not in place:
                continue  # its places.csv row has its own error
            node = place[row["place_id"]][1]
            if node["kind"] != kind:
                problems.append(f"{file} line {line}: '{row['place_id']}' is a {node['kind']} in "
                                f"places.csv, expected kind {kind}")
            if row["country_a"] == row["country_b"]:
                problems.append(f"{file} line {line}: country_a and country_b are both "
                                f"{row['country_a']}")
            if node["country"] != row["country_a"]:
                problems.append(f"{file} line {line}: country_a {row['country_a']} differs from "
                                f"the place's country {node['country']} in places.csv")
        for pid, (line, row) in place.items():
            if row["kind"] == kind and pid not in ids[file]:
                problems.append(f"places.csv line {line}: {kind} '{pid}' has no row in {file}")
    _check_traffic(tables, ids, problems)
    pairs: dict[tuple[str, str], int] = {}
    for line, row in tables["edges.csv"]:
        if row["from"] == row["to"]:
            problems.append(f"edges.csv line {line}: edge from '{row['from']}' to itself")
            continue
        ends = [(row["from"], row["to"])] + ([(row["to"], row["from"])] if row["two_way"] else [])
        twice = [pair for pair in ends if pair in pairs]
        if twice:
            problems.append(f"edges.csv line {line}: edge {twice[0][0]} -> {twice[0][1]} is "
                            f"already given on line {pairs[twice[0]]}")
        for pair in ends:
            pairs.setdefault(pair, line)
    totals: dict[str, float] = {}
    for _, row in tables["corridors.csv"]:
        totals[row["crime_area"]] = totals.get(row["crime_area"], 0.0) + row["weight"]
    for area, total in sorted(totals.items()):  # not when rows are missing for other errors
        if abs(total - 1.0) > 1e-6 and not any(p.startswith("corridors") for p in problems):
            problems.append(f"corridors.csv: the weights of {area} add up to {total:g}, not 1")


def _check_traffic(tables: dict[str, Rows], ids: dict[str, set[str]],
                   problems: list[str]) -> None:
    """traffic.csv holds one row per crossing and vehicle class, and its sums are the crossing's
    vehicles_per_day and lanes in crossings.csv."""
    crossings = {row["place_id"]: (line, row) for line, row in tables["crossings.csv"]}
    classes: dict[str, dict[str, dict]] = {}
    for line, row in tables["traffic.csv"]:
        if row["place_id"] not in crossings:
            if row["place_id"] in ids["crossings.csv"]:
                continue  # its crossings.csv row has its own error
            problems.append(f"traffic.csv line {line}: '{row['place_id']}' has no row in "
                            "crossings.csv")
            continue
        seen = classes.setdefault(row["place_id"], {})
        if row["vehicle_class"] in seen:
            problems.append(f"traffic.csv line {line}: second row for {row['place_id']} "
                            f"{row['vehicle_class']}")
        seen[row["vehicle_class"]] = row
    for pid, (line, row) in crossings.items():
        rows = classes.get(pid, {})
        if any(p.startswith("traffic.csv line") for p in problems):
            return  # rows dropped for their own errors would look missing
        missing = [c for c in VEHICLE_CLASSES if c not in rows]
        if missing:
            problems.append(f"traffic.csv: crossing '{pid}' has no row for {', '.join(missing)}")
            continue
        vehicles = sum(r["vehicles_per_day"] for r in rows.values())
        booths = sum(r["booths"] for r in rows.values())
        if abs(vehicles - row["vehicles_per_day"]) > 0.5 or booths != row["lanes"]:
            problems.append(f"crossings.csv line {line}: '{pid}' has vehicles_per_day "
                            f"{row['vehicles_per_day']:g} and lanes {row['lanes']}, but its "
                            f"traffic.csv rows add up to {vehicles:g} vehicles and {booths} booths")


def _build_nodes(tables: dict[str, Rows]) -> dict[str, dict]:
    """Place id -> attributes: its places.csv row, its crossings.csv or sectors.csv row (with
    `eu_external`) and a crossing's traffic by vehicle class."""
    nodes: dict[str, dict] = {}
    for _, row in tables["places.csv"]:
        nodes.setdefault(row["id"], {}).update(
            {k: row[k] for k in ("name", "country", "kind", "lat", "lon")})
    for file in ("crossings.csv", "sectors.csv"):
        for _, row in tables[file]:
            if row["place_id"] not in nodes:
                continue
            attributes = {k: v for k, v in row.items() if k not in ("place_id", "source")}
            nodes[row["place_id"]].update(
                attributes, eu_external=row["border_status"] == "eu_external")
    for _, row in tables["traffic.csv"]:
        if row["place_id"] in nodes:
            nodes[row["place_id"]].setdefault("traffic", {})[row["vehicle_class"]] = {
                k: row[k] for k in ("vehicles_per_day", "booths", "bays")}
    return nodes


def _build_links(tables: dict[str, Rows], nodes: dict[str, dict]) -> list[Link]:
    """The directed edges between known places in the order of edges.csv (a two-way edge as
    both directions), each with its mode, hours and road (motorway by the rule, or other)."""
    links = []
    for _, row in tables["edges.csv"]:
        if row["from"] not in nodes or row["to"] not in nodes:
            continue
        road = "motorway" if "rule motorway" in str(row.get("source", "")) else "other"
        attributes = {"mode": row["mode"], "hours": row["hours"], "road": road}
        links.append((row["from"], row["to"], attributes))
        if row["two_way"]:
            links.append((row["to"], row["from"], dict(attributes)))
    return links


def _successors(links: Sequence[Link]) -> dict[str, dict[str, dict]]:
    """Place -> the places its edges lead to, with the edges' attributes."""
    successors: dict[str, dict[str, dict]] = {}
    for start, end, attributes in links:
        successors.setdefault(start, {})[end] = attributes
    return successors


def _quickest(successors: dict[str, dict[str, dict]], start: str, end: str) -> list[str] | None:
    """The quickest path from start to end by edge hours (Dijkstra's algorithm; of equally
    quick paths, the one found first), or None if there is none."""
    hours_to, before, done = {start: 0.0}, {start: ""}, set()
    heap, order = [(0.0, 0, start)], itertools.count(1)
    while heap:
        hours, _, place = heapq.heappop(heap)
        if place == end:
            path = [end]
            while before[path[-1]]:
                path.append(before[path[-1]])
            return path[::-1]
        if place in done:
            continue
        done.add(place)
        for following, edge in successors.get(place, {}).items():
            total = hours + edge["hours"]
            if following not in done and total < hours_to.get(following, math.inf):
                hours_to[following], before[following] = total, place
                heapq.heappush(heap, (total, next(order), following))
    return None


def _route(nodes: dict[str, dict], successors: dict[str, dict[str, dict]],
           stops: list[str]) -> tuple[list[str], str | None]:
    """Quickest path through the stops in order, or ([], what is wrong)."""
    path = stops[:1]
    for start, end in itertools.pairwise(stops):
        leg = _quickest(successors, start, end) if start in nodes and end in nodes else None
        if leg is None:
            return [], f"no path from '{start}' to '{end}'"
        path += leg[1:]
    twice = sorted({p for p in path if path.count(p) > 1})
    if twice:
        return [], f"the route passes {', '.join(twice)} twice (check the order of 'via')"
    return path, None


def _check_graph(nodes: dict[str, dict], links: Sequence[Link], tables: dict[str, Rows],
                 problems: list[str]) -> None:
    """Every crossing and sector reaches both its countries; every corridor has a route."""
    neighbours: dict[str, set[str]] = {}
    for start, end, _ in links:
        neighbours.setdefault(start, set()).add(end)
        neighbours.setdefault(end, set()).add(start)
    for file in ("crossings.csv", "sectors.csv"):
        for line, row in tables[file]:
            pid = row["place_id"]
            if pid not in nodes:
                continue
            near = neighbours.get(pid, set())
            have = {nodes[n]["country"] for n in near}
            for country in (row["country_a"], row["country_b"]):
                if country not in have:
                    listed = ", ".join(f"{n} ({nodes[n]['country']})" for n in sorted(near))
                    problems.append(f"{file} line {line}: '{pid}' joins {row['country_a']}–"
                                    f"{row['country_b']} but has no neighbour in {country} in "
                                    f"edges.csv (neighbours: {listed or 'none'})")
    successors = _successors(links)
    for line, row in tables["corridors.csv"]:
        stops = [row["origin"], *_stops(row["via"]), row["destination"]]
        if not all(stop in nodes for stop in stops):
            continue
        _, problem = _route(nodes, successors, stops)
        if problem:
            problems.append(f"corridors.csv line {line}: corridor '{row['id']}': {problem}")


def _load(folder: Path) -> RouteGraph:
    problems: list[str] = []
    tables = {file: _read(folder, file, problems) for file in COLUMNS}
    if problems:  # unreadable files: later checks would only repeat the same trouble
        raise GeographyError(problems, str(folder))
    ids = _check_rows(tables, problems)
    _check_links(tables, ids, problems)
    nodes = _build_nodes(tables)
    links = _build_links(tables, nodes)
    if not any(p.startswith(("places.csv", "edges.csv")) for p in problems):
        _check_graph(nodes, links, tables, problems)  # else: the gaps of dropped rows
    if problems:
        raise GeographyError(problems, str(folder))
    return RouteGraph(nodes=nodes, links=tuple(links),
                      rows={file.removesuffix(".csv"): tuple(row for _, row in rows)
                            for file, rows in tables.items()})
