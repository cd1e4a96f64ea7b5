"""`sim marginal SCENARIO`: the paired marginal value of one more unit of each resource."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from sim.commands.common import HARM_HELP, ensemble_arguments, folder_argument, harm_file

FILES = ("marginal.csv", "blocks.csv", "marginal.md")


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
    parser.add_argument("--harm", type=harm_file, metavar="FILE", help=HARM_HELP)
    ensemble_arguments(parser, "run every block")
    again = parser.add_mutually_exclusive_group()
    again.add_argument("--force", action="store_true", help="replace earlier results")
    again.add_argument("--resume", action="store_true",
                       help="finish an interrupted run; finished replicates are reused")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, no table")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.decisions.marginal import run_marginal, write_doc
    from sim.runs.folder import FILE, claim
    from sim.runs.results import read_table
    from sim.scenario.files import load_scenario

    name = load_scenario(args.file).name
    out = args.out or Path("results") / "marginal" / name
    command = getattr(args, "command_line", "sim marginal")
    with contextlib.ExitStack() as held:
        held.enter_context(claim(out, "marginal analysis", args.force, args.resume,
                                 files=FILES, command=command))
        if args.doc:
            held.enter_context(claim(args.doc, FILE, force=True))  # a page it regenerates
        found, table, scenario = run_marginal(
            args.file, out, replicates=args.replicates, seed=args.seed, workers=args.workers,
            progress=not args.quiet, force=args.force, command=command, resume=args.resume,
            harm=args.harm, ensemble=args.ensemble,
            ensemble_file=args.ensemble_file)
        base = read_table(out / "base" / "summary.csv")
        daily_file = out / "base" / "daily.csv"
        daily = read_table(daily_file) if daily_file.exists() else None
        shown = " ".join(w for w in command.split()
                         if w not in ("--force", "--resume", "--quiet"))
        write_doc(out / "marginal.md", found, table, base, scenario, shown, daily)
        if args.doc:
            write_doc(args.doc, found, table, base, scenario, shown, daily)
    if not args.quiet:
        print((out / "marginal.md").read_text(encoding="utf-8"))
    print(f"results: {out}/ (marginal.csv, blocks.csv, marginal.md)")
    return 0
