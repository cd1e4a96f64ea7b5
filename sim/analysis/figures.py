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

from sim.analysis.compare import calibration_table
from sim.geography import RouteGraph, load_route_graph
from sim.geography.map import REGION
from sim.model.outcomes import OUTCOMES, PLACE_OUTCOMES, with_derived
from sim.runs.results import Results, load
from sim.runs.statistics import reduce

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000")
SCENARIO_COLOURS = {"jad_see_2023": "#000000", "business_as_usual": "#E69F00",
                    "no_scanning_teams": "#56B4E9", "scanning_teams_at_busiest": "#009E73",
                    "frontex_doubled": "#0072B2", "no_coordination_centre": "#D55E00",
                    "random_checks": "#CC79A7", "longer_action": "#F0E442"}
CRIME_AREA_COLOURS = {"migrant_smuggling": "#0072B2", "drug_trafficking": "#D55E00",
                      "firearms_trafficking": "#000000", "thb": "#CC79A7",
                      "high_risk_networks": "#E69F00"}
UNITS = {o.name: o.unit for o in OUTCOMES}
FOREST_OUTCOMES = ("checks_total", "illegal_entries_detected", "arrests_total",
                   "weapons_seized", "drugs_kg_total", "movements_intercepted",
                   "movements_delivered", "cases_opened", "mean_wait_minutes")
DAILY_OUTCOMES = ("checks_total", "illegal_entries_detected", "arrests_total",
                  "weapons_seized", "drugs_kg_total", "movements_intercepted")
CHECKED_KINDS = ("crossing", "green_border")
ResultsLike = Results | str | Path


SCENARIO_LABELS = {"jad_see_2023": "JAD SEE 2023 baseline"}
CRIME_AREA_LABELS = {"thb": "trafficking in human beings"}


def label(name: str) -> str:
    """A scenario, outcome or crime-area id as words: `no_scanning_teams` → `no scanning
    teams`, `jad_see_2023` → `JAD SEE 2023 baseline`."""
    return SCENARIO_LABELS.get(name) or CRIME_AREA_LABELS.get(name) or name.replace("_", " ")


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

def forest_plot(comparison: pd.DataFrame, outcomes: Sequence[str] = FOREST_OUTCOMES) -> Figure:
    """Each scenario's difference from the base, per outcome, as % of the base mean with its
    interval: one row per scenario × outcome, outcomes grouped, scenarios coloured."""
    table = comparison[comparison["outcome"].isin(outcomes)]
    outcomes = [o for o in outcomes if o in set(table["outcome"])]
    scenarios = list(dict.fromkeys(table["scenario"]))
    palette = colours(scenarios)
    rows_per_group = len(scenarios) + 1
    figure = Figure(figsize=(9, 1.2 + 0.17 * rows_per_group * len(outcomes)),
                    layout="constrained")
    ax = figure.add_subplot()
    for position, scenario in enumerate(scenarios):
        rows = table[table["scenario"] == scenario].set_index("outcome").reindex(outcomes)
        y = [g * rows_per_group + position for g in range(len(outcomes))]
        x = 100 * rows["relative_difference"].to_numpy(float)
        low = 100 * (rows["ci_low"] / rows["base_mean"]).to_numpy(float)
        high = 100 * (rows["ci_high"] / rows["base_mean"]).to_numpy(float)
        ax.errorbar(x, y, xerr=[x - low, high - x], fmt="o", markersize=4, capsize=2,
                    color=palette[scenario], label=label(scenario), elinewidth=1.2)
    ax.axvline(0, color="#444444", linewidth=0.8, zorder=0)
    for g in range(1, len(outcomes)):
        ax.axhline(g * rows_per_group - 1, color="#DDDDDD", linewidth=0.6, zorder=0)
    ax.set_yticks([g * rows_per_group + (len(scenarios) - 1) / 2 for g in range(len(outcomes))],
                  [outcome_label(o) for o in outcomes])
    ax.set_ylim(len(outcomes) * rows_per_group - 1, -1)
    ax.grid(axis="x", color="#EEEEEE")
    base = table["base"].iloc[0] if len(table) else "base"
    level = table["level"].iloc[0] if len(table) else math.nan
    replicates = int(table["n"].min()) if len(table) else 0
    ax.set_xlabel(f"difference from {label(base)} (% of its mean; bars: {level:.0%} interval)")
    ax.set_title(f"What each allocation changes against {label(base)} "
                 f"({replicates} replicates each)")
    ax.legend(title="scenario", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return figure


# --- map -------------------------------------------------------------------------------------

def _background(ax, route_graph: RouteGraph) -> None:
    """The route graph in grey: roads and sea lanes, places, country codes."""
    graph, position = route_graph.graph, route_graph.layout()
    for u, v, mode in graph.edges(data="mode"):
        (x0, y0), (x1, y1) = position[u], position[v]
        ax.plot([x0, x1], [y0, y1], color="#C8C8C8", linewidth=0.6,
                linestyle=":" if mode == "sea" else "-", zorder=1)
    xs, ys = zip(*position.values(), strict=True)
    ax.scatter(xs, ys, s=4, color="#999999", zorder=2)
    for country, group in route_graph.places.groupby("country"):
        ax.text(group["lon"].mean(), group["lat"].mean(), country, ha="center", va="center",
                fontsize=16, fontweight="bold", color="#E2E2E2", zorder=0, clip_on=True)


def interceptions_by_place(results: ResultsLike, route_graph: RouteGraph | None = None,
                           kinds: Sequence[str] = CHECKED_KINDS) -> pd.DataFrame:
    """Mean interceptions per replicate at each place of `kinds`, by crime area (one column
    each) and in total, busiest first; indexed by place id, with the place's name."""
    results, route_graph = as_results(results), route_graph or load_route_graph()
    events = results.events[results.events["kind"] == "interception"]
    kind_of = dict(route_graph.graph.nodes(data="kind"))
    events = events[events["place"].map(kind_of).isin(kinds)]
    replicates = max(len(results.summary), 1)
    table = events.groupby(["place", "crime_area"]).size().unstack(fill_value=0) / replicates
    table.columns.name = None
    table = table.assign(total=table.sum(axis=1)).sort_values("total", ascending=False)
    table.insert(0, "place_name", [route_graph.place_name(p) for p in table.index])
    return table


def _spaced(places: Sequence[str], position: Mapping[str, tuple[float, float]], count: int,
            apart: float = 0.8) -> list[str]:
    """The first `count` places (in the given order) at least `apart` degrees from every place
    already chosen, so their names do not overlap."""
    chosen: list[str] = []
    for place in places:
        if len(chosen) == count:
            break
        x, y = position[place]
        if all(math.hypot(x - position[c][0], y - position[c][1]) >= apart for c in chosen):
            chosen.append(place)
    return chosen


def detection_map(results: ResultsLike, route_graph: RouteGraph | None = None,
                  named: int = 8) -> Figure:
    """Interceptions at each crossing and green-border sector as sized markers, one colour per
    crime area (markers of one place fanned out around it); the busiest `named` are named."""
    results, route_graph = as_results(results), route_graph or load_route_graph()
    counts = interceptions_by_place(results, route_graph).drop(columns=["place_name", "total"])
    figure = Figure(figsize=(10, 8.5), layout="constrained")
    ax = figure.add_subplot()
    _background(ax, route_graph)
    position = route_graph.layout()
    areas = [a for a in CRIME_AREA_COLOURS if a in counts.columns]
    scale = 600 / max(float(counts.to_numpy().max()), 1.0) if len(counts) else 1.0
    for i, area in enumerate(areas):
        angle = 2 * math.pi * i / max(len(areas), 1)
        offset = (0.12 * math.cos(angle), 0.09 * math.sin(angle))
        rows = counts[counts[area] > 0]
        ax.scatter([position[p][0] + offset[0] for p in rows.index],
                   [position[p][1] + offset[1] for p in rows.index], s=rows[area] * scale,
                   color=CRIME_AREA_COLOURS[area], alpha=0.75, edgecolors="white",
                   linewidths=0.5, zorder=3, label=label(area))
    for place in _spaced(counts.sum(axis=1).sort_values(ascending=False).index, position,
                         named):
        ax.annotate(route_graph.place_name(place), position[place], (8, 6),
                    textcoords="offset points", fontsize=7, zorder=4,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                          "alpha": 0.8})
    top = float(counts.to_numpy().max()) if len(counts) else 1.0
    sizes = [s for s in (1, 5, 20, 50, 100) if s <= top][-3:] or [1]
    size_handles = [Line2D([], [], ls="", marker="o", color="#777777",
                           markersize=math.sqrt(s * scale), label=f"{s:g}")
                    for s in sizes]
    area_handles = [Line2D([], [], ls="", marker="o", markersize=8, alpha=0.75,
                           color=CRIME_AREA_COLOURS[a], label=label(a)) for a in areas]
    first = ax.legend(handles=area_handles, title="crime area", loc="upper right", fontsize=8)
    ax.add_artist(first)
    ax.legend(handles=size_handles, title="movements intercepted", loc="lower right",
              fontsize=8, labelspacing=1.5, borderpad=1)
    ax.set(xlim=REGION[:2], ylim=REGION[2:], xlabel="longitude (°E)", ylabel="latitude (°N)")
    ax.set_aspect(1 / math.cos(math.radians(44)))
    ax.set_title(f"Where {label(results.scenario_name)} intercepts criminal movements: "
                 f"crossings and green-border sectors\n(mean over the action, "
                 f"{len(results.summary)} replicates)")
    return figure


# --- day by day ------------------------------------------------------------------------------

def daily_totals(results: Results) -> pd.DataFrame:
    """One row per replicate and day: every place outcome summed over places, with the derived
    totals (checks_total, arrests_total, drugs_kg_total)."""
    summed = results.daily.groupby(["replicate", "day"])[list(PLACE_OUTCOMES)].sum()
    derived = with_derived({column: summed[column] for column in PLACE_OUTCOMES})
    return pd.DataFrame(derived).reset_index()


def day_by_day(results: Sequence[ResultsLike], outcomes: Sequence[str] = DAILY_OUTCOMES
               ) -> Figure:
    """The main outcomes over the action's days: line = mean, band = 5–95% of replicates;
    scenarios overlaid."""
    runs = [as_results(r) for r in results]
    palette = colours([r.scenario_name for r in runs])
    columns = 3
    rows = math.ceil(len(outcomes) / columns)
    figure = Figure(figsize=(12, 3.2 * rows + 0.6), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for run in runs:
        totals = daily_totals(run)
        for ax, outcome in zip(axes, outcomes, strict=False):
            by_day = [(day, reduce(group[outcome])) for day, group in totals.groupby("day")]
            days = [day for day, _ in by_day]
            colour = palette[run.scenario_name]
            ax.fill_between(days, [r.p5 for _, r in by_day], [r.p95 for _, r in by_day],
                            color=colour, alpha=0.15, linewidth=0)
            ax.plot(days, [r.mean for _, r in by_day], marker="o", markersize=3, color=colour,
                    label=label(run.scenario_name))
    for ax, outcome in zip(axes, outcomes, strict=False):
        ax.set_title(label(outcome), fontsize=10)
        ax.set(xlabel="day of the action", ylabel=f"{UNITS.get(outcome, '')} per day")
        ax.set_ylim(bottom=0)
        ax.grid(color="#EEEEEE")
    for ax in axes[len(outcomes):]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8)
    replicates = min(len(r.summary) for r in runs) if runs else 0
    figure.suptitle("Day by day through the action: mean (line) and 5–95% of "
                    f"{replicates} replicates (band)")
    return figure


# --- trade-off -------------------------------------------------------------------------------

def trade_off(results: Sequence[ResultsLike], detections: str = "movements_intercepted",
              cost: str = "mean_wait_minutes") -> Figure:
    """Detections against legitimate traffic's wait at the border: one point per scenario,
    bars = 90% interval of each mean."""
    runs = [as_results(r) for r in results]
    palette = colours([r.scenario_name for r in runs])
    figure = Figure(figsize=(8.5, 6), layout="constrained")
    ax = figure.add_subplot()
    for run in runs:
        x, y = reduce(run.summary[cost]), reduce(run.summary[detections])
        ax.errorbar([x.mean], [y.mean], xerr=[[x.mean - x.mean_ci_low], [x.mean_ci_high - x.mean]],
                    yerr=[[y.mean - y.mean_ci_low], [y.mean_ci_high - y.mean]], fmt="o",
                    markersize=7, capsize=3, color=palette[run.scenario_name],
                    label=label(run.scenario_name))
    ax.set(xlabel=f"{label(cost)} of legitimate vehicles at crossings ({UNITS.get(cost, '')})",
           ylabel=f"{label(detections)} ({UNITS.get(detections, '')} over the action)")
    ax.grid(color="#EEEEEE")
    ax.legend(title="scenario", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.set_title("What the action costs the public at the border: detections against "
                 "waiting time\n(one point per scenario; bars: 90% interval of the mean)")
    return figure


# --- displacement ----------------------------------------------------------------------------

def new_route_places(detail: str) -> list[str]:
    """Checked places of a displaced movement's new route, from a displacement event's detail
    ("reroute after seizure; checked places a>b -> c>d" gives [c, d]; delay/suspend give [])."""
    _, arrow, new = detail.partition(" -> ")
    return [place for place in new.split(">") if place] if arrow else []


def delivered_route_places(detail: str) -> list[str]:
    """Checked places a delivered movement crossed, from a delivery event's detail
    ("crossed a>b>c" gives [a, b, c])."""
    return [place for place in detail.removeprefix("crossed ").split(">") if place]


def displacement_by_place(results: Results) -> pd.DataFrame:
    """Per place, mean per replicate of movements intercepted there, of delivered movements
    that crossed it, and of displaced movements whose new route crosses it."""
    events = results.events
    replicates = max(len(results.summary), 1)
    intercepted = events.loc[events["kind"] == "interception", "place"].value_counts()
    delivered = events.loc[events["kind"] == "delivery", "detail"].map(delivered_route_places)
    displaced = events.loc[events["kind"] == "displacement", "detail"].map(new_route_places)
    table = pd.DataFrame({"intercepted": intercepted,
                          "delivered_through": delivered.explode().dropna().value_counts(),
                          "rerouted_through": displaced.explode().dropna().value_counts()})
    return table.fillna(0.0) / replicates


def displacement(base: ResultsLike, other: ResultsLike, route_graph: RouteGraph | None = None,
                 top: int = 15) -> Figure:
    """Where movements were intercepted, where delivered ones crossed, and where displaced ones
    were rerouted through, base against scenario, at the `top` places where they differ most."""
    base, other = as_results(base), as_results(other)
    route_graph = route_graph or load_route_graph()
    kind_of = dict(route_graph.graph.nodes(data="kind"))
    tables = {run.scenario_name: displacement_by_place(run) for run in (base, other)}
    joined = pd.concat(tables, axis=1).fillna(0.0)
    joined = joined[joined.index.map(kind_of).isin(CHECKED_KINDS)]
    panels = ("intercepted", "delivered_through", "rerouted_through")
    for run in (base, other):
        for column in panels:
            if (run.scenario_name, column) not in joined:
                joined[(run.scenario_name, column)] = 0.0
    change = sum((joined[(other.scenario_name, c)] - joined[(base.scenario_name, c)]).abs()
                 for c in panels)
    places = list(change.nlargest(top).index)[::-1]
    palette = colours([base.scenario_name, other.scenario_name])
    figure = Figure(figsize=(14, 1.5 + 0.32 * len(places)), layout="constrained")
    axes = figure.subplots(1, 3, sharey=True)
    y = np.arange(len(places))
    for ax, column, title in zip(axes, panels, (
            "movements intercepted here", "delivered movements that crossed here",
            "displaced movements rerouted through here"), strict=True):
        for shift, run in ((-0.2, base), (0.2, other)):
            values = joined.loc[places, (run.scenario_name, column)] if places else []
            ax.barh(y + shift, values, height=0.4, color=palette[run.scenario_name],
                    label=label(run.scenario_name))
        ax.set(title=title, xlabel="movements over the action (mean of replicates)")
        ax.grid(axis="x", color="#EEEEEE")
    axes[0].set_yticks(y, [route_graph.place_name(p) for p in places])
    axes[0].legend(fontsize=8, loc="lower right")
    figure.suptitle(f"Displacement: where movements are stopped and where displaced ones go:\n"
                    f"{label(base.scenario_name)} against {label(other.scenario_name)}")
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
