"""The dashboard's drawings: the operation map on real coordinates and the series by hour.

Plain matplotlib `Figure`s (no pyplot), so the page can draw them from any thread; they read a
`sim.dashboard.app.DashboardModel` (its `hourly` DataCollector, crossings, movements and events).
"""

from __future__ import annotations

import base64
import html
import io
import math
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.analysis.figures_places import place_labels
from sim.geography import CRIME_AREAS
from sim.geography.map import EDGE_STYLES, OKABE, REGION, draw_land
from sim.model.agents import MovementState

if TYPE_CHECKING:
    from sim.dashboard.app import DashboardModel

CRIME_COLOURS = dict(zip(CRIME_AREAS, ("#1B1B1B", OKABE["orange"], OKABE["blue"],
                                       OKABE["purple"], "#8C564B"), strict=True))
SIZE_BY = {"queue": "queue (vehicles)", "checks": "checks this hour"}
NAMED_CROSSINGS = 12  # the busiest checked crossings named on the map (with the teams' places)
MAP_DPI = 80


def draw_operation_map(model: DashboardModel, *, size_by: str = "queue",
                       ax=None) -> Figure:
    """The route graph on (lon, lat) with crossings, teams, movements and this hour's detections.

    Crossings are coloured by whether they are on the EU's external border and sized by their
    queue or by their checks this hour (`size_by`); movements in transit are coloured by crime
    area, placed along the edge they travel; detections of the last hour are starred.
    """
    figure = ax.figure if ax is not None else Figure(figsize=(8.5, 7), layout="constrained",
                                                     dpi=MAP_DPI)
    ax = ax if ax is not None else figure.add_subplot()
    graph, pos = model.graph, model.route_graph.layout()
    draw_land(ax, resolution="l")
    for mode, (_, style, colour, width) in EDGE_STYLES.items():
        lines = [(pos[u], pos[v]) for u, v, m in graph.edges(data="mode") if m == mode]
        ax.add_collection(LineCollection(lines, colors=colour, linestyles=style,
                                         linewidths=width, alpha=0.6, zorder=1))
    others = [n for n, kind in graph.nodes(data="kind") if kind != "crossing"]
    ax.scatter(*np.array([pos[n] for n in others]).T, s=8, c="#9A9A9A", zorder=2)
    _draw_crossings(ax, model, pos, size_by)
    _draw_support(ax, model, pos)
    _draw_movements(ax, model, pos)
    detections = model.detections_this_hour()
    if detections:
        where = np.array([pos[e["place"]] for e in detections])
        ax.scatter(*where.T, s=420, marker="*", c="#FFE000", edgecolors="#B00000",
                   linewidths=1.2, zorder=6)
    west, east, south, north = REGION
    ax.set(xlim=(west, east), ylim=(south, north), xlabel="longitude (°E)",
           ylabel="latitude (°N)")
    ax.set_aspect(1 / math.cos(math.radians(44)))
    ax.grid(color="#EEEEEE", lw=0.5, zorder=0)
    in_transit = sum(m.active for m in model.movements)
    ax.set_title(f"{model.clock_time:%a %d %b %Y, %H:00}: {in_transit} movements in transit, "
                 f"{len(detections)} detections this hour", fontsize=10)
    legend = ax.legend(handles=_legend(size_by), loc="lower left", fontsize=7, framealpha=0.9)
    FigureCanvasAgg(figure)
    figure.draw_without_rendering()  # places known: names can be placed without overlap
    named = [c.place for c in model.busiest_checked[:NAMED_CROSSINGS]]
    named = list(dict.fromkeys([t.place for t in model.scanning_teams] + named))
    place_labels(ax, [(model.route_graph.place_name(p), pos[p]) for p in named], fontsize=6.5,
                 avoid=[legend.get_window_extent(figure.canvas.get_renderer())])
    return figure


def tooltip(model: DashboardModel, place: str) -> str:
    """What the map says about a place on hover: name, kind, and for a crossing its queue,
    wait, checks this hour and the teams there."""
    node = model.graph.nodes[place]
    text = f"{model.route_graph.place_name(place)} ({node['country']}, {node['kind']})"
    crossing = model.crossing_at.get(place)
    if crossing is not None:
        status = str(node.get("border_status", "")).replace("_", " ")
        text += (f"\n{status}: queue {crossing.queue_vehicles:,.0f} vehicles, wait "
                 f"{crossing.wait_minutes:,.0f} min, "
                 f"{model.checks_this_hour[model.place_index[place]]:,.0f} checks this hour")
    teams = [t for t in model.scanning_teams if t.place == place]
    if teams:
        text += f"\nscanning team ({teams[0].country})"
    if any(d.place == place for d in model.frontex):
        text += "\nFrontex deployment"
    return text


def map_html(model: DashboardModel, figure: Figure) -> str:
    """The map as an image with an SVG layer of invisible circles over the places, each with
    its `tooltip` as a hover title (scales with the image, needs no script or CDN)."""
    canvas = FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=MAP_DPI)
    width, height = canvas.get_width_height()
    ax = figure.axes[0]
    pos = model.route_graph.layout()
    west, east, south, north = REGION
    circles = []
    for place, node in model.graph.nodes(data=True):
        x, y = pos[place]
        if node["kind"] == "destination" or not (west <= x <= east and south <= y <= north):
            continue
        px, py = ax.transData.transform((x, y))
        circles.append(f"<circle cx='{px:.1f}' cy='{height - py:.1f}' r='7' "
                       f"fill='transparent' class='place'><title>"
                       f"{html.escape(tooltip(model, place))}</title></circle>")
    image = base64.b64encode(buffer.getvalue()).decode()
    return (f"<div class='operation-map' style='position:relative;width:100%'>"
            f"<img src='data:image/png;base64,{image}' style='width:100%;display:block' "
            f"alt='operation map'><svg viewBox='0 0 {width} {height}' "
            "style='position:absolute;left:0;top:0;width:100%;height:100%'>"
            f"{''.join(circles)}</svg></div>")


def _draw_crossings(ax, model: DashboardModel, pos, size_by: str) -> None:
    if size_by == "checks":
        amounts = np.array([model.checks_this_hour[model.place_index[c.place]]
                            for c in model.crossings])
    else:
        amounts = np.array([c.queue_vehicles for c in model.crossings])
    xy = np.array([pos[c.place] for c in model.crossings])
    colours = [OKABE["vermillion"] if c.eu_external else OKABE["sky"] for c in model.crossings]
    ax.scatter(*xy.T, s=20 + 6 * np.sqrt(np.maximum(amounts, 0)), c=colours, marker="D",
               edgecolors="#222222", linewidths=0.5, alpha=0.85, zorder=3)


def _draw_support(ax, model: DashboardModel, pos) -> None:
    """Scanning teams (squares round their crossing), Frontex (triangles), the centre (cross)."""
    day, hour = model.day + 1, model.hour_of_day
    for team in model.scanning_teams:
        working = team.active(day, hour)
        ax.scatter(*pos[team.place], s=260, marker="s", facecolors="none", zorder=4,
                   edgecolors="#000000" if working else "#AAAAAA", linewidths=1.8)
    if model.frontex:
        xy = np.array([pos[d.place] for d in model.frontex])
        ax.scatter(xy[:, 0], xy[:, 1] + 0.18, s=36, marker="v", c=OKABE["green"],
                   edgecolors="#222222", linewidths=0.4, zorder=4)
    if model.centre is not None:
        ax.scatter(*pos[model.centre.place], s=200, marker="P", c=OKABE["blue"],
                   edgecolors="white", linewidths=1, zorder=5)


def _draw_movements(ax, model: DashboardModel, pos) -> None:
    """Each movement in transit part-way along the edge to the place it reaches next."""
    points: dict[str, list[tuple[float, float]]] = {area: [] for area in CRIME_AREAS}
    for movement in model.movements:
        if movement.state not in (MovementState.IN_TRANSIT, MovementState.HELD):
            continue
        target = movement.route[min(movement.leg, len(movement.route) - 1)]
        x, y = pos[target]
        if 0 < movement.leg < len(movement.route):
            origin = movement.route[movement.leg - 1]
            hours = model.graph.edges[origin, target]["hours"]
            done = float(np.clip(1 - (movement.time - model.tick) / hours, 0, 1))
            x = pos[origin][0] + done * (x - pos[origin][0])
            y = pos[origin][1] + done * (y - pos[origin][1])
        points[movement.network.crime_area].append((x, y))
    for area, xy in points.items():
        if xy:
            ax.scatter(*np.array(xy).T, s=14, c=CRIME_COLOURS[area], zorder=5, alpha=0.9)


def _legend(size_by: str) -> list[Line2D]:
    def marker(label, shape, colour, edge="#222222", size=7):
        return Line2D([], [], ls="", marker=shape, markersize=size, label=label,
                      markerfacecolor=colour, markeredgecolor=edge)

    handles = [marker(f"crossing, EU external (size: {SIZE_BY[size_by]})", "D",
                      OKABE["vermillion"]),
               marker("crossing, other border", "D", OKABE["sky"]),
               marker("scanning team (grey: off shift)", "s", "none", "#000000", 10),
               marker("Frontex deployment", "v", OKABE["green"]),
               marker("coordination centre", "P", OKABE["blue"], "white", 10),
               marker("detection this hour", "*", "#FFE000", "#B00000", 13)]
    handles += [marker(f"in transit: {area.replace('_', ' ')}", "o", colour, colour, 5)
                for area, colour in CRIME_COLOURS.items()]
    return handles


def draw_outcomes_by_hour(model: DashboardModel) -> Figure:
    """Cumulative arrests, illegal entries, seizures and cases with evidence, by hour."""
    table = model.hourly.get_model_vars_dataframe()
    figure = Figure(figsize=(6.5, 4.6), layout="constrained")
    panels = figure.subplots(2, 2, sharex=True)
    series = (("arrests", "arrests", OKABE["vermillion"]),
              ("illegal entries", "illegal entries detected", OKABE["blue"]),
              ("weapons seized", "weapons seized", "#333333"),
              ("cases", "cases with evidence", OKABE["purple"]))
    base = (model.baseline_hourly.get_model_vars_dataframe()
            if model.baseline_hourly is not None else None)
    for ax, (column, title, colour) in zip(panels.flat, series, strict=True):
        ax.plot(table["hour"], table[column], color=colour, lw=1.6, label="changed")
        top = table[column].max()
        if base is not None:
            ax.plot(base["hour"], base[column], color="#777777", lw=1.2, ls=":",
                    label="as written")
            top = max(top, base[column].max())
            difference = table[column].iloc[-1] - base[column].iloc[-1]
            ax.set_title(f"{title}: {table[column].iloc[-1]:,.0f} ({difference:+,.0f})",
                         fontsize=9)
        else:
            ax.set_title(f"{title}: {table[column].iloc[-1]:,.0f}", fontsize=9)
        ax.set(xlim=(0, model.hours), ylim=(0, max(1.0, 1.1 * top)))
        ax.grid(color="#EEEEEE", lw=0.5)
    drugs = panels[1, 0].twinx()
    drugs.plot(table["hour"], table["drugs seized (kg)"], color=OKABE["orange"], lw=1.2, ls="--")
    drugs.set_ylim(0, max(1.0, 1.1 * table["drugs seized (kg)"].max()))
    drugs.set_ylabel("drugs (kg, dashed)", fontsize=8, color=OKABE["orange"])
    panels[1, 0].set_title(f"weapons seized: {table['weapons seized'].iloc[-1]:,.0f}; drugs: "
                           f"{table['drugs seized (kg)'].iloc[-1]:,.0f} kg", fontsize=9)
    for ax in panels[1]:
        ax.set_xlabel("hour of the action")
    if base is not None:
        panels[0, 0].legend(fontsize=7, loc="upper left")
    figure.suptitle("Outcomes so far" + (": changed (line), as written (dotted), "
                                         "(difference)" if base is not None else ""),
                    fontsize=9)
    return figure


def draw_queue_waits(model: DashboardModel) -> Figure:
    """Waiting time of legitimate vehicles by hour at the busiest crossings."""
    table = model.hourly.get_model_vars_dataframe()
    figure = Figure(figsize=(6.5, 3.2), layout="constrained")
    ax = figure.add_subplot()
    for column in [c for c in table.columns if c.startswith("wait: ")]:
        ax.plot(table["hour"], table[column], lw=1.3, label=column.removeprefix("wait: "))
    waits = table[[c for c in table.columns if c.startswith("wait: ")]].to_numpy()
    ax.set(xlabel="hour of the action", ylabel="wait (minutes)", xlim=(0, model.hours),
           ylim=(0, max(5.0, 1.1 * float(waits.max(initial=0)))),
           title="Queue waits at the busiest crossings with checks")
    ax.legend(fontsize=7, ncols=2)
    ax.grid(color="#EEEEEE", lw=0.5)
    return figure
