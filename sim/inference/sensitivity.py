"""Global sensitivity analysis (`sim sensitivity`): which assumptions drive which outcomes.

A sensitivity config names the scenario, the outcomes, and the parameters with their ranges
(the same `path`/`low`/`high`/`log`/`scale` entries as a calibration config). SALib draws the
design — Morris elementary effects by default (cheap screening: r × (k + 1) runs), Sobol indices
on request (N × (k + 2) runs, variance shares) — and every design point runs the same replicate
seeds (common random numbers), so an effect is the parameter's, not the luck of the draw.

Writes into the output folder: `indices.csv` (one row per outcome × parameter) and `indices.png`.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, field_validator
from rich.console import Console
from rich.table import Table

from sim.inference.experiments import (
    Evaluator,
    FreeParameter,
    read_config,
    scenario_with,
)
from sim.model.outcomes import OUTCOME_NAMES
from sim.model.streams import replicate_seeds
from sim.runs.progress import RunProgress
from sim.scenario.files import load_scenario, suggest
from sim.scenario.parameters import StrictModel
from sim.scenario.schema import Scenario

Method = Literal["morris", "sobol"]
FILES = ("indices.csv", "indices.png", "design.csv", "flips.csv")
RANKED_BY = {"morris": "mu_star", "sobol": "ST"}


class SensitivityConfig(StrictModel):
    """A sensitivity analysis: outcomes × parameters, method and effort."""

    scenario: Path = Field(description="Scenario file (relative to the config file).")
    versus: Path | None = Field(None, description="A second scenario: then every design point "
                                "runs both on the same seeds and the outcomes analysed are the "
                                "paired differences mean(versus − scenario).")
    outcomes: list[str] = Field(min_length=1, description="Outcomes to explain.")
    parameters: list[FreeParameter] = Field(min_length=2, description="Parameters to vary.")
    method: Method = Field("morris", description="morris (screening) or sobol (indices).")
    trajectories: int = Field(10, ge=2, le=10_000, description="Morris trajectories r.")
    levels: int = Field(4, ge=2, le=100, description="Morris grid levels (even).")
    samples: int = Field(64, ge=2, le=1_000_000, description="Sobol base samples N (a power "
                         "of 2).")
    replicates: int = Field(2, ge=1, le=1000, description="Replicates per design point, the "
                            "same seeds at every point.")
    seed: int = Field(1, ge=0, description="Root of the design and replicate seeds.")
    workers: int = Field(2, ge=1, le=1024, description="Worker processes (1: in this process).")

    @field_validator("outcomes")
    @classmethod
    def _known_outcomes(cls, outcomes: list[str]) -> list[str]:
        for name in outcomes:
            if name not in OUTCOME_NAMES:
                close = suggest(name, OUTCOME_NAMES)
                raise ValueError(f"unknown outcome {name!r}"
                                 + (f" (did you mean {close!r}?)" if close else "")
                                 + f"; valid: {', '.join(OUTCOME_NAMES)}")
        return outcomes


def load_config(path: str | Path) -> tuple[SensitivityConfig, Scenario]:
    """Read a sensitivity config and its scenario (path relative to the config)."""
    config, label = read_config(Path(path), SensitivityConfig)
    scenario = load_scenario(Path(path).parent / config.scenario)
    for parameter in config.parameters:
        parameter.check_against(scenario, label)
    return config, scenario


def load_versus(path: str | Path, config: SensitivityConfig) -> Scenario | None:
    """The config's `versus` scenario (None when it has none)."""
    if config.versus is None:
        return None
    versus = load_scenario(Path(path).parent / config.versus)
    for parameter in config.parameters:
        parameter.check_against(versus, str(path))
    return versus


def problem(parameters: list[FreeParameter]) -> dict:
    """The SALib problem; log-range parameters are sampled in their logarithm."""
    bounds = [[math.log(p.low), math.log(p.high)] if p.log else [p.low, p.high]
              for p in parameters]
    return {"num_vars": len(parameters), "names": [p.label for p in parameters],
            "bounds": bounds}


def design(config: SensitivityConfig) -> np.ndarray:
    """Design points (rows) in SALib's coordinates (the logarithm for log ranges)."""
    spec = problem(config.parameters)
    if config.method == "morris":
        from SALib.sample import morris

        return morris.sample(spec, config.trajectories, num_levels=config.levels,
                             seed=config.seed)
    from SALib.sample import sobol

    return sobol.sample(spec, config.samples, calc_second_order=False, seed=config.seed)


def analyse(config: SensitivityConfig, points: np.ndarray, outputs: pd.DataFrame
            ) -> pd.DataFrame:
    """One row per outcome × parameter with the method's indices and the parameter's rank
    (1 = most influential, by Morris μ* or Sobol total index)."""
    spec = problem(config.parameters)
    rows = []
    for outcome in config.outcomes:
        values = outputs[outcome].to_numpy(dtype=float)
        if config.method == "morris":
            from SALib.analyze import morris

            result = morris.analyze(spec, points, values, num_levels=config.levels,
                                    seed=config.seed)
            columns = ("mu_star", "mu_star_conf", "mu", "sigma")
        else:
            from SALib.analyze import sobol

            result = sobol.analyze(spec, values, calc_second_order=False, seed=config.seed)
            columns = ("ST", "ST_conf", "S1", "S1_conf")
        for index, name in enumerate(spec["names"]):
            rows.append({"method": config.method, "outcome": outcome, "parameter": name,
                         **{column: float(result[column][index]) for column in columns}})
    table = pd.DataFrame(rows)
    key = RANKED_BY[config.method]
    table["rank"] = table.groupby("outcome")[key].rank(ascending=False, method="min")
    return table.astype({"rank": int})


def run_sensitivity(config: SensitivityConfig, scenario: Scenario, *,
                    versus: Scenario | None = None, progress: bool = False) -> pd.DataFrame:
    """Run every design point over the same seeds and return the indices table. With `versus`,
    each point runs both scenarios with the point's values and the analysed output is the
    paired difference of means (versus − scenario); the table then says so in `target`."""
    indices, _ = run_design(config, scenario, versus=versus, progress=progress)
    return indices


def run_design(config: SensitivityConfig, scenario: Scenario, *,
               versus: Scenario | None = None, progress: bool = False
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The indices table and the design: one row per point with the parameters' values and
    each outcome (or paired difference)."""
    points = design(config)
    seeds = replicate_seeds(config.seed, config.replicates)
    bases = [scenario] + ([versus] if versus is not None else [])
    scenarios = [scenario_with(base, config.parameters, _natural(config, point))
                 for point in points for base in bases]
    Console(stderr=True, quiet=not progress).print(
        f"{config.method}: {len(points)} design points × {len(bases)} scenario(s) × "
        f"{len(seeds)} replicates = {len(scenarios) * len(seeds)} runs on {config.workers} "
        "worker(s)", highlight=False)
    with Evaluator(config.workers) as evaluator, RunProgress(
            len(scenarios) * len(seeds), f"sensitivity ({config.method})",
            enabled=progress) as bar:
        frames = evaluator.run(scenarios, seeds, each_done=bar.advance)
    if versus is None:
        outputs = pd.DataFrame([frame.mean() for frame in frames])
    else:  # same seeds in both: the mean of paired differences
        outputs = pd.DataFrame([(other - base).mean()
                                for base, other in zip(frames[::2], frames[1::2], strict=True)])
    indices = analyse(config, points, outputs)
    indices.insert(1, "target", "level" if versus is None else
                   f"difference: {versus.name} − {scenario.name}")
    values = pd.DataFrame([_natural(config, point) for point in points])
    return indices, pd.concat([values, outputs[config.outcomes]], axis=1)


def flips(config: SensitivityConfig, points: pd.DataFrame, indices: pd.DataFrame
          ) -> pd.DataFrame:
    """Per outcome × parameter: the mean difference over the design points in the lowest and in
    the highest quarter of the parameter's range, and whether the two have opposite signs (the
    assumption could flip the answer), with the share of all points agreeing with the overall
    sign. Meant for a `versus` design (outputs are paired differences)."""
    rows = []
    for outcome in config.outcomes:
        overall = points[outcome].mean()
        agree = float((np.sign(points[outcome]) == np.sign(overall)).mean()) if overall else 0.0
        for parameter in config.parameters:
            values = points[parameter.label]
            span = (np.log(values) if parameter.log else values)
            low_cut, high_cut = np.quantile(span, [0.25, 0.75])
            low = points.loc[span <= low_cut, outcome].mean()
            high = points.loc[span >= high_cut, outcome].mean()
            rows.append({"outcome": outcome, "parameter": parameter.label,
                         "difference_overall": overall, "difference_low": low,
                         "difference_high": high,
                         "flips": bool(np.sign(low) != np.sign(high) and low and high),
                         "points_agreeing": agree})
    table = pd.DataFrame(rows)
    key = RANKED_BY[config.method]
    ranked = indices[["outcome", "parameter", key, "rank"]]
    return table.merge(ranked, on=["outcome", "parameter"]).sort_values(["outcome", "rank"])


def _natural(config: SensitivityConfig, point: np.ndarray) -> dict[str, float]:
    """A design point in the parameters' own units (undoing the logarithm)."""
    return {p.label: float(math.exp(x) if p.log else x)
            for p, x in zip(config.parameters, point, strict=True)}


def figure(indices: pd.DataFrame, title: str = ""):
    """One panel per outcome, the parameters in one order for all panels: by their index
    relative to the largest one of each outcome, averaged over outcomes (most influential on
    top)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    method = indices["method"].iloc[0]
    key = RANKED_BY[method]
    table = indices.pivot(index="parameter", columns="outcome", values=key)
    conf = indices.pivot(index="parameter", columns="outcome", values=f"{key}_conf")
    relative = table / table.max().where(table.max() > 0, 1.0)
    order = relative.mean(axis=1).sort_values().index
    outcomes = list(dict.fromkeys(indices["outcome"]))
    fig, axes = plt.subplots(1, len(outcomes), sharey=True, squeeze=False,
                             figsize=(4.5 * len(outcomes) + 3, 0.45 * len(order) + 1.5))
    for ax, outcome in zip(axes[0], outcomes, strict=True):
        ax.barh(list(order), table.loc[order, outcome], xerr=conf.loc[order, outcome],
                color="tab:blue", error_kw={"ecolor": "grey", "capsize": 2})
        ax.set_title(outcome)
        ax.set_xlabel("Morris μ* (outcome units)" if method == "morris"
                      else "Sobol total index ST")
    fig.suptitle(title or f"Sensitivity ({method})")
    fig.tight_layout()
    return fig


def print_indices(indices: pd.DataFrame, console: Console | None = None) -> None:
    """The indices table, parameters ranked within each outcome."""
    console = console or Console(width=None if sys.stdout.isatty() else 140)
    key = RANKED_BY[indices["method"].iloc[0]]
    for outcome, rows in indices.groupby("outcome", sort=False):
        table = Table(title=f"{outcome}: {key} by parameter")
        for column in ("rank", "parameter", key, f"{key} 95% conf."):
            table.add_column(column, justify="left" if column == "parameter" else "right")
        for row in rows.sort_values("rank").itertuples():
            table.add_row(str(row.rank), row.parameter, f"{getattr(row, key):.4g}",
                          f"± {getattr(row, f'{key}_conf'):.3g}")
        console.print(table)






# --- which assumptions could flip a shipped answer: generated into docs/calibration.md -----------

FLIPS_START, FLIPS_END = "<!-- flips:start -->", "<!-- flips:end -->"


def flips_markdown(folders: list[Path], top: int = 3) -> str:
    """Per analysed difference (a folder of `sim sensitivity` with a `versus`): each outcome's
    overall difference, the share of design points with its sign, the most influential
    parameters, and the assumptions whose low and high quarters give opposite signs."""
    lines = ["| difference | outcome | mean over the design | points with its sign | most "
             "influential (μ*) | could flip the answer |", "|---|---|---:|---:|---|---|"]
    for folder in folders:
        indices = pd.read_csv(folder / "indices.csv")
        table = pd.read_csv(folder / "flips.csv")
        target = str(indices["target"].iloc[0]).removeprefix("difference: ")
        key = RANKED_BY[indices["method"].iloc[0]]
        for outcome, rows in table.groupby("outcome", sort=False):
            rows = rows.sort_values("rank")
            first = rows.iloc[0]
            ranked = ", ".join(f"{_short(r.parameter)} {getattr(r, key):.3g}"
                               for r in rows.head(top).itertuples())
            flipping = rows[rows["flips"]]
            flips_text = ("; ".join(f"{_short(r.parameter)} ({r.difference_low:+.3g} at the "
                                    f"low end, {r.difference_high:+.3g} at the high end)"
                                    for r in flipping.itertuples()) or "none in the ranges")
            lines.append(f"| {target} | {outcome} | {first.difference_overall:+.3g} | "
                         f"{first.points_agreeing:.0%} | {ranked} | {flips_text} |")
    return "\n".join(lines)


def _short(label: str) -> str:
    return label.removeprefix("parameters.")


def write_flips_section(document: Path, folders: list[Path]) -> None:
    """Replace the text between the flips markers of `document` with the generated table."""
    text = document.read_text(encoding="utf-8")
    if FLIPS_START not in text or FLIPS_END not in text:
        raise ValueError(f"{document} has no {FLIPS_START} … {FLIPS_END} section")
    head, rest = text.split(FLIPS_START, 1)
    _, tail = rest.split(FLIPS_END, 1)
    body = flips_markdown(folders)
    document.write_text(f"{head}{FLIPS_START}\n{body}\n{FLIPS_END}{tail}", encoding="utf-8")




