"""Harm by crime area: a weighted index of what a replicate stopped, read from its summary.

A group of migrants turned back, a lorry of heroin and a car with trafficking victims are
different harms. The harm index puts them on one scale: the sum over outcomes of the outcome's
value in a summary row times its weight (harm points per kilogram, weapon, round, victim,
migrant, arrest, network or document). The weights live in a YAML file a planner can replace
(`sim/data/harm/default.yaml`, with two documented alternatives: `drug_harm_first.yaml` and
`persons_first.yaml`); every weight carries its unit and its source or stated assumption.
Because the index is computed from summary tables, changing only the weights re-ranks results
without re-running the model.

Pure functions over a summary DataFrame (one row per replicate, outcomes as columns) and a
weights mapping (outcome -> harm points per unit, or a loaded `HarmWeights`):
`harm_index`, `harm_contributions`, `harm_by_area` and `rank_by_harm`; `load_harm_weights`
reads and checks a weights file, `shipped_weight_sets` the three shipped ones.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.model.outcomes import AREA_LABELS, DRUG_COLUMNS, OUTCOME_NAMES
from sim.scenario.reading import InputError, parse_yaml, read_text

HARM_DIR = Path(__file__).resolve().parents[1] / "data" / "harm"
WEIGHT_SETS = ("default", "drug_harm_first", "persons_first")
DEFAULT_WEIGHTS = HARM_DIR / "default.yaml"

# The crime area each outcome's harm is booked to (an entry's `area:` may say otherwise).
# Outcomes named after an area (movements_stopped_thb) belong to it; forged documents are
# document fraud, which rides along every area; totals over areas are "all_areas".
HARM_AREAS: tuple[str, ...] = (*AREA_LABELS, "document_fraud", "all_areas")
_AREA_OF = {
    "illegal_entries_detected": "migrant_smuggling", "migrants_stopped": "migrant_smuggling",
    "migrants_deterred": "migrant_smuggling", "groups_turned_back": "migrant_smuggling",
    "migrants_detected_distinct": "migrant_smuggling",
    **dict.fromkeys(DRUG_COLUMNS.values(), "drug_trafficking"),
    "drugs_kg_total": "drug_trafficking", "other_drugs_kg": "drug_trafficking",
    "drugs_kg_deterred": "drug_trafficking",
    "weapons_seized": "firearms_trafficking", "ammunition_seized": "firearms_trafficking",
    "weapons_deterred": "firearms_trafficking", "online_targets_examined": "firearms_trafficking",
    "victims_identified": "thb", "victims_deterred": "thb",
    "arrests_other": "high_risk_networks",
    "forged_documents": "document_fraud",
}
_FILE_KEYS = ("name", "unit", "description", "weights")
_ENTRY_KEYS = ("weight", "unit", "source", "area")


class HarmWeightsError(ValueError):
    """A weights file or mapping that cannot be used; the message names the file and key."""


def area_of(outcome: str) -> str:
    """The crime area (HARM_AREAS) whose harm an outcome counts by default."""
    for area in AREA_LABELS:
        if outcome.endswith(f"_{area}"):
            return area
    return _AREA_OF.get(outcome, "all_areas")


@dataclass(frozen=True)
class HarmWeight:
    """One outcome's weight: harm points per unit of the outcome, with unit and source."""

    outcome: str
    weight: float
    unit: str = ""
    source: str = ""
    area: str = ""

    def __post_init__(self) -> None:
        if not self.area:
            object.__setattr__(self, "area", area_of(self.outcome))


@dataclass(frozen=True)
class HarmWeights:
    """A named set of weights, as read from a file (`path`) or built from a mapping."""

    name: str
    unit: str
    weights: dict[str, HarmWeight]
    description: str = ""
    path: Path | None = None
    as_mapping: dict[str, float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "as_mapping",
                           {name: w.weight for name, w in self.weights.items()})


# --- reading and checking weights --------------------------------------------------------------

def _where(origin: str, key: str) -> str:
    return f"{origin}: {key}"


def _unknown_outcome(origin: str, key: str) -> HarmWeightsError:
    close = difflib.get_close_matches(key, OUTCOME_NAMES, n=1, cutoff=0.6)
    hint = (f"; did you mean {close[0]!r}?" if close
            else "; the outcomes are listed in docs/results.md")
    return HarmWeightsError(f"{_where(origin, 'weights.' + key)}: {key!r} is not an outcome "
                            f"of the model{hint}")


def _number(origin: str, key: str, value: Any) -> float:
    """A finite, non-negative weight, or HarmWeightsError naming where."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise HarmWeightsError(f"{_where(origin, key)}: expected a number of harm points per "
                               f"unit, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise HarmWeightsError(f"{_where(origin, key)}: {value!r} is not a finite number")
    if number < 0:
        raise HarmWeightsError(f"{_where(origin, key)}: {value!r} is negative; a weight says "
                               "how much a unit of the outcome is worth stopping (0 or more)")
    return number


def _entry(origin: str, outcome: str, value: Any) -> HarmWeight:
    """One entry of `weights:`: a number, or {weight, unit, source, area}."""
    if outcome not in OUTCOME_NAMES:
        raise _unknown_outcome(origin, outcome)
    key = f"weights.{outcome}"
    if not isinstance(value, Mapping):
        return HarmWeight(outcome, _number(origin, key, value))
    unknown = [k for k in value if k not in _ENTRY_KEYS]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), _ENTRY_KEYS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise HarmWeightsError(f"{_where(origin, f'{key}.{unknown[0]}')}: unknown key{hint} "
                               f"(valid: {', '.join(_ENTRY_KEYS)})")
    if "weight" not in value:
        raise HarmWeightsError(f"{_where(origin, key)}: no 'weight' given")
    area = value.get("area", "")
    if area and area not in HARM_AREAS:
        raise HarmWeightsError(f"{_where(origin, key + '.area')}: {area!r} is not a crime "
                               f"area (valid: {', '.join(HARM_AREAS)})")
    texts = {k: value.get(k, "") for k in ("unit", "source")}
    for name, text in texts.items():
        if not isinstance(text, str):
            raise HarmWeightsError(f"{_where(origin, f'{key}.{name}')}: expected text, got "
                                   f"{text!r}")
    return HarmWeight(outcome, _number(origin, key + ".weight", value["weight"]),
                      texts["unit"], texts["source"], area)


def harm_weights(data: Any, origin: str = "harm weights", path: Path | None = None
                 ) -> HarmWeights:
    """Check and build HarmWeights from parsed YAML (a mapping with `weights:`), or in code
    from a plain mapping outcome -> weight (no path)."""
    if isinstance(data, HarmWeights):
        return data
    if path is None and isinstance(data, Mapping) and "weights" not in data:
        data = {"name": origin, "weights": data}  # a plain outcome -> weight mapping
    if not isinstance(data, Mapping):
        raise HarmWeightsError(f"{origin}: expected a mapping with 'weights:', got "
                               f"{type(data).__name__}")
    unknown = [k for k in data if k not in _FILE_KEYS]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), _FILE_KEYS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise HarmWeightsError(f"{_where(origin, str(unknown[0]))}: unknown key{hint} "
                               f"(valid: {', '.join(_FILE_KEYS)})")
    weights = data.get("weights")
    if not isinstance(weights, Mapping) or not weights:
        raise HarmWeightsError(f"{_where(origin, 'weights')}: expected a mapping of outcome "
                               "names to weights, with at least one entry")
    entries = {str(k): _entry(origin, str(k), v) for k, v in weights.items()}
    for key in ("name", "unit", "description"):
        if not isinstance(data.get(key, ""), str):
            raise HarmWeightsError(f"{_where(origin, key)}: expected text")
    name = data.get("name") or (path.stem if path else origin)
    return HarmWeights(name=name, unit=data.get("unit", "harm points"), weights=entries,
                       description=data.get("description", ""), path=path)


def load_harm_weights(source: str | Path = DEFAULT_WEIGHTS) -> HarmWeights:
    """Read and check a weights file: a path, or the name of a shipped set (WEIGHT_SETS).
    Unknown outcomes (with the closest valid name), unknown keys and negative or non-numeric
    weights are refused with HarmWeightsError naming the file and the key."""
    path = HARM_DIR / f"{source}.yaml" if str(source) in WEIGHT_SETS else Path(source)
    try:
        data = parse_yaml(read_text(path)).data
    except InputError as error:
        line = f" (line {error.line})" if error.line else ""
        raise HarmWeightsError(f"{path}{line}: {error.message}") from None
    return harm_weights(data, str(path), path)


def shipped_weight_sets() -> dict[str, HarmWeights]:
    """The default weights and the two documented alternatives, by name."""
    return {name: load_harm_weights(name) for name in WEIGHT_SETS}


# --- the index ---------------------------------------------------------------------------------

def _mapping(weights: HarmWeights | Mapping[str, float]) -> dict[str, float]:
    return harm_weights(weights).as_mapping


def harm_contributions(summary: pd.DataFrame, weights: HarmWeights | Mapping[str, float]
                       ) -> pd.DataFrame:
    """Harm points each weighted outcome contributes in each summary row (value x weight)."""
    mapping = _mapping(weights)
    missing = [name for name in mapping if name not in summary.columns]
    if missing:
        raise HarmWeightsError(f"the summary has no column {missing[0]!r}: it was written "
                               "before that outcome existed; re-run it, or drop the weight")
    return pd.DataFrame({name: summary[name].astype(float) * weight
                         for name, weight in mapping.items()}, index=summary.index)


def harm_index(summary: pd.DataFrame, weights: HarmWeights | Mapping[str, float]) -> pd.Series:
    """The harm index of each summary row: the sum of its weighted outcomes."""
    return harm_contributions(summary, weights).sum(axis=1).rename("harm_index")


def harm_by_area(summary: pd.DataFrame, weights: HarmWeights | Mapping[str, float]
                 ) -> pd.DataFrame:
    """Harm points by crime area (columns `harm_<area>` for every area of HARM_AREAS) and
    their sum `harm_index`, one row per summary row."""
    checked = harm_weights(weights)
    parts = harm_contributions(summary, checked)
    table = pd.DataFrame(index=summary.index)
    for area in HARM_AREAS:
        names = [n for n, w in checked.weights.items() if w.area == area]
        table[f"harm_{area}"] = parts[names].sum(axis=1) if names else 0.0
    table["harm_index"] = parts.sum(axis=1)
    return table


def rank_by_harm(summaries: Mapping[str, pd.DataFrame],
                 weights: HarmWeights | Mapping[str, float]) -> pd.DataFrame:
    """Labelled summaries (e.g. allocations) ranked by their mean harm index, highest first:
    columns `label`, `harm_index` (mean over rows) and `rank` (1 = most harm stopped)."""
    if not summaries:
        raise ValueError("no summaries to rank")
    means = {label: float(harm_index(table, weights).mean())
             for label, table in summaries.items()}
    table = pd.DataFrame({"label": list(means), "harm_index": list(means.values())})
    table = table.sort_values("harm_index", ascending=False, kind="stable")
    table["rank"] = range(1, len(table) + 1)
    return table.reset_index(drop=True)


def rankings(summaries: Mapping[str, pd.DataFrame],
             weight_sets: Mapping[str, HarmWeights | Mapping[str, float]] | None = None
             ) -> pd.DataFrame:
    """The rank of every labelled summary under each weight set (default: the three shipped
    sets), one row per label, one column per weight set: whether the weights decide."""
    sets = weight_sets if weight_sets is not None else shipped_weight_sets()
    columns = {name: rank_by_harm(summaries, weights).set_index("label")["rank"]
               for name, weights in sets.items()}
    return pd.DataFrame(columns).loc[list(summaries)].rename_axis("label")
