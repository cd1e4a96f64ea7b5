"""Draws piled up at a bound of their prior: where the prior, not the data, cuts the posterior.

A fitted parameter whose accepted draws crowd against one end of its registered plausible range
(`sim/scenario/parameters.py`) is told by the range, not by the anchors: the fit would have gone
further. The share of draws within `WITHIN` (2%) of the range's width from a bound — measured in
the coordinates the prior is sampled in, the logarithm for a log range — or beyond it (a
refinement can move draws past the main fit's range) is flagged when it exceeds `FLAG` (10%).

What a flag means depends on the bound's source. A bound that was only an assumption is
re-examined against sources (a changed bound cites its source in the registry); a pile-up at a
sourced bound is a structural misfit of the model — some mechanism cannot reach the anchors with
values the evidence allows — and is reported as such (docs/calibration.md, "Pile-ups"), not
hidden by widening the range.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.inference.experiments import FreeParameter, resolve_path
from sim.scenario.ranges import registered_range
from sim.scenario.schema import Scenario

WITHIN = 0.02  # share of the range's width that counts as "at the bound"
FLAG = 0.10  # share of draws at a bound that makes a pile-up
COLUMNS = ("parameter", "bound", "bound_value", "share_at_bound", "share_beyond", "pile_up",
           "range_source", "sourced")


def values_in_terms(draws: pd.DataFrame, parameter: FreeParameter) -> pd.Series:
    """Each draw's value in the parameter's own terms: the value, or for a scale the mean ratio
    of the draw's entries to their defaults."""
    if parameter.path in draws:
        values = draws[parameter.path].astype(float)
        if not parameter.scale:
            return values
        default = resolve_path(_defaults(), parameter.keys)
        return values / float(default)
    columns = [c for c in draws.columns if c.startswith(parameter.path + ".")]
    if not columns:
        raise KeyError(f"the draws have no column for {parameter.path}")
    defaults = resolve_path(_defaults(), parameter.keys)
    ratios = [draws[c].astype(float) / float(defaults[c.rsplit(".", 1)[1]]) for c in columns
              if defaults.get(c.rsplit(".", 1)[1])]
    return pd.concat(ratios, axis=1).mean(axis=1)


def _defaults() -> dict:
    return Scenario(name="defaults").model_dump(mode="json")


def pile_ups(draws: pd.DataFrame, parameters: list[FreeParameter], *, within: float = WITHIN,
             flag: float = FLAG) -> pd.DataFrame:
    """One row per parameter × bound (`COLUMNS`): the share of draws at the bound (within
    `within` of the range's width, or beyond it), the share beyond it, whether that is a pile-up
    (more than `flag`), and the source the registry gives the range (`sourced`: the range is not
    only an assumption)."""
    rows = []
    for parameter in parameters:
        values = values_in_terms(draws, parameter).to_numpy(dtype=float)
        transform = np.log if parameter.log else (lambda x: x)
        low, high = float(transform(parameter.low)), float(transform(parameter.high))
        width = high - low
        coordinates = transform(np.maximum(values, 1e-300) if parameter.log else values)
        registered = registered_range(parameter.path)
        source = registered.source if registered is not None else "config (not registered)"
        for bound, edge, near, beyond in (
                ("low", parameter.low, coordinates <= low + within * width, coordinates < low),
                ("high", parameter.high, coordinates >= high - within * width,
                 coordinates > high)):
            share = float(near.mean()) if len(values) else math.nan
            rows.append({"parameter": parameter.label, "bound": bound, "bound_value": edge,
                         "share_at_bound": share,
                         "share_beyond": float(beyond.mean()) if len(values) else math.nan,
                         "pile_up": bool(share > flag), "range_source": source,
                         "sourced": not source.lower().startswith(("assumption", "config"))})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def describe(table: pd.DataFrame) -> list[str]:
    """A sentence per pile-up, for the command's output."""
    lines = []
    for row in table[table["pile_up"]].itertuples():
        beyond = (f", {row.share_beyond:.0%} beyond it (moved there by a refinement)"
                  if row.share_beyond > 0 else "")
        kind = ("a sourced bound: a structural misfit of the model (docs/calibration.md, "
                "Pile-ups)" if row.sourced else "an assumed bound: re-examine it against "
                "sources (docs/calibration.md, Pile-ups)")
        lines.append(f"{row.parameter}: {row.share_at_bound:.0%} of the draws at its {row.bound} "
                     f"bound {row.bound_value:g}{beyond}; {kind}")
    return lines
