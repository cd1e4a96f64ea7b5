"""The criminal side: networks, their planned movements, routes, and how they adapt.

Networks and movements are drawn from the `networks` and `departures` streams only, so every
scenario sharing a seed and the criminal parameters faces the same criminals in replicate k.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from sim.model.agents import Cargo, Corridor, CriminalNetwork, Movement, MovementState
from sim.model.mechanisms import drug_median_kg, lognormal_load
from sim.model.perception import CheckPressure, route_around, time_departure, watch
from sim.model.reattempts import count_deterred
from sim.scenario.parameters import CONCEALMENT_MIX, CRIME_AREAS, MOVEMENT_KINDS

if TYPE_CHECKING:
    from sim.geography import RouteGraph
    from sim.model import JointActionModel

UNIFORMS_PER_MOVEMENT = 32
DRUGS = ("heroin", "cocaine", "cannabis")  # any other commodity travels as "synthetic"


class RoutePlanner:
    """Shortest routes by travel time for each way of travelling, cached per graph.

    Vehicles and parcels keep to roads and sea links and never use a green-border sector;
    groups on foot cross external borders through sectors and avoid crossing points unless the
    border has no sector; `avoid` adds a heavy penalty to places a network wants to dodge.
    Both penalties (hours) are parameters: crossing_penalty_on_foot_hours and
    avoid_penalty_hours.
    """

    def __init__(self, graph: nx.DiGraph, crossing_penalty_on_foot: float,
                 avoid_penalty: float):
        self.graph = graph
        self.crossing_penalty_on_foot = crossing_penalty_on_foot
        self.avoid_penalty = avoid_penalty
        self.kind = nx.get_node_attributes(graph, "kind")
        self.status = nx.get_node_attributes(graph, "border_status")
        self.hours = {(u, v): data["hours"] for u, v, data in graph.edges(data=True)}
        self.route = functools.lru_cache(maxsize=4096)(self._route)
        self.driving_hours = functools.cache(self._driving_hours)

    def _weight(self, on_foot: bool, avoid: frozenset[str]):
        kind, status = self.kind, self.status
        on_foot_penalty, avoid_penalty = self.crossing_penalty_on_foot, self.avoid_penalty

        def weight(_u: str, v: str, data: dict) -> float | None:
            if not on_foot and (data["mode"] == "foot" or kind[v] == "green_border"):
                return None
            hours = data["hours"]
            if on_foot and kind[v] == "crossing" and status.get(v) != "schengen_internal":
                hours += on_foot_penalty
            if v in avoid:
                hours += avoid_penalty
            return hours

        return weight

    def _route(self, origin: str, destination: str, on_foot: bool,
               avoid: frozenset[str] = frozenset(),
               via: tuple[str, ...] = ()) -> tuple[str, ...] | None:
        """Quickest route through the corridor's `via` stops that suit the way of travelling:
        vehicles skip green-border stops, groups on foot skip crossing stops, and a stop the
        network now avoids is dropped."""
        skip = "crossing" if on_foot else "green_border"
        stops = [origin, *(s for s in via if self.kind[s] != skip and s not in avoid),
                 destination]
        weight = self._weight(on_foot, avoid)
        route: list[str] = [origin]
        try:
            for start, end in itertools.pairwise(stops):
                route += nx.dijkstra_path(self.graph, start, end, weight=weight)[1:]
        except nx.NetworkXNoPath:
            return None
        return tuple(route)

    def _driving_hours(self, place: str) -> dict[str, float]:
        """Driving hours from `place` to every place (roads and sea links, no green border)."""
        kind = self.kind

        def weight(_u: str, v: str, data: dict) -> float | None:
            if data["mode"] == "foot" or kind[v] == "green_border":
                return None
            return data["hours"]

        return nx.single_source_dijkstra_path_length(self.graph, place, weight=weight)

    def checked_places(self, route: tuple[str, ...]) -> list[str]:
        return [p for p in route if self.kind[p] in ("crossing", "green_border")]


@functools.cache
def planner_for(graph: nx.DiGraph, crossing_penalty_on_foot: float,
                avoid_penalty: float) -> RoutePlanner:
    """One planner per route graph and penalties per process (the graph is never mutated)."""
    return RoutePlanner(graph, crossing_penalty_on_foot, avoid_penalty)


def _choice(rng: np.random.Generator, weights: dict[str, float]) -> str:
    """A key drawn by weight: the draw and result of `rng.choice(len, p=w / w.sum())` (one
    uniform against the same cumulative sums), without numpy's per-call set-up."""
    keys, cdf = _cumulative(tuple(weights.items()))
    return keys[bisect.bisect_right(cdf, rng.random())]


@functools.lru_cache(maxsize=256)
def _cumulative(items: tuple[tuple[str, float], ...]) -> tuple[tuple[str, ...], list[float]]:
    """Keys and the cumulative probabilities numpy's Generator.choice searches."""
    p = np.array([w for _, w in items], dtype=float)
    if not len(p) or (p < 0).any() or not p.sum() > 0:
        raise ValueError(f"weights must be non-negative with a positive sum: {dict(items)}")
    cdf = (p / p.sum()).cumsum()
    cdf /= cdf[-1]
    return tuple(k for k, _ in items), cdf.tolist()


@functools.lru_cache(maxsize=64)
def _corridors_of(route_graph: RouteGraph, area: str) -> tuple[np.ndarray, list[dict]]:
    """The corridors of a crime area: their weights and rows as plain dicts (far cheaper to
    index than .iloc), once per route graph. Read only."""
    corridors = route_graph.corridors
    rows = corridors[corridors["crime_area"] == area]
    return rows["weight"].to_numpy(dtype=float), rows.to_dict("records")


def create_networks(model: JointActionModel) -> list[CriminalNetwork]:
    """Networks by crime area, each on a corridor drawn by the corridors' weights."""
    rng = model.streams.networks
    parameters, scenario = model.parameters, model.scenario_spec
    networks = []
    for area in CRIME_AREAS:
        weights, records = _corridors_of(model.route_graph, area)
        count = round(parameters.networks[area] * scenario.criminal.networks_scale)
        if not records or count == 0:
            continue
        picks = rng.choice(len(records), size=count, p=weights / weights.sum())
        for pick in picks:
            row = records[int(pick)]
            via = tuple(v.strip() for v in str(row.get("via", "") or "").split(";") if v.strip())
            corridor = Corridor(row["id"], area, row["commodity"], row["origin"],
                                row["destination"], via)
            known = rng.random() < scenario.intelligence.coverage
            targeted = known and rng.random() < scenario.intelligence.targeted_share
            members = 1 + int(rng.poisson(max(parameters.members_mean[area] - 1, 0)))
            premises = int(rng.poisson(parameters.premises_per_network))
            home = model.graph.nodes[corridor.origin]["country"]
            networks.append(CriminalNetwork(model, crime_area=area, corridor=corridor,
                                            home_country=home, members=members, known=known,
                                            targeted=targeted, premises=premises))
    return networks


def _cargo(model: JointActionModel, network: CriminalNetwork, kind: str,
           rng: np.random.Generator) -> Cargo:
    parameters = model.parameters
    area, commodity = network.crime_area, network.corridor.commodity
    cargo = Cargo(crew=1 + int(rng.random() < parameters.second_crew_probability))
    if area == "migrant_smuggling":
        cargo.migrants = 1 + int(rng.poisson(parameters.migrant_group_mean - 1))
    elif area == "thb":
        cargo.victims = 1 + int(rng.poisson(parameters.victims_mean - 1))
    elif area == "drug_trafficking":
        drug = commodity if commodity in DRUGS else "synthetic"
        scale = {"parcel": parameters.parcel_load_factor,
                 "container": parameters.container_load_factor}.get(kind, 1.0)
        cargo.drugs_kg = {drug: lognormal_load(rng, drug_median_kg(parameters, drug) * scale,
                                               parameters.drug_load_sigma[drug])}
    elif area == "firearms_trafficking":
        cargo.weapons = 1 + int(rng.poisson(parameters.weapons_per_movement_mean - 1))
        cargo.rounds = int(rng.poisson(parameters.rounds_per_weapon * cargo.weapons))
    else:  # high-risk networks: mixed goods
        cargo.weapons = int(rng.random() < parameters.high_risk_weapon_probability)
        cargo.drugs_kg = ({"cannabis": lognormal_load(rng, parameters.high_risk_cannabis_kg_median,
                                                      parameters.drug_load_sigma["cannabis"])}
                          if rng.random() < parameters.high_risk_drugs_probability else {})
    if rng.random() < parameters.forged_documents_share[area]:
        carriers = cargo.migrants or cargo.victims or cargo.crew
        cargo.forged_documents = max(
            1, round(carriers * parameters.forged_documents_per_carrier))
    if kind == "parcel":
        cargo.crew = 0
    return cargo


def plan_movements(model: JointActionModel, networks: list[CriminalNetwork]) -> list[Movement]:
    """Each network's trips for the action: how many, when, how, carrying what, which way."""
    rng = model.streams.departures
    route_rng = model.streams.routes
    check_rng = model.streams.checks
    parameters, scenario = model.parameters, model.scenario_spec
    hours = scenario.action.hours
    movements = []
    model.check_pressure = CheckPressure(model)
    watch(model, networks)
    for network in networks:
        area = network.crime_area
        mean = (parameters.movements_per_network[area] * scenario.criminal.flow_scale
                * hours / (24 * 7))
        for _ in range(int(rng.poisson(mean))):
            kind = _choice(rng, MOVEMENT_KINDS[area])
            if kind == "container" and model.graph.nodes[network.corridor.origin]["kind"] != "port":
                kind = "lorry"
            concealment = _choice(rng, CONCEALMENT_MIX[area])
            if kind == "foot_group":
                concealment = "none"
            cargo = _cargo(model, network, kind, rng)
            departure = float(rng.uniform(0.0, hours))
            uniforms = check_rng.random(UNIFORMS_PER_MOVEMENT)
            usual = choose_route(model, network, kind == "foot_group", route_rng)
            if usual is None:
                continue
            route, avoided = route_around(model, network, usual, kind == "foot_group")
            movement = Movement(model, network=network, kind=kind, route=list(route),
                                departure=departure, concealment=concealment, cargo=cargo,
                                uniforms=uniforms)
            time_departure(model, network, movement)
            network.movements.append(movement)
            movements.append(movement)
            if avoided:
                movement.displaced = True
                model.record_displacement(movement, avoided[0], "avoid",
                                          "checks seen at " + ", ".join(avoided), list(usual))
    return movements


def choose_route(model: JointActionModel, network: CriminalNetwork, on_foot: bool,
                 rng: np.random.Generator, avoid: frozenset[str] = frozenset()):
    """The fastest route, or with a chance of alternative_route_probability the fastest one
    that avoids its first checked place (networks spread over alternatives they know)."""
    planner = model.route_planner
    corridor = network.corridor
    route = planner.route(corridor.origin, corridor.destination, on_foot, avoid, corridor.via)
    if route is None or rng.random() >= model.parameters.alternative_route_probability:
        return route
    checked = planner.checked_places(route)
    if not checked:
        return route
    alternative = planner.route(corridor.origin, corridor.destination, on_foot,
                                avoid | {checked[0]}, corridor.via)
    return alternative or route


def _same_checks(model: JointActionModel, before: list[str], after: list[str]) -> bool:
    """A new route through the same checked places, in the same order, as the old one."""
    planner = model.route_planner
    return planner.checked_places(tuple(before)) == planner.checked_places(tuple(after))


def react(model: JointActionModel, network: CriminalNetwork, hot_place: str, cause: str) -> None:
    """A network that notices a seizure or an alert may delay, reroute, take the green border
    or suspend its planned trips. Each changed trip counts as displaced; a new route through the
    same checked places as before avoids nothing and leaves the trip as it was (not displaced)."""
    if network.reacted:
        return
    rng = model.streams.adaptation
    network.reacted = True
    if rng.random() >= model.parameters.adaptivity:
        return
    weights = model.parameters.adaptation_weights
    for movement in network.movements:
        if movement.state != MovementState.PLANNED or movement.departure <= model.clock:
            continue
        response = _choice(rng, weights)
        before, kind_before = movement.route, movement.kind
        if response == "delay":
            shortest = model.parameters.adaptation_delay_hours
            movement.departure += shortest + shortest * float(rng.random())
        elif response == "suspend":
            movement.state = MovementState.SUSPENDED
            count_deterred(model, movement)
        else:
            on_foot = response == "green_border" and network.crime_area == "migrant_smuggling"
            if on_foot:
                movement.kind = "foot_group"
                movement.concealment = "none"
            else:
                response = "reroute"
            route = choose_route(model, network, movement.kind == "foot_group", rng,
                                 avoid=frozenset({hot_place}))
            if route is not None:
                movement.route = list(route)
            if movement.kind == kind_before and _same_checks(model, before, movement.route):
                movement.route = before  # avoids no check: not displaced, trip unchanged
                continue
        movement.displaced = True
        model.record_displacement(movement, hot_place, response, cause, before)
        if movement.state == MovementState.PLANNED:
            model.schedule_departure(movement)
