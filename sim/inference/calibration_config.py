"""The config of `sim calibrate`: budget, report, regimes (a scenario with its target table),
the posterior rule, and reading configs, scenarios and target tables (docs/calibration.md).

Targets are CSV tables with `outcome, published, band_low, band_high, source`: the published
action-week outcomes (`sim/data/targets.csv`) or the ordinary-week anchors from outside data
(`sim/data/ordinary_week.csv`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pydantic import Field, model_validator

from sim.inference.experiments import ConfigError, FreeParameter, read_config
from sim.model.outcomes import OUTCOME_NAMES
from sim.scenario.files import Problem, load_scenario
from sim.scenario.parameters import StrictModel
from sim.scenario.schema import Scenario

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


class Regime(StrictModel):
    """One scenario with the table it must reproduce; every regime runs the same proposed values
    on the same seeds, and their losses add up (weighted)."""

    name: str | None = Field(None, pattern=r"^[A-Za-z0-9_]+$", description="Label in the "
                             "tables (default: the scenario file's name).")
    scenario: Path = Field(description="Scenario file (relative to the config file).")
    targets: Path = Field(description="CSV with outcome, published, band_low, band_high, "
                          "source.")
    outcomes: list[str] | None = Field(None, description="Targets to fit (default: every row).")
    weight: float = Field(1.0, gt=0, description="Multiplier of this regime's loss.")

    @property
    def label(self) -> str:
        return self.name or self.scenario.stem


class PosteriorSettings(StrictModel):
    """Which proposals of the fit make the ensemble `posterior.csv` (docs/calibration.md)."""

    tolerance: float = Field(0.0, ge=0, description="A proposal is accepted when its band loss "
                             "(the loss without the pull towards the published figures) is at "
                             "most this: 0 = every mean of every regime inside its band.")
    min_draws: int = Field(100, ge=1, description="When fewer proposals pass the tolerance, the "
                           "ones with the lowest band loss fill up to this many (the tolerance "
                           "actually reached is reported).")
    max_draws: int = Field(1000, ge=1, description="At most this many (the lowest band loss).")
    seed: int = Field(1, ge=0, description="Seed of the draws' random order.")


class Refinement(StrictModel):
    """A narrower fit after the main one, in the same command: a few parameters against the same
    targets, every other value held where the fits before it left it (docs/calibration.md,
    "Refinements"). It suits a target the main fit reaches only on its edge, or a heavy-tailed
    one that needs more replicates per proposal than the main fit can afford."""

    name: str = Field(pattern=r"^[A-Za-z0-9_]+$", description="Label (and sub-folder of the "
                      "output: refine/<name>/).")
    parameters: list[FreeParameter] = Field(min_length=1, description="Parameters to refit.")
    regimes: list[str] | None = Field(None, min_length=1, description="Names of the regimes "
                                      "to fit against (default: all).")
    budget: Budget = Field(default_factory=Budget)
    published_weight: float | None = Field(None, ge=0, description="Weight of the pull towards "
                                           "the published figure inside the band (default: "
                                           "the config's).")


class CalibrationConfig(StrictModel):
    """A calibration: what to fit, against what, with how much effort. Either `scenario` with
    `targets` (one regime), or `regimes` (several scenarios fitted jointly)."""

    scenario: Path | None = Field(None, description="Scenario file (relative to the config "
                                  "file).")
    targets: Path | None = Field(None, description="CSV with outcome, published, band_low, "
                                 "band_high, source.")
    outcomes: list[str] | None = Field(None, description="Targets to fit (default: every row).")
    regimes: list[Regime] | None = Field(None, min_length=1, description="Several scenarios, "
                                         "each with its targets, fitted on one set of values.")
    parameters: list[FreeParameter] = Field(min_length=1, description="Parameters to fit.")
    budget: Budget = Field(default_factory=Budget)
    report: ReportSettings = Field(default_factory=ReportSettings)
    posterior: PosteriorSettings = Field(default_factory=PosteriorSettings)
    published_weight: float = Field(0.01, ge=0, description="Weight of the pull towards the "
                                    "published figure inside the band.")
    refine: list[Refinement] = Field(default_factory=list, description="Narrower fits run "
                                     "after the main one, in order, each from the values the "
                                     "fits before it found.")

    @model_validator(mode="after")
    def _unique_names(self) -> CalibrationConfig:
        names = [p.label for p in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError(f"a parameter is listed twice: {names}")
        single = self.scenario is not None or self.targets is not None
        if self.regimes is not None and (single or self.outcomes is not None):
            raise ValueError("give either `regimes` or `scenario` with `targets` (and "
                             "`outcomes`), not both")
        if self.regimes is None and (self.scenario is None or self.targets is None):
            raise ValueError("missing `scenario` and `targets` (or a list of `regimes`)")
        labels = [r.label for r in self.regimes or []]
        if len(set(labels)) != len(labels):
            raise ValueError(f"two regimes have the same name: {labels}; give each a `name`")
        self._check_refinements([r.label for r in self.regime_list()])
        return self

    def _check_refinements(self, labels: list[str]) -> None:
        names = [stage.name for stage in self.refine]
        if len(set(names)) != len(names):
            raise ValueError(f"two refinements have the same name: {names}")
        main = {p.path: p for p in self.parameters}
        for stage in self.refine:
            unknown = [name for name in stage.regimes or [] if name not in labels]
            if unknown:
                raise ValueError(f"refinement {stage.name}: no regime named "
                                 f"{', '.join(unknown)} (the regimes: {', '.join(labels)})")
            paths = [p.path for p in stage.parameters]
            if len(set(paths)) != len(paths):
                raise ValueError(f"refinement {stage.name}: a parameter is listed twice: "
                                 f"{paths}")
            for parameter in stage.parameters:
                _check_refined(stage.name, parameter, main)

    def regime_list(self) -> list[Regime]:
        if self.regimes is not None:
            return self.regimes
        return [Regime(scenario=self.scenario, targets=self.targets, outcomes=self.outcomes)]


def _check_refined(stage: str, parameter: FreeParameter, main: dict[str, FreeParameter]) -> None:
    """A refined parameter is written as the main fit writes it (the posterior draws are moved
    in those terms), and never overlaps a main parameter it is not (the draws would overwrite
    the refined value)."""
    same = main.get(parameter.path)
    if same is not None and (same.scale, same.log) != (parameter.scale, parameter.log):
        raise ValueError(
            f"refinement {stage}: {parameter.path} has scale: {parameter.scale}, log: "
            f"{parameter.log} here but scale: {same.scale}, log: {same.log} in the main fit; "
            "write it the same way in both (the posterior draws are moved by the refinement "
            "in those terms)")
    for path in main:
        if path != parameter.path and (path.startswith(parameter.path + ".")
                                       or parameter.path.startswith(path + ".")):
            raise ValueError(
                f"refinement {stage}: {parameter.path} overlaps the main fit's {path}; refine "
                f"{path} itself (the posterior draws set {path} and would overwrite the "
                "refined value)")


@dataclass
class LoadedRegime:
    """A regime read from its files: the scenario and its targets."""

    label: str
    scenario: Scenario
    targets: pd.DataFrame
    weight: float = 1.0


def load_config(path: str | Path) -> tuple[CalibrationConfig, Scenario, pd.DataFrame]:
    """Read a calibration config with its (first regime's) scenario and targets; paths are
    relative to the config. `load_regimes` gives every regime."""
    config, regimes = load_regimes(path)
    return config, regimes[0].scenario, regimes[0].targets


def load_regimes(path: str | Path) -> tuple[CalibrationConfig, list[LoadedRegime]]:
    """Read a calibration config with every regime's scenario and targets."""
    config, label = read_config(Path(path), CalibrationConfig)
    folder = Path(path).parent
    regimes = []
    for regime in config.regime_list():
        scenario = load_scenario(folder / regime.scenario)
        targets = load_targets(folder / regime.targets, regime.outcomes, label)
        for parameter in [*config.parameters, *(p for s in config.refine for p in s.parameters)]:
            parameter.check_against(scenario, label)
        regimes.append(LoadedRegime(regime.label, scenario, targets, regime.weight))
    return config, regimes


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
