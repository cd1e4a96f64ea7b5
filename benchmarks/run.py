"""`make bench`: measure the performance targets of issue 8 and write docs/performance.md.

    python benchmarks/run.py           # full: about 10 minutes on 2 cores; writes docs/
    python benchmarks/run.py --quick   # smaller counts, under 2 minutes; writes results/bench/

Each target is measured on this machine, in this run, and reported with its median, range and
pass or fail; the machine's facts and load average are written beside them, because a busy
machine slows every wall-clock number. The scaling curve goes to scaling.png.
"""

from __future__ import annotations

import argparse
import pickle
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import ROOT, Timing, load_average, machine_facts
from profile_replicate import profile_text
from report import Target, write_report
from suites import (
    baseline_replicate,
    cli_runs,
    during_the_action,
    ensemble_build,
    ensemble_comparison,
    graph_scaling,
    load_scaling,
    mesa_comparison,
    peak_memory,
    stage_times,
    write_share,
)

SCENARIO = "scenarios/jad_see_2023.yaml"


class Settings:
    """How much to measure: the full run for the docs, or a quick smoke run."""

    def __init__(self, quick: bool):
        self.quick = quick
        self.baseline_runs = 3 if quick else 10
        self.cli_replicates = 10 if quick else 100
        self.cli_runs = 1 if quick else 3
        self.scaling_factors = (1, 4, 16)
        self.scaling_runs = 1 if quick else 3
        self.graph_runs = 1 if quick else 5
        self.write_replicates = 5 if quick else 20
        self.dask_replicates = 10 if quick else 200
        self.dask_runs = 1 if quick else 2
        self.mesa_runs = 3 if quick else 5
        self.ensemble_members = 3 if quick else 10  # extrapolated to 200 per member
        self.update_members = 20 if quick else 100  # sim assimilate's default
        self.replan_trials = 8 if quick else None  # None: optimise/replan.yaml's own


def executor_pair(settings: Settings, work: Path) -> tuple[dict, dict]:
    """The process pool and the Dask cluster on the same replicates, runs alternating so that
    a change in the machine's load falls on both alike."""
    pool = dask = None
    for _ in range(settings.dask_runs):
        for label, executor in (("pool", ("--workers", "2")), ("dask", ("--cluster", "local:2"))):
            run = cli_runs(SCENARIO, settings.dask_replicates, 1, work / label, executor=executor)
            if label == "pool":
                pool = run if pool is None else _merged(pool, run)
            else:
                dask = run if dask is None else _merged(dask, run)
    return pool, dask


def _merged(first: dict, second: dict) -> dict:
    first["wall"].wall += second["wall"].wall
    first["wall"].cpu += second["wall"].cpu
    return first


def measure_all(settings: Settings, work: Path, log) -> tuple[list[Target], dict]:
    """Run every benchmark; the targets (for the table) and the details (for the sections)."""
    details: dict = {}
    targets: list[Target] = []

    def judged(passed: bool) -> bool | None:
        """Targets set for the full counts are not judged on a quick run's smaller ones."""
        return None if settings.quick else passed

    log("baseline replicate")
    details["baseline"] = baseline = baseline_replicate(settings.baseline_runs)
    targets.append(Target("One baseline replicate in one process (build + run + tables)",
                          "≤ 0.3 s median", baseline["total"], baseline["total"].median <= 0.3))
    log("stages of a replicate")
    details["stages"] = stage_times(settings.baseline_runs)

    log(f"sim run, {settings.cli_replicates} replicates, 2 workers")
    details["cli"] = cli = cli_runs(SCENARIO, settings.cli_replicates, settings.cli_runs,
                                    work / "cli")
    targets.append(Target(f"`sim run` {settings.cli_replicates} replicates, `--workers 2`, "
                          "start-up and writing included", "≤ 70 s for 100", cli["wall"],
                          judged(cli["wall"].median <= 70.0)))

    log("load scaling 1x/4x/16x")
    details["load"] = load = load_scaling(settings.scaling_factors, settings.scaling_runs,
                                          include_parts=not settings.quick)
    combined = load["criminal + traffic"]
    for factor in settings.scaling_factors[1:]:
        ratio = combined[factor].median / combined[1].median
        targets.append(Target(f"{factor}x criminal movements and traffic: time ratio to 1x",
                              f"≤ {factor}", Timing([ratio]), ratio <= factor, "x"))

    log("route graph 4x")
    details["graph"] = graph = graph_scaling(4, settings.graph_runs, work / "graph4")
    ratio = graph[4].median / graph[1].median
    targets.append(Target("Route graph 4x larger: time ratio to 1x", "≤ 4", Timing([ratio]),
                          ratio <= 4, "x"))

    log("peak memory")
    details["memory"] = memory = peak_memory((1, 16))
    peak = memory[16]["peak_rss_mb"]
    targets.append(Target("Peak memory (peak RSS) of one 16x replicate, fresh process",
                          "≤ 400 MB", Timing([peak]), peak <= 400, "MB", digits=0))

    log("write share")
    details["write"] = write = write_share(SCENARIO, settings.write_replicates, work / "write")
    targets.append(Target(f"Writing results, share of a {settings.write_replicates}-replicate "
                          "in-process run", "≤ 10 %", Timing([write["share"] * 100]),
                          judged(write["share"] <= 0.10), "%", digits=1))

    log(f"Dask local:2 vs process pool, {settings.dask_replicates} replicates")
    details["pool"], details["dask"] = pool, dask = executor_pair(settings, work)
    ratio = dask["wall"].median / pool["wall"].median
    targets.append(Target(f"Dask `--cluster local:2` / `--workers 2`, "
                          f"{settings.dask_replicates} replicates (ratio of the medians of "
                          f"{settings.dask_runs} alternating runs each)", "≤ 1.3",
                          Timing([ratio]), judged(ratio <= 1.3), "x"))

    log(f"ensemble of {settings.ensemble_members} members, then a paired comparison over them")
    details["ensemble"] = build = ensemble_build(settings.ensemble_members, work / "ensemble")
    to_200 = Timing([build["per_member"] * 200 / 60])
    targets.append(Target(f"Ensemble of 200 members (`sim ensemble`, 3 replicates a candidate, "
                          f"2 workers), extrapolated from {build['members']} members "
                          f"({build['per_member']:.0f} s each; in waves a small build is "
                          f"mostly the first wave, so this is an upper bound: docs/calibration.md "
                          f"has a whole build measured)", "≤ 60 min", to_200,
                          judged(to_200.median <= 60), "min", digits=1))
    details["ensemble_compare"] = paired = ensemble_comparison(
        build["file"], max(build["members"], 1), work / "ensemble_compare")
    to_200 = Timing([paired["to_200"] / 60])
    targets.append(Target(f"Paired comparison of two scenarios over 200 members × 1 replicate "
                          f"(two `sim run --ensemble`, `sim compare`), extrapolated from 1 and "
                          f"{paired['members']} members ({paired['fixed']:.0f} s fixed, "
                          f"{paired['per_member']:.1f} s a member)",
                          "≤ 5 min", to_200, judged(to_200.median <= 5), "min", digits=1))

    targets.append(during_target(settings, work, log, details, judged))

    log("plain Mesa loop")
    details["mesa"] = mesa_comparison(settings.mesa_runs)
    if not settings.quick:
        log("profile of the current code")
        (ROOT / "docs" / "profile_after.txt").write_text(profile_text(), encoding="utf-8")
    return targets, details


def during_target(settings: Settings, work: Path, log, details: dict, judged) -> Target:
    """Issue 36's evening: `sim assimilate` of three days' reports, then `sim optimise
    --from-day 3` over the update, on the baseline."""
    log(f"during the action: sim assimilate ({settings.update_members} members), then sim "
        "optimise --from-day 3")
    details["during"] = during = during_the_action(settings.update_members, work / "during",
                                                   trials=settings.replan_trials)
    day = during["day"]
    return Target(f"`sim assimilate` of {day} days' reports ({during['members']} members × "
                  f"2 replicates{', refreshed' if during['refreshed'] else ''}; "
                  f"{during['assimilate'].median / 60:.1f} min) + `sim optimise "
                  f"optimise/replan.yaml --from-day {day}` ({during['trials']} trials, "
                  f"{during['replan_runs']} runs; {during['replan'].median / 60:.1f} min), "
                  "2 workers", "≤ 10 min", Timing([during["total"].median / 60]),
                  judged(during["total"].median <= 600), "min", digits=1)


def during_only(settings: Settings) -> int:
    """`--only during`: the evening's target alone, printed and written to
    results/bench/during.md (docs/performance.md is left as the last full run wrote it)."""
    work = Path(tempfile.mkdtemp(prefix="jad-bench-"))
    started = time.perf_counter()
    details: dict = {}
    try:
        target = during_target(settings, work, lambda what: print(what, flush=True), details,
                               lambda passed: passed if not settings.quick else None)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    during = details["during"]
    text = (f"{target.name}: {target.measured_text()} (target {target.target}; "
            f"{target.verdict().strip('*')}); CPU {during['total'].cpu_median or 0:.0f} s; "
            f"effective sample size {during['ess']}; load average "
            f"{', '.join(f'{x:.2f}' for x in load_average())}; "
            f"{time.perf_counter() - started:.0f} s in all")
    out = ROOT / "results" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "during.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smaller counts (under 2 minutes); writes to results/bench/")
    parser.add_argument("--out", type=Path,
                        help="folder for performance.md and scaling.png (default: docs/, or "
                             "results/bench/ with --quick)")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite performance.md from the last run's saved measurements "
                             "(after editing benchmarks/notes.md) without measuring again")
    parser.add_argument("--only", choices=["during"], help="measure one target alone: "
                        "`during` (sim assimilate + sim optimise --from-day 3), written to "
                        "results/bench/during.md")
    arguments = parser.parse_args(argv)
    settings = Settings(arguments.quick)
    if arguments.only == "during":
        return during_only(settings)
    out = arguments.out or (ROOT / "results" / "bench" if settings.quick else ROOT / "docs")
    out.mkdir(parents=True, exist_ok=True)
    saved = ROOT / "results" / "bench" / ("quick.pickle" if settings.quick else "full.pickle")
    if arguments.report_only:
        with saved.open("rb") as handle:
            write_report(out, *pickle.load(handle))
        print(f"rewrote {out / 'performance.md'} from {saved}")
        return 0
    started = time.perf_counter()

    def log(what: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {what}", flush=True)

    load_before = load_average()
    work = Path(tempfile.mkdtemp(prefix="jad-bench-"))
    try:
        targets, details = measure_all(settings, work, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    details["load_average"] = (load_before, load_average())
    details["elapsed"] = time.perf_counter() - started
    details["command"] = shlex.join(["python", "benchmarks/run.py", *(argv or sys.argv[1:])])
    details["settings"] = settings
    machine = machine_facts()
    saved.parent.mkdir(parents=True, exist_ok=True)
    with saved.open("wb") as handle:
        pickle.dump((targets, details, machine), handle)
    write_report(out, targets, details, machine)
    for target in targets:
        print(f"{target.verdict().strip('*'):<11} {target.name}: {target.measured_text()} "
              f"(target {target.target})")
    print(f"wrote {out / 'performance.md'} and {out / 'scaling.png'} "
          f"in {details['elapsed']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
