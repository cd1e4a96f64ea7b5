"""What legitimate traffic waits at each crossing, by side and vehicle class.

Read from a run's `crossing_waits` table (replicate × hour × crossing × vehicle class, and the
side of the crossing when the table has one): per replicate, the vehicles that arrived, their
vehicle-weighted mean wait over the action and the longest hourly wait; against a base, the
difference over the replicates both runs share (`sim.analysis.pairing`, the reducer of
`sim.runs.statistics`); and which crossings a scenario's allocation changes, so a comparison
shows the waits a planner's change is about. Every reader groups by the key columns the table
has (`WAIT_KEYS`), so a table with a `side` column is read side by side.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from sim.analysis.pairing import Pairing, paired_runs
from sim.analysis.style import ResultsLike, as_results
from sim.geography import RouteGraph, load_route_graph
from sim.runs.results import Results
from sim.runs.statistics import differences_by
from sim.scenario.schema import Scenario

WAIT_KEYS = ("place", "side", "vehicle_class")
MEASURES = {"vehicles": "vehicles", "mean_wait_minutes": "minutes",
            "longest_wait_minutes": "minutes"}
CLASS_ORDER = {"car": 0, "bus": 1, "lorry": 2}


def wait_keys(table: pd.DataFrame) -> list[str]:
    """The key columns of a crossing-waits table: place, side (when present), vehicle class."""
    return [key for key in WAIT_KEYS if key in table.columns]


def waits_by_replicate(results: ResultsLike) -> pd.DataFrame:
    """Per replicate and crossing (side) and class: `vehicles` that arrived over the action,
    their vehicle-weighted `mean_wait_minutes` (NaN when none arrived) and the
    `longest_wait_minutes` of an hour in which some arrived. Indexed by replicate and the keys."""
    return wait_summary(as_results(results).crossing_waits, by=["replicate"])


def wait_summary(table: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """A crossing-waits table (of a run, or of one model so far:
    `sim.runs.replicate.crossing_waits_table`) summed up per `by` columns and the keys it has:
    vehicles, vehicle-weighted mean wait and longest hourly wait with arrivals."""
    keys = [*by, *wait_keys(table)]
    if table.empty:
        return pd.DataFrame(columns=list(MEASURES), index=pd.MultiIndex.from_arrays(
            [[]] * len(keys), names=keys))
    arrived = table["arrivals"] > 0
    frame = pd.DataFrame({
        **{key: table[key] for key in keys}, "vehicles": table["arrivals"],
        "weighted": table["arrivals"] * table["wait_minutes"],
        "waited": table["wait_minutes"].where(arrived)})
    grouped = frame.groupby(keys, sort=False)
    sums = grouped[["vehicles", "weighted"]].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums["weighted"] / sums["vehicles"].where(sums["vehicles"] > 0)
    return pd.DataFrame({"vehicles": sums["vehicles"], "mean_wait_minutes": mean,
                         "longest_wait_minutes": grouped["waited"].max()})


def crossing_waits(results: ResultsLike, places: Iterable[str] | None = None,
                   route_graph: RouteGraph | None = None) -> pd.DataFrame:
    """Per crossing (side) and class: the crossing's name and the mean over replicates of
    vehicles, mean wait and longest hourly wait (`waits_by_replicate`), crossings in the order
    of `places` (default: every crossing, by name)."""
    per_replicate = waits_by_replicate(results)
    keys = list(per_replicate.index.names[1:])
    table = per_replicate.groupby(level=keys, sort=False).mean().reset_index()
    table.insert(keys.index("place") + 1, "crossing", _names(table["place"], route_graph))
    return in_crossing_order(table, places)


def wait_differences(base: ResultsLike | Pairing, other: ResultsLike | None = None, *,
                     places: Iterable[str] | None = None,
                     route_graph: RouteGraph | None = None) -> pd.DataFrame:
    """Per crossing (side) and class: the base's mean wait and the difference other − base
    with its 90% interval (paired over the replicates both runs share when their seeds match),
    the vehicles behind it and the longest hourly wait of each run. Crossings in the order of
    `places` (default: every crossing, by name)."""
    pairing = base if isinstance(base, Pairing) else paired_runs(base, other)
    before, after = waits_by_replicate(pairing.base), waits_by_replicate(pairing.other)
    keys = list(before.index.names[1:])
    table = differences_by(before["mean_wait_minutes"], after["mean_wait_minutes"],
                           paired=pairing.paired)
    table = table.rename(columns={"base_mean": "base_wait_minutes", "mean": "wait_minutes"})
    extra = pd.DataFrame({
        "vehicles": before["vehicles"].groupby(level=keys).mean(),
        "base_longest_wait_minutes": before["longest_wait_minutes"].groupby(level=keys).mean(),
        "longest_wait_minutes": after["longest_wait_minutes"].groupby(level=keys).mean()})
    table = table.merge(extra.reset_index(), on=keys, how="left")
    table.insert(keys.index("place") + 1, "crossing", _names(table["place"], route_graph))
    table.insert(0, "scenario", pairing.other.scenario_name)
    return in_crossing_order(table, places)


def _names(places: pd.Series, route_graph: RouteGraph | None) -> list[str]:
    route_graph = route_graph or load_route_graph()
    return [route_graph.place_name(p) if p in route_graph.graph else p for p in places]


def in_crossing_order(table: pd.DataFrame, places: Iterable[str] | None) -> pd.DataFrame:
    """Rows of `places` in their order (all crossings by name when None), then by side, then
    classes car, bus, lorry: the order every reader of waits shows."""
    if places is not None:
        order = {place: i for i, place in enumerate(dict.fromkeys(places))}
        table = table[table["place"].isin(order)]
        first = table["place"].map(order)
    else:
        first = table["crossing"]
    sort = table.assign(_first=first, _class=table["vehicle_class"].map(CLASS_ORDER))
    columns = ["_first", *(["side"] if "side" in table else []), "_class"]
    return sort.sort_values(columns, kind="stable").drop(
        columns=["_first", "_class"]).reset_index(drop=True)


# --- the crossings a scenario changes ---------------------------------------------------------

def crossing_allocation(scenario: Scenario | Results,
                        route_graph: RouteGraph | None = None) -> dict:
    """What a scenario (or a run's scenario, from its manifest) puts at each crossing: officers
    by posting there, scanning teams (hours, days) and Frontex (kind, count). Empty when a
    manifest holds no scenario this version can read."""
    from pydantic import ValidationError

    from sim.scenario.allocation import build_units

    route_graph = route_graph or load_route_graph()
    if isinstance(scenario, Results):
        written = scenario.manifest.get("scenario")
        if not written:
            return {}
        try:
            scenario = Scenario.model_validate(written)
        except ValidationError:
            return {}
    crossings = set(route_graph.ids_of_kind("crossing"))
    placed: dict[str, list] = {place: [] for place in crossings}
    for unit in build_units(scenario, route_graph):
        if unit.place in crossings:
            placed[unit.place].append(("officers", unit.posting, unit.country, unit.officers))
    for team in scenario.scanning_teams.teams:
        if team.place in crossings:
            placed[team.place].append(("team", tuple(team.hours), tuple(team.days or ())))
    for deployment in scenario.frontex:
        if deployment.place in crossings:
            placed[deployment.place].append(("frontex", deployment.kind, deployment.count))
    return {place: sorted(things, key=str) for place, things in placed.items()}


def changed_crossings(base: ResultsLike | Scenario, other: ResultsLike | Scenario,
                      route_graph: RouteGraph | None = None) -> list[str]:
    """The crossings whose officers, scanning teams or Frontex differ between two scenarios
    (or two runs' scenarios, from their manifests), by name; empty when a manifest holds no
    scenario."""
    route_graph = route_graph or load_route_graph()
    before, after = (crossing_allocation(run if isinstance(run, Scenario) else as_results(run),
                                         route_graph) for run in (base, other))
    if not before or not after:
        return []
    changed = [place for place in before if before[place] != after.get(place)]
    return sorted(changed, key=route_graph.place_name)


def waits_to_show(base: ResultsLike, other: ResultsLike, *, most: int = 6,
                  route_graph: RouteGraph | None = None,
                  every: pd.DataFrame | None = None) -> tuple[pd.DataFrame, str]:
    """The waits a comparison shows: at the crossings the scenario changes (the `most` whose
    mean wait changes most, when it changes more), else at the `most` crossings whose wait
    changes most; with a sentence saying which. `every`: the `wait_differences` of the two
    runs, when the caller has them already."""
    route_graph = route_graph or load_route_graph()
    pairing = paired_runs(base, other)
    if pairing.base.crossing_waits.empty or pairing.other.crossing_waits.empty:
        return pd.DataFrame(), "no crossing waits in these results (written before the table)"
    table = every if every is not None else wait_differences(pairing, route_graph=route_graph)
    changed = changed_crossings(pairing.base, pairing.other, route_graph)
    size = table.assign(size=table["difference"].abs()).groupby("place")["size"].max()
    if changed:
        chosen = sorted(changed, key=lambda p: -size.get(p, 0.0))[:most]
        said = (f"at the {len(changed)} crossing{'s' * (len(changed) != 1)} the scenario "
                "changes" + (f" (the {most} whose wait changes most)" if len(changed) > most
                             else ""))
    else:
        chosen = list(size.sort_values(ascending=False).index[:most])
        said = (f"the scenario changes no crossing's officers, teams or Frontex: the {most} "
                "crossings whose wait changes most")
    return in_crossing_order(table, sorted(chosen, key=route_graph.place_name)), said
