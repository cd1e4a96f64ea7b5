"""Posterior ensembles: parameter sets consistent with the anchors, one row per draw.

`scenarios/posterior.csv` (format in docs/calibration.md) has a `draw` column (0, 1, …), a
`weight` column (the draws' weights, summing to 1) and one column per scenario value, named by
its dotted key path (e.g.
`parameters.networks.drug_trafficking`, `parameters.lead_precision`). A draw applied to a
scenario writes those values over the scenario's own; everything else stays as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario.files import Problem, ScenarioError, merge, scenario_from_mapping
from sim.scenario.reading import InputError, open_regular
from sim.scenario.schema import Scenario

BOOKKEEPING = ("draw", "weight", "trial", "loss", "band_loss")
DEFAULT_FILE = Path("scenarios") / "posterior.csv"
MAX_POSTERIOR_BYTES = 200_000_000  # the shipped ensemble is some 100 kB


def _error(path: Path | str, message: str) -> ScenarioError:
    return ScenarioError([Problem(str(path), None, ("posterior",), message)])


def read_posterior(path: str | Path) -> pd.DataFrame:
    """The ensemble, indexed by draw; every value column must name a number in a scenario."""
    path = Path(path)
    try:
        with open_regular(path, MAX_POSTERIOR_BYTES, "a posterior file (CSV)") as file:
            table = pd.read_csv(file, comment="#")
    except InputError as error:
        raise _error(path, error.message) from None
    except (OSError, ValueError) as error:
        raise _error(path, f"cannot read the posterior file: {error} (rebuild it with "
                     "`sim calibrate calibration/joint.yaml`, docs/calibration.md)") from None
    if "draw" not in table.columns or table.empty:
        raise _error(path, "a posterior file needs a `draw` column and at least one row")
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
    return table.set_index("draw", drop=False)


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
    """Each row's parameter values as {key path: value}, in the file's order."""
    return [{column: float(row[column]) for column in value_columns(table)}
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
              label: str | None = None) -> Scenario:
    """The scenario with one draw's values (a posterior row, or any {key path: number}) written
    over its own; whole numbers stay whole, bookkeeping columns are skipped, an empty draw
    changes nothing."""
    values = {k: v for k, v in draw.items() if k not in BOOKKEEPING}
    if not values:
        return scenario
    data = scenario.model_dump(mode="json")
    written: dict[str, Any] = {}
    for column, value in values.items():
        current: Any = data
        for key in column.split("."):
            current = current[key]
        whole = isinstance(current, int) and not isinstance(current, bool)
        written[column] = round(float(value)) if whole else float(value)
    if label is None:
        label = f"posterior draw {int(draw['draw'])}" if "draw" in draw else "posterior draw"
    return scenario_from_mapping(merge(data, nested(written)), label=label)


def draws_for(scenario: Scenario, path: str | Path, count: int) -> list[Scenario]:
    """The first `count` draws of the file applied to `scenario` (the file's rows are in random
    order, so the first N are a random sample of the ensemble)."""
    table = read_posterior(path)
    if count < 1 or count > len(table):
        raise _error(path, f"asked for {count} draws; the file has {len(table)}")
    return [with_draw(scenario, row) for _, row in table.iloc[:count].iterrows()]
