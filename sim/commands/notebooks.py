"""`sim notebooks [NOTEBOOK...]`: execute the analysis notebooks and write them as HTML."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.commands.common import at_least


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("notebooks", help="execute the notebooks into HTML (needs "
                                 "the dev extras: make notebooks installs them)")
    parser.add_argument("notebooks", nargs="*", type=Path, metavar="NOTEBOOK",
                        help="notebooks to run (default: every notebook in notebooks/)")
    parser.add_argument("--out", type=Path, default=Path("results/notebooks"), metavar="DIR",
                        help="where the HTML goes (default: results/notebooks)")
    parser.add_argument("--replicates", type=at_least(1), metavar="N",
                        help="replicates per scenario (sets SIM_REPLICATES; default: full size)")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.analysis.notebooks import execute, notebook_paths, write_html

    environment = {"SIM_REPLICATES": str(args.replicates)} if args.replicates else {}
    for path in args.notebooks or notebook_paths():
        started = time.perf_counter()
        executed = execute(path, environment=environment)
        target = write_html(executed, args.out / path.with_suffix(".html").name)
        print(f"{path.name}: {time.perf_counter() - started:.0f} s -> {target}")
    return 0
