"""The interactive dashboard: Mesa's SolaraViz page running one replicate hour by hour.

The map draws the route graph on the places' real longitude and latitude (Mesa's network drawer
would recompute a spring layout). Beside it: outcomes so far by hour, queue waits at the busiest
crossings, the day and hour of the action. The sidebar changes the allocation: a control left at
"as in the scenario file" keeps the file's value, any other choice becomes one of the model's
`__` overrides. `sim dashboard` serves this page (sim/dashboard.py).
"""

from __future__ import annotations

import datetime as dt
import html
import math
import os
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import solara
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.experimental.scenarios import Scenario as MesaScenario
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.agents import MovementState
from sim.allocation import check_scenario
from sim.geography import CRIME_AREAS, EDGE_STYLES, OKABE, REGION, load_route_graph
from sim.model import BASELINE, JointActionModel, resolve_scenario
from sim.scenario import Scenario
from sim.scenario_files import ScenarioError, load_scenario

SCENARIOS_FOLDER = BASELINE.parent
SCENARIO_VARIABLE = "SIM_DASHBOARD_SCENARIO"  # the start scenario, set by `sim dashboard`
AS_IN_FILE = "as in the scenario file"
NO_TEAM = "no team"
TEAM_SLOTS = 3
BUSIEST_CROSSINGS = 5
RELAY_DELAYS = {f"{hours} h": hours for hours in (0, 1, 2, 4, 8, 12, 24, 48)}
TARGETING_RULES = ("intelligence_led", "risk_profile", "random")
CRIME_COLOURS = dict(zip(CRIME_AREAS, ("#1B1B1B", OKABE["orange"], OKABE["blue"],
                                       OKABE["purple"], "#8C564B"), strict=True))
DETECTIONS = ("interception", "premises_find", "wanted_person", "cyber_lead")
SIZE_BY = {"queue": "queue (vehicles)", "checks": "checks this hour"}
HOURLY_OUTCOMES = {"arrests_total": "arrests", "illegal_entries_detected": "illegal entries",
                   "weapons_seized": "weapons seized", "drugs_kg_total": "drugs seized (kg)",
                   "checks_total": "entities checked"}


# --- controls -> overrides ---------------------------------------------------------------------

def scenario_choices(start: Path | None = None) -> dict[str, Path]:
    """Scenario files a planner can start from: the shipped ones and the one given at start."""
    choices = {path.name: path for path in sorted(SCENARIOS_FOLDER.glob("*.yaml"))}
    if start is not None and start.resolve() not in {p.resolve() for p in choices.values()}:
        choices[str(start)] = start
    return choices


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
            spec, rng = load_scenario(path), None
        super().__init__(spec, rng=rng)
        self.scenario_file, self.overrides, self.problem = path, overrides, problem
        self.busiest = sorted(self.crossings, key=lambda c: -self.graph.nodes[c.place]
                              ["vehicles_per_day"])[:BUSIEST_CROSSINGS]
        self._checks_before = self._checks_by_place()
        self.checks_this_hour = np.zeros(len(self.place_ids))
        self.hourly = mesa.DataCollector(model_reporters=hourly_reporters(self.busiest))
        self.hourly.collect(self)

    def _checks_by_place(self) -> np.ndarray:
        index = self.tally.index
        rows = [index["checks_persons"], index["checks_vehicles"]]
        return self.tally.values[rows].sum(axis=(0, 2))

    def step(self) -> None:
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


# --- drawing -----------------------------------------------------------------------------------

def draw_operation_map(model: DashboardModel, *, size_by: str = "queue",
                       ax=None) -> Figure:
    """The route graph on (lon, lat) with crossings, teams, movements and this hour's detections.

    Crossings are coloured by whether they are on the EU's external border and sized by their
    queue or by their checks this hour (`size_by`); movements in transit are coloured by crime
    area, placed along the edge they travel; detections of the last hour are starred.
    """
    figure = ax.figure if ax is not None else Figure(figsize=(8.5, 7), layout="constrained")
    ax = ax if ax is not None else figure.add_subplot()
    graph, pos = model.graph, model.route_graph.layout()
    for mode, (_, style, colour, width) in EDGE_STYLES.items():
        lines = [(pos[u], pos[v]) for u, v, m in graph.edges(data="mode") if m == mode]
        ax.add_collection(LineCollection(lines, colors=colour, linestyles=style,
                                         linewidths=width, alpha=0.6, zorder=1))
    others = [n for n, kind in graph.nodes(data="kind") if kind != "crossing"]
    ax.scatter(*np.array([pos[n] for n in others]).T, s=8, c="#9A9A9A", zorder=2)
    for country, places in model.route_graph.places.groupby("country"):
        ax.text(places["lon"].mean(), places["lat"].mean(), country, ha="center", va="center",
                fontsize=16, fontweight="bold", color="#D4D4D4", zorder=0.5, clip_on=True)
    _draw_crossings(ax, model, pos, size_by)
    _draw_support(ax, model, pos)
    _draw_movements(ax, model, pos)
    detections = model.detections_this_hour()
    if detections:
        where = np.array([pos[e["place"]] for e in detections])
        ax.scatter(*where.T, s=420, marker="*", c="#FFE000", edgecolors="#B00000",
                   linewidths=1.2, zorder=6)
    west, east, south, north = REGION
    ax.set(xlim=(west, east), ylim=(south, north), xlabel="longitude (°E)",
           ylabel="latitude (°N)")
    ax.set_aspect(1 / math.cos(math.radians(44)))
    ax.grid(color="#EEEEEE", lw=0.5, zorder=0)
    in_transit = sum(m.active for m in model.movements)
    ax.set_title(f"{model.clock_time:%a %d %b %Y, %H:00}: {in_transit} movements in transit, "
                 f"{len(detections)} detections this hour", fontsize=10)
    ax.legend(handles=_legend(size_by), loc="lower left", fontsize=7, framealpha=0.9)
    return figure


def _draw_crossings(ax, model: DashboardModel, pos, size_by: str) -> None:
    if size_by == "checks":
        amounts = np.array([model.checks_this_hour[model.place_index[c.place]]
                            for c in model.crossings])
    else:
        amounts = np.array([c.queue_vehicles for c in model.crossings])
    xy = np.array([pos[c.place] for c in model.crossings])
    colours = [OKABE["vermillion"] if c.eu_external else OKABE["sky"] for c in model.crossings]
    ax.scatter(*xy.T, s=20 + 6 * np.sqrt(np.maximum(amounts, 0)), c=colours, marker="D",
               edgecolors="#222222", linewidths=0.5, alpha=0.85, zorder=3)


def _draw_support(ax, model: DashboardModel, pos) -> None:
    """Scanning teams (squares round their crossing), Frontex (triangles), the centre (cross)."""
    day, hour = model.day + 1, model.hour_of_day
    for team in model.scanning_teams:
        working = team.active(day, hour)
        ax.scatter(*pos[team.place], s=260, marker="s", facecolors="none", zorder=4,
                   edgecolors="#000000" if working else "#AAAAAA", linewidths=1.8)
    if model.frontex:
        xy = np.array([pos[d.place] for d in model.frontex])
        ax.scatter(xy[:, 0], xy[:, 1] + 0.18, s=36, marker="v", c=OKABE["green"],
                   edgecolors="#222222", linewidths=0.4, zorder=4)
    if model.centre is not None:
        ax.scatter(*pos[model.centre.place], s=200, marker="P", c=OKABE["blue"],
                   edgecolors="white", linewidths=1, zorder=5)


def _draw_movements(ax, model: DashboardModel, pos) -> None:
    """Each movement in transit part-way along the edge to the place it reaches next."""
    points: dict[str, list[tuple[float, float]]] = {area: [] for area in CRIME_AREAS}
    for movement in model.movements:
        if movement.state not in (MovementState.IN_TRANSIT, MovementState.HELD):
            continue
        target = movement.route[min(movement.leg, len(movement.route) - 1)]
        x, y = pos[target]
        if 0 < movement.leg < len(movement.route):
            origin = movement.route[movement.leg - 1]
            hours = model.graph.edges[origin, target]["hours"]
            done = float(np.clip(1 - (movement.time - model.tick) / hours, 0, 1))
            x = pos[origin][0] + done * (x - pos[origin][0])
            y = pos[origin][1] + done * (y - pos[origin][1])
        points[movement.network.crime_area].append((x, y))
    for area, xy in points.items():
        if xy:
            ax.scatter(*np.array(xy).T, s=14, c=CRIME_COLOURS[area], zorder=5, alpha=0.9)


def _legend(size_by: str) -> list[Line2D]:
    def marker(label, shape, colour, edge="#222222", size=7):
        return Line2D([], [], ls="", marker=shape, markersize=size, label=label,
                      markerfacecolor=colour, markeredgecolor=edge)

    handles = [marker(f"crossing, EU external (size: {SIZE_BY[size_by]})", "D",
                      OKABE["vermillion"]),
               marker("crossing, other border", "D", OKABE["sky"]),
               marker("scanning team (grey: off shift)", "s", "none", "#000000", 10),
               marker("Frontex deployment", "v", OKABE["green"]),
               marker("coordination centre", "P", OKABE["blue"], "white", 10),
               marker("detection this hour", "*", "#FFE000", "#B00000", 13)]
    handles += [marker(f"in transit: {area.replace('_', ' ')}", "o", colour, colour, 5)
                for area, colour in CRIME_COLOURS.items()]
    return handles


def draw_outcomes_by_hour(model: DashboardModel) -> Figure:
    """Cumulative arrests, illegal entries, seizures and cases with evidence, by hour."""
    table = model.hourly.get_model_vars_dataframe()
    figure = Figure(figsize=(6.5, 4.6), layout="constrained")
    panels = figure.subplots(2, 2, sharex=True)
    series = (("arrests", "arrests", OKABE["vermillion"]),
              ("illegal entries", "illegal entries detected", OKABE["blue"]),
              ("weapons seized", "weapons seized", "#333333"),
              ("cases", "networks with evidence for a case", OKABE["purple"]))
    for ax, (column, title, colour) in zip(panels.flat, series, strict=True):
        ax.plot(table["hour"], table[column], color=colour, lw=1.6)
        ax.set_title(f"{title}: {table[column].iloc[-1]:,.0f}", fontsize=9)
        ax.set(xlim=(0, model.hours), ylim=(0, max(1.0, 1.1 * table[column].max())))
        ax.grid(color="#EEEEEE", lw=0.5)
    drugs = panels[1, 0].twinx()
    drugs.plot(table["hour"], table["drugs seized (kg)"], color=OKABE["orange"], lw=1.2, ls="--")
    drugs.set_ylim(0, max(1.0, 1.1 * table["drugs seized (kg)"].max()))
    drugs.set_ylabel("drugs (kg, dashed)", fontsize=8, color=OKABE["orange"])
    panels[1, 0].set_title(f"weapons seized: {table['weapons seized'].iloc[-1]:,.0f}; drugs: "
                           f"{table['drugs seized (kg)'].iloc[-1]:,.0f} kg", fontsize=9)
    for ax in panels[1]:
        ax.set_xlabel("hour of the action")
    figure.suptitle("Outcomes so far", fontsize=10)
    return figure


def draw_queue_waits(model: DashboardModel) -> Figure:
    """Waiting time of legitimate vehicles by hour at the busiest crossings."""
    table = model.hourly.get_model_vars_dataframe()
    figure = Figure(figsize=(6.5, 3.2), layout="constrained")
    ax = figure.add_subplot()
    for column in [c for c in table.columns if c.startswith("wait: ")]:
        ax.plot(table["hour"], table[column], lw=1.3, label=column.removeprefix("wait: "))
    waits = table[[c for c in table.columns if c.startswith("wait: ")]].to_numpy()
    ax.set(xlabel="hour of the action", ylabel="wait (minutes)", xlim=(0, model.hours),
           ylim=(0, max(5.0, 1.1 * float(waits.max(initial=0)))),
           title="Queue waits at the busiest crossings")
    ax.legend(fontsize=7, ncols=2)
    ax.grid(color="#EEEEEE", lw=0.5)
    return figure


# --- the page ----------------------------------------------------------------------------------

@solara.component
def OperationMap(model: DashboardModel):  # noqa: N802 (Solara names components like classes)
    update_counter.get()
    size_by, set_size_by = solara.use_state("queue")
    with solara.Column() as panel:
        solara.ToggleButtonsSingle(value=size_by, values=list(SIZE_BY), on_value=set_size_by)
        solara.FigureMatplotlib(draw_operation_map(model, size_by=size_by), format="png")
    return panel


@solara.component
def ActionClock(model: DashboardModel):  # noqa: N802 (Solara names components like classes)
    """Day and hour of the action and the counters so far."""
    update_counter.get()
    days = model.scenario_spec.action.days
    totals = model.tally.totals()
    state = "running" if model.running else "finished (cases: follow-up window closed)"
    rows = "".join(f"<tr><td>{label}</td><td align='right'>{totals[outcome]:,.0f}</td></tr>"
                   for outcome, label in HOURLY_OUTCOMES.items())
    problem = (f"<p class='problem' style='color:#B00020'><b>Not applied</b> (running "
               f"{model.scenario_file.name} as written): {html.escape(model.problem)}</p>"
               if model.problem else "")
    # HTML rather than Markdown: Solara's Markdown fetches KaTeX from the (disabled) CDN
    solara.HTML(tag="div", unsafe_innerHTML=problem + (
        f"<h3 class='action-clock'>Day {model.day + 1} of {days}, {model.clock_time:%H}:00</h3>"
        f"<p>{model.clock_time:%A %d %B %Y} · hour {model.tick} of {model.hours} · {state}<br>"
        f"scenario <b>{model.scenario_spec.name}</b> ({model.scenario_file.name}), seed "
        f"{model.seed}, targeting {model.scenario_spec.targeting}</p>"
        f"<table class='counters'><tr><th align='left'>so far</th><th></th></tr>{rows}"
        f"<tr><td>networks with evidence for a case</td>"
        f"<td align='right'>{cases_with_evidence(model):,.0f}</td></tr></table>"))


@solara.component
def OutcomesByHour(model: DashboardModel):  # noqa: N802 (Solara names components like classes)
    update_counter.get()
    return solara.FigureMatplotlib(draw_outcomes_by_hour(model), format="png")


@solara.component
def QueueWaits(model: DashboardModel):  # noqa: N802 (Solara names components like classes)
    update_counter.get()
    return solara.FigureMatplotlib(draw_queue_waits(model), format="png")


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
