"""Small, fast, valid scenarios for the model tests: a fixed builder and hypothesis strategies.

Every scenario here is one or two days on the real route graph with a few countries, scaled-down
criminal flows and networks, so that a replicate takes a fraction of a second. The strategies draw
allocations (officers, posting shares, explicit postings), scanning teams at crossings, Frontex
deployments, the information exchange, targeting and the seed; whatever they draw is a scenario
the project accepts (validated against the schema and the route graph).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from sim.geography import load_route_graph
from sim.geography.sides import eu_members, host_side
from sim.model import BASELINE, JointActionModel
from sim.scenario.allocation import build_units, check_scenario, is_visiting
from sim.scenario.files import load_scenario, merge, scenario_from_mapping
from sim.scenario.schema import DEFAULT_SHARES, Scenario

ROUTE_GRAPH = load_route_graph()
GRAPH = ROUTE_GRAPH.graph
# Countries along the Balkan route with crossings, sectors, hubs and ports between them.
ROUTE_COUNTRIES = ("GR", "MK", "BG", "TR", "RS", "AL", "ME", "HR", "BA", "HU")
CROSSINGS = tuple(ROUTE_GRAPH.ids_of_kind("crossing"))
SECTORS = tuple(ROUTE_GRAPH.ids_of_kind("green_border"))
POSTING_KINDS = tuple(DEFAULT_SHARES)
TARGETING = ("random", "risk_profile", "intelligence_led")

SMALL: dict[str, Any] = {
    "name": "ci_small",
    "action": {"days": 1},
    "run": {"replicates": 2, "seed": 11},
    "countries": {"GR": {"officers": 1500}, "MK": {"officers": 800},
                  "BG": {"officers": 1200}, "TR": {"officers": 1200}},
    # the team scans on North Macedonia's side, where the northbound trips enter
    "scanning_teams": {"teams": [{"place": "evzonoi", "country": "NL", "hours": [6, 22],
                                  "side": "MK"}]},
    "frontex": [{"kind": "thermal_vision", "place": "gb_evros", "count": 1},
                {"kind": "detection_kit", "place": "kapitan_andreevo", "count": 1}],
    "criminal": {"flow_scale": 1.0, "networks_scale": 0.3},
}


def crossings_of(country: str) -> list[str]:
    """Crossings on a country's borders."""
    return [c for c in CROSSINGS
            if country in (GRAPH.nodes[c]["country_a"], GRAPH.nodes[c]["country_b"])]


def valid(data: dict[str, Any]) -> Scenario:
    """The validated scenario of a mapping, checked against the route graph too."""
    scenario = scenario_from_mapping(data, label="test")
    check_scenario(scenario, label="test", route_graph=ROUTE_GRAPH)
    return scenario


def small_scenario(**changes: Any) -> Scenario:
    """The small test scenario with nested changes merged in (mappings merge, lists replace)."""
    return valid(merge(SMALL, changes))


def baseline(**changes: Any) -> Scenario:
    """The published baseline with nested changes merged in."""
    data = load_scenario(BASELINE).model_dump(mode="json")
    return valid(merge(data, changes))


def run_model(scenario: Scenario, seed: int, *, check_invariants: bool = False
              ) -> JointActionModel:
    """One replicate run to the end, on the shared route graph."""
    return JointActionModel(scenario, rng=seed, route_graph=ROUTE_GRAPH,
                            check_invariants=check_invariants).run()


# --- hypothesis strategies ---------------------------------------------------------------------

@st.composite
def shares(draw: st.DrawFn) -> dict[str, float]:
    """A split of a contingent over posting kinds that adds up to 1."""
    kinds = draw(st.lists(st.sampled_from(POSTING_KINDS), min_size=1, max_size=4, unique=True))
    weights = [draw(st.integers(1, 10)) for _ in kinds]
    total = sum(weights)
    split = {kind: weight / total for kind, weight in zip(kinds, weights, strict=True)}
    split[kinds[0]] += 1.0 - sum(split.values())  # exact sum despite rounding
    return split


@st.composite
def contingents(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    codes = draw(st.lists(st.sampled_from(ROUTE_COUNTRIES), min_size=1, max_size=4, unique=True))
    countries: dict[str, dict[str, Any]] = {}
    for code in codes:
        entry: dict[str, Any] = {"officers": draw(st.integers(0, 900))}
        if draw(st.booleans()):
            entry["shares"] = draw(shares())
        countries[code] = entry
    return countries


@st.composite
def postings(draw: st.DrawFn, countries: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Explicit postings at the countries' own crossings, never more than a country has."""
    result = []
    for code, entry in countries.items():
        places = crossings_of(code)
        if not places or not draw(st.booleans()):
            continue
        officers = draw(st.integers(0, entry["officers"]))
        result.append({"country": code, "agency": draw(st.sampled_from(
            ["border_police", "customs", "police"])), "posting": "crossing",
            "place": draw(st.sampled_from(places)), "officers": officers,
            "unit_size": draw(st.none() | st.integers(1, 12))})
    return result


def staffed_places(countries: dict[str, dict[str, Any]], postings: list[dict[str, Any]],
                   kind: str) -> list[str]:
    """Places where the allocation posts officers of a kind (where a scanning team or Frontex
    has host officers to work with)."""
    scenario = scenario_from_mapping({"name": "hosts", "countries": countries,
                                      "postings": postings}, label="test")

    members = eu_members(ROUTE_GRAPH)

    def host(country: str, place: str) -> bool:
        node = GRAPH.nodes[place]
        if node["kind"] == "crossing":  # equipment works on its side, with its officers:
            # a scanning team on the first-named country's, Frontex on the EU member's
            frontex = node["country_b"] if host_side(GRAPH.nodes, place, None, members) \
                else node["country_a"]
            hosts = (node["country_a"],) if frontex == node["country_a"] else ()
        else:
            hosts = (node["country"], node.get("country_a"), node.get("country_b"))
        return country in hosts and not is_visiting(ROUTE_GRAPH, country)

    return sorted({u.place for u in build_units(scenario, ROUTE_GRAPH)
                   if u.posting == kind and u.officers and host(u.country, u.place)})


@st.composite
def scanning_teams(draw: st.DrawFn, days: int, crossings: list[str]) -> dict[str, Any]:
    """Teams at distinct staffed crossings (at most one per place), with random hours and days."""
    if not crossings:
        return {"max_per_place": 1, "teams": []}
    places = draw(st.lists(st.sampled_from(crossings), max_size=3, unique=True))
    teams = []
    for place in places:
        start = draw(st.integers(0, 23))
        end = draw(st.integers(0, 24).filter(lambda h, s=start: h != s))
        team: dict[str, Any] = {"place": place, "country": "NL", "hours": [start, end]}
        if draw(st.booleans()):
            team["days"] = draw(st.lists(st.integers(1, days), min_size=1, max_size=days,
                                         unique=True))
        teams.append(team)
    return {"max_per_place": 1, "teams": teams}


@st.composite
def frontex(draw: st.DrawFn, crossings: list[str], sectors: list[str]) -> list[dict[str, Any]]:
    """Deployments at places with host officers (one to three units each)."""
    deployments = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["document_experts", "detection_kit", "thermal_vision"]))
        places = sectors if kind == "thermal_vision" else crossings
        if not places:
            continue
        deployments.append({"kind": kind, "place": draw(st.sampled_from(places)),
                            "count": draw(st.integers(1, 3))})
    return deployments


@st.composite
def small_scenarios(draw: st.DrawFn) -> tuple[Scenario, int]:
    """A random small valid scenario and a replicate seed."""
    days = draw(st.integers(1, 2))
    countries = draw(contingents())
    posted = draw(postings(countries))
    crossings = staffed_places(countries, posted, "crossing")
    data = {
        "name": "hypothesis",
        "action": {"days": days, "start": f"2023-11-13T{draw(st.integers(0, 23)):02d}:00:00"},
        "countries": countries,
        "postings": posted,
        "scanning_teams": draw(scanning_teams(days, crossings)),
        "frontex": draw(frontex(crossings, staffed_places(countries, posted, "green_border"))),
        "europol": {"analysts_on_ground": draw(st.sampled_from([0, 12])),
                    "coordination_centre": {"enabled": draw(st.booleans()),
                                            "relay_delay_hours": draw(st.sampled_from(
                                                [0.0, 2.0, 30.0]))}},
        "intelligence": {"coverage": draw(st.sampled_from([0.0, 0.35, 1.0])),
                         "targeted_share": draw(st.sampled_from([0.0, 0.5, 1.0]))},
        "targeting": draw(st.sampled_from(TARGETING)),
        "traffic": {"scale": draw(st.sampled_from([0.0, 0.1, 1.0, 3.0]))},
        "criminal": {"flow_scale": draw(st.sampled_from([0.0, 0.5, 2.0])),
                     "networks_scale": draw(st.sampled_from([0.05, 0.2, 0.4]))},
        "parameters": {"adaptivity": draw(st.sampled_from([0.0, 0.5, 1.0]))},
    }
    return valid(data), draw(st.integers(0, 2**32 - 1))


T_PAIRED = 2.76  # two-sided 1 % point of Student's t with 29 degrees of freedom (30 pairs)


def paired_t(differences: np.ndarray) -> float:
    """Student's t of the mean of paired differences (inf when they are all equal and not 0)."""
    spread = differences.std(ddof=1)
    if spread == 0:
        return np.inf if differences.mean() != 0 else 0.0
    return float(differences.mean() / (spread / np.sqrt(len(differences))))


def place_total(model: JointActionModel, outcome: str, place: str) -> float:
    """A place outcome of a finished model, summed over the days."""
    return float(model.tally.values[model.tally.index[outcome], model.place_index[place]].sum())
