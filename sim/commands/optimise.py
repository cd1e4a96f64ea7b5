"""`sim optimise CONFIG`: search allocations (a Pareto front), re-evaluated out of sample
against the baseline; the report and the allocation files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.commands.common import folder_argument


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
    parser.add_argument("--cluster", metavar="SPEC", help="run on Dask: local:N or "
                        "tcp://HOST:PORT (as sim run)")
    again = parser.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true", help="go on from trials.jsonl")
    again.add_argument("--force", action="store_true", help="replace an earlier search")
    parser.add_argument("--quiet", action="store_true", help="no progress, no report")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """`sim optimise`: the config and the options are checked before the output folder is
    touched, so a mistake (exit 2) leaves an earlier search as it was."""
    from rich.console import Console

    from sim.decisions.optimise import load_config
    from sim.decisions.optimise_folder import FILES, prepare
    from sim.decisions.optimise_report import optimise
    from sim.runs.results import ResultsFolderError

    out = args.out or Path("results") / "optimise" / args.config.stem
    if args.cluster:
        from sim.runs.runner import parse_cluster

        try:
            parse_cluster(args.cluster)
        except ValueError as error:
            raise ResultsFolderError(str(error)) from None
    problem = load_config(args.config, trials=args.trials, replicates=args.replicates,
                          workers=args.workers, report_replicates=args.report_replicates)
    for note in prepare(out, problem, resume=args.resume, force=args.force):
        print(f"sim optimise: note: {note}", file=sys.stderr)
    optimise(problem, out=out, resume=args.resume, progress=not args.quiet,
             cluster=args.cluster, command=getattr(args, "command_line", "sim optimise"))
    if not args.quiet:
        print((out / "report.md").read_text(encoding="utf-8"))
        Console().print(f"written: {out}/ ({', '.join(FILES[1:])}, allocations/)",
                      highlight=False)
    return 0


