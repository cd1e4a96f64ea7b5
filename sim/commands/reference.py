"""`sim reference`: every shipped scenario on the baseline's seeds, compared with the baseline
(results/reference/comparison.csv, naive.csv, the README's section table.md and figures), over
replicates, posterior draws or ensemble members; `--table-only` rewrites naive.csv and table.md
from the comparison already there."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.common import HARM_HELP, at_least, folder_argument, harm_file


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("reference", help="run every shipped scenario and compare it "
                                 "with the baseline (the README's table)")
    parser.add_argument("--out", type=folder_argument, default=Path("results/reference"),
                        metavar="DIR", help="output folder (default: results/reference)")
    parser.add_argument("--replicates", type=at_least(1), metavar="N",
                        help="replicates per scenario (default: 20; per draw or member with "
                             "--posterior or --ensemble)")
    parser.add_argument("--workers", type=at_least(1), metavar="W",
                        help="worker processes (default: all cores)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse complete runs in <out>/runs instead of running again")
    over = parser.add_mutually_exclusive_group()
    over.add_argument("--posterior", type=at_least(1), metavar="N",
                      help="run every scenario over N posterior draws × the replicates")
    over.add_argument("--ensemble", type=at_least(1), metavar="N",
                      help="run every scenario over the first N ensemble members × the "
                           "replicates: robustness, the deciding assumption and its EVPPI "
                           "cover every assumption with a range")
    over.add_argument("--table-only", action="store_true",
                      help="run nothing: rewrite naive.csv and table.md from the "
                           "comparison.csv in --out")
    parser.add_argument("--posterior-file", type=Path, metavar="FILE",
                        help="the posterior (default: the project's scenarios/posterior.csv)")
    parser.add_argument("--ensemble-file", type=Path, metavar="FILE",
                        help="the ensemble (default: the project's scenarios/ensemble.csv, "
                             "built by `sim ensemble`)")
    parser.add_argument("--harm", type=harm_file, metavar="FILE", help=HARM_HELP)
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.analysis.compare import COMPARISON
    from sim.analysis.naive import NAIVE_FILE
    from sim.analysis.reference import (
        REPLICATES,
        TABLE,
        build_reference,
        members_line,
        write_table,
    )
    from sim.runs.folder import claim
    from sim.runs.layout import ResultsFolderError

    if args.table_only:
        with claim(args.out, "reference comparison", force=True,
                   files=(COMPARISON, NAIVE_FILE, TABLE, "pairing.csv", "runs"),
                   command=getattr(args, "command_line", "sim reference")):
            if not (args.out / COMPARISON).is_file():
                raise ResultsFolderError(f"{args.out} holds no {COMPARISON}: run sim "
                                         "reference first")
            written = write_table(args.out)
        print("written:\n" + "\n".join(f"  {path}" for path in written))
        return 0
    replicates = args.replicates or REPLICATES
    print("sim reference " + members_line(
        replicates=replicates, posterior=args.posterior, posterior_file=args.posterior_file,
        ensemble=args.ensemble, ensemble_file=args.ensemble_file))
    with claim(args.out, "reference comparison", force=True,  # rebuilt by every run of it
               files=(COMPARISON, NAIVE_FILE, TABLE, "pairing.csv", "runs"),
               command=getattr(args, "command_line", "sim reference")):
        written = build_reference(args.out, replicates=replicates, workers=args.workers,
                                  reuse=args.reuse, posterior=args.posterior,
                                  posterior_file=args.posterior_file, ensemble=args.ensemble,
                                  ensemble_file=args.ensemble_file, harm=args.harm)
    print("written:\n" + "\n".join(f"  {path}" for path in written))
    return 0
