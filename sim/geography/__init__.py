"""The route graph of South East Europe: places, crossings, green-border sectors, edges and
corridors from the data files in `sim/data/`, loaded and checked by `graph`; `names` finds
places by the names people use (posts, local names and exonyms of `sim/data/aliases.csv`, each
with its source); `map` draws it
(matplotlib is imported there alone, so loading the graph stays light) with the coastlines and
borders of `borders`; `sides` which side of a crossing hosts visiting equipment; `traffic_rule`
builds traffic.csv from the published figures of `crossing_figures.csv`, the border totals of
`border_totals.csv` and the rule for the rest. Imports nothing of `sim`.
"""

from sim.geography.graph import (
    BORDER_STATUSES,
    CRIME_AREAS,
    KINDS,
    MODES,
    GeographyError,
    RouteGraph,
    corridor_path,
    load_route_graph,
)

__all__ = ["BORDER_STATUSES", "CRIME_AREAS", "KINDS", "MODES", "GeographyError", "RouteGraph",
           "corridor_path", "load_route_graph"]
