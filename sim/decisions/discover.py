"""Scenario discovery (`sim discover SCENARIO --outcome O --below Q`): under which hidden
conditions does a plan fail?

The hidden quantities are those a planner cannot know: the parameter ranges of a sensitivity
or calibration config (`calibration/sensitivity.yaml` by default; the same `path`/`low`/`high`/
`log`/`scale` entries), or the rows of a posterior CSV (columns are scenario key paths). A Latin
hypercube (seeded) samples the ranges; every sample runs the same replicate seeds (common random
numbers) and is a case of interest when its mean outcome is below (or above) the threshold — a
number, or `pNN`, the NNth percentile of the samples' outcomes. PRIM (the Patient Rule Induction
Method of Friedman and Fisher, in the EMA Workbench's maintained implementation) then peels
boxes: ranges of a few parameters inside which most samples are cases (density) and which hold
most of the cases (coverage), e.g. "the plan fails when drug networks are above X and lead
precision below Y".

Writes into the output folder: `samples.csv` (one row per sample: parameter values, mean
outcome, case or not), `boxes.csv` (per box the restricted parameters with their ranges,
coverage, density, mass), `discover.png` and `discover.json`.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from sim.decisions.optimise import evaluator
from sim.inference.experiments import ConfigError, FreeParameter, scenario_with
from sim.model.streams import replicate_seeds
from sim.runs.runner import RunProgress
from sim.scenario.files import Problem
from sim.scenario.posterior import with_draw
from sim.scenario.reading import InputError, parse_yaml, read_text
from sim.scenario.schema import Scenario

FILES = ("samples.csv", "boxes.csv", "discover.png", "discover.json")
DEFAULT_RANGES = Path(__file__).resolve().parents[2] / "calibration" / "sensitivity.yaml"


def load_ranges(path: Path, scenario: Scenario) -> list[FreeParameter]:
    """The `parameters` list of a sensitivity or calibration config, checked against the
    scenario."""
    label = str(path)
    try:
        document = parse_yaml(read_text(path)).data  # bounded: sim.scenario.reading
        entries = document["parameters"]
        parameters = [FreeParameter.model_validate(entry) for entry in entries]
    except InputError as error:
        raise ConfigError([Problem(label, error.line, error.key_path, error.message)]
                          ) from None
    except (KeyError, TypeError):
        raise ConfigError([Problem(label, None, ("parameters",), "expected a mapping with a "
                                   "'parameters' list of ranges (as in calibration/"
                                   "sensitivity.yaml)")]) from None
    except ValidationError as error:
        raise ConfigError([Problem(label, None, ("parameters", *e["loc"]), e["msg"])
                           for e in error.errors(include_url=False)]) from None
    for parameter in parameters:
        parameter.check_against(scenario, label)
    return parameters


def latin_hypercube(parameters: list[FreeParameter], samples: int, seed: int) -> pd.DataFrame:
    """`samples` points spread over the ranges (uniform, or uniform in the log)."""
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(parameters), seed=np.random.default_rng(seed)).random(samples)
    columns = {}
    for i, p in enumerate(parameters):
        if p.log:
            columns[p.label] = np.exp(math.log(p.low) + unit[:, i] * (math.log(p.high)
                                                                       - math.log(p.low)))
        else:
            columns[p.label] = p.low + unit[:, i] * (p.high - p.low)
    return pd.DataFrame(columns)


def threshold_value(spec: str, values: pd.Series) -> float:
    """A number, or `pNN`: the NNth percentile of the samples' outcomes."""
    match = re.fullmatch(r"p(\d{1,2}(\.\d+)?|100)", spec.strip())
    if match:
        return float(np.percentile(values, float(match.group(1))))
    try:
        value = float(spec)
        if not math.isfinite(value):
            raise ValueError(spec)
        return value
    except ValueError:
        raise ConfigError([Problem("command line", None, ("threshold",), f"{spec!r}: expected "
                                   "a number or pNN (a percentile of the samples)")]) from None


def find_boxes(x: pd.DataFrame, cases: np.ndarray, *, boxes: int = 2, density: float = 0.8,
               dimensions: int = 3, mass_min: float = 0.05
               ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """PRIM boxes (EMA Workbench): per box, the point of its peeling trajectory restricting at
    most `dimensions` parameters (a box a planner can read, and less prone to follow noise)
    with the most coverage among those of at least `density` (else the densest), the
    parameters it restricts and their ranges. Returns the box table and each box's peeling
    trajectory."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optional parallel back-ends the workbench lacks
        from ema_workbench.analysis import prim
        from ema_workbench.util import ema_logging

    ema_logging.get_rootlogger().setLevel("ERROR")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its own use of a pandas keyword pandas 3.1 deprecates
        algorithm = prim.Prim(x.astype(float), np.asarray(cases, dtype=bool),
                              mass_min=mass_min)
    rows, trajectories = [], []
    total = int(np.sum(cases))
    for number in range(1, boxes + 1):
        if total == 0 or not algorithm.yi_remaining.size or not np.any(
                np.asarray(cases, dtype=bool)[algorithm.yi_remaining]):
            break
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box = algorithm.find_box()
        trajectory = box.peeling_trajectory.copy()
        simple = trajectory[trajectory["res_dim"] <= dimensions]
        simple = simple if len(simple) else trajectory
        dense = simple[simple["density"] >= density]
        chosen = int(dense.sort_values(["coverage", "density"]).index[-1] if len(dense)
                     else simple["density"].idxmax())
        limits, initial = box.box_lims[chosen], box.box_lims[0]
        point = trajectory.loc[chosen]
        restricted = [c for c in limits.columns
                      if not np.allclose(limits[c].to_numpy(dtype=float),
                                         initial[c].to_numpy(dtype=float))]
        if point["mass"] >= 0.999 or not restricted:
            break  # the remaining cases are spread everywhere: no box explains them
        trajectories.append(trajectory.assign(box=number))
        for column in restricted:
            rows.append({"box": number, "parameter": column,
                         "low": float(limits[column].iloc[0]),
                         "high": float(limits[column].iloc[1]),
                         "range_low": float(initial[column].iloc[0]),
                         "range_high": float(initial[column].iloc[1]),
                         "coverage": float(point["coverage"]),
                         "density": float(point["density"]), "mass": float(point["mass"]),
                         "samples_in_box": int(point["n"]), "cases_in_box": int(point["k"])})
        box.select(chosen)
    columns = ["box", "parameter", "low", "high", "range_low", "range_high", "coverage",
               "density", "mass", "samples_in_box", "cases_in_box"]
    return pd.DataFrame(rows, columns=columns), trajectories


def discover(scenario: Scenario, outcome: str, threshold: str, *, below: bool,
             parameters: list[FreeParameter] | None = None,
             draws: list[dict[str, float]] | None = None, samples: int = 100,
             replicates: int = 2, seed: int = 1, workers: int = 2, cluster: str | None = None,
             boxes: int = 2, density: float = 0.8, dimensions: int = 3,
             progress: bool = False
             ) -> tuple[pd.DataFrame, pd.DataFrame, list[pd.DataFrame], float]:
    """Sample the hidden quantities, run them, flag the cases and find the boxes. Returns the
    samples, the boxes, their trajectories and the threshold used."""
    if draws is not None:
        chosen = draws[:samples]
        x = pd.DataFrame(chosen)
        scenarios = [with_draw(scenario, draw) for draw in chosen]
    else:
        x = latin_hypercube(parameters, samples, seed)
        scenarios = [scenario_with(scenario, parameters, row)
                     for row in x.to_dict("records")]
    seeds = replicate_seeds(seed, replicates)
    with evaluator(workers, cluster) as pool, RunProgress(
            len(scenarios) * len(seeds), "discover", enabled=progress) as bar:
        frames = pool.run(scenarios, seeds, each_done=bar.advance)
    table = x.copy()
    table[outcome] = [frame[outcome].mean() for frame in frames]
    limit = threshold_value(threshold, table[outcome])
    table["case"] = table[outcome] < limit if below else table[outcome] > limit
    found, trajectories = find_boxes(x, table["case"].to_numpy(), boxes=boxes, density=density,
                                     dimensions=dimensions)
    return table, found, trajectories, limit


def figure(table: pd.DataFrame, parameters: list[str], found: pd.DataFrame,
           trajectories: list[pd.DataFrame], title: str) -> Any:
    """Left: the samples on the first box's two most restricted parameters, cases marked, the
    box drawn. Right: each box's peeling trajectory (coverage against density)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    figure = Figure(figsize=(11, 4.8), layout="constrained")
    left, right = figure.subplots(1, 2)
    first = found[found["box"] == 1]
    narrowest = ((first["high"] - first["low"]) / (first["range_high"] - first["range_low"])
                 ).to_numpy()
    names = list(first["parameter"].to_numpy()[np.argsort(narrowest, kind="stable")])
    names = (names + [c for c in parameters if c not in names])[:2]
    if len(names) == 2:
        x, y = names
        cases = table["case"]
        left.scatter(table.loc[~cases, x], table.loc[~cases, y], s=14, color="#999999",
                     label="other samples")
        left.scatter(table.loc[cases, x], table.loc[cases, y], s=18, color="#D55E00",
                     label="cases of interest")
        limits = {row.parameter: (row.low, row.high) for row in first.itertuples()}
        x_low, x_high = limits.get(x, (table[x].min(), table[x].max()))
        y_low, y_high = limits.get(y, (table[y].min(), table[y].max()))
        left.add_patch(Rectangle((x_low, y_low), x_high - x_low, y_high - y_low, fill=False,
                                 edgecolor="#0072B2", linewidth=2, label="box 1"))
        left.set_xlabel(x)
        left.set_ylabel(y)
        left.legend(fontsize=8)
    for trajectory in trajectories:
        right.plot(trajectory["coverage"], trajectory["density"], "o-", ms=3,
                   label=f"box {int(trajectory['box'].iloc[0])}")
    right.set_xlabel("coverage (share of all cases inside the box)")
    right.set_ylabel("density (share of the box's samples that are cases)")
    right.set_xlim(0, 1.02)
    right.set_ylim(0, 1.02)
    if trajectories:
        right.legend(fontsize=8)
    figure.suptitle(title)
    return figure


def print_boxes(found: pd.DataFrame, outcome: str, sign: str, limit: float,
                cases: int, samples: int, console: Console | None = None) -> None:
    console = console or Console()
    console.print(f"{cases} of {samples} samples have {outcome} {sign} {limit:.4g}",
                  highlight=False)
    if found.empty:
        console.print("no box: the cases are not confined to a range of the parameters")
        return
    for number, rows in found.groupby("box"):
        first = rows.iloc[0]
        table = Table(title=f"box {number}: coverage {first.coverage:.0%}, density "
                            f"{first.density:.0%}, {first.samples_in_box} samples")
        for column in ("parameter", "in the box", "range sampled"):
            table.add_column(column)
        for row in rows.itertuples():
            table.add_row(row.parameter, f"{row.low:.4g} – {row.high:.4g}",
                          f"{row.range_low:.4g} – {row.range_high:.4g}")
        console.print(table)




