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
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from sim.decisions.allocation_space import Space
from sim.decisions.decisions import Constraints, Decisions
from sim.inference.experiments import ConfigError, line_of, read_config_lines
from sim.model.outcomes import OUTCOME_NAMES
from sim.model.streams import replicate_seeds
from sim.scenario.files import Problem, ScenarioError, load_scenario, suggest
from sim.scenario.parameters import StrictModel
from sim.scenario.posterior import draw_values, is_number_path, read_posterior, with_draw
from sim.scenario.schema import NAME_PATTERN, Scenario


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

    @field_validator("objectives")
    @classmethod
    def _once_each(cls, objectives: list[Objective]) -> list[Objective]:
        named = [o.outcome for o in objectives]
        twice = next((name for name in named if named.count(name) > 1), None)
        if twice:
            raise ValueError(f"{twice} is listed twice; give each outcome once, to maximise or "
                             "to minimise")
        return objectives

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
    earlier_digest: str = ""  # the digest before `report` was left out of it: its logs resume

    @property
    def search_seeds(self) -> list[int]:
        return replicate_seeds(self.config.search.seed, self.config.search.replicates)

    @property
    def report_seeds(self) -> list[int]:
        return replicate_seeds(self.config.report.seed, self.config.report.replicates)


def load_config(path: str | Path, **overrides: Any) -> Optimisation:
    """Read an optimisation config with its scenario and posterior, and check everything the
    search and its report will need; `overrides` replace `search` settings (trials,
    replicates, workers) and `report_replicates` the report's."""
    path = Path(path)
    config, label, lines = read_config_lines(path, OptimiseConfig)
    _override(config, overrides)
    scenario = load_scenario(path.parent / config.scenario)
    try:
        space = Space(config.decisions, config.constraints, scenario, label)
        check_report(config, scenario, path, label)
        search_draws, report_draws = _draws(config, path, label)
    except ConfigError as error:
        raise ConfigError([replace(p, line=p.line or (line_of(lines, p.key_path)
                                                      if p.key_path else None))
                           for p in error.problems]) from None
    return Optimisation(config, scenario, space, search_draws, report_draws, path,
                        _digest(config, scenario, search_draws),
                        _digest(config, scenario, search_draws, with_report=True))


def _override(config: OptimiseConfig, overrides: dict[str, Any]) -> None:
    """Command-line values over the config's, validated like them."""
    given = {k: v for k, v in overrides.items() if v is not None}
    report_replicates = given.pop("report_replicates", None)
    if given:
        config.search = _from_command_line(Search, {**config.search.model_dump(), **given}, {
            "trials": "--trials", "replicates": "--replicates", "workers": "--workers"})
    if report_replicates is not None:
        config.report = _from_command_line(ReportSettings, {
            **config.report.model_dump(), "replicates": report_replicates},
            {"replicates": "--report-replicates"})


def _from_command_line(model: type[StrictModel], values: dict[str, Any],
                       options: dict[str, str]) -> Any:
    """`model` validated from `values`; a problem names the command-line option."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise ConfigError([Problem("command line", None, (options.get(e["loc"][0],
                                                                     e["loc"][0]),), e["msg"])
                           for e in error.errors(include_url=False)]) from None


def check_report(config: OptimiseConfig, scenario: Scenario, path: Path, label: str) -> None:
    """What the out-of-sample report needs, checked before the search: allocation names the
    config file can give, and variants the baseline accepts."""
    suffix = f"_{config.report.allocations}"
    if not re.fullmatch(NAME_PATTERN, path.stem + suffix) or len(path.stem + suffix) > 80:
        raise ConfigError([Problem(label, None, (), f"the file name {path.stem!r} cannot name "
                                   f"the allocations ({path.stem + suffix!r}, ...): rename "
                                   "the file to letters, digits, '_', '.' or '-', at most "
                                   f"{80 - len(suffix)} characters before .yaml")])
    for variant, values in config.report.variants.items():
        where = ("report", "variants", variant)
        check_paths(values, scenario, label, where)
        try:
            with_draw(scenario, values, label=f"variant {variant}")
        except ScenarioError as error:
            raise ConfigError([Problem(label, None, (*where, ".".join(map(str, p.key_path))),
                                       p.message) for p in error.problems]) from None


def _draws(config: OptimiseConfig, path: Path, label: str
           ) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """The search's posterior draws and the fresh ones of the report ([{}]: no posterior)."""
    posterior = config.search.posterior
    if posterior is None:
        return [{}], [{}]
    rows = load_draws(path.parent / posterior.file, label)
    needed = posterior.draws + config.report.draws
    if len(rows) < needed:
        raise ConfigError([Problem(label, None, ("search", "posterior", "draws"),
                                   f"{posterior.draws} search draws + {config.report.draws}"
                                   f" fresh report draws need {needed} rows; "
                                   f"{posterior.file} has {len(rows)}")])
    return rows[:posterior.draws], rows[posterior.draws:needed]


def _digest(config: OptimiseConfig, scenario: Scenario, draws: list[dict[str, float]],
            with_report: bool = False) -> str:
    """What the search's trials depend on: a log with another digest is not resumed.
    `report` and the effort (`trials`, `workers`) are left out, so they may change on resume;
    `with_report` gives the digest logs were written with before that."""
    leave_out: dict[str, Any] = {"search": {"trials", "workers"}}
    if not with_report:
        leave_out["report"] = True
    return hashlib.sha256(json.dumps(
        {**config.model_dump(mode="json", exclude=leave_out),
         "scenario": scenario.model_dump(mode="json"), "draws": draws},
        sort_keys=True, default=str).encode()).hexdigest()[:16]


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
