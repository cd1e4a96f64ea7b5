"""Every value a scenario can set, as one flat list of dotted paths (`sim params`).

A path names one leaf of the `Scenario` model: `intelligence.coverage`,
`parameters.detection_manual.cocaine`, `countries.<country>.officers`. Each comes with its type,
schema default, value in the baseline file, range, unit and source, so EMA Workbench, SALib or
`mesa.batch_run` users can pick uncertainties and levers from it and pass them as `a__b`
overrides. `levers()` names the paths where a scenario differs from the baseline: the columns
that summary.csv adds so that a table of experiments joins its outcomes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import os
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel

from sim.scenario.schema import Scenario

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "jad_see_2023.yaml"
LABELS = ("name", "description", "extends")  # what a scenario is called, not what it sets
NOT_LEVERS = (*LABELS, "run")  # labels and run settings do not change the model
KEYED = {"countries": "<country>"}  # mappings keyed by a name from the route graph


PROJECT_VARIABLE = "SIM_PROJECT"  # the project folder, for notebooks and scripts run elsewhere


class ProjectNotFoundError(FileNotFoundError):
    """The project folder (the one holding scenarios/jad_see_2023.yaml) is nowhere to be found."""


def project_folder(start: str | Path | None = None) -> Path:
    """The project folder, with `scenarios/` (and `results/`, `notebooks/`): `$SIM_PROJECT`
    when set, else the first of `start` (default: the current folder) and its parents that
    holds scenarios/jad_see_2023.yaml, else the folder the installed `sim` package was installed
    from (`pip install -e .`). A notebook copied elsewhere finds the project so; when nothing
    does, the error says what to set."""
    marker = Path("scenarios") / BASELINE.name
    if os.environ.get(PROJECT_VARIABLE):
        folder = Path(os.environ[PROJECT_VARIABLE]).expanduser()
        if not (folder / marker).is_file():
            raise ProjectNotFoundError(f"{PROJECT_VARIABLE}={folder}: no {marker} there; set "
                                       f"{PROJECT_VARIABLE} to the folder of the project "
                                       "(the clone of the repository)")
        return folder.resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents, BASELINE.parents[1]):
        if (folder / marker).is_file():
            return folder
    raise ProjectNotFoundError(
        f"the project folder (with {marker}) is not {here} nor above it, and the installed "
        f"`sim` package ({Path(__file__).resolve().parents[1]}) was not installed from it; "
        f"set {PROJECT_VARIABLE}=/path/to/the/clone (os.environ[{PROJECT_VARIABLE!r}] in a "
        "notebook), or start Jupyter inside the clone")


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
    minimum: float | None = None  # numeric bounds of `range` (None: unbounded or not a number)
    maximum: float | None = None
    min_exclusive: bool = False  # `> minimum` rather than `≥ minimum`
    max_exclusive: bool = False
    sample_range: tuple[float, float] | None = None  # the registry's plausible (low, high)
    fields: tuple[dict[str, Any], ...] = ()  # a list of mappings: the fields of each entry

    @property
    def override(self) -> str:
        """The keyword spelling: `sim.run(..., intelligence__coverage=0.5)`."""
        return self.path.replace(".", "__")

    def as_dict(self) -> dict[str, Any]:
        """As `sim params --json` writes it: `range` in words and `min`/`max` as numbers
        (null when unbounded), `sample_range` the plausible [low, high] to sample from (null
        where the registry states none), `fields` of a list's entries."""
        return {"path": self.path, "type": self.type, "default": self.default,
                "baseline": self.baseline, "range": self.range, "min": self.minimum,
                "max": self.maximum, "min_exclusive": self.min_exclusive,
                "max_exclusive": self.max_exclusive,
                "sample_range": list(self.sample_range) if self.sample_range else None,
                "unit": self.unit, "source": self.source, "description": self.description,
                "fields": list(self.fields), "override": self.override}


def settable_paths(baseline: Scenario | None = None) -> list[SettablePath]:
    """Every settable path of a scenario, in schema order, with the baseline's values."""
    values = flatten((baseline or baseline_scenario()).model_dump(mode="json"))
    return [dataclasses.replace(entry, default=_plain(entry.default),
                                baseline="per country" if "<" in entry.path
                                else values.get(entry.path))
            for entry in _walk(Scenario, "") if entry.path not in LABELS]


def _entry(path: str, annotation: Any, default: Any, field: Any,
           value_type: Any = None) -> SettablePath:
    """One settable path from a pydantic field (of a dict's entries when `value_type`)."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    kind = value_type if value_type is not None else annotation
    low, high, low_open, high_open = _bounds(field.metadata)
    plausible = extra.get("plausible")
    items = _item_model(annotation) if value_type is None else None
    return SettablePath(path, _type_name(kind), default,
                        None, _range(field.metadata, None if value_type is not None
                                     else annotation),
                        extra.get("unit", ""), extra.get("source", ""), field.description or "",
                        low, high, low_open, high_open,
                        (float(plausible[0]), float(plausible[1])) if plausible else None,
                        tuple(_item_fields(items)) if items is not None else ())


def _item_model(annotation: Any) -> type[BaseModel] | None:
    """The model of a list's entries (`postings: list[Posting]`), or None."""
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def _item_fields(model: type[BaseModel]) -> list[dict[str, Any]]:
    """Each field of a list entry: name, type, default ('required' when none), range and
    description."""
    fields = []
    for name, field in model.model_fields.items():
        annotation = _strip_optional(field.annotation)
        required = field.is_required()
        fields.append({"name": name, "type": _type_name(annotation),
                       "default": None if required else _plain(field.default),
                       "required": required, "range": _range(field.metadata, annotation),
                       "description": field.description or ""})
    return fields


def _walk(model: type[BaseModel], prefix: str):
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = _strip_optional(field.annotation)
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
                    yield _entry(f"{path}.{key}", annotation, default, field, value_type)
            continue
        default = (field.default_factory() if field.default_factory is not None
                   else field.default)
        yield _entry(path, annotation, default, field)


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
    low, high, low_open, high_open = _bounds(metadata)
    return ", ".join(bound for bound in (
        None if low is None else f"{'>' if low_open else '≥'} {low}",
        None if high is None else f"{'<' if high_open else '≤'} {high}") if bound)


def _bounds(metadata: list[Any]) -> tuple[float | None, float | None, bool, bool]:
    """The numeric bounds of a field: (minimum, maximum, minimum excluded, maximum
    excluded); None where there is none."""
    low = next(((m.ge, False) for m in metadata if isinstance(m, Ge)), None) or next(
        ((m.gt, True) for m in metadata if isinstance(m, Gt)), (None, False))
    high = next(((m.le, False) for m in metadata if isinstance(m, Le)), None) or next(
        ((m.lt, True) for m in metadata if isinstance(m, Lt)), (None, False))
    return low[0], high[0], low[1], high[1]


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
