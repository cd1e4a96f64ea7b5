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

Every reading (compare, export, marginal, optimise, the reference table) adds the index as a
derived outcome when it reads a summary: `with_harm` (a summary table) and `add_harm` (a
`Results`) add `harm_index` and its parts by crime area (`sim.model.outcomes.HARM_OUTCOMES`),
and `weights_record` says which file and which content (sha256) gave them. `AREA_OUTCOMES`
names the outcome each crime area is read by, and `trade_off` says in words when a change
gains in one area and loses in another ("more migrants stopped, fewer drugs seized").
`harm_changes` ranks labelled runs by their paired harm change from a base under several
weight sets: whether the weights decide.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.model.outcomes import (
    AREA_LABELS,
    DRUG_COLUMNS,
    HARM_AREAS,
    HARM_OUTCOME_NAMES,
    OUTCOME_NAMES,
)
from sim.runs.results import Results
from sim.runs.statistics import INTERVAL, paired_difference
from sim.scenario.reading import MAX_FILE_BYTES, InputError, decode, parse_yaml, read_bytes

HARM_DIR = Path(__file__).resolve().parents[1] / "data" / "harm"
WEIGHT_SETS = ("default", "drug_harm_first", "persons_first")
DEFAULT_WEIGHTS = HARM_DIR / "default.yaml"

# The crime area each outcome's harm is booked to (an entry's `area:` may say otherwise).
# Outcomes named after an area (movements_stopped_thb) belong to it; forged documents are
# document fraud, which rides along every area; totals over areas are "all_areas"
# (HARM_AREAS, from the outcome registry).
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
    sha256: str = ""  # of the file's bytes; of the weights as JSON when built in code
    as_mapping: dict[str, float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "as_mapping",
                           {name: w.weight for name, w in self.weights.items()})
        if not self.sha256:
            text = json.dumps(self.as_mapping, sort_keys=True)
            object.__setattr__(self, "sha256", hashlib.sha256(text.encode()).hexdigest())

    def describe(self) -> str:
        """Which weights, as every output records them: name, file and content hash."""
        where = _shown_path(self.path) if self.path is not None else "given in code"
        return f"{self.name} ({where}, sha256 {self.sha256[:12]})"

    def record(self) -> dict[str, str]:
        """The weights as a manifest or JSON output records them."""
        return {"name": self.name, "file": "" if self.path is None else _shown_path(self.path),
                "sha256": self.sha256}


def _shown_path(path: Path) -> str:
    """A weights file as written in outputs: relative to the project for the shipped ones."""
    try:
        return str(Path(path).resolve().relative_to(HARM_DIR.parents[2]))
    except ValueError:
        return str(path)


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


def harm_weights(data: Any, origin: str = "harm weights", path: Path | None = None,
                 sha256: str = "") -> HarmWeights:
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
                       description=data.get("description", ""), path=path, sha256=sha256)


def load_harm_weights(source: str | Path = DEFAULT_WEIGHTS) -> HarmWeights:
    """Read and check a weights file: a path, or the name of a shipped set (WEIGHT_SETS).
    Unknown outcomes (with the closest valid name), unknown keys and negative or non-numeric
    weights are refused with HarmWeightsError naming the file and the key."""
    path = HARM_DIR / f"{source}.yaml" if str(source) in WEIGHT_SETS else Path(source)
    try:
        content = read_bytes(path, MAX_FILE_BYTES, "a regular YAML file")
        data = parse_yaml(decode(content)).data
    except InputError as error:
        line = f" (line {error.line})" if error.line else ""
        raise HarmWeightsError(f"{path}{line}: {error.message}") from None
    return harm_weights(data, str(path), path, hashlib.sha256(content).hexdigest())


def resolve_weights(harm: str | Path | HarmWeights | Mapping[str, float] | None = None
                    ) -> HarmWeights:
    """The weights a reading uses: None gives the shipped default; a file path or the name of
    a shipped set (WEIGHT_SETS) is read and checked; weights already loaded, or a mapping
    outcome -> weight built in code, are checked and used as they are."""
    if harm is None:
        return load_harm_weights(DEFAULT_WEIGHTS)
    if isinstance(harm, str | Path):
        return load_harm_weights(harm)
    return harm_weights(harm)


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


# --- the index as a derived outcome of a summary -----------------------------------------------

def missing_outcomes(summary: pd.DataFrame, weights: HarmWeights | Mapping[str, float]
                     ) -> list[str]:
    """The weighted outcomes a summary lacks (a folder written before they existed)."""
    return [name for name in _mapping(weights) if name not in summary.columns]


def with_harm(summary: pd.DataFrame, weights: HarmWeights | Mapping[str, float]
              ) -> pd.DataFrame:
    """The summary with the harm outcomes added as columns (`HARM_OUTCOME_NAMES`: the index
    and its part in every crime area), computed from its outcomes and `weights`; columns of an
    earlier computation are replaced. HarmWeightsError when a weighted outcome is missing."""
    areas = harm_by_area(summary, weights)
    table = summary.drop(columns=[c for c in HARM_OUTCOME_NAMES if c in summary.columns])
    return pd.concat([table, areas[list(HARM_OUTCOME_NAMES)]], axis=1)


def add_harm(results: Results, weights: HarmWeights | Mapping[str, float]) -> Results:
    """A run as every reading sees it: its summary with the harm outcomes (`with_harm`) and
    its manifest with `harm_weights` (`HarmWeights.record`). A run that lacks a weighted
    outcome is returned as it is, with a warning naming the outcome."""
    checked = harm_weights(weights)
    missing = missing_outcomes(results.summary, checked)
    if missing:
        warnings.warn(f"'{results.scenario_name}' has no {missing[0]!r} (written before that "
                      "outcome existed?): its harm index is left out; run it again to read it",
                      stacklevel=2)
        return results
    return results.replaced(summary=with_harm(results.summary, checked),
                            manifest={**results.manifest, "harm_weights": checked.record()})


# --- reading by crime area ---------------------------------------------------------------------

# The outcome each crime area is read by in every headline: what a planner counts it in.
AREA_OUTCOMES: dict[str, str] = {
    "migrant_smuggling": "migrants_stopped",
    "drug_trafficking": "drugs_kg_total",
    "firearms_trafficking": "weapons_seized",
    "thb": "victims_identified",
    "high_risk_networks": "arrests_other",
    "document_fraud": "forged_documents",
}
# How a change in each reads in words: ("more migrants stopped", "fewer migrants stopped").
AREA_WORDS: dict[str, tuple[str, str]] = {
    "migrants_stopped": ("more migrants stopped", "fewer migrants stopped"),
    "drugs_kg_total": ("more drugs seized", "fewer drugs seized"),
    "weapons_seized": ("more weapons seized", "fewer weapons seized"),
    "victims_identified": ("more victims identified", "fewer victims identified"),
    "arrests_other": ("more arrests in high-risk networks", "fewer arrests in high-risk "
                                                            "networks"),
    "forged_documents": ("more forged documents found", "fewer forged documents found"),
}


def trade_off(changes: Mapping[str, tuple[float, float]]) -> str | None:
    """In words, when a change gains in one crime area and loses in another: `changes` maps
    an outcome to the low and high end of its difference's interval; only areas whose
    interval excludes zero count. "more migrants stopped, fewer drugs seized", gains first;
    None when no area clearly gains while another clearly loses."""
    gains, losses = [], []
    for outcome in AREA_OUTCOMES.values():
        if outcome not in changes:
            continue
        low, high = changes[outcome]
        if low > 0:
            gains.append(AREA_WORDS[outcome][0])
        elif high < 0:
            losses.append(AREA_WORDS[outcome][1])
    if not gains or not losses:
        return None
    return ", ".join(gains + losses)


def harm_changes(base: pd.DataFrame, others: Mapping[str, pd.DataFrame],
                 weight_sets: Mapping[str, HarmWeights | Mapping[str, float]] | None = None,
                 keys: Sequence[str] = ("replicate",), level: float = INTERVAL
                 ) -> pd.DataFrame:
    """The paired change in the harm index of each labelled run from `base` (summaries whose
    rows pair on `keys`: the same seeds, and draws), under each weight set (default: the three
    shipped), and each run's rank under each set (1: the most harm stopped). One row per label
    and weight set: `label`, `weights`, `harm_change`, `ci_low`, `ci_high`, `rank`. Computed
    from the summaries alone: another weights file re-ranks without a run."""
    if not others:
        raise ValueError("no runs to rank")
    sets = weight_sets if weight_sets is not None else shipped_weight_sets()
    rows = []
    for set_name, weights in sets.items():
        base_index = harm_index(base, weights).set_axis(pd.MultiIndex.from_frame(base[list(keys)]))
        changes = []
        for label, table in others.items():
            index = harm_index(table, weights).set_axis(
                pd.MultiIndex.from_frame(table[list(keys)]))
            difference = paired_difference(base_index, index, level=level)
            changes.append({"label": label, "weights": set_name,
                            "harm_change": difference.mean, "ci_low": difference.mean_ci_low,
                            "ci_high": difference.mean_ci_high})
        order = sorted(range(len(changes)), key=lambda i: -changes[i]["harm_change"])
        for rank, i in enumerate(order, start=1):
            changes[i]["rank"] = rank
        rows += changes
    return pd.DataFrame(rows, columns=["label", "weights", "harm_change", "ci_low", "ci_high",
                                       "rank"])
