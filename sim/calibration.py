"""Calibration: fit the baseline's hidden parameters to the published outcomes (`sim calibrate`).

A calibration config (YAML) names the scenario, the parameters to fit with their prior ranges, the
targets (`sim/data/targets.csv`: published figure and band per outcome) and the budget. Optuna's
TPE sampler, seeded, proposes parameter values; each proposal runs the same replicate seeds
(common random numbers, so two proposals differ by their parameters, not by luck) on a pool of
worker processes, and scores the replicate means against the bands. The best values are then run
with fresh seeds for the report, which shows every target, inside its band or not.

Writes into the output folder: `fitted.yaml` (a scenario fragment holding only the fitted values,
for the baseline to `extends`), `loss_history.csv`, `report.csv` and `calibration.json`.

The first part of the module (free parameters, reading configs, the evaluator with its pool of
workers) is shared with `sim.sensitivity`, which varies the same kind of parameters.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import Field, ValidationError, model_validator
from rich.console import Console
from rich.table import Table

from sim import results as store
from sim.outcomes import OUTCOME_NAMES
from sim.parameters import StrictModel
from sim.results import ResultsFolderError, reduce
from sim.scenario import Scenario
from sim.scenario_files import (
    Problem,
    ScenarioError,
    load_scenario,
    merge,
    parse_document,
    scenario_from_mapping,
    suggest,
)
from sim.streams import replicate_seeds

FILES = ("fitted.yaml", "loss_history.csv", "report.csv", "calibration.json")


# --- free parameters: a key path into the scenario with a prior range ---------------------------

class ConfigError(ScenarioError):
    """A calibration or sensitivity config that cannot be used; `problems` says every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        ValueError.__init__(self, "invalid config:\n  " + "\n  ".join(map(str, self.problems)))


class FreeParameter(StrictModel):
    """A scenario value to fit or vary, e.g. `parameters.lead_precision` in [0.1, 0.8].

    With `scale: true` the value is a multiplier of the default in sim/parameters.py (of every
    entry, for a mapping such as `parameters.networks`), so the range reads "half to twice the
    default" and stays meaningful when the defaults are re-tuned.
    """

    path: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$",
                      description="Dotted key path into the scenario.")
    low: float = Field(description="Lower end of the prior range.")
    high: float = Field(description="Upper end of the prior range.")
    log: bool = Field(False, description="Sample uniformly in the logarithm (positive ranges).")
    scale: bool = Field(False, description="The value multiplies the default.")

    @model_validator(mode="after")
    def _range(self) -> FreeParameter:
        if not self.low < self.high:
            raise ValueError(f"{self.path}: low ({self.low}) must be below high ({self.high})")
        if self.log and self.low <= 0:
            raise ValueError(f"{self.path}: a log range needs low > 0")
        return self

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.path.split("."))

    @property
    def label(self) -> str:
        """Column name in the tables: the path, marked when the value is a scale."""
        return f"{self.path}:scale" if self.scale else self.path

    def distribution(self) -> Any:
        import optuna

        return optuna.distributions.FloatDistribution(self.low, self.high, log=self.log)

    def check_against(self, scenario: Scenario, label: str) -> None:
        """The path must name a number (or, for a scale, numbers) in the scenario."""
        try:
            value = resolve_path(scenario.model_dump(mode="json"), self.keys)
        except KeyError as error:
            raise ConfigError([Problem(label, None, ("parameters", self.path),
                                       f"no such scenario key {error}")]) from None
        numbers = list(value.values()) if isinstance(value, dict) and self.scale else [value]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers):
            expected = "a number or a mapping of numbers" if self.scale else "a number"
            raise ConfigError([Problem(label, None, ("parameters", self.path),
                                       f"expected {expected}, found {value!r} "
                                       "(a mapping needs scale: true or one entry's path)")])

    def current_value(self, scenario: Scenario) -> float:
        """The scenario's value in this parameter's terms (for a scale: mean ratio to default)."""
        value = resolve_path(scenario.model_dump(mode="json"), self.keys)
        if not self.scale:
            return float(value)
        default = resolve_path(_defaults(), self.keys)
        if isinstance(value, dict):
            ratios = [value[k] / default[k] for k in default if default[k]]
            return float(np.mean(ratios)) if ratios else 1.0
        return float(value / default) if default else 1.0

    def value_in_scenario(self, proposed: float, current: Any) -> Any:
        """What to write at the path for a proposed value (ints stay ints)."""
        if not self.scale:
            return round(proposed) if isinstance(current, int) else proposed
        default = resolve_path(_defaults(), self.keys)
        if isinstance(default, dict):
            return {k: round(v * proposed) if isinstance(v, int) else v * proposed
                    for k, v in default.items()}
        return round(default * proposed) if isinstance(default, int) else default * proposed


@functools.cache
def _defaults() -> dict[str, Any]:
    return Scenario(name="defaults").model_dump(mode="json")


def resolve_path(data: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """The value at a key path of nested mappings; KeyError names the first missing key."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            raise KeyError(key)
        data = data[key]
    return data


def scenario_with(scenario: Scenario, parameters: list[FreeParameter],
                  values: dict[str, float]) -> Scenario:
    """A copy of `scenario` with the proposed values written at the parameters' paths."""
    data = scenario.model_dump(mode="json")
    for parameter in parameters:
        *parents, last = parameter.keys
        node = resolve_path(data, tuple(parents))
        node[last] = parameter.value_in_scenario(values[parameter.label], node[last])
    return scenario_from_mapping(data, label="proposed parameter values")


def read_config(path: Path, model: type[StrictModel]) -> tuple[Any, str]:
    """Validate a YAML config into `model`; problems name the file, line and key path."""
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError([Problem(label, None, (), f"cannot be read: {error}")]) from None
    document = parse_document(text, label, path)
    try:
        return model.model_validate(document.data), label
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            loc = tuple(item["loc"])
            line = next((document.lines[loc[:end]] for end in range(len(loc), -1, -1)
                         if loc[:end] in document.lines), None)
            problems.append(Problem(label, line, loc, item["msg"], _closest_key(model, item)))
        raise ConfigError(problems) from None


def _closest_key(model: type[StrictModel], error: Any) -> str | None:
    """For a misspelt key at the top level or in a parameter entry, the closest valid one."""
    if error["type"] != "extra_forbidden":
        return None
    fields = FreeParameter.model_fields if len(error["loc"]) > 1 else model.model_fields
    return suggest(str(error["loc"][-1]), fields)


# --- evaluating proposals: fixed seeds on a pool of worker processes -----------------------------

def replicate_outcomes(scenario: Scenario, seed: int) -> dict[str, float]:
    """One replicate's outcomes (the summary row only; daily and event tables are not needed)."""
    from sim.model import JointActionModel  # here, so that `sim --help` need not import Mesa

    return {name: float(value)
            for name, value in JointActionModel(scenario, rng=seed).run().outcomes().items()}


class Evaluator:
    """Runs scenarios over a fixed list of seeds; one pool of "spawn" workers for the whole
    calibration (starting workers costs seconds, a replicate under one), or in-process."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Evaluator:
        if self.workers > 1:
            self._pool = ProcessPoolExecutor(self.workers,
                                             mp_context=multiprocessing.get_context("spawn"))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def run(self, scenarios: list[Scenario], seeds: list[int], *,
            each_done: Callable[[], None] | None = None) -> list[pd.DataFrame]:
        """Per scenario, one row of outcomes per seed (in seed order); `each_done` is called
        after every replicate (a progress bar)."""
        pairs = [(scenario, seed) for scenario in scenarios for seed in seeds]
        if self._pool is None:
            finished = (replicate_outcomes(scenario, seed) for scenario, seed in pairs)
        else:
            finished = self._pool.map(replicate_outcomes, *zip(*pairs, strict=True))
        rows = []
        for row in finished:
            rows.append(row)
            if each_done is not None:
                each_done()
        n = len(seeds)
        return [pd.DataFrame(rows[i * n:(i + 1) * n], index=pd.Index(seeds, name="seed"))
                for i in range(len(scenarios))]


# --- the config --------------------------------------------------------------------------------

class Budget(StrictModel):
    """How much the fit may run: trials × replicates model runs, on `workers` processes."""

    trials: int = Field(100, ge=1, le=100_000, description="Parameter proposals to evaluate.")
    replicates: int = Field(6, ge=1, le=1000, description="Replicates per proposal; the same "
                            "seeds for every proposal (common random numbers).")
    seed: int = Field(1, ge=0, description="Root of the replicate seeds and the TPE sampler.")
    workers: int = Field(2, ge=1, le=1024, description="Worker processes (1: in this process).")
    minutes: float | None = Field(None, gt=0, description="Stop proposing after this much wall "
                                  "time (the trials run so far are kept; `--trials` with their "
                                  "count reproduces the fit exactly).")


class ReportSettings(StrictModel):
    """The final run of the fitted values, with seeds the fit never saw."""

    replicates: int = Field(20, ge=2, le=10_000, description="Replicates of the fitted values.")
    seed: int = Field(2, ge=0, description="Root of the report's replicate seeds.")


class CalibrationConfig(StrictModel):
    """A calibration: what to fit, against what, with how much effort."""

    scenario: Path = Field(description="Scenario file (relative to the config file).")
    targets: Path = Field(description="CSV with outcome, published, band_low, band_high, source.")
    outcomes: list[str] | None = Field(None, description="Targets to fit (default: every row).")
    parameters: list[FreeParameter] = Field(min_length=1, description="Parameters to fit.")
    budget: Budget = Field(default_factory=Budget)
    report: ReportSettings = Field(default_factory=ReportSettings)
    published_weight: float = Field(0.01, ge=0, description="Weight of the pull towards the "
                                    "published figure inside the band.")

    @model_validator(mode="after")
    def _unique_names(self) -> CalibrationConfig:
        names = [p.label for p in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError(f"a parameter is listed twice: {names}")
        return self


def load_config(path: str | Path) -> tuple[CalibrationConfig, Scenario, pd.DataFrame]:
    """Read a calibration config with its scenario and targets (paths relative to the config)."""
    config, label = read_config(Path(path), CalibrationConfig)
    folder = Path(path).parent
    scenario = load_scenario(folder / config.scenario)
    targets = load_targets(folder / config.targets, config.outcomes, label)
    for parameter in config.parameters:
        parameter.check_against(scenario, label)
    return config, scenario, targets


def load_targets(path: Path, outcomes: list[str] | None, label: str) -> pd.DataFrame:
    """Targets indexed by outcome; every outcome must be one the model reports."""
    try:
        targets = pd.read_csv(path).set_index("outcome")
        targets = targets[["published", "band_low", "band_high"]].astype(float)
    except (OSError, KeyError, ValueError) as error:
        expected = "expected columns outcome, published, band_low, band_high"
        raise ConfigError([Problem(label, None, ("targets",),
                                   f"cannot read {path}: {error}; {expected}")]) from None
    problems = [Problem(label, None, ("targets",), f"{name}: not an outcome of the model")
                for name in targets.index if name not in OUTCOME_NAMES]
    problems += [Problem(label, None, ("outcomes",), f"{name}: not in {path}")
                 for name in outcomes or [] if name not in targets.index]
    problems += [Problem(label, None, ("targets",), f"{name}: band_low must be below band_high")
                 for name, row in targets.iterrows() if not row.band_low < row.band_high]
    if problems:
        raise ConfigError(problems)
    return targets.loc[outcomes] if outcomes else targets


# --- the loss ----------------------------------------------------------------------------------

def target_losses(means: pd.Series, targets: pd.DataFrame,
                  published_weight: float) -> pd.Series:
    """Per target: squared distance outside the band in band widths (0 inside), plus a small
    squared pull towards the published figure so that ties inside the band break towards it."""
    width = targets["band_high"] - targets["band_low"]
    simulated = means.reindex(targets.index)
    outside = np.maximum(targets["band_low"] - simulated, 0) + np.maximum(
        simulated - targets["band_high"], 0)
    return (outside / width) ** 2 + published_weight * ((simulated - targets["published"])
                                                        / width) ** 2


def report_table(summary: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Per target: published figure, band, simulated mean and 90% interval of replicates, whether
    the mean is inside the band, and the miss in % of the band width (+ above, − below)."""
    rows = []
    for outcome, target in targets.iterrows():
        reduction = reduce(summary[outcome])
        width = target.band_high - target.band_low
        above = max(reduction.mean - target.band_high, 0.0)
        below = max(target.band_low - reduction.mean, 0.0)
        rows.append({"outcome": outcome, "published": target.published,
                     "band_low": target.band_low, "band_high": target.band_high,
                     "simulated_mean": reduction.mean, "simulated_p5": reduction.p5,
                     "simulated_p95": reduction.p95,
                     "inside_band": "yes" if above == below == 0 else "no",
                     "miss_pct_of_band": 100 * (above - below) / width})
    return pd.DataFrame(rows)


# --- the fit -----------------------------------------------------------------------------------

@dataclass
class Calibration:
    """What a calibration found: fitted values, the scenario fragment, history and report."""

    values: dict[str, float]
    fragment: dict[str, Any]
    loss: float
    history: pd.DataFrame
    report: pd.DataFrame
    seconds: float


def calibrate(config: CalibrationConfig, scenario: Scenario, targets: pd.DataFrame, *,
              out: Path | None = None, progress: bool = False) -> Calibration:
    """Fit `config.parameters` to `targets`; with `out`, the history is written after every
    trial (an interrupted fit keeps it) and the other files at the end."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    started = time.monotonic()
    budget = config.budget
    seeds = replicate_seeds(budget.seed, budget.replicates)
    distributions = {p.label: p.distribution() for p in config.parameters}
    sampler = optuna.samplers.TPESampler(seed=budget.seed, multivariate=True,
                                         n_startup_trials=min(10, max(1, budget.trials // 4)))
    study = optuna.create_study(direction="minimize", sampler=sampler)
    start = {p.label: p.current_value(scenario) for p in config.parameters}
    outside = [f"{p.label} = {start[p.label]:.4g} (range {p.low:g}–{p.high:g})"
               for p in config.parameters if not p.low <= start[p.label] <= p.high]
    if outside:
        Console(stderr=True).print("the scenario's own values are outside their range, so the "
                                   "fit does not start from them: " + "; ".join(outside),
                                   style="yellow", highlight=False)
    else:
        study.enqueue_trial(start)  # trial 0 scores the values the scenario has now
    history: list[dict[str, Any]] = []
    console = Console(stderr=True, quiet=not progress)
    with Evaluator(budget.workers) as evaluator:
        for number in range(budget.trials):
            if number and budget.minutes and time.monotonic() - started > 60 * budget.minutes:
                break
            trial = study.ask(distributions)
            values = {p.label: trial.params[p.label] for p in config.parameters}
            candidate = scenario_with(scenario, config.parameters, values)
            means = evaluator.run([candidate], seeds)[0].mean()
            losses = target_losses(means, targets, config.published_weight)
            loss = float(losses.sum())
            study.tell(trial, loss)
            history.append({"trial": number, "loss": loss, "best_loss": study.best_value,
                            "seconds": round(time.monotonic() - started, 1), **values,
                            **{f"mean:{name}": means[name] for name in targets.index}})
            if out is not None:
                store.write_csv(pd.DataFrame(history), out / "loss_history.csv")
            console.print(f"trial {number + 1}/{budget.trials}: loss {loss:.4g} "
                          f"(best {study.best_value:.4g})", highlight=False)
        best = {p.label: study.best_params[p.label] for p in config.parameters}
        fitted_values = fragment(scenario_with(scenario, config.parameters, best),
                                 config.parameters)
        # the report runs the values exactly as fitted.yaml states them (rounded)
        fitted = scenario_from_mapping(merge(scenario.model_dump(mode="json"), {
            key: value for key, value in fitted_values.items()
            if key not in ("name", "description")}), label="fitted values")
        report_seeds = replicate_seeds(config.report.seed, config.report.replicates)
        summary = evaluator.run([fitted], report_seeds)[0]
    return Calibration(best, fitted_values, study.best_value, pd.DataFrame(history),
                       report_table(summary, targets), time.monotonic() - started)


def fragment(scenario: Scenario, parameters: list[FreeParameter]) -> dict[str, Any]:
    """The fitted values as nested scenario keys. The name and description only make the file
    valid on its own (`sim validate`); a scenario that extends it keeps its own."""
    data = scenario.model_dump(mode="json")
    result: dict[str, Any] = {"name": "calibrated_parameters", "description": (
        "Fitted values of hidden parameters (sim calibrate); not an operation on its own: "
        "no officers. The baseline extends this file.")}
    for parameter in parameters:
        value = resolve_path(data, parameter.keys)
        node = result
        for key in parameter.keys[:-1]:
            node = node.setdefault(key, {})
        node[parameter.keys[-1]] = _rounded(value)
    return result


def _rounded(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, float):
        return float(f"{value:.4g}")
    return value


def write_outputs(calibration: Calibration, out: Path, *, config_path: Path,
                  command: str) -> None:
    """fitted.yaml, loss_history.csv, report.csv and calibration.json (the run's manifest)."""
    header = ("# yaml-language-server: $schema=scenario.schema.json\n"
              "# Fitted values of hidden parameters (sim calibrate): a fragment a scenario "
              "extends (docs/calibration.md).\n"
              f"# Command: `{command}` on {store.now()} (git {store.git_commit() or 'unknown'}).\n"
              f"# Config: {config_path}; {len(calibration.history)} trials, loss "
              f"{calibration.loss:.4g}; report: report.csv beside the original.\n")
    (out / "fitted.yaml").write_text(
        header + yaml.safe_dump(calibration.fragment, sort_keys=False), encoding="utf-8")
    store.write_csv(calibration.history, out / "loss_history.csv")
    store.write_csv(calibration.report, out / "report.csv")
    store.write_json(out / "calibration.json", {
        "command": command, "config": str(config_path), "values": calibration.values,
        "loss": calibration.loss, "trials_run": len(calibration.history),
        "seconds": round(calibration.seconds, 1),
        "finished": store.now(), "git_commit": store.git_commit(),
        "packages": store.package_versions()})


def print_report(report: pd.DataFrame, console: Console | None = None,
                 title: str = "calibration report") -> None:
    """The report table with misses in red: a target outside its band is never hidden."""
    from sim.cli import number

    console = console or Console(width=None if sys.stdout.isatty() else 140)
    table = Table(title=title)
    for column in ("outcome", "published", "band", "simulated mean", "90% of replicates",
                   "inside band", "miss (% of band)"):
        table.add_column(column, justify="left" if column == "outcome" else "right")
    for row in report.itertuples():
        style = None if row.inside_band == "yes" else "red"
        table.add_row(row.outcome, number(row.published),
                      f"{number(row.band_low)} – {number(row.band_high)}",
                      number(row.simulated_mean),
                      f"{number(row.simulated_p5)} – {number(row.simulated_p95)}",
                      row.inside_band, _percent(row.miss_pct_of_band), style=style)
    console.print(table)
    missed = report[report["inside_band"] == "no"]
    console.print(f"{len(report) - len(missed)} of {len(report)} targets inside their band"
                  + (f"; missed: {', '.join(missed['outcome'])}" if len(missed) else ""))


def _percent(miss: float) -> str:
    if miss == 0:
        return "0"
    return f"{miss:+.1f}%" if abs(miss) < 10 else f"{miss:+.0f}%"


# --- the command ---------------------------------------------------------------------------------

def register(commands: argparse._SubParsersAction) -> None:
    """Add `sim calibrate` to the `sim` command's sub-commands."""
    parser = commands.add_parser("calibrate", help="fit hidden parameters to published outcomes")
    parser.add_argument("config", type=Path, metavar="CONFIG")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="output folder (default: results/calibration/<config name>)")
    parser.add_argument("--trials", type=int, metavar="N", help="override budget.trials")
    parser.add_argument("--replicates", type=int, metavar="N", help="override budget.replicates")
    parser.add_argument("--workers", type=int, metavar="W", help="override budget.workers")
    parser.add_argument("--minutes", type=float, metavar="M", help="override budget.minutes")
    parser.add_argument("--force", action="store_true", help="replace an earlier calibration")
    parser.add_argument("--quiet", action="store_true", help="no progress, no report")
    parser.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    config, scenario, targets = load_config(args.config)
    overrides = {"trials": args.trials, "replicates": args.replicates, "workers": args.workers,
                 "minutes": args.minutes}
    try:
        budget = config.budget.model_copy(update={k: v for k, v in overrides.items()
                                                  if v is not None})
        config.budget = Budget.model_validate(budget.model_dump())
    except ValidationError as error:
        raise ConfigError([Problem("command line", None, tuple(e["loc"]), e["msg"])
                           for e in error.errors(include_url=False)]) from None
    out = args.out or Path("results") / "calibration" / args.config.stem
    if any((out / name).exists() for name in FILES) and not args.force:
        raise ResultsFolderError(f"{out} already holds a calibration; --force replaces it")
    out.mkdir(parents=True, exist_ok=True)
    calibration = calibrate(config, scenario, targets, out=out, progress=not args.quiet)
    write_outputs(calibration, out, config_path=args.config,
                  command=getattr(args, "command_line", "sim calibrate"))
    if not args.quiet:
        print_report(calibration.report, title=f"{scenario.name} with the fitted values "
                     f"({config.report.replicates} fresh replicates)")
        Console().print(f"fitted in {calibration.seconds / 60:.1f} min "
                        f"({len(calibration.history)} trials × {config.budget.replicates} "
                        f"replicates), loss {calibration.loss:.4g}; written: {out}/ "
                        f"({', '.join(FILES)})", highlight=False)
    return 0
