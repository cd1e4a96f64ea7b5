"""The analysts' figures: each function takes result tables and returns a matplotlib Figure.

Forest plot of differences from a base, map of interceptions, day-by-day outcomes, the
detections-against-waiting trade-off, displacement, and calibration against the published
figures. Figures are built without pyplot, so they render headless (Agg) and in notebooks
alike; colours are the Okabe–Ito palette (safe for colour blindness), places are named, not
numbered. Every statistic comes from `sim.runs.statistics.reduce` or the comparison table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import NullFormatter

from sim.analysis.compare import calibration_table, compare
from sim.analysis.figures_places import (
    CHECKED_KINDS,
    delivered_route_places,
    detection_map,
    displacement,
    displacement_by_place,
    interceptions_by_place,
    new_route_places,
)
from sim.analysis.pairing import Pairing, paired_runs
from sim.analysis.style import (
    CRIME_AREA_COLOURS,
    EXTREME_SCENARIOS,
    OKABE_ITO,
    SCENARIO_COLOURS,
    SCENARIO_LABELS,
    UNITS,
    ResultsLike,
    as_results,
    colours,
    figure_number,
    label,
    outcome_label,
)
from sim.geography import RouteGraph, load_route_graph
from sim.model.outcomes import PLACE_OUTCOMES, with_derived
from sim.runs.results import Results
from sim.runs.statistics import differences_by, reduce

__all__ = ["CHECKED_KINDS", "CRIME_AREA_COLOURS", "OKABE_ITO", "SCENARIO_COLOURS",
           "SCENARIO_LABELS", "as_results", "calibration", "colours", "comparison_figures",
           "daily_totals", "day_by_day", "delivered_route_places", "detection_map",
           "displacement", "displacement_by_place", "forest_plot", "interceptions_by_place",
           "label", "new_route_places", "outcome_label", "save_figures", "trade_off"]

FOREST_OUTCOMES = ("checks_total", "illegal_entries_detected", "arrests_total",
                   "weapons_seized", "drugs_kg_total", "movements_intercepted",
                   "movements_delivered", "cases_opened", "mean_wait_minutes")
DAILY_OUTCOMES = ("checks_total", "illegal_entries_detected", "arrests_total",
                  "weapons_seized", "drugs_kg_total", "movements_intercepted")


def save_figures(figures: Mapping[str, Figure], out: str | Path,
                 formats: Sequence[str] = ("png", "svg"), dpi: int = 110) -> list[Path]:
    """Write each figure as `<name>.<format>` into `out`; returns the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, figure in figures.items():
        for extension in formats:
            path = out / f"{name}.{extension}"
            with matplotlib.rc_context({"svg.hashsalt": "jad-see"}):  # same figure, same bytes
                figure.savefig(path, dpi=dpi,
                               metadata={"Date": None} if extension == "svg" else {})
            written.append(path)
    return written


# --- forest plot -----------------------------------------------------------------------------

def _edge_note(ax, value: float, low: float, high: float, y: float, colour: str,
               text: str) -> None:
    """A point beyond the panel's scale: an arrow at the edge it lies past, with its value."""
    left, right = ax.get_xlim()
    past_right = value > right
    x = right if past_right else left
    ax.annotate(text, (x, y), xytext=(-4 if past_right else 4, 0), textcoords="offset points",
                ha="right" if past_right else "left", va="center", fontsize=7, color=colour,
                arrowprops=None, zorder=4)
    ax.plot([x], [y], marker=">" if past_right else "<", color=colour, markersize=6,
            clip_on=False, zorder=4)


def forest_plot(comparison: pd.DataFrame, outcomes: Sequence[str] = FOREST_OUTCOMES,
                extreme: Sequence[str] = EXTREME_SCENARIOS) -> Figure:
    """Small multiples: one panel per outcome, each on its own scale, with every scenario's
    difference from the base as % of the base mean and its interval. The scale of a panel is
    set by the policy scenarios; an `extreme` scenario (business as usual) beyond it is an arrow
    at the edge with its value written. A scenario compared per day (an action of another
    length, `per_day` in the table) says so in its label."""
    table = comparison[comparison["outcome"].isin(outcomes)]
    outcomes = [o for o in outcomes if o in set(table["outcome"])]
    scenarios = list(dict.fromkeys(table["scenario"]))
    palette = colours(scenarios)
    per_day = (set(table.loc[table["per_day"].astype(bool), "scenario"])
               if "per_day" in table else set())
    columns = 3 if len(outcomes) > 4 else max(len(outcomes), 1)
    rows = math.ceil(len(outcomes) / columns)
    figure = Figure(figsize=(4.0 * columns + 2.4, 1.2 + (0.75 + 0.28 * len(scenarios)) * rows),
                    layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False, sharey=True).ravel()
    y = np.arange(len(scenarios))
    for ax, outcome in zip(axes, outcomes, strict=False):
        rows_of = table[table["outcome"] == outcome].set_index("scenario").reindex(scenarios)
        base_mean = rows_of["base_mean"].to_numpy(float)
        x = 100 * rows_of["difference"].to_numpy(float) / base_mean
        low = 100 * rows_of["ci_low"].to_numpy(float) / base_mean
        high = 100 * rows_of["ci_high"].to_numpy(float) / base_mean
        inside = np.array([s not in extreme for s in scenarios]) & np.isfinite(x)
        span = np.concatenate([low[inside], high[inside], [0.0]])
        reach = max(float(np.nanmax(np.abs(span))) if span.size else 1.0, 0.5) * 1.15
        ax.set_xlim(-reach, reach)
        for i, scenario in enumerate(scenarios):
            if not np.isfinite(x[i]):
                continue
            if abs(x[i]) > reach:
                _edge_note(ax, x[i], low[i], high[i], y[i], palette[scenario],
                           f"{x[i]:+.0f}%")
                continue
            ax.errorbar([x[i]], [y[i]], xerr=[[x[i] - low[i]], [high[i] - x[i]]], fmt="o",
                        markersize=4, capsize=2, color=palette[scenario], elinewidth=1.2)
        ax.axvline(0, color="#444444", linewidth=0.8, zorder=0)
        ax.grid(axis="x", color="#EEEEEE")
        unit = UNITS.get(outcome, "")
        mean = figure_number(float(np.nanmean(base_mean)))
        ax.set_title(f"{label(outcome)}\n(base mean {mean} {unit})", fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in axes[len(outcomes):]:
        ax.set_visible(False)
    names = [label(s) + (" (per day)" if s in per_day else "") for s in scenarios]
    for ax in axes[::columns]:
        ax.set_yticks(y, names)
        for tick, scenario in zip(ax.get_yticklabels(), scenarios, strict=True):
            tick.set_color(palette[scenario] if palette[scenario] != "#F0E442" else "#8A7F00")
    axes[0].set_ylim(len(scenarios) - 0.5, -0.5)
    base = table["base"].iloc[0] if len(table) else "base"
    level = table["level"].iloc[0] if len(table) else math.nan
    figure.supxlabel(f"difference from {label(base)}, % of its mean (each panel its own scale; "
                     f"bars: {level:.0%} interval of the difference; arrows: off the scale)",
                     fontsize=9)
    figure.suptitle(f"What each allocation changes against {label(base)} "
                    f"({replicate_counts(table)})")
    return figure


def replicate_counts(comparison: pd.DataFrame) -> str:
    """What a comparison's differences rest on, from its `n` and `paired` columns: '10 paired
    replicates each' (a base with more replicates is said in the comparison's note)."""
    if comparison.empty:
        return "no replicates"
    rows = comparison.drop_duplicates("scenario")
    paired = bool(rows["paired"].astype(bool).all())
    counts = sorted(set(rows["n"].astype(int)))
    text = (f"{counts[0]:,}" if len(counts) == 1 else f"{counts[0]:,} to {counts[-1]:,}")
    return text + (" paired replicates each" if paired
                   else " replicates each (unpaired: seeds differ)")


# --- day by day ------------------------------------------------------------------------------

def daily_totals(results: Results) -> pd.DataFrame:
    """One row per replicate and day: every place outcome summed over places, with the derived
    totals (checks_total, arrests_total, drugs_kg_total)."""
    summed = results.daily.groupby(["replicate", "day"])[list(PLACE_OUTCOMES)].sum()
    derived = with_derived({column: summed[column] for column in PLACE_OUTCOMES})
    return pd.DataFrame(derived).reset_index()


def daily_differences(base: ResultsLike | Pairing, other: ResultsLike | None = None,
                      outcome: str = "movements_intercepted") -> pd.DataFrame:
    """Per day both runs have: the difference other − base of `outcome` (mean and its 90%
    interval), paired over the replicates both runs share when their seeds match
    (`sim.analysis.pairing.paired_runs`), else as independent samples."""
    pairing = base if isinstance(base, Pairing) else paired_runs(base, other)
    a = daily_totals(pairing.base).set_index(["replicate", "day"])[outcome]
    b = daily_totals(pairing.other).set_index(["replicate", "day"])[outcome]
    table = differences_by(a, b, paired=pairing.paired)
    return table[["day", "difference", "ci_low", "ci_high", "n"]]


def day_by_day(results: Sequence[ResultsLike], outcomes: Sequence[str] = DAILY_OUTCOMES
               ) -> Figure:
    """The main outcomes over the action's days. One run: its daily mean with the 90% interval
    of the mean (band). Several: the first is the base, and each other's paired difference
    from it per day (points with 90% intervals; 0 = the base)."""
    runs = [as_results(r) for r in results]
    base, others = runs[0], runs[1:]
    pairings = [paired_runs(base, other) for other in others]
    palette = colours([r.scenario_name for r in runs])
    columns = 3
    rows = math.ceil(len(outcomes) / columns)
    figure = Figure(figsize=(12.5, 3.3 * rows + 0.9), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for ax, outcome in zip(axes, outcomes, strict=False):
        unit = UNITS.get(outcome, "")
        if not others:
            by_day = [(day, reduce(group[outcome]))
                      for day, group in daily_totals(base).groupby("day")]
            days = [day for day, _ in by_day]
            ax.fill_between(days, [r.mean_ci_low for _, r in by_day],
                            [r.mean_ci_high for _, r in by_day], color="#000000", alpha=0.15,
                            linewidth=0)
            ax.plot(days, [r.mean for _, r in by_day], marker="o", markersize=3,
                    color=palette[base.scenario_name], label=label(base.scenario_name))
            ax.set_ylim(bottom=0)
            ax.set_ylabel(f"{unit} per day (axis from 0)")
        for shift, pairing in zip(np.linspace(-0.2, 0.2, max(len(others), 1)), pairings,
                                  strict=False):
            other = pairing.other
            table = daily_differences(pairing, outcome=outcome)
            ax.errorbar(table["day"] + shift, table["difference"],
                        yerr=[table["difference"] - table["ci_low"],
                              table["ci_high"] - table["difference"]], fmt="o-",
                        markersize=3.5, capsize=2, linewidth=0.8,
                        color=palette[other.scenario_name], label=label(other.scenario_name))
        if others:
            ax.axhline(0, color="#444444", linewidth=0.8, zorder=0)
            ax.set_ylabel(f"difference, {unit} per day\n(0 = {label(base.scenario_name)})")
        ax.set_title(label(outcome), fontsize=10)
        ax.set_xlabel("day of the action")
        ax.grid(color="#EEEEEE")
    for ax in axes[len(outcomes):]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8)
    figure.suptitle(
        f"Day by day: {label(base.scenario_name)}, mean per day (band: 90% interval of the "
        f"mean, {len(base.summary)} replicates)" if not others else
        f"Day by day: each scenario's difference from {label(base.scenario_name)} per day "
        f"(bars: 90% intervals; {'; '.join(_pairing_labels(pairings))})")
    return figure


def _pairing_labels(pairings: Sequence[Pairing]) -> list[str]:
    """Each scenario's pairing in words, said once when all are alike."""
    labels = [pairing.label() for pairing in pairings]
    if len(set(labels)) == 1:
        return labels[:1]
    return [f"{label(p.other.scenario_name)} {text}" for p, text in
            zip(pairings, labels, strict=True)]


# --- trade-off -------------------------------------------------------------------------------

def trade_off(results: Sequence[ResultsLike], detections: str = "movements_intercepted",
              cost: str = "mean_wait_minutes", extreme: Sequence[str] = EXTREME_SCENARIOS
              ) -> Figure:
    """Detections against legitimate traffic's wait at the border, as paired differences from
    the first run (the base, at 0, 0), with their 90% intervals; totals of an action of another
    length are compared per day. An `extreme` scenario is reported under the plot, not drawn,
    so it does not set the scale of the policy choices."""
    runs = [as_results(r) for r in results]
    base, others = runs[0], runs[1:]
    table = compare(base, others, outcomes=[cost, detections]) if others else pd.DataFrame()
    palette = colours([r.scenario_name for r in runs])
    figure = Figure(figsize=(9.5, 6.4), layout="constrained")
    ax = figure.add_subplot()
    notes = []
    for other in others:
        name = other.scenario_name
        rows = table[table["scenario"] == name].set_index("outcome")
        x, y = rows.loc[cost], rows.loc[detections]
        per_day = " (per day)" if bool(y.get("per_day", False)) else ""
        if name in extreme:
            wait = figure_number(x["difference"], signed=True)
            found = figure_number(y["difference"], signed=True)
            notes.append(f"{label(name)} (not drawn): wait {wait} min, {label(detections)} "
                         f"{found}")
            continue
        ax.errorbar([x["difference"]], [y["difference"]],
                    xerr=[[x["difference"] - x["ci_low"]], [x["ci_high"] - x["difference"]]],
                    yerr=[[y["difference"] - y["ci_low"]], [y["ci_high"] - y["difference"]]],
                    fmt="o", markersize=7, capsize=3, color=palette[name],
                    label=label(name) + per_day)
    ax.plot([0], [0], marker="s", color=palette[base.scenario_name], markersize=8,
            linestyle="", label=f"{label(base.scenario_name)} (0, 0)")
    ax.axhline(0, color="#444444", linewidth=0.8, zorder=0)
    ax.axvline(0, color="#444444", linewidth=0.8, zorder=0)
    ax.set(xlabel=f"change in {label(cost)} of legitimate vehicles at crossings "
                  f"({UNITS.get(cost, '')}; 0 = base)",
           ylabel=f"change in {label(detections)} ({UNITS.get(detections, '')} over the "
                  "action; 0 = base)")
    ax.grid(color="#EEEEEE")
    ax.legend(title="scenario", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    pairings = [paired_runs(base, other) for other in others]
    ax.set_title("What the action costs the public at the border: detections against waiting"
                 f"\n(differences from {label(base.scenario_name)}, bars: 90% intervals; "
                 f"{'; '.join(_pairing_labels(pairings))})", fontsize=11)
    if notes:
        figure.supxlabel("; ".join(notes), fontsize=8, color="#555555")
    return figure


# --- calibration -----------------------------------------------------------------------------

def calibration(results: ResultsLike, targets: pd.DataFrame | None = None) -> Figure:
    """Simulated mean and 5–95% of replicates against each published figure and its band
    (`sim.analysis.compare.calibration_table`), all as a ratio to the published figure so
    outcomes of every size share one axis; targets default to sim/data/targets.csv."""
    results = as_results(results)
    table = calibration_table(results, targets)
    figure = Figure(figsize=(9, 1.4 + 0.38 * len(table)), layout="constrained")
    ax = figure.add_subplot()
    y = np.arange(len(table))[::-1]
    for row, position in zip(table.itertuples(), y, strict=True):
        ax.fill_betweenx([position - 0.35, position + 0.35], row.band_low / row.published,
                         row.band_high / row.published, color="#DDDDDD", linewidth=0)
        ax.errorbar([row.ratio], [position],
                    xerr=[[(row.mean - row.p5) / row.published],
                          [(row.p95 - row.mean) / row.published]],
                    fmt="o", capsize=3, color=OKABE_ITO[0] if row.inside_band else OKABE_ITO[5])
    ax.axvline(1, color="#444444", linewidth=0.8)
    ax.set_yticks(y, [f"{label(o)} (published {p:,.0f} {u})"
                      for o, p, u in zip(table["outcome"], table["published"], table["unit"],
                                         strict=True)])
    ax.set_xscale("log")
    low, high = ax.get_xlim()
    ticks = [t for t in (0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 10) if low <= t <= high]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.grid(axis="x", color="#EEEEEE")
    ax.set_xlabel("simulated ÷ published (log scale; grey: calibration band;\n"
                  "dot: mean, bar: 5–95% of replicates)")
    ax.legend(handles=[Line2D([], [], ls="", marker="o", color=OKABE_ITO[0],
                              label="mean inside the band"),
                       Line2D([], [], ls="", marker="o", color=OKABE_ITO[5],
                              label="mean outside the band")], fontsize=8,
              loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title(f"{label(results.scenario_name)} against the published JAD SEE 2023 "
                 f"results\n({len(results.summary)} replicates)")
    return figure


# --- the set the CLI writes ------------------------------------------------------------------

def comparison_figures(base: ResultsLike, others: Sequence[ResultsLike],
                       comparison: pd.DataFrame, *, displaced: Sequence[str] | None = None,
                       overlaid: Sequence[str] | None = None,
                       route_graph: RouteGraph | None = None) -> dict[str, Figure]:
    """Every figure of a comparison, by file name: forest, trade_off, day_by_day (base and the
    scenarios named in `overlaid`, or all), map and calibration (base), and
    displacement_<scenario> (each scenario named in `displaced`, or all)."""
    base, others = as_results(base), [as_results(o) for o in others]
    route_graph = route_graph or load_route_graph()
    daily = [o for o in others if overlaid is None or o.scenario_name in overlaid]
    figures = {"forest": forest_plot(comparison), "trade_off": trade_off([base, *others]),
               "day_by_day": day_by_day([base, *daily]),
               "map": detection_map(base, route_graph), "calibration": calibration(base)}
    for other in others:
        if displaced is None or other.scenario_name in displaced:
            figures[f"displacement_{other.scenario_name}"] = displacement(base, other,
                                                                          route_graph)
    return figures
