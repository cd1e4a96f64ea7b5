"""The registry's plausible ranges, found by scenario key path.

`sim/scenario/parameters.py` (and the scenario blocks of `sim/scenario/schema.py`) register a
plausible range beside a value's unit and source (`par(..., plausible=(low, high))`). This module
answers "what range does the registry give `parameters.relay_probability_without_centre`?" for
every tool that needs a range — the calibration's priors, the sensitivity designs, the ensemble —
so that no config writes one of its own. A mapping's range multiplies its defaults (`scale`): for
`parameters.networks` every crime area at once, for `parameters.networks.thb` that entry.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class PlausibleRange:
    """A registered range: at a key path, `low`–`high` (sampled in the logarithm when `log`; a
    multiplier of the default when `scale`), with the unit and where the ends come from."""

    path: str
    low: float
    high: float
    log: bool
    scale: bool
    unit: str
    source: str

    @property
    def label(self) -> str:
        """The name in tables: the path, marked `:scale` when the value multiplies a default."""
        return f"{self.path}:scale" if self.scale else self.path

    def describe(self) -> str:
        """`0.2–0.7`, `8–168 (log)`, `× 0.5–2 of the default`."""
        text = f"{self.low:g}–{self.high:g}"
        text = f"× {text} of the default" if self.scale else text
        return text + (" (log)" if self.log else "")

    def coordinate(self, value: float) -> float:
        """Where a value lies in the range, 0 at `low` and 1 at `high` (in the logarithm for a
        log range); outside the range below 0 or above 1."""
        if self.log:
            return (math.log(value) - math.log(self.low)) / (math.log(self.high)
                                                              - math.log(self.low))
        return (value - self.low) / (self.high - self.low)

    def value_at(self, coordinate: float) -> float:
        """The value at a coordinate in [0, 1] (the inverse of `coordinate`)."""
        if self.log:
            return math.exp(math.log(self.low) + coordinate * (math.log(self.high)
                                                              - math.log(self.low)))
        return self.low + coordinate * (self.high - self.low)


def _extra(field: Any) -> dict[str, Any]:
    return field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}


@functools.cache
def _registry() -> dict[str, PlausibleRange]:
    """Every registered range by key path: a mapping's shared range under the mapping's own
    path, a range by entry under the entry's path."""
    found: dict[str, PlausibleRange] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, f"{prefix}{name}.")
                continue
            extra = _extra(field)
            span = extra.get("plausible")
            if span is None:
                continue
            scale = isinstance(field.default, dict)
            common = {"log": bool(extra.get("plausible_log")), "scale": scale,
                      "unit": "× default" if scale else extra.get("unit", ""),
                      "source": extra.get("range_source") or extra.get("source", "")}
            path = f"{prefix}{name}"
            if isinstance(span, dict):
                for entry, (low, high) in span.items():
                    found[f"{path}.{entry}"] = PlausibleRange(f"{path}.{entry}", low, high,
                                                              **common)
            else:
                found[path] = PlausibleRange(path, span[0], span[1], **common)

    walk(Scenario, "")
    return found


def registered_range(path: str) -> PlausibleRange | None:
    """The registered range at a key path (an entry of a mapping takes the mapping's shared
    range, as a multiplier of that entry's default), or None."""
    registry = _registry()
    if path in registry:
        return registry[path]
    parent, _, entry = path.rpartition(".")
    shared = registry.get(parent)
    if shared is not None and shared.scale and entry:
        defaults = Scenario(name="defaults").model_dump(mode="json")
        node: Any = defaults
        for key in parent.split("."):
            node = node[key]
        if entry in node:
            return PlausibleRange(path, shared.low, shared.high, shared.log, True, shared.unit,
                                  shared.source)
    return None


def shared_range(path: str) -> PlausibleRange | None:
    """For an entry of a mapping whose registered range is shared by all its entries
    (`parameters.networks.thb`), that range (`parameters.networks`); else None."""
    registry = _registry()
    parent = path.rpartition(".")[0]
    if path in registry or parent not in registry or not registry[parent].scale:
        return None
    return registry[parent]


def registered_ranges(prefix: str = "") -> list[PlausibleRange]:
    """Every registered range whose path starts with `prefix` (`parameters.`: the model's
    parameters, not the planner's allocations), in schema order."""
    return [r for path, r in _registry().items() if path.startswith(prefix)]
