"""Refinements: narrower fits that `sim calibrate` runs after the main one (the config's
`refine:` list), and how they move the posterior draws (docs/calibration.md, "Refinements").

A refinement refits a few parameters against the same targets (of every regime, or of the ones
it names), every other value held where the fits before it left it. It suits a target the main
fit reaches only on the edge of its band, or a heavy-tailed one whose mean needs more replicates
per proposal than the main fit can afford. The values of all stages merge into one fitted.yaml,
and the report runs the merged values on seeds no stage saw.

The posterior ensemble comes from the main fit's history, where every proposal ran every regime.
A refinement found a better value *at the point it started from* (the main fit's best, as
fitted.yaml writes it); each draw is moved by the same step: multiplied by refined ÷ start for a
scale or a parameter sampled on a log range, shifted by refined − start otherwise, and kept
inside the two fits' ranges together (the main fit's range widened by the refinement's). It is a
first-order correction: it assumes the step the refinement found at that point holds across the
ensemble. A moved draw that is no valid scenario (a share above 1) is left out, and the count
is reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console

from sim.inference.calibration import (
    Calibration,
    CalibrationConfig,
    LoadedRegime,
    calibrate,
    fitted_report,
    with_fragment,
)
from sim.inference.experiments import ConfigError, Evaluator, FreeParameter
from sim.scenario.files import Problem, merge

REFINE_FOLDER = "refine"


@dataclass
class Stage:
    """One refinement's fit (its `history` is in refine/<name>/loss_history.csv)."""

    name: str
    calibration: Calibration
    start: dict[str, float]  # the values it started from, in its parameters' terms

    def manifest(self) -> dict[str, Any]:
        fit = self.calibration
        return {"name": self.name, "start": self.start, "values": fit.values, "loss": fit.loss,
                "trials_run": len(fit.history), "seconds": round(fit.seconds, 1)}


@dataclass(frozen=True)
class Step:
    """How a refinement moves one parameter of the posterior draws, in the parameter's own
    terms (a scale for `scale: true`): from the value the fits before it had to its own, kept
    inside `low`–`high`."""

    parameter: FreeParameter
    before: float
    after: float
    low: float
    high: float

    @property
    def relative(self) -> bool:
        return (self.parameter.scale or self.parameter.log) and self.before != 0

    def move(self, values: pd.Series) -> pd.Series:
        moved = (values * (self.after / self.before) if self.relative
                 else values + (self.after - self.before))
        return moved.clip(self.low, self.high)

    def describe(self) -> str:
        change = (f"× {self.after / self.before:.3g}" if self.relative
                  else f"{self.after - self.before:+.3g}")
        return f"{self.parameter.label} {change}"


def calibrate_in_stages(config: CalibrationConfig, regimes: list[LoadedRegime], *,
                        out: Path | None = None, progress: bool = False,
                        resumed: pd.DataFrame | None = None
                        ) -> tuple[Calibration, list[Stage]]:
    """The main fit (continuing the `resumed` history, see `calibrate`), then each refinement
    in order, then the report of the merged values on fresh seeds. The returned calibration
    holds the main fit's values and history, the merged fragment, the final report and the
    whole time; the stages hold the refinements' fits. The refinements always run anew."""
    if not config.refine:
        return calibrate(config, regimes, out=out, progress=progress, resumed=resumed), []
    started = time.monotonic()
    console = Console(stderr=True, quiet=not progress)
    main = calibrate(config, regimes, out=out, progress=progress, report=False,
                     resumed=resumed)
    values, stages = main.fragment, []
    for refinement in config.refine:
        chosen = [r for r in regimes if refinement.regimes is None
                  or r.label in refinement.regimes]
        held = [replace(r, scenario=with_fragment(r.scenario, values)) for r in chosen]
        weight = refinement.published_weight
        stage_config = config.model_copy(update={
            "parameters": refinement.parameters, "budget": refinement.budget,
            "published_weight": config.published_weight if weight is None else weight,
            "refine": []})
        start = {p.label: p.current_value(held[0].scenario) for p in refinement.parameters}
        folder = None if out is None else out / REFINE_FOLDER / refinement.name
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        console.print(f"refinement {refinement.name}: "
                      f"{', '.join(p.label for p in refinement.parameters)} against "
                      f"{', '.join(r.label for r in held)}", highlight=False)
        fit = calibrate(stage_config, held, out=folder, progress=progress, report=False)
        values = merge(values, fit.fragment)
        stages.append(Stage(refinement.name, fit, start))
    with Evaluator(config.budget.workers) as evaluator:
        report, shares = fitted_report(config, regimes, values, evaluator)
    return Calibration(main.values, values, main.loss, main.history, report,
                       time.monotonic() - started, shares), stages


def steps(config: CalibrationConfig, stages: dict[str, dict[str, Any]]) -> list[Step]:
    """The steps by which the refinements move the main fit's draws; `stages` holds each
    refinement's record by name (`Stage.manifest`: `start` and `values`). A parameter the main
    fit did not vary has no column in the draws (the scenario's own value, the refined one,
    applies)."""
    main = {p.label: p for p in config.parameters}
    result = []
    for refinement in config.refine:
        record = stages.get(refinement.name, {})
        for parameter in refinement.parameters:
            if parameter.label not in main:
                continue
            try:
                before = float(record["start"][parameter.label])
                after = float(record["values"][parameter.label])
            except KeyError as missing:
                raise ConfigError([Problem("calibration.json", None, ("refinements",),
                                           f"refinement {refinement.name} has no {missing} "
                                           f"for {parameter.label}; run the whole `sim "
                                           "calibrate` again")]) from None
            first = main[parameter.label]
            result.append(Step(parameter, before, after, min(first.low, parameter.low),
                               max(first.high, parameter.high)))
    return result


def moved(history: pd.DataFrame, moves: list[Step]) -> pd.DataFrame:
    """The main fit's proposals with the refinements' steps applied (losses unchanged: the
    draws are chosen by how the main fit scored them)."""
    history = history.copy()
    for step in moves:
        label = step.parameter.label
        history[label] = step.move(history[label].astype(float))
    return history
