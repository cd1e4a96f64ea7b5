"""The interactive dashboard: Mesa's SolaraViz page running one replicate hour by hour.

The map draws the route graph on the places' real longitude and latitude (Mesa's network drawer
would recompute a spring layout). Beside it: outcomes so far by hour, queue waits at the busiest
crossings, the day and hour of the action. The sidebar changes the allocation: a control left at
"as in the scenario file" keeps the file's value, any other choice becomes one of the model's
`__` overrides. The drawings are in sim/dashboard/figures.py; `sim dashboard` serves this page
(sim/dashboard/server.py).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import threading
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import solara
from mesa.experimental.scenarios import Scenario as MesaScenario
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.dashboard.figures import (
    SIZE_BY,
    draw_operation_map,
    draw_outcomes_by_hour,
    draw_queue_waits,
)
from sim.geography import load_route_graph
from sim.model import BASELINE, JointActionModel, resolve_scenario
from sim.scenario.allocation import check_scenario
from sim.scenario.files import ScenarioError, load_scenario
from sim.scenario.reading import InputError, parse_yaml, read_text
from sim.scenario.schema import Scenario

SCENARIOS_FOLDER = BASELINE.parent
SCENARIO_VARIABLE = "SIM_DASHBOARD_SCENARIO"  # the start scenario, set by `sim dashboard`
AS_IN_FILE = "as in the scenario file"
NO_TEAM = "no team"
TEAM_SLOTS = 3
BUSIEST_CROSSINGS = 5
RELAY_DELAYS = {f"{hours} h": hours for hours in (0, 1, 2, 4, 8, 12, 24, 48)}
TARGETING_RULES = ("intelligence_led", "risk_profile", "random")
DETECTIONS = ("interception", "premises_find", "wanted_person", "cyber_lead")
HOURLY_OUTCOMES = {"arrests_total": "arrests", "illegal_entries_detected": "illegal entries",
                   "weapons_seized": "weapons seized", "drugs_kg_total": "drugs seized (kg)",
                   "checks_total": "entities checked"}


# --- controls -> overrides ---------------------------------------------------------------------

def scenario_choices(start: Path | None = None) -> dict[str, Path]:
    """Scenario files a planner can start from: the shipped operations (not fragments such as
    the calibrated parameters, which allocate no officers) and the one given at start."""
    choices = {path.name: path for path in sorted(SCENARIOS_FOLDER.glob("*.yaml"))
               if _is_operation(path)}
    if start is not None and start.resolve() not in {p.resolve() for p in choices.values()}:
        choices[str(start)] = start
    return choices


def _is_operation(path: Path) -> bool:
    """An operation allocates officers itself or extends one that does; a fragment does not."""
    try:
        data = parse_yaml(read_text(path)).data or {}  # bounded: sim.scenario.reading
    except InputError:
        return False  # not offered; choosing it would only show its error
    return isinstance(data, dict) and bool({"countries", "extends"} & set(data))


def crossing_choices() -> dict[str, str]:
    """'Evzonoi / Bogorodica (GR–MK)' -> crossing id, for the scanning-team selects."""
    graph = load_route_graph().graph
    labels = {}
    for place, node in graph.nodes(data=True):
        if node["kind"] == "crossing":
            labels[f"{node['side_a']} / {node['side_b']} ({border_of(graph, place)})"] = place
    return dict(sorted(labels.items()))


def border_of(graph, place: str) -> str:
    """The border a place guards: 'BG–TR' for a crossing or sector, the country for a port."""
    node = graph.nodes[place]
    if "country_a" in node:
        return "–".join(sorted((node["country_a"], node["country_b"])))
    return node["country"]


def frontex_borders(scenario: Scenario) -> list[str]:
    """Borders where the scenario deploys Frontex, in the order of the file."""
    graph = load_route_graph().graph
    return list(dict.fromkeys(border_of(graph, d.place) for d in scenario.frontex))


def frontex_control(border: str) -> str:
    return "frontex_at_" + border.replace("–", "_")


def allocation_overrides(base: Scenario, *, team_places: list[str], frontex_off: set[str],
                         targeting: str = AS_IN_FILE, coordination_centre: str = AS_IN_FILE,
                         relay_delay: str = AS_IN_FILE) -> dict[str, Any]:
    """The model's `__` overrides for the dashboard's controls (empty when all are as in the file).

    `team_places` holds one choice per scanning-team slot: AS_IN_FILE keeps the file's team in
    that slot, NO_TEAM removes it, a crossing id moves it there (keeping its hours and country).
    """
    overrides: dict[str, Any] = {}
    teams = base.scanning_teams.teams
    if any(choice != AS_IN_FILE for choice in team_places):
        placed = []
        for slot, choice in enumerate(team_places):
            team = teams[slot].model_dump(mode="json") if slot < len(teams) else None
            if choice == AS_IN_FILE:
                placed += [team] if team else []
            elif choice != NO_TEAM:
                placed.append({**(team or {"country": "NL", "hours": [6, 22]}), "place": choice})
        placed += [t.model_dump(mode="json") for t in teams[len(team_places):]]
        overrides["scanning_teams__teams"] = placed
    if frontex_off:
        graph = load_route_graph().graph
        overrides["frontex"] = [d.model_dump(mode="json") for d in base.frontex
                                if border_of(graph, d.place) not in frontex_off]
    if targeting != AS_IN_FILE:
        overrides["targeting"] = targeting
    if coordination_centre != AS_IN_FILE:
        overrides["europol__coordination_centre__enabled"] = coordination_centre == "on"
    if relay_delay != AS_IN_FILE:
        overrides["europol__coordination_centre__relay_delay_hours"] = RELAY_DELAYS[relay_delay]
    return overrides


def parse_seed(text: str | int | None, scenario: Scenario) -> int:
    """The replicate seed typed in the sidebar; empty means the scenario's run.seed."""
    if text is None or str(text).strip() == "":
        return scenario.run.seed
    try:
        seed = int(str(text).strip())
    except ValueError:
        raise ValueError(f"the seed must be a whole number ≥ 0, got {text!r}") from None
    if seed < 0:
        raise ValueError(f"the seed must be a whole number ≥ 0, got {seed}")
    return seed


# --- the model with its hour-by-hour record -----------------------------------------------------

def scenario_from_controls(scenario_file: str | Path | None, *, seed: str | int | None,
                           controls: dict[str, Any]) -> tuple[Path, Scenario, int, dict]:
    """The scenario file, validated scenario, seed and overrides that the sidebar asks for.

    `controls` holds the sidebar's values by name; names the sidebar does not define are passed
    on as model overrides (`parameters__adaptivity=0.2`). Raises ScenarioError or ValueError.
    """
    controls = dict(controls)
    path = scenario_choices().get(str(scenario_file), Path(scenario_file or BASELINE))
    base = load_scenario(path)
    team_places = [crossing_choices().get(choice, choice) for choice in
                   (controls.pop(f"scanning_team_{slot + 1}", AS_IN_FILE)
                    for slot in range(TEAM_SLOTS))]
    frontex_off = {border for border in frontex_borders(base)
                   if not controls.pop(frontex_control(border), True)}
    for name in [n for n in controls if n.startswith("frontex_at_")]:
        controls.pop(name)  # a border where the chosen file has no Frontex
    choices = {name: controls.pop(name, AS_IN_FILE)
               for name in ("targeting", "coordination_centre", "relay_delay")}
    overrides = allocation_overrides(base, team_places=team_places, frontex_off=frontex_off,
                                     **choices) | controls
    scenario = resolve_scenario(path, overrides)
    check_scenario(scenario, label="the dashboard's controls")
    return path, scenario, parse_seed(seed, base), overrides


class DashboardModel(JointActionModel):
    """The Joint Action model built from the dashboard's controls, recording every hour.

    Mesa's SolaraViz rebuilds the model on Reset with the sidebar's values as keyword arguments
    (and Mesa's own experiment `scenario` object, not used here). Controls that make no valid
    scenario (a seed that is not a number, two teams at one crossing) are not applied: the model
    then runs the start scenario as written and `problem` says why, for the page to show.
    """

    def __init__(self, scenario_file: str | Path | None = None, *, seed: str | int | None = "",
                 scenario: MesaScenario | None = None, **controls: Any):
        if scenario is not None and not isinstance(scenario, MesaScenario):
            raise TypeError("pass the scenario file as scenario_file=")
        try:
            path, spec, rng, overrides = scenario_from_controls(scenario_file, seed=seed,
                                                                controls=controls)
            problem = ""
        except (ScenarioError, ValueError) as error:
            path, overrides, problem = start_scenario(), {}, str(error)
            spec = load_scenario(path)
            rng = spec.run.seed  # explicit: rng=None would draw a fresh seed, as in Mesa
        super().__init__(spec, rng=rng)
        self.scenario_file, self.overrides, self.problem = path, overrides, problem
        self.busiest = sorted(self.crossings, key=lambda c: -self.graph.nodes[c.place]
                              ["vehicles_per_day"])[:BUSIEST_CROSSINGS]
        self._checks_before = self._checks_by_place()
        self.checks_this_hour = np.zeros(len(self.place_ids))
        self.hourly = mesa.DataCollector(model_reporters=hourly_reporters(self.busiest))
        self.hourly.collect(self)
        # Play steps the model in a worker thread while the page draws it: drawing holds this
        # lock so that it never sees an hour half done (and the next hour waits for the drawing)
        self.hour_lock = threading.RLock()

    def _checks_by_place(self) -> np.ndarray:
        index = self.tally.index
        rows = [index["checks_persons"], index["checks_vehicles"]]
        return self.tally.values[rows].sum(axis=(0, 2))

    def step(self) -> None:
        with self.hour_lock:
            if self.tick >= self.hours:
                self.running = False
                return
            super().step()
            checks = self._checks_by_place()
            self.checks_this_hour, self._checks_before = checks - self._checks_before, checks
            self.hourly.collect(self)

    @property
    def clock_time(self) -> dt.datetime:
        return self.start + dt.timedelta(hours=self.tick)

    def detections_this_hour(self) -> list[dict[str, Any]]:
        """Interceptions, finds, wanted persons and cyber leads of the hour just simulated."""
        found = []
        for event in reversed(self.events):
            if event["tick"] < self.tick - 1:
                break
            if event["kind"] in DETECTIONS:
                found.append(event)
        return found


def cases_with_evidence(model: JointActionModel) -> float:
    """Networks whose evidence received so far reaches the case threshold.

    During the action this is the case count if the follow-up window closed now; after the last
    hour it equals the model's `cases_opened` (evidence of the follow-up window included).
    """
    threshold = model.parameters.case_evidence_threshold
    return float(sum(
        n.evidence + sum(units for time, units in n.evidence_pending if time <= model.tick)
        >= threshold for n in model.networks))


def hourly_reporters(busiest: list) -> dict[str, Any]:
    reporters: dict[str, Any] = {"hour": lambda m: m.tick}
    for outcome, label in HOURLY_OUTCOMES.items():
        reporters[label] = lambda m, outcome=outcome: m.tally.totals()[outcome]
    reporters["cases"] = cases_with_evidence
    for crossing in busiest:
        reporters[f"wait: {crossing.name}"] = lambda m, c=crossing: c.wait_minutes
    return reporters


# --- the page ----------------------------------------------------------------------------------

@solara.component
def OperationMap(model: DashboardModel):  # noqa: N802 (Solara names components like classes)
    update_counter.get()
    size_by, set_size_by = solara.use_state("queue")
    with solara.Column() as panel:
        solara.ToggleButtonsSingle(value=size_by, values=list(SIZE_BY), on_value=set_size_by)
        with model.hour_lock:
            figure = draw_operation_map(model, size_by=size_by)
        solara.FigureMatplotlib(figure, format="png")
    return panel


@solara.component
def ActionClock(model: DashboardModel):  # noqa: N802 (Solara names components like classes)
    """Day and hour of the action and the counters so far."""
    update_counter.get()
    with model.hour_lock:
        totals, cases = model.tally.totals(), cases_with_evidence(model)
        tick, clock_time, day, running = model.tick, model.clock_time, model.day, model.running
    days = model.scenario_spec.action.days
    state = "running" if running else "finished (cases: follow-up window closed)"
    rows = "".join(f"<tr><td>{label}</td><td align='right'>{totals[outcome]:,.0f}</td></tr>"
                   for outcome, label in HOURLY_OUTCOMES.items())
    problem = (f"<p class='problem' style='color:#B00020'><b>Not applied</b> (running "
               f"{model.scenario_file.name} as written): {html.escape(model.problem)}</p>"
               if model.problem else "")
    # HTML rather than Markdown: Solara's Markdown fetches KaTeX from the (disabled) CDN
    solara.HTML(tag="div", unsafe_innerHTML=problem + (
        f"<h3 class='action-clock'>Day {day + 1} of {days}, {clock_time:%H}:00</h3>"
        f"<p>{clock_time:%A %d %B %Y} · hour {tick} of {model.hours} · {state}<br>"
        f"scenario <b>{model.scenario_spec.name}</b> ({model.scenario_file.name}), seed "
        f"{model.seed}, targeting {model.scenario_spec.targeting}</p>"
        f"<table class='counters'><tr><th align='left'>so far</th><th></th></tr>{rows}"
        f"<tr><td>networks with evidence for a case</td>"
        f"<td align='right'>{cases:,.0f}</td></tr></table>"))


@solara.component
def OutcomesByHour(model: DashboardModel):  # noqa: N802 (Solara names components like classes)
    update_counter.get()
    with model.hour_lock:
        figure = draw_outcomes_by_hour(model)
    return solara.FigureMatplotlib(figure, format="png")


@solara.component
def QueueWaits(model: DashboardModel):  # noqa: N802 (Solara names components like classes)
    update_counter.get()
    with model.hour_lock:
        figure = draw_queue_waits(model)
    return solara.FigureMatplotlib(figure, format="png")


def model_params(start: Path) -> dict[str, Any]:
    """The sidebar: Mesa user parameters, each passed to DashboardModel on Reset."""
    base = load_scenario(start)
    crossings = [AS_IN_FILE, NO_TEAM, *crossing_choices()]
    params: dict[str, Any] = {
        "scenario_file": {"type": "Select", "label": "Scenario file",
                          "value": _choice_name(start), "values": list(scenario_choices(start))},
        "seed": {"type": "InputText", "label": "Seed (empty: the scenario's)", "value": ""},
        "targeting": {"type": "Select", "label": "Targeting rule",
                      "value": AS_IN_FILE, "values": [AS_IN_FILE, *TARGETING_RULES]},
        "coordination_centre": {"type": "Select", "label": "Coordination centre",
                                "value": AS_IN_FILE, "values": [AS_IN_FILE, "on", "off"]},
        "relay_delay": {"type": "Select", "label": "Centre's relay delay",
                        "value": AS_IN_FILE, "values": [AS_IN_FILE, *RELAY_DELAYS]},
    }
    for slot in range(TEAM_SLOTS):
        params[f"scanning_team_{slot + 1}"] = {"type": "Select", "value": AS_IN_FILE,
                                               "label": f"Scanning team {slot + 1} at",
                                               "values": crossings}
    for border in frontex_borders(base):
        params[frontex_control(border)] = {"type": "Checkbox", "value": True,
                                           "label": f"Frontex at {border} (as in the file)"}
    return params


def _choice_name(path: Path) -> str:
    return next(name for name, p in scenario_choices(path).items()
                if p.resolve() == path.resolve())


def start_scenario() -> Path:
    return Path(os.environ.get(SCENARIO_VARIABLE) or BASELINE)


@solara.component
def Dashboard(model: DashboardModel):  # noqa: N802 (Solara names components like classes)
    """The map with the clock and the plots beside it."""
    with solara.Columns([3, 2]) as panels:
        OperationMap(model)
        with solara.Column():
            ActionClock(model)
            OutcomesByHour(model)
            QueueWaits(model)
    return panels


@solara.component
def Page():  # noqa: N802 (Solara names components like classes)
    """Mesa's SolaraViz (title bar, Reset/Play/Step, the parameters) and the dashboard's panels.

    The panels are laid out here rather than passed to SolaraViz as `components`: Mesa lays
    those out with Solara's draggable grid, which does not render with ipyvuetify 3.
    """
    start = start_scenario()
    first = solara.use_memo(lambda: DashboardModel(_choice_name(start)), [])
    model = solara.use_reactive(first)  # SolaraViz's Reset puts the rebuilt model in here
    params = solara.use_memo(lambda: model_params(start), [])
    SolaraViz(model, components=[], model_params=params,
              name="JAD South East Europe 2023, hour by hour")
    Dashboard(model.value)
