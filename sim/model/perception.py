"""Criminals see the police: how heavily the places on a network's routes are checked, as the
network sees it, and how it routes and times its trips around them.

Before the action a network watches the checks on its routes with probability
`check_awareness`. Fixed posts are visible to a watching network: crossing officers doing
intensified checks and green-border patrols. Scanners, Frontex thermal cameras and the mobile
road checkpoints move or hide: a watching network also sees them with probability
`hidden_check_awareness`. The pressure of a place is the chance that a vehicle or group
passing it is stopped (crossings and roads: the share of traffic checked, averaged over the
day; sectors: the patrol's detection chance at night).

A watching network weighs each trip's usual route against the routes that avoid one of its
checked places: cost = travel hours + `detour_hours_per_risk` x -ln(1 - risk of the route). It
takes a route that is both cheaper and less risky (a displacement event at the avoided place,
naming it). It times its trips: a vehicle leaves so as to reach its first crossing in the
hour when that crossing checks the smallest share of traffic (the busy hours: hiding in the
traffic), a group on foot so as to reach the green border after dark. Networks that do not
watch leave at random hours and keep their routes.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

import numpy as np

from sim.model.agents import CriminalNetwork, Movement
from sim.model.mechanisms import night_hours, sector_detection

if TYPE_CHECKING:
    from sim.model import JointActionModel



# Pressure tables and route memos by staffing (which stands for scenario content and route
# graph); each entry holds its staffing, so the id is not reused while the entry lives.
_SHARED: dict[int, tuple[object, dict]] = {}


class CheckPressure:
    """Visible and hidden check pressure of every crossing, sector and road segment.

    The pressure follows from the scenario and the route graph alone (the officers on duty
    before the action, traffic, equipment; no random draw), and so do the routes and hours a
    watching network picks from it: the tables and memos are worked out once per scenario
    content and route graph and shared by the replicates of a process (read only)."""

    def __init__(self, model: JointActionModel):
        self.model = model
        key = id(model.staffing)
        if key not in _SHARED:
            if len(_SHARED) >= 32:
                _SHARED.clear()
            _SHARED[key] = (model.staffing, self._tables(model))
        vars(self).update(_SHARED[key][1])

    @staticmethod
    def _tables(model: JointActionModel) -> dict:
        parameters = model.parameters
        visible: dict = {}
        hidden: dict = {}
        crossing_hourly: dict[tuple[str, str], np.ndarray] = {}
        state = model.crossing_state
        seen_by_hour, scanned_by_hour = state.expected_shares()  # sim/model/crossings.py
        for side, country in enumerate(state.plan.countries):  # (crossing, country entered)
            key = (state.plan.crossings[side // 2], country)
            seen = seen_by_hour[side]
            crossing_hourly[key] = seen
            visible[key] = float(seen.mean())
            hidden[key] = float(scanned_by_hour[side].mean() - seen.mean())
        night = list(night_hours(parameters.night_start_hour, parameters.night_end_hour))
        for place, sector in model.sectors.items():
            where = model.place_index[place]
            officers = float((model.on_duty["green_border"][where, night]
                              + state.expected_patrol[where, night]).mean())
            thermal = model.frontex_at.get((place, "thermal_vision"), 0)
            seen = sector_detection(parameters, officers, sector.length_km, 0, True)
            visible[place] = seen
            hidden[place] = sector_detection(parameters, officers, sector.length_km, thermal,
                                             True) - seen
        roads = model.roads
        segment = np.mean([roads.checked(hour)[0] for hour in range(24)], axis=0)
        # Memos of what follows from a route alone (the pressure is fixed once computed).
        choices: dict[tuple, tuple[tuple[str, ...], list[str]]] = {}
        targets: dict[tuple[str, ...], tuple[int | None, float]] = {}
        return {"visible": visible, "hidden": hidden, "crossing_hourly": crossing_hourly,
                "segment": segment, "choices": choices, "targets": targets}

    def route_risk(self, route: tuple[str, ...], sees_hidden: bool) -> float:
        """Chance, as the network sees it, of being stopped somewhere along `route` (at a
        crossing, by the side of the country it enters)."""
        passed = 1.0
        for position in range(len(route)):
            key = self.key(route, position)
            seen = self.visible.get(key, 0.0)
            if sees_hidden:
                seen += self.hidden.get(key, 0.0)
            passed *= 1.0 - min(seen, 1.0)
        if not sees_hidden:  # road checkpoints are mobile units: moved during the day
            return 1.0 - passed
        road_edges = self.model.roads.road_edges
        for edge in itertools.pairwise(route):
            s = road_edges.get(edge)
            if s is not None:
                passed *= 1.0 - float(self.segment[s])
        return 1.0 - passed


    def key(self, route: tuple[str, ...], position: int):
        """What the pressure tables know place `route[position]` by: a crossing by itself and
        the country the route enters there (the next place's), any other place by itself."""
        place = route[position]
        if self.model.route_planner.kind[place] != "crossing":
            return place
        nodes = self.model.graph.nodes
        entered = (nodes[route[position + 1]]["country"] if position + 1 < len(route)
                   else nodes[place]["country_b"])
        if entered not in (nodes[place]["country_a"], nodes[place]["country_b"]):
            entered = nodes[place]["country_a"]
        return place, entered


def _share(checks: np.ndarray, arrivals: np.ndarray) -> np.ndarray:
    """Share of arrivals checked; in an hour without traffic a criminal vehicle is the only
    one, checked if anybody can check (as at the crossings themselves)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(arrivals > 0, np.minimum(1.0, checks / np.maximum(arrivals, 1e-12)),
                        (checks >= 1).astype(float))


def _hours(model: JointActionModel, route: tuple[str, ...]) -> float:
    hours = model.route_planner.hours
    return sum(hours[edge] for edge in itertools.pairwise(route))


def watch(model: JointActionModel, networks: list[CriminalNetwork]) -> None:
    """Which networks watch the checks on their routes, and which also see hidden ones (two
    draws per network, from their own stream: the same networks watch in every scenario)."""
    rng = model.streams.perception
    parameters = model.parameters
    for network in networks:
        watching, hidden = rng.random(2)
        network.watches_checks = bool(watching < parameters.check_awareness)
        network.sees_hidden_checks = network.watches_checks and bool(
            hidden < parameters.hidden_check_awareness)


def route_around(model: JointActionModel, network: CriminalNetwork, route: tuple[str, ...],
                 on_foot: bool) -> tuple[tuple[str, ...], list[str]]:
    """The route a watching network takes instead of `route`, and the places it avoids."""
    if not network.watches_checks:
        return route, []
    pressure: CheckPressure = model.check_pressure
    corridor = network.corridor
    key = (route, on_foot, network.sees_hidden_checks, corridor.origin, corridor.destination,
           corridor.via)
    if key not in pressure.choices:
        pressure.choices[key] = _route_around(model, network, route, on_foot)
    best, avoided = pressure.choices[key]
    return best, list(avoided)


def _route_around(model: JointActionModel, network: CriminalNetwork, route: tuple[str, ...],
                  on_foot: bool) -> tuple[tuple[str, ...], list[str]]:
    pressure: CheckPressure = model.check_pressure
    planner, corridor = model.route_planner, network.corridor
    parameters = model.parameters

    def cost(candidate: tuple[str, ...]) -> tuple[float, float]:
        risk = pressure.route_risk(candidate, network.sees_hidden_checks)
        return (_hours(model, candidate) + parameters.detour_hours_per_risk
                * -math.log(max(1.0 - risk, 1e-9)), risk)

    best, (best_cost, best_risk) = route, cost(route)
    usual_risk = best_risk
    for place in planner.checked_places(route):
        alternative = planner.route(corridor.origin, corridor.destination, on_foot,
                                    frozenset({place}), corridor.via)
        if alternative is None or place in alternative:
            continue
        candidate_cost, candidate_risk = cost(alternative)
        if candidate_cost < best_cost and candidate_risk < usual_risk:
            best, best_cost, best_risk = alternative, candidate_cost, candidate_risk
    avoided = [p for p in planner.checked_places(route) if p not in best]
    return best, avoided


def time_departure(model: JointActionModel, network: CriminalNetwork, movement: Movement
                   ) -> None:
    """A watching network moves the trip, within its day, to reach its first checked place at
    the hour it chooses: darkness on the green border, the crossing's busy hours otherwise."""
    if not network.watches_checks:
        return
    route = tuple(movement.route)
    targets = model.check_pressure.targets
    if route not in targets:
        targets[route] = _target_hour(model, route)
    target_hour, travelled = targets[route]
    if target_hour is None:
        return
    start = model.scenario_spec.action.start.hour
    day = math.floor(movement.departure / 24.0)
    departure = day * 24.0 + ((target_hour - start - travelled) % 24.0)
    if 0.0 <= departure < model.hours:
        movement.departure = movement.time = departure


def _target_hour(model: JointActionModel, route: tuple[str, ...]) -> tuple[int | None, float]:
    """The hour a watching network aims to reach the first checked place of `route`, and the
    travel hours to it."""
    hours, kinds = model.route_planner.hours, model.route_planner.kind
    pressure = model.check_pressure
    travelled = 0.0
    target_hour = None
    for position, (a, b) in enumerate(itertools.pairwise(route)):
        travelled += hours[a, b]
        kind = kinds[b]
        if kind == "green_border":
            target_hour = model.parameters.arrive_after_dark_hour
            break
        key = pressure.key(route, position + 1)
        if kind == "crossing" and key in pressure.crossing_hourly:
            shares = pressure.crossing_hourly[key]
            quietest = np.flatnonzero(np.isclose(shares, shares.min()))
            target_hour = int(quietest[np.argmax(model.daily_rhythm[quietest])])
            break
    return target_hour, travelled
