"""The measurements behind each performance target (called by benchmarks/run.py)."""

from __future__ import annotations

import gc
import itertools
import json
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from big_graph import replicated_graph
from measure import PYTHON, ROOT, Timing, repeat, run_json, time_command
from mesa_loop import plain_loop

from sim.geography import load_route_graph
from sim.model import BASELINE, JointActionModel, resolve_scenario
from sim.model.model import Stage
from sim.runs import layout, runner
from sim.runs import results as store
from sim.runs.replicate import crossing_waits_table, daily_table, events_table, run_replicate
from sim.scenario.files import load_scenario

SIM = str(Path(PYTHON).with_name("sim"))


def baseline_replicate(runs: int) -> dict:
    """One baseline replicate, in process: model build, run and result tables, each timed."""
    scenario = load_scenario(BASELINE)
    run_replicate(scenario, 1000)  # warm-up: imports, route cache
    parts = {name: Timing() for name in ("build", "run", "tables", "total")}
    for seed in range(runs):
        marks = [(time.perf_counter(), time.process_time())]
        model = JointActionModel(scenario, rng=seed)
        marks.append((time.perf_counter(), time.process_time()))
        model.run()
        marks.append((time.perf_counter(), time.process_time()))
        model.outcomes(), daily_table(model), events_table(model)
        marks.append((time.perf_counter(), time.process_time()))
        for name, (start, end) in zip(("build", "run", "tables"), itertools.pairwise(marks),
                                      strict=True):
            parts[name].wall.append(end[0] - start[0])
            parts[name].cpu.append(end[1] - start[1])
        parts["total"].wall.append(marks[-1][0] - marks[0][0])
        parts["total"].cpu.append(marks[-1][1] - marks[0][1])
    parts["agents"] = len(model.agents)
    parts["ticks"] = model.hours
    return parts


def time_stages(model: JointActionModel) -> dict[str, float]:
    """Put a stopwatch on each stage of this model's hour (`model.stages`, nothing else is
    touched); the returned seconds per stage name add up as the model runs."""
    totals = dict.fromkeys((stage.name for stage in model.stages), 0.0)

    def timed(name: str, run: Callable[[], None]) -> Callable[[], None]:
        def stopwatch() -> None:
            start = time.perf_counter()
            run()
            totals[name] += time.perf_counter() - start
        return stopwatch

    model.stages = tuple(Stage(name, timed(name, run)) for name, run in model.stages)
    return totals


REST_OF_HOUR = "outcome collection and the clock (the rest of each hour)"


def stage_times(runs: int) -> dict[str, float]:
    """Median wall seconds per replicate of the model build, each stage of an hour by its
    declared name, the rest of the hourly step and the result tables, over `runs` baseline
    replicates after a warm-up: where the time of one replicate goes, without a profiler's
    overhead. The cycle collector is paused as `run_replicate` pauses it."""
    scenario = load_scenario(BASELINE)
    run_replicate(scenario, 1000)
    per_run: list[dict[str, float]] = []
    for seed in range(runs):
        gc.disable()
        try:
            per_run.append(_replicate_by_stage(scenario, seed))
        finally:
            gc.enable()
    return {label: statistics.median(run[label] for run in per_run) for label in per_run[0]}


def _replicate_by_stage(scenario, seed: int) -> dict[str, float]:
    start = time.perf_counter()
    model = JointActionModel(scenario, rng=seed)
    built = time.perf_counter()
    stages = time_stages(model)
    model.run()
    ran = time.perf_counter()
    model.outcomes(), daily_table(model), events_table(model), crossing_waits_table(model)
    end = time.perf_counter()
    return {"model build": built - start, **stages,
            REST_OF_HOUR: ran - built - sum(stages.values()),
            "result tables": end - ran, "total": end - start}


def cli_command(scenario: str, replicates: int, out: Path,
                executor: tuple[str, ...] = ("--workers", "2")) -> list[str]:
    return [SIM, "run", scenario, "--replicates", str(replicates), *executor, "--quiet",
            "--force", "--out", str(out)]


def cli_runs(scenario: str, replicates: int, runs: int, out: Path,
             executor: tuple[str, ...] = ("--workers", "2")) -> dict:
    """`sim run` as a planner types it, timed from outside; then the final consolidation of the
    results folder (read every replicate back, concatenate, write the tables) timed alone."""
    command = cli_command(scenario, replicates, out, executor)
    wall = time_command(command, runs)
    start = time.perf_counter()
    parts = store.read_replicates(out)
    reading = time.perf_counter() - start
    start = time.perf_counter()
    store.finish_folder(out, store.collect(parts, layout.read_manifest(out), [], out))
    consolidation = time.perf_counter() - start
    startup = time_command([SIM, "validate", scenario], min(runs, 3))
    shutil.rmtree(out, ignore_errors=True)
    shown = [c if not c.startswith(str(out)) else "<tmp>" for c in command]
    shown[0] = "sim"
    return {"wall": wall, "consolidation": consolidation, "reading": reading, "startup": startup,
            "command": " ".join(shown), "replicates": replicates}


def load_scaling(factors: tuple[int, ...], runs: int, *, include_parts: bool = True) -> dict:
    """Replicate time with criminal movements and legitimate traffic scaled together (and, in
    the full run, each alone), with what each scale puts through the model."""
    variants = {"criminal + traffic": ("criminal__flow_scale", "traffic__scale")}
    if include_parts:
        variants |= {"criminal only": ("criminal__flow_scale",),
                     "traffic only": ("traffic__scale",)}
    table: dict = {}
    counts: dict = {}
    for label, keys in variants.items():
        table[label] = {}
        for factor in factors:
            scenario = resolve_scenario(BASELINE, {key: float(factor) for key in keys})
            seeds = iter(range(10_000))
            last = {}

            def replicate(scenario=scenario, seeds=seeds, last=last) -> None:
                last["result"] = run_replicate(scenario, next(seeds))

            table[label][factor] = repeat(replicate, runs, warmup=0)  # warm already
            summary = last["result"].summary
            counts[(label, factor)] = {
                "movements_attempted": summary["movements_attempted"],
                "legitimate_vehicles": summary["legitimate_vehicles"],
                "checks_total": summary["checks_total"],
                "events": len(last["result"].events)}
    table["counts"] = counts
    return table


def graph_scaling(copies: int, runs: int, folder: Path) -> dict:
    """Baseline replicate on the package graph and on `copies` linked copies of it."""
    scenario = load_scenario(BASELINE)
    graphs = {1: load_route_graph(), copies: replicated_graph(folder, copies)}
    table: dict = {}
    for size, graph in graphs.items():
        seeds = iter(range(10_000))
        table[size] = repeat(lambda graph=graph, seeds=seeds:
                             run_replicate(scenario, next(seeds), route_graph=graph), runs)
        model = JointActionModel(scenario, rng=0, route_graph=graph)
        table[("places", size)] = graph.graph.number_of_nodes()
        table[("edges", size)] = graph.graph.number_of_edges()
        table[("agents", size)] = len(model.agents)
    return table


def peak_memory(factors: tuple[int, ...]) -> dict:
    """Peak RSS of one replicate at each load factor, each in a fresh process."""
    script = str(ROOT / "benchmarks" / "peak_memory.py")
    return {factor: run_json([PYTHON, script, "--flow-scale", str(factor),
                              "--traffic-scale", str(factor)]) for factor in factors}


class _Stopwatch:
    """Wraps a function and adds up the wall time spent in it."""

    def __init__(self, function):
        self.function, self.seconds = function, 0.0

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start


def write_share(scenario: str, replicates: int, out: Path) -> dict:
    """An in-process `sim.run` into a results folder, with the time spent simulating and the
    time spent writing (each replicate's files, reading them back, the final tables) apart."""
    simulate = _Stopwatch(run_replicate)
    owners = {"prepare_folder": runner, "write_replicate": store, "read_replicates": store,
              "collect": store, "finish_folder": store}  # where the runner looks each one up
    writers = {name: _Stopwatch(getattr(owner, name)) for name, owner in owners.items()}
    originals = {name: getattr(owner, name) for name, owner in owners.items()}
    for name, watch in writers.items():
        setattr(owners[name], name, watch)
    try:
        start = time.perf_counter()
        runner.run(scenario, replicates=replicates, workers=1, out=out, force=True,
                   replicate_function=simulate)
        total = time.perf_counter() - start
    finally:
        for name, function in originals.items():
            setattr(owners[name], name, function)
    shutil.rmtree(out, ignore_errors=True)
    writing = sum(w.seconds for w in writers.values())
    return {"total": total, "simulate": simulate.seconds, "writing": writing,
            "parts": {name: w.seconds for name, w in writers.items()},
            "share": writing / total, "replicates": replicates}


def mesa_comparison(runs: int) -> dict:
    """The plain Mesa loop with as many agents as the baseline model and as many ticks."""
    model = JointActionModel(load_scenario(BASELINE), rng=0)
    agents, ticks = len(model.agents), model.hours
    timing = repeat(lambda: plain_loop(agents, ticks), runs)
    return {"agents": agents, "ticks": ticks, "timing": timing}


ENSEMBLE_CONFIG = "calibration/ensemble.yaml"
NO_CENTRE = "scenarios/no_coordination_centre.yaml"


def ensemble_build(members: int, work: Path, *, candidates_per_member: int = 40) -> dict:
    """`sim ensemble` for `members` members as a planner runs it (the shipped config: 3
    replicates a candidate, 2 workers), timed from outside, with its record's counts: seconds
    (wall, and CPU of all its processes) per member kept and per candidate tried, from which 200
    members extrapolate (the first batch, which runs every replicate, weighs more in a small
    build: the extrapolation errs long)."""
    out = work / "ensemble.csv"
    command = [SIM, "ensemble", ENSEMBLE_CONFIG, "--out", str(out), "--members", str(members),
               "--candidates", str(members * candidates_per_member), "--force", "--quiet"]
    wall = time_command(command, 1)
    record = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    kept = max(record["members"], 1)
    return {"wall": wall, "members": record["members"], "candidates": record["candidates_tried"],
            "acceptance": record["acceptance"], "per_member": wall.median / kept,
            "cpu_per_member": (wall.cpu_median or 0.0) / kept,
            "per_candidate": wall.median / max(record["candidates_tried"], 1),
            "file": out, "command": f"sim ensemble {ENSEMBLE_CONFIG} --members {members}"}


def ensemble_comparison(file: Path, members: int, work: Path) -> dict:
    """The paired comparison of two scenarios over members × 1 replicate: `sim run --ensemble`
    of the baseline and of the operation without the centre, then `sim compare` (with the
    deciding assumptions and EVPPI), over 1 member and over `members`: the difference is the
    cost per member, the rest the fixed cost (start-up, worker processes, reading), and 200
    members extrapolate as fixed + 200 × per member."""
    def one(count: int, folder: Path) -> dict:
        common = ["--ensemble", str(count), "--ensemble-file", str(file), "--replicates", "1",
                  "--workers", "2", "--quiet", "--force"]
        base, other = folder / "base", folder / "no_centre"
        runs = Timing()
        for scenario, out in ((str(BASELINE.relative_to(ROOT)), base), (NO_CENTRE, other)):
            runs = _added(runs, time_command([SIM, "run", scenario, *common, "--out", str(out)],
                                             1))
        compare = time_command([SIM, "compare", str(base), str(other), "--out",
                                str(folder / "comparison"), "--no-figures", "--force"], 1)
        return {"runs": runs, "compare": compare, "total": runs.median + compare.median}

    small, large = one(1, work / "one"), one(members, work / "many")
    per_member = (max(large["total"] - small["total"], 0.0) / (members - 1) if members > 1
                  else large["total"])
    fixed = max(small["total"] - per_member, 0.0)
    return {**large, "members": members, "one_member": small["total"], "fixed": fixed,
            "per_member": per_member, "to_200": fixed + 200 * per_member}


def _added(first: Timing, second: Timing) -> Timing:
    """One timing of two commands run one after the other."""
    if not first.wall:
        return second
    return Timing([a + b for a, b in zip(first.wall, second.wall, strict=True)],
                  [a + b for a, b in zip(first.cpu, second.cpu, strict=True)])


REPLAN_CONFIG = "optimise/replan.yaml"


REPLAN_DAY = 3  # the evening of day 3, as issue 36 asks the bench to time


def during_the_action(members: int, work: Path, *, trials: int | None = None,
                      day: int = REPLAN_DAY) -> dict:
    """The evening's work during the action, as a planner runs it: `sim assimilate` of `day`
    days' reports over `members` members × 2 replicates (2 workers), then `sim optimise
    optimise/replan.yaml --from-day {day} --ensemble` over the update (its own sizes; `trials`
    to shorten it), each timed from outside. The ensemble is the ensemble config's first
    candidates (posterior draws × sampled assumptions, as sim/inference/assimilation_study.py
    takes them while no scenarios/ensemble.csv is built); the truth is the next candidate, on a
    seed no member runs."""
    from sim.inference.assimilation_study import (
        REPORTED,
        TRUTH_SEED,
        candidate_members,
        synthetic_reports,
        truth_runs,
    )

    scenario = load_scenario(BASELINE)
    table = candidate_members(ENSEMBLE_CONFIG, members + 1)
    ensemble = work / "ensemble.csv"
    work.mkdir(parents=True, exist_ok=True)
    table.iloc[:members].to_csv(ensemble, index=False)
    ensemble.with_suffix(".json").write_text(json.dumps(
        {"sampled": [{"label": "sampled", "columns": table.attrs["sampled"]}]}))
    truth = table.iloc[members]
    values = {c: truth[c] for c in table.columns if "." in c}
    reports = synthetic_reports(truth_runs(scenario, values, TRUTH_SEED), day, REPORTED)
    reports[["day", "outcome", "value", "country"]].to_csv(work / "reports.csv", index=False)
    sim = [PYTHON, "-m", "sim"]
    update = work / "update"
    assimilate = time_command([*sim, "assimilate", str(BASELINE.relative_to(ROOT)),
                               "--reports", str(work / "reports.csv"), "--ensemble",
                               str(ensemble), "--members", str(members), "--workers", "2",
                               "--out", str(update), "--quiet"], 1)
    record = json.loads((update / "assimilation.json").read_text(encoding="utf-8"))
    replan = time_command([*sim, "optimise", REPLAN_CONFIG, "--from-day", str(day), "--ensemble",
                           str(update), "--out", str(work / "replan"), "--quiet",
                           *(["--trials", str(trials)] if trials else [])], 1)
    runs = json.loads((work / "replan" / "optimise.json").read_text(encoding="utf-8"))
    return {"assimilate": assimilate, "replan": replan,
            "total": Timing([assimilate.median + replan.median],
                            [(assimilate.cpu_median or 0.0) + (replan.cpu_median or 0.0)]),
            "members": members, "ess": record["ess"], "refreshed": record["refreshed"],
            "day": day,
            "replan_runs": runs["replicates_run"], "trials": runs["trials"]}
