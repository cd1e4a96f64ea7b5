"""Parameter sets consistent with the anchors, one row each: posterior draws and ensemble members.

`scenarios/posterior.csv` (format in docs/calibration.md) has a `draw` column (0, 1, …), a
`weight` column (the draws' weights, summing to 1) and one column per scenario value, named by
its dotted key path (e.g. `parameters.networks.drug_trafficking`, `parameters.lead_precision`).
A draw applied to a scenario writes those values over the scenario's own; everything else stays
as it is.

`scenarios/ensemble.csv` (`sim ensemble`, sim/inference/ensemble.py) has the same form with a
`member` column: a posterior draw together with sampled values of the assumptions the
calibration does not fit. A posterior draw is the special case of a member that samples
nothing. Beside it, `ensemble.json` names the sampled columns: a sampled value is written only
where the scenario leaves the parameter at its registered default, so a scenario that sets one
itself (the ordinary week's `second_line_share`) keeps its own.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario.files import Problem, ScenarioError, merge, scenario_from_mapping
from sim.scenario.reading import InputError, open_regular
from sim.scenario.schema import Scenario

BOOKKEEPING = ("draw", "weight", "trial", "loss", "band_loss", "member", "candidate",
               "implausibility")
PROJECT = Path(__file__).resolve().parents[2]
DEFAULT_FILE = PROJECT / "scenarios" / "posterior.csv"  # found from any working directory
ENSEMBLE_FILE = PROJECT / "scenarios" / "ensemble.csv"
MAX_POSTERIOR_BYTES = 200_000_000  # the shipped ensemble is some 100 kB


class Member(dict):
    """One row's values by key path; `sampled` names the keys written only where a scenario
    leaves the parameter at its default (the ensemble's sampled assumptions)."""

    def __init__(self, values: Mapping[str, Any], sampled: Iterable[str] = ()):
        super().__init__(values)
        self.sampled = frozenset(sampled)


def shown_path(path: Path) -> str:
    """A file as a manifest names it: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(PROJECT))
    except ValueError:
        return str(path.resolve())


def sampled_columns(path: Path) -> list[str]:
    """The sampled columns an ensemble file's record (`ensemble.json` beside it) names; none
    for a posterior file."""
    record = path.with_suffix(".json")
    if not record.is_file():
        return []
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [c for item in data.get("sampled", []) for c in item.get("columns", [])]


def _error(path: Path | str, message: str) -> ScenarioError:
    return ScenarioError([Problem(str(path), None, ("posterior",), message)])


def read_posterior(path: str | Path) -> pd.DataFrame:
    """The draws or members, indexed by `member` (an ensemble) or `draw` (a posterior); every
    value column must name a number in a scenario. `attrs["sampled"]` lists the sampled
    columns of an ensemble (see the module's docstring)."""
    path = Path(path)
    try:
        with open_regular(path, MAX_POSTERIOR_BYTES, "a posterior file (CSV)") as file:
            table = pd.read_csv(file, comment="#")
    except (InputError, OSError, ValueError) as error:
        raise _error(path, f"{getattr(error, 'message', None) or error} (a posterior is rebuilt "
                     "with `make posterior` or `sim calibrate calibration/joint.yaml`, an "
                     "ensemble built with `sim ensemble calibration/ensemble.yaml --out FILE`; "
                     "docs/calibration.md)") from None
    index = "member" if "member" in table.columns else "draw"
    if index not in table.columns or table.empty:
        raise _error(path, "a posterior file needs a `draw` column (an ensemble file a "
                     "`member` column) and at least one row")
    values = value_columns(table)
    if not values:
        raise _error(path, "no parameter columns (named by scenario key paths such as "
                     "parameters.lead_precision)")
    probe = Scenario(name="probe").model_dump(mode="json")
    for column in values:
        if not is_number_path(probe, column):
            raise _error(path, f"column {column!r} is not a scenario key path to a number")
    _check_numbers(table, [c for c in ("draw", "weight", *values) if c in table.columns], path)
    if "weight" not in table.columns:
        table["weight"] = 1.0 / len(table)
    table = table.set_index(index, drop=False)
    table.attrs["sampled"] = [c for c in sampled_columns(path) if c in values]
    return table


def _check_numbers(table: pd.DataFrame, columns: list[str], path: Path) -> None:
    """Every draw, weight and value is a finite number: a NaN or a text would otherwise fail
    deep inside a run (or silently weigh nothing). The first bad cell is named by its line."""
    for column in columns:
        numbers = pd.to_numeric(table[column], errors="coerce")
        bad = ~np.isfinite(numbers.to_numpy(dtype=float))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise _error(path, f"line {row + 2}, column {column!r}: '{table[column].iloc[row]}' "
                         "is not a finite number; every draw needs a number in every column")


def is_number_path(data: dict[str, Any], column: str) -> bool:
    """Whether a dotted key path names a number (not a flag) in a scenario's data."""
    node: Any = data
    for key in column.split("."):
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return isinstance(node, int | float) and not isinstance(node, bool)


def draw_values(table: pd.DataFrame) -> list[dict[str, float]]:
    """Each row's parameter values as {key path: value} (a `Member` that knows the sampled
    ones), in the file's order."""
    sampled = table.attrs.get("sampled", [])
    return [Member({column: float(row[column]) for column in value_columns(table)}, sampled)
            for _, row in table.iterrows()]


def value_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if c not in BOOKKEEPING]


def nested(values: dict[str, Any]) -> dict[str, Any]:
    """`{"a.b": 1}` → `{"a": {"b": 1}}`."""
    result: dict[str, Any] = {}
    for path, value in values.items():
        *parents, last = path.split(".")
        node = result
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return result


def with_draw(scenario: Scenario, draw: Mapping[str, Any] | pd.Series,
              label: str | None = None, *, sampled: Iterable[str] | None = None) -> Scenario:
    """The scenario with one draw's values (a posterior row, an ensemble member, or any {key
    path: number}) written over its own; whole numbers stay whole, bookkeeping columns are
    skipped, an empty draw changes nothing. A `sampled` key (default: the draw's own
    `sampled`, for a `Member`) is written only where the scenario holds the default."""
    sampled = frozenset(getattr(draw, "sampled", ()) if sampled is None else sampled)
    values = {k: v for k, v in draw.items() if k not in BOOKKEEPING}
    if not values:
        return scenario
    data = scenario.model_dump(mode="json")
    defaults = _defaults() if sampled else {}
    written: dict[str, Any] = {}
    for column, value in values.items():
        current: Any = data
        for key in column.split("."):
            current = current[key]
        if column in sampled and current != _at(defaults, column):
            continue  # the scenario sets it itself: its own value wins over a sampled one
        whole = isinstance(current, int) and not isinstance(current, bool)
        written[column] = round(float(value)) if whole else float(value)
    if label is None:
        label = (f"ensemble member {int(draw['member'])}" if "member" in draw else
                 f"posterior draw {int(draw['draw'])}" if "draw" in draw else "posterior draw")
    return scenario_from_mapping(merge(data, nested(written)), label=label)


@functools.cache
def _defaults() -> dict[str, Any]:
    return Scenario(name="defaults").model_dump(mode="json")


def _at(data: dict[str, Any], column: str) -> Any:
    for key in column.split("."):
        data = data[key]
    return data


def draws_for(scenario: Scenario, path: str | Path, count: int) -> list[Scenario]:
    """The first `count` draws (or members) of the file applied to `scenario` (a posterior's
    rows are in random order, an ensemble's in the order of its quasi-random design, so the
    first N are a sample of the whole)."""
    table = read_posterior(path)
    if count < 1 or count > len(table):
        what = "members" if "member" in table.columns else "draws"
        raise _error(path, f"asked for {count} {what}; the file has {len(table)}")
    sampled = table.attrs.get("sampled", [])
    return [with_draw(scenario, row, sampled=sampled)
            for _, row in table.iloc[:count].iterrows()]


def assumption_columns(table: pd.DataFrame) -> dict[str, list[str]]:
    """The value columns grouped by the assumption they belong to, labelled as the calibration
    and the ensemble label them: the entries of a mapping that shares one registered range
    (`parameters.networks.*`) are one assumption, `parameters.networks:scale`; any other column
    is its own (`:scale` when its registered range multiplies a default)."""
    from sim.scenario.ranges import registered_range, shared_range

    groups: dict[str, list[str]] = {}
    for column in value_columns(table):
        shared, own = shared_range(column), registered_range(column)
        if shared is not None:
            label = f"{shared.path}:scale"
        elif own is not None and own.scale:
            label = f"{column}:scale"
        else:
            label = column
        groups.setdefault(label, []).append(column)
    return groups
