"""Refreshing a collapsed ensemble around its surviving members: resampling with jitter within
the plausible ranges.

When the weights rest on a few members (`sim.inference.likelihood`), a forecast from them would
be a forecast from those few. The refresh draws a new set of members of the same size from the
weighted ones — systematic resampling (Kitagawa 1996), so a member of weight w appears about
w × n times — and moves every copy a little (Liu & West 2001, "Combined parameter and state
estimation in simulation-based filtering", in *Sequential Monte Carlo Methods in Practice*,
197–223): in the coordinates of its plausible range (0 at the low end, 1 at the high end; the
logarithm for a log range; the multiple of the default for a mapping's entries),

    u' = a·u + (1 − a)·ū + h·max(s, S_MIN)·ε,   ε ~ N(0, 1),   a = √(1 − h²)

with ū and s the weighted mean and standard deviation of the coordinate over the members
before. The shrinkage towards ū keeps the weighted mean and variance of each value (the jitter
alone would widen them), h follows from Liu & West's discount δ = 0.95 (a = (3δ − 1) / 2δ), and
S_MIN (5% of the range) keeps copies of one survivor apart when fewer than a handful survive.
A value leaving its range is reflected back into it; a column without a registered range is
copied, not moved. The new members are equally weighted: the weights are spent in the
resampling.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from sim.scenario.posterior import value_columns
from sim.scenario.ranges import PlausibleRange, registered_range
from sim.scenario.schema import Scenario

DISCOUNT = 0.95
SHRINK = (3 * DISCOUNT - 1) / (2 * DISCOUNT)  # a
JITTER = math.sqrt(1 - SHRINK ** 2)           # h
S_MIN = 0.05


def systematic(weights: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Positions (into `weights`) of `count` draws by systematic resampling: one uniform
    offset, then evenly spaced; each position appears ⌊w·count⌋ or ⌈w·count⌉ times."""
    weights = np.asarray(weights, dtype=float)
    cumulative = np.cumsum(weights / weights.sum())
    cumulative[-1] = 1.0
    points = (rng.uniform() + np.arange(count)) / count
    return np.searchsorted(cumulative, points, side="right")


@functools.cache
def _defaults() -> dict:
    return Scenario(name="defaults").model_dump(mode="json")


def _default(column: str) -> float:
    node = _defaults()
    for key in column.split("."):
        node = node[key]
    return float(node)


def coordinates(column: str, values: np.ndarray) -> tuple[np.ndarray, PlausibleRange] | None:
    """Where a column's values lie in their registered range (0 low end, 1 high end), or None
    for a column without a range."""
    found = registered_range(column)
    if found is None:
        return None
    scale = _default(column) if found.scale else 1.0
    if scale == 0:
        return None
    relative = np.asarray(values, dtype=float) / scale
    if found.log and np.any(relative <= 0):
        return None
    return np.array([found.coordinate(v) for v in relative]), found


def _reflect(u: np.ndarray) -> np.ndarray:
    u = np.mod(u, 2.0)
    return np.where(u > 1.0, 2.0 - u, u)


def refresh(members: pd.DataFrame, weights: pd.Series, count: int,
            rng: np.random.Generator) -> pd.DataFrame:
    """`count` new members from the weighted `members` (one row each, the ensemble file's
    columns; `weights` by member): resampled, jittered within the plausible ranges, numbered
    0..count−1 with equal weights and their `parent` (the member copied)."""
    w = weights.reindex(members["member"]).to_numpy(dtype=float)
    w = w / w.sum()
    picks = systematic(w, count, rng)
    fresh = members.iloc[picks].reset_index(drop=True).copy()
    for column in value_columns(members):
        found = coordinates(column, members[column].to_numpy())
        if found is None:
            continue
        u, span = found
        centre = float(np.sum(w * u))
        spread = max(float(np.sqrt(np.sum(w * (u - centre) ** 2))), S_MIN)
        moved = (SHRINK * u[picks] + (1 - SHRINK) * centre
                 + JITTER * spread * rng.standard_normal(count))
        scale = _default(column) if span.scale else 1.0
        fresh[column] = [span.value_at(float(x)) * scale for x in _reflect(moved)]
    fresh.insert(0, "parent", members["member"].to_numpy()[picks])
    fresh["member"] = range(count)
    fresh["weight"] = 1.0 / count
    ordered = ["member", "weight", *[c for c in fresh.columns if c not in ("member", "weight")]]
    return fresh[ordered]
