"""`sim reference`: every shipped scenario on the baseline's seeds, compared with the baseline
(results/reference/comparison.csv, the README's table and figures)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.common import at_least, folder_argument


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("reference", help="run every shipped scenario and compare it "
                                 "with the baseline (the README's table)")
    parser.add_argument("--out", type=folder_argument, default=Path("results/reference"),
                        metavar="DIR", help="output folder (default: results/reference)")
    parser.add_argument("--replicates", type=at_least(1), metavar="N",
                        help="replicates per scenario (default: 20; per draw with --posterior)")
    parser.add_argument("--workers", type=at_least(1), metavar="W",
                        help="worker processes (default: all cores)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse complete runs in <out>/runs instead of running again")
    parser.add_argument("--posterior", type=at_least(1), metavar="N",
                        help="run every scenario over N posterior draws × the replicates")
    parser.add_argument("--posterior-file", type=Path, metavar="FILE",
                        help="the ensemble (default scenarios/posterior.csv)")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.analysis.reference import REPLICATES, build_reference

    written = build_reference(args.out, replicates=args.replicates or REPLICATES,
                              workers=args.workers, reuse=args.reuse, posterior=args.posterior,
                              posterior_file=args.posterior_file)
    print("written:\n" + "\n".join(f"  {path}" for path in written))
    return 0
