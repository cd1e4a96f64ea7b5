"""Generated parts of the docs: the parameter table of docs/ODD.md comes from the schema.

`sim docs parameters` rewrites the text between the markers; a test fails when it is stale.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from sim.scenario.parameters import Parameters
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
        rows.append(f"| `{prefix}{name}` | {default} | {extra['unit']} | "
                    f"{field.description} | {extra['source']} |")
    return rows


def parameter_table() -> str:
    """Markdown table of every documented field: scenario allocations, then model parameters."""
    header = ["| key | default | unit | meaning | source |", "|---|---|---|---|---|"]
    scenario = [r for r in _rows(Scenario, "") if not r.startswith("| `parameters.")]
    return "\n".join(header + scenario + _rows(Parameters, "parameters."))


def render(text: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + parameter_table() + "\n" + text[end:]
