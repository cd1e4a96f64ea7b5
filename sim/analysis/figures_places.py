"""The figures about places: where movements are intercepted (the map) and where displaced and
delivered movements go (displacement). Re-exported by `sim.analysis.figures`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from sim.analysis.pairing import Pairing, paired_runs
from sim.analysis.style import CRIME_AREA_COLOURS, ResultsLike, as_results, colours, label
from sim.geography import RouteGraph, load_route_graph
from sim.geography.map import REGION, draw_land
from sim.runs.results import Results
from sim.runs.statistics import differences_by

CHECKED_KINDS = ("crossing", "green_border")
# the BG–TR–GR junction, where five checked places lie within 80 km: drawn again, enlarged
JUNCTION = (25.55, 27.45, 40.75, 42.2)  # west, east, south, north


def short_name(route_graph: RouteGraph, place: str, *, lines: int = 1) -> str:
    """A place's name short enough for a map label: a green-border sector by its stretch
    ("Sakar–Strandzha (green border)"), a crossing by its two posts; `lines=2` breaks it."""
    name = route_graph.place_name(place)
    if route_graph.graph.nodes[place].get("kind") == "green_border" and ": " in name:
        stretch = name.split(": ", 1)[1].split(" (")[0]
        return stretch + ("\n" if lines > 1 else " ") + "(green border)"
    return name.replace(" / ", " /\n") if lines > 1 else name


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


def place_labels(ax: Axes, items: Sequence[tuple[str, tuple[float, float]]], *,
                 fontsize: float = 7.5, avoid: Sequence[Bbox] = ()) -> list[str]:
    """Write each (text, point) in the order given (most important first) at the first of eight
    positions around its point where it overlaps no label already written and nothing in
    `avoid`; a label with no free position is left out. Returns the texts written."""
    renderer = ax.figure.canvas.get_renderer()
    taken, written = list(avoid), []
    offsets = [(7, 5, "left", "bottom"), (7, -5, "left", "top"), (-7, 5, "right", "bottom"),
               (-7, -5, "right", "top"), (0, 9, "center", "bottom"), (0, -9, "center", "top"),
               (12, 0, "left", "center"), (-12, 0, "right", "center")]
    axes_box = ax.get_window_extent(renderer)
    for text, point in items:
        for dx, dy, ha, va in offsets:
            artist = ax.annotate(text, point, (dx, dy), textcoords="offset points", ha=ha,
                                 va=va, fontsize=fontsize, zorder=6,
                                 bbox={"boxstyle": "round,pad=0.15", "fc": "white",
                                       "ec": "#BBBBBB", "lw": 0.4, "alpha": 0.9},
                                 arrowprops={"arrowstyle": "-", "color": "#666666",
                                             "lw": 0.5, "shrinkA": 0, "shrinkB": 2})
            box = artist.get_window_extent(renderer).expanded(1.04, 1.1)
            inside = (box.x0 >= axes_box.x0 and box.x1 <= axes_box.x1
                      and box.y0 >= axes_box.y0 and box.y1 <= axes_box.y1)
            if inside and not any(box.overlaps(other) for other in taken):
                taken.append(box)
                written.append(text)
                break
            artist.remove()
    return written


def _markers(ax: Axes, counts: pd.DataFrame, position, scale: float, fan: float) -> None:
    """One marker per place and crime area, the areas of one place fanned out around it."""
    areas = [a for a in CRIME_AREA_COLOURS if a in counts.columns]
    for i, area in enumerate(areas):
        angle = 2 * math.pi * i / max(len(areas), 1)
        offset = (fan * math.cos(angle), 0.75 * fan * math.sin(angle))
        rows = counts[counts[area] > 0]
        ax.scatter([position[p][0] + offset[0] for p in rows.index],
                   [position[p][1] + offset[1] for p in rows.index], s=rows[area] * scale,
                   color=CRIME_AREA_COLOURS[area], alpha=0.8, edgecolors="white",
                   linewidths=0.5, zorder=3, label=label(area))
    ax.scatter([position[p][0] for p in counts.index], [position[p][1] for p in counts.index],
               s=6, color="#222222", marker="+", linewidths=0.6, zorder=4)


def detection_map(results: ResultsLike, route_graph: RouteGraph | None = None,
                  named: int = 10) -> Figure:
    """Interceptions at each crossing and green-border sector as sized markers, one colour per
    crime area (markers of one place fanned out around it, the place itself a cross), over
    coasts and borders. The crowded BG–TR–GR junction is enlarged in an inset with its places
    named; of the others, the busiest `named` are named, most important first, where a label
    fits without overlap."""
    results, route_graph = as_results(results), route_graph or load_route_graph()
    counts = interceptions_by_place(results, route_graph).drop(columns=["place_name", "total"])
    figure = Figure(figsize=(11, 8.8), layout="constrained")
    ax = figure.add_subplot()
    draw_land(ax)
    position = route_graph.layout()
    ax.add_collection(_route_lines(route_graph))
    top = float(counts.to_numpy().max()) if len(counts) else 1.0
    scale = 600 / max(top, 1.0)
    _markers(ax, counts, position, scale, fan=0.12)
    ax.set(xlim=REGION[:2], ylim=REGION[2:], xlabel="longitude (°E)", ylabel="latitude (°N)")
    ax.set_aspect(1 / math.cos(math.radians(44)))
    areas = [a for a in CRIME_AREA_COLOURS if a in counts.columns]
    sizes = [s for s in (1, 5, 20, 50, 100) if s <= top][-3:] or [1]
    area_handles = [Line2D([], [], ls="", marker="o", markersize=8, alpha=0.8,
                           color=CRIME_AREA_COLOURS[a], label=label(a)) for a in areas]
    size_handles = [Line2D([], [], ls="", marker="o", color="#777777",
                           markersize=math.sqrt(s * scale), label=f"{s:g}") for s in sizes]
    first = ax.legend(handles=area_handles, title="crime area", loc="upper right", fontsize=8)
    ax.add_artist(first)
    second = ax.legend(handles=size_handles, title="movements intercepted\n(mean per action)",
                       loc="lower right", fontsize=8, labelspacing=1.5, borderpad=1)
    west, east, south, north = JUNCTION
    ax.add_patch(Rectangle((west, south), east - west, north - south, fill=False, ec="#333333",
                           lw=0.8, zorder=5))
    inset = ax.inset_axes((0.0, 0.0, 0.36, 0.46), xticks=[], yticks=[])
    draw_land(inset, (west - 1, east + 1, south - 1, north + 1))
    inset.add_collection(_route_lines(route_graph))
    _markers(inset, counts, position, scale, fan=0.03)
    inset.set(xlim=(west, east), ylim=(south, north))
    inset.set_aspect(1 / math.cos(math.radians(41.5)))
    inset.set_title("BG–TR–GR junction, enlarged", fontsize=8, pad=2)
    FigureCanvasAgg(figure)
    figure.draw_without_rendering()  # positions known: labels can be placed without overlap
    renderer = figure.canvas.get_renderer()
    busiest = list(counts.sum(axis=1).sort_values(ascending=False).index)
    in_junction = [p for p in busiest if west <= position[p][0] <= east
                   and south <= position[p][1] <= north]
    place_labels(inset, [(short_name(route_graph, p, lines=2), position[p])
                         for p in in_junction], fontsize=6.5)
    avoid = [legend.get_window_extent(renderer) for legend in (first, second)]
    avoid += [inset.get_window_extent(renderer).expanded(1.0, 1.08)]
    outside = [p for p in busiest if p not in in_junction]
    place_labels(ax, [(short_name(route_graph, p), position[p]) for p in outside[:named]],
                 avoid=avoid)
    ax.set_title(f"Where {label(results.scenario_name)} intercepts criminal movements at "
                 f"crossings and green-border sectors\n(mean over the action, "
                 f"{len(results.summary)} replicates; dashed lines: national borders)")
    return figure


def _route_lines(route_graph: RouteGraph):
    from matplotlib.collections import LineCollection

    position = route_graph.layout()
    lines = [(position[u], position[v]) for u, v in route_graph.graph.edges()]
    return LineCollection(lines, colors="#B0B0B0", linewidths=0.5, zorder=1)


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


DISPLACEMENT_MEASURES = {"intercepted": "movements intercepted here",
                         "delivered_through": "delivered movements that crossed here",
                         "rerouted_through": "displaced movements rerouted through here"}


def displacement_by_replicate(results: Results) -> pd.DataFrame:
    """Per replicate and place: movements intercepted there, delivered movements that crossed
    it, displaced movements whose new route crosses it (columns `DISPLACEMENT_MEASURES`)."""
    events = results.events
    parts = {}
    intercepted = events[events["kind"] == "interception"]
    parts["intercepted"] = intercepted.groupby(["replicate", "place"]).size()
    for measure, kind, reader in (("delivered_through", "delivery", delivered_route_places),
                                  ("rerouted_through", "displacement", new_route_places)):
        rows = events.loc[events["kind"] == kind, ["replicate", "detail"]]
        crossed = rows.assign(place=rows["detail"].map(reader)).explode("place").dropna(
            subset=["place"])
        parts[measure] = crossed.groupby(["replicate", "place"]).size()
    table = pd.DataFrame(parts).fillna(0.0)
    replicates = results.summary["replicate"]
    places = table.index.get_level_values("place").unique()
    full = pd.MultiIndex.from_product([replicates, places], names=["replicate", "place"])
    return table.reindex(full, fill_value=0.0).reindex(columns=list(DISPLACEMENT_MEASURES),
                                                       fill_value=0.0)


def displacement_by_place(results: Results) -> pd.DataFrame:
    """Per place, mean per replicate of movements intercepted there, of delivered movements
    that crossed it, and of displaced movements whose new route crosses it."""
    return displacement_by_replicate(results).groupby(level="place").mean()


def displacement_differences(base: ResultsLike | Pairing, other: ResultsLike | None = None
                             ) -> pd.DataFrame:
    """Per place and measure: the difference other − base per action with its 90% interval,
    over the replicates both runs share when their seeds match (paired,
    `sim.analysis.pairing.paired_runs`), else as independent samples. Columns: place, measure,
    base (the base's mean over those replicates), difference, ci_low, ci_high, n."""
    pairing = base if isinstance(base, Pairing) else paired_runs(base, other)
    a = displacement_by_replicate(pairing.base)
    b = displacement_by_replicate(pairing.other)
    places = a.index.get_level_values("place").unique().union(
        b.index.get_level_values("place").unique())
    a, b = (table.reindex(pd.MultiIndex.from_product(
        [run.summary["replicate"], places], names=["replicate", "place"]), fill_value=0.0)
        for table, run in ((a, pairing.base), (b, pairing.other)))
    frames = [differences_by(a[measure], b[measure], paired=pairing.paired).assign(
        measure=measure) for measure in DISPLACEMENT_MEASURES]
    table = pd.concat(frames, ignore_index=True).rename(columns={"base_mean": "base"})
    order = {measure: i for i, measure in enumerate(DISPLACEMENT_MEASURES)}
    table = table.sort_values(["place", "measure"], key=lambda c: c.map(order)
                              if c.name == "measure" else c, kind="stable")
    return table[["place", "measure", "base", "difference", "ci_low", "ci_high",
                  "n"]].reset_index(drop=True)


def displacement(base: ResultsLike, other: ResultsLike, route_graph: RouteGraph | None = None,
                 top: int = 15) -> Figure:
    """Three panels, one per measure (`DISPLACEMENT_MEASURES`): at the `top` checked places
    where the scenario differs most from the base, the paired difference per place with its 90%
    interval and, in grey, the base's level."""
    pairing = paired_runs(base, other)
    base, other = pairing.base, pairing.other
    route_graph = route_graph or load_route_graph()
    kind_of = dict(route_graph.graph.nodes(data="kind"))
    table = displacement_differences(pairing)
    table = table[table["place"].map(kind_of).isin(CHECKED_KINDS)]
    change = table.assign(size=table["difference"].abs()).groupby("place")["size"].sum()
    places = list(change.nlargest(top).index)[::-1]
    colour = colours([base.scenario_name, other.scenario_name])[other.scenario_name]
    colour = "#8A7F00" if colour == "#F0E442" else colour
    figure = Figure(figsize=(14, 2.2 + 0.34 * len(places)), layout="constrained")
    axes = figure.subplots(1, 3, sharey=True)
    y = np.arange(len(places))
    for ax, (measure, title) in zip(axes, DISPLACEMENT_MEASURES.items(), strict=True):
        rows = table[table["measure"] == measure].set_index("place").reindex(places)
        ax.barh(y, rows["base"], height=0.6, color="#E4E4E4", zorder=1,
                label=f"{label(base.scenario_name)}: level")
        ax.errorbar(rows["difference"], y, xerr=[rows["difference"] - rows["ci_low"],
                                                 rows["ci_high"] - rows["difference"]],
                    fmt="o", color=colour, markersize=4, capsize=2, zorder=3,
                    label="difference (90% interval)")
        ax.axvline(0, color="#444444", linewidth=0.8, zorder=2)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("movements per action\n(mean of replicates)", fontsize=9)
        ax.grid(axis="x", color="#EEEEEE")
    axes[0].set_yticks(y, [short_name(route_graph, p) for p in places], fontsize=8)
    axes[0].legend(fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.06), ncols=2,
                   borderaxespad=0)
    figure.suptitle(f"Displacement: {label(other.scenario_name)} minus "
                    f"{label(base.scenario_name)}, at the {len(places)} checked places that "
                    f"change most\n({pairing.label()}; grey: the base's level over those "
                    "replicates)", fontsize=11)
    return figure
