"""Many replicates of one scenario: seeds, executors, the streaming results folder and resume.

Replicate k always runs with seed `replicate_seeds(scenario.run.seed, n)[k]`, wherever it runs —
in this process, in local worker processes or on a Dask cluster — so the tables are identical bit
for bit whatever the executor, the worker count or the order replicates finish in. Each finished
replicate is written to `replicates/<k>/` at once and atomically (a temporary folder renamed into
place), so a run killed at any moment leaves only whole replicates and `resume` finishes the rest.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import traceback
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.model.outcomes import OUTCOME_NAMES
from sim.model.streams import replicate_seeds
from sim.runs import folder as guard
from sim.runs import layout
from sim.runs import results as store
from sim.runs.mainguard import spawn_problem
from sim.runs.posterior import check_same_posterior, draw_of, posterior_plan
from sim.runs.progress import RunProgress, report_failure
from sim.runs.results import ReplicateTables, Results
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


# --- executors -------------------------------------------------------------------------------

Finished = tuple[Task, ReplicateTables | Failure]


def _in_process(tasks: list[Task], function: ReplicateFunction | None) -> Iterator[Finished]:
    for task in tasks:
        yield task, run_task(task, function)


def _processes(tasks: list[Task], workers: int, function: ReplicateFunction | None
               ) -> Iterator[Finished]:
    # "spawn": workers start clean, safe alongside threads (rich, Dask) in this process
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(run_task, task, function): task for task in tasks}
        try:
            for future in as_completed(futures):
                yield futures[future], _outcome(future, futures[future])
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _dask(tasks: list[Task], cluster: Any, function: ReplicateFunction | None
          ) -> Iterator[Finished]:
    import dask
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    own_cluster = None
    if isinstance(cluster, str) and cluster.startswith("local:"):
        # no dashboard, so no one reads the workers' statistical profiler: spare its CPU
        with dask.config.set({"distributed.worker.profile.enabled": False}):
            own_cluster = LocalCluster(n_workers=parse_cluster(cluster)[1],
                                       threads_per_worker=1, processes=True,
                                       dashboard_address=None)
        client = Client(own_cluster)
    elif isinstance(cluster, str):
        client = Client(cluster, timeout="30s")
    else:
        client = cluster  # a distributed.Client the caller owns
    try:
        run_id = uuid.uuid4().hex[:8]  # keys unique per run: Dask would share equal keys
        futures = {client.submit(run_task, task, function, pure=False,
                                 key=f"{task.scenario.name}-{run_id}-replicate-{task.replicate}"
                                 ): task for task in tasks}
        try:
            for future in dask_completed(futures):
                yield futures[future], _outcome(future, futures[future])
        finally:
            client.cancel([f for f in futures if not f.done()])
    finally:
        if client is not cluster:
            client.close()
        if own_cluster is not None:
            own_cluster.close()


def _outcome(future: Any, task: Task) -> ReplicateTables | Failure:
    """A future's result; a worker that died counts as that replicate failing."""
    try:
        return future.result()
    except Exception as error:
        return Failure(task.replicate, task.seed, f"{type(error).__name__}: {error}",
                       "".join(traceback.format_exception(error)))


def parse_cluster(spec: str) -> tuple[str, int | str]:
    """`local:N` → ("local", N); `tcp://host:port` (or tls://) → ("scheduler", address)."""
    if spec.startswith("local:"):
        count = spec.removeprefix("local:")
        if count.isdigit() and int(count) >= 1:
            return "local", int(count)
        raise ValueError(f"--cluster {spec}: expected local:N with N a whole number ≥ 1")
    if re.match(r"^(tcp|tls|ucx|inproc)://[^\s/]+$", spec):
        return "scheduler", spec
    raise ValueError(f"--cluster {spec}: expected local:N or a scheduler address like "
                     "tcp://HOST:PORT")


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def execute(tasks: list[Task], *, workers: int | None = None, cluster: Any = None,
            function: ReplicateFunction | None = None) -> Iterator[Finished]:
    """Run tasks on the chosen executor, yielding each task with its replicate's tables (or its
    failure) as it finishes, in any order."""
    if not tasks:
        return iter(())
    if cluster is not None:
        if isinstance(cluster, str):
            parse_cluster(cluster)
            problem = spawn_problem() if cluster.startswith("local:") else None
            if problem:
                raise RuntimeError(f"cluster={cluster!r} cannot start its workers: {problem}")
        return _dask(tasks, cluster, function)
    workers = min(workers or default_workers(), len(tasks))
    if workers <= 1:
        return _in_process(tasks, function)
    problem = spawn_problem()
    if problem:
        warnings.warn(f"running the {len(tasks)} replicates one after another in this process: "
                      f"{problem}", MainGuardWarning, skip_file_prefixes=(PACKAGE,))
        return _in_process(tasks, function)
    return _processes(tasks, workers, function)


PACKAGE = str(Path(__file__).resolve().parents[1])  # warnings point at the caller's line


class MainGuardWarning(RuntimeWarning):
    """Replicates run in this process because worker processes could not start."""


class ReplicateFailureWarning(UserWarning):
    """Some replicates failed; the results hold the others and `failures` says why."""


class ClusterUnreachableError(RuntimeError):
    """`--cluster ADDRESS` names a Dask scheduler that does not answer."""


@contextmanager
def connected(cluster: Any) -> Iterator[Any]:
    """A scheduler address becomes a `distributed.Client` before any folder is touched, so an
    address that does not answer is one message and leaves nothing behind; `local:N`, a
    Client or None pass through."""
    if not isinstance(cluster, str) or cluster.startswith("local:"):
        yield cluster
        return
    parse_cluster(cluster)
    from distributed import Client

    try:  # waits distributed.comm.timeouts.connect (Dask's setting; 30 s by default)
        client = Client(cluster)
    except (OSError, TimeoutError) as error:
        raise ClusterUnreachableError(
            f"cannot reach the Dask scheduler at {cluster} ({error}); start it, or check the "
            "address and port") from None
    try:
        yield client
    finally:
        client.close()


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
        posterior_file: str | Path | None = None, **overrides: Any) -> Results:
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
    × the replicates, with common random numbers across draws (sim/runs/posterior.py); the
    tables get a `draw` column and replicate k is draw k // replicates.

    Raises `ReplicatesFailedError` (with the first traceback) when every replicate failed; warns
    (`ReplicateFailureWarning`) when some did, and `Results.failures` lists them.
    """
    given = scenario
    scenario = resolve_scenario(scenario, replicates=replicates, seed=seed, workers=workers,
                                overrides=overrides)
    if source is None and not isinstance(given, Scenario):
        source = given
    source = None if source is None else str(Path(source).resolve())
    with connected(cluster) as executor:
        plan = _plan(scenario, out, replicate=replicate, resume=resume, force=force,
                     check_invariants=check_invariants, command=command, source=source,
                     posterior=(posterior, posterior_file))
        _execute_plans([plan], workers=scenario.run.workers, cluster=executor,
                       function=replicate_function, progress=progress, label=scenario.name)
    return _report(_finish(plan))


def run_many(runs: Sequence[tuple[Scenario, str | Path | None]], *,
             replicates: int | None = None, seed: int | None = None,
             workers: int | None = None, cluster: Any = None, resume: bool = False,
             force: bool = False, progress: bool = False, check_invariants: bool = False,
             command: str | None = None, label: str = "runs",
             replicate_function: ReplicateFunction | None = None) -> list[Results]:
    """Several scenarios, each into its own folder (or memory), on one executor: one process
    pool or Dask cluster serves them all, as a sweep needs. Every folder is checked before
    any is touched. Options as in `run`."""
    scenarios = [(resolve_scenario(s, replicates=replicates, seed=seed, workers=workers),
                  None if out is None else Path(out)) for s, out in runs]
    for scenario, out in scenarios:
        if out is not None:
            guard.check_folder(out, scenario, resume=resume, force=force)
    with connected(cluster) as executor:
        plans = [_plan(scenario, out, replicate=None, resume=resume, force=force,
                       check_invariants=check_invariants, command=command)
                 for scenario, out in scenarios]
        first = scenarios[0][0] if scenarios else None
        _execute_plans(plans, workers=first.run.workers if first else None, cluster=executor,
                       function=replicate_function, progress=progress, label=label)
    return [_finish(plan) for plan in plans]


def _plan(scenario: Scenario, out: str | Path | None, *,
          replicate: int | Iterable[int] | None, resume: bool, force: bool,
          check_invariants: bool, command: str | None, source: str | None = None,
          posterior: tuple[int | None, str | Path | None] = (None, None)) -> _Plan:
    """Seeds, the folder (created, reopened or replaced) and the replicates still to run."""
    seeds = replicate_seeds(scenario.run.seed, scenario.run.replicates)
    draws, info = [scenario], None
    if posterior[0] is not None:
        draws, seeds, info = posterior_plan(scenario, *posterior)
    wanted = _wanted(replicate, len(seeds))
    directory = Path(out) if out is not None else None
    command = command or f"sim.run({scenario.name!r})"
    if directory is None:
        manifest = layout.new_manifest(scenario, seeds, command)
    else:
        if resume:
            check_same_posterior(directory, info)
        manifest = guard.prepare_folder(directory, scenario, seeds, command, resume=resume,
                                        force=force, source=source)
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


def _execute_plans(plans: list[_Plan], *, workers: int | None, cluster: Any,
                   function: ReplicateFunction | None, progress: bool, label: str) -> None:
    """Run every plan's tasks; stream each replicate into its folder (or keep it) as it ends."""
    owner = {id(task): plan for plan in plans for task in plan.tasks}
    tasks = [task for plan in plans for task in plan.tasks]
    with RunProgress(len(tasks), label, enabled=progress) as bar:
        for task, outcome in execute(tasks, workers=workers, cluster=cluster,
                                     function=function):
            plan = owner[id(task)]
            if isinstance(outcome, Failure):
                report_failure(outcome, plan.scenario.name if len(plans) > 1 else "")
                plan.failures.append(asdict(outcome))
                if plan.directory is not None:
                    layout.write_json(plan.directory / layout.FAILURES, plan.failures)
            else:
                if plan.directory is not None:
                    store.write_replicate(plan.directory, outcome)
                plan.parts.append(outcome)  # kept: the folder's tables need not read it back
            bar.advance()


def _finish(plan: _Plan) -> Results:
    failures = sorted(plan.failures, key=lambda f: f["replicate"])
    if plan.directory is None:
        return store.collect(plan.parts, plan.manifest, failures, None)
    held = {part.replicate for part in plan.parts}
    earlier = store.read_replicates(plan.directory, skip=held)  # written by an earlier run
    results = store.collect(earlier + plan.parts, plan.manifest, failures, plan.directory)
    store.finish_folder(plan.directory, results)
    return results


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
