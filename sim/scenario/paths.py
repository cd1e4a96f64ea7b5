"""Every value a scenario can set, as one flat list of dotted paths (`sim params`).

A path names one leaf of the `Scenario` model: `intelligence.coverage`,
`parameters.detection_manual.cocaine`, `countries.<country>.officers`. Each comes with its type,
schema default, value in the baseline file, range, unit and source, so EMA Workbench, SALib or
`mesa.batch_run` users can pick uncertainties and levers from it and pass them as `a__b`
overrides. `levers()` names the paths where a scenario differs from the baseline: the columns
that summary.csv adds so that a table of experiments joins its outcomes.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import types
import typing
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel

from sim.scenario.ranges import registered_range
from sim.scenario.schema import Scenario

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "jad_see_2023.yaml"
LABELS = ("name", "description", "extends")  # what a scenario is called, not what it sets
NOT_LEVERS = (*LABELS, "run")  # labels and run settings do not change the model
KEYED = {"countries": "<country>"}  # mappings keyed by a name from the route graph


@dataclass(frozen=True)
class SettablePath:
    """One value a scenario (or an `a__b` override) can set."""

    path: str
    type: str
    default: Any
    baseline: Any
    range: str
    unit: str
    source: str
    description: str
    plausible: str = ""  # the registry's plausible range (sim/scenario/ranges.py), if any

    @property
    def override(self) -> str:
        """The keyword spelling: `sim.run(..., intelligence__coverage=0.5)`."""
        return self.path.replace(".", "__")

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "override": self.override}


def settable_paths(baseline: Scenario | None = None) -> list[SettablePath]:
    """Every settable path of a scenario, in schema order, with the baseline's values."""
    values = flatten((baseline or baseline_scenario()).model_dump(mode="json"))
    return [SettablePath(path, kind, _plain(default),
                         "per country" if "<" in path else values.get(path), span, unit,
                         source, description, _plausible(path))
            for path, kind, default, span, unit, source, description in _walk(Scenario, "")
            if path not in LABELS]


def _walk(model: type[BaseModel], prefix: str):
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = _strip_optional(field.annotation)
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _walk(annotation, path + ".")
            continue
        if get_origin(annotation) is dict:
            key_type, value_type = get_args(annotation)
            value_type = _strip_optional(value_type)
            keys = (list(get_args(key_type)) if get_origin(key_type) is Literal
                    else list(field.default) if isinstance(field.default, dict) and field.default
                    else [KEYED.get(name, "<key>")])
            for key in keys:
                if isinstance(value_type, type) and issubclass(value_type, BaseModel):
                    yield from _walk(value_type, f"{path}.{key}.")
                else:
                    default = field.default.get(key) if isinstance(field.default, dict) else None
                    yield (f"{path}.{key}", _type_name(value_type), default,
                           _range(field.metadata), extra.get("unit", ""),
                           extra.get("source", ""), field.description or "")
            continue
        default = (field.default_factory() if field.default_factory is not None
                   else field.default)
        yield (path, _type_name(annotation), default, _range(field.metadata, annotation),
               extra.get("unit", ""), extra.get("source", ""), field.description or "")


def _plausible(path: str) -> str:
    found = registered_range(path)
    return found.describe() if found is not None else ""


def _strip_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (typing.Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        if len(inner) == 1:
            return inner[0]
    return annotation


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is Literal:
        return "choice"
    if origin in (list, tuple):
        return "list"
    if annotation is dt.datetime:
        return "date-time"
    return getattr(annotation, "__name__", str(annotation))


def _range(metadata: list[Any], annotation: Any = None) -> str:
    if get_origin(annotation) is Literal:
        return " | ".join(str(a) for a in get_args(annotation))
    if annotation is bool:
        return "true | false"
    low = next((f"≥ {m.ge}" for m in metadata if isinstance(m, Ge)), None) or next(
        (f"> {m.gt}" for m in metadata if isinstance(m, Gt)), None)
    high = next((f"≤ {m.le}" for m in metadata if isinstance(m, Le)), None) or next(
        (f"< {m.lt}" for m in metadata if isinstance(m, Lt)), None)
    return ", ".join(b for b in (low, high) if b)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested scenario data as `{dotted path: value}`; lists stay whole values."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


@functools.cache
def baseline_scenario() -> Scenario:
    """The shipped baseline (scenarios/jad_see_2023.yaml), or the schema defaults without it."""
    if BASELINE.is_file():
        from sim.scenario.files import load_scenario

        return load_scenario(BASELINE, check_graph=False)
    return Scenario(name="defaults")


def levers(scenario: Scenario | dict[str, Any]) -> dict[str, Any]:
    """The paths where `scenario` differs from the baseline file, with its values (lists as
    compact JSON text; a path the baseline lacks counts as differing). Run settings, name and
    description are not levers."""
    data = scenario if isinstance(scenario, dict) else scenario.model_dump(mode="json")
    mine = flatten({k: v for k, v in data.items() if k not in NOT_LEVERS})
    base = flatten({k: v for k, v in baseline_scenario().model_dump(mode="json").items()
                    if k not in NOT_LEVERS})
    changed = {path: value for path, value in mine.items()
               if path not in base or base[path] != value}
    changed.update({path: None for path in base if path not in mine})  # removed by the scenario
    return {path: json.dumps(value, separators=(",", ":")) if isinstance(value, list | dict)
            else value for path, value in sorted(changed.items())}
