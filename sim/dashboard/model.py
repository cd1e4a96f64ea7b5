"""The dashboard's model: the sidebar's controls turned into the model's `__` overrides, and the
Joint Action model that records every hour and runs the scenario as written beside a changed
allocation, so the page can show the difference. No UI library here (tested without a browser).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.experimental.scenarios import Scenario as MesaScenario

from sim.geography import load_route_graph
from sim.model import BASELINE, JointActionModel, resolve_scenario
from sim.model.streams import replicate_seeds
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
SPREAD = "spread by the country's shares"  # officers added to a contingent, no posting
OFFICERS_STEP, OFFICERS_RANGE = 50, 2000  # the officers control: -2000 .. +2000 by 50
PLURALS = {"car": "cars", "bus": "buses", "lorry": "lorries"}
WAITS_SHOWN = 4  # crossings in the waits table: those the change touches, else the busiest
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


def place_choices() -> dict[str, str]:
    """'Tabanovce / Preševo (MK–RS), crossing' -> place id: the crossings, green-border sectors
    and ports officers can be posted to from the sidebar."""
    graph = load_route_graph().graph
    labels = {}
    for place, node in graph.nodes(data=True):
        if node["kind"] in ("crossing", "green_border", "port"):
            name = (f"{node['side_a']} / {node['side_b']}" if "side_a" in node
                    else node["name"])
            labels[f"{name} ({border_of(graph, place)}), {node['kind'].replace('_', ' ')}"] = place
    return dict(sorted(labels.items()))


def officer_overrides(base: Scenario, *, country: str = AS_IN_FILE, change: int = 0,
                      posting: str = SPREAD, place: str | None = None) -> dict[str, Any]:
    """The overrides for `change` more (or, negative, fewer) officers of `country`: its
    contingent grows by them and, with a `posting` kind, they are posted explicitly (at `place`,
    or spread over the country's places of that kind), the rest of the contingent spread as
    before. Empty when the country is as in the file or the change is 0."""
    if country == AS_IN_FILE or not change:
        return {}
    contingent = base.countries.get(country)
    if contingent is None:
        raise ValueError(f"{country} has no contingent in this scenario file")
    officers = contingent.officers + int(change)
    if officers < 0:
        raise ValueError(f"{country} has {contingent.officers:,} officers: it cannot lose "
                         f"{-int(change):,}")
    overrides: dict[str, Any] = {f"countries__{country}__officers": officers}
    if posting != SPREAD:
        if change < 0:
            raise ValueError("officers are taken away through the shares: choose "
                             f"'{SPREAD}' to remove them")
        from sim.scenario.allocation import AGENCY_MIX

        agency = max(AGENCY_MIX[posting], key=AGENCY_MIX[posting].get)
        overrides["postings"] = [*(p.model_dump(mode="json") for p in base.postings),
                                 {"country": country, "agency": agency, "posting": posting,
                                  "place": place, "officers": int(change)}]
    return overrides


def allocation_overrides(base: Scenario, *, team_places: list[str], frontex_off: set[str],
                         targeting: str = AS_IN_FILE, coordination_centre: str = AS_IN_FILE,
                         relay_delay: str = AS_IN_FILE,
                         officers: dict[str, Any] | None = None) -> dict[str, Any]:
    """The model's `__` overrides for the dashboard's controls (empty when all are as in the file).

    `team_places` holds one choice per scanning-team slot: AS_IN_FILE keeps the file's team in
    that slot, NO_TEAM removes it, a crossing id moves it there (keeping its hours and country).
    `officers` holds the officer controls (`officer_overrides`' keywords).
    """
    overrides: dict[str, Any] = officer_overrides(base, **(officers or {}))
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


def default_seed(scenario: Scenario) -> int:
    """The seed of replicate 0 of `sim run` for this scenario (`replicate_seeds`)."""
    return replicate_seeds(scenario.run.seed, 1)[0]


def parse_seed(text: str | int | None, scenario: Scenario) -> int:
    """The replicate seed typed in the sidebar; empty means replicate 0 of `sim run`."""
    if text is None or str(text).strip() == "":
        return default_seed(scenario)
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
    place = controls.pop("officers_place", SPREAD)
    officers = {"country": controls.pop("officers_country", AS_IN_FILE),
                "change": int(controls.pop("officers_change", 0) or 0),
                "posting": controls.pop("officers_posting", SPREAD),
                "place": None if place == SPREAD else place_choices().get(place, place)}
    overrides = allocation_overrides(base, team_places=team_places, frontex_off=frontex_off,
                                     officers=officers, **choices) | controls
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
            rng = default_seed(spec)  # explicit: rng=None would draw a fresh seed, as in Mesa
        super().__init__(spec, rng=rng)
        self.scenario_file, self.overrides, self.problem = path, overrides, problem
        self.changes = describe_changes(load_scenario(path), spec, overrides)
        checked = [c for c in self.crossings  # no checks at Schengen internal crossings
                   if self.graph.nodes[c.place].get("border_status") != "schengen_internal"]
        self.busiest_checked = sorted(checked, key=lambda c: -self.graph.nodes[c.place]
                                      ["vehicles_per_day"])
        self.busiest = self.busiest_checked[:BUSIEST_CROSSINGS]
        self.crossing_at = {c.place: c for c in self.crossings}
        self._checks_before = self._checks_by_place()
        self.checks_this_hour = np.zeros(len(self.place_ids))
        self.hourly = mesa.DataCollector(model_reporters=hourly_reporters(self.busiest))
        self.hourly.collect(self)
        # the file as written, same seed (common random numbers), stepped in the same hours
        self.baseline = (JointActionModel(resolve_scenario(path, {}), rng=self.seed,
                                          route_graph=self.route_graph)
                         if overrides else None)
        self.baseline_hourly = (mesa.DataCollector(model_reporters=hourly_reporters([]))
                                if self.baseline is not None else None)
        if self.baseline is not None:
            self.baseline_hourly.collect(self.baseline)
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
            if self.baseline is not None:
                self.baseline.step()
                self.baseline_hourly.collect(self.baseline)
            checks = self._checks_by_place()
            self.checks_this_hour, self._checks_before = checks - self._checks_before, checks
            self.hourly.collect(self)

    @property
    def clock_time(self) -> dt.datetime:
        return self.start + dt.timedelta(hours=self.tick)

    def clock_text(self) -> tuple[str, str]:
        """The header's two lines: 'Day 2 of 6, 13:00' and the date with the hour count; after
        the last hour, the last day at 24:00 and 'finished'."""
        days = self.scenario_spec.action.days
        if self.tick >= self.hours:
            last = self.start + dt.timedelta(hours=self.hours - 1)
            return (f"Day {days} of {days}, 24:00",
                    f"{last:%A %d %B %Y} · hour {self.hours} of {self.hours} · finished "
                    "(cases: follow-up window closed)")
        return (f"Day {self.day + 1} of {days}, {self.clock_time:%H}:00",
                f"{self.clock_time:%A %d %B %Y} · hour {self.tick} of {self.hours} · "
                f"{'running' if self.running else 'stopped'}")

    def detections_this_hour(self) -> list[dict[str, Any]]:
        """Interceptions, finds, wanted persons and cyber leads of the hour just simulated."""
        found = []
        for event in reversed(self.events):
            if event["tick"] < self.tick - 1:
                break
            if event["kind"] in DETECTIONS:
                found.append(event)
        return found


def crossing_waits_so_far(model: DashboardModel) -> tuple[pd.DataFrame, str]:
    """The wait per vehicle so far at the crossings the changed allocation touches (else the
    busiest with checks), by side (when the model has sides) and vehicle class: changed, as
    written (when the allocation changed) and the difference, in minutes; with which crossings
    these are, in words."""
    from sim.analysis.waits import changed_crossings, in_crossing_order, wait_summary
    from sim.runs.replicate import crossing_waits_table

    places = (changed_crossings(model.baseline.scenario_spec, model.scenario_spec,
                                model.route_graph) if model.baseline is not None else [])
    said = ("at the crossings the change touches" if places
            else "at the busiest crossings with checks")
    places = (places or [c.place for c in model.busiest])[:WAITS_SHOWN]
    runs = {"changed" if model.baseline is not None else "wait": model}
    if model.baseline is not None:
        runs["as written"] = model.baseline
    columns = {}
    for name, run in runs.items():
        table = crossing_waits_table(run) if run.tick else pd.DataFrame()
        columns[name] = (wait_summary(table[table["place"].isin(places)])["mean_wait_minutes"]
                         if not table.empty else pd.Series(dtype=float))
    frame = pd.DataFrame(columns)
    if frame.empty:
        return frame, said
    if model.baseline is not None:
        frame["difference"] = frame["changed"] - frame["as written"]
    frame = frame.reset_index()
    frame.insert(0, "crossing", [_name(model.graph, p) for p in frame["place"]])
    frame = in_crossing_order(frame, places)
    frame["vehicle_class"] = frame["vehicle_class"].map(PLURALS).fillna(frame["vehicle_class"])
    frame = frame.rename(columns={"vehicle_class": "vehicles"})
    return frame.drop(columns="place").reset_index(drop=True), said


def cases_with_evidence(model: JointActionModel) -> float:
    """Networks whose evidence received so far opens a case (`Evidence.cases_by`).

    During the action this is the case count if the follow-up window closed now; after the last
    hour it equals the model's `cases_opened` (evidence of the follow-up window included).
    """
    return float(model.intel.evidence.cases_by(model.tick))


def hourly_reporters(busiest: list) -> dict[str, Any]:
    reporters: dict[str, Any] = {"hour": lambda m: m.tick}
    for outcome, label in HOURLY_OUTCOMES.items():
        reporters[label] = lambda m, outcome=outcome: m.tally.totals()[outcome]
    reporters["cases"] = cases_with_evidence
    for crossing in busiest:
        reporters[f"wait: {crossing.name}"] = lambda m, c=crossing: c.wait_minutes
    return reporters


def start_scenario() -> Path:
    return Path(os.environ.get(SCENARIO_VARIABLE) or BASELINE)


def describe_changes(base: Scenario, changed: Scenario, overrides: dict[str, Any]) -> list[str]:
    """The active changes from the scenario file, in words (empty when there are none)."""
    graph = load_route_graph().graph
    changes = []
    for key, value in overrides.items():
        if key == "scanning_teams__teams":
            places = [_name(graph, t.place) for t in changed.scanning_teams.teams]
            changes.append("scanning teams at " + ", ".join(places) if places
                           else "no scanning teams")
        elif key == "frontex":
            off = set(frontex_borders(base)) - set(frontex_borders(changed))
            changes.append("Frontex off at " + ", ".join(sorted(off)))
        elif key == "targeting":
            changes.append(f"targeting {value.replace('_', ' ')}")
        elif key == "europol__coordination_centre__enabled":
            changes.append(f"coordination centre {'on' if value else 'off'}")
        elif key == "europol__coordination_centre__relay_delay_hours":
            changes.append(f"relay delay {value} h")
        elif key.startswith("countries__") and key.endswith("__officers"):
            country = key.split("__")[1]
            before = base.countries[country].officers if country in base.countries else 0
            changes.append(f"{country} officers {before:,} → {value:,}")
        elif key == "postings":
            for posting in changed.postings[len(base.postings):]:
                where = (_name(graph, posting.place) if posting.place
                         else f"{posting.country}'s {posting.posting.replace('_', ' ')} places")
                changes.append(f"{posting.officers:,} {posting.country} "
                               f"{posting.agency.replace('_', ' ')} posted at {where}")
        else:
            changes.append(f"{key} = {value}")
    return changes


def _name(graph, place: str) -> str:
    node = graph.nodes[place]
    return f"{node['side_a']} / {node['side_b']}" if "side_a" in node else node["name"]
