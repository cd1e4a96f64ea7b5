"""The config of `sim optimise` and what it resolves to: the baseline scenario, the search space,
the posterior draws (the search's and the fresh ones of the report) and the replicate seeds.

Posterior draws are the rows of a posterior file (`sim.scenario.posterior` reads it: a `draw`
column and one column per scenario key path); the search uses the first `search.posterior.draws`
rows and the out-of-sample report the `report.draws` rows after them, so the report never sees a
draw the search saw.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from sim.analysis.allocation_space import Space
from sim.analysis.decisions import Constraints, Decisions
from sim.analysis.experiments import ConfigError, read_config
from sim.model.outcomes import OUTCOME_NAMES
from sim.model.streams import replicate_seeds
from sim.scenario.files import Problem, ScenarioError, load_scenario, suggest
from sim.scenario.parameters import StrictModel
from sim.scenario.posterior import draw_values, is_number_path, read_posterior
from sim.scenario.schema import Scenario


class Objective(StrictModel):
    """An outcome to maximise or minimise (e.g. waiting time as a cost)."""

    outcome: str
    direction: Literal["maximise", "minimise"] = "maximise"


class Posterior(StrictModel):
    """Evaluate over posterior draws (rows of a CSV whose columns are scenario key paths)."""

    file: Path = Field(description="Posterior CSV (relative to the config file).")
    draws: int = Field(10, ge=1, le=10_000, description="Draws per proposal (the first rows).")
    statistic: Literal["mean", "quantile"] = Field("mean", description="Over draws: the mean, "
                                                   "or the pessimistic quantile.")
    quantile: float = Field(0.1, gt=0, lt=0.5, description="With statistic quantile: the lower "
                            "quantile of an outcome to maximise (upper of one to minimise).")


class Search(StrictModel):
    """How much the search may run."""

    trials: int = Field(100, ge=1, le=100_000, description="Proposals to evaluate.")
    population: int = Field(20, ge=2, le=10_000, description="NSGA-II generation size (one "
                            "generation runs in parallel).")
    replicates: int = Field(6, ge=1, le=1000, description="Replicates per proposal, the same "
                            "seeds for every proposal.")
    seed: int = Field(1, ge=0, description="Root of the replicate seeds and of the sampler.")
    workers: int = Field(2, ge=1, le=1024, description="Worker processes (1: in this process).")
    posterior: Posterior | None = None


class ReportSettings(StrictModel):
    """The out-of-sample re-evaluation of the chosen allocations."""

    replicates: int = Field(30, ge=2, le=10_000, description="Fresh replicates per allocation.")
    seed: int = Field(2, ge=0, description="Root of the fresh seeds (never the search's).")
    draws: int = Field(10, ge=1, le=10_000, description="Fresh posterior draws (the rows after "
                       "the search's).")
    allocations: int = Field(8, ge=1, le=100, description="Most allocations of the front to "
                             "re-evaluate (spread along the first objective).")
    variants: dict[str, dict[str, float]] = Field(default_factory=dict, description=(
        "Name -> {scenario key path: number}: the re-evaluation again with these values for "
        "baseline and allocations alike (e.g. networks that see the scanning teams)."))


class OptimiseConfig(StrictModel):
    """An optimisation: what may change, what must hold, what is better, with what effort."""

    scenario: Path = Field(description="Baseline scenario (relative to the config file).")
    decisions: Decisions
    constraints: Constraints = Field(default_factory=Constraints)
    objectives: list[Objective] = Field(min_length=1, max_length=4)
    search: Search = Field(default_factory=Search)
    report: ReportSettings = Field(default_factory=ReportSettings)

    @model_validator(mode="after")
    def _known(self) -> OptimiseConfig:
        for name in [o.outcome for o in self.objectives] + [c.outcome for c in
                                                            self.constraints.outcomes]:
            if name not in OUTCOME_NAMES:
                close = suggest(name, OUTCOME_NAMES)
                raise ValueError(f"unknown outcome {name!r}" + (f" (did you mean {close!r}?)"
                                                                if close else ""))
        if self.report.seed == self.search.seed:
            raise ValueError("report.seed must differ from search.seed: the re-evaluation needs "
                             "seeds the search never used")
        return self


@dataclass
class Optimisation:
    """A config resolved: the baseline, the search space, the draws and the seeds."""

    config: OptimiseConfig
    scenario: Scenario
    space: Space
    search_draws: list[dict[str, float]]
    report_draws: list[dict[str, float]]
    path: Path
    digest: str = ""

    @property
    def search_seeds(self) -> list[int]:
        return replicate_seeds(self.config.search.seed, self.config.search.replicates)

    @property
    def report_seeds(self) -> list[int]:
        return replicate_seeds(self.config.report.seed, self.config.report.replicates)


def load_config(path: str | Path, **overrides: Any) -> Optimisation:
    """Read an optimisation config with its scenario and posterior; `overrides` replace
    `search` settings (trials, replicates, workers) and `report_replicates` the report's."""
    path = Path(path)
    config, label = read_config(path, OptimiseConfig)
    overrides = {k: v for k, v in overrides.items() if v is not None}
    report_replicates = overrides.pop("report_replicates", None)
    if overrides or report_replicates:
        try:
            config.search = Search.model_validate({**config.search.model_dump(), **overrides})
            if report_replicates:
                config.report = ReportSettings.model_validate(
                    {**config.report.model_dump(), "replicates": report_replicates})
        except ValidationError as error:
            raise ConfigError([Problem("command line", None, tuple(e["loc"]), e["msg"])
                               for e in error.errors(include_url=False)]) from None
    scenario = load_scenario(path.parent / config.scenario)
    space = Space(config.decisions, config.constraints, scenario, label)
    for variant, overrides in config.report.variants.items():
        check_paths(overrides, scenario, label, ("report", "variants", variant))
    search_draws: list[dict[str, float]] = [{}]
    report_draws: list[dict[str, float]] = [{}]
    posterior = config.search.posterior
    if posterior is not None:
        rows = load_draws(path.parent / posterior.file, label)
        needed = posterior.draws + config.report.draws
        if len(rows) < needed:
            raise ConfigError([Problem(label, None, ("search", "posterior", "draws"),
                                       f"{posterior.draws} search draws + {config.report.draws}"
                                       f" fresh report draws need {needed} rows; "
                                       f"{posterior.file} has {len(rows)}")])
        search_draws, report_draws = rows[:posterior.draws], rows[posterior.draws:needed]
    digest = hashlib.sha256(json.dumps(
        {**config.model_dump(mode="json", exclude={"search": {"trials", "workers"}}),
         "scenario": scenario.model_dump(mode="json"), "draws": search_draws},
        sort_keys=True, default=str).encode()).hexdigest()[:16]
    return Optimisation(config, scenario, space, search_draws, report_draws, path, digest)


def load_draws(path: Path, label: str) -> list[dict[str, float]]:
    """Posterior draws as {key path: value}, read by `sim.scenario.posterior` (the one reader
    of posterior files), with a problem that names the config."""
    try:
        return draw_values(read_posterior(path))
    except ScenarioError as error:
        raise ConfigError([Problem(label, None, ("search", "posterior", "file"), problem.message)
                           for problem in error.problems]) from None


def check_paths(values: dict[str, float], scenario: Scenario, label: str, where: tuple) -> None:
    """Every key must be a dotted scenario key path to a number."""
    data = scenario.model_dump(mode="json")
    for column in values:
        if not is_number_path(data, column):
            raise ConfigError([Problem(label, None, where, f"{column!r} is not a scenario key "
                                       "path to a number")])
