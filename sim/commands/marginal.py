"""`sim marginal SCENARIO`: the paired marginal value of one more unit of each resource."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.common import folder_argument


def register(commands: argparse._SubParsersAction) -> None:
    """Add `sim marginal` to the `sim` command's sub-commands."""
    parser = commands.add_parser("marginal", help="paired value of one more block of each "
                                 "resource (officers, Frontex, scanning teams)")
    parser.add_argument("file", type=Path, metavar="SCENARIO")
    parser.add_argument("--replicates", type=int, default=10, metavar="N",
                        help="paired replicates per block (default 10)")
    parser.add_argument("--seed", type=int, metavar="S", help="root seed (default: the "
                        "scenario's run.seed)")
    parser.add_argument("--workers", type=int, metavar="W", help="local worker processes")
    parser.add_argument("--out", type=folder_argument, metavar="DIR",
                        help="results folder (default: results/marginal/<scenario name>)")
    parser.add_argument("--doc", type=Path, metavar="FILE",
                        help="also write the markdown table here (docs/marginal_value.md)")
    again = parser.add_mutually_exclusive_group()
    again.add_argument("--force", action="store_true", help="replace earlier results")
    again.add_argument("--resume", action="store_true",
                       help="finish an interrupted run; finished replicates are reused")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, no table")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    import pandas as pd

    from sim.decisions.marginal import run_marginal, write_doc
    from sim.scenario.files import load_scenario

    name = load_scenario(args.file).name
    out = args.out or Path("results") / "marginal" / name
    found, table, scenario = run_marginal(
        args.file, out, replicates=args.replicates, seed=args.seed, workers=args.workers,
        progress=not args.quiet, force=args.force, command=args.command_line,
        resume=args.resume)
    base = pd.read_csv(out / "base" / "summary.csv")
    daily_file = out / "base" / "daily.csv"
    daily = pd.read_csv(daily_file) if daily_file.exists() else None
    shown = " ".join(w for w in args.command_line.split()
                     if w not in ("--force", "--resume", "--quiet"))
    write_doc(out / "marginal.md", found, table, base, scenario, shown, daily)
    if args.doc:
        write_doc(args.doc, found, table, base, scenario, shown, daily)
    if not args.quiet:
        print((out / "marginal.md").read_text())
    print(f"results: {out}/ (marginal.csv, blocks.csv, marginal.md)")
    return 0


