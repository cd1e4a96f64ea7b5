"""`sim assimilate SCENARIO --reports FILE --out DIR`: the daily reports update the ensemble and
the remaining days are forecast; `--study N` instead scores the update on N synthetic truths."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.commands.common import at_least, folder_argument, fraction

STUDY_FILES = ("scores.csv", "truths.csv", "summary.csv", "study.json")


def register(commands: argparse._SubParsersAction) -> None:
    """Add `sim assimilate` to the `sim` command's sub-commands."""
    parser = commands.add_parser("assimilate", help="during the action: weigh the ensemble by "
                                 "the daily reports and forecast the remaining days")
    parser.add_argument("scenario", type=Path, metavar="SCENARIO",
                        help="the plan as it stands (the allocation of the remaining days)")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--reports", type=Path, metavar="FILE", help="the daily reports: a CSV "
                      "of day,outcome,value[,country] (docs/during_the_action.md)")
    what.add_argument("--study", type=at_least(1), metavar="N", help="instead: score the "
                      "update on synthetic truths: N members held out of the ensemble in turn, "
                      "each of their runs a truth")
    parser.add_argument("--out", type=folder_argument, metavar="DIR", required=True,
                        help="output folder")
    parser.add_argument("--ensemble", type=Path, metavar="FILE", help="the ensemble file "
                        "(default: the project's scenarios/ensemble.csv)")
    parser.add_argument("--candidates", type=Path, metavar="CONFIG", help="with --study and "
                        "no ensemble file built yet: the candidates of this ensemble config "
                        "(before history matching)")
    parser.add_argument("--members", type=at_least(2), metavar="N",
                        help="the first N members (default: 100, or all the file has)")
    parser.add_argument("--replicates", type=at_least(2), metavar="R",
                        help="replicates per member (default: 2)")
    parser.add_argument("--runs", type=Path, metavar="FOLDER", help="reuse the runs of `sim "
                        "run SCENARIO --ensemble N --ensemble-file FILE` instead of running "
                        "the members")
    parser.add_argument("--report-days", type=at_least(1), metavar="K", default=2,
                        help="with --study: the days reported (default 2)")
    parser.add_argument("--collapse", type=fraction, metavar="SHARE",
                        help="effective sample size below this share of the members is a "
                             "collapse (default 0.1)")
    parser.add_argument("--workers", type=at_least(1), metavar="W", help="worker processes "
                        "(default 2)")
    parser.add_argument("--force", action="store_true", help="replace an earlier update")
    parser.add_argument("--quiet", action="store_true", help="no progress, no summary")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Everything is read and checked before the folder is claimed: a malformed report, an
    unknown ensemble or a folder that must not be written leaves everything as it was."""
    from sim.scenario.files import load_scenario

    scenario = load_scenario(args.scenario)
    command = getattr(args, "command_line", "sim assimilate")
    if args.study:
        return study(args, scenario, command)
    from sim.inference.assimilation import FILES, REPLICATES, update
    from sim.inference.likelihood import COLLAPSE_SHARE
    from sim.runs.progress import RunProgress

    members = args.members
    with RunProgress(0 if args.runs else (members or 100), "members",
                     enabled=not args.quiet) as bar:
        result = update(scenario, args.reports, ensemble_file=args.ensemble, members=members,
                        replicates=args.replicates or REPLICATES, workers=args.workers or 2,
                        runs=args.runs, out=args.out, force=args.force,
                        collapse_share=args.collapse or COLLAPSE_SHARE, command=command,
                        progress=bar.advance)
    for note in result.notes:
        print(f"sim assimilate: warning: {note}", file=sys.stderr)
    if not args.quiet:
        print(summary_text(result))
        print(f"written: {args.out}/ ({', '.join(FILES)})")
    return 0


def summary_text(result) -> str:
    """What the command prints: the ESS and the forecast of the remaining days together."""
    from sim.analysis.style import label
    from sim.runs.statistics import number

    fit = result.fit
    lines = [f"{len(result.members)} members x {len(result.seeds[0])} replicates weighed by "
             f"{len(fit.observed)} reported figures of days 1-{result.day}: effective sample "
             f"size {fit.ess:.1f} ({fit.ess / fit.members:.0%})"
             + ("; collapsed, refreshed around the survivors" if result.refreshed else ""),
             "", f"forecast of days {result.day + 1}-{result.scenario.action.days} "
             "(mean, 90% interval): before the action | updated"]
    table = result.forecast()
    whole = table[table["period"] == table["period"].iloc[0]]
    for row in whole.itertuples():
        lines.append(f"  {label(row.outcome):<32} {number(row.pre_action_mean):>10} "
                     f"({number(row.pre_action_p5)}-{number(row.pre_action_p95)}) | "
                     f"{number(row.updated_mean):>10} ({number(row.updated_p5)}-"
                     f"{number(row.updated_p95)})")
    return "\n".join(lines)


def study(args: argparse.Namespace, scenario, command: str) -> int:
    """`--study N`: the update scored on N synthetic truths (sim.inference.assimilation_study)."""
    import time

    from sim.inference.assimilation import REPLICATES
    from sim.inference.assimilation_study import candidate_members, run_study
    from sim.runs import layout
    from sim.runs import results as store
    from sim.runs.folder import claim
    from sim.runs.results import ResultsFolderError

    days = scenario.action.days
    if args.report_days >= days:
        raise ResultsFolderError(f"--report-days {args.report_days}: the scenario has {days} "
                                 "days, so nothing would be left to forecast")
    if args.candidates is not None:
        members = candidate_members(str(args.candidates), args.members or 100)
    else:
        members = _ensemble_members(args)
    if args.study > len(members):
        raise ResultsFolderError(f"--study {args.study} holds out {args.study} members in "
                                 f"turn; there are {len(members)} (--members)")
    started = time.monotonic()
    with claim(args.out, "assimilation study", args.force, files=STUDY_FILES,
               command=command):
        result = run_study(scenario, members, truths=args.study, report_days=args.report_days,
                           replicates=args.replicates or REPLICATES, workers=args.workers or 2,
                           progress=None if args.quiet else print)
        store.write_csv(result.scores, args.out / "scores.csv")
        store.write_csv(result.truths, args.out / "truths.csv")
        store.write_csv(result.summary(), args.out / "summary.csv")
        layout.write_json(args.out / "study.json", {
            "command": command, "scenario": scenario.name, "members": len(members),
            "held_out": args.study, "truths": len(result.truths), "report_days": args.report_days,
            "replicates": args.replicates or REPLICATES,
            "ensemble": str(args.candidates or args.ensemble or "scenarios/ensemble.csv"),
            "before_history_matching": args.candidates is not None,
            "verdict": result.verdict(), "minutes": round((time.monotonic() - started) / 60, 1),
            "finished": layout.now(), "git_commit": layout.git_commit()})
    if not args.quiet:
        print(result.summary().to_string(index=False))
        print(result.verdict())
    return 0


def _ensemble_members(args: argparse.Namespace):
    """The first --members members of the ensemble file (default 100, or all it has)."""
    from sim.scenario.posterior import ENSEMBLE_FILE, read_posterior

    path = args.ensemble or ENSEMBLE_FILE
    table = read_posterior(path)
    chosen = table.iloc[:args.members or min(len(table), 100)].copy()
    chosen.attrs = dict(table.attrs)
    return chosen
