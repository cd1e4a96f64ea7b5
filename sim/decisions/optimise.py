"""Searching allocations (`sim optimise CONFIG.yaml`): a Pareto front of allocations, each
evaluated with common random numbers, then re-evaluated where the search never looked.

The config names the baseline scenario (the allocation to beat), the decision variables and
constraints (`sim.decisions.decisions`), the objectives (outcomes to maximise or minimise) and
the effort. Optuna's NSGA-II sampler, seeded, proposes a generation of allocations at a time;
every proposal is repaired into one that keeps the constraints (or rejected, never run), and
runs the same replicate seeds — and, with a posterior or an ensemble, the same draws or members —
as every other (common random numbers). An objective is the mean over seeds per draw, then the
mean over draws or a pessimistic quantile (the lower one for an outcome to maximise); an
ensemble's `regret` criterion scores the search by the mean and ranks the re-evaluated
allocations by their largest regret (`sim.decisions.robust`). Objectives and limits may be harm
outcomes (`harm_index`, `harm_<area>`), computed from each run's outcomes with the config's harm
weights. Outcome limits (e.g. the longest wait at a crossing) use the same statistic; an
allocation that breaks one is kept out of the front. Against the optimiser's curse the front is
re-run on seeds and draws the search never used, beside the baseline, with paired intervals
(`sim.decisions.optimise_report`).

Each finished generation is appended to `trials.jsonl` in the output folder; `--resume` rebuilds
the study from it and goes on, and gives the same trials as a run never interrupted (every
proposal's sampler is seeded by the config seed and the trial number).
"""

from __future__ import annotations

import json
import math
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.harm import harm_index, missing_outcomes, with_harm
from sim.decisions.optimise_config import Members, Optimisation, Posterior, load_config
from sim.inference.experiments import Evaluator
from sim.runs.layout import ResultsFolderError, write_text
from sim.runs.progress import RunProgress
from sim.scenario.posterior import with_draw
from sim.scenario.reading import InputError, read_bytes
from sim.scenario.schema import Scenario

LOG = "trials.jsonl"
MAX_LOG_BYTES = 2_000_000_000  # a log of 100,000 trials is some 100 MB
__all__ = ["LOG", "Optimisation", "evaluate", "evaluator", "load_config", "pareto_front",
           "scores", "search", "trials_table"]


# --- evaluation: seeds x draws on processes or Dask -----------------------------------------

def evaluator(workers: int, cluster: str | None) -> Evaluator:
    """The search's evaluator: `workers` local processes, or Dask with `cluster`."""
    return Evaluator(workers, cluster)


def statistic(per_draw: pd.DataFrame, outcome: str, direction: str,
              posterior: Posterior | Members | None) -> float:
    """Mean over draws (or members) of the per-draw means, or the pessimistic quantile of them
    (`statistic: quantile`, or an ensemble's `criterion: percentile`)."""
    values = per_draw[outcome].to_numpy(dtype=float)
    if posterior is None or posterior.statistic == "mean" or len(values) == 1:
        return float(values.mean())
    q = posterior.quantile if direction == "maximise" else 1 - posterior.quantile
    return float(np.quantile(values, q))


def evaluate(problem: Optimisation, scenarios: list[Scenario], pool: Any, draws: list[dict],
             seeds: list[int], each_done: Callable[[], None] | None = None
             ) -> list[pd.DataFrame]:
    """Per scenario, one row per (draw, seed): the same draws and seeds for all (CRN)."""
    if not scenarios:  # a generation whose proposals were all rejected
        return []
    variants = [with_draw(s, d) for s in scenarios for d in draws]
    frames = pool.run(variants, seeds, each_done=each_done)
    result = []
    for i in range(len(scenarios)):
        parts = [frames[i * len(draws) + j].assign(draw=j) for j in range(len(draws))]
        result.append(pd.concat(parts).reset_index())
    return result


def scores(problem: Optimisation, table: pd.DataFrame,
           reference: pd.DataFrame | None = None) -> tuple[list[float], list[float]]:
    """Objective values and constraint excesses (> 0: broken) of one proposal's runs;
    `reference` holds the baseline's runs on the same seeds and draws, for relative limits."""
    config = problem.config
    if problem.uses_harm:  # harm outcomes are computed from the runs' outcomes
        table = with_harm(table, problem.weights)
        reference = None if reference is None else with_harm(reference, problem.weights)
    per_draw = table.groupby("draw").mean(numeric_only=True)
    posterior = problem.members
    values = [statistic(per_draw, o.outcome, o.direction, posterior)
              for o in config.objectives]
    excess = []
    for limit in config.constraints.outcomes:
        scale = 1.0
        if limit.relative:
            if reference is None:
                raise ValueError("a relative outcome limit needs the baseline's runs")
            scale = statistic(reference.groupby("draw").mean(numeric_only=True),
                              limit.outcome, "minimise" if limit.max is not None else
                              "maximise", posterior)
        if limit.max is not None:
            excess.append(statistic(per_draw, limit.outcome, "minimise", posterior)
                          - limit.max * scale)
        if limit.min is not None:
            excess.append(limit.min * scale
                          - statistic(per_draw, limit.outcome, "maximise", posterior))
    return values, excess


def reference_runs(problem: Optimisation, pool: Any) -> pd.DataFrame | None:
    """The baseline's runs on the search's seeds and draws, when a limit is relative to it."""
    if not any(limit.relative for limit in problem.config.constraints.outcomes):
        return None
    return evaluate(problem, [problem.scenario], pool, problem.search_draws,
                    problem.search_seeds)[0]


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
    """The trials an earlier run of the same config logged (none when there is no log). A log
    whose header has the fingerprint of before `report` was left out of it gets today's, so
    that later resumes may change the report settings."""
    records = parse_log(out / LOG, problem)[0]
    path = out / LOG
    if records or path.exists():
        lines = _log_text(path).splitlines(keepends=True)
        header = _json(lines[0]) if lines else None
        if (isinstance(header, dict) and problem.earlier_digest != problem.digest
                and header.get("config") == problem.earlier_digest):
            header["config"] = problem.digest
            write_text(path, json.dumps(header) + "\n" + "".join(lines[1:]))
    return records


def _log_text(path: Path) -> str:
    """The log's text, read only from a regular file of bounded size."""
    try:
        return read_bytes(path, MAX_LOG_BYTES, "a search log").decode("utf-8")
    except InputError as error:
        raise ResultsFolderError(f"{path}: {error.message}; move it away to keep it, or "
                                 "--force starts the search again") from None


RECORD_KEYS = frozenset({"number", "state", "params", "values", "system_attrs", "user_attrs"})


def parse_log(path: Path, problem: Optimisation) -> tuple[list[dict[str, Any]], str | None]:
    """The trials of a search log, and a note when its last line was cut off while written
    (by an interruption: that line is skipped, its generation runs again). A log of another
    config, or damaged anywhere else, is refused with the line to look at."""
    if not path.exists():
        return [], None
    try:
        lines = _log_text(path).splitlines(keepends=True)
    except UnicodeDecodeError:
        raise ResultsFolderError(f"{path} is not a search log (not UTF-8 text); move it away "
                                 "to keep it, or --force starts the search again") from None
    note = None
    if lines and not lines[-1].endswith("\n"):
        note = (f"{path}, line {len(lines)}: cut off while written (an interruption); "
                "skipped, its generation runs again")
        lines = lines[:-1]
    if not lines:
        return [], note
    header = _json(lines[0])
    if not isinstance(header, dict) or "config" not in header:
        raise ResultsFolderError(f"{path}, line 1: not the header of a search log; move the "
                                 "file away to keep it, or --force starts the search again")
    if header["config"] not in (problem.digest, problem.earlier_digest):
        raise ResultsFolderError(f"{path.parent} holds a search of another config (or "
                                 "scenario); --force starts again. (A log written before "
                                 "report settings were left out of its fingerprint resumes "
                                 "once with its original report settings, then with any.)")
    records = []
    for number, line in enumerate(lines[1:], start=2):
        record = _json(line)
        if not isinstance(record, dict) or not record.keys() >= RECORD_KEYS:
            raise ResultsFolderError(
                f"{path}, line {number}: damaged (not a trial record); restore the file, or "
                f"keep only its first {number - 1} lines to run the trials after them again, "
                "or --force starts the search again")
        records.append(record)
    return records, note


def _json(line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


def _append(out: Path | None, problem: Optimisation, records: list[dict[str, Any]]) -> None:
    """Add a generation's records to the log; a last line cut off by an interruption is
    removed first, so that every line stays whole."""
    if out is None:
        return
    path = out / LOG
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_NONBLOCK", 0), 0o644)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise ResultsFolderError(f"{path} is not a regular file; move it away, or write the "
                                 "search elsewhere with --out")
    with open(descriptor, "rb+") as log:  # the folder's own file, never a link's target
        log.seek(0)
        text = log.read()
        if text and not text.endswith(b"\n"):
            log.truncate(text.rfind(b"\n") + 1)
        if log.seek(0, 2) == 0:
            log.write((json.dumps({"config": problem.digest}) + "\n").encode())
        for record in records:
            log.write((json.dumps(record, default=float) + "\n").encode())


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
    reference = reference_runs(problem, pool) if remaining > 0 else None
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
                values, excess = scores(problem, table, reference)
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


def in_search_harm(problem: Optimisation, record: dict[str, Any]) -> float:
    """A trial's harm index in the search, from the means of its runs (the index is linear in
    the outcomes: the index of the means is the mean of the indices); NaN for a trial that did
    not run or a log written before an outcome the weights weigh existed."""
    means = record["user_attrs"].get("means")
    if not means or missing_outcomes(pd.DataFrame([means]), problem.weights):
        return math.nan
    return float(harm_index(pd.DataFrame([means]), problem.weights).iloc[0])


def trials_table(problem: Optimisation, records: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per trial: its parameters, objective values, its harm index in the search
    (`harm_index`, when it is not an objective), feasibility, rejection, and whether it is the
    baseline's own allocation."""
    rows = []
    names = [o.outcome for o in problem.config.objectives]
    own = problem.space.baseline_params()
    own = None if own is None else problem.space.allocation(own)
    for record in records:
        excess = record["user_attrs"].get("excess", [])
        row = {"trial": record["number"], "state": record["state"],
               "feasible": record["state"] == "COMPLETE" and all(e <= 0 for e in excess),
               "rejected": "; ".join(record["user_attrs"].get("rejected", [])),
               "baseline": problem.space.allocation(record["params"]) == own}
        row.update({name: (record["values"] or [math.nan] * len(names))[i]
                    for i, name in enumerate(names)})
        if "harm_index" not in names:
            row["harm_index"] = in_search_harm(problem, record)
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
    for row in values:
        dominated = np.any(np.all(values >= row, axis=1) & np.any(values > row, axis=1))
        keep.append(not dominated)
    front = feasible[keep]
    first = problem.config.objectives[0]
    front = front.sort_values([first.outcome, "trial"], ascending=[first.direction ==
                                                                   "minimise", True])
    allocation_columns = [c for c in front.columns if "." in c]
    return front.drop_duplicates(subset=allocation_columns or None)



