"""Searching allocations (`sim optimise CONFIG.yaml`): a Pareto front of allocations, each
evaluated with common random numbers, then re-evaluated where the search never looked.

The config names the baseline scenario (the allocation to beat), the decision variables and
constraints (`sim.analysis.decisions`), the objectives (outcomes to maximise or minimise) and
the effort. Optuna's NSGA-II sampler, seeded, proposes a generation of allocations at a time;
every proposal is repaired into one that keeps the constraints (or rejected, never run), and
runs the same replicate seeds — and, with a posterior, the same posterior draws — as every other
(common random numbers). An objective is the mean over seeds per draw, then the mean over draws
or a pessimistic quantile (the lower one for an outcome to maximise). Outcome limits (e.g. the
longest wait at a crossing) use the same statistic; an allocation that breaks one is kept out of
the front. Against the optimiser's curse the front is re-run on seeds and draws the search never
used, beside the baseline, with paired intervals (`sim.analysis.optimise_report`).

Each finished generation is appended to `trials.jsonl` in the output folder; `--resume` rebuilds
the study from it and goes on, and gives the same trials as a run never interrupted (every
proposal's sampler is seeded by the config seed and the trial number).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, model_validator

from sim.analysis.decisions import Constraints, Decisions, Space
from sim.analysis.experiments import ConfigError, Evaluator, read_config, resolve_path
from sim.model.outcomes import OUTCOME_NAMES
from sim.model.streams import replicate_seeds
from sim.runs.results import ResultsFolderError
from sim.runs.runner import RunProgress, parse_cluster
from sim.scenario.files import Problem, load_scenario, scenario_from_mapping, suggest
from sim.scenario.parameters import StrictModel
from sim.scenario.schema import Scenario

LOG = "trials.jsonl"


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
    `search` settings (trials, replicates, workers)."""
    path = Path(path)
    config, label = read_config(path, OptimiseConfig)
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if overrides:
        try:
            config.search = Search.model_validate({**config.search.model_dump(), **overrides})
        except ValidationError as error:
            raise ConfigError([Problem("command line", None, tuple(e["loc"]), e["msg"])
                               for e in error.errors(include_url=False)]) from None
    scenario = load_scenario(path.parent / config.scenario)
    space = Space(config.decisions, config.constraints, scenario, label)
    search_draws: list[dict[str, float]] = [{}]
    report_draws: list[dict[str, float]] = [{}]
    posterior = config.search.posterior
    if posterior is not None:
        rows = load_draws(path.parent / posterior.file, scenario, label)
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


def load_draws(path: Path, scenario: Scenario, label: str) -> list[dict[str, float]]:
    """Posterior draws: one row each, columns are scenario key paths (a `draw` column, if any,
    only names the row). Every path must name a number in the scenario."""
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as error:
        raise ConfigError([Problem(label, None, ("search", "posterior", "file"),
                                   f"cannot read {path}: {error}")]) from None
    table = table.drop(columns=[c for c in ("draw", "weight") if c in table])
    data = scenario.model_dump(mode="json")
    for column in table.columns:
        try:
            value = resolve_path(data, tuple(column.split(".")))
        except KeyError:
            value = None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError([Problem(label, None, ("search", "posterior", "file"),
                                       f"{path}: column {column!r} is not a scenario key path "
                                       "to a number")])
    return [{k: float(v) for k, v in row.items()} for row in table.to_dict("records")]


def with_draw(scenario: Scenario, draw: dict[str, float]) -> Scenario:
    """The scenario with one posterior draw's values written at their key paths."""
    if not draw:
        return scenario
    data = scenario.model_dump(mode="json")
    for column, value in draw.items():
        *parents, last = column.split(".")
        node = resolve_path(data, tuple(parents))
        node[last] = round(value) if isinstance(node[last], int) else value
    return scenario_from_mapping(data, label="posterior draw")


# --- evaluation: seeds x draws on processes or Dask -----------------------------------------

class ClusterEvaluator:
    """`Evaluator`'s interface on Dask: `local:N` starts a local cluster, an address joins one."""

    def __init__(self, cluster: str):
        parse_cluster(cluster)
        self.cluster, self._client, self._own = cluster, None, None

    def __enter__(self) -> ClusterEvaluator:
        from distributed import Client, LocalCluster

        if self.cluster.startswith("local:"):
            self._own = LocalCluster(n_workers=parse_cluster(self.cluster)[1],
                                     threads_per_worker=1, processes=True,
                                     dashboard_address=None)
            self._client = Client(self._own)
        else:
            self._client = Client(self.cluster, timeout="30s")
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()
        if self._own is not None:
            self._own.close()

    def run(self, scenarios: list[Scenario], seeds: list[int], *,
            each_done: Callable[[], None] | None = None) -> list[pd.DataFrame]:
        from distributed import as_completed

        from sim.analysis.experiments import replicate_outcomes

        pairs = [(scenario, seed) for scenario in scenarios for seed in seeds]
        futures = self._client.map(replicate_outcomes, *zip(*pairs, strict=True), pure=False)
        for _ in as_completed(futures):
            if each_done is not None:
                each_done()
        rows = self._client.gather(futures)
        n = len(seeds)
        return [pd.DataFrame(rows[i * n:(i + 1) * n], index=pd.Index(seeds, name="seed"))
                for i in range(len(scenarios))]


def evaluator(workers: int, cluster: str | None) -> Any:
    return ClusterEvaluator(cluster) if cluster else Evaluator(workers)


def statistic(per_draw: pd.DataFrame, outcome: str, direction: str,
              posterior: Posterior | None) -> float:
    """Mean over draws of the per-draw means, or the pessimistic quantile of them."""
    values = per_draw[outcome].to_numpy(dtype=float)
    if posterior is None or posterior.statistic == "mean" or len(values) == 1:
        return float(values.mean())
    q = posterior.quantile if direction == "maximise" else 1 - posterior.quantile
    return float(np.quantile(values, q))


def evaluate(problem: Optimisation, scenarios: list[Scenario], pool: Any, draws: list[dict],
             seeds: list[int], each_done: Callable[[], None] | None = None
             ) -> list[pd.DataFrame]:
    """Per scenario, one row per (draw, seed): the same draws and seeds for all (CRN)."""
    variants = [with_draw(s, d) for s in scenarios for d in draws]
    frames = pool.run(variants, seeds, each_done=each_done)
    result = []
    for i in range(len(scenarios)):
        parts = [frames[i * len(draws) + j].assign(draw=j) for j in range(len(draws))]
        result.append(pd.concat(parts).reset_index())
    return result


def scores(problem: Optimisation, table: pd.DataFrame) -> tuple[list[float], list[float]]:
    """Objective values and constraint excesses (> 0: broken) of one proposal's runs."""
    config = problem.config
    per_draw = table.groupby("draw").mean(numeric_only=True)
    posterior = config.search.posterior
    values = [statistic(per_draw, o.outcome, o.direction, posterior)
              for o in config.objectives]
    excess = []
    for limit in config.constraints.outcomes:
        if limit.max is not None:
            excess.append(statistic(per_draw, limit.outcome, "minimise", posterior) - limit.max)
        if limit.min is not None:
            excess.append(limit.min - statistic(per_draw, limit.outcome, "maximise", posterior))
    return values, excess


# --- the search --------------------------------------------------------------------------------

def _sampler(problem: Optimisation, number: int) -> Any:
    """A sampler seeded by the config seed and the trial number: a resumed search proposes
    what an uninterrupted one would have (NSGA-II keeps its generations in the study)."""
    import optuna

    seed = int(np.random.SeedSequence([problem.config.search.seed, number]).generate_state(1)[0])
    return optuna.samplers.NSGAIISampler(population_size=problem.config.search.population,
                                         seed=seed)


@dataclass
class SearchResult:
    """A search in progress or done: the Optuna study and the trial records."""

    study: Any
    records: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


def _new_study(problem: Optimisation) -> Any:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    directions = ["maximize" if o.direction == "maximise" else "minimize"
                  for o in problem.config.objectives]
    return optuna.create_study(directions=directions, sampler=_sampler(problem, 0))


def _replay(problem: Optimisation, study: Any, records: list[dict[str, Any]]) -> None:
    """Put logged trials back into a fresh study, exactly as they were told."""
    import optuna

    distributions = problem.space.distributions()
    for record in records:
        study.add_trial(optuna.trial.create_trial(
            state=optuna.trial.TrialState[record["state"]], params=record["params"],
            distributions=distributions, values=record["values"],
            system_attrs=record["system_attrs"], user_attrs=record["user_attrs"]))


def read_log(out: Path, problem: Optimisation) -> list[dict[str, Any]]:
    """The trials an earlier run of the same config logged (none when there is no log)."""
    path = out / LOG
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0]) if lines else {}
    if header.get("config") != problem.digest:
        raise ResultsFolderError(f"{out} holds a search of another config (or scenario); "
                                 "--force starts again")
    records = []
    for line in lines[1:]:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a generation cut off while written: it runs again
    return records


def _append(out: Path | None, problem: Optimisation, records: list[dict[str, Any]]) -> None:
    if out is None:
        return
    path = out / LOG
    with path.open("a", encoding="utf-8") as log:
        if log.tell() == 0:
            log.write(json.dumps({"config": problem.digest}) + "\n")
        for record in records:
            log.write(json.dumps(record, default=float) + "\n")


def search(problem: Optimisation, pool: Any, *, out: Path | None = None, resume: bool = False,
           progress: bool = False) -> SearchResult:
    """Run the search, a generation at a time; with `resume`, first replay the log."""
    import optuna

    started = time.monotonic()
    config = problem.config
    study = _new_study(problem)
    records = read_log(out, problem) if (resume and out is not None) else []
    records = records[:config.search.trials]
    _replay(problem, study, records)
    distributions = problem.space.distributions()
    baseline = problem.space.baseline_params()
    seeds, draws = problem.search_seeds, problem.search_draws
    remaining = config.search.trials - len(records)
    with RunProgress(remaining * len(seeds) * len(draws), "optimise",
                     enabled=progress) as bar:
        while len(records) < config.search.trials:
            batch = min(config.search.population, config.search.trials - len(records))
            trials, candidates, rejected = [], [], {}
            for _ in range(batch):
                number = len(study.trials)
                study.sampler = _sampler(problem, number)
                if number == 0 and baseline is not None:
                    study.enqueue_trial(baseline)  # the first proposal is the baseline's own
                trial = study.ask(distributions)
                candidate = problem.space.candidate(trial.params, f"trial_{number}")
                broken = problem.space.violations(candidate)
                trial.set_user_attr("allocation", problem.space.allocation(trial.params))
                if broken:
                    rejected[trial.number] = broken
                else:
                    candidates.append(candidate)
                trials.append(trial)
            tables = iter(evaluate(problem, candidates, pool, draws, seeds, bar.advance))
            for trial in trials:
                if trial.number in rejected:
                    trial.set_user_attr("rejected", rejected[trial.number])
                    for _ in range(len(seeds) * len(draws)):
                        bar.advance()
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                    continue
                table = next(tables)
                values, excess = scores(problem, table)
                trial.set_user_attr("excess", excess)
                for i, value in enumerate(excess):  # NSGA-II ranks feasible trials first
                    trial.set_constraint(f"limit_{i}", value)
                trial.set_user_attr("means", table.mean(numeric_only=True)
                                    .drop(["seed", "draw"]).round(6).to_dict())
                study.tell(trial, values)
            done = study.trials[len(records):]
            new = [_record(t) for t in done]
            _append(out, problem, new)
            records += new
    return SearchResult(study, records, time.monotonic() - started)


def _record(trial: Any) -> dict[str, Any]:
    return {"number": trial.number, "state": trial.state.name, "params": trial.params,
            "values": trial.values, "system_attrs": trial.system_attrs,
            "user_attrs": trial.user_attrs}


def trials_table(problem: Optimisation, records: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per trial: its parameters, objective values, feasibility and rejection."""
    rows = []
    names = [o.outcome for o in problem.config.objectives]
    for record in records:
        excess = record["user_attrs"].get("excess", [])
        row = {"trial": record["number"], "state": record["state"],
               "feasible": record["state"] == "COMPLETE" and all(e <= 0 for e in excess),
               "rejected": "; ".join(record["user_attrs"].get("rejected", []))}
        row.update({name: (record["values"] or [math.nan] * len(names))[i]
                    for i, name in enumerate(names)})
        row.update(record["params"])
        rows.append(row)
    return pd.DataFrame(rows)


def pareto_front(problem: Optimisation, table: pd.DataFrame) -> pd.DataFrame:
    """The feasible trials no other feasible trial beats on every objective (equal allocations
    counted once), sorted by the first objective, best first."""
    feasible = table[table["feasible"]].copy()
    if feasible.empty:
        return feasible
    signs = np.array([1.0 if o.direction == "maximise" else -1.0
                      for o in problem.config.objectives])
    values = feasible[[o.outcome for o in problem.config.objectives]].to_numpy() * signs
    keep = []
    for i, row in enumerate(values):
        dominated = np.any(np.all(values >= row, axis=1) & np.any(values > row, axis=1))
        keep.append(not dominated)
    front = feasible[keep]
    first = problem.config.objectives[0]
    front = front.sort_values([first.outcome, "trial"], ascending=[first.direction ==
                                                                   "minimise", True])
    allocation_columns = [c for c in front.columns if "." in c]
    return front.drop_duplicates(subset=allocation_columns or None)


def register(commands: argparse._SubParsersAction) -> None:
    """Add `sim optimise` to the `sim` command's sub-commands."""
    from sim.analysis.optimise_report import run_command

    parser = commands.add_parser("optimise", help="search allocations: a Pareto front, "
                                 "re-evaluated out of sample against the baseline")
    parser.add_argument("config", type=Path, metavar="CONFIG")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="output folder (default: results/optimise/<config name>)")
    parser.add_argument("--trials", type=int, metavar="N", help="override search.trials")
    parser.add_argument("--replicates", type=int, metavar="N", help="override search.replicates")
    parser.add_argument("--workers", type=int, metavar="W", help="override search.workers")
    parser.add_argument("--cluster", metavar="SPEC", help="run on Dask: local:N or "
                        "tcp://HOST:PORT (as sim run)")
    again = parser.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true", help="go on from trials.jsonl")
    again.add_argument("--force", action="store_true", help="replace an earlier search")
    parser.add_argument("--quiet", action="store_true", help="no progress, no report")
    parser.set_defaults(handler=run_command)

