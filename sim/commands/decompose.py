"""`sim decompose [SCENARIO]`: the coordination centre's value by mechanism (paired runs)."""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path

from sim.commands.common import ensemble_arguments, folder_argument


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "decompose", help="the coordination centre's value by mechanism (paired)")
    parser.add_argument("scenario", nargs="?", type=Path, metavar="SCENARIO",
                        help="scenario with the centre (default: the baseline)")
    parser.add_argument("--replicates", type=int, default=30, metavar="N",
                        help="paired replicates per variant (default 30)")
    parser.add_argument("--workers", type=int, metavar="W", help="worker processes")
    ensemble_arguments(parser, "run every variant")
    parser.add_argument("--out", type=folder_argument, metavar="DIR",
                        help="write decomposition.csv here")
    parser.add_argument("--doc", type=Path, metavar="FILE",
                        help="write the markdown page here (e.g. docs/centre_value.md)")
    parser.add_argument("--quiet", action="store_true", help="do not print the page")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.decisions import centre_value
    from sim.model import BASELINE
    from sim.runs.folder import FILE, claim
    from sim.runs.layout import write_atomically, write_text
    from sim.scenario.files import load_scenario

    started = time.perf_counter()
    scenario = load_scenario(args.scenario or BASELINE)
    command = getattr(args, "command_line", "sim decompose")
    with contextlib.ExitStack() as held:  # outputs it regenerates: replaced, never via a link
        if args.out is not None:
            held.enter_context(claim(args.out, "decomposition", force=True,
                                     files=("decomposition.csv",), command=command))
        if args.doc is not None:
            held.enter_context(claim(args.doc, FILE, force=True))
        table, means = centre_value.decompose(scenario, replicates=args.replicates,
                                              workers=args.workers, ensemble=args.ensemble,
                                              ensemble_file=args.ensemble_file)
        seconds = time.perf_counter() - started
        if args.out is not None:
            write_atomically(args.out / "decomposition.csv",
                             lambda path: table.to_csv(path, index=False))
        page = centre_value.markdown(table, means, command=command, replicates=args.replicates,
                                     seconds=seconds, days=scenario.action.days,
                                     members=args.ensemble)
        if args.doc is not None:
            write_text(args.doc, page)
    if not args.quiet:
        print(page)
    return 0
