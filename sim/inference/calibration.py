"""Calibration: fit hidden parameters to published or outside figures (`sim calibrate`).

A calibration config (YAML) names one scenario with its targets (`sim/data/targets.csv`: published
figure and band per outcome), or several `regimes` (scenarios with their target tables) fitted on
one set of values, the parameters to fit with their prior ranges and the budget. Optuna's TPE
sampler, seeded, proposes parameter values; each proposal runs every regime on the same
replicate seeds (common random numbers, so two proposals differ by their parameters, not by
luck) on a pool of worker processes, and scores the replicate means against the bands. The best
values are then run with fresh seeds for the report, which shows every target, inside its band
or not.

Writes into the output folder: `fitted.yaml` (a scenario fragment holding only the fitted values,
for the baseline to `extends`), `loss_history.csv`, `report.csv`, `posterior.csv` (the accepted
proposals, `sim.inference.accepted`) and `calibration.json`.

The config and target tables live in `sim.inference.calibration_config`; free parameters, config
reading and the evaluator with its pool of workers in `sim.inference.experiments`, shared with
`sim.inference.sensitivity`.
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from rich.console import Console
from rich.table import Table

from sim.inference.accepted import POSTERIOR, Ensemble, write_posterior
from sim.inference.calibration_config import (  # noqa: F401 (the config's names, re-exported)
    Budget,
    CalibrationConfig,
    LoadedRegime,
    PosteriorSettings,
    Regime,
    ReportSettings,
    load_config,
    load_regimes,
    load_targets,
)
from sim.inference.experiments import (
    ConfigError,
    Evaluator,
    FreeParameter,
    resolve_path,
    scenario_with,
)
from sim.model.streams import replicate_seeds
from sim.runs import layout
from sim.runs import results as store
from sim.runs.statistics import number, reduce
from sim.scenario.allocation import check_scenario
from sim.scenario.files import (
    Problem,
    ScenarioError,
    merge,
    scenario_from_mapping,
)
from sim.scenario.schema import Scenario

FILES = ("fitted.yaml", "loss_history.csv", "report.csv", "calibration.json", "posterior.csv")


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

def band_losses(means: pd.Series, targets: pd.DataFrame) -> pd.Series:
    """Per target: the squared distance outside the band in band widths (0 inside)."""
    return target_losses(means, targets, 0.0)


def intercepted_share(means: pd.Series) -> float:
    """Share of the criminal movements that set off which were stopped (replicate means)."""
    attempted = float(means.get("movements_attempted", 0.0))
    return float(means.get("movements_intercepted", 0.0)) / attempted if attempted else math.nan


@dataclass
class Calibration:
    """What a calibration found: fitted values, the scenario fragment, history and report.

    `history` has one row per trial; `report` one row per regime × target (with a `regime`
    column when there are several regimes); `shares` the fitted values' intercepted share per
    regime on the report's seeds."""

    values: dict[str, float]
    fragment: dict[str, Any]
    loss: float
    history: pd.DataFrame
    report: pd.DataFrame
    seconds: float
    shares: dict[str, float] = field(default_factory=dict)


def calibrate(config: CalibrationConfig, scenario: Scenario | list[LoadedRegime],
              targets: pd.DataFrame | None = None, *, out: Path | None = None,
              progress: bool = False, report: bool = True,
              resumed: pd.DataFrame | None = None) -> Calibration:
    """Fit `config.parameters` to the targets of every regime (a scenario with its targets, or
    the list `load_regimes` gives): each proposal runs every regime's scenario on the same
    seeds and the weighted losses add up. With `out`, the history is written after every trial
    (an interrupted fit keeps it) and the other files at the end. `report=False` skips the
    fresh-seed runs of the fitted values (`fitted_report` runs them later, e.g. after the
    refinements of `sim.inference.refinement`). `config.refine` is not run here.

    `resumed` is the history of an earlier fit of the same config (`resumed_history` reads and
    checks it): its trials are told to the sampler as they were scored, and the search goes on
    from there up to `budget.trials` (none more when it already holds that many). A resumed
    fit is not bit-identical to an uninterrupted one: the sampler's own random state starts
    again, so its later proposals differ; every trial is still scored on the same seeds."""
    import optuna

    regimes = (scenario if isinstance(scenario, list)
               else [LoadedRegime(scenario.name, scenario, targets)])
    joint = len(regimes) > 1
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    started = time.monotonic()
    budget = config.budget
    seeds = replicate_seeds(budget.seed, budget.replicates)
    distributions = {p.label: p.distribution() for p in config.parameters}
    sampler = optuna.samplers.TPESampler(seed=budget.seed, multivariate=True,
                                         n_startup_trials=min(10, max(1, budget.trials // 4)))
    study = optuna.create_study(direction="minimize", sampler=sampler)
    first = regimes[0].scenario
    start = {p.label: p.current_value(first) for p in config.parameters}
    outside = [f"{p.label} = {start[p.label]:.4g} (range {p.low:g}–{p.high:g})"
               for p in config.parameters if not p.low <= start[p.label] <= p.high]
    if outside:
        Console(stderr=True).print("the scenario's own values are outside their range, so the "
                                   "fit does not start from them: " + "; ".join(outside),
                                   style="yellow", highlight=False)
    elif resumed is None or not len(resumed):
        study.enqueue_trial(start)  # trial 0 scores the values the scenario has now
    history: list[dict[str, Any]] = []
    if resumed is not None and len(resumed):
        history = resumed.to_dict("records")
        for row in history:
            params = {p.label: float(row[p.label]) for p in config.parameters}
            try:
                study.add_trial(optuna.trial.create_trial(
                    params=params, distributions=distributions, value=float(row["loss"])))
            except ValueError:
                raise ConfigError([Problem("loss_history.csv", None, ("trial", row["trial"]),
                                           "a value of the earlier fit lies outside this "
                                           "config's ranges (they changed since); start a "
                                           "new fit with --force")]) from None
        started -= float(resumed["seconds"].max())  # the time limit counts the earlier trials
    console = Console(stderr=True, quiet=not progress)
    with Evaluator(budget.workers) as evaluator:
        for number in range(len(history), budget.trials):
            if number and budget.minutes and time.monotonic() - started > 60 * budget.minutes:
                break
            trial = study.ask(distributions)
            values = {p.label: trial.params[p.label] for p in config.parameters}
            candidates, reason = proposed_scenarios(regimes, config.parameters, values)
            if reason:  # e.g. a scaled share above 1: the worst loss, and the search goes on
                study.tell(trial, math.inf)
                history.append({"trial": number, "loss": math.inf,
                                "best_loss": study.best_value, "band_loss": math.inf,
                                "seconds": round(time.monotonic() - started, 1), **values,
                                "infeasible": reason})
                if out is not None:
                    store.write_csv(pd.DataFrame(history), out / "loss_history.csv")
                console.print(f"trial {number + 1}/{budget.trials}: infeasible ({reason})",
                              highlight=False)
                continue
            frames = evaluator.run(candidates, seeds)  # every regime on the same seeds
            loss, band, row = 0.0, 0.0, {}
            for regime, frame in zip(regimes, frames, strict=True):
                means = frame.mean()
                loss += regime.weight * float(
                    target_losses(means, regime.targets, config.published_weight).sum())
                band += regime.weight * float(band_losses(means, regime.targets).sum())
                prefix = f"{regime.label}:" if joint else ""
                row.update({f"mean:{prefix}{name}": means[name]
                            for name in regime.targets.index})
                row[f"intercepted_share{':' + regime.label if joint else ''}"] = (
                    intercepted_share(means))
            study.tell(trial, loss)
            history.append({"trial": number, "loss": loss, "best_loss": study.best_value,
                            "band_loss": band,
                            "seconds": round(time.monotonic() - started, 1), **values, **row})
            if out is not None:
                store.write_csv(pd.DataFrame(history), out / "loss_history.csv")
            console.print(f"trial {number + 1}/{budget.trials}: loss {loss:.4g} "
                          f"(best {study.best_value:.4g})", highlight=False)
        if not math.isfinite(study.best_value):
            raise ConfigError([Problem("calibration", None, ("parameters",), "no proposal was "
                                       "a valid scenario; the first: " + history[0]
                                       ["infeasible"] + " (narrow the parameter ranges)")])
        best = {p.label: study.best_params[p.label] for p in config.parameters}
        fitted_values = fragment(scenario_with(first, config.parameters, best),
                                 config.parameters)
        table, shares = (fitted_report(config, regimes, fitted_values, evaluator) if report
                         else (pd.DataFrame(), {}))
    return Calibration(best, fitted_values, study.best_value, pd.DataFrame(history), table,
                       time.monotonic() - started, shares)


def resumed_history(config: CalibrationConfig, regimes: list[LoadedRegime],
                    folder: Path) -> pd.DataFrame:
    """The trials an earlier fit of this config wrote into `folder` (its loss_history.csv),
    refused with a message when they cannot be continued: another parameter set, other
    regimes, or (when its calibration.json records them) another budget seed or replicate
    count, whose scores would not be comparable with new ones on the same seeds."""
    path = folder / "loss_history.csv"

    def refuse(message: str) -> ConfigError:
        return ConfigError([Problem(str(path), None, (), message + "; start a new fit with "
                                    "--force, or write it elsewhere with --out")])

    if not path.is_file():
        raise refuse("there is no earlier fit to resume")
    history = store.read_table(path)
    labels = [p.label for p in config.parameters]
    missing = [label for label in [*labels, "loss", "seconds"] if label not in history]
    if missing:
        raise refuse(f"the earlier fit has no column {', '.join(missing)}: it fitted other "
                     "parameters than this config")
    joint = len(regimes) > 1
    expected = {f"mean:{r.label + ':' if joint else ''}{name}"
                for r in regimes for name in r.targets.index}
    absent = sorted(expected - set(history.columns))
    if absent:
        raise refuse(f"the earlier fit scored other targets or regimes (no {absent[0]})")
    manifest = folder / "calibration.json"
    if manifest.is_file():
        earlier = json.loads(manifest.read_text()).get("budget") or {}
        for key in ("seed", "replicates"):
            if key in earlier and earlier[key] != getattr(config.budget, key):
                raise refuse(f"the earlier fit ran with budget {key} {earlier[key]}, this one "
                             f"with {getattr(config.budget, key)}")
    return history[history["loss"].notna()].reset_index(drop=True)


def with_fragment(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """The scenario with the fitted values written in exactly as fitted.yaml states them."""
    return scenario_from_mapping(merge(scenario.model_dump(mode="json"), {
        key: value for key, value in values.items() if key not in ("name", "description")}),
        label="fitted values")


def fitted_report(config: CalibrationConfig, regimes: list[LoadedRegime],
                  values: dict[str, Any], evaluator: Evaluator
                  ) -> tuple[pd.DataFrame, dict[str, float]]:
    """Every regime run with the fitted values on the report's seeds (which the fit never
    saw): the report table (a `regime` column when there are several) and the intercepted
    share per regime."""
    fitted = [with_fragment(r.scenario, values) for r in regimes]
    summaries = evaluator.run(fitted, replicate_seeds(config.report.seed,
                                                      config.report.replicates))
    reports = []
    for regime, summary in zip(regimes, summaries, strict=True):
        table = report_table(summary, regime.targets)
        if len(regimes) > 1:
            table.insert(0, "regime", regime.label)
        reports.append(table)
    shares = {r.label: intercepted_share(s.mean()) for r, s in zip(regimes, summaries,
                                                                   strict=True)}
    return pd.concat(reports, ignore_index=True), shares


def proposed_scenarios(regimes: list[LoadedRegime], parameters: list[FreeParameter],
                       values: dict[str, float]) -> tuple[list[Scenario], str]:
    """Each regime's scenario with the proposed values, or why the proposal is no valid
    scenario (the schema or the allocation checks refuse it)."""
    try:
        candidates = [scenario_with(r.scenario, parameters, values) for r in regimes]
        for candidate in candidates:
            check_scenario(candidate)
    except ScenarioError as error:
        return [], "; ".join(f"{'.'.join(map(str, p.key_path))}: {p.message}"
                             for p in error.problems)
    return candidates, ""


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


def write_outputs(calibration: Calibration, out: Path, *, config_path: Path, command: str,
                  ensemble: Ensemble | None = None,
                  refinements: list[dict[str, Any]] | None = None,
                  budget: Budget | None = None) -> None:
    """fitted.yaml, loss_history.csv, report.csv, posterior.csv (with `ensemble`) and
    calibration.json (the run's manifest, with each refinement's values and time)."""
    refined = "".join(f"; refinement {r['name']}: {r['trials_run']} trials, loss {r['loss']:.4g}"
                      for r in refinements or [])
    header = ("# yaml-language-server: $schema=scenario.schema.json\n"
              "# Fitted values of hidden parameters (sim calibrate): a fragment a scenario "
              "extends (docs/calibration.md).\n"
              f"# Command: `{command}` on {layout.now()} "
              f"(git {layout.git_commit() or 'unknown'}).\n"
              f"# Config: {config_path}; {len(calibration.history)} trials, loss "
              f"{calibration.loss:.4g}{refined}; {calibration.seconds / 60:.1f} min; report: "
              "report.csv beside the original.\n")
    layout.write_text(out / "fitted.yaml",
                      header + yaml.safe_dump(calibration.fragment, sort_keys=False))
    store.write_csv(calibration.history, out / "loss_history.csv")
    store.write_csv(calibration.report, out / "report.csv")
    if ensemble is not None:
        write_posterior(ensemble, out / POSTERIOR)
    layout.write_json(out / "calibration.json", {
        "command": command, "config": str(config_path), "values": calibration.values,
        "loss": calibration.loss, "trials_run": len(calibration.history),
        "budget": None if budget is None else budget.model_dump(mode="json"),
        "seconds": round(calibration.seconds, 1),
        "intercepted_share": calibration.shares, "refinements": refinements or [],
        "posterior": None if ensemble is None else {
            "draws": len(ensemble.draws), "accepted": ensemble.accepted,
            "refused": ensemble.refused,
            "tolerance": ensemble.tolerance, "tolerance_reached": ensemble.reached,
            "rule": ensemble.describe()},
        "finished": layout.now(), "git_commit": layout.git_commit(),
        "packages": layout.package_versions()})


def print_report(report: pd.DataFrame, console: Console | None = None,
                 title: str = "calibration report") -> None:
    """The report table with misses in red: a target outside its band is never hidden."""

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



