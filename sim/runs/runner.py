"""Many replicates of one scenario: seeds, executors, the streaming results folder and resume.

Replicate k always runs with seed `replicate_seeds(scenario.run.seed, n)[k]`, wherever it runs —
in this process, in local worker processes or on a Dask cluster — so the tables are identical bit
for bit whatever the executor, the worker count or the order replicates finish in. Each finished
replicate is written to `replicates/<k>/` at once and atomically (a temporary folder renamed into
place), so a run killed at any moment leaves only whole replicates and `resume` finishes the rest.
"""

from __future__ import annotations

import contextlib
import functools
import traceback
import uuid
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.model.outcomes import OUTCOME_NAMES
from sim.model.streams import replicate_seeds
from sim.runs import folder as guard
from sim.runs import layout
from sim.runs import results as store
from sim.runs.executor import ClusterLostError, Executor
from sim.runs.posterior import check_same_posterior, draw_of, posterior_plan
from sim.runs.progress import RunProgress, report_failure
from sim.runs.results import ReplicateTables, Results
from sim.runs.run_folder import check_folder, prepare_folder
from sim.scenario.files import Problem, ScenarioError, load_scenario, merge, scenario_from_mapping
from sim.scenario.overrides import with_overrides
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Task:
    """One replicate to run: everything it depends on travels with it."""

    scenario: Scenario
    replicate: int
    seed: int
    check_invariants: bool = False
    draw: int | None = None  # the posterior draw the scenario carries (sim/runs/posterior.py)


@dataclass(frozen=True)
class Failure:
    """A replicate that raised: enough to re-run it alone (`sim run FILE --replicate K`)."""

    replicate: int
    seed: int
    error: str
    traceback: str


ReplicateFunction = Callable[..., Any]


def run_task(task: Task, function: ReplicateFunction | None = None
             ) -> ReplicateTables | Failure:
    """Run one replicate (in whatever process) and turn it into rows, or into a `Failure`."""
    if function is None:
        from sim.runs.replicate import run_replicate as function
    try:
        result = function(task.scenario, task.seed, replicate=task.replicate,
                          check_invariants=task.check_invariants)
        return _tables(task, result)
    except Exception as error:  # reported with its seed; the other replicates go on
        return Failure(task.replicate, task.seed, f"{type(error).__name__}: {error}",
                       traceback.format_exc())


def _tables(task: Task, result: Any) -> ReplicateTables:
    keys = {"scenario": task.scenario.name, "replicate": task.replicate, "seed": task.seed}
    if task.draw is not None:
        keys["draw"] = task.draw
    summary = pd.DataFrame([{**keys, **{name: float(result.summary[name])
                                        for name in OUTCOME_NAMES}}])

    def keyed(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.reset_index(drop=True)
        for position, (column, value) in enumerate(keys.items()):
            frame.insert(position, column, value)
        return frame.astype({column: "int64" for column in ("replicate", "seed", "draw")
                             if column in keys})

    waits = getattr(result, "crossing_waits", None)  # a custom replicate function may have none
    return ReplicateTables(task.replicate, task.seed, summary, keyed(result.daily),
                           keyed(result.events),
                           keyed(waits) if waits is not None and len(waits) else pd.DataFrame())


def _failure(task: Task, error: BaseException) -> Failure:
    """A replicate whose worker died (or that Dask could not run) counts as failing."""
    return Failure(task.replicate, task.seed, f"{type(error).__name__}: {error}",
                   "".join(traceback.format_exception(error)))


PACKAGE = str(Path(__file__).resolve().parents[1])  # warnings point at the caller's line


class ReplicateFailureWarning(UserWarning):
    """Some replicates failed; the results hold the others and `failures` says why."""


class ReplicatesFailedError(RuntimeError):
    """Every replicate of a run failed: the message holds the first one's traceback."""

    def __init__(self, results: Results):
        self.results = results
        first = results.failures[0]
        super().__init__(
            f"all {len(results.failures)} replicates of {results.scenario_name} failed; the "
            f"first (replicate {first['replicate']}, seed {first['seed']}):\n"
            f"{first['traceback'].rstrip()}")


def _report(results: Results) -> Results:
    """Raise when nothing ran, warn when some replicates failed: never fail silently."""
    if not results.failures:
        return results
    if results.summary.empty:
        raise ReplicatesFailedError(results)
    first = results.failures[0]
    warnings.warn(f"{len(results.failures)} replicates of {results.scenario_name} failed (first: "
                  f"replicate {first['replicate']}, seed {first['seed']}: {first['error']}); "
                  f"the results hold the {len(results.summary)} others, results.failures says "
                  "why", ReplicateFailureWarning, skip_file_prefixes=(PACKAGE,))
    return results


# --- the run ---------------------------------------------------------------------------------

def resolve_scenario(scenario: Scenario | str | Path, *, replicates: int | None = None,
                     seed: int | None = None, workers: int | None = None,
                     overrides: dict[str, Any] | None = None) -> Scenario:
    """A scenario object from a file or an object, with `a__b` overrides (`sim params`) and run
    settings applied, validated like a scenario file."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    scenario = with_overrides(scenario, overrides or {})
    settings = {k: v for k, v in (("replicates", replicates), ("seed", seed),
                                  ("workers", workers)) if v is not None}
    if not settings:
        return scenario
    data = merge(scenario.model_dump(mode="json"), {"run": settings})
    return scenario_from_mapping(data, label="run settings")


@dataclass
class _Plan:
    """One scenario's part of a run: its folder (None: in memory), manifest and tasks."""

    scenario: Scenario
    directory: Path | None
    manifest: dict[str, Any]
    tasks: list[Task]
    parts: list[ReplicateTables] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)


def run(scenario: Scenario | str | Path, replicates: int | None = None,
        seed: int | None = None, workers: int | None = None, out: str | Path | None = None,
        cluster: Any = None, *, replicate: int | Iterable[int] | None = None,
        resume: bool = False, force: bool = False, progress: bool = False,
        check_invariants: bool = False, command: str | None = None,
        replicate_function: ReplicateFunction | None = None,
        source: str | Path | None = None, posterior: int | None = None,
        posterior_file: str | Path | None = None, ensemble: int | None = None,
        ensemble_file: str | Path | None = None, **overrides: Any) -> Results:
    """Run a scenario's replicates and return their tables.

    `scenario` is a `Scenario` or a YAML path; `replicates`, `seed` and `workers` override its
    run settings, and keyword `overrides` its values by key path with `__` for `.`
    (`parameters__adaptivity=0.2`; the paths of `sim params`), validated like a scenario file.
    With `out`, each replicate streams into that results folder as it finishes
    (`resume` finishes a folder, `force` replaces one). `cluster` is `"local:N"`, a scheduler
    address or a `distributed.Client`. `replicate` runs only the given replicate(s), with the
    seeds they have in the full run. `replicate_function` stands in for
    `sim.runs.replicate.run_replicate` (tests); it must be picklable for processes and Dask.
    `source` is the scenario's file (default: `scenario` when it is a path): `force` replaces
    only a folder written from the same file.

    `posterior=N` runs the first N draws of `posterior_file` (default scenarios/posterior.csv)
    × the replicates, each draw with seeds of its own, the same for every scenario run over those
    draws (sim/runs/posterior.py); the
    tables get a `draw` column and replicate k is draw k // replicates. `ensemble=N` runs the
    first N members of `ensemble_file` (default scenarios/ensemble.csv, `sim ensemble`) the same
    way; both default files are found from the project, not the working directory.

    Raises `ReplicatesFailedError` (with the first traceback) when every replicate failed; warns
    (`ReplicateFailureWarning`) when some did, and `Results.failures` lists them.
    """
    if posterior is not None and ensemble is not None:
        raise ValueError("give posterior=N or ensemble=N, not both (an ensemble's members "
                         "already hold posterior draws)")
    members = ((ensemble, ensemble_file, "ensemble") if ensemble is not None
               else (posterior, posterior_file, "posterior"))
    given = scenario
    scenario = resolve_scenario(scenario, replicates=replicates, seed=seed, workers=workers,
                                overrides=overrides)
    if source is None and not isinstance(given, Scenario):
        source = given
    source = None if source is None else str(Path(source).resolve())
    directory = None if out is None else Path(out)
    if directory is not None:  # refused before a scheduler is reached or a pool started
        guard.check_free(directory)
        check_folder(directory, scenario, resume=resume, force=force, source=source)
    with Executor(scenario.run.workers, cluster) as executor, contextlib.ExitStack() as held:
        plan = _plan(scenario, directory, held, replicate=replicate, resume=resume, force=force,
                     check_invariants=check_invariants, command=command, source=source,
                     posterior=members)
        _execute_plans([plan], executor, function=replicate_function, progress=progress,
                       label=scenario.name)
        results = _finish(plan)
    return _report(results)


def run_many(runs: Sequence[tuple[Scenario, str | Path | None]], *,
             replicates: int | None = None, seed: int | None = None,
             workers: int | None = None, cluster: Any = None, resume: bool = False,
             force: bool = False, progress: bool = False, check_invariants: bool = False,
             command: str | None = None, label: str = "runs",
             replicate_function: ReplicateFunction | None = None,
             executor: Executor | None = None, ensemble: int | None = None,
             ensemble_file: str | Path | None = None) -> list[Results]:
    """Several scenarios, each into its own folder (or memory), on one executor: one process
    pool or Dask cluster serves them all, as a sweep needs (or `executor`, one the caller
    holds). Every folder is checked before any is touched. Options as in `run`; `ensemble=N`
    runs every scenario over the same first N members × replicates, so replicate k of one is
    paired with replicate k of every other (same member, same seed)."""
    scenarios = [(resolve_scenario(s, replicates=replicates, seed=seed, workers=workers),
                  None if out is None else Path(out)) for s, out in runs]
    for scenario, out in scenarios:
        if out is not None:
            guard.check_free(out)
            check_folder(out, scenario, resume=resume, force=force)
    first = scenarios[0][0] if scenarios else None
    opened = (contextlib.nullcontext(executor) if executor is not None
              else Executor(first.run.workers if first else None, cluster))
    with opened as running, contextlib.ExitStack() as held:
        plans = [_plan(scenario, out, held, replicate=None, resume=resume, force=force,
                       check_invariants=check_invariants, command=command,
                       posterior=(ensemble, ensemble_file, "ensemble"))
                 for scenario, out in scenarios]
        _execute_plans(plans, running, function=replicate_function, progress=progress,
                       label=label)
        return [_finish(plan) for plan in plans]


def _plan(scenario: Scenario, directory: Path | None, held: contextlib.ExitStack, *,
          replicate: int | Iterable[int] | None, resume: bool, force: bool,
          check_invariants: bool, command: str | None, source: str | None = None,
          posterior: tuple[int | None, str | Path | None, str] = (None, None, "posterior")
          ) -> _Plan:
    """Seeds, the folder (claimed for the run in `held`, then created, reopened or replaced)
    and the replicates still to run."""
    seeds = replicate_seeds(scenario.run.seed, scenario.run.replicates)
    draws, info = [scenario], None
    if posterior[0] is not None:
        draws, seeds, info = posterior_plan(scenario, *posterior)
    wanted = _wanted(replicate, len(seeds))
    command = command or f"sim.run({scenario.name!r})"
    if directory is None:
        manifest = layout.new_manifest(scenario, seeds, command)
    else:
        claim = held.enter_context(guard.claim(directory, guard.RESULTS, force, resume,
                                               scenario=scenario, source=source,
                                               command=command))
        if claim.action == "resume":
            check_same_posterior(directory, info)
        manifest = prepare_folder(directory, claim.action, scenario, seeds, command,
                                  source=source)
        done = set(layout.done_replicates(directory))
        wanted = [k for k in _wanted(replicate, manifest["replicates"]) if k not in done]
    if info is not None:
        manifest["posterior"] = info
        if directory is not None:
            layout.write_json(directory / layout.MANIFEST, manifest)
    draw = (lambda k: draw_of(k, info)) if info else (lambda k: None)
    tasks = [Task(draws[draw(k) or 0], k, manifest["seeds"][k], check_invariants, draw(k))
             for k in wanted]
    return _Plan(scenario, directory, manifest, tasks)


def _execute_plans(plans: list[_Plan], executor: Executor, *,
                   function: ReplicateFunction | None, progress: bool, label: str) -> None:
    """Run every plan's tasks; stream each replicate into its folder (or keep it) as it ends."""
    owner = {id(task): plan for plan in plans for task in plan.tasks}
    tasks = [task for plan in plans for task in plan.tasks]
    run_id = uuid.uuid4().hex[:8]  # Dask keys unique per run: Dask would share equal keys
    with RunProgress(len(tasks), label, enabled=progress) as bar:
        try:
            for task, outcome in executor.completed(
                    functools.partial(run_task, function=function), tasks,
                    key=lambda t: f"{t.scenario.name}-{run_id}-replicate-{t.replicate}"):
                plan = owner[id(task)]
                if isinstance(outcome, BaseException):
                    outcome = _failure(task, outcome)
                if isinstance(outcome, Failure):
                    report_failure(outcome, plan.scenario.name if len(plans) > 1 else "")
                    plan.failures.append(asdict(outcome))
                    if plan.directory is not None:
                        layout.write_json(plan.directory / layout.FAILURES, plan.failures)
                elif plan.directory is not None:
                    store.write_replicate(plan.directory, outcome, plan.manifest)
                    plan.parts.append(store.written(outcome))  # its tables stay on disk
                else:
                    plan.parts.append(outcome)
                bar.advance()
        except ClusterLostError as error:
            raise ClusterLostError(f"{error}; {_kept(plans)}") from None


def _kept(plans: list[_Plan]) -> str:
    """What a run cut short keeps, and how to finish it."""
    finished = sum(len(plan.parts) for plan in plans)
    total = sum(len(plan.tasks) for plan in plans)
    folders = [str(plan.directory) for plan in plans if plan.directory is not None]
    if not folders:
        return f"{finished} of {total} replicates had finished; run again"
    return (f"the {finished} of {total} replicates that finished are kept in "
            f"{', '.join(folders[:3])}{' and others' if len(folders) > 3 else ''}: --resume "
            "finishes the run")


def _finish(plan: _Plan) -> Results:
    failures = sorted(plan.failures, key=lambda f: f["replicate"])
    if plan.directory is None:
        return store.collect(plan.parts, plan.manifest, failures, None)
    # every replicate's tables from its folder (this run's and an earlier run's), one scenario
    # at a time: over many scenarios the events and waits would not fit in memory together
    results = store.collect(store.read_replicates(plan.directory), plan.manifest, failures,
                            plan.directory)
    store.finish_folder(plan.directory, results)
    return store.on_disk(results)


def _wanted(replicate: int | Iterable[int] | None, count: int) -> list[int]:
    if replicate is None:
        return list(range(count))
    wanted = sorted({replicate} if isinstance(replicate, int) else set(replicate))
    outside = [k for k in wanted if not 0 <= k < count]
    if outside:
        raise ScenarioError([Problem("run settings", None, ("replicate",),
                                     f"replicate {outside[0]} does not exist: the scenario has "
                                     f"{count} replicates, numbered 0 to {count - 1}")])
    return wanted
