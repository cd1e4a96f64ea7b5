"""Global sensitivity analysis (`sim sensitivity`): which assumptions drive which outcomes.

A sensitivity config names the scenario, the outcomes, and the parameters with their ranges
(the same `path`/`low`/`high`/`log`/`scale` entries as a calibration config). SALib draws the
design — Morris elementary effects by default (cheap screening: r × (k + 1) runs), Sobol indices
on request (N × (k + 2) runs, variance shares) — and every design point runs the same replicate
seeds (common random numbers), so an effect is the parameter's, not the luck of the draw.

Writes into the output folder: `indices.csv` (one row per outcome × parameter) and `indices.png`.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, field_validator
from rich.console import Console
from rich.table import Table

from sim.analysis.experiments import (
    ConfigError,
    Evaluator,
    FreeParameter,
    read_config,
    scenario_with,
)
from sim.model.outcomes import OUTCOME_NAMES
from sim.model.streams import replicate_seeds
from sim.runs import results as store
from sim.runs.progress import RunProgress
from sim.runs.results import ResultsFolderError
from sim.scenario.files import Problem, load_scenario, suggest
from sim.scenario.parameters import StrictModel
from sim.scenario.schema import Scenario

Method = Literal["morris", "sobol"]
FILES = ("indices.csv", "indices.png")
RANKED_BY = {"morris": "mu_star", "sobol": "ST"}


class SensitivityConfig(StrictModel):
    """A sensitivity analysis: outcomes × parameters, method and effort."""

    scenario: Path = Field(description="Scenario file (relative to the config file).")
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
                    progress: bool = False) -> pd.DataFrame:
    """Run every design point over the same seeds and return the indices table."""
    points = design(config)
    seeds = replicate_seeds(config.seed, config.replicates)
    scenarios = [scenario_with(scenario, config.parameters, _natural(config, point))
                 for point in points]
    Console(stderr=True, quiet=not progress).print(
        f"{config.method}: {len(points)} design points × {len(seeds)} replicates "
        f"= {len(points) * len(seeds)} runs on {config.workers} worker(s)", highlight=False)
    with Evaluator(config.workers) as evaluator, RunProgress(
            len(scenarios) * len(seeds), f"sensitivity ({config.method})",
            enabled=progress) as bar:
        means = [frame.mean() for frame in evaluator.run(scenarios, seeds,
                                                         each_done=bar.advance)]
    return analyse(config, points, pd.DataFrame(means))


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


def register(commands: argparse._SubParsersAction) -> None:
    """Add `sim sensitivity` to the `sim` command's sub-commands."""
    parser = commands.add_parser("sensitivity",
                                 help="which parameters drive which outcomes (SALib)")
    parser.add_argument("config", type=Path, metavar="CONFIG")
    parser.add_argument("--method", choices=("morris", "sobol"),
                        help="override the config's method (default there: morris)")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="output folder (default: results/sensitivity/<config name>)")
    parser.add_argument("--workers", type=int, metavar="W", help="override workers")
    parser.add_argument("--force", action="store_true", help="replace earlier indices")
    parser.add_argument("--quiet", action="store_true", help="no progress, no table")
    parser.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    config, scenario = load_config(args.config)
    overrides = {k: v for k, v in (("method", args.method), ("workers", args.workers))
                 if v is not None}
    try:
        config = SensitivityConfig.model_validate({**config.model_dump(), **overrides})
    except ValidationError as error:
        raise ConfigError([Problem("command line", None, tuple(e["loc"]), e["msg"])
                           for e in error.errors(include_url=False)]) from None
    out = args.out or Path("results") / "sensitivity" / f"{args.config.stem}_{config.method}"
    if any((out / name).exists() for name in FILES) and not args.force:
        raise ResultsFolderError(f"{out} already holds indices; --force replaces them")
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    indices = run_sensitivity(config, scenario, progress=not args.quiet)
    store.write_csv(indices, out / "indices.csv")
    fig = figure(indices, title=f"{scenario.name}: sensitivity ({config.method}, "
                 f"{config.replicates} replicates per point)")
    fig.savefig(out / "indices.png", dpi=120)
    if not args.quiet:
        print_indices(indices)
        Console().print(f"done in {(time.monotonic() - started) / 60:.1f} min; written: "
                        f"{out}/ ({', '.join(FILES)})", highlight=False)
    return 0
