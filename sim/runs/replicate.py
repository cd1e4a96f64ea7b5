"""One replicate from scenario and seed to tidy tables: the unit of work of every runner."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.geography import RouteGraph
from sim.model import JointActionModel
from sim.model.outcomes import PLACE_OUTCOMES
from sim.scenario.schema import Scenario

EVENT_COLUMNS: tuple[str, ...] = (
    "kind", "tick", "time", "day", "place", "place_name", "country", "crime_area", "network",
    "movement", "unit", "agency", "equipment", "persons", "arrests", "weapons", "rounds",
    "cocaine_kg", "heroin_kg", "cannabis_kg", "synthetic_kg", "forged_documents", "detail",
)
_EVENT_NUMBERS = ("persons", "arrests", "weapons", "rounds", "cocaine_kg", "heroin_kg",
                  "cannabis_kg", "synthetic_kg", "forged_documents")


@dataclass
class ReplicateResult:
    """The tables of one replicate, before the runner adds scenario and seed columns."""

    replicate: int
    seed: int
    summary: dict[str, float]
    daily: pd.DataFrame
    events: pd.DataFrame
    crossing_waits: pd.DataFrame = field(default_factory=pd.DataFrame)


def run_replicate(scenario: Scenario, seed: int, *, replicate: int = 0,
                  check_invariants: bool = False,
                  route_graph: RouteGraph | None = None) -> ReplicateResult:
    """Build and run one replicate; every number in it follows from `scenario` and `seed`."""
    with _collector_paused():
        model = JointActionModel(scenario, rng=seed, route_graph=route_graph,
                                 check_invariants=check_invariants).run()
        return ReplicateResult(replicate, seed, model.outcomes(), daily_table(model),
                               events_table(model), crossing_waits_table(model))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while one replicate builds and runs: the model allocates
    tens of thousands of long-lived objects (units, movements, events), and some 350 collector
    passes over them cost about 40 ms a baseline replicate while freeing next to nothing; the
    replicate's cycles (the model and its agents refer to each other) are collected in a few
    passes once it has returned (about 20 ms). Nothing the model computes depends on when
    garbage is collected (it holds no weak references)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _hour_stamps(start: pd.Timestamp, hours: pd.Series) -> list[str]:
    """`start` plus each of `hours` (float) as "YYYY-MM-DDTHH:MM", each distinct value
    formatted once."""
    codes, distinct = pd.factorize(hours, use_na_sentinel=False)
    stamps = (start + pd.to_timedelta(distinct, unit="h")).strftime("%Y-%m-%dT%H:%M")
    return np.asarray(stamps, dtype=object)[codes].tolist() if len(codes) else []


def daily_table(model: JointActionModel) -> pd.DataFrame:
    """One row per action day and place that saw any activity, PLACE_OUTCOMES as columns."""
    values = model.tally.values  # outcome x place x day
    days = model.scenario_spec.action.days
    if days == 0:
        return pd.DataFrame(columns=["day", "date", "place", "place_name", "country", "kind",
                                     *PLACE_OUTCOMES])
    places = np.flatnonzero(values.any(axis=(0, 2)))
    nodes = model.graph.nodes
    ids = [model.place_ids[i] for i in places]
    n = len(ids)
    block = values[:, places, :].transpose(2, 1, 0).reshape(days * n, len(PLACE_OUTCOMES))
    dates = [(model.start + dt.timedelta(days=day)).date().isoformat() for day in range(days)]
    text = {"date": [date for date in dates for _ in ids], "place": ids * days,
            "place_name": [model.route_graph.place_name(p) for p in ids] * days,
            "country": [nodes[p]["country"] for p in ids] * days,
            "kind": [nodes[p]["kind"] for p in ids] * days}
    frame = pd.DataFrame({"day": np.repeat(np.arange(1, days + 1, dtype=np.int64), n),
                          **{name: pd.Series(column, dtype="str") if n or name == "date"
                             else column  # no place: empty float columns, as always
                             for name, column in text.items()}})
    outcomes = pd.DataFrame(block, columns=list(PLACE_OUTCOMES))
    return pd.concat([frame, outcomes], axis=1)


def events_table(model: JointActionModel) -> pd.DataFrame:
    """One row per event (detections, finds, leads, wanted persons, displacements)."""
    events = model.events
    if not events:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in _EVENT_NUMBERS else "object")
                             for c in EVENT_COLUMNS})
    place_name = model.route_graph.place_name
    columns: dict[str, object] = {}
    for name in EVENT_COLUMNS:  # built column by column: far cheaper than from the records
        if name == "time":
            clocks = pd.Series([event["clock"] for event in events])
            columns[name] = _hour_stamps(pd.Timestamp(model.start), clocks)
        elif name == "place_name":
            columns[name] = [place_name(event["place"]) for event in events]
        elif name in _EVENT_NUMBERS:  # an amount an event does not name is none of it
            columns[name] = np.array([_amount(event.get(name)) for event in events],
                                     dtype=float)
        elif name == "detail":
            columns[name] = [_text(event.get(name)) for event in events]
        else:
            columns[name] = [event[name] for event in events]
    return pd.DataFrame(columns)


def _amount(value: float | None) -> float:
    return 0.0 if value is None or value != value else value  # missing or NaN: 0


def _text(value: str | None) -> str:
    return "" if value is None or value != value else value  # missing or NaN: ""


def crossing_waits_table(model: JointActionModel) -> pd.DataFrame:
    """One row per hour, crossing side and vehicle class of a run model: vehicles entering
    the side's country, their wait and its parts, the share checked and the entry queue
    (`CrossingState.wait_columns`), e.g. `crossing_waits_table(JointActionModel(rng=1).run())`
    in a notebook."""
    from sim.model.mechanisms import VEHICLE_CLASSES

    columns = model.crossing_state.wait_columns()
    hours = model.tick  # the hours run so far
    per_hour = len(columns["arrivals"]) // max(hours, 1)
    stamps = _hour_stamps(pd.Timestamp(model.start), pd.Series(range(hours), dtype=np.int64))
    return pd.DataFrame({  # hour by hour, side by side, class by class
        "tick": np.repeat(np.arange(hours, dtype=np.int64), per_hour),
        "time": pd.Series([stamp for stamp in stamps for _ in range(per_hour)], dtype="str"),
        "place": pd.Series(columns["place"], dtype="str"),
        "side": pd.Series(columns["side"], dtype="str"),
        "vehicle_class": pd.Series(list(VEHICLE_CLASSES) * (per_hour // 3 * hours),
                                   dtype="str"),
        **{name: columns[name] for name in ("arrivals", "checked_crossing", "wait_minutes",
                                            "entry_wait_minutes",
                                            "exit_wait_minutes", "checked_share",
                                            "queue_vehicles")}})
