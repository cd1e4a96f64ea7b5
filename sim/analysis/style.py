"""What every figure and written finding shares: one label per scenario, outcome and crime
area, one colour per scenario, units, and how a number and its interval are written."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from sim.model.outcomes import HARM_LABELS, HARM_OUTCOMES, OUTCOMES
from sim.model.outcomes import LABELS as OUTCOME_LABELS
from sim.runs.results import Results, load

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000")
SCENARIO_COLOURS = {"jad_see_2023": "#000000", "business_as_usual": "#E69F00",
                    "no_scanning_teams": "#56B4E9", "scanning_teams_at_busiest": "#009E73",
                    "frontex_doubled": "#0072B2", "no_coordination_centre": "#D55E00",
                    "random_checks": "#CC79A7", "longer_action": "#F0E442"}
CRIME_AREA_COLOURS = {"migrant_smuggling": "#0072B2", "drug_trafficking": "#D55E00",
                      "firearms_trafficking": "#000000", "thb": "#CC79A7",
                      "high_risk_networks": "#E69F00"}
UNITS = {o.name: o.unit for o in (*OUTCOMES, *HARM_OUTCOMES)}
# One label per shipped scenario, the same in the README, the figures and the notebooks.
SCENARIO_LABELS = {"jad_see_2023": "JAD SEE 2023 baseline",
                   "business_as_usual": "business as usual",
                   "no_scanning_teams": "no scanning teams",
                   "scanning_teams_at_busiest": "scanning teams at the busiest crossings",
                   "frontex_doubled": "Frontex doubled",
                   "no_coordination_centre": "no coordination centre",
                   "random_checks": "random checks",
                   "longer_action": "ten-day action"}
CRIME_AREA_LABELS = {"thb": "trafficking in human beings"}
# Scenarios far from the policy choices (no action at all): drawn apart so they do not set the
# scale on which the policy effects (a few per cent) must be read.
EXTREME_SCENARIOS = ("business_as_usual",)
ResultsLike = Results | str | Path


def label(name: str) -> str:
    """A scenario, outcome or crime-area id as words: `no_scanning_teams` → `no scanning
    teams`, `jad_see_2023` → `JAD SEE 2023 baseline`; an outcome by its label in the outcome
    registry (`sim.model.outcomes.LABELS`, `HARM_LABELS`)."""
    return (SCENARIO_LABELS.get(name) or CRIME_AREA_LABELS.get(name) or OUTCOME_LABELS.get(name)
            or HARM_LABELS.get(name) or name.replace("_", " "))


def outcome_label(outcome: str) -> str:
    unit = UNITS.get(outcome, "")
    return f"{label(outcome)} ({unit})" if unit else label(outcome)


def as_results(results: ResultsLike) -> Results:
    return results if isinstance(results, Results) else load(results)


def colours(names: Sequence[str]) -> dict[str, str]:
    """A colour per scenario, the same in every figure: the shipped scenarios have their own
    (`SCENARIO_COLOURS`), others take the unused Okabe–Ito colours in order."""
    spare = [c for c in OKABE_ITO if c not in SCENARIO_COLOURS.values()] or list(OKABE_ITO)
    result, unknown = {}, 0
    for name in names:
        if name in SCENARIO_COLOURS:
            result[name] = SCENARIO_COLOURS[name]
        else:
            result[name] = spare[unknown % len(spare)]
            unknown += 1
    return result


def figure_number(value: float, *, signed: bool = False) -> str:
    """A number as written in a finding: thousands separated, three significant digits below
    100 (so small effects are not rounded to zero), a sign when `signed`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    if "e" in text:  # below 0.001: as good as nothing at the scale of any outcome
        text = f"{value:.4f}"
    if float(text.replace(",", "")) == 0:
        text = "0"
    return f"+{text}" if signed and not text.startswith("-") and value > 0 else text


def with_interval(difference: float, low: float, high: float, unit: str = "",
                  level: float | None = None) -> str:
    """`+11 persons (90% interval +7.1 to +15)`: the sign always written."""
    unit = f" {unit}" if unit else ""
    name = f"{level:.0%} interval " if level is not None else ""
    return (f"{figure_number(difference, signed=True)}{unit} ({name}"
            f"{figure_number(low, signed=True)} to {figure_number(high, signed=True)})")
