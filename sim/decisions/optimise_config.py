"""The config of `sim optimise` and what it resolves to: the baseline scenario, the search space,
the posterior draws (the search's and the fresh ones of the report) and the replicate seeds.

Posterior draws are the rows of a posterior file (`sim.scenario.posterior` reads it: a `draw`
column and one column per scenario key path); the search uses the first `search.posterior.draws`
rows and the out-of-sample report the `report.draws` rows after them, so the report never sees a
draw the search saw. `search.ensemble` does the same over the members of an ensemble (`sim
ensemble`: posterior draws with the assumptions the calibration does not fit sampled), and
names the robustness criterion the allocations are ranked by: the mean over members, a low
percentile of them, or the least maximum regret (`sim.decisions.robust`). `search.max_runs`
states the run budget: a config whose search and report would run more is refused.

Objectives and outcome limits name any outcome of the model (docs/results.md), per crime area
too (`movements_stopped_drug_trafficking`, `drugs_kg_total`), or a harm outcome computed from
the runs (`harm_index`, `harm_<area>`; `sim.analysis.harm`) with the weights file `harm:`
(relative to the config file; default the shipped sim/data/harm/default.yaml; `--harm FILE`
replaces it). A limit relative to the baseline states "no lower than 2023's":
`{outcome: drugs_kg_total, min: 1.0, relative: true}`. The verdict of every report is on the
harm index, whatever the objectives (`sim.decisions.optimise_report`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from sim.analysis.harm import HarmWeights, HarmWeightsError, load_harm_weights, resolve_weights
from sim.decisions.allocation_space import Space
from sim.decisions.decisions import Constraints, Decisions
from sim.decisions.replan_space import (
    FromDaySpace,
    Replan,
    check_replan,
    resampled_members,
    updated_ensemble_file,
)
from sim.inference.experiments import ConfigError, line_of, read_config_lines
from sim.model.outcomes import HARM_OUTCOME_NAMES, READ_OUTCOME_NAMES
from sim.model.streams import replicate_seeds
from sim.scenario.files import Problem, ScenarioError, load_scenario, suggest
from sim.scenario.parameters import StrictModel
from sim.scenario.posterior import (
    ENSEMBLE_FILE,
    draw_values,
    is_number_path,
    read_posterior,
    with_draw,
)
from sim.scenario.schema import NAME_PATTERN, Scenario


class Objective(StrictModel):
    """An outcome to maximise or minimise (e.g. the harm index; waiting time as a cost)."""

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


class Ensemble(StrictModel):
    """Evaluate over ensemble members and rank allocations by a robustness criterion."""

    file: Path | None = Field(None, description="Ensemble CSV (relative to the config file; "
                              "default: the project's scenarios/ensemble.csv).")
    members: int = Field(10, ge=1, le=10_000, description="Members per proposal (the first "
                         "rows).")
    criterion: Literal["mean", "percentile", "regret"] = Field(
        "mean", description="How allocations are ranked over the members: the mean, a low "
        "percentile (the pessimistic end: a high one for an outcome to minimise), or the least "
        "maximum regret against the best allocation re-evaluated in each member.")
    percentile: float = Field(10.0, gt=0, lt=50, description="With criterion percentile: which "
                              "(10: the tenth percentile of an outcome to maximise).")


@dataclass(frozen=True)
class Members:
    """What a search runs each proposal over, whichever way the config names it."""

    kind: str  # "posterior draws" or "ensemble members"
    count: int
    statistic: str  # per proposal in the search: "mean" or "quantile"
    quantile: float
    criterion: str  # the ranking of the report: "mean", "percentile" or "regret"


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
    ensemble: Ensemble | None = None
    max_runs: int | None = Field(None, ge=1, description="The run budget: the most model runs "
                                 "the search and its report may take (checked before any runs).")

    @model_validator(mode="after")
    def _one_set_of_members(self) -> Search:
        if self.posterior is not None and self.ensemble is not None:
            raise ValueError("give search.posterior or search.ensemble, not both (an ensemble's "
                             "members already hold posterior draws)")
        return self


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
    replan: Replan | None = Field(None, description="A re-plan during the action "
                                  "(sim/decisions/replan.py): from which day, with what "
                                  "delays; `--from-day` sets its from_day.")
    harm: Path | None = Field(None, description="Harm weights file of the harm index "
                              "(relative to the config file; default: the shipped "
                              "sim/data/harm/default.yaml).")

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
            if name not in READ_OUTCOME_NAMES:
                close = suggest(name, READ_OUTCOME_NAMES)
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
    harm: HarmWeights | None = None  # the weights of the harm index (None: the default's)

    @property
    def weights(self) -> HarmWeights:
        """The harm weights of the search and its report."""
        return self.harm if self.harm is not None else resolve_weights(None)

    @property
    def uses_harm(self) -> bool:
        """Whether an objective or an outcome limit is a harm outcome (so the search's values
        depend on the weights)."""
        return bool(set(searched_outcomes(self.config)) & set(HARM_OUTCOME_NAMES))

    @property
    def members(self) -> Members | None:
        """The draws or members of the search (None: the scenario's own parameters)."""
        search = self.config.search
        if search.ensemble is not None:
            ensemble = search.ensemble
            pessimistic = ensemble.criterion == "percentile"
            return Members("ensemble members", ensemble.members,
                           "quantile" if pessimistic else "mean", ensemble.percentile / 100,
                           ensemble.criterion)
        if search.posterior is not None:
            posterior = search.posterior
            return Members("posterior draws", posterior.draws, posterior.statistic,
                           posterior.quantile,
                           "percentile" if posterior.statistic == "quantile" else "mean")
        return None

    @property
    def search_seeds(self) -> list[int]:
        return replicate_seeds(self.config.search.seed, self.config.search.replicates)

    @property
    def report_seeds(self) -> list[int]:
        return replicate_seeds(self.config.report.seed, self.config.report.replicates)


def searched_outcomes(config: OptimiseConfig) -> list[str]:
    """The outcomes the search scores: objectives, then outcome limits."""
    return [o.outcome for o in config.objectives] + [c.outcome for c in
                                                     config.constraints.outcomes]


def load_config(path: str | Path, harm: HarmWeights | str | Path | None = None,
                **overrides: Any) -> Optimisation:
    """Read an optimisation config with its scenario and posterior, and check everything the
    search and its report will need; `harm` replaces the config's harm weights (`harm:`),
    `overrides` replace `search` settings (trials, replicates, workers) and
    `report_replicates` the report's; `from_day` (K) makes it a re-plan from the evening of
    day K and `ensemble` (a `sim assimilate` folder or an ensemble file) gives the members
    (sim/decisions/replan.py)."""
    path = Path(path)
    config, label, lines = read_config_lines(path, OptimiseConfig)
    updated = overrides.pop("ensemble", None)
    _override(config, overrides)
    scenario = load_scenario(path.parent / config.scenario)
    try:
        space = Space(config.decisions, config.constraints, scenario, label)
        if config.replan is not None and config.replan.from_day is not None:
            check_replan(config.replan, config.decisions, scenario, label)
            space = FromDaySpace(space, config.replan)
        check_report(config, scenario, path, label)
        search_draws, report_draws = (_draws(config, path, label) if updated is None
                                      else _updated_draws(config, updated, label))
        check_budget(config, len(search_draws), len(report_draws), label)
        weights = _weights(config, path, label, harm)
    except ConfigError as error:
        raise ConfigError([replace(p, line=p.line or (line_of(lines, p.key_path)
                                                      if p.key_path else None))
                           for p in error.problems]) from None
    problem = Optimisation(config, scenario, space, search_draws, report_draws, path,
                           harm=weights)
    weighed = weights.sha256 if problem.uses_harm else ""
    problem.digest = _digest(config, scenario, search_draws, harm=weighed)
    problem.earlier_digest = _digest(config, scenario, search_draws, with_report=True,
                                     harm=weighed)
    return problem


def _weights(config: OptimiseConfig, path: Path, label: str,
             harm: HarmWeights | str | Path | None) -> HarmWeights:
    """The harm weights: given on the command line, else the config's `harm:` file, else the
    shipped default; a file that cannot be used is a problem of the config."""
    try:
        if harm is not None:
            return resolve_weights(harm)
        if config.harm is not None:
            return load_harm_weights(path.parent / config.harm)
        return resolve_weights(None)
    except HarmWeightsError as error:
        raise ConfigError([Problem(label, None, ("harm",), str(error))]) from None


def objective_note(problem: Optimisation) -> str | None:
    """Said to a config whose first objective is not a harm outcome (the configs written
    before the harm index): what the search ranks by, and that the verdict is on the harm
    index all the same."""
    first = problem.config.objectives[0].outcome
    if first in HARM_OUTCOME_NAMES:
        return None
    return (f"the first objective, {first}, is not the harm index: the search ranks "
            f"allocations by it, but the report's verdict is on the harm index (weights "
            f"{problem.weights.describe()}), with the change in every crime area; name "
            "harm_index first among the objectives to search for it")


def _override(config: OptimiseConfig, overrides: dict[str, Any]) -> None:
    """Command-line values over the config's, validated like them."""
    given = {k: v for k, v in overrides.items() if v is not None}
    from_day = given.pop("from_day", None)
    if from_day is not None:
        config.replan = _from_command_line(Replan, {
            **(config.replan.model_dump() if config.replan else {}), "from_day": from_day},
            {"from_day": "--from-day"})
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
    """The search's posterior draws (or ensemble members) and the fresh ones of the report
    ([{}]: neither)."""
    posterior, ensemble = config.search.posterior, config.search.ensemble
    if posterior is None and ensemble is None:
        return [{}], [{}]
    if ensemble is not None:
        file = path.parent / ensemble.file if ensemble.file is not None else ENSEMBLE_FILE
        count, key = ensemble.members, ("search", "ensemble", "members")
        rows = load_draws(file, label, ("search", "ensemble", "file"))
    else:
        file, count, key = path.parent / posterior.file, posterior.draws, ("search",
                                                                              "posterior",
                                                                              "draws")
        rows = load_draws(file, label)
    needed = count + config.report.draws
    if len(rows) < needed:
        raise ConfigError([Problem(label, None, key,
                                   f"{count} search rows + {config.report.draws} fresh report "
                                   f"rows (report.draws) need {needed} rows; {file} has "
                                   f"{len(rows)}")])
    return rows[:count], rows[count:needed]


def _updated_draws(config: OptimiseConfig, folder: str | Path, label: str
                   ) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """The search's and the report's members from an updated ensemble (`sim assimilate`'s
    folder, or an ensemble file): `search.ensemble.members` and `report.draws` of them,
    resampled by weight when the weights differ (sim/decisions/replan.py)."""
    file = updated_ensemble_file(folder)
    settings = (config.search.ensemble or Ensemble()).model_copy(
        update={"file": file.resolve()})
    config.search = config.search.model_copy(update={"posterior": None, "ensemble": settings})
    count, needed = settings.members, settings.members + config.report.draws
    rows = resampled_members(file, needed, config.search.seed, label)
    if len(rows) < needed:
        raise ConfigError([Problem(label, None, ("search", "ensemble", "members"),
                                   f"{count} search members + {config.report.draws} fresh "
                                   f"report members (report.draws) need {needed}; {file} has "
                                   f"{len(rows)}")])
    return rows[:count], rows[count:needed]


def planned_runs(config: OptimiseConfig, search_draws: int, report_draws: int) -> int:
    """The most model runs a search and its report take: every trial over the search's seeds
    and draws (and the baseline's reference runs for a relative limit), then the baseline and
    every re-evaluated allocation over the report's, once per variant."""
    search = config.search.trials * config.search.replicates * search_draws
    reference = (config.search.replicates * search_draws
                 if any(limit.relative for limit in config.constraints.outcomes) else 0)
    report = ((1 + len(config.report.variants)) * (config.report.allocations + 1)
              * config.report.replicates * report_draws)
    return search + reference + report


def check_budget(config: OptimiseConfig, search_draws: int, report_draws: int,
                 label: str) -> None:
    """Refuse a config whose runs would exceed `search.max_runs`, naming where they go."""
    budget = config.search.max_runs
    planned = planned_runs(config, search_draws, report_draws)
    if budget is not None and planned > budget:
        raise ConfigError([Problem(label, None, ("search", "max_runs"),
                                   f"the search and its report take up to {planned:,} runs "
                                   f"({config.search.trials} trials × "
                                   f"{config.search.replicates} replicates × {search_draws} "
                                   f"members, then {config.report.allocations + 1} allocations "
                                   f"× {config.report.replicates} replicates × {report_draws} "
                                   f"members per variant), more than max_runs {budget:,}: "
                                   "lower trials, replicates or members")])


def _digest(config: OptimiseConfig, scenario: Scenario, draws: list[dict[str, float]],
            with_report: bool = False, harm: str = "") -> str:
    """What the search's trials depend on: a log with another digest is not resumed.
    `report` and the effort (`trials`, `workers`) are left out, so they may change on resume;
    `with_report` gives the digest logs were written with before that. The harm weights count
    (by their content, `harm`) only when an objective or a limit is a harm outcome, so a config
    without one resumes its logs whatever the weights."""
    leave_out: dict[str, Any] = {"search": {"trials", "workers"}, "harm": True}
    if not with_report:
        leave_out["report"] = True
    return hashlib.sha256(json.dumps(
        {**config.model_dump(mode="json", exclude=leave_out),
         "scenario": scenario.model_dump(mode="json"), "draws": draws,
         **({"harm_sha256": harm} if harm else {})},
        sort_keys=True, default=str).encode()).hexdigest()[:16]


def load_draws(path: Path, label: str, key: tuple = ("search", "posterior", "file")
               ) -> list[dict[str, float]]:
    """Posterior draws (or ensemble members) as {key path: value}, read by
    `sim.scenario.posterior` (the one reader of those files), with a problem that names the
    config."""
    try:
        return draw_values(read_posterior(path))
    except ScenarioError as error:
        raise ConfigError([Problem(label, None, key, problem.message)
                           for problem in error.problems]) from None


def check_paths(values: dict[str, float], scenario: Scenario, label: str, where: tuple) -> None:
    """Every key must be a dotted scenario key path to a number."""
    data = scenario.model_dump(mode="json")
    for column in values:
        if not is_number_path(data, column):
            raise ConfigError([Problem(label, None, where, f"{column!r} is not a scenario key "
                                       "path to a number")])
