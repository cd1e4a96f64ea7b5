"""Sweeps: one base scenario and a grid of changes, run as one scenario per grid point.

A sweep file names a base scenario and, for each dotted key path, the values to try:

    base: ../jad_see_2023.yaml
    grid:
      scanning_teams.teams:      # a mapping gives each value a label ...
        0: []
        1: [{place: evzoni, country: NL}]
      targeting: [random, intelligence_led]   # ... a list labels scalars by themselves

The grid is the product of all keys. Every point keeps the base's seed, so points are paired:
replicate k sees the same traffic and criminals at every point.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.runs import layout
from sim.runs import results as store
from sim.runs.executor import Executor
from sim.runs.folder import SWEEP, check_free, claim
from sim.runs.run_folder import check_folder
from sim.runs.runner import resolve_scenario, run_many
from sim.runs.sweep_folder import (
    SWEEP_INDEX,
    check_sweep_folder,
    prepare_sweep_folder,
    read_sweep_index,
)
from sim.scenario.files import (
    Problem,
    ScenarioError,
    load_scenario,
    parsed_file,
    scenario_from_mapping,
    suggest,
)
from sim.scenario.schema import NAME_PATTERN, Scenario

SWEEP_KEYS = ("name", "description", "base", "grid")
MAX_POINTS = 1_000  # each point is a scenario checked before the run and a results folder
INDEX = SWEEP_INDEX
MAX_NAME = 80  # a scenario's name (sim.scenario.schema)
MAX_POINT_NAME = 200  # a point's folder name; file systems take 255 bytes


@dataclass(frozen=True)
class SweepPoint:
    """One point of the grid: its folder name, its label for each key, and its scenario."""

    name: str
    labels: dict[str, Any]
    scenario: Scenario


@dataclass(frozen=True)
class Sweep:
    name: str
    description: str
    keys: tuple[str, ...]
    points: tuple[SweepPoint, ...]
    source: str | None = None  # the sweep file: --force replaces only a folder written from it




def load_sweep(path: str | Path) -> Sweep:
    """Read a sweep file and build and check every point's scenario before anything runs."""
    path = Path(path)
    label = str(path)
    document = parsed_file(path)
    data, lines = document.data, document.lines
    problems = [Problem(label, lines.get((key,)), (key,), "unknown key; valid keys here: "
                        + ", ".join(SWEEP_KEYS), suggest(key, SWEEP_KEYS))
                for key in data if key not in SWEEP_KEYS]
    for key in ("base", "grid"):
        if key not in data:
            problems.append(Problem(label, None, (key,), "required key is missing"))
    grid = data.get("grid")
    if "grid" in data and (not isinstance(grid, dict) or not grid):
        problems.append(Problem(label, lines.get(("grid",)), ("grid",),
                                "expected a mapping of dotted key paths to lists of values"))
    if "base" in data and not isinstance(data["base"], str):
        problems.append(Problem(label, lines.get(("base",)), ("base",), "expected a file name"))
    name = data.get("name", path.stem)
    problems += _name_problems(name, label, lines.get(("name",)), "name" in data)
    if problems:
        raise ScenarioError(problems)
    keys = [_grid_key_problem(key, label, lines.get(("grid", key))) for key in grid]
    if any(keys):
        raise ScenarioError([problem for problem in keys if problem])
    choices = {key: _choices(values, label, lines.get(("grid", key)), key) for key, values in
               grid.items()}
    count = math.prod(len(c) for c in choices.values())
    if count > MAX_POINTS:
        raise ScenarioError([Problem(label, lines.get(("grid",)), ("grid",), f"the grid has "
                                     f"{count:,} points, more than the limit of {MAX_POINTS:,}; "
                                     "split it into several sweeps")])
    base_path = path.parent / data["base"]
    if not base_path.is_file():
        raise ScenarioError([Problem(label, lines.get(("base",)), ("base",), f"'{data['base']}' "
                                     f"({base_path}) file not found; base: is relative to the "
                                     "sweep file")])
    combinations = [dict(zip(choices, combination, strict=True))
                    for combination in itertools.product(*(c.items() for c in choices.values()))]
    point_names = _point_names(combinations)
    _check_point_names(name, point_names, label, lines.get(("grid",)))
    base = load_scenario(base_path).model_dump(mode="json")
    points = [_point(name, point_name, base, chosen, label, lines.get(("grid",)))
              for point_name, chosen in zip(point_names, combinations, strict=True)]
    return Sweep(name, str(data.get("description", "")), tuple(choices), tuple(points),
                 str(path.resolve()))


def _name_problems(name: Any, label: str, line: int | None, written: bool) -> list[Problem]:
    """A sweep's name is its own `name:`, else its file name: the sweep's folder under
    results/ and the first part of every point's scenario name, so a scenario's name."""
    if isinstance(name, str) and re.fullmatch(NAME_PATTERN, name) and len(name) <= MAX_NAME:
        return []
    if not written:
        return [Problem(label, None, ("name",), f"no 'name:' in this file, and its file name "
                        f"'{name}' cannot be one (letters, digits, '_', '.', '-', at most "
                        f"{MAX_NAME}); add 'name:'")]
    return [Problem(label, line, ("name",), f"expected at most {MAX_NAME} letters, digits, '_', "
                    "'.' or '-', starting with a letter, digit or '_'")]


def _grid_key_problem(key: Any, label: str, line: int | None) -> Problem | None:
    """A grid key is the dotted path of one value the points change (`sim params`)."""
    if not isinstance(key, str):
        return Problem(label, line, ("grid",), f"grid keys must be text (a dotted key path such "
                       f"as intelligence.coverage), found {key!r}")
    why = {"name": "each point's name is the sweep's name and its grid labels",
           "description": "each point keeps the base's description",
           "extends": "the base's extends: was read when the base was loaded, so a point "
                      "would run the base unchanged; sweep the values that differ between the "
                      "files, or write one sweep per base file"}
    first = key.split(".")[0]
    if first in why:
        return Problem(label, line, ("grid", key), f"'{first}' cannot be swept: {why[first]}")
    return None


def _point_names(combinations: list[dict[str, tuple[Any, Any]]]) -> list[str]:
    """Each point's folder name from its keys' last parts and labels (`coverage-0.2_teams-none`),
    numbered (`000_...`) when two points' labels give one name."""
    names = ["_".join(f"{key.split('.')[-1]}-{_slug(lbl)}" for key, (lbl, _) in chosen.items())
             for chosen in combinations]
    if len(set(names)) < len(names):
        names = [f"{i:03d}_{name}" for i, name in enumerate(names)]
    return names


def point_scenario_name(sweep_name: str, point_name: str) -> str:
    """A point's scenario name: the sweep's name and the point's, cut to a scenario name's
    length."""
    return f"{sweep_name}.{point_name}"[:MAX_NAME]


def _check_point_names(sweep_name: str, point_names: list[str], label: str,
                       line: int | None) -> None:
    """Every point gets a folder name the file system takes and a scenario name of its own:
    `sim compare` and the summaries tell points apart by their scenario names."""
    long = [name for name in point_names if len(name) > MAX_POINT_NAME]
    if long:
        raise ScenarioError([Problem(label, line, ("grid",), f"point name '{long[0][:40]}...' "
                                     f"has {len(long[0])} characters; a point's folder name "
                                     f"may have {MAX_POINT_NAME}: give long values short "
                                     "labels with a mapping (label: value)")])
    seen: dict[str, str] = {}
    for point_name in point_names:
        scenario = point_scenario_name(sweep_name, point_name)
        if scenario in seen:
            raise ScenarioError([Problem(label, line, ("grid",), f"points '{seen[scenario]}' "
                                         f"and '{point_name}' would both be scenario "
                                         f"'{scenario}' (a scenario name is cut at {MAX_NAME} "
                                         "characters); shorten the sweep's name or the labels")])
        seen[scenario] = point_name


def _choices(values: Any, label: str, line: int | None, key: str) -> dict[Any, Any]:
    """label → value for one key: a mapping as given, a list labelled by scalar or position.
    Whole-number labels of a key are padded to one width (`teams-02`, `teams-10`) so that point
    folders sort in number order in any listing. A value listed twice is refused: it would be
    one point run twice, or silently one point fewer. So are two values that would get one
    label (`[true, 1]`: Python takes true for 1; `[1, [...]]`: the list is labelled 1 by its
    position)."""
    if isinstance(values, dict) and values:
        return _padded(dict(values))
    if isinstance(values, list) and values:
        repeated = [v for i, v in enumerate(values) if any(
            v == w and isinstance(v, bool) == isinstance(w, bool) for w in values[:i])]
        if repeated:
            raise ScenarioError([Problem(label, line, ("grid", key), f"{repeated[0]!r} is listed "
                                         "more than once; list each value once")])
        labelled = [(v if isinstance(v, str | int | float | bool)
                     else v.isoformat() if isinstance(v, dt.date) else i, v)
                    for i, v in enumerate(values)]
        shared = [(w, v) for i, (name, v) in enumerate(labelled)
                  for other, w in labelled[:i] if other == name]
        if shared:
            raise ScenarioError([Problem(label, line, ("grid", key), f"{shared[0][0]!r} and "
                                         f"{shared[0][1]!r} would get one label, and one point "
                                         "would be lost; label each value with a mapping "
                                         "(label: value)")])
        return _padded(dict(labelled))
    raise ScenarioError([Problem(label, line, ("grid",), "each key needs a non-empty list of "
                                 "values (or a mapping of labels to values)")])


def _padded(choices: dict[Any, Any]) -> dict[Any, Any]:
    labels = list(choices)
    if not all(isinstance(k, int) and not isinstance(k, bool) and k >= 0 for k in labels):
        return choices
    width = len(str(max(labels)))
    return {str(k).zfill(width) if width > 1 else k: v for k, v in choices.items()}


def _set_path(data: dict[str, Any], dotted: str, value: Any, label: str) -> None:
    parts = dotted.split(".")
    target = data
    for depth, part in enumerate(parts[:-1]):
        if not isinstance(target.get(part, {}), dict):
            raise ScenarioError([Problem(label, None, ("grid", dotted), f"'{'.'.join(parts[:depth
                                         + 1])}' is not a mapping, so it has no '{parts[-1]}'")])
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _slug(value: Any) -> str:
    """A label as part of a folder name: letters, digits, '_', '.', '-', never '.' or '..'."""
    return re.sub(r"[^A-Za-z0-9_.\-]+", "-", str(value)).strip("-.") or "x"


def _point(sweep_name: str, point_name: str, base: dict[str, Any],
           chosen: dict[str, tuple[Any, Any]], label: str, line: int | None) -> SweepPoint:
    """The scenario of one grid point, validated and checked against the route graph."""
    where = f"{label} (grid point {point_name})"
    data = copy.deepcopy(base)
    for key, (_, value) in chosen.items():
        _set_path(data, key, value, label)
    data["name"] = point_scenario_name(sweep_name, point_name)
    lines = {(): line} if line else {}
    scenario = scenario_from_mapping(data, where, lines)
    from sim.scenario.allocation import check_scenario

    check_scenario(scenario, label=where, lines=lines)
    return SweepPoint(point_name, {key: lbl for key, (lbl, _) in chosen.items()}, scenario)


def run_sweep(sweep: Sweep, out: str | Path, **options: Any) -> pd.DataFrame:
    """Run every point into `out/<point>/` on one executor, write `out/index.csv` (before the
    run, then with each point's status) and return the index.

    `options` go to `sim.runs.runner.run_many` (replicates, seed, workers, cluster, resume, force,
    progress, check_invariants, command). An existing `out` is written only with `resume` (the
    same sweep) or `force` (a folder this sweep wrote: `sim.runs.sweep_folder`), and the folder
    is held for the whole sweep (`sim.runs.folder.claim`).
    """
    out = Path(out)
    index = pd.DataFrame([{"point": p.name, "scenario": p.scenario.name, "folder": p.name,
                           **p.labels, "status": "not run", "replicates_done": 0, "failures": 0}
                          for p in sweep.points])
    names = [p.name for p in sweep.points]
    resume, force = options.get("resume", False), options.get("force", False)
    check_free(out)
    check_sweep_folder(out, sweep.name, names, resume=resume, force=force, source=sweep.source)
    folders = [(p.scenario, out / p.name) for p in sweep.points]
    for scenario, folder in folders:  # refuse before anything is written
        check_folder(folder, resolve_scenario(scenario, seed=options.get("seed")),
                     resume=resume, force=force)
    workers = resolve_scenario(sweep.points[0].scenario, workers=options.get("workers")
                               ).run.workers
    with Executor(workers, options.pop("cluster", None)) as executor, claim(
            out, SWEEP, force, resume, sweep=(sweep.name, names), source=sweep.source,
            command=options.get("command")) as held:  # a scheduler before any file
        prepare_sweep_folder(out, sweep.name, names, held.action, sweep.source)
        store.write_csv(index, out / INDEX)
        for row, results in zip(index.index, run_many(folders, label=sweep.name,
                                                      executor=executor, **options),
                                strict=True):
            index.loc[row, ["status", "replicates_done", "failures"]] = [
                results.manifest["status"], results.manifest["replicates_done"],
                len(results.failures)]
        store.write_csv(index, out / INDEX)
    return index


def load_sweep_summaries(directory: str | Path) -> pd.DataFrame:
    """Every point's summary rows in one table, with the point's grid labels as columns."""
    directory = Path(directory)
    index = read_sweep_index(directory)
    label_columns = [c for c in index.columns if c not in
                     ("point", "scenario", "folder", "status", "replicates_done", "failures")]
    frames = []
    for row in index.to_dict("records"):
        try:
            summary = store.load(directory / row["folder"]).summary
        except layout.NoReplicatesError as error:  # a point whose every replicate failed
            warnings.warn(f"point '{row['point']}' left out: {error}", stacklevel=2)
            continue
        # a grid key's lever column (summary.csv) gives way to its label, which names the point
        summary = summary.drop(columns=[c for c in label_columns if c in summary.columns])
        for column in reversed(label_columns):
            summary.insert(0, column, row[column])
        summary.insert(0, "point", row["point"])
        frames.append(summary)
    return pd.concat(frames, ignore_index=True)
