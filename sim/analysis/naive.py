"""The spreadsheet's answer: what a planner gets without a model.

Take the figure JAD SEE 2023 published for an outcome and scale it by the officer-days a
scenario commits (the countries' officers × the action's days) over the baseline's:

    naive difference = published × (officers × days) ÷ (base officers × base days) − published

Every officer-day finds what an officer-day found in 2023: no queue, no displacement, no
diminishing return, no information moving between countries. An allocation that moves no
officer (the scanning teams, Frontex units, the coordination centre, random checks instead of
risk profiles) changes nothing; fewer officers change everything in proportion. A scenario whose
action lasts another number of days is compared per day, as `sim.analysis.compare` compares it:
then the naive difference per day is (published ÷ base days) × (officers ÷ base officers − 1).

The published figures come from sim/data/targets.csv; `drugs_kg_total` is published as the sum
of its parts (cocaine and the other drugs). Outcomes 2023 did not publish get no naive estimate.
`sim reference` writes the table beside its comparison (naive.csv) and its table shows it next
to the model's difference (docs/analysis.md, "Reference results").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.runs.results import Results, read_table
from sim.scenario.schema import Scenario

NAIVE_FILE = "naive.csv"
COLUMNS = ("scenario", "outcome", "published", "officers", "days", "base_officers",
           "base_days", "per_day", "naive_difference")
# Outcomes the targets publish in parts: the published figure is the sum of the parts'.
PUBLISHED_SUMS = {"drugs_kg_total": ("cocaine_kg", "other_drugs_kg")}


@dataclass(frozen=True)
class Staffing:
    """What a spreadsheet knows of a scenario: the officers the countries commit and the days
    the action lasts."""

    officers: int
    days: int

    @property
    def officer_days(self) -> int:
        return self.officers * self.days


def staffing(scenario: Scenario | Results) -> Staffing:
    """A scenario's officers (`Scenario.officers_total`) and action days, from the scenario or
    from the resolved scenario a run's manifest holds."""
    if isinstance(scenario, Results):
        scenario = Scenario.model_validate(scenario.manifest["scenario"])
    return Staffing(scenario.officers_total, scenario.action.days)


def published_figures(targets: pd.DataFrame) -> dict[str, float]:
    """The published 2023 figure by outcome (targets.csv's `published`), with the outcomes
    published in parts (`PUBLISHED_SUMS`) as the sum of their parts when every part is there."""
    figures = {str(row.outcome): float(row.published) for row in targets.itertuples()}
    for outcome, parts in PUBLISHED_SUMS.items():
        if outcome not in figures and all(part in figures for part in parts):
            figures[outcome] = sum(figures[part] for part in parts)
    return figures


def naive_difference(published: float, base: Staffing, scenario: Staffing, *,
                     per_day: bool = False) -> float:
    """The published figure scaled by the scenario's officer-days over the baseline's, minus
    the published figure; `per_day`, both divided by their own days (the comparison of actions
    of different lengths)."""
    if base.officer_days <= 0:
        raise ValueError("the baseline commits no officer-days: there is nothing to scale by")
    if per_day:  # published × (o × d) ÷ (o₀ × d₀) ÷ d − published ÷ d₀
        return published / base.days * (scenario.officers / base.officers - 1)
    return published * (scenario.officer_days / base.officer_days - 1)


def naive_table(staffings: Mapping[str, Staffing], base: Staffing,
                figures: Mapping[str, float], outcomes: list[str] | None = None
                ) -> pd.DataFrame:
    """One row per scenario and published outcome (`COLUMNS`): the naive difference from the
    baseline, per day when the scenario's action lasts another number of days than the
    baseline's. `outcomes` keeps only those (default: every published one)."""
    rows = []
    for name, scenario in staffings.items():
        per_day = scenario.days != base.days
        for outcome, published in figures.items():
            if outcomes is not None and outcome not in outcomes:
                continue
            rows.append({"scenario": name, "outcome": outcome, "published": published,
                         "officers": scenario.officers, "days": scenario.days,
                         "base_officers": base.officers, "base_days": base.days,
                         "per_day": per_day,
                         "naive_difference": naive_difference(published, base, scenario,
                                                              per_day=per_day)})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def read_naive(folder: Path) -> pd.DataFrame | None:
    """A reference folder's naive.csv, or None when it has none."""
    path = Path(folder) / NAIVE_FILE
    return read_table(path) if path.is_file() else None
