"""`sim optimise CONFIG`: search allocations (a Pareto front), re-evaluated out of sample
against the baseline; the report and the allocation files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.commands.common import HARM_HELP, at_least, folder_argument, harm_file

CONFIRM_RUNS = 50_000  # model runs above which a search starts only with --yes
SECONDS_PER_REPLICATE_DAY = 0.1  # one worker, a baseline day: 0.44 s a 6-day replicate and
# the tables (docs/performance.md); the shipped searches ran at about 0.7 s a run


def register(commands: argparse._SubParsersAction) -> None:
    """Add `sim optimise` to the `sim` command's sub-commands."""
    parser = commands.add_parser("optimise", help="search allocations: a Pareto front, "
                                 "re-evaluated out of sample against the baseline")
    parser.add_argument("config", type=Path, metavar="CONFIG")
    parser.add_argument("--out", type=folder_argument, metavar="DIR",
                        help="output folder (default: results/optimise/<config name>)")
    parser.add_argument("--trials", type=int, metavar="N", help="override search.trials")
    parser.add_argument("--replicates", type=int, metavar="N", help="override search.replicates")
    parser.add_argument("--report-replicates", type=int, metavar="N",
                        help="override report.replicates (fresh seeds per allocation)")
    parser.add_argument("--workers", type=int, metavar="W", help="override search.workers")
    parser.add_argument("--harm", type=harm_file, metavar="FILE", help=HARM_HELP + " (replaces "
                        "the config's harm:)")
    parser.add_argument("--cluster", metavar="SPEC", help="run on Dask: local:N or "
                        "tcp://HOST:PORT (as sim run)")
    parser.add_argument("--from-day", type=at_least(1), metavar="K", help="re-plan during "
                        "the action: on the evening of day K, search changes for days K+1 to "
                        "the end (shares from K+1, scanning teams and Frontex units after "
                        "their move; docs/during_the_action.md)")
    parser.add_argument("--ensemble", type=Path, metavar="DIR", help="the members to search "
                        "over: the updated ensemble of a `sim assimilate` folder (or an "
                        "ensemble file)")
    again = parser.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true", help="go on from trials.jsonl")
    again.add_argument("--force", action="store_true", help="replace an earlier search")
    parser.add_argument("--yes", action="store_true", help=f"start a search of more than "
                        f"{CONFIRM_RUNS:,} model runs (its estimate is printed first)")
    parser.add_argument("--quiet", action="store_true", help="no progress, no report")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """`sim optimise`: the config and the options are checked, and the run's size estimated,
    before the output folder is claimed, so a mistake (exit 2) leaves an earlier search as it
    was."""
    from rich.console import Console

    from sim.decisions.optimise import load_config
    from sim.decisions.optimise_config import objective_note
    from sim.decisions.optimise_folder import FILES, check, clear
    from sim.decisions.optimise_report import optimise
    from sim.runs.executor import parse_cluster
    from sim.runs.folder import claim
    from sim.runs.results import ResultsFolderError

    out = args.out or Path("results") / "optimise" / args.config.stem
    if args.cluster:
        try:
            parse_cluster(args.cluster)
        except ValueError as error:
            raise ResultsFolderError(str(error)) from None
    problem = load_config(args.config, harm=args.harm, trials=args.trials,
                          replicates=args.replicates, workers=args.workers,
                          report_replicates=args.report_replicates,
                          from_day=args.from_day, ensemble=args.ensemble)
    note = objective_note(problem)
    if note and not args.quiet:
        print(f"sim optimise: note: {note}", file=sys.stderr)
    for note in replan_notes(args.ensemble, problem):  # the update's warnings: never quiet
        print(f"sim optimise: note: {note}", file=sys.stderr)
    confirm(problem, args)
    notes: list[str] = []

    def rules(folder: Path) -> None:  # the optimiser's own, checked again under the lock
        notes[:] = check(folder, problem, resume=args.resume, force=args.force)

    with claim(out, "search", args.force, args.resume, check=rules,
               command=getattr(args, "command_line", "sim optimise")):
        for note in notes:
            print(f"sim optimise: note: {note}", file=sys.stderr)
        if args.force:
            clear(out)
        optimise(problem, out=out, resume=args.resume, progress=not args.quiet,
                 cluster=args.cluster, command=getattr(args, "command_line", "sim optimise"))
        if problem.config.replan is not None and problem.config.replan.from_day is not None:
            from sim.decisions.replan import write_gains

            write_gains(problem, out)
    if not args.quiet:
        print((out / "report.md").read_text(encoding="utf-8"))
        written = [name for name in FILES[1:] if (out / name).is_file()]
        Console().print(f"written: {out}/ ({', '.join(written)}, allocations/)",
                        highlight=False)
    return 0


def replan_notes(ensemble: Path | None, problem) -> list[str]:
    """What a planner should know before a search over an updated ensemble: its effective
    size, and the update's own warnings."""
    if ensemble is None:
        return []
    import json

    from sim.decisions.replan_space import effective_members, updated_ensemble_file

    notes = [f"members from {updated_ensemble_file(ensemble)} (effective sample size "
             f"{effective_members(updated_ensemble_file(ensemble)):.1f})"]
    record = Path(ensemble) / "assimilation.json"
    if record.is_file():
        info = json.loads(record.read_text(encoding="utf-8"))
        notes += [f"the update said: {text}" for text in info.get("notes", [])]
        reported = info.get("reports", {}).get("days")
        day = problem.config.replan.from_day if problem.config.replan else None
        if reported is not None and day is not None and reported != day:
            notes.append(f"the reports run to day {reported}, the re-plan starts on the "
                         f"evening of day {day}")
    return notes


def confirm(problem, args: argparse.Namespace) -> None:
    """Say how many model runs the search and its report will make, and about how long they
    take; above `CONFIRM_RUNS` the search starts only with --yes."""
    from sim.decisions.optimise_report import planned_runs
    from sim.runs.results import ResultsFolderError

    search, report = planned_runs(problem)
    runs = search + report
    workers = 1 if args.cluster else max(problem.config.search.workers, 1)
    seconds = runs * SECONDS_PER_REPLICATE_DAY * problem.scenario.action.days / workers
    where = ("on one worker (shared among the cluster's workers)" if args.cluster
             else f"on {workers} worker{'s' * (workers != 1)}")
    estimate = (f"about {runs:,} model runs ({search:,} in the search, {report:,} out of "
                f"sample), about {_duration(seconds)} {where}")
    if runs > CONFIRM_RUNS and not args.yes:
        raise ResultsFolderError(f"{args.config}: this search needs {estimate}; a search of "
                                 f"more than {CONFIRM_RUNS:,} runs starts only with --yes "
                                 "(or lower search.trials, replicates or posterior draws)")
    if not args.quiet:
        print(f"sim optimise: {estimate}", file=sys.stderr)


def _duration(seconds: float) -> str:
    for unit, size in (("days", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:.0f} s"
