"""Findings as sentences, built from a comparison table (`sim.analysis.compare.compare` or a
comparison.csv) and from runs: every number in them comes from the tables, with its interval and
unit, so a notebook states what it found without a number typed in. `table`, `sentence` and
`findings` (the headline of a comparison) live in `sim.analysis.headline` and are re-exported
here; `sim.findings_table` is `table`."""

from __future__ import annotations

import pandas as pd

from sim.analysis.figures import daily_totals
from sim.analysis.figures_places import (
    CHECKED_KINDS,
    DISPLACEMENT_MEASURES,
    displacement_by_replicate,
    displacement_differences,
    short_name,
)
from sim.analysis.headline import MAIN_OUTCOMES, findings, sentence, table
from sim.analysis.pairing import paired_runs
from sim.analysis.style import UNITS, figure_number, label, with_interval
from sim.geography import RouteGraph, load_route_graph
from sim.runs.results import Results
from sim.runs.statistics import paired_difference, reduce

__all__ = ["MAIN_OUTCOMES", "calibration_findings", "daily_findings", "displacement_findings",
           "findings", "place_findings", "sentence", "table"]

def _interval(reduction, unit: str) -> str:
    return (f"{figure_number(reduction.mean)} {unit} (90% interval of the mean "
            f"{figure_number(reduction.mean_ci_low)} to {figure_number(reduction.mean_ci_high)})")


def place_findings(results: Results, route_graph: RouteGraph | None = None,
                   top: int = 3) -> list[str]:
    """The `top` checked places by movements intercepted, each with its mean per action and
    interval, and the share of all interceptions at checked places they hold."""
    route_graph = route_graph or load_route_graph()
    table = displacement_by_replicate(results)["intercepted"].unstack("place", fill_value=0.0)
    kind_of = dict(route_graph.graph.nodes(data="kind"))
    table = table[[p for p in table.columns if kind_of.get(p) in CHECKED_KINDS]]
    order = table.mean().sort_values(ascending=False).index[:top]
    total = table.sum(axis=1)
    lines = []
    for place in order:
        share = table[place].sum() / total.sum() if total.sum() else float("nan")
        mean = _interval(reduce(table[place]), "movements")
        lines.append(f"{short_name(route_graph, place)}: {mean} intercepted per action, "
                     f"{share:.0%} of all interceptions at checked places.")
    return lines


def daily_findings(results: Results, outcome: str = "movements_intercepted") -> str:
    """How `outcome` moves from the first to the last day of the action, with intervals."""
    totals = daily_totals(results)
    days = sorted(totals["day"].unique())
    first = reduce(totals.loc[totals["day"] == days[0], outcome])
    last = reduce(totals.loc[totals["day"] == days[-1], outcome])
    paired = paired_difference(totals[totals["day"] == days[0]].set_index("replicate")[outcome],
                               totals[totals["day"] == days[-1]].set_index("replicate")[outcome])
    unit = UNITS.get(outcome, "")
    return (f"{label(outcome).capitalize()}: day {days[0]} {_interval(first, unit)}, day "
            f"{days[-1]} {_interval(last, unit)}; change over the action "
            f"{with_interval(paired.mean, paired.mean_ci_low, paired.mean_ci_high, unit, 0.9)}.")


def displacement_findings(base: Results, other: Results, route_graph: RouteGraph | None = None,
                          top: int = 3) -> list[str]:
    """The places whose interceptions, deliveries through them or reroutes through them change
    most (other − base, paired over the replicates both runs share), each with its interval;
    only changes whose interval excludes 0."""
    route_graph = route_graph or load_route_graph()
    kind_of = dict(route_graph.graph.nodes(data="kind"))
    pairing = paired_runs(base, other)
    table = displacement_differences(pairing)
    table = table[table["place"].map(kind_of).isin(CHECKED_KINDS)
                  & ((table["ci_low"] > 0) | (table["ci_high"] < 0))]
    table = table.reindex(table["difference"].abs().sort_values(ascending=False).index)
    names = f"{label(other.scenario_name)} − {label(base.scenario_name)}"
    lines = []
    for row in table.head(top).itertuples():
        change = with_interval(row.difference, row.ci_low, row.ci_high, "movements", 0.9)
        lines.append(f"{short_name(route_graph, row.place)}, "
                     f"{DISPLACEMENT_MEASURES[row.measure]}: {change} "
                     f"per action ({names}, {pairing.label()}; base "
                     f"{figure_number(row.base)}).")
    return lines or [f"No checked place changes clearly between {label(base.scenario_name)} "
                     f"and {label(other.scenario_name)} at this replicate count "
                     f"({pairing.label()})."]


def calibration_findings(table: pd.DataFrame) -> list[str]:
    """From `sim.analysis.compare.calibration_table`: how many published outcomes the mean
    meets, and each one outside its band with its mean, spread and band."""
    inside = int(table["inside_band"].sum())
    lines = [f"{inside} of {len(table)} published outcomes have the simulated mean inside "
             f"their calibration band ({int(table['n'].min())} replicates)."]
    for row in table[~table["inside_band"]].itertuples():
        lines.append(f"Outside: {label(row.outcome)}, simulated {figure_number(row.mean)} "
                     f"{row.unit} (5–95% of replicates {figure_number(row.p5)} to "
                     f"{figure_number(row.p95)}) against {figure_number(row.published)} "
                     f"published, band {figure_number(row.band_low)} to "
                     f"{figure_number(row.band_high)}.")
    return lines
