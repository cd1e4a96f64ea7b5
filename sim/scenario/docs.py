"""Generated parts of the docs: the parameter table of docs/ODD.md comes from the schema, with
each value's plausible range (the registry's: what the calibration fits within and the ensemble
samples).

`sim docs parameters` rewrites the text between the markers; a test fails when it is stale.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from sim.scenario.parameters import Parameters
from sim.scenario.ranges import registered_range
from sim.scenario.schema import Scenario

ODD = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
BEGIN, END = "<!-- parameters:begin -->", "<!-- parameters:end -->"


def _rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows += _rows(annotation, f"{prefix}{name}.")
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if "unit" not in extra:
            continue
        default = field.default
        if isinstance(default, dict):
            default = ", ".join(f"{k}: {v:g}" if isinstance(v, int | float) else f"{k}: {v}"
                                for k, v in default.items())
        found = registered_range(f"{prefix}{name}")
        plausible = found.describe() if found is not None else ""
        if isinstance(extra.get("plausible"), dict):
            plausible = "; ".join(f"{entry}: × {low:g}–{high:g}" for entry, (low, high)
                                  in extra["plausible"].items())
        source = extra["source"]
        if extra.get("range_source"):
            source += f". Range: {extra['range_source']}"
        rows.append(f"| `{prefix}{name}` | {default} | {extra['unit']} | {plausible} | "
                    f"{field.description} | {source} |")
    return rows


def parameter_table() -> str:
    """Markdown table of every documented field: scenario allocations, then model parameters."""
    header = ["| key | default | unit | plausible range | meaning | source |",
              "|---|---|---|---|---|---|"]
    scenario = [r for r in _rows(Scenario, "") if not r.startswith("| `parameters.")]
    return "\n".join(header + scenario + _rows(Parameters, "parameters."))


def render(text: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + parameter_table() + "\n" + text[end:]
