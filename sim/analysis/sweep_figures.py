"""A sweep's response curve: how each outcome moves along the grid, as paired differences from
one point with their intervals (`sim compare SWEEP_DIR`).

Every point of a sweep keeps the base's seeds, so replicate k meets the same traffic and the
same criminals at every point; the difference of a point from the reference point is taken
replicate by replicate and its interval measures the change along the grid, not noise.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.analysis.compare import UNITS, ComparisonError, HarmLike, compare
from sim.analysis.figures import FOREST_OUTCOMES
from sim.runs import layout
from sim.runs import results as store
from sim.runs.statistics import INTERVAL
from sim.runs.sweep import INDEX
from sim.runs.sweep_folder import read_sweep_index

STATUS_COLUMNS = ("point", "scenario", "folder", "status", "replicates_done", "failures")


def is_sweep_folder(directory: str | Path) -> bool:
    return (Path(directory) / INDEX).is_file()


def sweep_comparison(directory: str | Path, *, reference: str | None = None,
                     method: str = "auto", level: float = INTERVAL,
                     harm: HarmLike = None) -> pd.DataFrame:
    """Every point's difference from the reference point (default: the first), for every
    outcome and the harm index with the weights `harm` (default: the shipped default), with
    the point's grid labels as columns (comparison.csv's columns otherwise)."""
    directory = Path(directory)
    index = read_sweep_index(directory)
    labels = [c for c in index.columns if c not in STATUS_COLUMNS]
    reference = reference or index["point"].iloc[0]
    if reference not in set(index["point"]):
        raise ComparisonError(f"no point '{reference}' in {directory}; points: "
                              + ", ".join(index["point"]))
    finished = index[[(directory / f / layout.SUMMARY).is_file() for f in index["folder"]]]
    runs = {}
    for row in finished.itertuples():
        try:
            runs[row.point] = store.load(directory / row.folder)
        except layout.NoReplicatesError as error:  # every replicate of the point failed
            warnings.warn(f"point '{row.point}' left out: {error}", stacklevel=2)
    if reference not in runs:
        raise ComparisonError(f"point '{reference}' has no finished results; finish the sweep "
                              "with sim sweep FILE --resume")
    others = [point for point in runs if point != reference]
    if not others:
        alone = "" if len(index) > 1 else " (the sweep has one point)"
        raise ComparisonError(f"{directory}: only point '{reference}' has finished results: "
                              f"nothing to compare it with{alone}")
    table = compare(runs[reference], [runs[p] for p in others], method=method, level=level,
                    harm=harm)
    names = {runs[p].scenario_name: p for p in others}
    table.insert(0, "point", table["scenario"].map(names))
    for column in reversed(labels):
        table.insert(1, column, table["point"].map(dict(zip(index["point"], index[column],
                                                             strict=True))))
    table.attrs["reference"] = index.set_index("point").loc[reference, labels].to_dict()
    return table


def response_curve(table: pd.DataFrame, outcomes: Sequence[str] = FOREST_OUTCOMES) -> Figure:
    """Small multiples, one panel per outcome on its own scale: each point's paired difference
    from the reference point (zero, drawn) with its interval, points in grid order along x
    (numeric labels at their values)."""
    label = table.columns[1]  # the first grid key (sweep_comparison puts it after the point)
    outcomes = [o for o in outcomes if o in set(table["outcome"])]
    columns = min(3, max(len(outcomes), 1))
    rows = -(-len(outcomes) // columns)
    figure = Figure(figsize=(4.2 * columns, 3.0 * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False)
    reference = table["base"].iloc[0] if len(table) else ""
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        part = table[table["outcome"] == outcome]
        if label in table.attrs.get("reference", {}):  # the reference point: zero by definition
            start = {label: table.attrs["reference"][label], "difference": 0.0, "ci_low": 0.0,
                     "ci_high": 0.0}
            part = pd.concat([pd.DataFrame([start]), part], ignore_index=True)
        x = pd.to_numeric(part[label], errors="coerce")
        numeric = x.notna().all()
        positions = x if numeric else range(len(part))
        ax.axhline(0, color="0.6", linewidth=0.8)
        below, above = part["difference"] - part["ci_low"], part["ci_high"] - part["difference"]
        ax.errorbar(positions, part["difference"], yerr=[below, above], fmt="o-",
                    color="tab:blue", capsize=3, linewidth=1)
        if not numeric:
            ax.set_xticks(list(positions), part[label].astype(str), rotation=30, ha="right")
        elif (x % 1 == 0).all():
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(outcome.replace("_", " "), fontsize=9)
        ax.set_ylabel(f"difference ({UNITS.get(outcome, '')})", fontsize=8)
        ax.set_xlabel(label.split(".")[-1].replace("_", " "), fontsize=8)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    level = table["level"].iloc[0] if len(table) else INTERVAL
    figure.suptitle(f"Response along the sweep: difference from {reference} with paired "
                    f"{level:.0%} intervals", fontsize=10)
    return figure
