"""`sim decompose [SCENARIO]`: the coordination centre's value by mechanism (paired runs)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.commands.common import folder_argument


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "decompose", help="the coordination centre's value by mechanism (paired)")
    parser.add_argument("scenario", nargs="?", type=Path, metavar="SCENARIO",
                        help="scenario with the centre (default: the baseline)")
    parser.add_argument("--replicates", type=int, default=30, metavar="N",
                        help="paired replicates per variant (default 30)")
    parser.add_argument("--workers", type=int, metavar="W", help="worker processes")
    parser.add_argument("--out", type=folder_argument, metavar="DIR",
                        help="write decomposition.csv here")
    parser.add_argument("--doc", type=Path, metavar="FILE",
                        help="write the markdown page here (e.g. docs/centre_value.md)")
    parser.add_argument("--quiet", action="store_true", help="do not print the page")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.decisions import centre_value
    from sim.model import BASELINE
    from sim.scenario.files import load_scenario

    started = time.perf_counter()
    scenario = load_scenario(args.scenario or BASELINE)
    table, means = centre_value.decompose(scenario, replicates=args.replicates,
                                          workers=args.workers)
    seconds = time.perf_counter() - started
    command = getattr(args, "command_line", "sim decompose")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out / "decomposition.csv", index=False)
    page = centre_value.markdown(table, means, command=command, replicates=args.replicates,
                                 seconds=seconds, days=scenario.action.days)
    if args.doc is not None:
        args.doc.write_text(page)
    if not args.quiet:
        print(page)
    return 0
