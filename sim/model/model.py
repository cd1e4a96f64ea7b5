"""The Joint Action model: one replicate of the operation, hour by hour, on the route graph.

Each tick is one hour, run as the stages the model declares in order (`JointActionModel.stages`,
listed by name in docs/ODD.md section 3): officers on duty and their hours; legitimate traffic,
queues and intensified checks at the border crossings, then at road checkpoints, ports and parcel
centres (vectorised over places); criminal movements reaching a place this hour meet its check or
patrol; inland teams search premises and the cyber patrol examines online targets; analysts
cross-check hits, the relay path carries alerts and evidence, alerted units move, networks hear
of their losses (sim.model.information). After the last tick, evidence gathered in the follow-up
window opens cases.
"""

from __future__ import annotations

import heapq
import itertools
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import Network

from sim.geography import RouteGraph, load_route_graph
from sim.model import checks, information
from sim.model.agents import (
    BorderCrossing,
    CoordinationCentre,
    EuropolSupport,
    FrontexDeployment,
    GreenBorderSector,
    Movement,
    MovementState,
    OfficerUnit,
    ScanningTeam,
    ShiftPattern,
)
from sim.model.criminal import create_networks, plan_movements, planner_for
from sim.model.crossings import CrossingState
from sim.model.mechanisms import traffic_rhythms
from sim.model.outcomes import OUTCOME_NAMES, RUNNING_COUNTS, Tally
from sim.model.posts import PostState
from sim.model.reallocation import change_allocation
from sim.model.roads import RoadSegments
from sim.model.shipments import plan_bulk_shipments
from sim.model.staffing import staffing_of
from sim.model.streams import Streams
from sim.scenario.days import change_days, on_day
from sim.scenario.schema import Scenario

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "jad_see_2023.yaml"


def resolve_scenario(scenario: Scenario | str | Path | None, overrides: dict[str, Any]) -> Scenario:
    """A scenario object from an object, a file or the baseline, with keyword overrides applied.

    Overrides use `__` for nesting so that `mesa.batch_run` can vary plain keyword parameters:
    `europol__coordination_centre__enabled=False`, `parameters__adaptivity=0.2` (the paths of
    `sim params`). They are validated like a scenario file, place names included.
    """
    from sim.scenario.files import load_scenario
    from sim.scenario.overrides import with_overrides

    if scenario is None:
        scenario = BASELINE
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    return with_overrides(scenario, overrides)


SeedLike = int | np.integer | np.random.SeedSequence | np.random.Generator | None


class UnseededRunWarning(UserWarning):
    """A model built with `rng=None` drew a fresh seed: it cannot be repeated, nor paired with
    another run (`mesa.batch_run(..., rng=[1, 2, 3])` runs every parameter value on the same
    seeds)."""


def replicate_seed(rng: SeedLike) -> int:
    """The model's integer seed (0 ≤ seed < 2**63), from which every random stream is spawned.

    As in Mesa: an int is the seed; a Generator gives one draw (and advances); None draws a
    fresh seed. A SeedSequence gives its first 64-bit state word halved, the rule of
    `replicate_seeds`, so `SeedSequence(root).spawn(n)[k]` is replicate k of `sim run`.
    """
    if isinstance(rng, bool):
        raise TypeError("rng must be an int, a numpy SeedSequence, a numpy Generator or None")
    if isinstance(rng, int | np.integer):
        return int(rng)
    if rng is None:
        rng = np.random.SeedSequence()
    if isinstance(rng, np.random.SeedSequence):
        return int(rng.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**63, dtype=np.uint64))
    raise TypeError(f"rng must be an int, a numpy SeedSequence, a numpy Generator or None, "
                    f"not {type(rng).__name__}")


_FINISHED = frozenset({MovementState.INTERCEPTED, MovementState.DELIVERED,
                       MovementState.SUSPENDED})


class Stage(NamedTuple):
    """One stage of an hour: its name in the domain's words, and what runs it."""

    name: str
    run: Callable[[], None]


class JointActionModel(mesa.Model):
    """Six days (by default) of the EMPACT Joint Action Days South East Europe on the route
    graph. `rng` is an int seed, a SeedSequence, a Generator or None (a fresh seed), as in
    Mesa (None warns, `UnseededRunWarning`); the seed used is `model.seed`, and every random
    number comes from its named streams. `datacollector` records every outcome of
    OUTCOME_NAMES and the `seed` at the start and after every hour;
    `stages` are the stages of an hour, in the order `step` runs them.
    """

    def __init__(self, scenario: Scenario | str | Path | None = None, *, rng: SeedLike = None,
                 route_graph: RouteGraph | None = None, check_invariants: bool = False,
                 **overrides: Any):
        self.scenario_spec = resolve_scenario(scenario, overrides)
        seed = replicate_seed(rng)
        if rng is None:
            warnings.warn(UnseededRunWarning(
                f"rng=None drew the fresh seed {seed} (the `seed` column of batch_run rows): "
                "the run is neither repeatable nor paired with the other values of the same "
                "iteration; pass rng=[1, 2, ...] to mesa.batch_run (or rng=<int> here) for "
                "repeatable runs that meet the same traffic and criminals"), stacklevel=2)
        super().__init__(rng=seed)
        self.seed = seed
        self.streams = Streams.from_seed(seed)
        self.parameters = self.scenario_spec.parameters
        self.daily_rhythm, self.class_rhythm, self.weekday_factor = traffic_rhythms(
            self.parameters.traffic_rhythm_amplitude, self.parameters.weekday_amplitude)
        self.route_graph = route_graph or load_route_graph()
        self.graph: nx.DiGraph = self.route_graph.graph
        self.route_planner = planner_for(  # cached per graph object and penalties
            self.graph, self.parameters.crossing_penalty_on_foot_hours,
            self.parameters.avoid_penalty_hours)
        self.hours = self.scenario_spec.action.hours
        self.start = self.scenario_spec.action.start
        self.tick = 0
        self.clock = 0.0
        self.check_invariants = check_invariants

        self.space = Network(self.graph, layout=self.route_graph.layout(), random=self.random)
        self._cells = {p: self.space[p] for p in self.graph.nodes}  # place -> cell, for moves
        self.place_ids = list(self.graph.nodes)
        self.place_index = {p: i for i, p in enumerate(self.place_ids)}
        self.place_countries = {p: frozenset({a["country"], a.get("country_a"),
                                              a.get("country_b")} - {None})
                                for p, a in self.graph.nodes(data=True)}
        self.tally = Tally(len(self.place_ids), self.scenario_spec.action.days)
        self.events: list[dict[str, Any]] = []
        self.summary_extra: dict[str, float] = dict.fromkeys(RUNNING_COUNTS, 0.0)

        self.change_days = frozenset(change_days(self.scenario_spec))
        self._build_officers()
        self._build_posts()
        self._build_support()
        self.networks = create_networks(self)
        self.movements = (plan_movements(self, self.networks)
                          + plan_bulk_shipments(self, self.networks))
        for serial, movement in enumerate(self.movements):
            movement.serial = serial  # the same in every scenario with the same criminals
        self.delivered = 0  # movements that reached their destination (outcomes each hour)
        self._arrivals: list[tuple[float, int, int, Movement]] = []
        self._sequence = itertools.count()
        for movement in self.movements:
            self.schedule_departure(movement)
        self.intel = information.Information(self)
        self.inland = checks.InlandOperations(self)
        self.stages = self._hour_stages()
        self._outcomes_at: tuple[tuple[int, bool], dict[str, float]] | None = None
        self.datacollector = _OutcomeCollector(  # the seed on every row (mesa.batch_run)
            model_reporters={**{name: _reporter(name) for name in OUTCOME_NAMES},
                             "seed": _seed})
        if self.hours == 0:
            self.finish()
        self.datacollector.collect(self)

    # --- construction --------------------------------------------------------------------

    def _build_officers(self, day: int = 1) -> None:
        """The officer units of action `day`'s plan (the scenario's, unless it re-plans
        during the action: sim/scenario/days.py) and who is on duty where and when."""
        plan = on_day(self.scenario_spec, day)
        staffing = staffing_of(plan, self.route_graph)  # shared: read only
        self.staffing = staffing
        shifts = {start: ShiftPattern(start) for start in {u.shift_start for u in staffing.units}}
        self.units = [OfficerUnit(self, country=u.country, agency=u.agency, posting=u.posting,
                                  place=u.place, officers=u.officers, shift=shifts[u.shift_start])
                      for u in staffing.units]
        self.officers_total = sum(u.officers for u in self.units)
        self.on_duty = {kind: officers.copy() for kind, officers in staffing.on_duty.items()}
        units = self.units
        self.units_at: dict[tuple[int, int], list[OfficerUnit]] = {
            key: [units[i] for i in positions] for key, positions in staffing.units_at.items()}
        self.shift_profiles = staffing.shift_profiles
        self.on_duty_total = sum(self.on_duty.values())

    def _build_posts(self) -> None:
        graph = self.graph
        crossing_ids = self.route_graph.ids_of_kind("crossing")
        self.crossings = [BorderCrossing(self, self.space[p], place=p, index=i,
                                         attributes=graph.nodes[p])
                          for i, p in enumerate(crossing_ids)]
        self.sectors = {p: GreenBorderSector(self, self.space[p], place=p,
                                             attributes=graph.nodes[p])
                        for p in self.route_graph.ids_of_kind("green_border")}
        self.scanning_teams = [ScanningTeam(self, self.space[t.place], place=t.place,
                                            country=t.country, hours=t.hours, days=t.days)
                               for t in self.scenario_spec.scanning_teams.teams]
        self._build_frontex(on_day(self.scenario_spec, 1).frontex)
        self.crossing_state = CrossingState(self, crossing_ids)
        self.roads = RoadSegments(self)
        self.post_state = PostState(self)

    def _build_frontex(self, deployments: list) -> None:
        """The Frontex units of a day's plan: the agents, their counts by place and kind, and
        the scenario's entries (with the side each names) that the crossings read."""
        self.frontex_deployments = list(deployments)
        self.frontex = [FrontexDeployment(self, self.space[d.place], place=d.place, kind=d.kind,
                                          count=d.count)
                        for d in deployments]
        self.frontex_at: dict[tuple[str, str], int] = {}
        for deployment in self.frontex:
            key = (deployment.place, deployment.kind)
            self.frontex_at[key] = self.frontex_at.get(key, 0) + deployment.count

    def _build_support(self) -> None:
        europol = self.scenario_spec.europol
        self.europol = EuropolSupport(self, analysts=europol.analysts_on_ground)
        centre = europol.coordination_centre
        self.centre = (CoordinationCentre(self, self.space[centre.place], place=centre.place,
                                          relay_delay_hours=centre.relay_delay_hours)
                       if centre.enabled else None)

    # --- time ----------------------------------------------------------------------------

    @property
    def hour_of_day(self) -> int:
        return (self.start.hour + self.tick) % 24

    @property
    def day(self) -> int:
        """0-based action day of the current tick."""
        return min(self.tick // 24, max(self.scenario_spec.action.days - 1, 0))

    def step(self) -> None:
        """One hour: the stages in order, then the clock moves on and the outcomes are
        collected."""
        if self.tick >= self.hours:
            self.running = False
            return
        self.clock = float(self.tick)
        for _, run in self.stages:
            run()
        self.tick += 1
        if self.tick >= self.hours:
            self.finish()
        self.datacollector.collect(self)

    def run(self) -> JointActionModel:
        """Run the whole action and the follow-up; returns self for chaining."""
        while self.running:
            self.step()
        return self

    def finish(self) -> None:
        self.intel.close(self.hours + self.parameters.follow_up_hours)
        self.running = False

    # --- the stages of an hour -----------------------------------------------------------

    def _hour_stages(self) -> tuple[Stage, ...]:
        """The stages of an hour, in order; docs/ODD.md section 3 lists them by these names
        (a test checks). The invariants, when asked for, are checked last."""
        stages = (Stage("officers on duty", self._officers_on_duty),
                  Stage("border crossings", self._border_crossings),
                  Stage("road checkpoints, ports and parcel centres", self._inland_and_port_posts),
                  Stage("movements meet places", self._movements_meet_places),
                  Stage("inland operations", self._inland_operations),
                  Stage("information exchange", self._information_exchange))
        if self.check_invariants:
            stages += (Stage("invariants hold", self._invariants_hold),)
        return stages

    def _officers_on_duty(self) -> None:
        """Units re-tasked by an alert leave their posts or return; officer-hours are counted."""
        if self.tick % 24 == 0 and self.tick // 24 + 1 in self.change_days:
            change_allocation(self, self.tick // 24 + 1)  # a re-plan from this day on
        self.intel.response.staff_posts(self.tick)
        hour, day = self.hour_of_day, self.day
        self.tally.add_vector("officer_hours", day, self.on_duty_total[:, hour])
        self.tally.add_vector("officer_hours_crossing", day, self.on_duty["crossing"][:, hour])

    def _border_crossings(self) -> None:
        self.crossing_state.hour(self.hour_of_day)

    def _inland_and_port_posts(self) -> None:
        self.post_state.hour(self.hour_of_day)

    def _movements_meet_places(self) -> None:
        self._move(self.tick + 1.0)

    def _inland_operations(self) -> None:
        self.inland.hour(self.hour_of_day)

    def _information_exchange(self) -> None:
        self.intel.deliver(self.tick + 1.0)

    def _invariants_hold(self) -> None:
        from sim.model.invariants import check_all

        check_all(self)

    # --- movements -----------------------------------------------------------------------

    def schedule_departure(self, movement: Movement) -> None:
        movement.time = movement.departure
        if movement.departure < self.hours:
            self._push(movement)

    def schedule_retry(self, movement: Movement) -> None:
        """A group turned back sets off again at `movement.time` (sim/model/reattempts.py)."""
        self._push(movement)

    def _push(self, movement: Movement) -> None:
        movement.version += 1
        heapq.heappush(self._arrivals, (movement.time, next(self._sequence), movement.version,
                                        movement))

    def _move(self, until: float) -> None:
        """Every movement reaching a place before `until` meets what stands there."""
        arrivals, cells, response = self._arrivals, self._cells, self.intel.response
        meet_place, travel_hours = checks.meet_place, self.route_planner.hours
        while arrivals and arrivals[0][0] < until:
            time, _, version, movement = heapq.heappop(arrivals)
            if version != movement.version or movement.state in _FINISHED:
                continue
            self.clock = time
            if movement.state == MovementState.PLANNED:
                movement.state = MovementState.IN_TRANSIT
                self.summary_extra["movements_attempted"] += 1
            elif movement.state == MovementState.TURNED_BACK:  # a group tries again
                movement.state = MovementState.IN_TRANSIT
                self.summary_extra["reattempts"] += 1
            place = movement.route[movement.leg]
            movement.cell = cells[place]
            if response.watches and response.stops(movement, place):  # a re-tasked unit
                continue
            outcome, delay = meet_place(self, movement, place)
            if outcome == checks.STOP:
                continue
            if outcome == checks.WAIT:
                movement.waited = True
                movement.time = time + delay
                if movement.time < self.hours:
                    self._push(movement)
                continue
            movement.waited = False
            if movement.leg == len(movement.route) - 1:
                movement.state = MovementState.DELIVERED
                self.delivered += 1
                crossed = self.route_planner.checked_places(tuple(movement.route))
                self.record_event("delivery", place, movement=movement,
                                  detail="crossed " + ">".join(crossed))
                continue
            following = movement.route[movement.leg + 1]
            movement.time = time + delay + travel_hours[place, following]
            movement.leg += 1
            if movement.time < self.hours:
                self._push(movement)
        self.clock = until

    def record_displacement(self, movement: Movement, hot_place: str, response: str,
                            cause: str, before: list[str]) -> None:
        self.summary_extra["movements_displaced"] += 1
        if response == "suspend":
            self.summary_extra["movements_suspended"] += 1
        planner = self.route_planner
        old = planner.checked_places(tuple(before))
        new = planner.checked_places(tuple(movement.route))
        self.record_event("displacement", hot_place, movement=movement, detail=(
            f"{response} after {cause}; checked places {'>'.join(old)} -> {'>'.join(new)}"
            if response not in ("suspend", "delay") else f"{response} after {cause}"))

    # --- records -------------------------------------------------------------------------

    def record_event(self, kind: str, place: str, *, movement: Movement | None = None,
                     network=None, unit: OfficerUnit | None = None, equipment: str = "",
                     **amounts: float) -> None:
        network = network or (movement.network if movement else None)
        node = self.graph.nodes[place]
        self.events.append({
            "kind": kind, "tick": self.tick, "clock": self.clock, "day": self.day + 1,
            "place": place, "country": node["country"],
            "crime_area": network.crime_area if network else "",
            "network": network.unique_id if network else -1,
            "movement": movement.unique_id if movement else -1,
            "unit": unit.unique_id if unit else -1,
            "agency": unit.agency if unit else "",
            "equipment": equipment, **amounts,
        })

    def outcomes(self) -> dict[str, float]:
        """The replicate's outcomes (OUTCOME_NAMES), from the tally and the final states."""
        values = self.tally.totals()
        values.update(self.summary_extra)
        values.update(self.crossing_state.wait_summary())
        values.update(self.intel.summary())
        values["officers_deployed"] = float(self.officers_total)
        values["movements_delivered"] = float(self.delivered)
        return {name: float(values[name]) for name in OUTCOME_NAMES}


def _outcomes_now(model: JointActionModel) -> dict[str, float]:
    key = (model.tick, model.running)  # outcomes computed once per collection
    if model._outcomes_at is None or model._outcomes_at[0] != key:
        model._outcomes_at = (key, model.outcomes())
    return model._outcomes_at[1]


def _reporter(name: str):
    def report(model: JointActionModel) -> float:
        return _outcomes_now(model)[name]

    report.__name__ = name
    return report


def _seed(model: JointActionModel) -> int:
    return model.seed


class _OutcomeCollector(mesa.DataCollector):
    """Mesa's DataCollector of the outcome reporters. The first collection validates and
    collects as Mesa does; later ones read the outcomes once and append the floats as they
    are (Mesa deep-copies each value, which for a float is the float itself)."""

    def collect(self, model: JointActionModel) -> None:
        if not self._validated or self.agent_reporters or self.agenttype_reporters:
            super().collect(model)
            return
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        values = {**_outcomes_now(model), "seed": model.seed}
        for name, column in self.model_vars.items():
            column.append(values[name])
